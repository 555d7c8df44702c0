/* bench_agg_push.c - fcat-bench-agg-push: push throughput of events into an
 * aggregated view's tiles in LMDB (fcat_push, online), beside the same
 * events pushed into a plain latest-row view.
 *
 * fcat-bench-agg-push [--events 1000000] [--users 100000] [--rounds 3]
 *                     [--batches 1000,10000] [--only agg|plain] [--keep DIR]
 *
 * The repo has one entity (user, user_id string) and two CSV sources of
 * the same schema (user_id, event_timestamp, amount float64), each with a
 * push source: `events` feeds `w`, the view of issue 14
 * (aggregation_interval = hours(1); count over 1 hour, 1 day, 7 days; sum
 * and mean of amount over 7 days), `plain_events` feeds `p`, a plain view
 * of amount (the latest row per user). The events (deterministic): users
 * uniform over --users, times uniform over 6 days from
 * 2026-01-01T00:00:00Z, amounts with two decimals; pushed in time order,
 * and shuffled. For each batch size, each order and each round, each view
 * gets every event from an empty store (the LMDB directory removed, the
 * store opened again, untimed), in fcat_push calls of that many rows,
 * `to` online; the time of all the calls gives events/s. The aggregated
 * and plain runs alternate, so that both see the same machine. After the
 * first round of each case the store is checked: for w, every user's
 * count_7d read at the end of the 6 days is the user's number of events
 * (they sum to --events; NOT_FOUND for a user without any); for p, every
 * user that has events is PRESENT.
 * Then the median over rounds of each figure, and the ratio. --only runs one
 * of the views (to profile it alone; no ratio then). The last line:
 *   RESULT case=<order>_<batch> agg_eps=... plain_eps=... ratio=... (one per case)
 */
#include "bench_fcat.h"
#include "bench_util.h"
#include "fcat.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define SEED       0xb0057ULL
#define T0_SECONDS 1767225600LL /* 2026-01-01T00:00:00Z */
#define SPAN_S     (6 * 86400)

static const char catalog_lua[] =
    "-- bench.lua - the aggregation push benchmark: the view of issue 14 and a plain peer.\n"
    "entity { name = 'user', join_keys = { field('user_id', string) } }\n"
    "source { name = 'events', path = 'data/events.csv', timestamp_field = 'event_timestamp',\n"
    "  schema = { field('user_id', string), field('event_timestamp', timestamp),\n"
    "             field('amount', float64) } }\n"
    "push_source { name = 'events_push', batch_source = 'events' }\n"
    "source { name = 'plain_events', path = 'data/plain.csv',\n"
    "  timestamp_field = 'event_timestamp',\n"
    "  schema = { field('user_id', string), field('event_timestamp', timestamp),\n"
    "             field('amount', float64) } }\n"
    "push_source { name = 'plain_push', batch_source = 'plain_events' }\n"
    "feature_view { name = 'w', entities = { 'user' }, source = 'events', online = true,\n"
    "  aggregation_interval = hours(1),\n"
    "  aggregations = {\n"
    "    { fn = 'count', window = hours(1), name = 'count_1h' },\n"
    "    { fn = 'count', window = days(1), name = 'count_1d' },\n"
    "    { fn = 'count', window = days(7), name = 'count_7d' },\n"
    "    { column = 'amount', fn = 'sum', window = days(7), name = 'amount_sum_7d' },\n"
    "    { column = 'amount', fn = 'mean', window = days(7), name = 'amount_mean_7d' },\n"
    "  } }\n"
    "feature_view { name = 'p', entities = { 'user' }, source = 'plain_events', online = true,\n"
    "  schema = { field('amount', float64) } }\n";

static void write_repo(const char *root)
{
	bench_make_dir(root, "catalog");
	bench_make_dir(root, "data");
	FILE *f = bench_create(root, "fcat.yaml");
	fputs("project: bench_agg_push\n"
	      "online_store:\n  plugin: lmdb\n  path: data/online.lmdb\n",
	      f);
	bench_finish(f, "fcat.yaml");
	bench_write_catalog(root, catalog_lua);
	f = bench_create(root, "data/events.csv");
	fputs("user_id,event_timestamp,amount\n", f);
	bench_finish(f, "data/events.csv");
	f = bench_create(root, "data/plain.csv");
	fputs("user_id,event_timestamp,amount\n", f);
	bench_finish(f, "data/plain.csv");
}

/* The events: one column each, and the order they are pushed in. */
typedef struct events {
	size_t n;
	fcat_value *user, *ts, *amount;       /* in time order */
	fcat_value *s_user, *s_ts, *s_amount; /* shuffled */
	uint32_t *per_user;
} events;

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static void make_events(events *e, const char *ids, long users, size_t n)
{
	/* (time << 20 | index) sorted: time order, ties by generation order */
	int64_t *order = malloc(n * sizeof *order);
	uint32_t *u = malloc(n * sizeof *u), *cents = malloc(n * sizeof *cents);
	e->n = n;
	e->user = malloc(n * sizeof(fcat_value));
	e->ts = malloc(n * sizeof(fcat_value));
	e->amount = malloc(n * sizeof(fcat_value));
	e->s_user = malloc(n * sizeof(fcat_value));
	e->s_ts = malloc(n * sizeof(fcat_value));
	e->s_amount = malloc(n * sizeof(fcat_value));
	e->per_user = calloc((size_t)users, sizeof *e->per_user);
	if (!order || !u || !cents || !e->user || !e->ts || !e->amount || !e->s_user || !e->s_ts ||
	    !e->s_amount || !e->per_user)
		bench_die("out of memory");
	if (n >= (1u << 24))
		bench_die("--events is at most %u", (1u << 24) - 1);
	uint64_t g = SEED;
	for (size_t i = 0; i < n; i++) {
		u[i] = bench_rng_below(&g, (uint32_t)users);
		cents[i] = 1 + bench_rng_below(&g, 99999);
		order[i] = ((int64_t)bench_rng_below(&g, SPAN_S) << 24) | (int64_t)i;
		e->per_user[u[i]]++;
	}
	qsort(order, n, sizeof *order, cmp_i64);
	for (size_t k = 0; k < n; k++) {
		size_t i = (size_t)(order[k] & ((1 << 24) - 1));
		int64_t sec = T0_SECONDS + (order[k] >> 24);
		e->user[k] = (fcat_value){.type = {FCAT_STRING, false, 0},
		                          .u.str = {ids + (size_t)u[i] * 16, 8}};
		e->ts[k] = (fcat_value){.type = {FCAT_TIMESTAMP, false, 0}, .u.ts = sec * 1000000};
		e->amount[k] = (fcat_value){.type = {FCAT_FLOAT64, false, 0},
		                            .u.f64 = (double)cents[i] / 100.0};
	}
	/* shuffled: Fisher-Yates over a copy */
	memcpy(e->s_user, e->user, n * sizeof(fcat_value));
	memcpy(e->s_ts, e->ts, n * sizeof(fcat_value));
	memcpy(e->s_amount, e->amount, n * sizeof(fcat_value));
	for (size_t k = n - 1; k > 0; k--) {
		size_t j = bench_rng_below(&g, (uint32_t)(k + 1));
		fcat_value t;
		t = e->s_user[k], e->s_user[k] = e->s_user[j], e->s_user[j] = t;
		t = e->s_ts[k], e->s_ts[k] = e->s_ts[j], e->s_ts[j] = t;
		t = e->s_amount[k], e->s_amount[k] = e->s_amount[j], e->s_amount[j] = t;
	}
	free(order);
	free(u);
	free(cents);
}

/* Pushes every event into an empty store, `batch` per call; the seconds
 * of the calls. The store is left open in *out for the check. */
static double push_all(fcat_store **out, const char *root, const events *e, bool shuffled, bool agg,
                       size_t batch)
{
	char path[8192];
	snprintf(path, sizeof path, "%s/data/online.lmdb", root);
	if (bench_rm_tree(path) != 0)
		bench_die("cannot remove %s", path);
	fcat_store *s = bench_open_store(root);
	const fcat_value *cu = shuffled ? e->s_user : e->user;
	const fcat_value *ct = shuffled ? e->s_ts : e->ts;
	const fcat_value *ca = shuffled ? e->s_amount : e->amount;
	const char *src = agg ? "events_push" : "plain_push";
	uint64_t ns = 0;
	for (size_t off = 0; off < e->n; off += batch) {
		size_t m = e->n - off < batch ? e->n - off : batch;
		fcat_push_column cols[] = {
		    {"user_id", cu + off}, {"event_timestamp", ct + off}, {"amount", ca + off}};
		fcat_push_stats st;
		uint64_t t0 = bench_now_ns();
		int rc = fcat_push(&st, s, src, cols, 3, m, NULL);
		ns += bench_now_ns() - t0;
		bench_fcat_check(rc, "fcat_push");
		if (st.rows != m)
			bench_die("fcat_push pushed %llu rows of %zu", (unsigned long long)st.rows,
			          m);
	}
	*out = s;
	return (double)ns / 1e9;
}

/* After a run: every user's count_7d (w), or PRESENT (p), at the end of
 * the span. */
static void check_store(fcat_store *s, const fcat_value *keys, long users, const events *e,
                        bool agg)
{
	const char *refs_w[] = {"w:count_7d"}, *refs_p[] = {"p:amount"};
	fcat_feature_set *set;
	fcat_online_result *res;
	bench_fcat_check(fcat_feature_set_new(&set, s, agg ? refs_w : refs_p, 1),
	                 "fcat_feature_set_new");
	bench_fcat_check(fcat_online_result_new(&res), "fcat_online_result_new");
	fcat_read_options ro = FCAT_READ_OPTIONS_INIT;
	ro.now = (T0_SECONDS + SPAN_S) * 1000000;
	uint64_t total = 0;
	for (long u = 0; u < users; u++) {
		bench_fcat_check(fcat_online_read(res, s, set, keys + u, 1, &ro),
		                 "fcat_online_read");
		const fcat_feature_value *v = fcat_online_result_at(res, 0, 0);
		if (agg && !e->per_user[u]) {
			if (v->status != FCAT_STATUS_NOT_FOUND)
				bench_die("user %ld: count_7d %s without events", u + 1,
				          fcat_status_name(v->status));
		} else if (agg) {
			if (v->status != FCAT_STATUS_PRESENT || v->value.u.i64 != e->per_user[u])
				bench_die("user %ld: count_7d %s %lld, pushed %u events", u + 1,
				          fcat_status_name(v->status), (long long)v->value.u.i64,
				          e->per_user[u]);
			total += (uint64_t)v->value.u.i64;
		} else if (e->per_user[u] && v->status != FCAT_STATUS_PRESENT) {
			bench_die("user %ld: plain amount %s after a push", u + 1,
			          fcat_status_name(v->status));
		}
	}
	if (agg && total != e->n)
		bench_die("count_7d sums to %llu over the users, %zu events pushed",
		          (unsigned long long)total, e->n);
	fcat_online_result_free(res);
	fcat_feature_set_free(set);
}

int main(int argc, char **argv)
{
	bench_init("fcat-bench-agg-push", 1);
	const char *keep = NULL, *batches = "1000,10000", *only = NULL;
	long nevents = 1000000, users = 100000, nrounds = 3;
	const bench_opt opts[] = {{"--events", &nevents, 16000000, NULL, NULL},
	                          {"--users", &users, 9999999, NULL, NULL},
	                          {"--rounds", &nrounds, 1000, NULL, NULL},
	                          {"--batches", NULL, 0, &batches, NULL},
	                          {"--only", NULL, 0, &only, NULL},
	                          {"--keep", NULL, 0, &keep, NULL},
	                          {NULL, NULL, 0, NULL, NULL}};
	bench_parse_options(argc, argv, opts,
	                    "[--events N] [--users N] [--rounds N] [--batches B,B...] "
	                    "[--only agg|plain] [--keep DIR]");
	if (only && strcmp(only, "agg") && strcmp(only, "plain"))
		bench_die("--only is agg or plain, not '%s'", only);
	bool do_agg = !only || !strcmp(only, "agg"), do_plain = !only || !strcmp(only, "plain");
	long blist[16];
	int nb = 0;
	for (const char *p = batches; *p && nb < 16;) {
		char num[32];
		size_t len = strcspn(p, ",");
		if (len == 0 || len >= sizeof num)
			bench_die("--batches is a list of counts, not '%s'", batches);
		memcpy(num, p, len);
		num[len] = 0;
		blist[nb++] = bench_parse_count(num, "--batches", 1000000);
		p += len + (p[len] == ',');
	}

	char root[4096];
	bench_make_root(root, sizeof root, keep, "fcat-bench-agg-push");
	if (!keep)
		bench_remove_on_die(root);
	write_repo(root);
	char *ids = malloc((size_t)users * 16);
	fcat_value *keys = malloc((size_t)users * sizeof *keys);
	double *v = malloc((size_t)nrounds * 2 * sizeof *v);
	if (!ids || !keys || !v)
		bench_die("out of memory");
	for (long u = 0; u < users; u++) {
		snprintf(ids + u * 16, 16, "u%07d", (int)(u + 1));
		keys[u] = (fcat_value){.type = {FCAT_STRING, false, 0}, .u.str = {ids + u * 16, 8}};
	}
	events e;
	make_events(&e, ids, users, (size_t)nevents);
	printf("libfcat %s, LMDB, %ld events over %ld users in 6 days, %ld rounds\n",
	       fcat_version(), nevents, users, nrounds);

	char results[16][2][160];
	for (int b = 0; b < nb; b++)
		for (int sh = 0; sh < 2; sh++) {
			const char *order = sh ? "shuffled" : "time order";
			double *agg = v, *plain = v + nrounds;
			for (long r = 0; r < nrounds; r++) {
				fcat_store *s;
				agg[r] = plain[r] = 0;
				if (do_agg) {
					agg[r] = (double)nevents /
					         push_all(&s, root, &e, sh, true, (size_t)blist[b]);
					if (r == 0)
						check_store(s, keys, users, &e, true);
					fcat_store_free(s);
				}
				if (do_plain) {
					plain[r] =
					    (double)nevents /
					    push_all(&s, root, &e, sh, false, (size_t)blist[b]);
					if (r == 0)
						check_store(s, keys, users, &e, false);
					fcat_store_free(s);
				}
				printf(
				    "%s, %ld per push, round %ld: aggregated %.0f events/s, plain "
				    "%.0f events/s\n",
				    order, blist[b], r + 1, agg[r], plain[r]);
				fflush(stdout);
			}
			double ma = bench_median(agg, (size_t)nrounds);
			double mp = bench_median(plain, (size_t)nrounds);
			snprintf(results[b][sh], sizeof results[b][sh],
			         "%-10s %6ld per push: aggregated %9.0f events/s, plain %9.0f "
			         "events/s, plain/aggregated %.2fx",
			         order, blist[b], ma, mp, mp / ma);
			printf("RESULT case=%s_%ld agg_eps=%.0f plain_eps=%.0f ratio=%.3f\n",
			       sh ? "shuffled" : "time", blist[b], ma, mp, mp / ma);
		}
	printf("--- medians of %ld rounds\n", nrounds);
	for (int b = 0; b < nb; b++)
		for (int sh = 0; sh < 2; sh++)
			printf("%s\n", results[b][sh]);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("peak RSS of the process: %.1f MiB\n", (double)ru.ru_maxrss / 1024);

	free(ids);
	free(keys);
	free(v);
	if (!keep && bench_rm_tree(root) != 0)
		bench_die("cannot remove %s", root);
	return 0;
}
