/* test_jwt.c - the server's JWT verifier: HS256, RS256 and ES256 tokens
 * signed here with keys made here, every refusal with its message, the key
 * loader, and random mutations that must never be accepted or crash. */
#include "testutil.h"

#include "base64url.h"
#include "jwt.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOW INT64_C(1700000000)

static const char SECRET[] = "fcat-test-secret-0123456789-abcdefghijklmnop";

/* Keys made once for the whole run: no key material lives in the repo. */
static struct {
	char *dir;
	EVP_PKEY *rsa, *ec;
	char rsa_pub[512], ec_pub[512];
	char *rsa_pub_text; /* the RSA public PEM, the confusion attack's "secret" */
	fsrv_jwt_keys *hs, *rs, *es, *hs_rs;
} K;

static void write_pem(char *path, size_t cap, const char *name, EVP_PKEY *key, bool priv)
{
	snprintf(path, cap, "%s/%s", K.dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(priv ? PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL)
	                      : PEM_write_PUBKEY(f, key),
	                 1);
	fclose(f);
}

static fsrv_jwt_keys *load(const char *secret, const char *pem)
{
	fsrv_jwt_keys *k = NULL;
	int rc =
	    fsrv_jwt_keys_load(&k, (const unsigned char *)secret, secret ? strlen(secret) : 0, pem);
	if (rc)
		fail_msg("keys: %s", fsrv_jwt_error_last());
	return k;
}

static int setup(void **state)
{
	(void)state;
	K.dir = test_mkdtemp();
	K.rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	K.ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	assert_non_null(K.rsa);
	assert_non_null(K.ec);
	write_pem(K.rsa_pub, sizeof K.rsa_pub, "rsa.pub.pem", K.rsa, false);
	write_pem(K.ec_pub, sizeof K.ec_pub, "ec.pub.pem", K.ec, false);
	K.rsa_pub_text = test_read_file(K.rsa_pub);
	K.hs = load(SECRET, NULL);
	K.rs = load(NULL, K.rsa_pub);
	K.es = load(NULL, K.ec_pub);
	K.hs_rs = load(SECRET, K.rsa_pub);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fsrv_jwt_keys_free(K.hs);
	fsrv_jwt_keys_free(K.rs);
	fsrv_jwt_keys_free(K.es);
	fsrv_jwt_keys_free(K.hs_rs);
	EVP_PKEY_free(K.rsa);
	EVP_PKEY_free(K.ec);
	free(K.rsa_pub_text);
	test_dir_done(K.dir);
	return 0;
}

/* --- making tokens ---------------------------------------------------------- */

static void append_b64(char *out, const void *bytes, size_t n)
{
	fsrv_base64url_encode(out + strlen(out), bytes, n);
}

/* base64url(header) "." base64url(payload), malloc'd with room for a
 * signature. */
static char *signing_input(const char *header, const char *payload)
{
	char *t = calloc(1, 2 * (strlen(header) + strlen(payload)) + 1024);
	append_b64(t, header, strlen(header));
	strcat(t, ".");
	append_b64(t, payload, strlen(payload));
	return t;
}

static char *hs256(const char *header, const char *payload, const void *secret, size_t n)
{
	char *t = signing_input(header, payload);
	unsigned char mac[32];
	unsigned maclen = 0;
	assert_non_null(
	    HMAC(EVP_sha256(), secret, (int)n, (unsigned char *)t, strlen(t), mac, &maclen));
	strcat(t, ".");
	append_b64(t, mac, maclen);
	return t;
}

/* Signs with an RSA key (RS256) or an EC P-256 key (ES256, raw r||s). */
static char *pk_sign(const char *header, const char *payload, EVP_PKEY *key)
{
	char *t = signing_input(header, payload);
	unsigned char sig[512];
	size_t siglen = sizeof sig;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	assert_int_equal(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key), 1);
	assert_int_equal(EVP_DigestSign(ctx, sig, &siglen, (unsigned char *)t, strlen(t)), 1);
	EVP_MD_CTX_free(ctx);
	strcat(t, ".");
	if (EVP_PKEY_is_a(key, "EC")) {
		const unsigned char *p = sig;
		ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)siglen);
		assert_non_null(es);
		unsigned char raw[64];
		assert_int_equal(BN_bn2binpad(ECDSA_SIG_get0_r(es), raw, 32), 32);
		assert_int_equal(BN_bn2binpad(ECDSA_SIG_get0_s(es), raw + 32, 32), 32);
		ECDSA_SIG_free(es);
		append_b64(t, raw, 64);
	} else {
		append_b64(t, sig, siglen);
	}
	return t;
}

static char *hs(const char *payload)
{
	return hs256("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payload, SECRET, strlen(SECRET));
}

static char *rs(const char *payload)
{
	return pk_sign("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", payload, K.rsa);
}

static char *es(const char *payload)
{
	return pk_sign("{\"alg\":\"ES256\"}", payload, K.ec);
}

/* A claims set valid at NOW, with `extra` members appended. */
static char *claims(const char *extra)
{
	static char buf[8192];
	snprintf(buf, sizeof buf, "{\"sub\":\"alice\",\"exp\":%lld%s%s}", (long long)NOW + 600,
	         *extra ? "," : "", extra);
	return buf;
}

/* --- checking --------------------------------------------------------------- */

static void expect_in(const char *text, const char *part)
{
	if (!strstr(text, part))
		fail_msg("expected '%s' in: %s", part, text);
}

/* The token is refused with `text` in the message, which never holds the
 * secret, and `out` comes back empty. */
static void refused_at(const fsrv_jwt_keys *k, const char *token, size_t len, int64_t now,
                       const char *text)
{
	fsrv_jwt_claims c = {.sub = (char *)"stale"};
	int rc = fsrv_jwt_verify(&c, k, token, len, now);
	if (rc != FCAT_EINVALID)
		fail_msg("expected a refusal with '%s', got %d (%s)", text, rc,
		         rc ? fsrv_jwt_error_last() : c.sub);
	expect_in(fsrv_jwt_error_last(), text);
	assert_null(strstr(fsrv_jwt_error_last(), SECRET));
	assert_null(strstr(fsrv_jwt_error_last(), "BEGIN"));
	assert_null(c.sub);
	assert_null(c.groups);
}

static void refused(const fsrv_jwt_keys *k, const char *token, const char *text)
{
	refused_at(k, token, strlen(token), NOW, text);
}

/* Refuses and frees a malloc'd token. */
static void refused_free(const fsrv_jwt_keys *k, char *token, const char *text)
{
	refused(k, token, text);
	free(token);
}

static void accepted_at(const fsrv_jwt_keys *k, char *token, int64_t now, const char *sub)
{
	fsrv_jwt_claims c;
	if (fsrv_jwt_verify(&c, k, token, strlen(token), now))
		fail_msg("refused: %s", fsrv_jwt_error_last());
	assert_string_equal(c.sub, sub);
	fsrv_jwt_claims_free(&c);
	assert_null(c.sub);
	free(token);
}

/* --- tests ------------------------------------------------------------------ */

static void test_jwt__valid_tokens_of_each_alg_give_sub_and_groups(void **state)
{
	(void)state;
	const char *payload = claims("\"groups\":[\"serving\",\"data-science\"],\"iat\":1699999990,"
	                             "\"nbf\":1699999990,\"iss\":\"idp\",\"aud\":\"fcat\"");
	struct {
		const fsrv_jwt_keys *keys;
		char *token;
		const char *alg;
	} cases[] = {
	    {K.hs, hs(payload), "HS256"},    {K.rs, rs(payload), "RS256"},
	    {K.es, es(payload), "ES256"},    {K.hs_rs, hs(payload), "HS256"},
	    {K.hs_rs, rs(payload), "RS256"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		fsrv_jwt_claims c;
		if (fsrv_jwt_verify(&c, cases[i].keys, cases[i].token, strlen(cases[i].token), NOW))
			fail_msg("case %zu refused: %s", i, fsrv_jwt_error_last());
		assert_string_equal(c.sub, "alice");
		assert_string_equal(c.alg, cases[i].alg);
		assert_int_equal(c.exp, NOW + 600);
		assert_int_equal(c.ngroups, 2);
		assert_string_equal(c.groups[0], "serving");
		assert_string_equal(c.groups[1], "data-science");
		fsrv_jwt_claims_free(&c);
		fsrv_jwt_claims_free(&c); /* zeroed: a second free is harmless */
		free(cases[i].token);
	}
	/* no groups claim: none, and a header without typ */
	fsrv_jwt_claims c;
	char *t = hs256("{\"alg\":\"HS256\"}", claims(""), SECRET, strlen(SECRET));
	assert_int_equal(fsrv_jwt_verify(&c, K.hs, t, strlen(t), NOW), 0);
	assert_int_equal(c.ngroups, 0);
	assert_null(c.groups);
	fsrv_jwt_claims_free(&c);
	fsrv_jwt_claims_free(NULL);
	free(t);
}

static void test_jwt__malformed_structure_is_refused(void **state)
{
	(void)state;
	refused(K.hs, "", "no token");
	refused(K.hs, "abcdef", "token has 1 part separated by dots; a JWT has 3");
	refused(K.hs, "abc.def", "token has 2 parts");
	refused(K.hs, "a.b.c.d", "token has 4 parts");
	refused(K.hs, "....", "token has 5 parts");

	char *good = hs(claims(""));
	char *dot1 = strchr(good, '.'), *dot2 = strrchr(good, '.');
	char t[2048];
	/* a character outside the url alphabet in each part */
	snprintf(t, sizeof t, "%s", good);
	t[1] = '+';
	refused(K.hs, t, "token header is not base64url: bad character at offset 1");
	snprintf(t, sizeof t, "%s", good);
	t[dot1 - good + 3] = '/';
	refused(K.hs, t, "token payload is not base64url: bad character at offset 2");
	snprintf(t, sizeof t, "%s", good);
	t[dot2 - good + 1] = ' ';
	refused(K.hs, t, "token signature is not base64url: bad character at offset 0");
	/* padding, and a length no encoding has */
	snprintf(t, sizeof t, "%s=", good);
	refused(K.hs, t, "token signature is not base64url: bad character at offset 43");
	snprintf(t, sizeof t, "%sAA", good);
	refused(K.hs, t, "token signature is not base64url: 45 characters is no valid length");
	/* a second encoding of the same bytes: the unused low bits set */
	snprintf(t, sizeof t, "%s", good);
	char *last = t + strlen(t) - 1; /* 43 characters: 2 unused bits */
	const char *alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	int v = (int)(strchr(alpha, good[strlen(good) - 1]) - alpha);
	*last = alpha[v ^ 1];
	refused(K.hs, t, "token signature is not base64url: bad character at offset 42");
	free(good);
}

static void test_jwt__alg_none_is_refused(void **state)
{
	(void)state;
	char *t = signing_input("{\"alg\":\"none\",\"typ\":\"JWT\"}", claims(""));
	strcat(t, ".");
	refused(K.hs, t, "token alg none is refused: unsigned tokens are never accepted");
	refused(K.rs, t, "token alg none is refused");
	refused(K.hs_rs, t, "token alg none is refused");
	free(t);
	t = signing_input("{\"alg\":\"NoNe\"}", claims(""));
	strcat(t, ".c2ln");
	refused(K.es, t, "token alg none is refused");
	free(t);
	/* and a header with no alg at all, or an odd one */
	refused_free(K.hs, hs256("{\"typ\":\"JWT\"}", claims(""), SECRET, strlen(SECRET)),
	             "token header has no alg");
	refused_free(K.hs, hs256("{\"alg\":256}", claims(""), SECRET, strlen(SECRET)),
	             "token header alg is not a string");
	refused_free(K.hs, hs256("{\"alg\":\"HS512\"}", claims(""), SECRET, strlen(SECRET)),
	             "token alg \"HS512\" is not supported (HS256, RS256 and ES256 are)");
	refused_free(K.hs, hs256("{\"alg\":\"hs256\"}", claims(""), SECRET, strlen(SECRET)),
	             "token alg \"hs256\" is not supported");
}

static void test_jwt__alg_must_match_the_configured_key(void **state)
{
	(void)state;
	/* the confusion attack: HS256 with the RSA public key's PEM as the secret */
	const char *h = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
	char *forged = hs256(h, claims(""), K.rsa_pub_text, strlen(K.rsa_pub_text));
	refused(K.rs, forged,
	        "token alg HS256 is refused: no HS256 secret is configured, only an RS256 public "
	        "key");
	/* with a secret configured too, it is checked against the secret only */
	refused(K.hs_rs, forged, "token signature does not verify (HS256)");
	free(forged);
	refused_free(K.es, hs(claims("")), "only an ES256 public key");

	refused_free(K.es, rs(claims("")),
	             "token alg RS256 is refused: the configured public key is for ES256");
	refused_free(K.rs, es(claims("")),
	             "token alg ES256 is refused: the configured public key is for RS256");
	refused_free(K.hs, rs(claims("")),
	             "token alg RS256 is refused: no public key is configured, only an HS256 "
	             "secret");
	refused_free(K.hs, es(claims("")), "token alg ES256 is refused: no public key");
	/* an ES256 token whose header claims RS256 */
	refused_free(K.rs, pk_sign("{\"alg\":\"RS256\"}", claims(""), K.ec),
	             "token signature is 64 bytes; this RS256 key makes 256");
}

static void test_jwt__header_typ_and_crit_are_checked(void **state)
{
	(void)state;
	accepted_at(
	    K.hs, hs256("{\"alg\":\"HS256\",\"typ\":\"jwt\"}", claims(""), SECRET, strlen(SECRET)),
	    NOW, "alice");
	refused_free(
	    K.hs,
	    hs256("{\"alg\":\"HS256\",\"typ\":\"JOSE+JSON\"}", claims(""), SECRET, strlen(SECRET)),
	    "token header typ is not JWT");
	refused_free(K.hs,
	             hs256("{\"alg\":\"HS256\",\"typ\":1}", claims(""), SECRET, strlen(SECRET)),
	             "token header typ is not JWT");
	refused_free(K.hs,
	             hs256("{\"alg\":\"HS256\",\"crit\":[\"b64\"],\"b64\":false}", claims(""),
	                   SECRET, strlen(SECRET)),
	             "token header lists critical extensions (crit)");
}

/* Flips one bit of the decoded part `part` (0 header, 1 payload, 2 signature)
 * and re-encodes it. */
static char *flip_bit(const char *token, int part, size_t bit)
{
	const char *start = token;
	for (int i = 0; i < part; i++)
		start = strchr(start, '.') + 1;
	const char *end = strchr(start, '.');
	size_t n = end ? (size_t)(end - start) : strlen(start);
	unsigned char bytes[1024];
	size_t blen, bad;
	assert_int_equal(fsrv_base64url_decode(bytes, &blen, &bad, start, n), 0);
	bytes[(bit / 8) % blen] ^= (unsigned char)(1u << (bit % 8));
	char *t = calloc(1, strlen(token) + 8);
	memcpy(t, token, (size_t)(start - token));
	append_b64(t, bytes, blen);
	if (end)
		strcat(t, end);
	return t;
}

static void test_jwt__one_flipped_bit_breaks_the_signature(void **state)
{
	(void)state;
	struct {
		const fsrv_jwt_keys *keys;
		char *token;
		const char *msg;
	} cases[] = {
	    {K.hs, hs(claims("")), "token signature does not verify (HS256)"},
	    {K.rs, rs(claims("")), "token signature does not verify (RS256)"},
	    {K.es, es(claims("")), "token signature does not verify (ES256)"},
	};
	for (size_t i = 0; i < 3; i++) {
		for (size_t bit = 0; bit < 64; bit += 13) {
			refused_free(cases[i].keys, flip_bit(cases[i].token, 2, bit), cases[i].msg);
		}
		/* "alice" -> "amice": the claims changed under the signature */
		refused_free(cases[i].keys, flip_bit(cases[i].token, 1, 8 * 9), cases[i].msg);
		free(cases[i].token);
	}
	/* an ES256 signature of zeros, and of all-ones (r, s >= n) */
	char *t = signing_input("{\"alg\":\"ES256\"}", claims(""));
	unsigned char raw[64];
	memset(raw, 0, sizeof raw);
	strcat(t, ".");
	char *sig = t + strlen(t);
	append_b64(t, raw, 64);
	refused(K.es, t, "token signature does not verify (ES256)");
	*sig = '\0';
	memset(raw, 0xff, sizeof raw);
	append_b64(t, raw, 64);
	refused(K.es, t, "token signature does not verify (ES256)");
	*sig = '\0';
	append_b64(t, raw, 63);
	refused(K.es, t, "token signature is 63 bytes; ES256 has 64");
	free(t);
	t = signing_input("{\"alg\":\"HS256\"}", claims(""));
	strcat(t, ".AAAA");
	refused(K.hs, t, "token signature is 3 bytes; HS256 has 32");
	free(t);
}

static void test_jwt__expiry_nbf_and_iat_are_checked_with_leeway(void **state)
{
	(void)state;
	char p[256];
	snprintf(p, sizeof p, "{\"sub\":\"bob\",\"exp\":%lld}", (long long)NOW - 61);
	refused_free(K.hs, hs(p), "token expired at 1699999939 (now 1700000000, leeway 60 s)");
	refused_free(K.es, es(p), "token expired at");
	snprintf(p, sizeof p, "{\"sub\":\"bob\",\"exp\":%lld}", (long long)NOW - 60);
	refused_free(K.hs, hs(p), "token expired");
	snprintf(p, sizeof p, "{\"sub\":\"bob\",\"exp\":%lld}", (long long)NOW - 59);
	accepted_at(K.hs, hs(p), NOW, "bob"); /* within the leeway */
	accepted_at(K.rs, rs("{\"sub\":\"bob\",\"exp\":1700000100.75}"), NOW, "bob");
	refused_free(K.hs, hs("{\"sub\":\"bob\",\"exp\":-9223372036854775808}"), "token expired");

	snprintf(p, sizeof p, "{\"sub\":\"bob\",\"exp\":%lld,\"nbf\":%lld}", (long long)NOW + 7200,
	         (long long)NOW + 3600);
	refused_free(K.hs, hs(p), "token is not valid before 1700003600 (nbf; now 1700000000");
	snprintf(p, sizeof p, "{\"sub\":\"bob\",\"exp\":%lld,\"nbf\":%lld}", (long long)NOW + 7200,
	         (long long)NOW + 60);
	accepted_at(K.hs, hs(p), NOW, "bob");
	snprintf(p, sizeof p, "{\"sub\":\"bob\",\"exp\":%lld,\"iat\":%lld}", (long long)NOW + 7200,
	         (long long)NOW + 61);
	refused_free(K.hs, hs(p), "token was issued in the future (iat 1700000061");
	snprintf(p, sizeof p, "{\"sub\":\"bob\",\"exp\":%lld,\"iat\":9223372036854775807}",
	         (long long)NOW + 7200);
	refused_free(K.hs, hs(p), "token was issued in the future");

	/* the same token, later */
	char *t = hs(claims(""));
	refused_at(K.hs, t, strlen(t), NOW + 660, "token expired");
	free(t);
}

static void test_jwt__a_verified_token_is_remembered_and_its_times_still_checked(void **state)
{
	(void)state;
	char p[256];
	snprintf(p, sizeof p,
	         "{\"sub\":\"carol\",\"groups\":[\"serving\"],\"exp\":%lld,\"nbf\":%lld}",
	         (long long)NOW + 600, (long long)NOW + 30);
	char *t = hs(p);
	for (int i = 0; i < 3; i++) { /* the first verifies, the next come from the cache */
		fsrv_jwt_claims c;
		if (fsrv_jwt_verify(&c, K.hs, t, strlen(t), NOW))
			fail_msg("refused: %s", fsrv_jwt_error_last());
		assert_string_equal(c.sub, "carol");
		assert_string_equal(c.alg, "HS256");
		assert_int_equal(c.exp, NOW + 600);
		assert_int_equal(c.ngroups, 1);
		assert_string_equal(c.groups[0], "serving");
		fsrv_jwt_claims_free(&c);
	}
	/* a remembered token answers for its own bytes only */
	refused_free(K.hs, flip_bit(t, 2, 5), "token signature does not verify (HS256)");
	refused_free(K.hs, flip_bit(t, 1, 8 * 9), "token signature does not verify (HS256)");
	/* and its times are checked on every use */
	refused_at(K.hs, t, strlen(t), NOW + 660, "token expired");
	refused_at(K.hs, t, strlen(t), NOW - 100, "token is not valid before");
	fsrv_jwt_claims c;
	assert_int_equal(fsrv_jwt_verify(&c, K.hs, t, strlen(t), NOW), 0);
	fsrv_jwt_claims_free(&c);
	/* the same bytes under other keys are verified by those keys */
	refused(K.rs, t, "HS256");
	free(t);
}

static void test_jwt__claims_must_be_well_typed(void **state)
{
	(void)state;
	refused_free(K.hs, hs("{\"sub\":\"alice\"}"),
	             "token has no exp claim; tokens without expiry are refused");
	refused_free(K.hs, hs("{\"sub\":\"alice\",\"exp\":\"1700000600\"}"),
	             "token claim exp is not a number");
	refused_free(K.hs, hs("{\"sub\":\"alice\",\"exp\":true}"),
	             "token claim exp is not a number");
	refused_free(K.hs, hs("{\"sub\":\"alice\",\"exp\":1e300}"),
	             "token claim exp is out of range");
	refused_free(K.hs, hs(claims("\"nbf\":null")), "token claim nbf is not a number");
	refused_free(K.hs, hs(claims("\"iat\":[1]")), "token claim iat is not a number");

	refused_free(K.hs, hs("{\"exp\":1700000600}"), "token has no sub claim (the principal)");
	refused_free(K.rs, rs("{\"sub\":42,\"exp\":1700000600}"),
	             "token claim sub is not a string");
	refused_free(K.hs, hs("{\"sub\":\"\",\"exp\":1700000600}"), "token claim sub is empty");
	refused_free(K.hs, hs("{\"sub\":\"al\\nice\",\"exp\":1700000600}"),
	             "token claim sub holds a control character");
	refused_free(K.hs, hs("{\"sub\":\"al\\u0000ice\",\"exp\":1700000600}"),
	             "token payload is not valid JSON");
	char p[1024], name[300];
	memset(name, 'x', 257);
	name[257] = '\0';
	snprintf(p, sizeof p, "{\"sub\":\"%s\",\"exp\":1700000600}", name);
	refused_free(K.hs, hs(p), "token claim sub is 257 bytes, over the 256-byte limit");
	/* a second sub must not override the first */
	refused_free(K.hs, hs("{\"sub\":\"alice\",\"exp\":1700000600,\"sub\":\"root\"}"),
	             "token payload is not valid JSON");

	refused_free(K.hs, hs(claims("\"groups\":\"serving\"")),
	             "token claim groups is not an array of strings");
	refused_free(K.hs, hs(claims("\"groups\":[\"serving\",7]")),
	             "token claim groups[1] is not a string");
	refused_free(K.hs, hs(claims("\"groups\":[\"\"]")), "token claim groups[0] is empty");
	char groups[1024] = "\"groups\":[";
	for (int i = 0; i < 65; i++)
		strcat(groups, i ? ",\"g\"" : "\"g\"");
	strcat(groups, "]");
	refused_free(K.hs, hs(claims(groups)),
	             "token claim groups has 65 entries, over the limit of 64");
	char *comma = strrchr(groups, ',');
	comma[0] = ']';
	comma[1] = '\0';
	fsrv_jwt_claims c;
	char *t = hs(claims(groups));
	assert_int_equal(fsrv_jwt_verify(&c, K.hs, t, strlen(t), NOW), 0);
	assert_int_equal(c.ngroups, 64);
	fsrv_jwt_claims_free(&c);
	free(t);
}

static void test_jwt__garbage_json_and_oversized_tokens_are_refused(void **state)
{
	(void)state;
	refused_free(K.hs, hs256("{not json", claims(""), SECRET, strlen(SECRET)),
	             "token header is not valid JSON (at byte");
	refused_free(K.hs, hs256("[\"HS256\"]", claims(""), SECRET, strlen(SECRET)),
	             "token header is not a JSON object");
	refused_free(K.hs, hs256("", claims(""), SECRET, strlen(SECRET)),
	             "token header is not valid JSON");
	refused_free(
	    K.hs, hs256("{\"alg\":\"HS256\",\"alg\":\"none\"}", claims(""), SECRET, strlen(SECRET)),
	    "token header is not valid JSON");
	refused_free(K.hs, hs("{\"sub\":\"alice\",\"exp\":"), "token payload is not valid JSON");
	refused_free(K.es, es("[\"alice\"]"), "token payload is not a JSON object");
	refused_free(K.hs, hs("\xff\xfe{}"), "token payload is not valid JSON");

	/* 8193 bytes, and a signed token just as long */
	char *big = malloc(FSRV_JWT_MAX_TOKEN + 2);
	memset(big, 'A', FSRV_JWT_MAX_TOKEN + 1);
	big[FSRV_JWT_MAX_TOKEN + 1] = '\0';
	refused(K.hs, big, "token is 8193 bytes, over the 8192-byte limit");
	free(big);
	char pad[6200];
	memset(pad, 'p', sizeof pad - 1);
	pad[sizeof pad - 1] = '\0';
	char extra[6300];
	snprintf(extra, sizeof extra, "\"pad\":\"%s\"", pad);
	char *t = hs(claims(extra));
	assert_true(strlen(t) > FSRV_JWT_MAX_TOKEN);
	refused(K.hs, t, "over the 8192-byte limit");
	free(t);

	/* NULL arguments are a usage error, not a crash */
	fsrv_jwt_claims c;
	assert_int_equal(fsrv_jwt_verify(&c, NULL, "a.b.c", 5, NOW), FCAT_EUSAGE);
	assert_int_equal(fsrv_jwt_verify(&c, K.hs, NULL, 5, NOW), FCAT_EUSAGE);
	assert_int_equal(fsrv_jwt_verify(NULL, K.hs, "a.b.c", 5, NOW), FCAT_EUSAGE);
	refused_at(K.hs, NULL, 0, NOW, "no token");
}

static void test_jwt__key_loading_names_the_file_and_the_problem(void **state)
{
	(void)state;
	fsrv_jwt_keys *k = (fsrv_jwt_keys *)1;
	char path[600];

	assert_int_equal(fsrv_jwt_keys_load(&k, (const unsigned char *)SECRET, 31, NULL),
	                 FCAT_EINVALID);
	assert_null(k);
	expect_in(fsrv_jwt_error_last(), "the HS256 secret is 31 bytes; at least 32 are required");
	assert_null(strstr(fsrv_jwt_error_last(), "fcat-test"));
	assert_int_equal(fsrv_jwt_keys_load(&k, (const unsigned char *)SECRET, 32, NULL), 0);
	fsrv_jwt_keys_free(k);
	fsrv_jwt_keys_free(NULL);

	assert_int_equal(fsrv_jwt_keys_load(&k, NULL, 0, NULL), FCAT_EINVALID);
	expect_in(fsrv_jwt_error_last(), "no JWT key is configured");

	snprintf(path, sizeof path, "%s/absent.pem", K.dir);
	assert_int_equal(fsrv_jwt_keys_load(&k, NULL, 0, path), FCAT_EIO);
	expect_in(fsrv_jwt_error_last(), "cannot read the JWT public key file");
	expect_in(fsrv_jwt_error_last(), "absent.pem: No such file or directory");

	test_write_file(K.dir, "garbage.pem", "-----BEGIN PUBLIC KEY-----\nnot base64\n");
	snprintf(path, sizeof path, "%s/garbage.pem", K.dir);
	assert_int_equal(fsrv_jwt_keys_load(&k, NULL, 0, path), FCAT_EINVALID);
	expect_in(fsrv_jwt_error_last(), "garbage.pem is not a PEM public key");
	test_write_file(K.dir, "empty.pem", "");
	snprintf(path, sizeof path, "%s/empty.pem", K.dir);
	assert_int_equal(fsrv_jwt_keys_load(&k, NULL, 0, path), FCAT_EINVALID);
	expect_in(fsrv_jwt_error_last(), "empty.pem is not a PEM public key");

	write_pem(path, sizeof path, "rsa.key.pem", K.rsa, true);
	assert_int_equal(fsrv_jwt_keys_load(&k, NULL, 0, path), FCAT_EINVALID);
	expect_in(fsrv_jwt_error_last(), "rsa.key.pem holds a private key");
	assert_null(strstr(fsrv_jwt_error_last(), "BEGIN"));

	EVP_PKEY *small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	write_pem(path, sizeof path, "rsa1024.pub.pem", small, false);
	EVP_PKEY_free(small);
	assert_int_equal(fsrv_jwt_keys_load(&k, NULL, 0, path), FCAT_EINVALID);
	expect_in(fsrv_jwt_error_last(),
	          "rsa1024.pub.pem is a 1024-bit RSA key; RS256 needs at least 2048 bits");

	EVP_PKEY *p384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	write_pem(path, sizeof path, "p384.pub.pem", p384, false);
	EVP_PKEY_free(p384);
	assert_int_equal(fsrv_jwt_keys_load(&k, NULL, 0, path), FCAT_EINVALID);
	expect_in(fsrv_jwt_error_last(),
	          "p384.pub.pem is an EC key on curve secp384r1; ES256 needs P-256");

	EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	write_pem(path, sizeof path, "ed.pub.pem", ed, false);
	EVP_PKEY_free(ed);
	assert_int_equal(fsrv_jwt_keys_load(&k, NULL, 0, path), FCAT_EINVALID);
	expect_in(fsrv_jwt_error_last(), "ed.pub.pem is of type ED25519; only RSA (RS256) and EC");
	assert_null(k);
}

/* xorshift64*: a fixed sequence, so a failure reproduces. */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint64_t rnd(uint64_t n)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (rng_state * 0x2545f4914f6cdd1du) % n;
}

/* One random edit of `t` (of *len bytes, room for cap). */
static void mutate(char *t, size_t *len, size_t cap)
{
	static const char pick[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \0\xff";
	size_t n = *len;
	size_t at = n ? rnd(n) : 0;
	switch (rnd(7)) {
	case 0: /* flip a bit */
		if (n)
			t[at] ^= (char)(1u << rnd(8));
		break;
	case 1: /* replace a character */
		if (n)
			t[at] = pick[rnd(sizeof pick - 1)];
		break;
	case 2: /* delete one */
		if (n) {
			memmove(t + at, t + at + 1, n - at - 1);
			*len = n - 1;
		}
		break;
	case 3: /* insert one */
		if (n + 1 < cap) {
			memmove(t + at + 1, t + at, n - at);
			t[at] = pick[rnd(sizeof pick - 1)];
			*len = n + 1;
		}
		break;
	case 4: /* truncate */ *len = at; break;
	case 5: /* swap two characters */
		if (n) {
			size_t b = rnd(n);
			char c = t[at];
			t[at] = t[b];
			t[b] = c;
		}
		break;
	default: /* repeat a run */
		if (n) {
			size_t run = 1 + rnd(16);
			if (at + run > n)
				run = n - at;
			if (n + run < cap) {
				memmove(t + at + run, t + at, n - at);
				*len = n + run;
			}
		}
		break;
	}
}

static void test_jwt__random_mutations_are_refused_without_a_crash(void **state)
{
	(void)state;
	struct {
		const fsrv_jwt_keys *keys;
		char *token;
	} bases[] = {
	    {K.hs_rs, hs(claims("\"groups\":[\"a\",\"b\"]"))},
	    {K.hs_rs, rs(claims("\"groups\":[\"a\"]"))},
	    {K.es, es(claims(""))},
	};
	char t[4096];
	size_t refusals = 0, bad_signatures = 0;
	for (int i = 0; i < 10000; i++) {
		const char *base = bases[i % 3].token;
		size_t len = strlen(base);
		memcpy(t, base, len);
		for (uint64_t edits = 1 + rnd(3); edits; edits--)
			mutate(t, &len, sizeof t);
		fsrv_jwt_claims c;
		int rc = fsrv_jwt_verify(&c, bases[i % 3].keys, t, len, NOW);
		if (len == strlen(base) && memcmp(t, base, len) == 0) {
			assert_int_equal(rc, 0); /* the edits cancelled out */
			assert_string_equal(c.sub, "alice");
			fsrv_jwt_claims_free(&c);
			continue;
		}
		if (rc != FCAT_EINVALID)
			fail_msg("mutation %d: rc %d for %.*s", i, rc, (int)len, t);
		assert_true(strlen(fsrv_jwt_error_last()) > 0);
		assert_null(c.sub);
		refusals++;
		if (strstr(fsrv_jwt_error_last(), "does not verify"))
			bad_signatures++;
	}
	/* most edits break the encoding; enough reach the signature check */
	assert_true(refusals > 9000);
	assert_true(bad_signatures > 1000);
	/* and plain noise of any length */
	for (int i = 0; i < 2000; i++) {
		size_t len = rnd(sizeof t);
		for (size_t j = 0; j < len; j++)
			t[j] = (char)rnd(256);
		fsrv_jwt_claims c;
		assert_int_equal(fsrv_jwt_verify(&c, K.hs_rs, t, len, NOW), FCAT_EINVALID);
	}
	for (size_t i = 0; i < 3; i++)
		free(bases[i].token);
}

/* Several threads verify with the same keys at once (the server's pool). */
static void *verify_many(void *arg)
{
	char **tokens = arg;
	for (int i = 0; i < 200; i++) {
		const fsrv_jwt_keys *keys[] = {K.hs_rs, K.hs_rs, K.es};
		fsrv_jwt_claims c;
		if (fsrv_jwt_verify(&c, keys[i % 3], tokens[i % 3], strlen(tokens[i % 3]), NOW))
			return (void *)1;
		fsrv_jwt_claims_free(&c);
	}
	return NULL;
}

static void test_jwt__keys_are_shared_by_threads(void **state)
{
	(void)state;
	char *tokens[] = {hs(claims("")), rs(claims("")), es(claims(""))};
	pthread_t th[4];
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, verify_many, tokens), 0);
	for (int i = 0; i < 4; i++) {
		void *rc;
		pthread_join(th[i], &rc);
		assert_null(rc);
	}
	for (int i = 0; i < 3; i++)
		free(tokens[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_jwt__valid_tokens_of_each_alg_give_sub_and_groups),
	    cmocka_unit_test(test_jwt__malformed_structure_is_refused),
	    cmocka_unit_test(test_jwt__alg_none_is_refused),
	    cmocka_unit_test(test_jwt__alg_must_match_the_configured_key),
	    cmocka_unit_test(test_jwt__header_typ_and_crit_are_checked),
	    cmocka_unit_test(test_jwt__one_flipped_bit_breaks_the_signature),
	    cmocka_unit_test(test_jwt__expiry_nbf_and_iat_are_checked_with_leeway),
	    cmocka_unit_test(test_jwt__a_verified_token_is_remembered_and_its_times_still_checked),
	    cmocka_unit_test(test_jwt__claims_must_be_well_typed),
	    cmocka_unit_test(test_jwt__garbage_json_and_oversized_tokens_are_refused),
	    cmocka_unit_test(test_jwt__key_loading_names_the_file_and_the_problem),
	    cmocka_unit_test(test_jwt__random_mutations_are_refused_without_a_crash),
	    cmocka_unit_test(test_jwt__keys_are_shared_by_threads),
	};
	return cmocka_run_group_tests_name("jwt", tests, setup, teardown);
}
