/* json_write.h - JSON text written straight into a buffer: strings, numbers
 * and typed values in fcat's one wire form (Feast's), byte for byte what
 * jansson's json_dumps(JSON_COMPACT) writes, without building a tree. The
 * encoder behind fcat_json_encode_value and the online response. */
#ifndef FCAT_JSON_JSON_WRITE_H
#define FCAT_JSON_JSON_WRITE_H

#include "util/buf.h"

#include "fcat.h"

/* Appends a JSON string of the `len` bytes at s, escaped as jansson does
 * ('"', '\\', and control characters; other bytes as they are). Returns 0,
 * or FCAT_EINVALID when the bytes are not UTF-8 (nothing is appended). An
 * allocation failure marks the buffer (b->oom). */
int fcat__json_put_string(fcat__buf *b, const char *s, size_t len);

/* Appends an integer. */
void fcat__json_put_int(fcat__buf *b, int64_t v);

/* Appends a value as Feast writes it: numbers, epoch seconds for a
 * timestamp, base64 for bytes, arrays, null. Returns 0, FCAT_EINVALID (a
 * NaN or infinite float, a string that is not UTF-8; for an array the
 * message names the item) or FCAT_EUSAGE (an unknown type); then what was
 * appended is unspecified. An allocation failure marks the buffer. */
int fcat__json_put_value(fcat__buf *b, const fcat_value *value);

#endif
