/* fuzz_jwt.c - fuzzes the bearer tokens of fcat serve: fsrv_jwt_verify
 * (tools/server/jwt.c: the three base64url parts, the header, the
 * signature, the claims) against an HS256 secret, an RS256 key, an ES256 key
 * and a secret with an ES256 key; and the strict base64url codec.
 *
 * Input: byte 0 picks the mode. Mode 0: the rest is a token as sent.
 * Modes 1-3: the rest is a header and a payload (JSON, cut at FUZZ_SEP)
 * that the target signs with the HS256 secret (1), the ES256 key (2) or the
 * RS256 key (3), so that the claims behind a valid signature are fuzzed too.
 * Properties: no crash, UB or leak; a refusal is FCAT_EINVALID with a
 * message and no claims; an accepted token has a sub without control
 * characters, at most FSRV_JWT_MAX_GROUPS groups, and the alg of a key it
 * was checked with; what base64url encodes decodes back the same, and
 * what decodes encodes back to the very text (one encoding per string). */
#include "fuzz_util.h"

#include "base64url.h"
#include "jwt.h"

#include "fcat.h"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOW INT64_C(1767323045)

static const unsigned char secret[] = "fcat-fuzz-hs256-secret-0123456789abcdef";
static EVP_PKEY *rsa, *ec;
static fsrv_jwt_keys *k_hs, *k_rs, *k_es, *k_hs_es;

static const char *write_public(const char *name, EVP_PKEY *key)
{
	static char path[2][4096];
	char *p = path[key == ec];
	snprintf(p, sizeof path[0], "%s/%s", fuzz_dir(), name);
	FILE *f = fopen(p, "w");
	fuzz_check(f && PEM_write_PUBKEY(f, key) == 1, "cannot write %s", p);
	fclose(f);
	return p;
}

static void make_keys(void)
{
	rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	fuzz_check(rsa && ec, "key generation failed");
	const char *rs_pem = write_public("rsa.pem", rsa), *es_pem = write_public("ec.pem", ec);
	size_t n = sizeof secret - 1;
	fuzz_check(fsrv_jwt_keys_load(&k_hs, secret, n, NULL) == 0 &&
	               fsrv_jwt_keys_load(&k_rs, NULL, 0, rs_pem) == 0 &&
	               fsrv_jwt_keys_load(&k_es, NULL, 0, es_pem) == 0 &&
	               fsrv_jwt_keys_load(&k_hs_es, secret, n, es_pem) == 0,
	           "keys: %s", fsrv_jwt_error_last());
}

static void verify(const fsrv_jwt_keys *keys, const char *token, size_t len)
{
	fsrv_jwt_claims c;
	int rc = fsrv_jwt_verify(&c, keys, token, len, NOW);
	if (rc != 0) {
		fuzz_check(rc == FCAT_EINVALID, "verify: %d (%s)", rc, fsrv_jwt_error_last());
		fuzz_check(!c.sub && !c.groups && !c.ngroups, "a refused token left claims");
		return;
	}
	fuzz_check(c.sub && c.sub[0], "an accepted token without sub");
	for (const char *p = c.sub; *p; p++)
		fuzz_check((unsigned char)*p >= 0x20 && *p != 0x7f, "a control character in sub");
	fuzz_check(c.ngroups <= FSRV_JWT_MAX_GROUPS, "%zu groups", c.ngroups);
	fuzz_check(c.alg && (!strcmp(c.alg, "HS256") || !strcmp(c.alg, "RS256") ||
	                     !strcmp(c.alg, "ES256")),
	           "alg %s", c.alg ? c.alg : "(none)");
	fsrv_jwt_claims_free(&c);
}

/* base64url(header) "." base64url(payload), with room for a signature. */
static char *signing_input(const fuzz_part *h, const fuzz_part *p, size_t *len)
{
	size_t cap = FSRV_BASE64URL_ENCODED_LEN(h->len) + FSRV_BASE64URL_ENCODED_LEN(p->len) + 1024;
	char *t = malloc(cap);
	fuzz_check(t != NULL, "out of memory");
	size_t n = fsrv_base64url_encode(t, (const unsigned char *)h->ptr, h->len);
	t[n++] = '.';
	n += fsrv_base64url_encode(t + n, (const unsigned char *)p->ptr, p->len);
	*len = n;
	return t;
}

/* Appends "." and the signature of t[0, n): HS256, or the key's (ES256 as
 * raw r||s). */
static size_t append_signature(char *t, size_t n, EVP_PKEY *key)
{
	unsigned char sig[512];
	size_t siglen = sizeof sig;
	if (!key) {
		unsigned int l = 0;
		fuzz_check(HMAC(EVP_sha256(), secret, sizeof secret - 1, (unsigned char *)t, n, sig,
		                &l) != NULL,
		           "HMAC failed");
		siglen = l;
	} else {
		EVP_MD_CTX *ctx = EVP_MD_CTX_new();
		fuzz_check(ctx && EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
		               EVP_DigestSign(ctx, sig, &siglen, (unsigned char *)t, n) == 1,
		           "signing failed");
		EVP_MD_CTX_free(ctx);
		if (key == ec) {
			const unsigned char *p = sig;
			ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)siglen);
			fuzz_check(es && BN_bn2binpad(ECDSA_SIG_get0_r(es), sig, 32) == 32 &&
			               BN_bn2binpad(ECDSA_SIG_get0_s(es), sig + 32, 32) == 32,
			           "ECDSA signature conversion failed");
			ECDSA_SIG_free(es);
			siglen = 64;
		}
	}
	t[n++] = '.';
	return n + fsrv_base64url_encode(t + n, sig, siglen);
}

static void base64url_round_trip(const char *text, size_t len)
{
	unsigned char *bytes = malloc(FSRV_BASE64URL_DECODED_MAX(len) + 1);
	char *back = malloc(FSRV_BASE64URL_ENCODED_LEN(len) + FSRV_BASE64URL_ENCODED_LEN(0) + 8);
	fuzz_check(bytes && back, "out of memory");
	size_t n, bad;
	/* the text as base64url: its bytes encode to the very text */
	if (fsrv_base64url_decode(bytes, &n, &bad, text, len) == 0) {
		size_t m = fsrv_base64url_encode(back, bytes, n);
		fuzz_check(m == len && memcmp(back, text, len) == 0,
		           "a decoded text encodes differently");
	} else {
		fuzz_check(bad <= len, "bad offset %zu of %zu", bad, len);
	}
	free(back);
	/* the text as bytes: they encode and decode back */
	char *enc = malloc(FSRV_BASE64URL_ENCODED_LEN(len) + 1);
	unsigned char *dec = malloc(len + 3);
	fuzz_check(enc && dec, "out of memory");
	size_t e = fsrv_base64url_encode(enc, (const unsigned char *)text, len);
	fuzz_check(e == FSRV_BASE64URL_ENCODED_LEN(len), "encoded length %zu", e);
	fuzz_check(fsrv_base64url_decode(dec, &n, &bad, enc, e) == 0 && n == len &&
	               (len == 0 || memcmp(dec, text, len) == 0),
	           "encoded bytes do not decode back");
	free(enc);
	free(dec);
	free(bytes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!k_hs)
		make_keys();
	if (size < 1 || size > FSRV_JWT_MAX_TOKEN)
		return 0;
	const char *rest = (const char *)data + 1;
	size_t len = size - 1;
	unsigned mode = data[0] % 4;
	if (mode == 0) {
		/* an exact copy, so that reading past its end is caught */
		char *token = fuzz_strndup(rest, len);
		verify(k_hs, token, len);
		verify(k_rs, token, len);
		verify(k_es, token, len);
		verify(k_hs_es, token, len);
		base64url_round_trip(token, len);
		free(token);
		return 0;
	}
	fuzz_part parts[2];
	if (fuzz_split(parts, 2, data + 1, len) != 2)
		return 0;
	size_t n;
	char *t = signing_input(&parts[0], &parts[1], &n);
	n = append_signature(t, n, mode == 1 ? NULL : mode == 2 ? ec : rsa);
	if (mode == 1) {
		verify(k_hs, t, n);
		verify(k_hs_es, t, n);
	} else if (mode == 2) {
		verify(k_es, t, n);
		verify(k_hs_es, t, n);
	} else {
		verify(k_rs, t, n);
	}
	free(t);
	return 0;
}
