/* jwt_sign.h - compact JWTs made in a test, for the tests of fcat serve's
 * bearer tokens: signed HS256 with a given secret, or left unsigned. */
#ifndef FCAT_TEST_JWT_SIGN_H
#define FCAT_TEST_JWT_SIGN_H

/* base64url(header) "." base64url(claims) "." and the HS256 signature of
 * the first two parts with `secret`, or nothing after the last dot when
 * secret is NULL (an unsigned token). Malloc'd. */
char *test_jwt_sign(const char *header, const char *claims, const char *secret);

/* An HS256 token {"alg":"HS256","typ":"JWT"} for sub, expiring
 * `expires_in` seconds from now (negative: already expired). Malloc'd. */
char *test_jwt_for(const char *sub, long long expires_in, const char *secret);

#endif
