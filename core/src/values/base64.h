/* base64.h - standard base64 (RFC 4648 alphabet, with padding). */
#ifndef FCAT_VALUES_BASE64_H
#define FCAT_VALUES_BASE64_H

#include <stddef.h>

/* The length of the encoding of n bytes (a multiple of 4). */
size_t fcat__base64_encoded_len(size_t n);

/* Writes the fcat__base64_encoded_len(n) characters encoding data to out
 * (no NUL terminator). */
void fcat__base64_encode(char *out, const void *data, size_t n);

/* An upper bound of the decoded length of n characters of base64. */
size_t fcat__base64_decoded_max(size_t n);

/* Decodes n characters of padded base64 into out, which holds at least
 * fcat__base64_decoded_max(n) bytes. Returns 0 and the length in *out_len,
 * or -1 when the text is not valid base64 (a bad character, a length that is
 * not a multiple of 4, misplaced padding). Raises no error message. */
int fcat__base64_decode(void *out, size_t *out_len, const char *text, size_t n);

#endif
