/* fuzz_policy.c - fuzzes the policy YAML and its signatures: a policy set
 * loaded from fuzzed files (fcat__policy_load: definitions, a test file,
 * names resolved across files), its test cases run, decisions taken and
 * explained, and the SIGNATURE text checked (fcat__policy_verify).
 *
 * Input: up to four parts cut at FUZZ_SEP: policies/a.yaml,
 * policies/b.yaml, policies/tests/a_test.yaml and policies/SIGNATURE. The
 * trusted key is an Ed25519 key made from a fixed seed, so a seed signed
 * with it (tests/fuzz/corpus/fuzz_policy) verifies.
 * Properties: no crash, UB or leak; a refused set is FCAT_EINVALID naming
 * a file; a decision is allow or deny; a fuzzed signature is accepted or
 * refused with FCAT_EDENIED, never anything else; the same files signed by
 * fcat__policy_sign always verify, and verify no longer once a file
 * changes. */
#include "fuzz_util.h"

#include "policy/policy.h"
#include "util/buf.h"

#include "fcat.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const paths[] = {"policies/a.yaml", "policies/b.yaml",
                                    "policies/tests/a_test.yaml"};
static const char *const resources[] = {
    "project", "view:user_features", "feature:user_features:lang", "service:app",
    "view:*",  "feature:v"};
static char private_pem[4096], public_pem[4096];

/* The key pair, from a fixed seed (a fuzzing key, nothing else). */
static void make_keys(void)
{
	static const unsigned char seed[32] = "fcat-fuzz-policy-signing-key-01";
	EVP_PKEY *key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, sizeof seed);
	fuzz_check(key != NULL, "no Ed25519 key");
	snprintf(private_pem, sizeof private_pem, "%s/private.pem", fuzz_dir());
	snprintf(public_pem, sizeof public_pem, "%s/public.pem", fuzz_dir());
	FILE *f = fopen(private_pem, "w");
	fuzz_check(f && PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) == 1,
	           "cannot write the private key");
	fclose(f);
	f = fopen(public_pem, "w");
	fuzz_check(f && PEM_write_PUBKEY(f, key) == 1, "cannot write the public key");
	fclose(f);
	EVP_PKEY_free(key);
}

static void decide_some(const fcat__policy *p)
{
	const fcat__tag tags[] = {{"pii", "true"}, {"tier", "1"}};
	size_t np = p->nprincipals < 4 ? p->nprincipals : 4;
	for (size_t i = 0; i <= np; i++) {
		/* every other caller also holds groups a token vouches for: the
		 * policy's first group and one it does not declare */
		const char *groups[2] = {p->ngroups ? p->groups[0].name : "none", "undeclared"};
		fcat__caller who = {i < np ? p->principals[i].name : "nobody", groups,
		                    i % 2 ? 2 : 0};
		for (size_t r = 0; r < sizeof resources / sizeof *resources; r++) {
			fcat__policy_action a = (fcat__policy_action)((i + r) % FCAT__PA_COUNT);
			fcat__policy_decision d;
			int rc = fcat__policy_decide(&d, p, &who, a, resources[r], tags, r % 3);
			if (rc != 0) {
				fuzz_check(rc == FCAT_EINVALID, "decide: %d", rc);
				continue;
			}
			fuzz_check(d.effect == FCAT__POLICY_ALLOW || d.effect == FCAT__POLICY_DENY,
			           "effect %d", (int)d.effect);
			int cached =
			    fcat__policy_allowed(p, &who, a, resources[r], tags, r % 3, NULL);
			fuzz_check(cached == (d.effect == FCAT__POLICY_ALLOW),
			           "the cached decision differs from the full one");
			fcat__buf b = {0};
			fcat__policy_explain_text(&b, &d);
			fcat__buf_free(&b);
			fcat__policy_decision_free(&d);
		}
	}
}

static void load_and_decide(const fcat__def_file *files, size_t n)
{
	fcat__policy *p = NULL;
	int rc = fcat__policy_load(&p, files, n);
	if (rc != 0) {
		fuzz_check(rc == FCAT_EINVALID || rc == FCAT_ENOMEM, "load: %d", rc);
		fuzz_check(rc != FCAT_EINVALID || strncmp(fcat_error_last(), "policies/", 9) == 0,
		           "the message names no file: %s", fcat_error_last());
		return;
	}
	fcat__buf report = {0};
	rc = fcat__policy_run_tests(&report, p);
	fuzz_check(rc >= 0 || rc == FCAT_ENOMEM || rc == FCAT_EINVALID, "run tests: %d", rc);
	fcat__buf_free(&report);
	decide_some(p);
	fcat__policy_free(p);
}

/* Only for inputs with a SIGNATURE part: reading a PEM key costs a
 * millisecond, ten times a whole policy load. */
static void check_signatures(fcat__def_file *files, size_t n, const fuzz_part *sig)
{
	int rc = fcat__policy_verify(files, n, NULL, sig->ptr, sig->len, public_pem);
	fuzz_check(rc == 0 || rc == FCAT_EDENIED || rc == FCAT_ENOMEM,
	           "verify of a fuzzed signature: %d (%s)", rc, fcat_error_last());
	char *text = NULL;
	rc = fcat__policy_sign(&text, files, n, private_pem);
	fuzz_check(rc == 0, "sign: %s", fcat_error_last());
	rc = fcat__policy_verify(files, n, NULL, text, strlen(text), public_pem);
	fuzz_check(rc == 0, "a fresh signature does not verify: %s", fcat_error_last());
	/* one more byte in the first file: that file changed */
	char *grown = fuzz_strndup(files[0].text, files[0].len + 1);
	grown[files[0].len] = '\n';
	char *was = files[0].text;
	files[0].text = grown;
	files[0].len++;
	rc = fcat__policy_verify(files, n, NULL, text, strlen(text), public_pem);
	fuzz_check(rc == FCAT_EDENIED && strstr(fcat_error_last(), "policies/a.yaml changed"),
	           "a changed file verifies: %d %s", rc, fcat_error_last());
	files[0].len--;
	files[0].text = was;
	free(grown);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!public_pem[0])
		make_keys();
	fuzz_part parts[4];
	size_t nparts = fuzz_split(parts, 4, data, size);
	fcat__def_file files[3];
	size_t n = nparts < 3 ? nparts : 3;
	for (size_t i = 0; i < n; i++)
		files[i] = (fcat__def_file){(char *)paths[i],
		                            fuzz_strndup(parts[i].ptr, parts[i].len), parts[i].len};
	load_and_decide(files, n);
	if (nparts == 4)
		check_signatures(files, n, &parts[3]);
	for (size_t i = 0; i < n; i++)
		free(files[i].text);
	return 0;
}
