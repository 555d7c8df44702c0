/* signature_check.c - checking a signed policy set against trusted public keys,
 * failing closed, and saying which file changed, was added or removed. */
#include "policy/digest.h"
#include "util/error.h"
#include "util/fs.h"
#include "values/base64.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>

#define HEADER "fcat policy signature 1"

typedef struct signed_file {
	const char *hex, *path;
} signed_file;

typedef struct sigfile {
	const char *text;  /* as given: what was signed */
	char *copy;        /* the text, split into lines in place */
	size_t signed_len; /* bytes covered by the signature */
	const char *key_hex;
	signed_file *files;
	size_t nfiles;
	unsigned char sig[64];
	size_t siglen;
} sigfile;

static bool is_hex64(const char *s)
{
	for (int i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[64] == '\0' || s[64] == ' ';
}

static int malformed(const char *sig_name, int line)
{
	return fcat__error(FCAT_EDENIED, "%s is malformed (line %d); sign the policies again",
	                   sig_name, line);
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const signed_file *)a)->path, ((const signed_file *)b)->path);
}

static int parse_sig(sigfile *s, const char *sig_name, const char *text, size_t len)
{
	if (memchr(text, '\0', len))
		return malformed(sig_name, 1);
	s->copy = malloc(len + 1);
	s->files = calloc(len / 70 + 1, sizeof *s->files); /* a file line is >= 71 bytes */
	if (!s->copy || !s->files)
		return fcat__error_oom();
	memcpy(s->copy, text, len);
	s->text = text;
	s->copy[len] = '\0';
	char *p = s->copy;
	int line = 0;
	bool done = false;
	while (*p) {
		line++;
		char *nl = strchr(p, '\n');
		if (!nl || done)
			return malformed(sig_name, line);
		*nl = '\0';
		size_t off = (size_t)(p - s->copy);
		if (line == 1) {
			if (strcmp(p, HEADER) != 0)
				return malformed(sig_name, line);
		} else if (line == 2) {
			if (strncmp(p, "key ", 4) != 0 || !is_hex64(p + 4) || p[68])
				return malformed(sig_name, line);
			s->key_hex = p + 4;
		} else if (strncmp(p, "file ", 5) == 0) {
			if (!is_hex64(p + 5) || p[69] != ' ' || !p[70])
				return malformed(sig_name, line);
			p[69] = '\0';
			s->files[s->nfiles++] = (signed_file){p + 5, p + 70};
		} else if (strncmp(p, "signature ", 10) == 0) {
			const char *b64 = p + 10;
			size_t n = strlen(b64);
			unsigned char tmp[128];
			size_t got;
			if (n > 100 || fcat__base64_decode(tmp, &got, b64, n) || got != 64)
				return malformed(sig_name, line);
			memcpy(s->sig, tmp, got);
			s->siglen = got;
			s->signed_len = off;
			done = true;
		} else {
			return malformed(sig_name, line);
		}
		p = nl + 1;
	}
	if (!done)
		return malformed(sig_name, line + 1);
	qsort(s->files, s->nfiles, sizeof *s->files, by_path);
	for (size_t i = 1; i < s->nfiles; i++)
		if (strcmp(s->files[i - 1].path, s->files[i].path) == 0)
			return fcat__error(FCAT_EDENIED, "%s names %s twice", sig_name,
			                   s->files[i].path);
	return 0;
}

/* The trusted key whose fingerprint is `want`, or NULL (*count: how many
 * Ed25519 keys the file holds). */
static int find_key(EVP_PKEY **out, size_t *count, const char *path, const char *want)
{
	*out = NULL;
	*count = 0;
	char *pem;
	size_t len;
	int rc = fcat__read_file(&pem, &len, path);
	if (rc)
		return fcat__error_wrap(rc, "policy.trusted_keys");
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio) {
		free(pem);
		return fcat__error_oom();
	}
	EVP_PKEY *key;
	while (!*out && (key = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL)) != NULL) {
		char fp[65];
		if (EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519) {
			++*count;
			if (fcat__policy_key_fingerprint(fp, key) == 0 && strcmp(fp, want) == 0) {
				*out = key;
				continue;
			}
		}
		EVP_PKEY_free(key);
	}
	ERR_clear_error();
	BIO_free(bio);
	free(pem);
	if (!*out && !*count)
		return fcat__error(FCAT_EINVALID,
		                   "policy.trusted_keys %s holds no Ed25519 PEM public key", path);
	return 0;
}

static int check_signature(const sigfile *s, const char *sig_name, const char *keys_path)
{
	EVP_PKEY *key;
	size_t count;
	int rc = find_key(&key, &count, keys_path, s->key_hex);
	if (rc)
		return rc;
	if (!key)
		return fcat__error(FCAT_EDENIED,
		                   "%s was signed by key %.16s..., which is not one of the %zu "
		                   "trusted keys in %s",
		                   sig_name, s->key_hex, count, keys_path);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) == 1 &&
	         EVP_DigestVerify(ctx, s->sig, s->siglen, (const unsigned char *)s->text,
	                          s->signed_len) == 1;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	ERR_clear_error();
	if (!ok)
		return fcat__error(FCAT_EDENIED,
		                   "%s: the signature does not match its content (the signature "
		                   "file was altered)",
		                   sig_name);
	return 0;
}

static void changed(fcat__buf *b, const char *path, const char *what)
{
	fcat__buf_printf(b, "%s %s since the policies were signed\n", path, what);
}

/* Compares the files with the signed list, both sorted by path. */
static int compare(const sigfile *s, const fcat__def_file *files, size_t n)
{
	const fcat__def_file **v;
	size_t m;
	int rc = fcat__policy_signed_files(&v, &m, files, n);
	if (rc)
		return rc;
	fcat__buf b = {0};
	size_t i = 0, k = 0;
	while (rc == 0 && (i < m || k < s->nfiles)) {
		int c = i == m ? 1 : k == s->nfiles ? -1 : strcmp(v[i]->path, s->files[k].path);
		if (c < 0) {
			changed(&b, v[i++]->path, "was added");
		} else if (c > 0) {
			changed(&b, s->files[k++].path, "was removed");
		} else {
			char h[65];
			rc = fcat__policy_sha256_hex(h, v[i]->text, v[i]->len);
			if (rc == 0 && strcmp(h, s->files[k].hex) != 0)
				changed(&b, v[i]->path, "changed");
			i++;
			k++;
		}
	}
	free(v);
	if (rc == 0 && b.oom)
		rc = fcat__error_oom();
	if (rc == 0 && b.len) {
		b.ptr[--b.len] = '\0';
		rc = fcat__error_set(FCAT_EDENIED, b.ptr);
	}
	fcat__buf_free(&b);
	return rc;
}

int fcat__policy_verify(const fcat__def_file *files, size_t n, const char *sig_name,
                        const char *sig_text, size_t sig_len, const char *trusted_keys_pem)
{
	if (!sig_name)
		sig_name = "policies/" FCAT__POLICY_SIGNATURE;
	if (!trusted_keys_pem)
		return fcat__error(FCAT_EUSAGE, "policy verification needs trusted keys");
	if (!sig_text)
		return fcat__error(FCAT_EDENIED,
		                   "the policies are not signed (no %s) but policy.trusted_keys "
		                   "requires signed policies",
		                   sig_name);
	sigfile s = {0};
	int rc = parse_sig(&s, sig_name, sig_text, sig_len);
	if (rc == 0)
		rc = check_signature(&s, sig_name, trusted_keys_pem);
	if (rc == 0)
		rc = compare(&s, files, n);
	free(s.copy);
	free(s.files);
	return rc;
}
