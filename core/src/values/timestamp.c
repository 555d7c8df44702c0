/* timestamp.c - RFC 3339 timestamps as microseconds since the epoch (UTC). */
#include "util/error.h"
#include "values/vtext.h"

#include <stdio.h>

#define US_PER_S  INT64_C(1000000)
#define S_PER_DAY INT64_C(86400)

/* Howard Hinnant's days_from_civil: the number of days from 1970-01-01 to
 * a date of the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* The inverse: the date of a day number. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	const unsigned doe = (unsigned)(z - era * 146097);
	const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
	static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Writes v as exactly n decimal digits (zero-padded) at *p and moves on. */
static void put_digits(char **p, unsigned v, int n)
{
	for (int i = n - 1; i >= 0; i--, v /= 10)
		(*p)[i] = (char)('0' + v % 10);
	*p += n;
}

int fcat_timestamp_format(char *buf, size_t size, int64_t micros)
{
	int64_t secs = micros / US_PER_S, frac = micros % US_PER_S;
	if (frac < 0) {
		frac += US_PER_S;
		secs--;
	}
	int64_t days = secs / S_PER_DAY, sod = secs % S_PER_DAY;
	if (sod < 0) {
		sod += S_PER_DAY;
		days--;
	}
	int64_t y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	if (y >= 0 && y <= 9999 && size >= sizeof "0000-00-00T00:00:00.000000Z") {
		/* the usual years, digit by digit (a served read formats one per
		 * value) */
		char *p = buf;
		put_digits(&p, (unsigned)y, 4);
		*p++ = '-';
		put_digits(&p, m, 2);
		*p++ = '-';
		put_digits(&p, d, 2);
		*p++ = 'T';
		put_digits(&p, (unsigned)(sod / 3600), 2);
		*p++ = ':';
		put_digits(&p, (unsigned)(sod / 60 % 60), 2);
		*p++ = ':';
		put_digits(&p, (unsigned)(sod % 60), 2);
		if (frac % 1000 == 0 && frac != 0) {
			*p++ = '.';
			put_digits(&p, (unsigned)(frac / 1000), 3);
		} else if (frac != 0) {
			*p++ = '.';
			put_digits(&p, (unsigned)frac, 6);
		}
		*p++ = 'Z';
		*p = '\0';
		return (int)(p - buf);
	}
	char fr[24] = "";
	if (frac % 1000 == 0 && frac != 0)
		snprintf(fr, sizeof fr, ".%03d", (int)(frac / 1000));
	else if (frac != 0)
		snprintf(fr, sizeof fr, ".%06d", (int)frac);
	return snprintf(buf, size, "%04lld-%02u-%02uT%02d:%02d:%02d%sZ", (long long)y, m, d,
	                (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60), fr);
}

/* Reads exactly n decimal digits at text[*i]. */
static bool digits(unsigned *out, const char *text, size_t len, size_t *i, size_t n)
{
	unsigned v = 0;
	if (len - *i < n)
		return false;
	for (size_t k = 0; k < n; k++) {
		char c = text[*i + k];
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (unsigned)(c - '0');
	}
	*i += n;
	*out = v;
	return true;
}

static bool expect(const char *text, size_t len, size_t *i, char c)
{
	if (*i >= len || text[*i] != c)
		return false;
	(*i)++;
	return true;
}

/* An optional sign and only digits: epoch seconds. */
static int scan_epoch(int64_t *out, const char *text, size_t len, const char **why)
{
	const int64_t limit = INT64_MAX / US_PER_S;
	size_t i = 0;
	bool neg = false;
	if (text[0] == '-' || text[0] == '+')
		neg = text[i++] == '-';
	int64_t v = 0;
	for (; i < len; i++) {
		v = v * 10 + (text[i] - '0');
		if (v > limit) {
			*why = "epoch seconds out of range";
			return -1;
		}
	}
	*out = (neg ? -v : v) * US_PER_S;
	return 0;
}

static bool all_digits(const char *text, size_t len)
{
	size_t i = text[0] == '-' || text[0] == '+';
	if (i == len)
		return false;
	for (; i < len; i++)
		if (text[i] < '0' || text[i] > '9')
			return false;
	return true;
}

int fcat__timestamp_scan(int64_t *out, const char *text, size_t len, const char **why)
{
	static const char *const syntax =
	    "expected YYYY-MM-DDTHH:MM:SS[.frac][Z|+HH:MM], YYYY-MM-DD "
	    "or integer epoch seconds";
	*why = syntax;
	if (len == 0)
		return -1;
	if (all_digits(text, len))
		return scan_epoch(out, text, len, why);

	size_t i = 0;
	unsigned year = 0, mon = 0, day = 0, hh = 0, mm = 0, ss = 0, oh = 0, om = 0;
	if (!digits(&year, text, len, &i, 4) || !expect(text, len, &i, '-') ||
	    !digits(&mon, text, len, &i, 2) || !expect(text, len, &i, '-') ||
	    !digits(&day, text, len, &i, 2))
		return -1;
	int64_t frac = 0;
	int offset = 0;
	if (i < len) {
		char sep = text[i++];
		if (sep != 'T' && sep != 't' && sep != ' ')
			return -1;
		if (!digits(&hh, text, len, &i, 2) || !expect(text, len, &i, ':') ||
		    !digits(&mm, text, len, &i, 2) || !expect(text, len, &i, ':') ||
		    !digits(&ss, text, len, &i, 2))
			return -1;
		if (i < len && text[i] == '.') {
			i++;
			size_t n = 0;
			for (; i < len && text[i] >= '0' && text[i] <= '9'; i++, n++) {
				if (n < 6)
					frac = frac * 10 + (text[i] - '0');
			}
			if (n == 0 || n > 9) {
				*why = "expected 1 to 9 fraction digits";
				return -1;
			}
			for (; n < 6; n++)
				frac *= 10;
		}
		if (i < len && (text[i] == 'Z' || text[i] == 'z')) {
			i++;
		} else if (i < len && (text[i] == '+' || text[i] == '-')) {
			int sign = text[i++] == '-' ? -1 : 1;
			if (!digits(&oh, text, len, &i, 2) || !expect(text, len, &i, ':') ||
			    !digits(&om, text, len, &i, 2))
				return -1;
			if (oh > 23 || om > 59) {
				*why = "offset out of range";
				return -1;
			}
			offset = sign * (int)(oh * 3600 + om * 60);
		}
		if (i != len)
			return -1;
	}
	if (mon < 1 || mon > 12) {
		*why = "month out of range";
		return -1;
	}
	if (day < 1 || day > days_in_month(year, mon)) {
		*why = "day out of range for the month";
		return -1;
	}
	if (hh > 23 || mm > 59 || ss > 59) {
		*why = "time of day out of range";
		return -1;
	}
	int64_t secs = days_from_civil(year, mon, day) * S_PER_DAY +
	               (int64_t)(hh * 3600 + mm * 60 + ss) - offset;
	*out = secs * US_PER_S + frac;
	return 0;
}

int fcat_timestamp_parse(int64_t *out, const char *text, size_t len)
{
	const char *why;
	int64_t v;
	if (!text && len)
		return fcat__error(FCAT_EUSAGE, "fcat_timestamp_parse: NULL text");
	if (fcat__timestamp_scan(&v, text, len, &why) != 0)
		return fcat__value_invalid("timestamp", text, len, why);
	*out = v;
	return 0;
}
