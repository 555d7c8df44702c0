/* base64url.h - strict base64url (RFC 4648 section 5) without padding, as
 * JWTs use it. */
#ifndef FSRV_BASE64URL_H
#define FSRV_BASE64URL_H

#include <stddef.h>

/* The decoded size of `len` encoded characters (an upper bound is exact
 * here: no padding). */
#define FSRV_BASE64URL_DECODED_MAX(len) ((len) / 4 * 3 + 2)

/* The encoded size of `len` bytes, without padding or a terminator. */
#define FSRV_BASE64URL_ENCODED_LEN(len) ((len) / 3 * 4 + ((len) % 3 ? (len) % 3 + 1 : 0))

/* Decodes `len` characters of `in` into `out`, which holds at least
 * FSRV_BASE64URL_DECODED_MAX(len) bytes. Strict: only A-Z a-z 0-9 - _, no
 * '=' padding, no whitespace, a length that is not 1 mod 4, and unused bits
 * of the last character zero, so that each byte string has exactly one
 * encoding (a changed character always changes the bytes).
 * @param[out] out the decoded bytes
 * @param[out] outlen their number
 * @param[out] bad on failure, the offset of the offending character (len for
 *             a bad length)
 * @return 0, or -1 if `in` is not strict base64url. */
int fsrv_base64url_decode(unsigned char *out, size_t *outlen, size_t *bad, const char *in,
                          size_t len);

/* Encodes `len` bytes into `out`, which holds at least
 * FSRV_BASE64URL_ENCODED_LEN(len) + 1 characters; NUL-terminates it.
 * @return the number of characters written, without the NUL. */
size_t fsrv_base64url_encode(char *out, const unsigned char *in, size_t len);

#endif
