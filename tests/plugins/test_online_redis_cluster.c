/* test_online_redis_cluster.c - the redis online store in cluster mode,
 * against a Redis Cluster the test starts itself (3 masters, a replica
 * each, on free 127.0.0.1 ports) and stops: discovery, reads during a
 * reshard, a stopped master, and update. */
#include "testutil.h"

#include "fcat_plugin.h"
#include "redis_cluster.h"

#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MASTERS       3
#define NKEYS         600
#define RS_SLOTS_TEST 16384

static test_cluster cluster;
static const fcat_online_ops *ops;
typedef void (*counts_fn)(void *store, uint64_t *moved, uint64_t *ask);
static counts_fn counts;

/* ------------------------------------------------------------------------ */
/* Rows, keys and stores                                                     */
/* ------------------------------------------------------------------------ */

#define PAYLOAD (FCAT_ROW_VERSION_OFFSET + FCAT_ROW_VERSION_SIZE)

static void put_le64(char *p, int64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (char)((uint64_t)v >> (8 * i));
}

/* A row in buf (PAYLOAD + strlen(payload) bytes) with times `ts`. */
static fcat_bytes make_row(char *buf, int64_t ts, const char *payload)
{
	memset(buf, 0, PAYLOAD);
	buf[0] = (char)FCAT_ROW_MAGIC;
	put_le64(buf + FCAT_ROW_EVENT_TS_OFFSET, ts);
	put_le64(buf + FCAT_ROW_CREATED_TS_OFFSET, ts);
	memcpy(buf + PAYLOAD, payload, strlen(payload));
	fcat_bytes b = {buf, PAYLOAD + strlen(payload)};
	return b;
}

static char key_names[NKEYS][16];
static fcat_bytes keys[NKEYS];

static void make_keys(void)
{
	for (int i = 0; i < NKEYS; i++) {
		snprintf(key_names[i], sizeof key_names[i], "user%04d", i);
		keys[i].ptr = key_names[i];
		keys[i].len = strlen(key_names[i]);
	}
}

/* Redis Cluster's slot of an entity key: CRC16 of the hex hash tag. */
static unsigned entity_slot(fcat_bytes key)
{
	static const char hex[] = "0123456789abcdef";
	unsigned crc = 0;
	for (size_t i = 0; i < 2 * key.len; i++) {
		unsigned char b = (unsigned char)key.ptr[i / 2];
		crc ^= (unsigned)hex[i % 2 ? b & 15 : b >> 4] << 8;
		for (int k = 0; k < 8; k++)
			crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
	}
	return crc & 16383;
}

typedef struct store {
	fcat_plugin_config *config;
	const char *kv[16];
	void *h;
} store;

/* Opens a store on the cluster; extra settings as "key", "value", ..., NULL. */
static void store_open_kv(store *t, const char *prefix, ...)
{
	memset(t, 0, sizeof *t);
	int n = 0;
	t->kv[n++] = "cluster";
	t->kv[n++] = cluster.seeds;
	t->kv[n++] = "key_prefix";
	t->kv[n++] = prefix;
	va_list ap;
	va_start(ap, prefix);
	for (const char *s; n < 14 && (s = va_arg(ap, const char *));)
		t->kv[n++] = s;
	va_end(ap);
	t->config = test_plugin_config("/nonexistent", t->kv);
	if (ops->open(&t->h, t->config))
		fail_msg("open: %s", fcat_error_last());
}

#define store_open(...) store_open_kv(__VA_ARGS__, NULL)

static void store_close(store *t)
{
	ops->close(t->h);
	free(t->config);
}

/* Writes row "<prefix>-<i>" to every key of view v, at time ts. */
static void write_all(store *t, const char *view, const char *prefix, int64_t ts)
{
	static char bufs[NKEYS][PAYLOAD + 32];
	fcat_online_row rows[NKEYS];
	for (int i = 0; i < NKEYS; i++) {
		char payload[32];
		snprintf(payload, sizeof payload, "%s-%d", prefix, i);
		rows[i].key = keys[i];
		rows[i].row = make_row(bufs[i], ts, payload);
		rows[i].event_ts = rows[i].created_ts = ts;
	}
	if (ops->write(t->h, view, rows, NKEYS))
		fail_msg("write: %s", fcat_error_last());
}

/* Whether a read row holds "<prefix>-<i>". */
static bool row_is(fcat_bytes got, const char *prefix, int i)
{
	char want[32];
	int len = snprintf(want, sizeof want, "%s-%d", prefix, i);
	return got.ptr && got.len == PAYLOAD + (size_t)len && !memcmp(got.ptr + PAYLOAD, want, len);
}

/* Reads every key and checks every row is "<prefix>-<i>". */
static void expect_all(store *t, const char *view, const char *prefix)
{
	fcat_bytes out[NKEYS];
	if (ops->read(t->h, view, keys, NKEYS, out))
		fail_msg("read: %s", fcat_error_last());
	for (int i = 0; i < NKEYS; i++)
		if (!row_is(out[i], prefix, i))
			fail_msg("%s: key %d has '%.*s'", view, i,
			         out[i].ptr ? (int)(out[i].len - PAYLOAD) : 6,
			         out[i].ptr ? out[i].ptr + PAYLOAD : "no row");
}

static long long dbsize(int port)
{
	char *out = test_cluster_cli(port, (const char *[]){"dbsize", NULL});
	long long n = atoll(out);
	free(out);
	return n;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int group_setup(void **state)
{
	(void)state;
	const fcat_plugin *p = test_load_plugin("redis");
	ops = p->online;
	char path[4200];
	snprintf(path, sizeof path, "%s/fcat_redis.so", FCAT_TEST_PLUGIN_DIR);
	void *h = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
	assert_non_null(h);
	counts = (counts_fn)dlsym(h, "fcat_redis_cluster_counts");
	assert_non_null(counts);
	make_keys();
	test_cluster_start(&cluster, MASTERS, 1);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	test_cluster_stop(&cluster);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Behaviour                                                                 */
/* ------------------------------------------------------------------------ */

static void test_online_redis_cluster__rows_spread_over_every_master_read_back(void **state)
{
	(void)state;
	store t;
	store_open(&t, "spread");
	write_all(&t, "v", "a", 10);
	write_all(&t, "w", "b", 10);
	expect_all(&t, "v", "a");
	expect_all(&t, "w", "b");
	for (int m = 0; m < MASTERS; m++) /* about a third each */
		if (dbsize(cluster.node[m].port) < NKEYS / 2)
			fail_msg("master 127.0.0.1:%d holds %lld keys of %d", cluster.node[m].port,
			         dbsize(cluster.node[m].port), 2 * NKEYS);
	write_all(&t, "v", "old", 5); /* newer wins on every node */
	expect_all(&t, "v", "a");

	assert_int_equal(ops->meta_set(t.h, "progress.v", "12345"), 0);
	char buf[32];
	assert_int_equal(ops->meta_get(t.h, "progress.v", buf, sizeof buf), 5);
	assert_string_equal(buf, "12345");
	assert_int_equal(ops->meta_get(t.h, "nothing", buf, sizeof buf), FCAT_ENOTFOUND);

	assert_int_equal(ops->drop_view(t.h, "w"), 0); /* SCAN on every master */
	fcat_bytes out[NKEYS];
	assert_int_equal(ops->read(t.h, "w", keys, NKEYS, out), 0);
	for (int i = 0; i < NKEYS; i++)
		assert_null(out[i].ptr);
	expect_all(&t, "v", "a");

	/* every node forgot the write script (a restart, a failover): NOSCRIPT,
	 * and the rows still go in, by EVAL */
	for (int m = 0; m < MASTERS; m++)
		free(test_cluster_cli(cluster.node[m].port,
		                      (const char *[]){"script", "flush", NULL}));
	write_all(&t, "v", "f", 30);
	expect_all(&t, "v", "f");
	write_all(&t, "v", "a", 40);
	expect_all(&t, "v", "a");
	store_close(&t);

	/* the same rows from the replicas (READONLY), once replicated */
	store r;
	store_open(&r, "spread", "read_from_replicas", "true");
	for (int tries = 0;; tries++) {
		fcat_bytes got[NKEYS];
		assert_int_equal(ops->read(r.h, "v", keys, NKEYS, got), 0);
		int right = 0;
		for (int i = 0; i < NKEYS; i++)
			right += row_is(got[i], "a", i);
		if (right == NKEYS)
			break;
		if (tries == 100)
			fail_msg("replicas hold %d of %d rows after 5 s", right, NKEYS);
		usleep(50000);
	}
	store_close(&r);
	/* and the replicas answered them */
	long long gets = 0;
	for (int i = MASTERS; i < cluster.n; i++) {
		char *out = test_cluster_cli(cluster.node[i].port,
		                             (const char *[]){"info", "commandstats", NULL});
		char *at = strstr(out, "cmdstat_get:calls=");
		gets += at ? atoll(at + strlen("cmdstat_get:calls=")) : 0;
		free(out);
	}
	if (gets < NKEYS)
		fail_msg("the replicas answered %lld GETs, fewer than the %d keys read", gets,
		         NKEYS);
}

static void test_online_redis_cluster__settings_are_checked(void **state)
{
	(void)state;
	const char *cases[][5] = {
	    {"cluster", "127.0.0.1", "not host:port", NULL, NULL},
	    {"cluster", "", "cluster is empty", NULL, NULL},
	    {"cluster", "127.0.0.1:1,", "an empty node", NULL, NULL},
	    {"cluster", "127.0.0.1:1,,127.0.0.1:2", "not host:port", NULL, NULL},
	    {"cluster", "127.0.0.1:70000", "not host:port", NULL, NULL},
	    {"url", "redis://127.0.0.1:1/0", "give one of them", "cluster", cluster.seeds},
	    {"read_from_replicas", "maybe", "expected true or false", "cluster", cluster.seeds},
	    {"read_from_replicas", "true", "needs the cluster setting", NULL, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *kv[] = {cases[i][0], cases[i][1], cases[i][3], cases[i][4], NULL, NULL};
		fcat_plugin_config *config = test_plugin_config("/nonexistent", kv);
		void *h = NULL;
		int rc = ops->open(&h, config);
		bool bad = rc != FCAT_EINVALID || !strstr(fcat_error_last(), cases[i][2]);
		free(config);
		if (bad)
			fail_msg("case %zu: %d, '%s' not in: %s", i, rc, cases[i][2],
			         fcat_error_last());
		assert_null(h);
	}
	/* no node answers: an error naming the nodes, at once */
	int port = test_free_port();
	char seeds[64];
	snprintf(seeds, sizeof seeds, "127.0.0.1:%d", port);
	const char *kv[] = {"cluster", seeds, NULL};
	fcat_plugin_config *config = test_plugin_config("/nonexistent", kv);
	void *h = NULL;
	assert_int_equal(ops->open(&h, config), FCAT_EIO);
	if (!strstr(fcat_error_last(), seeds) || !strstr(fcat_error_last(), "CLUSTER SLOTS"))
		fail_msg("does not name %s: %s", seeds, fcat_error_last());
	free(config);
}

/* Starts `redis-cli --cluster reshard` moving `slots` slots from one master
 * to another in a child; its output goes to a file. */
static pid_t reshard(int from, int to, int slots, const char *log)
{
	char *from_id = test_cluster_id(cluster.node[from].port);
	char *to_id = test_cluster_id(cluster.node[to].port);
	char addr[32], nslots[16];
	snprintf(addr, sizeof addr, "127.0.0.1:%d", cluster.node[from].port);
	snprintf(nslots, sizeof nslots, "%d", slots);
	const char *cli = test_redis_cli();
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		FILE *f = fopen(log, "w");
		if (f) {
			dup2(fileno(f), 1);
			dup2(fileno(f), 2);
		}
		execl(cli, cli, "--cluster", "reshard", addr, "--cluster-from", from_id,
		      "--cluster-to", to_id, "--cluster-slots", nslots, "--cluster-yes",
		      "--cluster-pipeline", "5", (char *)NULL);
		_exit(127);
	}
	free(from_id);
	free(to_id);
	return pid;
}

static void test_online_redis_cluster__reads_during_a_reshard_are_right_or_retryable(void **state)
{
	(void)state;
	store t;
	store_open(&t, "reshard");
	write_all(&t, "v", "r", 10);
	uint64_t moved0, ask0, moved, ask;
	counts(t.h, &moved0, &ask0);
	char log[4200];
	snprintf(log, sizeof log, "%s/reshard.log", cluster.node[0].dir);
	/* master 0 holds slots 0-5460: 1200 of them (and ~40 of the keys) go */
	pid_t child = reshard(0, 1, 1200, log);
	long reads = 0, retryable = 0;
	int status = -1;
	double start = now_s();
	while (waitpid(child, &status, WNOHANG) == 0) {
		fcat_bytes out[NKEYS];
		reads++;
		int rc = ops->read(t.h, "v", keys, NKEYS, out);
		if (rc) { /* retryable, and says where */
			if (rc != FCAT_EIO || !strstr(fcat_error_last(), "redis:"))
				fail_msg("read during the reshard: %d %s", rc, fcat_error_last());
			retryable++;
			continue;
		}
		for (int i = 0; i < NKEYS; i++)
			if (!row_is(out[i], "r", i))
				fail_msg("read %ld during the reshard: key %d has a wrong row",
				         reads, i);
		if (now_s() - start > 120)
			fail_msg("the reshard did not end within 120 s");
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char *out = test_read_file(log);
		fail_msg("redis-cli --cluster reshard failed (%d): %s", status, out);
	}
	expect_all(&t, "v", "r");
	counts(t.h, &moved, &ask);
	print_message("reshard: %ld reads of %d keys, %ld retryable errors, %llu MOVED,"
	              " %llu ASK\n",
	              reads, NKEYS, retryable, (unsigned long long)(moved - moved0),
	              (unsigned long long)(ask - ask0));
	/* the store followed the slots: its map moved, at least once by MOVED */
	assert_true(moved + ask > moved0 + ask0);
	assert_true(reads > 1);
	/* and a fresh store reads them where they are now */
	store_close(&t);
	store_open(&t, "reshard");
	expect_all(&t, "v", "r");
	store_close(&t);
}

/* fn of the update tests: the row's payload is a count; adds one. */
typedef struct counter {
	char buf[PAYLOAD + 32];
	int fail_at; /* -1, or the key whose call fails */
	long calls;
} counter;

static int add_one(void *ctx, size_t i, fcat_bytes old, fcat_bytes *out)
{
	counter *c = ctx;
	c->calls++;
	if ((int)i == c->fail_at)
		return FCAT_EINVALID;
	long n = 0;
	if (old.ptr) {
		char text[32] = "";
		size_t len =
		    old.len - PAYLOAD < sizeof text - 1 ? old.len - PAYLOAD : sizeof text - 1;
		memcpy(text, old.ptr + PAYLOAD, len);
		n = atol(text);
	}
	char payload[32];
	snprintf(payload, sizeof payload, "%ld", n + 1);
	*out = make_row(c->buf, 1, payload);
	return 0;
}

#define UPDATE_KEYS   40
#define UPDATE_ROUNDS 30

static void *updater(void *arg)
{
	(void)arg;
	store t;
	store_open(&t, "upd");
	counter c = {.fail_at = -1};
	for (int r = 0; r < UPDATE_ROUNDS; r++)
		if (ops->update(t.h, "v", keys, UPDATE_KEYS, add_one, &c))
			fail_msg("update: %s", fcat_error_last());
	store_close(&t);
	return NULL;
}

static void test_online_redis_cluster__update_adds_every_increment_across_slots(void **state)
{
	(void)state;
	/* the keys lie in many slots on every master */
	unsigned first = entity_slot(keys[0]);
	bool many = false;
	for (int i = 1; i < UPDATE_KEYS; i++)
		many |= entity_slot(keys[i]) != first;
	assert_true(many);
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, updater, NULL), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	store t;
	store_open(&t, "upd");
	fcat_bytes out[UPDATE_KEYS];
	assert_int_equal(ops->read(t.h, "v", keys, UPDATE_KEYS, out), 0);
	char want[16];
	snprintf(want, sizeof want, "%d", 2 * UPDATE_ROUNDS);
	for (int i = 0; i < UPDATE_KEYS; i++)
		if (!out[i].ptr || out[i].len != PAYLOAD + strlen(want) ||
		    memcmp(out[i].ptr + PAYLOAD, want, strlen(want)))
			fail_msg("key %d: '%.*s', expected %s (lost increments)", i,
			         out[i].ptr ? (int)(out[i].len - PAYLOAD) : 0,
			         out[i].ptr ? out[i].ptr + PAYLOAD : "", want);
	/* fn failing on the last key: nothing of the call is written */
	counter c = {.fail_at = UPDATE_KEYS - 1};
	assert_int_equal(ops->update(t.h, "v", keys, UPDATE_KEYS, add_one, &c), FCAT_EINVALID);
	assert_int_equal(ops->read(t.h, "v", keys, UPDATE_KEYS, out), 0);
	for (int i = 0; i < UPDATE_KEYS; i++)
		assert_memory_equal(out[i].ptr + PAYLOAD, want, strlen(want));
	store_close(&t);
}

/* The slot ranges a node serves, from CLUSTER NODES on another node. */
static void served_slots(bool *mine, int node, int ask)
{
	char *out =
	    test_cluster_cli(cluster.node[ask].port, (const char *[]){"cluster", "nodes", NULL});
	char tag[32];
	snprintf(tag, sizeof tag, ":%d@", cluster.node[node].port);
	memset(mine, 0, RS_SLOTS_TEST * sizeof *mine);
	for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
		if (!strstr(line, tag))
			continue;
		int field = 0;
		for (char *f = line; f && *f; field++) {
			char *sp = strchr(f, ' ');
			if (sp)
				*sp = '\0';
			int a, b;
			if (field >= 8 && f[0] != '[') {
				if (sscanf(f, "%d-%d", &a, &b) == 2)
					for (int s = a; s <= b; s++)
						mine[s] = true;
				else if (sscanf(f, "%d", &a) == 1)
					mine[a] = true;
			}
			f = sp ? sp + 1 : NULL;
		}
	}
	free(out);
}

static void test_online_redis_cluster__a_stopped_master_fails_only_its_slots_naming_it(void **state)
{
	(void)state;
	store t;
	store_open(&t, "down", "command_timeout_ms", "500", "connect_timeout_ms", "500");
	write_all(&t, "v", "d", 10);
	const int victim = 2; /* a master the reshard left alone */
	static bool mine[RS_SLOTS_TEST];
	served_slots(mine, victim, 0);
	char name[32];
	snprintf(name, sizeof name, "127.0.0.1:%d", cluster.node[victim].port);

	/* stopped (SIGSTOP): it accepts connections and never answers */
	kill(cluster.node[victim].pid, SIGSTOP);
	int theirs = -1, ours = -1;
	for (int i = 0; i < NKEYS && (theirs < 0 || ours < 0); i++)
		*(mine[entity_slot(keys[i])] ? &theirs : &ours) = i;
	assert_true(theirs >= 0 && ours >= 0);
	double start = now_s();
	fcat_bytes out;
	assert_int_equal(ops->read(t.h, "v", &keys[theirs], 1, &out), FCAT_EIO);
	double took = now_s() - start;
	if (!strstr(fcat_error_last(), name))
		fail_msg("the error does not name %s: %s", name, fcat_error_last());
	if (took > 3.0) /* the 500 ms timeout, and one refresh of the map */
		fail_msg("a read of a stopped master took %.1f s", took);

	/* killed: every key of its slots fails naming it, every other reads */
	kill(cluster.node[victim].pid, SIGCONT);
	test_cluster_kill(&cluster, victim);
	int failed = 0;
	start = now_s();
	for (int i = 0; i < NKEYS; i++) {
		int rc = ops->read(t.h, "v", &keys[i], 1, &out);
		if (mine[entity_slot(keys[i])]) {
			if (rc != FCAT_EIO || !strstr(fcat_error_last(), name))
				fail_msg("key %d of the dead master: %d %s", i, rc,
				         rc ? fcat_error_last() : "read a row");
			failed++;
		} else if (rc || !row_is(out, "d", i)) {
			fail_msg("key %d of a live master: %d %s", i, rc,
			         rc ? fcat_error_last() : "wrong row");
		}
	}
	print_message("dead master %s: %d of %d keys failed naming it, in %.2f s\n", name, failed,
	              NKEYS, now_s() - start);
	assert_true(failed > NKEYS / 10);
	store_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_online_redis_cluster__rows_spread_over_every_master_read_back),
	    cmocka_unit_test(test_online_redis_cluster__settings_are_checked),
	    cmocka_unit_test(
	        test_online_redis_cluster__reads_during_a_reshard_are_right_or_retryable),
	    cmocka_unit_test(test_online_redis_cluster__update_adds_every_increment_across_slots),
	    cmocka_unit_test(
	        test_online_redis_cluster__a_stopped_master_fails_only_its_slots_naming_it),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
