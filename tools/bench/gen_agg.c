/* gen_agg.c - fcat-bench-gen-agg: writes a deterministic event log and entity file for the
 * window aggregation benchmark.
 *
 * fcat-bench-gen-agg [--events N] [--entities M] [--users U] [--seed S] EVENTS.csv ENTITIES.csv
 *
 * EVENTS.csv (N rows, default 10,000,000): user_id,event_timestamp,amount;
 * users uniform over U (default 100,000; "u" and at least 7 digits), event
 * times uniform over 60 days from 2025-10-01T00:00:00Z in no particular
 * order (one second resolution, so some events of a user share a time),
 * amounts from 0.01 to 999.99 with two decimals (never null).
 *
 * ENTITIES.csv (M rows, default 1,000,000): user_id,event_timestamp; 3% at
 * an event's exact time (its user: the event is in every window), 2% at an
 * event's time plus exactly 1 hour, 2% plus exactly 1 day, 3% plus exactly
 * 7 days (the event just out of that window), 2% users that have no
 * events, the rest a known user at a uniform time over the 60 days. Times
 * are RFC 3339 in UTC. The same arguments write the same bytes.
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
#define SPAN_DAYS   60
#define HOUR_S      3600u
#define DAY_S       86400u
#define NDAYS       (SPAN_DAYS + 8) /* room for entity times a week after an event */
#define OUTBUF      (1u << 22)

static xoshiro rng_g;

/* uniform in [0, n) */
static uint32_t rng_below(uint32_t n)
{
	return (uint32_t)(((xoshiro_next(&rng_g) >> 32) * (uint64_t)n) >> 32);
}

struct out {
	FILE *f;
	const char *path;
	char *buf;
	size_t len;
};

static void out_flush(struct out *o)
{
	if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len) {
		fprintf(stderr, "fcat-bench-gen-agg: writing %s: %s\n", o->path, strerror(errno));
		exit(1);
	}
	o->len = 0;
}

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

static char day_text[NDAYS][11];

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
		fprintf(stderr, "fcat-bench-gen-agg: time offset %u past the table\n", off);
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

/* cents as "D.CC" */
static char *put_cents(char *p, uint32_t v)
{
	p = put_u64(p, v / 100);
	*p++ = '.';
	return put_2(p, v % 100);
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
	fprintf(stderr, "usage: fcat-bench-gen-agg [--events N] [--entities M] [--users U] "
	                "[--seed S] EVENTS.csv ENTITIES.csv\n");
	exit(2);
}

static FILE *open_out(const char *path)
{
	FILE *f = fopen(path, "wb");
	if (!f) {
		fprintf(stderr, "fcat-bench-gen-agg: cannot create %s: %s\n", path,
		        strerror(errno));
		exit(1);
	}
	return f;
}

static void close_out(struct out *o)
{
	out_flush(o);
	if (fclose(o->f) != 0) {
		fprintf(stderr, "fcat-bench-gen-agg: closing %s: %s\n", o->path, strerror(errno));
		exit(1);
	}
}

int main(int argc, char **argv)
{
	uint64_t events = 10000000, ents = 1000000, users = 100000, seed = 1;
	const char *paths[2];
	int npaths = 0;
	for (int i = 1; i < argc; i++) {
		uint64_t *dst = NULL;
		if (!strcmp(argv[i], "--events"))
			dst = &events;
		else if (!strcmp(argv[i], "--entities"))
			dst = &ents;
		else if (!strcmp(argv[i], "--users"))
			dst = &users;
		else if (!strcmp(argv[i], "--seed"))
			dst = &seed;
		if (dst) {
			if (i + 1 >= argc || parse_count(argv[i + 1], dst) != 0) {
				fprintf(stderr,
				        "fcat-bench-gen-agg: %s needs a count from 1 to "
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

	/* every event's user and time, for the entity rows at the edges */
	uint32_t *user = malloc(events * sizeof *user);
	uint32_t *ts = malloc(events * sizeof *ts);
	char *buf = malloc(OUTBUF);
	if (!user || !ts || !buf) {
		fprintf(stderr, "fcat-bench-gen-agg: out of memory\n");
		return 1;
	}

	struct out o = {open_out(paths[0]), paths[0], buf, 0};
	const char ehead[] = "user_id,event_timestamp,amount\n";
	memcpy(out_room(&o), ehead, sizeof ehead - 1);
	o.len += sizeof ehead - 1;
	for (uint64_t i = 0; i < events; i++) {
		user[i] = rng_below((uint32_t)users);
		ts[i] = rng_below(SPAN_DAYS * DAY_S);
		char *p = out_room(&o), *p0 = p;
		p = put_user(p, user[i]);
		*p++ = ',';
		p = put_ts(p, ts[i]);
		*p++ = ',';
		p = put_cents(p, 1 + rng_below(99999));
		*p++ = '\n';
		o.len += (size_t)(p - p0);
	}
	close_out(&o);

	o = (struct out){open_out(paths[1]), paths[1], buf, 0};
	const char nhead[] = "user_id,event_timestamp\n";
	memcpy(out_room(&o), nhead, sizeof nhead - 1);
	o.len += sizeof nhead - 1;
	for (uint64_t i = 0; i < ents; i++) {
		uint32_t kind = rng_below(100), u, t;
		if (kind < 10) {
			/* at an event's time, or exactly one window after it */
			uint32_t j = rng_below((uint32_t)events);
			u = user[j];
			t = ts[j] + (kind < 3 ? 0 : kind < 5 ? HOUR_S : kind < 7 ? DAY_S : 7 * DAY_S);
		} else if (kind < 12) {
			u = (uint32_t)users + rng_below((uint32_t)users); /* no events */
			t = rng_below(SPAN_DAYS * DAY_S);
		} else {
			u = rng_below((uint32_t)users);
			t = rng_below(SPAN_DAYS * DAY_S);
		}
		char *p = out_room(&o), *p0 = p;
		p = put_user(p, u);
		*p++ = ',';
		p = put_ts(p, t);
		*p++ = '\n';
		o.len += (size_t)(p - p0);
	}
	close_out(&o);
	free(ts);
	free(user);
	free(buf);
	return 0;
}
