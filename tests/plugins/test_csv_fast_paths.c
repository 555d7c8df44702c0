/* test_csv_fast_paths.c - the csv plugin's fast number and time parsers
 * agree bit for bit with fcat_value_parse, on tricky and random texts, and
 * refuse what it refuses with the same message. */
#include "testutil.h"

#include "csv_scan.h"
#include "fcat.h"
#include "fcat_plugin.h"
#include "offline_rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- fast paths against the host parser --------------------------------------- */

static const char *const tricky[] = {
    "0",
    "-0",
    "+0",
    "0.0",
    "-0.0",
    "00012",
    "-00012.500",
    "1",
    "-1",
    "+1",
    "1.",
    ".5",
    "-.5",
    "+.5",
    "1e5",
    "1E5",
    "1e-5",
    "1e+5",
    "1.e5",
    "1.5e22",
    "1e22",
    "1e23",
    "1e-22",
    "1e-23",
    "0.1",
    "0.2",
    "0.3",
    "0.30000000000000004",
    "1.0000000000000002",
    "9007199254740991",
    "9007199254740992",
    "9007199254740993",
    "9007199254740992e22",
    "9007199254740992e-22",
    "123456789e-22",
    "123456789e-23",
    "4503599627370497.5",
    "123456789012345678",
    "1234567890123456789",
    "12345678901234567890",
    "3.4028235e38",
    "3.4028236e38",
    "3.4028234663852886e38",
    "1e39",
    "1e-45",
    "1.4e-45",
    "7e-46",
    "1.17549435e-38",
    "16777216",
    "16777217",
    "2.2250738585072014e-308",
    "4.9e-324",
    "1e-400",
    "1e400",
    "0e999999",
    "1e0000000000000000000005",
    "0.000001",
    "0.0000001",
    "123.456",
    "0.1e-22",
    "2147483647",
    "-2147483648",
    "2147483648",
    "-2147483649",
    "999999999",
    "1000000000",
    "-999999999",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "999999999999999999",
    "-999999999999999999",
    "0x1p3",
    "0X10",
    "inf",
    "-inf",
    "nan",
    "Infinity",
    "1e",
    "1e+",
    "e5",
    ".",
    "-",
    "+",
    "1.5.5",
    "1_000",
    " 1",
    "1 ",
    "1,5",
    "--1",
    "+-1",
    "1e5.5",
    "١",
    "0.0000000000000000000001",
    "100000000000000000000000",
    "2024-01-01T00:00:00Z",
    "true",
    "1.5f",
};

static const char *const tricky_times[] = {
    "2024-02-29T12:00:00Z",
    "2023-02-29T12:00:00Z",
    "2000-02-29T00:00:00Z",
    "1900-02-29T00:00:00Z",
    "2024-01-01T00:00:00.5Z",
    "2024-01-01T00:00:00.123456789Z",
    "2024-01-01T00:00:00.1234567890Z",
    "2024-01-01T00:00:00.000001Z",
    "2024-01-01T24:00:00Z",
    "2024-01-01T23:59:60Z",
    "2024-01-01T23:60:00Z",
    "2024-01-01t00:00:00z",
    "2024-01-01 00:00:00Z",
    "2024-01-01T00:00:00+02:00",
    "2024-01-01T00:00:00-00:30",
    "2024-01-01",
    "1700000000",
    "-1",
    "+5",
    "0000-01-01T00:00:00Z",
    "9999-12-31T23:59:59.999999Z",
    "2024-13-01T00:00:00Z",
    "2024-00-01T00:00:00Z",
    "2024-01-00T00:00:00Z",
    "2024-01-32T00:00:00Z",
    "2024-04-31T00:00:00Z",
    "2024-1-01T00:00:00Z",
    "2024-01-01T00:00:00.Z",
    "2024-01-01T00:00:00",
    "2024-01-01T0:00:00Z",
    "1969-12-31T23:59:59.999999Z",
    "2024-01-01T00:00:00ZZ",
    "x024-01-01T00:00:00Z",
    "2024-01-01T00:00:00.12a4Z",
};

/* The texts a check feeds through one column "v", one row each. */
typedef struct equiv {
	fcat_type type;
	const char **texts;
	size_t next;
} equiv;

static bool same_value(const fcat_value *a, const fcat_value *b)
{
	if (a->is_null != b->is_null || !fcat_type_equal(a->type, b->type))
		return false;
	if (a->is_null)
		return true;
	if (a->type.is_array) {
		size_t size =
		    a->type.scalar == FCAT_INT32 || a->type.scalar == FCAT_FLOAT32 ? 4 : 8;
		return a->u.array.len == b->u.array.len &&
		       (a->u.array.len == 0 ||
		        memcmp(a->u.array.items, b->u.array.items, a->u.array.len * size) == 0);
	}
	switch (a->type.scalar) {
	case FCAT_INT32: return a->u.i32 == b->u.i32;
	case FCAT_FLOAT32: return memcmp(&a->u.f32, &b->u.f32, sizeof(float)) == 0;
	case FCAT_FLOAT64: return memcmp(&a->u.f64, &b->u.f64, sizeof(double)) == 0;
	default: return a->u.i64 == b->u.i64;
	}
}

static int compare_to_host(void *ctx, const fcat_value *cells, size_t nrows)
{
	equiv *e = ctx;

	for (size_t i = 0; i < nrows; i++) {
		const char *text = e->texts[e->next++];
		fcat_value want;

		assert_int_equal(fcat_value_parse(&want, e->type, text, strlen(text)), 0);
		if (!same_value(&cells[i], &want)) {
			char *g = NULL, *w = NULL;
			fcat_value_format(&g, &cells[i]);
			fcat_value_format(&w, &want);
			fail_msg("\"%s\": plugin %s, host %s", text, g, w);
		}
		fcat_value_clear(&want);
	}
	return 0;
}

/* Writes t as a quoted CSV field and a line end at out; returns the length. */
static size_t put_quoted(char *out, const char *t)
{
	char *p = out;

	*p++ = '"';
	for (; *t; t++) {
		if (*t == '"')
			*p++ = '"';
		*p++ = *t;
	}
	*p++ = '"';
	*p++ = '\n';
	*p = '\0';
	return (size_t)(p - out);
}

/* The scan of a file holding only `t` fails with the host's message for it
 * after the location (the detail in parentheses may be left out). */
static void check_same_error(const char *dir, fcat_type type, const char *t)
{
	char host_msg[512], want[700], file[2048];
	const char *const cols[] = {"v"};
	fcat_scan_request req = csv_request("bad.csv", cols, &type, 1);
	int rc;

	snprintf(host_msg, sizeof host_msg, "%s", fcat_error_last());
	strcpy(file, "v\n");
	put_quoted(file + 2, t);
	test_write_file(dir, "bad.csv", file);
	free(csv_scan_text(dir, NULL, &req, &rc));
	if (rc != FCAT_EINVALID)
		fail_msg("\"%s\": expected an error, got %d", t, rc);
	snprintf(want, sizeof want, "bad.csv:2:1 (v): %s", host_msg);

	const char *got = fcat_error_last();
	char *paren = strstr(want, "\" (");
	size_t short_len = paren ? (size_t)(paren + 1 - want) : strlen(want);

	if (strcmp(got, want) != 0 &&
	    !(strlen(got) == short_len && strncmp(got, want, short_len) == 0))
		fail_msg("\"%s\":\n  got  %s\n  want %s", t, got, want);
}

/* Feeds every text the host accepts as `type` through the plugin, one row
 * each, and compares the values bit for bit; the first max_bad texts the
 * host refuses go through check_same_error. */
static void check_equivalence(const char *dir, fcat_type type, const char *const *texts, size_t n,
                              size_t max_bad)
{
	const char **good = calloc(n + 1, sizeof *good);
	size_t ngood = 0, nbad = 0, cap = 64, len = 2;
	char *csv = malloc(cap);
	const char *const cols[] = {"v"};
	fcat_scan_request req = csv_request("eq.csv", cols, &type, 1);

	strcpy(csv, "v\n");
	for (size_t i = 0; i < n; i++) {
		fcat_value v;
		const char *t = texts[i];
		size_t tl = strlen(t);

		if (!tl)
			continue;
		if (fcat_value_parse(&v, type, t, tl) != 0) {
			if (nbad++ < max_bad)
				check_same_error(dir, type, t);
			continue;
		}
		fcat_value_clear(&v);
		good[ngood++] = t;
		while (len + 2 * tl + 4 > cap)
			csv = realloc(csv, cap *= 2);
		len += put_quoted(csv + len, t);
	}
	test_write_file(dir, "eq.csv", csv);

	equiv e = {.type = type, .texts = good};
	assert_int_equal(csv_scan_with(dir, NULL, &req, compare_to_host, &e), 0);
	assert_int_equal(e.next, ngood);
	free(csv);
	free(good);
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* A random decimal: sign, 1-20 digits, a point somewhere, an exponent. */
static void random_number(char *buf)
{
	char *p = buf;
	int nd = 1 + (int)(rnd() % 20), point = (int)(rnd() % (nd + 2)) - 1;

	if (rnd() % 4 == 0)
		*p++ = rnd() % 2 ? '-' : '+';
	for (int i = 0; i < nd; i++) {
		if (i == point)
			*p++ = '.';
		*p++ = (char)('0' + rnd() % 10);
	}
	if (rnd() % 3 == 0)
		p += sprintf(p, "e%d", (int)(rnd() % 70) - 35);
	*p = '\0';
}

static void test_csv__fast_paths_match_the_host_parser(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	const fcat_scalar numeric[] = {FCAT_INT32, FCAT_INT64, FCAT_FLOAT32, FCAT_FLOAT64,
	                               FCAT_TIMESTAMP};

	for (size_t k = 0; k < NCOLS(numeric); k++)
		check_equivalence(dir, (fcat_type){numeric[k], false, 0}, tricky, NCOLS(tricky),
		                  SIZE_MAX);
	check_equivalence(dir, T(TIMESTAMP), tricky_times, NCOLS(tricky_times), SIZE_MAX);

	/* random decimals, as scalars and inside arrays */
	enum { N = 20000, ARRAYS = 2000 };
	static char numbers[N][48], arrays[ARRAYS][256];
	const char *texts[N], *atexts[ARRAYS];
	static const char *const ws[] = {"", " ", "\t", " \n "};

	for (size_t i = 0; i < N; i++) {
		random_number(numbers[i]);
		texts[i] = numbers[i];
	}
	for (size_t k = 0; k < NCOLS(numeric) - 1; k++)
		check_equivalence(dir, (fcat_type){numeric[k], false, 0}, texts, N, 100);
	for (size_t i = 0; i < ARRAYS; i++) {
		char *p = arrays[i];
		int n = 1 + (int)(rnd() % 5);
		p += sprintf(p, "[%s", ws[rnd() % 4]);
		for (int j = 0; j < n; j++) {
			char num[48];
			random_number(num);
			p +=
			    sprintf(p, "%s%s%s%s", j ? "," : "", ws[rnd() % 4], num, ws[rnd() % 4]);
		}
		sprintf(p, "]");
		atexts[i] = arrays[i];
	}
	check_equivalence(dir, TA(FLOAT32, 0), atexts, ARRAYS, 100);
	check_equivalence(dir, TA(FLOAT64, 0), atexts, ARRAYS, 100);
	check_equivalence(dir, TA(INT64, 0), atexts, ARRAYS, 100);
	check_equivalence(dir, TA(INT32, 3), atexts, ARRAYS, 100);

	static const char *const odd_arrays[] = {
	    "[]",      "[ ]",       "[1]",           "[1,]",      "[,1]",
	    "[1 2]",   "[null]",    "[1,null]",      "[inf]",     "[0x10]",
	    "[1e400]", "[ 1 , 2 ]", "[1,2,3]",       "[1,2,3,4]", "1,2",
	    "[1",      "1]",        "[[1]]",         "[\"1\"]",   "[1e]",
	    "[--1]",   "[1]x",      "[1.5,2.5,3.5]",
	};
	check_equivalence(dir, TA(FLOAT32, 3), odd_arrays, NCOLS(odd_arrays), SIZE_MAX);
	check_equivalence(dir, TA(INT64, 0), odd_arrays, NCOLS(odd_arrays), SIZE_MAX);
	check_equivalence(dir, TA(FLOAT64, 0), odd_arrays, NCOLS(odd_arrays), SIZE_MAX);
	test_dir_done(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_csv__fast_paths_match_the_host_parser),
	};
	return cmocka_run_group_tests_name("csv_fast_paths", tests, NULL, NULL);
}
