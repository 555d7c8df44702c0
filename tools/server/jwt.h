/* jwt.h - verifies the Bearer JWTs of fcat serve (HS256, RS256, ES256) and
 * gives back the principal (sub) and its groups. */
#ifndef FSRV_JWT_H
#define FSRV_JWT_H

#include "fcat.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The shortest HS256 secret accepted, in bytes (RFC 7518 section 3.2: a key
 * of at least the hash's size, 256 bits). */
#define FSRV_JWT_MIN_SECRET 32

/* The largest token accepted, in bytes. */
#define FSRV_JWT_MAX_TOKEN 8192

/* The most groups a token may carry, and the longest sub or group name. */
#define FSRV_JWT_MAX_GROUPS 64
#define FSRV_JWT_MAX_NAME   256

/* Clock skew tolerated between the issuer and the server, in seconds: a token
 * is still accepted this long after its exp, and this long before its nbf or
 * iat. */
#define FSRV_JWT_LEEWAY 60

/* The configured verification keys: an HS256 secret, a public key, or both.
 * Read-only once loaded, so any number of threads may verify with one. */
typedef struct fsrv_jwt_keys fsrv_jwt_keys;

/* What a verified token says. */
typedef struct fsrv_jwt_claims {
	char *sub;     /* the principal, non-empty, no control characters */
	char **groups; /* the groups claim, ngroups names (NULL if none) */
	size_t ngroups;
	int64_t exp;        /* the expiry, in seconds since the epoch */
	int64_t not_before; /* the later of nbf and iat; 0 when it has neither */
	const char *alg;    /* "HS256", "RS256" or "ES256" (static text) */
} fsrv_jwt_claims;

/* Loads the keys from the server configuration. Either may be absent, not
 * both. The public key file is PEM (SubjectPublicKeyInfo, "BEGIN PUBLIC
 * KEY"): an RSA key of at least 2048 bits verifies RS256, an EC P-256 key
 * verifies ES256; anything else is refused.
 * @param[out] out the keys, freed with fsrv_jwt_keys_free; NULL on failure
 * @param[in] secret the HS256 shared secret (raw bytes, copied), or NULL
 * @param[in] secret_len its length: 0 with NULL, else at least
 *            FSRV_JWT_MIN_SECRET
 * @param[in] public_key_path a PEM public key file, or NULL
 * @return 0; FCAT_EINVALID for a short secret, no key at all, or a file that
 *         is not a usable public key; FCAT_EIO if the file cannot be read;
 *         FCAT_ENOMEM. The message (fsrv_jwt_error_last) names the file and
 *         the problem, never the secret. */
int fsrv_jwt_keys_load(fsrv_jwt_keys **out, const unsigned char *secret, size_t secret_len,
                       const char *public_key_path);

/* Frees the keys (wiping the secret); accepts NULL. */
void fsrv_jwt_keys_free(fsrv_jwt_keys *keys);

/* Verifies a compact JWT: three strict base64url parts; a header whose alg
 * is HS256, RS256 or ES256 and matches a configured key (never "none", never
 * HS256 with a public key), typ JWT if present, no crit; the signature; then
 * the claims: exp required (now < exp + FSRV_JWT_LEEWAY), nbf and iat checked
 * if present, sub a non-empty string, groups an optional array of at most
 * FSRV_JWT_MAX_GROUPS strings. Any byte string is safe to pass. A token
 * verified before with these keys is answered from their cache
 * (token_cache.h), its times checked again.
 * @param[out] out the claims, freed with fsrv_jwt_claims_free; zeroed on
 *             failure
 * @param[in] keys the configured keys
 * @param[in] token the token (the text after "Bearer "), not NUL-terminated
 * @param[in] len its length in bytes, at most FSRV_JWT_MAX_TOKEN
 * @param[in] now_seconds the current time, in seconds since the epoch
 * @return 0; FCAT_EINVALID if the token is refused (answer 401 with the
 *         message of fsrv_jwt_error_last, which names the reason and holds
 *         no key material); FCAT_ENOMEM; FCAT_EUSAGE for NULL arguments. */
int fsrv_jwt_verify(fsrv_jwt_claims *out, const fsrv_jwt_keys *keys, const char *token, size_t len,
                    int64_t now_seconds);

/* Whether a verified token's times still hold at now_seconds (exp and
 * not_before, with FSRV_JWT_LEEWAY): what fsrv_jwt_verify checks of them. */
bool fsrv_jwt_in_time(const fsrv_jwt_claims *claims, int64_t now_seconds);

/* Frees what `claims` holds and zeroes it; accepts NULL. The struct itself
 * belongs to the caller. */
void fsrv_jwt_claims_free(fsrv_jwt_claims *claims);

/* The calling thread's message for its last failed fsrv_jwt_* call; never
 * NULL, valid until the thread's next fsrv_jwt_* call. */
const char *fsrv_jwt_error_last(void);

#endif
