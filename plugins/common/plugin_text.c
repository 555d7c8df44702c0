/* plugin_text.c - a growing text for SQL and JSON the plugins build. */
#include "plugin_text.h"

#include <stdlib.h>
#include <string.h>

void fcatp_text_put(fcatp_text *t, const char *s, size_t n)
{
	if (t->oom)
		return;
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 256;
		while (cap < t->len + n + 1)
			cap *= 2;
		char *np = realloc(t->p, cap);
		if (!np) {
			t->oom = true;
			return;
		}
		t->p = np;
		t->cap = cap;
	}
	memcpy(t->p + t->len, s, n);
	t->len += n;
	t->p[t->len] = 0;
}

void fcatp_text_puts(fcatp_text *t, const char *s)
{
	fcatp_text_put(t, s, strlen(s));
}

void fcatp_text_ident_n(fcatp_text *t, const char *s, size_t n)
{
	fcatp_text_put(t, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			fcatp_text_put(t, "\"", 1);
		fcatp_text_put(t, s + i, 1);
	}
	fcatp_text_put(t, "\"", 1);
}

void fcatp_text_ident(fcatp_text *t, const char *s)
{
	fcatp_text_ident_n(t, s, strlen(s));
}

void fcatp_text_table(fcatp_text *t, const char *table)
{
	const char *dot = strchr(table, '.');
	if (dot) {
		fcatp_text_ident_n(t, table, (size_t)(dot - table));
		fcatp_text_put(t, ".", 1);
		fcatp_text_ident(t, dot + 1);
	} else {
		fcatp_text_ident(t, table);
	}
}

void fcatp_text_subquery(fcatp_text *t, const char *query)
{
	size_t n = strlen(query);
	while (n > 0 && strchr("; \t\r\n", query[n - 1]))
		n--;
	fcatp_text_put(t, "(", 1);
	fcatp_text_put(t, query, n);
	fcatp_text_put(t, "\n)", 2);
}

void fcatp_text_idents(fcatp_text *t, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			fcatp_text_put(t, ", ", 2);
		fcatp_text_ident(t, names[i]);
	}
}
