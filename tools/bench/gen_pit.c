/* gen_pit.c - fcat-bench-gen-pit: writes a deterministic event log and entity file for the
 * point-in-time join benchmark.
 *
 * fcat-bench-gen-pit [--rows N] [--entities M] [--users U] [--seed S] FEATURES.csv ENTITIES.csv
 *
 * FEATURES.csv (N rows, default 10,000,000) is shaped like a real event log:
 * user_id,event_timestamp,created_at,f_int,f_float,f_str; U users (default N/10) with
 * about N/U rows each, event times uniform over 90 days from
 * 2025-10-01T00:00:00Z in no particular order, created_at 0..3600 s after the
 * event. About 1% of the rows repeat the (user_id, event_timestamp) of an
 * earlier row with a later created_at (each repeat later than every earlier
 * one of its group, so the created tie-break always has one answer). About
 * 0.5% of f_float and of f_str are empty (null).
 *
 * ENTITIES.csv (M rows, default 1,000,000): user_id,event_timestamp,label;
 * 5% exactly at a feature row's event time (its user), 5% exactly 7 days (the
 * benchmark's ttl) after one, 2% users that have no feature rows, the rest a
 * known user at a uniform time in the 90 days. Times are RFC 3339 in UTC
 * ("2025-10-01T00:00:00Z"). The same arguments write the same bytes.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xoshiro.h"

#define START_EPOCH 1759276800LL /* 2025-10-01T00:00:00Z */
#define SPAN_DAYS   90
#define DAY_S       86400u
#define TTL_S       (7u * DAY_S)
#define NDAYS       (SPAN_DAYS + 8) /* room for ttl-later entity times and created */
#define OUTBUF      (1u << 22)

/* xoshiro256** seeded by splitmix64: fast, and the same stream everywhere */
static xoshiro rng_g;

/* uniform in [0, n) (n well below 2^32: the bias of the multiply is nil) */
static uint32_t rng_below(uint32_t n)
{
	return (uint32_t)(((xoshiro_next(&rng_g) >> 32) * (uint64_t)n) >> 32);
}

/* A buffered writer: one large buffer, formatting by hand. */
struct out {
	FILE *f;
	const char *path;
	char *buf;
	size_t len;
};

static void out_flush(struct out *o)
{
	if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len) {
		fprintf(stderr, "fcat-bench-gen-pit: writing %s: %s\n", o->path, strerror(errno));
		exit(1);
	}
	o->len = 0;
}

/* room for one row (every row is far shorter than 256 bytes) */
static char *out_room(struct out *o)
{
	if (OUTBUF - o->len < 256)
		out_flush(o);
	return o->buf + o->len;
}

static char *put_str(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

static char *put_u64(char *p, uint64_t v)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

static char *put_i64(char *p, int64_t v)
{
	if (v < 0) {
		*p++ = '-';
		return put_u64(p, (uint64_t)0 - (uint64_t)v);
	}
	return put_u64(p, (uint64_t)v);
}

/* "u" and the number, at least 7 digits */
static char *put_user(char *p, uint32_t u)
{
	*p++ = 'u';
	char tmp[12];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	for (int i = n; i < 7; i++)
		*p++ = '0';
	while (n)
		*p++ = tmp[--n];
	return p;
}

static char day_text[NDAYS][11]; /* "YYYY-MM-DD" of each day from the start */

static void init_days(void)
{
	for (int d = 0; d < NDAYS; d++) {
		time_t t = (time_t)(START_EPOCH + (long long)d * DAY_S);
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(day_text[d], sizeof day_text[d], "%Y-%m-%d", &tm);
	}
}

static char *put_2(char *p, unsigned v)
{
	*p++ = (char)('0' + v / 10);
	*p++ = (char)('0' + v % 10);
	return p;
}

/* seconds from the start as "YYYY-MM-DDTHH:MM:SSZ" */
static char *put_ts(char *p, uint32_t off)
{
	uint32_t d = off / DAY_S, s = off % DAY_S;
	if (d >= NDAYS) {
		fprintf(stderr, "fcat-bench-gen-pit: time offset %u past the table\n", off);
		exit(1);
	}
	p = put_str(p, day_text[d], 10);
	*p++ = 'T';
	p = put_2(p, s / 3600);
	*p++ = ':';
	p = put_2(p, s / 60 % 60);
	*p++ = ':';
	p = put_2(p, s % 60);
	*p++ = 'Z';
	return p;
}

/* a fixed-point decimal with 4 places, from ten-thousandths */
static char *put_fixed4(char *p, int64_t v)
{
	if (v < 0) {
		*p++ = '-';
		v = -v;
	}
	p = put_u64(p, (uint64_t)v / 10000);
	*p++ = '.';
	unsigned frac = (unsigned)((uint64_t)v % 10000);
	*p++ = (char)('0' + frac / 1000);
	*p++ = (char)('0' + frac / 100 % 10);
	*p++ = (char)('0' + frac / 10 % 10);
	*p++ = (char)('0' + frac % 10);
	return p;
}

static int parse_count(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v == 0 || v > 2000000000ULL)
		return -1;
	*out = v;
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
	        "usage: fcat-bench-gen-pit [--rows N] [--entities M] [--users U] [--seed S] "
	        "FEATURES.csv ENTITIES.csv\n");
	exit(2);
}

static FILE *open_out(const char *path)
{
	FILE *f = fopen(path, "wb");
	if (!f) {
		fprintf(stderr, "fcat-bench-gen-pit: cannot create %s: %s\n", path,
		        strerror(errno));
		exit(1);
	}
	return f;
}

static void close_out(struct out *o)
{
	out_flush(o);
	if (fclose(o->f) != 0) {
		fprintf(stderr, "fcat-bench-gen-pit: closing %s: %s\n", o->path, strerror(errno));
		exit(1);
	}
}

int main(int argc, char **argv)
{
	uint64_t rows = 10000000, ents = 1000000, seed = 1, nusers = 0;
	const char *paths[2];
	int npaths = 0;
	for (int i = 1; i < argc; i++) {
		uint64_t *dst = NULL;
		if (!strcmp(argv[i], "--rows"))
			dst = &rows;
		else if (!strcmp(argv[i], "--entities"))
			dst = &ents;
		else if (!strcmp(argv[i], "--seed"))
			dst = &seed;
		else if (!strcmp(argv[i], "--users"))
			dst = &nusers;
		if (dst) {
			if (i + 1 >= argc || parse_count(argv[i + 1], dst) != 0) {
				fprintf(stderr,
				        "fcat-bench-gen-pit: %s needs a count from 1 to "
				        "2000000000\n",
				        argv[i]);
				return 2;
			}
			i++;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			usage();
		} else if (npaths < 2) {
			paths[npaths++] = argv[i];
		} else {
			usage();
		}
	}
	if (npaths != 2)
		usage();

	uint64_t x = seed;
	for (int i = 0; i < 4; i++)
		rng_g.s[i] = xoshiro_splitmix64(&x);
	init_days();

	uint32_t users = (uint32_t)(nusers ? nusers : rows / 10 ? rows / 10 : 1);
	/* every row's user and times, for the repeats and the entity times;
	 * group[i] is the first row of i's (user, event time) group */
	uint32_t *user = malloc(rows * sizeof *user);
	uint32_t *ts = malloc(rows * sizeof *ts);
	uint32_t *created = malloc(rows * sizeof *created);
	uint32_t *group = malloc(rows * sizeof *group);
	char *buf = malloc(OUTBUF);
	if (!user || !ts || !created || !group || !buf) {
		fprintf(stderr, "fcat-bench-gen-pit: out of memory\n");
		return 1;
	}

	struct out o = {open_out(paths[0]), paths[0], buf, 0};
	const char fhead[] = "user_id,event_timestamp,created_at,f_int,f_float,f_str\n";
	memcpy(out_room(&o), fhead, sizeof fhead - 1);
	o.len += sizeof fhead - 1;
	for (uint64_t i = 0; i < rows; i++) {
		if (i > 0 && rng_below(100) == 0) {
			/* a repeat of an earlier (user, event time), created later than
			 * every earlier row of its group */
			uint32_t g = group[rng_below((uint32_t)i)];
			user[i] = user[g];
			ts[i] = ts[g];
			created[i] = created[g] + 1 + rng_below(60);
			created[g] = created[i];
			group[i] = g;
		} else {
			user[i] = rng_below(users);
			ts[i] = rng_below(SPAN_DAYS * DAY_S);
			created[i] = ts[i] + rng_below(3601);
			group[i] = (uint32_t)i;
		}
		char *p = out_room(&o), *p0 = p;
		p = put_user(p, user[i]);
		*p++ = ',';
		p = put_ts(p, ts[i]);
		*p++ = ',';
		p = put_ts(p, created[i]);
		*p++ = ',';
		p = put_i64(p, (int64_t)rng_below(101001) - 1000);
		*p++ = ',';
		if (rng_below(200))
			p = put_fixed4(p, (int64_t)rng_below(2000000001) - 1000000000);
		*p++ = ',';
		if (rng_below(200)) {
			p = put_str(p, "cat_", 4);
			p = put_u64(p, rng_below(1000));
		}
		*p++ = '\n';
		o.len += (size_t)(p - p0);
	}
	close_out(&o);
	free(group);
	free(created);

	o = (struct out){open_out(paths[1]), paths[1], buf, 0};
	const char ehead[] = "user_id,event_timestamp,label\n";
	memcpy(out_room(&o), ehead, sizeof ehead - 1);
	o.len += sizeof ehead - 1;
	for (uint64_t i = 0; i < ents; i++) {
		uint32_t kind = rng_below(100), u, t;
		if (kind < 10) {
			/* at a feature row's event time, or exactly one ttl later */
			uint32_t j = rng_below((uint32_t)rows);
			u = user[j];
			t = ts[j] + (kind < 5 ? 0 : TTL_S);
		} else if (kind < 12) {
			u = users + rng_below(users); /* no feature rows */
			t = rng_below(SPAN_DAYS * DAY_S);
		} else {
			u = rng_below(users);
			t = rng_below(SPAN_DAYS * DAY_S);
		}
		char *p = out_room(&o), *p0 = p;
		p = put_user(p, u);
		*p++ = ',';
		p = put_ts(p, t);
		*p++ = ',';
		*p++ = (char)('0' + rng_below(2));
		*p++ = '\n';
		o.len += (size_t)(p - p0);
	}
	close_out(&o);
	free(ts);
	free(user);
	free(buf);
	return 0;
}
