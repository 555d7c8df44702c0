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

#include "gen_csv.h"

#define SPAN_DAYS 90
#define DAY_S     GEN_DAY_S
#define TTL_S     (7u * DAY_S)
#define NDAYS     (SPAN_DAYS + 8) /* room for ttl-later entity times and created */

static char *put_i64(char *p, int64_t v)
{
	if (v < 0) {
		*p++ = '-';
		return gen_put_u64(p, (uint64_t)0 - (uint64_t)v);
	}
	return gen_put_u64(p, (uint64_t)v);
}

/* a fixed-point decimal with 4 places, from ten-thousandths */
static char *put_fixed4(char *p, int64_t v)
{
	if (v < 0) {
		*p++ = '-';
		v = -v;
	}
	p = gen_put_u64(p, (uint64_t)v / 10000);
	*p++ = '.';
	unsigned frac = (unsigned)((uint64_t)v % 10000);
	*p++ = (char)('0' + frac / 1000);
	*p++ = (char)('0' + frac / 100 % 10);
	*p++ = (char)('0' + frac / 10 % 10);
	*p++ = (char)('0' + frac % 10);
	return p;
}

int main(int argc, char **argv)
{
	gen_prog = "fcat-bench-gen-pit";
	uint64_t rows = 10000000, ents = 1000000, seed = 1, nusers = 0;
	const char *paths[2];
	const gen_opt opts[] = {{"--rows", &rows},
	                        {"--entities", &ents},
	                        {"--seed", &seed},
	                        {"--users", &nusers},
	                        {NULL, NULL}};
	gen_args(argc, argv, opts, paths,
	         "fcat-bench-gen-pit [--rows N] [--entities M] [--users U] [--seed S] FEATURES.csv "
	         "ENTITIES.csv");

	gen_seed(seed);
	gen_init_days(NDAYS);

	uint32_t users = (uint32_t)(nusers ? nusers : rows / 10 ? rows / 10 : 1);
	/* every row's user and times, for the repeats and the entity times;
	 * group[i] is the first row of i's (user, event time) group */
	uint32_t *user = malloc(rows * sizeof *user);
	uint32_t *ts = malloc(rows * sizeof *ts);
	uint32_t *created = malloc(rows * sizeof *created);
	uint32_t *group = malloc(rows * sizeof *group);
	if (!user || !ts || !created || !group) {
		fprintf(stderr, "fcat-bench-gen-pit: out of memory\n");
		return 1;
	}

	gen_out o;
	gen_open(&o, paths[0]);
	gen_line(&o, "user_id,event_timestamp,created_at,f_int,f_float,f_str\n");
	for (uint64_t i = 0; i < rows; i++) {
		if (i > 0 && gen_below(100) == 0) {
			/* a repeat of an earlier (user, event time), created later than
			 * every earlier row of its group */
			uint32_t g = group[gen_below((uint32_t)i)];
			user[i] = user[g];
			ts[i] = ts[g];
			created[i] = created[g] + 1 + gen_below(60);
			created[g] = created[i];
			group[i] = g;
		} else {
			user[i] = gen_below(users);
			ts[i] = gen_below(SPAN_DAYS * DAY_S);
			created[i] = ts[i] + gen_below(3601);
			group[i] = (uint32_t)i;
		}
		char *p = gen_room(&o), *p0 = p;
		p = gen_put_user(p, user[i]);
		*p++ = ',';
		p = gen_put_ts(p, ts[i]);
		*p++ = ',';
		p = gen_put_ts(p, created[i]);
		*p++ = ',';
		p = put_i64(p, (int64_t)gen_below(101001) - 1000);
		*p++ = ',';
		if (gen_below(200))
			p = put_fixed4(p, (int64_t)gen_below(2000000001) - 1000000000);
		*p++ = ',';
		if (gen_below(200)) {
			p = gen_put_str(p, "cat_", 4);
			p = gen_put_u64(p, gen_below(1000));
		}
		*p++ = '\n';
		o.len += (size_t)(p - p0);
	}
	gen_close(&o);
	free(group);
	free(created);

	gen_open(&o, paths[1]);
	gen_line(&o, "user_id,event_timestamp,label\n");
	for (uint64_t i = 0; i < ents; i++) {
		uint32_t kind = gen_below(100), u, t;
		if (kind < 10) {
			/* at a feature row's event time, or exactly one ttl later */
			uint32_t j = gen_below((uint32_t)rows);
			u = user[j];
			t = ts[j] + (kind < 5 ? 0 : TTL_S);
		} else if (kind < 12) {
			u = users + gen_below(users); /* no feature rows */
			t = gen_below(SPAN_DAYS * DAY_S);
		} else {
			u = gen_below(users);
			t = gen_below(SPAN_DAYS * DAY_S);
		}
		char *p = gen_room(&o), *p0 = p;
		p = gen_put_user(p, u);
		*p++ = ',';
		p = gen_put_ts(p, t);
		*p++ = ',';
		*p++ = (char)('0' + gen_below(2));
		*p++ = '\n';
		o.len += (size_t)(p - p0);
	}
	gen_close(&o);
	free(ts);
	free(user);
	return 0;
}
