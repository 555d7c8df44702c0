/* encoding.h - the one binary encoding of entity keys and feature rows,
 * byte-identical for every online backend. */
#ifndef FCAT_ENCODING_H
#define FCAT_ENCODING_H

#include "util/arena.h"
#include "util/buf.h"

#include "fcat.h"

/* Entity key: byte 1 (format), then per join key in the view's canonical
 * order (its entities in order, each entity's keys in order): a type byte,
 * then int32/int64/timestamp as 8 bytes big-endian with the sign bit
 * flipped (so keys sort like numbers), string/bytes as u32 LE length +
 * bytes. A null key value is an error. */
int fcat__key_encode(fcat__buf *out, const fcat_value *keys, size_t n);

/* The values of an encoded key, of `types` (strings point into `key`).
 * Returns 0 or FCAT_EINVALID. */
int fcat__key_decode(fcat_value *keys, size_t n, const fcat_type *types, const unsigned char *key,
                     size_t len);

/* Row: the 24-byte header of fcat_plugin.h (0xFC, format 1, u16 LE count,
 * 4 zero bytes, event ts, created ts, both int64 LE microseconds), the
 * 32-byte data hash of the view version that wrote it, then per feature a
 * tag byte (0: null, else the scalar, | 0x80 for an array) and the value:
 * fixed-width little-endian numbers, bool as one byte, string/bytes as u32
 * LE length + bytes, arrays as u32 LE count + elements. */
void fcat__row_encode(fcat__buf *out, const unsigned char data_hash[32], int64_t event_ts,
                      int64_t created_ts, const fcat_value *values, size_t n);

typedef struct fcat__row_header {
	int64_t event_ts, created_ts;
	const unsigned char *data_hash; /* 32 bytes inside the row */
	size_t count;
} fcat__row_header;

/* Decodes a row against the expected types. values[i] is null-typed when
 * the stored value has another type than types[i] (a row of an older view
 * version); *mismatch counts those. Strings point into the row; arrays are
 * copied into `scratch` (so they are aligned). Returns 0, or FCAT_EINVALID
 * for bytes that are not a row. */
int fcat__row_decode(fcat__row_header *hdr, fcat_value *values, size_t n, const fcat_type *types,
                     size_t *mismatch, const unsigned char *row, size_t len, fcat__arena *scratch);

/* "user_id=u1,store_id=3": join keys for people, in error messages. */
void fcat__key_text(char *buf, size_t size, const char *const *names, const fcat_value *keys,
                    size_t n);

#endif
