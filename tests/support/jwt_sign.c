/* jwt_sign.c - compact JWTs made in a test (see jwt_sign.h). */
#include "jwt_sign.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static size_t base64url(char *out, const unsigned char *in, size_t len)
{
	static const char abc[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t o = 0;
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (i + 1 < len ? (unsigned)in[i + 1] << 8 : 0) |
		             (i + 2 < len ? in[i + 2] : 0);
		out[o++] = abc[v >> 18 & 63];
		out[o++] = abc[v >> 12 & 63];
		if (i + 1 < len)
			out[o++] = abc[v >> 6 & 63];
		if (i + 2 < len)
			out[o++] = abc[v & 63];
	}
	out[o] = '\0';
	return o;
}

char *test_jwt_sign(const char *header, const char *claims, const char *secret)
{
	size_t hl = strlen(header), cl = strlen(claims);
	char *t = malloc((hl + cl) * 4 / 3 + 128);
	if (!t)
		return NULL;
	size_t n = base64url(t, (const unsigned char *)header, hl);
	t[n++] = '.';
	n += base64url(t + n, (const unsigned char *)claims, cl);
	t[n++] = '.';
	t[n] = '\0';
	if (secret) {
		unsigned char mac[EVP_MAX_MD_SIZE];
		unsigned maclen = 0;
		HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)t, n - 1,
		     mac, &maclen);
		base64url(t + n, mac, maclen);
	}
	return t;
}

char *test_jwt_for(const char *sub, long long expires_in, const char *secret)
{
	char claims[512];
	snprintf(claims, sizeof claims, "{\"sub\":\"%s\",\"exp\":%lld}", sub,
	         (long long)time(NULL) + expires_in);
	return test_jwt_sign("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", claims, secret);
}
