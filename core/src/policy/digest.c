/* digest.c - the canonical form a policy set is signed under: the sorted
 * list of its files with the SHA-256 of each, and the signer's key. */
#include "policy/digest.h"
#include "util/error.h"

#include <openssl/err.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void hex(char *out, const unsigned char *d, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[2 * n] = '\0';
}

int fcat__policy_sha256_hex(char out[65], const void *data, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	if (!EVP_Digest(data ? data : "", len, md, &n, EVP_sha256(), NULL) || n != 32)
		return fcat__error(FCAT_ERROR, "SHA-256 failed");
	hex(out, md, 32);
	return 0;
}

int fcat__policy_key_fingerprint(char out[65], EVP_PKEY *key)
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(key, &der);
	if (n <= 0)
		return fcat__error(FCAT_ERROR, "cannot encode the public key");
	int rc = fcat__policy_sha256_hex(out, der, (size_t)n);
	OPENSSL_free(der);
	return rc;
}

const char *fcat__policy_ssl_error(char *buf, size_t size)
{
	unsigned long e = ERR_get_error();
	if (!e) {
		snprintf(buf, size, "no detail");
		return buf;
	}
	ERR_error_string_n(e, buf, size);
	ERR_clear_error();
	return buf;
}

static int by_path(const void *a, const void *b)
{
	const fcat__def_file *x = *(const fcat__def_file *const *)a;
	const fcat__def_file *y = *(const fcat__def_file *const *)b;
	return strcmp(x->path, y->path);
}

int fcat__policy_signed_files(const fcat__def_file ***out, size_t *count,
                              const fcat__def_file *files, size_t n)
{
	*out = NULL;
	*count = 0;
	const fcat__def_file **v = malloc((n + 1) * sizeof *v);
	if (!v)
		return fcat__error_oom();
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (!files[i].path || !*files[i].path || strpbrk(files[i].path, "\r\n")) {
			free(v);
			return fcat__error(FCAT_EINVALID, "policy file path '%s' cannot be signed",
			                   files[i].path ? files[i].path : "");
		}
		if (fcat__policy_file_kind_of(files[i].path) != FCAT__PF_SIGNATURE)
			v[m++] = &files[i];
	}
	qsort(v, m, sizeof *v, by_path);
	for (size_t i = 1; i < m; i++) {
		if (strcmp(v[i - 1]->path, v[i]->path) == 0) {
			int rc =
			    fcat__error(FCAT_EINVALID, "policy file %s is given twice", v[i]->path);
			free(v);
			return rc;
		}
	}
	*out = v;
	*count = m;
	return 0;
}

int fcat__policy_manifest(fcat__buf *out, const fcat__def_file *files, size_t n,
                          const char *key_hex)
{
	const fcat__def_file **v;
	size_t m;
	int rc = fcat__policy_signed_files(&v, &m, files, n);
	if (rc)
		return rc;
	fcat__buf_printf(out, "fcat policy signature 1\nkey %s\n", key_hex);
	for (size_t i = 0; rc == 0 && i < m; i++) {
		char h[65];
		rc = fcat__policy_sha256_hex(h, v[i]->text, v[i]->len);
		if (rc == 0)
			fcat__buf_printf(out, "file %s %s\n", h, v[i]->path);
	}
	free(v);
	if (rc == 0 && out->oom)
		rc = fcat__error_oom();
	return rc;
}
