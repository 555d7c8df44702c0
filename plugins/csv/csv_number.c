/* csv_number.c - fast parsers for the common shapes of numbers and times. */
#include "csv_number.h"

#define MAX_MANTISSA_DIGITS 19
#define EXACT_MANTISSA      (UINT64_C(1) << 53)
#define MAX_EXACT_POW10     22
#define EXPONENT_CAP        100000

static inline bool is_digit(char c)
{
	return (unsigned char)(c - '0') < 10;
}

const char *csv_fast_int(int64_t *out, const char *p, const char *end, int max_digits)
{
	bool neg = false;

	if (p < end && (*p == '-' || *p == '+'))
		neg = *p++ == '-';

	const char *start = p;
	int64_t v = 0;

	for (; p < end && is_digit(*p); p++) {
		if (p - start == max_digits)
			return NULL;
		v = v * 10 + (*p - '0');
	}
	if (p == start)
		return NULL;
	*out = neg ? -v : v;
	return p;
}

static const double pow10_exact[MAX_EXACT_POW10 + 1] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

const char *csv_fast_double(double *out, const char *p, const char *end)
{
	bool neg = false;
	uint64_t w = 0;
	int digits = 0, exp10 = 0;

	if (p < end && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	for (; p < end && is_digit(*p); p++, digits++)
		w = w * 10 + (uint64_t)(*p - '0');
	if (p < end && *p == '.') {
		for (p++; p < end && is_digit(*p); p++, digits++, exp10--)
			w = w * 10 + (uint64_t)(*p - '0');
	}
	/* no digits at all, or so many that w may have wrapped */
	if (digits == 0 || digits > MAX_MANTISSA_DIGITS)
		return NULL;
	if (p < end && (*p == 'e' || *p == 'E')) {
		bool eneg = false;
		int e = 0;

		p++;
		if (p < end && (*p == '-' || *p == '+'))
			eneg = *p++ == '-';
		if (p == end || !is_digit(*p))
			return NULL;
		for (; p < end && is_digit(*p); p++)
			if (e < EXPONENT_CAP)
				e = e * 10 + (*p - '0');
		exp10 += eneg ? -e : e;
	}

	double d;

	if (w == 0) {
		d = 0.0;
	} else {
		if (w > EXACT_MANTISSA || exp10 < -MAX_EXACT_POW10 || exp10 > MAX_EXACT_POW10)
			return NULL;
		/* both operands are exact, so one rounding: the correct one */
		d = exp10 < 0 ? (double)w / pow10_exact[-exp10] : (double)w * pow10_exact[exp10];
	}
	*out = neg ? -d : d;
	return p;
}

/* Reads n digits at s; false when one is not a digit. */
static inline bool digits_at(unsigned *out, const char *s, int n)
{
	unsigned v = 0;

	for (int i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return true;
}

/* H. Hinnant's days_from_civil, as core computes it. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int64_t)doe - 719468;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
	static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dim[m - 1];
}

bool csv_fast_timestamp(int64_t *out, const char *s, size_t n)
{
	unsigned y, mo, d, hh, mi, ss;
	int64_t frac = 0;
	size_t i = 19;

	if (n < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
	    s[n - 1] != 'Z')
		return false;
	if (!digits_at(&y, s, 4) || !digits_at(&mo, s + 5, 2) || !digits_at(&d, s + 8, 2) ||
	    !digits_at(&hh, s + 11, 2) || !digits_at(&mi, s + 14, 2) || !digits_at(&ss, s + 17, 2))
		return false;
	if (s[i] == '.') {
		size_t k = 0;

		for (i++; i < n - 1 && is_digit(s[i]); i++, k++)
			if (k < 6)
				frac = frac * 10 + (s[i] - '0');
		if (k == 0 || k > 9)
			return false;
		for (; k < 6; k++)
			frac *= 10;
	}
	if (i != n - 1)
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || hh > 23 || mi > 59 || ss > 59)
		return false;

	int64_t secs = days_from_civil(y, mo, d) * 86400 + (int64_t)(hh * 3600 + mi * 60 + ss);

	*out = secs * 1000000 + frac;
	return true;
}
