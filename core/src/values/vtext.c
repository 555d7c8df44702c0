/* vtext.c - helpers shared by the value parsers and formatters. */
#include "util/error.h"
#include "values/vtext.h"

#include <locale.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define QUOTE_MAX 64

static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static locale_t c_locale;

static void c_locale_init(void)
{
	c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

static locale_t get_c_locale(void)
{
	pthread_once(&c_locale_once, c_locale_init);
	return c_locale;
}

double fcat__strtod_c(const char *s, char **end)
{
	locale_t c = get_c_locale();
	return c ? strtod_l(s, end, c) : strtod(s, end);
}

float fcat__strtof_c(const char *s, char **end)
{
	locale_t c = get_c_locale();
	return c ? strtof_l(s, end, c) : strtof(s, end);
}

int fcat__snprintf_c(char *buf, size_t size, const char *fmt, ...)
{
	locale_t c = get_c_locale();
	locale_t old = c ? uselocale(c) : (locale_t)0;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (c)
		uselocale(old);
	return n;
}

int fcat__value_invalid(const char *what, const char *text, size_t len, const char *detail)
{
	int shown = len > QUOTE_MAX ? QUOTE_MAX : (int)len;
	return fcat__error(FCAT_EINVALID, "not a valid %s: \"%.*s%s\"%s%s%s", what, shown,
	                   text ? text : "", len > QUOTE_MAX ? "..." : "", detail ? " (" : "",
	                   detail ? detail : "", detail ? ")" : "");
}
