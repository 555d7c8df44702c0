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

#include "gen_csv.h"

#define SPAN_DAYS 60
#define HOUR_S    3600u
#define DAY_S     GEN_DAY_S
#define NDAYS     (SPAN_DAYS + 8) /* room for entity times a week after an event */

/* cents as "D.CC" */
static char *put_cents(char *p, uint32_t v)
{
	p = gen_put_u64(p, v / 100);
	*p++ = '.';
	return gen_put_2(p, v % 100);
}

int main(int argc, char **argv)
{
	gen_prog = "fcat-bench-gen-agg";
	uint64_t events = 10000000, ents = 1000000, users = 100000, seed = 1;
	const char *paths[2];
	const gen_opt opts[] = {{"--events", &events},
	                        {"--entities", &ents},
	                        {"--users", &users},
	                        {"--seed", &seed},
	                        {NULL, NULL}};
	gen_args(argc, argv, opts, paths,
	         "fcat-bench-gen-agg [--events N] [--entities M] [--users U] [--seed S] EVENTS.csv "
	         "ENTITIES.csv");

	gen_seed(seed);
	gen_init_days(NDAYS);

	/* every event's user and time, for the entity rows at the edges */
	uint32_t *user = malloc(events * sizeof *user);
	uint32_t *ts = malloc(events * sizeof *ts);
	if (!user || !ts) {
		fprintf(stderr, "fcat-bench-gen-agg: out of memory\n");
		return 1;
	}

	gen_out o;
	gen_open(&o, paths[0]);
	gen_line(&o, "user_id,event_timestamp,amount\n");
	for (uint64_t i = 0; i < events; i++) {
		user[i] = gen_below((uint32_t)users);
		ts[i] = gen_below(SPAN_DAYS * DAY_S);
		char *p = gen_room(&o), *p0 = p;
		p = gen_put_user(p, user[i]);
		*p++ = ',';
		p = gen_put_ts(p, ts[i]);
		*p++ = ',';
		p = put_cents(p, 1 + gen_below(99999));
		*p++ = '\n';
		o.len += (size_t)(p - p0);
	}
	gen_close(&o);

	gen_open(&o, paths[1]);
	gen_line(&o, "user_id,event_timestamp\n");
	for (uint64_t i = 0; i < ents; i++) {
		uint32_t kind = gen_below(100), u, t;
		if (kind < 10) {
			/* at an event's time, or exactly one window after it */
			uint32_t j = gen_below((uint32_t)events);
			u = user[j];
			t = ts[j] + (kind < 3   ? 0
			             : kind < 5 ? HOUR_S
			             : kind < 7 ? DAY_S
			                        : 7 * DAY_S);
		} else if (kind < 12) {
			u = (uint32_t)users + gen_below((uint32_t)users); /* no events */
			t = gen_below(SPAN_DAYS * DAY_S);
		} else {
			u = gen_below((uint32_t)users);
			t = gen_below(SPAN_DAYS * DAY_S);
		}
		char *p = gen_room(&o), *p0 = p;
		p = gen_put_user(p, u);
		*p++ = ',';
		p = gen_put_ts(p, t);
		*p++ = '\n';
		o.len += (size_t)(p - p0);
	}
	gen_close(&o);
	free(ts);
	free(user);
	return 0;
}
