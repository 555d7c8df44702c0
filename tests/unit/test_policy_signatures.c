/* test_policy_signatures.c - signed policy sets: a signature made and
 * verified, unsigned sets failing closed, a tampered, added or removed file
 * named, and an altered signature or an untrusted key refused. */
#include "testutil.h"
#include "policy_fixture.h"

#include "policy/policy.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>

static void expect_in(const char *text, const char *part)
{
	if (!strstr(text, part))
		fail_msg("expected '%s' in:\n%s", part, text);
}

/* ---- signing ------------------------------------------------------------ */

typedef struct keys {
	char *dir;
	char priv[4096], pub[4096];
} keys;

static void write_keypair(const char *dir, const char *name, char *priv, char *pub)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	EVP_PKEY *key = NULL;
	assert_non_null(ctx);
	assert_int_equal(EVP_PKEY_keygen_init(ctx), 1);
	assert_int_equal(EVP_PKEY_keygen(ctx, &key), 1);
	snprintf(priv, 4096, "%s/%s.pem", dir, name);
	snprintf(pub, 4096, "%s/%s.pub.pem", dir, name);
	BIO *b = BIO_new_file(priv, "w");
	assert_int_equal(PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL), 1);
	BIO_free(b);
	b = BIO_new_file(pub, "w");
	assert_int_equal(PEM_write_bio_PUBKEY(b, key), 1);
	BIO_free(b);
	EVP_PKEY_free(key);
	EVP_PKEY_CTX_free(ctx);
}

static void keys_make(keys *k)
{
	k->dir = test_mkdtemp();
	write_keypair(k->dir, "platform", k->priv, k->pub);
}

static void keys_free(keys *k)
{
	test_dir_done(k->dir);
}

static const char *const SIGNED[] = {
    "policies/team.yaml", TEAM, "policies/pii.yaml", "roles: []\n", "policies/tests/team_test.yaml",
    TEAM_TESTS,           NULL};

static char *sign_pairs(const keys *k, const char *const *pairs)
{
	size_t n;
	fcat__def_file *f = files_of(&n, pairs);
	char *sig = NULL;
	int rc = fcat__policy_sign(&sig, f, n, k->priv);
	files_free(f, n);
	if (rc)
		fail_msg("signing failed: %s", fcat_error_last());
	return sig;
}

static int verify_pairs(const char *const *pairs, const char *sig, const char *trusted)
{
	size_t n;
	fcat__def_file *f = files_of(&n, pairs);
	int rc =
	    fcat__policy_verify(f, n, "policies/SIGNATURE", sig, sig ? strlen(sig) : 0, trusted);
	files_free(f, n);
	return rc;
}

static void test_policy__sign_and_verify_round_trip(void **state)
{
	(void)state;
	keys k;
	keys_make(&k);
	char *sig = sign_pairs(&k, SIGNED);
	expect_in(sig, "fcat policy signature 1\nkey ");
	/* sorted by path, one digest per file */
	const char *a = strstr(sig, " policies/pii.yaml\n");
	const char *b = strstr(sig, " policies/team.yaml\n");
	const char *c = strstr(sig, " policies/tests/team_test.yaml\n");
	assert_true(a && b && c && a < b && b < c);
	expect_in(sig, "\nsignature ");
	assert_int_equal(verify_pairs(SIGNED, sig, k.pub), 0);
	/* the order the files come in does not matter, nor does a SIGNATURE */
	const char *const reordered[] = {"policies/tests/team_test.yaml",
	                                 TEAM_TESTS,
	                                 "policies/SIGNATURE",
	                                 sig,
	                                 "policies/pii.yaml",
	                                 "roles: []\n",
	                                 "policies/team.yaml",
	                                 TEAM,
	                                 NULL};
	assert_int_equal(verify_pairs(reordered, sig, k.pub), 0);
	/* signing is deterministic (Ed25519) */
	char *again = sign_pairs(&k, reordered);
	assert_string_equal(sig, again);
	free(again);
	/* a trusted keys file may hold several keys */
	char other_priv[4096], other_pub[4096], both[4096];
	write_keypair(k.dir, "other", other_priv, other_pub);
	char *t1 = test_read_file(other_pub), *t2 = test_read_file(k.pub);
	size_t len = strlen(t1) + strlen(t2) + 1;
	char *joined = malloc(len);
	snprintf(joined, len, "%s%s", t1, t2);
	test_write_file(k.dir, "both.pem", joined);
	snprintf(both, sizeof both, "%s/both.pem", k.dir);
	assert_int_equal(verify_pairs(SIGNED, sig, both), 0);
	free(joined);
	free(t1);
	free(t2);
	free(sig);
	keys_free(&k);
}

static void test_policy__unsigned_policies_fail_closed(void **state)
{
	(void)state;
	keys k;
	keys_make(&k);
	assert_int_equal(verify_pairs(SIGNED, NULL, k.pub), FCAT_EDENIED);
	expect_in(fcat_error_last(), "the policies are not signed (no policies/SIGNATURE)");
	/* an empty or garbled signature file */
	assert_int_equal(verify_pairs(SIGNED, "", k.pub), FCAT_EDENIED);
	expect_in(fcat_error_last(), "policies/SIGNATURE is malformed (line 1)");
	assert_int_equal(verify_pairs(SIGNED, "fcat policy signature 1\nkey zz\n", k.pub),
	                 FCAT_EDENIED);
	expect_in(fcat_error_last(), "policies/SIGNATURE is malformed (line 2)");
	/* a missing or empty trusted keys file is an error, never a pass */
	char missing[4200];
	snprintf(missing, sizeof missing, "%s/nope.pem", k.dir);
	char *sig = sign_pairs(&k, SIGNED);
	assert_int_equal(verify_pairs(SIGNED, sig, missing), FCAT_ENOTFOUND);
	expect_in(fcat_error_last(), "nope.pem");
	test_write_file(k.dir, "empty.pem", "");
	snprintf(missing, sizeof missing, "%s/empty.pem", k.dir);
	assert_int_equal(verify_pairs(SIGNED, sig, missing), FCAT_EINVALID);
	expect_in(fcat_error_last(), "holds no Ed25519 PEM public key");
	/* signing with a public key, or a key that is not Ed25519, fails */
	size_t n;
	fcat__def_file *f = files_of(&n, SIGNED);
	char *none = NULL;
	assert_int_equal(fcat__policy_sign(&none, f, n, k.pub), FCAT_EINVALID);
	assert_null(none);
	files_free(f, n);
	free(sig);
	keys_free(&k);
}

static void test_policy__tampered_file_is_named(void **state)
{
	(void)state;
	keys k;
	keys_make(&k);
	char *sig = sign_pairs(&k, SIGNED);
	const char *const tampered[] = {
	    "policies/team.yaml",
	    TEAM,
	    "policies/pii.yaml",
	    "roles:\n  - { name: me, rules: [{ allow: ['*'], resources: ['*'] }] }\n",
	    "policies/tests/team_test.yaml",
	    TEAM_TESTS,
	    NULL};
	assert_int_equal(verify_pairs(tampered, sig, k.pub), FCAT_EDENIED);
	assert_string_equal(fcat_error_last(),
	                    "policies/pii.yaml changed since the policies were signed");
	free(sig);
	keys_free(&k);
}

static void test_policy__added_and_removed_files_are_named(void **state)
{
	(void)state;
	keys k;
	keys_make(&k);
	char *sig = sign_pairs(&k, SIGNED);
	const char *const changed[] = {"policies/team.yaml",
	                               TEAM,
	                               "policies/grant-me.yaml",
	                               "roles: []\n",
	                               "policies/tests/team_test.yaml",
	                               TEAM_TESTS,
	                               NULL};
	assert_int_equal(verify_pairs(changed, sig, k.pub), FCAT_EDENIED);
	assert_string_equal(fcat_error_last(),
	                    "policies/grant-me.yaml was added since the policies were signed\n"
	                    "policies/pii.yaml was removed since the policies were signed");
	free(sig);
	keys_free(&k);
}

static void test_policy__altered_signature_or_untrusted_key_is_refused(void **state)
{
	(void)state;
	keys k;
	keys_make(&k);
	char *sig = sign_pairs(&k, SIGNED);
	/* a digest edited to match a tampered file breaks the signature */
	char *edited = strdup(sig);
	char *line = strstr(edited, "\nfile ") + 6;
	*line = *line == '0' ? '1' : '0';
	assert_int_equal(verify_pairs(SIGNED, edited, k.pub), FCAT_EDENIED);
	expect_in(fcat_error_last(),
	          "policies/SIGNATURE: the signature does not match its content");
	free(edited);
	/* a set signed by someone else's key */
	char mine[4096], mine_pub[4096];
	write_keypair(k.dir, "author", mine, mine_pub);
	keys author = {.dir = k.dir};
	snprintf(author.priv, sizeof author.priv, "%s", mine);
	char *forged = sign_pairs(&author, SIGNED);
	assert_int_equal(verify_pairs(SIGNED, forged, mine_pub), 0);
	assert_int_equal(verify_pairs(SIGNED, forged, k.pub), FCAT_EDENIED);
	expect_in(fcat_error_last(), "which is not one of the 1 trusted keys in");
	free(forged);
	free(sig);
	keys_free(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_policy__sign_and_verify_round_trip),
	    cmocka_unit_test(test_policy__unsigned_policies_fail_closed),
	    cmocka_unit_test(test_policy__tampered_file_is_named),
	    cmocka_unit_test(test_policy__added_and_removed_files_are_named),
	    cmocka_unit_test(test_policy__altered_signature_or_untrusted_key_is_refused),
	};
	return cmocka_run_group_tests_name("policy_signatures", tests, NULL, NULL);
}
