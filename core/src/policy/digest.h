/* digest.h - what signing and verifying policies share: SHA-256 in hex,
 * key fingerprints, the sorted list of signed files. */
#ifndef FCAT_POLICY_DIGEST_H
#define FCAT_POLICY_DIGEST_H

#include "policy/policy.h"

#include <openssl/evp.h>

/* 64 hex digits and a NUL. Returns 0 or FCAT_ERROR. */
int fcat__policy_sha256_hex(char out[65], const void *data, size_t len);

/* The SHA-256 of a key's DER SubjectPublicKeyInfo, in hex. */
int fcat__policy_key_fingerprint(char out[65], EVP_PKEY *key);

/* The files that are signed (all but SIGNATURE), sorted by path: a malloc'd
 * array of pointers into `files`. Returns 0, FCAT_EINVALID (a path given
 * twice, or empty, or holding a line break) or FCAT_ENOMEM. */
int fcat__policy_signed_files(const fcat__def_file ***out, size_t *count,
                              const fcat__def_file *files, size_t n);

/* The last OpenSSL error as text (for messages); never NULL. */
const char *fcat__policy_ssl_error(char *buf, size_t size);

#endif
