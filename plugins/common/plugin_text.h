/* plugin_text.h - a growing NUL-terminated text (SQL, JSON) that remembers
 * an allocation failure instead of reporting each one, and the SQL pieces
 * the SQL plugins write alike (quoted names, a query as a subquery). */
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

/* A table name quoted part by part: "t", or "schema"."t" when it holds a '.'. */
void fcatp_text_table(fcatp_text *t, const char *table);

/* A query as a subquery: "(query\n)", its trailing ';' and white space cut. */
void fcatp_text_subquery(fcatp_text *t, const char *query);

/* n identifiers, each quoted, separated by ", ". */
void fcatp_text_idents(fcatp_text *t, const char *const *names, size_t n);

#endif
