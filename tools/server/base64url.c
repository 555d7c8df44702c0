/* base64url.c - strict base64url without padding: one encoding per byte
 * string, nothing else accepted. */
#include "base64url.h"

#include <stdint.h>

static const char ALPHABET[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* The 6-bit value of `c`, or -1 outside the alphabet. */
static int sextet(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

int fsrv_base64url_decode(unsigned char *out, size_t *outlen, size_t *bad, const char *in,
                          size_t len)
{
	size_t n = 0;
	uint32_t acc = 0;
	unsigned bits = 0;

	*outlen = 0;
	*bad = len;
	if (len % 4 == 1)
		return -1;
	for (size_t i = 0; i < len; i++) {
		int v = sextet((unsigned char)in[i]);
		if (v < 0) {
			*bad = i;
			return -1;
		}
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* leftover bits (2 or 4) must be zero, or two strings decode alike */
	if (acc != 0) {
		*bad = len - 1;
		return -1;
	}
	*outlen = n;
	return 0;
}

size_t fsrv_base64url_encode(char *out, const unsigned char *in, size_t len)
{
	size_t n = 0, i = 0;

	for (; i + 3 <= len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[n++] = ALPHABET[v >> 18];
		out[n++] = ALPHABET[(v >> 12) & 63];
		out[n++] = ALPHABET[(v >> 6) & 63];
		out[n++] = ALPHABET[v & 63];
	}
	if (len - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;
		out[n++] = ALPHABET[v >> 18];
		out[n++] = ALPHABET[(v >> 12) & 63];
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[n++] = ALPHABET[v >> 18];
		out[n++] = ALPHABET[(v >> 12) & 63];
		out[n++] = ALPHABET[(v >> 6) & 63];
	}
	out[n] = '\0';
	return n;
}
