/* signature_make.c - signing the policy set: its manifest signed with an Ed25519
 * private key (PEM) through OpenSSL, as the text of policies/SIGNATURE. */
#include "policy/digest.h"
#include "util/error.h"
#include "util/fs.h"
#include "values/base64.h"

#include <openssl/objects.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>

/* Never prompt for a pass phrase: an encrypted key simply fails to load. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return 0;
}

static int load_private_key(EVP_PKEY **out, const char *path)
{
	*out = NULL;
	char *pem;
	size_t len;
	int rc = fcat__read_file(&pem, &len, path);
	if (rc)
		return rc;
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	EVP_PKEY *key = bio ? PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL) : NULL;
	BIO_free(bio);
	free(pem);
	char why[256];
	if (!key)
		return fcat__error(FCAT_EINVALID, "%s: not a PEM private key (%s)", path,
		                   fcat__policy_ssl_error(why, sizeof why));
	int id = EVP_PKEY_get_base_id(key);
	if (id != EVP_PKEY_ED25519) {
		EVP_PKEY_free(key);
		return fcat__error(FCAT_EINVALID,
		                   "%s: policies are signed with an Ed25519 key, not %s", path,
		                   OBJ_nid2sn(id));
	}
	*out = key;
	return 0;
}

static int sign_text(fcat__buf *b, EVP_PKEY *key)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char sig[64];
	size_t siglen = sizeof sig;
	char why[256];
	int ok = ctx && EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) == 1 &&
	         EVP_DigestSign(ctx, sig, &siglen, (const unsigned char *)b->ptr, b->len) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return fcat__error(FCAT_ERROR, "signing the policies failed (%s)",
		                   fcat__policy_ssl_error(why, sizeof why));
	char text[128];
	size_t n = fcat__base64_encoded_len(siglen);
	fcat__base64_encode(text, sig, siglen);
	text[n] = '\0';
	fcat__buf_printf(b, "signature %s\n", text);
	return b->oom ? fcat__error_oom() : 0;
}

int fcat__policy_sign(char **out, const fcat__def_file *files, size_t n,
                      const char *private_key_pem)
{
	*out = NULL;
	EVP_PKEY *key;
	int rc = load_private_key(&key, private_key_pem);
	if (rc)
		return rc;
	char fp[65];
	fcat__buf b = {0};
	rc = fcat__policy_key_fingerprint(fp, key);
	if (rc == 0)
		rc = fcat__policy_manifest(&b, files, n, fp);
	if (rc == 0)
		rc = sign_text(&b, key);
	EVP_PKEY_free(key);
	if (rc) {
		fcat__buf_free(&b);
		return rc;
	}
	*out = fcat__buf_detach(&b);
	return *out ? 0 : fcat__error_oom();
}
