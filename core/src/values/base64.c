/* base64.c - standard base64 (RFC 4648 alphabet, with padding). */
#include "values/base64.h"

#include <stdbool.h>
#include <stdint.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t fcat__base64_encoded_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

size_t fcat__base64_decoded_max(size_t n)
{
	return n / 4 * 3;
}

void fcat__base64_encode(char *out, const void *data, size_t n)
{
	const unsigned char *p = data;
	size_t i = 0;
	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		*out++ = alphabet[v >> 18];
		*out++ = alphabet[v >> 12 & 63];
		*out++ = alphabet[v >> 6 & 63];
		*out++ = alphabet[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)p[i] << 16;
		*out++ = alphabet[v >> 18];
		*out++ = alphabet[v >> 12 & 63];
		*out++ = '=';
		*out++ = '=';
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		*out++ = alphabet[v >> 18];
		*out++ = alphabet[v >> 12 & 63];
		*out++ = alphabet[v >> 6 & 63];
		*out++ = '=';
	}
}

/* The 6-bit value of a base64 character, or -1. */
static int sextet(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int fcat__base64_decode(void *out, size_t *out_len, const char *text, size_t n)
{
	unsigned char *o = out;
	size_t len = 0;
	if (n % 4 != 0)
		return -1;
	for (size_t i = 0; i < n; i += 4) {
		bool last = i + 4 == n;
		int a = sextet(text[i]), b = sextet(text[i + 1]);
		int c = sextet(text[i + 2]), d = sextet(text[i + 3]);
		if (a < 0 || b < 0)
			return -1;
		if (last && text[i + 2] == '=' && text[i + 3] == '=') {
			o[len++] = (unsigned char)(a << 2 | b >> 4);
			break;
		}
		if (c < 0)
			return -1;
		if (last && text[i + 3] == '=') {
			o[len++] = (unsigned char)(a << 2 | b >> 4);
			o[len++] = (unsigned char)((b & 15) << 4 | c >> 2);
			break;
		}
		if (d < 0)
			return -1;
		uint32_t v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
		o[len++] = (unsigned char)(v >> 16);
		o[len++] = (unsigned char)(v >> 8);
		o[len++] = (unsigned char)v;
	}
	*out_len = len;
	return 0;
}
