/* buf.h - a growable byte buffer for building strings and files. */
#ifndef FCAT_UTIL_BUF_H
#define FCAT_UTIL_BUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct fcat__buf {
	char *ptr; /* always NUL-terminated when not NULL */
	size_t len, cap;
	bool oom; /* an append failed; the content is incomplete */
} fcat__buf;

void fcat__buf_free(fcat__buf *b);
void fcat__buf_append(fcat__buf *b, const void *data, size_t len);
void fcat__buf_puts(fcat__buf *b, const char *s);
void fcat__buf_putc(fcat__buf *b, char c);
/* Makes room for n more bytes at the end and counts them in: the caller
 * writes them through the pointer returned (NULL after oom). */
char *fcat__buf_grow(fcat__buf *b, size_t n);
void fcat__buf_printf(fcat__buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the NUL-terminated content to the caller (NULL after oom). */
char *fcat__buf_detach(fcat__buf *b);

#endif
