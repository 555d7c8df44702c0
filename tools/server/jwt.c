/* jwt.c - Bearer token verification for fcat serve: strict parsing, the alg
 * bound to the configured key, OpenSSL signatures, then the claims. */
#include "jwt.h"
#include "token_cache.h"

#include "base64url.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The longest key file read; a PEM public key is well under 4 KiB. */
#define MAX_KEY_FILE (64 * 1024)

/* The shortest RSA modulus accepted, in bits. */
#define MIN_RSA_BITS 2048

typedef enum jwt_alg { ALG_NONE_CONFIGURED, ALG_HS256, ALG_RS256, ALG_ES256 } jwt_alg;

static const char *const ALG_NAME[] = {"none", "HS256", "RS256", "ES256"};

struct fsrv_jwt_keys {
	unsigned char *secret; /* the HS256 secret, or NULL */
	size_t secret_len;
	EVP_MAC *mac;               /* HMAC */
	EVP_MAC_CTX *hmac;          /* keyed with the secret; duplicated per token */
	EVP_PKEY *pub;              /* the public key, or NULL */
	jwt_alg pub_alg;            /* ALG_RS256 or ALG_ES256 for `pub` */
	EVP_MD *sha256;             /* fetched once for the public-key paths */
	fsrv_token_cache *verified; /* tokens these keys verified; NULL: none kept */
};

static _Thread_local char last_error[320] = "no error";

static int fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(last_error, sizeof last_error, fmt, ap);
	va_end(ap);
	ERR_clear_error();
	return code;
}

static int oom(void)
{
	return fail(FCAT_ENOMEM, "out of memory");
}

const char *fsrv_jwt_error_last(void)
{
	return last_error;
}

/* --- keys ------------------------------------------------------------------- */

void fsrv_jwt_keys_free(fsrv_jwt_keys *keys)
{
	if (!keys)
		return;
	if (keys->secret) {
		OPENSSL_cleanse(keys->secret, keys->secret_len);
		free(keys->secret);
	}
	EVP_MAC_CTX_free(keys->hmac);
	EVP_MAC_free(keys->mac);
	EVP_PKEY_free(keys->pub);
	EVP_MD_free(keys->sha256);
	fsrv_token_cache_free(keys->verified);
	free(keys);
}

static int load_secret(fsrv_jwt_keys *k, const unsigned char *secret, size_t len)
{
	if (len < FSRV_JWT_MIN_SECRET)
		return fail(FCAT_EINVALID,
		            "the HS256 secret is %zu bytes; at least %d are required "
		            "(e.g. openssl rand -base64 48)",
		            len, FSRV_JWT_MIN_SECRET);
	k->secret = malloc(len);
	if (!k->secret)
		return oom();
	memcpy(k->secret, secret, len);
	k->secret_len = len;

	char digest[] = "SHA256";
	OSSL_PARAM params[] = {
	    OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
	    OSSL_PARAM_construct_end(),
	};
	k->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	k->hmac = k->mac ? EVP_MAC_CTX_new(k->mac) : NULL;
	if (!k->hmac || !EVP_MAC_init(k->hmac, k->secret, len, params))
		return fail(FCAT_ERROR, "cannot set up HMAC-SHA256 in OpenSSL");
	return 0;
}

/* Reads at most MAX_KEY_FILE bytes of `path` into a malloc'd buffer. */
static int read_key_file(char **out, size_t *len, const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return fail(FCAT_EIO, "cannot read the JWT public key file %s: %s", path,
		            strerror(errno));
	char *buf = malloc(MAX_KEY_FILE + 1);
	if (!buf) {
		fclose(f);
		return oom();
	}
	size_t n = fread(buf, 1, MAX_KEY_FILE + 1, f);
	int err = ferror(f) ? errno : 0;
	fclose(f);
	if (err) {
		free(buf);
		return fail(FCAT_EIO, "cannot read the JWT public key file %s: %s", path,
		            strerror(err));
	}
	if (n > MAX_KEY_FILE) {
		free(buf);
		return fail(FCAT_EINVALID,
		            "the JWT public key file %s is over %d bytes: not a public key", path,
		            MAX_KEY_FILE);
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/* Which alg `pkey` verifies, or a failure naming `path` and why not. */
static int classify_key(jwt_alg *alg, EVP_PKEY *pkey, const char *path)
{
	if (EVP_PKEY_is_a(pkey, "RSA")) {
		int bits = EVP_PKEY_get_bits(pkey);
		if (bits < MIN_RSA_BITS)
			return fail(FCAT_EINVALID,
			            "the JWT public key in %s is a %d-bit RSA key; RS256 needs at "
			            "least %d bits",
			            path, bits, MIN_RSA_BITS);
		*alg = ALG_RS256;
		return 0;
	}
	if (EVP_PKEY_is_a(pkey, "EC")) {
		char group[64] = "";
		size_t glen = 0;
		if (!EVP_PKEY_get_group_name(pkey, group, sizeof group, &glen))
			snprintf(group, sizeof group, "(unnamed)");
		if (strcmp(group, "prime256v1") != 0 && strcmp(group, "P-256") != 0)
			return fail(
			    FCAT_EINVALID,
			    "the JWT public key in %s is an EC key on curve %s; ES256 needs "
			    "P-256 (prime256v1)",
			    path, group);
		*alg = ALG_ES256;
		return 0;
	}
	const char *type = EVP_PKEY_get0_type_name(pkey);
	return fail(FCAT_EINVALID,
	            "the JWT public key in %s is of type %s; only RSA (RS256) and EC P-256 "
	            "(ES256) keys are supported",
	            path, type ? type : "unknown");
}

static int load_public_key(fsrv_jwt_keys *k, const char *path)
{
	char *text = NULL;
	size_t len = 0;
	int rc = read_key_file(&text, &len, path);
	if (rc)
		return rc;
	if (strstr(text, "PRIVATE KEY-----")) {
		free(text);
		return fail(FCAT_EINVALID,
		            "%s holds a private key; the server needs only the public key "
		            "(openssl pkey -in KEY -pubout)",
		            path);
	}
	if (strstr(text, "-----BEGIN CERTIFICATE-----")) {
		free(text);
		return fail(FCAT_EINVALID,
		            "%s holds a certificate; give its public key "
		            "(openssl x509 -in CERT -pubkey -noout)",
		            path);
	}
	BIO *bio = BIO_new_mem_buf(text, (int)len);
	if (!bio) {
		free(text);
		return oom();
	}
	k->pub = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	free(text);
	if (!k->pub)
		return fail(FCAT_EINVALID,
		            "%s is not a PEM public key (expected -----BEGIN PUBLIC KEY-----)",
		            path);
	rc = classify_key(&k->pub_alg, k->pub, path);
	if (rc)
		return rc;
	k->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (!k->sha256)
		return fail(FCAT_ERROR, "cannot fetch SHA-256 from OpenSSL");
	return 0;
}

int fsrv_jwt_keys_load(fsrv_jwt_keys **out, const unsigned char *secret, size_t secret_len,
                       const char *public_key_path)
{
	if (!out)
		return fail(FCAT_EUSAGE, "fsrv_jwt_keys_load: out is NULL");
	*out = NULL;
	if (!secret && secret_len)
		return fail(FCAT_EUSAGE, "fsrv_jwt_keys_load: a secret length without a secret");
	if (!secret && !public_key_path)
		return fail(FCAT_EINVALID,
		            "no JWT key is configured: give an HS256 secret, a public key file, "
		            "or both");
	fsrv_jwt_keys *k = calloc(1, sizeof *k);
	if (!k)
		return oom();
	int rc = secret ? load_secret(k, secret, secret_len) : 0;
	if (!rc && public_key_path)
		rc = load_public_key(k, public_key_path);
	if (rc) {
		fsrv_jwt_keys_free(k);
		return rc;
	}
	k->verified = fsrv_token_cache_new();
	*out = k;
	return 0;
}

/* --- parsing ---------------------------------------------------------------- */

/* Decodes one part into `buf`, naming the part on failure. */
static int decode_part(unsigned char *buf, size_t *n, const char *what, const char *in, size_t len)
{
	size_t bad;
	if (fsrv_base64url_decode(buf, n, &bad, in, len) == 0)
		return 0;
	if (bad == len)
		return fail(FCAT_EINVALID,
		            "token %s is not base64url: %zu characters is no valid length", what,
		            len);
	return fail(FCAT_EINVALID, "token %s is not base64url: bad character at offset %zu", what,
	            bad);
}

/* Parses decoded JSON that must be an object. */
static int parse_object(json_t **out, const unsigned char *buf, size_t n, const char *what)
{
	json_error_t err;
	json_t *j = json_loadb((const char *)buf, n, JSON_REJECT_DUPLICATES, &err);
	if (!j)
		/* the position only: jansson's text may quote the sender's bytes */
		return fail(FCAT_EINVALID, "token %s is not valid JSON (at byte %d)", what,
		            err.position);
	if (!json_is_object(j)) {
		json_decref(j);
		return fail(FCAT_EINVALID, "token %s is not a JSON object", what);
	}
	*out = j;
	return 0;
}

/* Copies up to 24 printable ASCII characters of `s` for a message. */
static void printable(char *dst, size_t cap, const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len && n + 4 < cap && n < 24; i++) {
		unsigned char c = (unsigned char)s[i];
		dst[n++] = (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') ? (char)c : '?';
	}
	if (len > 24 && n + 3 < cap) {
		memcpy(dst + n, "...", 3);
		n += 3;
	}
	dst[n] = '\0';
}

static bool string_is(const json_t *j, const char *want)
{
	return json_string_length(j) == strlen(want) &&
	       memcmp(json_string_value(j), want, strlen(want)) == 0;
}

/* The alg of the header, checked against the configured keys. */
static int check_header(jwt_alg *alg, const json_t *h, const fsrv_jwt_keys *keys)
{
	const json_t *a = json_object_get(h, "alg");
	if (!a)
		return fail(FCAT_EINVALID, "token header has no alg");
	if (!json_is_string(a))
		return fail(FCAT_EINVALID, "token header alg is not a string");
	if (json_string_length(a) == 4 && strncasecmp(json_string_value(a), "none", 4) == 0)
		return fail(FCAT_EINVALID, "token alg none is refused: unsigned tokens are never "
		                           "accepted");
	if (string_is(a, "HS256"))
		*alg = ALG_HS256;
	else if (string_is(a, "RS256"))
		*alg = ALG_RS256;
	else if (string_is(a, "ES256"))
		*alg = ALG_ES256;
	else {
		char shown[32];
		printable(shown, sizeof shown, json_string_value(a), json_string_length(a));
		return fail(FCAT_EINVALID,
		            "token alg \"%s\" is not supported (HS256, RS256 and ES256 are)",
		            shown);
	}

	/* the alg must name a configured key of its own type: an HS256 token is
	 * never checked against the public key's bytes (key confusion) */
	if (*alg == ALG_HS256 && !keys->secret)
		return fail(FCAT_EINVALID,
		            "token alg HS256 is refused: no HS256 secret is configured, only an "
		            "%s public key",
		            ALG_NAME[keys->pub_alg]);
	if (*alg != ALG_HS256 && *alg != keys->pub_alg) {
		if (!keys->pub)
			return fail(FCAT_EINVALID,
			            "token alg %s is refused: no public key is configured, only an "
			            "HS256 secret",
			            ALG_NAME[*alg]);
		return fail(FCAT_EINVALID,
		            "token alg %s is refused: the configured public key is for %s",
		            ALG_NAME[*alg], ALG_NAME[keys->pub_alg]);
	}

	const json_t *typ = json_object_get(h, "typ");
	if (typ &&
	    !(json_is_string(typ) && (strcasecmp(json_string_value(typ), "JWT") == 0 ||
	                              strcasecmp(json_string_value(typ), "application/jwt") == 0)))
		return fail(FCAT_EINVALID, "token header typ is not JWT");
	if (json_object_get(h, "crit"))
		return fail(FCAT_EINVALID,
		            "token header lists critical extensions (crit); none is supported");
	return 0;
}

/* --- signatures ------------------------------------------------------------- */

static int verify_hs256(const fsrv_jwt_keys *keys, const char *input, size_t inlen,
                        const unsigned char *sig, size_t siglen)
{
	if (siglen != 32)
		return fail(FCAT_EINVALID, "token signature is %zu bytes; HS256 has 32", siglen);
	unsigned char mac[EVP_MAX_MD_SIZE];
	size_t maclen = 0;
	EVP_MAC_CTX *ctx = EVP_MAC_CTX_dup(keys->hmac);
	if (!ctx)
		return oom();
	int ok = EVP_MAC_update(ctx, (const unsigned char *)input, inlen) &&
	         EVP_MAC_final(ctx, mac, &maclen, sizeof mac);
	EVP_MAC_CTX_free(ctx);
	if (!ok || maclen != 32)
		return fail(FCAT_ERROR, "HMAC-SHA256 failed in OpenSSL");
	int same = CRYPTO_memcmp(mac, sig, 32) == 0;
	OPENSSL_cleanse(mac, sizeof mac);
	if (!same)
		return fail(FCAT_EINVALID, "token signature does not verify (HS256)");
	return 0;
}

/* The DER ECDSA-Sig-Value of a raw 64-byte r||s; *der is OPENSSL_free'd. */
static int es256_der(unsigned char **der, size_t *derlen, const unsigned char *sig)
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(sig, 32, NULL);
	BIGNUM *s = BN_bin2bn(sig + 32, 32, NULL);
	if (!es || !r || !s || !ECDSA_SIG_set0(es, r, s)) {
		ECDSA_SIG_free(es);
		BN_free(r);
		BN_free(s);
		return oom();
	}
	*der = NULL;
	int n = i2d_ECDSA_SIG(es, der);
	ECDSA_SIG_free(es);
	if (n <= 0)
		return oom();
	*derlen = (size_t)n;
	return 0;
}

static int verify_public(const fsrv_jwt_keys *keys, jwt_alg alg, const char *input, size_t inlen,
                         const unsigned char *sig, size_t siglen)
{
	unsigned char *der = NULL;
	if (alg == ALG_RS256) {
		size_t want = (size_t)EVP_PKEY_get_size(keys->pub);
		if (siglen != want)
			return fail(FCAT_EINVALID,
			            "token signature is %zu bytes; this RS256 key "
			            "makes %zu",
			            siglen, want);
	} else {
		if (siglen != 64)
			return fail(FCAT_EINVALID,
			            "token signature is %zu bytes; ES256 has 64 (r and s)", siglen);
		int rc = es256_der(&der, &siglen, sig);
		if (rc)
			return rc;
		sig = der;
	}
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx) {
		OPENSSL_free(der);
		return oom();
	}
	int ok = EVP_DigestVerifyInit(ctx, NULL, keys->sha256, NULL, keys->pub) == 1 &&
	         EVP_DigestVerify(ctx, sig, siglen, (const unsigned char *)input, inlen) == 1;
	EVP_MD_CTX_free(ctx);
	OPENSSL_free(der);
	if (!ok)
		return fail(FCAT_EINVALID, "token signature does not verify (%s)", ALG_NAME[alg]);
	ERR_clear_error();
	return 0;
}

/* --- claims ----------------------------------------------------------------- */

/* Whether a - b >= slack, without overflow (slack > 0). */
static bool ahead(int64_t a, int64_t b, int64_t slack)
{
	return a >= b && (uint64_t)a - (uint64_t)b >= (uint64_t)slack;
}

/* A NumericDate claim: 1 if present (into *v), 0 if absent, or a failure.
 * Fractions of a second are dropped. */
static int numeric_date(int64_t *v, const json_t *claims, const char *name)
{
	const json_t *j = json_object_get(claims, name);
	if (!j)
		return 0;
	if (json_is_integer(j)) {
		*v = (int64_t)json_integer_value(j);
		return 1;
	}
	if (json_is_real(j)) {
		double d = json_real_value(j);
		if (d > -9.0e18 && d < 9.0e18) {
			*v = (int64_t)d;
			return 1;
		}
		return fail(FCAT_EINVALID, "token claim %s is out of range", name);
	}
	return fail(FCAT_EINVALID, "token claim %s is not a number", name);
}

bool fsrv_jwt_in_time(const fsrv_jwt_claims *claims, int64_t now)
{
	return !ahead(now, claims->exp, FSRV_JWT_LEEWAY) &&
	       !(claims->not_before && ahead(claims->not_before, now, FSRV_JWT_LEEWAY + 1));
}

static int check_times(int64_t *exp, int64_t *not_before, const json_t *c, int64_t now)
{
	int64_t nbf = 0, iat = 0;
	int rc = numeric_date(exp, c, "exp");
	if (rc < 0)
		return rc;
	if (rc == 0)
		return fail(FCAT_EINVALID,
		            "token has no exp claim; tokens without expiry are refused");
	if (ahead(now, *exp, FSRV_JWT_LEEWAY))
		return fail(FCAT_EINVALID,
		            "token expired at %" PRId64 " (now %" PRId64 ", leeway %d s)", *exp,
		            now, FSRV_JWT_LEEWAY);
	rc = numeric_date(&nbf, c, "nbf");
	if (rc < 0)
		return rc;
	if (rc && ahead(nbf, now, FSRV_JWT_LEEWAY + 1))
		return fail(FCAT_EINVALID,
		            "token is not valid before %" PRId64 " (nbf; now %" PRId64
		            ", leeway %d s)",
		            nbf, now, FSRV_JWT_LEEWAY);
	rc = numeric_date(&iat, c, "iat");
	if (rc < 0)
		return rc;
	if (rc && ahead(iat, now, FSRV_JWT_LEEWAY + 1))
		return fail(FCAT_EINVALID,
		            "token was issued in the future (iat %" PRId64 "; now %" PRId64
		            ", leeway %d s)",
		            iat, now, FSRV_JWT_LEEWAY);
	*not_before = nbf > iat ? nbf : iat;
	return 0;
}

/* Checks a principal or group name; `what` names it in the message. */
static int check_name(const json_t *j, const char *what)
{
	if (!json_is_string(j))
		return fail(FCAT_EINVALID, "token claim %s is not a string", what);
	size_t n = json_string_length(j);
	const unsigned char *s = (const unsigned char *)json_string_value(j);
	if (n == 0)
		return fail(FCAT_EINVALID, "token claim %s is empty", what);
	if (n > FSRV_JWT_MAX_NAME)
		return fail(FCAT_EINVALID, "token claim %s is %zu bytes, over the %d-byte limit",
		            what, n, FSRV_JWT_MAX_NAME);
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] == 0x7f)
			return fail(FCAT_EINVALID, "token claim %s holds a control character",
			            what);
	return 0;
}

static int take_claims(fsrv_jwt_claims *out, const json_t *c, int64_t now)
{
	int rc = check_times(&out->exp, &out->not_before, c, now);
	if (rc)
		return rc;

	const json_t *sub = json_object_get(c, "sub");
	if (!sub)
		return fail(FCAT_EINVALID, "token has no sub claim (the principal)");
	rc = check_name(sub, "sub");
	if (rc)
		return rc;

	const json_t *groups = json_object_get(c, "groups");
	size_t ngroups = 0;
	if (groups) {
		if (!json_is_array(groups))
			return fail(FCAT_EINVALID, "token claim groups is not an array of strings");
		ngroups = json_array_size(groups);
		if (ngroups > FSRV_JWT_MAX_GROUPS)
			return fail(FCAT_EINVALID,
			            "token claim groups has %zu entries, over the limit of %d",
			            ngroups, FSRV_JWT_MAX_GROUPS);
		for (size_t i = 0; i < ngroups; i++) {
			char what[32];
			snprintf(what, sizeof what, "groups[%zu]", i);
			rc = check_name(json_array_get(groups, i), what);
			if (rc)
				return rc;
		}
	}

	out->sub = strdup(json_string_value(sub));
	if (!out->sub)
		return oom();
	if (ngroups) {
		out->groups = calloc(ngroups, sizeof *out->groups);
		if (!out->groups)
			return oom();
		for (size_t i = 0; i < ngroups; i++) {
			out->groups[i] = strdup(json_string_value(json_array_get(groups, i)));
			if (!out->groups[i])
				return oom();
			out->ngroups = i + 1;
		}
	}
	return 0;
}

/* --- verify ----------------------------------------------------------------- */

void fsrv_jwt_claims_free(fsrv_jwt_claims *claims)
{
	if (!claims)
		return;
	free(claims->sub);
	for (size_t i = 0; i < claims->ngroups; i++)
		free(claims->groups[i]);
	free(claims->groups);
	memset(claims, 0, sizeof *claims);
}

/* Everything after the length checks; `buf` holds len decoded bytes. */
static int verify(fsrv_jwt_claims *out, const fsrv_jwt_keys *keys, const char *token, size_t len,
                  int64_t now, unsigned char *buf)
{
	size_t dot[2], ndots = 0;
	for (size_t i = 0; i < len; i++) {
		if (token[i] != '.')
			continue;
		if (ndots < 2)
			dot[ndots] = i;
		ndots++;
	}
	if (ndots != 2)
		return fail(FCAT_EINVALID,
		            "token has %zu part%s separated by dots; a JWT has 3 "
		            "(header.payload.signature)",
		            ndots + 1, ndots ? "s" : "");

	/* header, payload and signature decode into one buffer, back to back */
	unsigned char *hdr = buf, *body, *sig;
	size_t hlen, blen, slen;
	int rc = decode_part(hdr, &hlen, "header", token, dot[0]);
	if (rc)
		return rc;
	body = hdr + hlen;
	rc = decode_part(body, &blen, "payload", token + dot[0] + 1, dot[1] - dot[0] - 1);
	if (rc)
		return rc;
	sig = body + blen;
	rc = decode_part(sig, &slen, "signature", token + dot[1] + 1, len - dot[1] - 1);
	if (rc)
		return rc;

	json_t *h = NULL;
	rc = parse_object(&h, hdr, hlen, "header");
	if (rc)
		return rc;
	jwt_alg alg = ALG_NONE_CONFIGURED;
	rc = check_header(&alg, h, keys);
	json_decref(h);
	if (rc)
		return rc;

	/* the claims are read only once the signature holds */
	rc = alg == ALG_HS256 ? verify_hs256(keys, token, dot[1], sig, slen)
	                      : verify_public(keys, alg, token, dot[1], sig, slen);
	if (rc)
		return rc;

	json_t *c = NULL;
	rc = parse_object(&c, body, blen, "payload");
	if (rc)
		return rc;
	out->alg = ALG_NAME[alg];
	rc = take_claims(out, c, now);
	json_decref(c);
	return rc;
}

int fsrv_jwt_verify(fsrv_jwt_claims *out, const fsrv_jwt_keys *keys, const char *token, size_t len,
                    int64_t now_seconds)
{
	if (!out)
		return fail(FCAT_EUSAGE, "fsrv_jwt_verify: out is NULL");
	memset(out, 0, sizeof *out);
	if (!keys || (!token && len))
		return fail(FCAT_EUSAGE, "fsrv_jwt_verify: keys or token is NULL");
	if (len == 0)
		return fail(FCAT_EINVALID, "no token");
	if (len > FSRV_JWT_MAX_TOKEN)
		return fail(FCAT_EINVALID, "token is %zu bytes, over the %d-byte limit", len,
		            FSRV_JWT_MAX_TOKEN);

	if (fsrv_token_cache_get(keys->verified, token, len, now_seconds, out))
		return 0;
	unsigned char *buf = malloc(len);
	if (!buf)
		return oom();
	int rc = verify(out, keys, token, len, now_seconds, buf);
	free(buf);
	if (rc)
		fsrv_jwt_claims_free(out);
	else
		fsrv_token_cache_put(keys->verified, token, len, out);
	return rc;
}
