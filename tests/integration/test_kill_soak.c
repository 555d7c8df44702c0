/* test_kill_soak.c - crash safety, measured: `fcat materialize` killed with
 * SIGKILL at random moments, again and again, on LMDB, SQLite and Redis,
 * while reader threads read every key. Each generation g of the source
 * gives every user total_conversations = g at event time base + g s, so a
 * row that mixes two generations (a torn row) is seen at once. After each
 * kill the next materialize completes and every key holds the generation
 * just written, as a clean run gives; two materialize runs of one view at
 * once end the same way. The summary line gives kills, reads and torn rows. */
#include "redis_server.h"
#include "testutil.h"

#include "fcat.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define USERS   10000
#define KILLS   17 /* per backend: 51 in all, three backends */
#define READERS 2

extern char **environ;

typedef struct soak {
	char *parent, *repo;
	int64_t base_us; /* generation g's rows are at base + g seconds */
	fcat_store *store;
	fcat_feature_set *set;
	atomic_bool stop;
	atomic_long reads, rows, torn, missing;
	atomic_int floor; /* the oldest generation a reader may still see */
	char torn_example[256];
} soak;

static void write_generation(soak *s, int g)
{
	size_t cap = (size_t)USERS * 64 + 256, n = 0;
	char *text = malloc(cap), when[40];
	fcat_timestamp_format(when, sizeof when, s->base_us + (int64_t)g * 1000000);
	n += (size_t)snprintf(text, cap,
	                      "user_id,event_timestamp,created_at,total_conversations,"
	                      "avg_response_rating,preferred_language,user_embedding\n");
	for (int u = 0; u < USERS; u++)
		n += (size_t)snprintf(text + n, cap - n, "u%05d,%s,%s,%d,4.5,en,\n", u, when, when,
		                      g);
	test_write_file(s->repo, "data/conversations.csv", text);
	free(text);
}

/* `fcat materialize` as a child process (the store's operator). */
static pid_t start_materialize(const soak *s)
{
	const char *argv[] = {
	    FCAT_CLI_PATH,          "--repo", s->repo, "--as", "fcat-operator", "materialize",
	    "2020-01-01T00:00:00Z", "now",    NULL};
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	pid_t pid;
	if (posix_spawn(&pid, FCAT_CLI_PATH, &fa, NULL, (char *const *)argv, environ) != 0)
		fail_msg("cannot start %s", FCAT_CLI_PATH);
	posix_spawn_file_actions_destroy(&fa);
	return pid;
}

static int wait_for(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Reads users [from, from + n) and checks each row is whole: its value and
 * its time of one generation, not older than the floor. Returns the
 * generation every row held, or -1 when they differ. */
static int check_rows(soak *s, fcat_online_result *res, int from, int n)
{
	/* the floor as it was before the read: a row read before a newer run
	 * completed may be older than the floor set after it */
	int floor = atomic_load(&s->floor);
	fcat_value keys[256];
	char ids[256][8];
	for (int i = 0; i < n; i++) {
		snprintf(ids[i], sizeof ids[i], "u%05d", (from + i) % USERS);
		keys[i] = (fcat_value){.type = {FCAT_STRING, false, 0}, .u.str = {ids[i], 6}};
	}
	if (fcat_online_read(res, s->store, s->set, keys, (size_t)n, NULL) != 0)
		fail_msg("read: %s", fcat_error_last());
	atomic_fetch_add(&s->reads, 1);
	atomic_fetch_add(&s->rows, n);
	int all = -2;
	for (int i = 0; i < n; i++) {
		const fcat_feature_value *v = fcat_online_result_at(res, (size_t)i, 0);
		if (v->status != FCAT_STATUS_PRESENT) {
			atomic_fetch_add(&s->missing, 1);
			all = -1;
			continue;
		}
		int64_t g_time = (v->event_ts - s->base_us) / 1000000;
		if (v->value.u.i64 != g_time || g_time < floor) {
			if (atomic_fetch_add(&s->torn, 1) == 0)
				snprintf(s->torn_example, sizeof s->torn_example,
				         "%s: total %lld at generation time %lld (floor %d)",
				         ids[i], (long long)v->value.u.i64, (long long)g_time,
				         floor);
			all = -1;
			continue;
		}
		all = all == -2 || all == (int)g_time ? (int)g_time : -1;
	}
	return all;
}

static void *reader(void *arg)
{
	soak *s = arg;
	fcat_online_result *res;
	if (fcat_online_result_new(&res) != 0)
		return NULL;
	unsigned seed = (unsigned)(uintptr_t)&res;
	while (!atomic_load(&s->stop)) {
		check_rows(s, res, (int)(rand_r(&seed) % USERS), 200);
		/* a breath between reads: the writer shares the cores, and a CI
		 * machine runs other tests beside this one */
		struct timespec pause = {0, 200 * 1000};
		nanosleep(&pause, NULL);
	}
	fcat_online_result_free(res);
	return NULL;
}

/* Every key holds generation g (what a clean run of it gives). */
static void expect_generation(soak *s, int g, const char *backend)
{
	fcat_online_result *res;
	assert_int_equal(fcat_online_result_new(&res), 0);
	for (int from = 0; from < USERS; from += 250) {
		int got = check_rows(s, res, from, 250);
		if (got != g)
			fail_msg("%s: users from u%05d hold %s, not generation %d", backend, from,
			         got == -1 ? "mixed or missing rows" : "another generation", g);
	}
	fcat_online_result_free(res);
}

static void materialize_whole(soak *s, const char *backend)
{
	int rc = wait_for(start_materialize(s));
	if (rc != 0)
		fail_msg("%s: materialize after a kill exited %d", backend, rc);
}

static long soak_backend(const char *backend, const char *online_yaml)
{
	soak *s = calloc(1, sizeof *s);
	s->repo = test_demo_repo(&s->parent, false);
	s->base_us = ((int64_t)time(NULL) - 86400) * 1000000;
	char yaml[1024];
	snprintf(yaml, sizeof yaml,
	         "project: chat_assistant\ncatalog: catalog\npolicies: policies\n%s"
	         "policy:\n  audit_log: data/audit.log\n",
	         online_yaml);
	test_write_file(s->repo, "fcat.yaml", yaml);
	test_commit_and_apply(s->repo, "the soak's online store");

	/* generation 1, whole; the time a whole run takes sets the kill window */
	write_generation(s, 1);
	int64_t t0 = now_us();
	materialize_whole(s, backend);
	int64_t whole_us = now_us() - t0;
	fcat_open_options o = FCAT_OPEN_OPTIONS_INIT;
	o.principal = "fcat-operator";
	if (fcat_store_open_ext(&s->store, s->repo, &o) != 0)
		fail_msg("open: %s", fcat_error_last());
	const char *refs[] = {"user_features:total_conversations"};
	assert_int_equal(fcat_feature_set_new(&s->set, s->store, refs, 1), 0);
	atomic_store(&s->floor, 1);
	expect_generation(s, 1, backend);

	pthread_t readers[READERS];
	for (int i = 0; i < READERS; i++)
		pthread_create(&readers[i], NULL, reader, s);
	unsigned seed = 12345;
	long kills = 0;
	for (int g = 2; g < 2 + KILLS; g++) {
		write_generation(s, g);
		pid_t pid = start_materialize(s);
		struct timespec pause = {0,
		                         (long)(rand_r(&seed) % (unsigned)(whole_us + 1)) * 1000};
		pause.tv_sec = pause.tv_nsec / 1000000000;
		pause.tv_nsec %= 1000000000;
		nanosleep(&pause, NULL);
		kill(pid, SIGKILL);
		wait_for(pid);
		kills++;
		/* the killed run wrote some keys of g or none: readers may see g-1
		 * or g, each row whole; the next run completes and leaves g */
		materialize_whole(s, backend);
		atomic_store(&s->floor, g);
		expect_generation(s, g, backend);
	}
	/* two runs of the same view at once: both complete, the last generation
	 * everywhere */
	int last = 2 + KILLS;
	write_generation(s, last);
	pid_t a = start_materialize(s), b = start_materialize(s);
	int ra = wait_for(a), rb = wait_for(b);
	if (ra != 0 || rb != 0)
		fail_msg("%s: two materialize runs at once exited %d and %d", backend, ra, rb);
	atomic_store(&s->floor, last);
	expect_generation(s, last, backend);
	atomic_store(&s->stop, true);
	for (int i = 0; i < READERS; i++)
		pthread_join(readers[i], NULL);
	if (atomic_load(&s->torn) || atomic_load(&s->missing))
		fail_msg("%s: %ld torn rows, %ld missing (%s)", backend, atomic_load(&s->torn),
		         atomic_load(&s->missing), s->torn_example);
	printf("soak: %s: %ld kills, %ld reads checking %ld rows, torn rows: 0, missing: 0\n",
	       backend, kills, atomic_load(&s->reads), atomic_load(&s->rows));
	fflush(stdout); /* before a child (redis-server) is forked */
	fcat_feature_set_free(s->set);
	fcat_store_free(s->store);
	test_repo_done(s->parent, s->repo);
	free(s);
	return kills;
}

static void test_kill_soak__lmdb_never_tears_a_row(void **state)
{
	(void)state;
	assert_int_equal(
	    soak_backend("lmdb", "online_store:\n  plugin: lmdb\n  path: data/online.lmdb\n"),
	    KILLS);
}

static void test_kill_soak__sqlite_never_tears_a_row(void **state)
{
	(void)state;
	assert_int_equal(
	    soak_backend("sqlite", "online_store:\n  plugin: sqlite\n  path: data/online.db\n"),
	    KILLS);
}

static test_redis redis;

static int redis_up(void **state)
{
	(void)state;
	test_redis_start(&redis);
	return 0;
}

static int redis_down(void **state)
{
	(void)state;
	test_redis_stop(&redis); /* also when the test failed */
	return 0;
}

static void test_kill_soak__redis_never_tears_a_row(void **state)
{
	(void)state;
	char section[512];
	snprintf(section, sizeof section, "online_store:\n  plugin: redis\n  url: %s\n", redis.url);
	assert_int_equal(soak_backend("redis", section), KILLS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kill_soak__lmdb_never_tears_a_row),
	    cmocka_unit_test(test_kill_soak__sqlite_never_tears_a_row),
	    cmocka_unit_test_setup_teardown(test_kill_soak__redis_never_tears_a_row, redis_up,
	                                    redis_down),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
