/* buf.c - a growable byte buffer for building strings and files. */
#include "util/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fcat__buf_free(fcat__buf *b)
{
	free(b->ptr);
	*b = (fcat__buf){0};
}

static bool reserve(fcat__buf *b, size_t extra)
{
	if (b->oom)
		return false;
	if (b->len + extra + 1 <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1)
		cap *= 2;
	char *p = realloc(b->ptr, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->ptr = p;
	b->cap = cap;
	return true;
}

void fcat__buf_append(fcat__buf *b, const void *data, size_t len)
{
	if (!reserve(b, len))
		return;
	if (len)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
}

char *fcat__buf_grow(fcat__buf *b, size_t n)
{
	if (!reserve(b, n))
		return NULL;
	char *p = b->ptr + b->len;
	b->len += n;
	b->ptr[b->len] = '\0';
	return p;
}

void fcat__buf_puts(fcat__buf *b, const char *s)
{
	fcat__buf_append(b, s, strlen(s));
}

void fcat__buf_putc(fcat__buf *b, char c)
{
	fcat__buf_append(b, &c, 1);
}

void fcat__buf_printf(fcat__buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *fcat__buf_detach(fcat__buf *b)
{
	if (b->oom) {
		fcat__buf_free(b);
		return NULL;
	}
	if (!b->ptr) {
		if (!reserve(b, 0))
			return NULL;
		b->ptr[0] = '\0';
	}
	char *p = b->ptr;
	*b = (fcat__buf){0};
	return p;
}
