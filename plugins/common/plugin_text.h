/* plugin_text.h - a growing NUL-terminated text (SQL, JSON) that remembers
 * an allocation failure instead of reporting each one. */
#ifndef FCAT_PLUGIN_TEXT_H
#define FCAT_PLUGIN_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Zero-initialized it is empty; p is NULL until the first put and is the
 * caller's to free. Once `oom` is set every put does nothing. */
typedef struct fcatp_text {
	char *p;
	size_t len, cap;
	bool oom;
} fcatp_text;

void fcatp_text_put(fcatp_text *t, const char *s, size_t n);
void fcatp_text_puts(fcatp_text *t, const char *s);

/* An SQL identifier in double quotes, a quote in it doubled: "a""b". */
void fcatp_text_ident_n(fcatp_text *t, const char *s, size_t n);
void fcatp_text_ident(fcatp_text *t, const char *s);

#endif
