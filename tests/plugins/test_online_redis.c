/* test_online_redis.c - the redis online store against redis-servers the
 * test starts itself (127.0.0.1, a free port, no persistence) and stops. */
#include "testutil.h"

#include "fcat_plugin.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__has_include)
#if __has_include("online_conformance.h")
#include "online_conformance.h"
#define HAVE_CONFORMANCE 1
#endif
#endif

/* ------------------------------------------------------------------------ */
/* A redis-server of our own                                                 */
/* ------------------------------------------------------------------------ */

typedef struct server {
	pid_t pid;
	int port;
	char *dir;
	char port_text[16];
	char url[128];
	char unix_url[4200];
} server;

static server main_server;
static const fcat_online_ops *ops;

static int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) ||
	    getsockname(fd, (struct sockaddr *)&a, &len)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return ntohs(a.sin_port);
}

/* True when a server on the port answers PING (+PONG, or -NOAUTH). */
static int ping(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_port = htons((uint16_t)port),
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct timeval tv = {0, 200000};
	char buf[8] = "";
	int ok = 0;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0 && write(fd, "PING\r\n", 6) == 6 &&
	    read(fd, buf, 7) == 7)
		ok = !memcmp(buf, "+PONG\r\n", 7) || !memcmp(buf, "-NOAUTH", 7);
	close(fd);
	return ok;
}

static void exec_server(const server *sv, const char *const *extra)
{
	char sock[4200], log[4200];
	snprintf(sock, sizeof sock, "%s/redis.sock", sv->dir);
	snprintf(log, sizeof log, "%s/redis.log", sv->dir);
	const char *argv[32] = {"redis-server",
	                        "--port",
	                        sv->port_text,
	                        "--bind",
	                        "127.0.0.1",
	                        "--save",
	                        "",
	                        "--appendonly",
	                        "no",
	                        "--daemonize",
	                        "no",
	                        "--dir",
	                        sv->dir,
	                        "--unixsocket",
	                        sock,
	                        "--unixsocketperm",
	                        "700"};
	int argc = 17;
	for (; extra && *extra && argc < 31; extra++)
		argv[argc++] = *extra;
	prctl(PR_SET_PDEATHSIG, SIGKILL); /* no orphan when the test dies */
	int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
	}
	execvp(argv[0], (char *const *)argv);
	fprintf(stderr, "cannot run redis-server: %s (install the redis-server package)\n",
	        strerror(errno));
	_exit(127);
}

static void server_log(const server *sv)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/redis.log", sv->dir);
	char *log = test_read_file(path);
	fprintf(stderr, "redis-server log:\n%s\n", log ? log : "(none)");
	free(log);
}

static void server_stop(server *sv);

/* Starts a server; 0, or -1 after saying why on stderr. */
static int server_start(server *sv, const char *const *extra)
{
	memset(sv, 0, sizeof *sv);
	sv->dir = test_mkdtemp();
	sv->port = free_port();
	snprintf(sv->port_text, sizeof sv->port_text, "%d", sv->port);
	snprintf(sv->url, sizeof sv->url, "redis://127.0.0.1:%d/0", sv->port);
	snprintf(sv->unix_url, sizeof sv->unix_url, "unix://%s/redis.sock", sv->dir);
	if (sv->port <= 0 || (sv->pid = fork()) < 0) {
		fprintf(stderr, "cannot start redis-server: %s\n", strerror(errno));
		server_stop(sv);
		return -1;
	}
	if (sv->pid == 0)
		exec_server(sv, extra);
	for (int i = 0; i < 1000; i++) { /* 10 s at most */
		int status;
		if (waitpid(sv->pid, &status, WNOHANG) == sv->pid) {
			fprintf(stderr, "redis-server exited at start (status %d)\n", status);
			server_log(sv);
			sv->pid = 0;
			server_stop(sv);
			return -1;
		}
		if (ping(sv->port))
			return 0;
		usleep(10000);
	}
	fprintf(stderr, "redis-server on port %d did not answer PING within 10 s\n", sv->port);
	server_log(sv);
	server_stop(sv);
	return -1;
}

static void server_stop(server *sv)
{
	if (sv->pid > 0) {
		kill(sv->pid, SIGTERM);
		waitpid(sv->pid, NULL, 0);
		sv->pid = 0;
	}
	test_dir_done(sv->dir);
	sv->dir = NULL;
}

static int group_setup(void **state)
{
	(void)state;
	const fcat_plugin *p = test_load_plugin("redis");
	ops = p->online;
	return server_start(&main_server, NULL);
}

static int group_teardown(void **state)
{
	(void)state;
	server_stop(&main_server);
	return 0;
}

/* Runs redis-cli against a server; the output is malloc'd. */
static char *cli(const server *sv, const char *const *args)
{
	static char path[4096];
	if (!path[0]) {
		const char *env = getenv("PATH");
		char *dirs = strdup(env ? env : "/usr/bin:/bin"), *save = NULL;
		for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
			snprintf(path, sizeof path, "%s/redis-cli", d);
			if (access(path, X_OK) == 0)
				break;
			path[0] = '\0';
		}
		free(dirs);
		if (!path[0])
			fail_msg("redis-cli is not on PATH (install redis-tools)");
	}
	const char *argv[32] = {path, "-p", sv->port_text};
	int argc = 3;
	for (; *args && argc < 31; args++)
		argv[argc++] = *args;
	test_run r = test_exec(NULL, NULL, argv);
	if (r.status != 0)
		fail_msg("redis-cli failed (%d): %s", r.status, r.err);
	char *out = r.out;
	r.out = NULL;
	test_run_free(&r);
	return out;
}

/* ------------------------------------------------------------------------ */
/* Rows and stores                                                           */
/* ------------------------------------------------------------------------ */

typedef struct test_store {
	fcat_plugin_config *config;
	const char *kv[16];
	void *h;
} test_store;

static void put_le64(char *p, int64_t v)
{
	uint64_t u = (uint64_t)v;
	for (int i = 0; i < 8; i++)
		p[i] = (char)(u >> (8 * i));
}

/* A row: the header, then the payload. buf holds 24 + strlen(payload). */
/* Where a test row's payload starts: after the header and the version. */
#define PAYLOAD (FCAT_ROW_VERSION_OFFSET + FCAT_ROW_VERSION_SIZE)

static fcat_online_row row_of(char *buf, fcat_bytes key, int64_t event, int64_t created,
                              const char *payload)
{
	memset(buf, 0, PAYLOAD); /* the header, and version bytes all zero */
	buf[0] = (char)FCAT_ROW_MAGIC;
	put_le64(buf + FCAT_ROW_EVENT_TS_OFFSET, event);
	put_le64(buf + FCAT_ROW_CREATED_TS_OFFSET, created);
	size_t len = strlen(payload);
	memcpy(buf + PAYLOAD, payload, len);
	fcat_online_row r = {key, {buf, PAYLOAD + len}, event, created};
	return r;
}

static fcat_bytes bytes(const char *s)
{
	fcat_bytes b = {s, strlen(s)};
	return b;
}

/* Opens a store; extra settings come as "key", "value", ..., NULL. */
static int store_open_rc(test_store *t, const char *url, const char *prefix, ...)
{
	memset(t, 0, sizeof *t);
	int n = 0;
	t->kv[n++] = "url";
	t->kv[n++] = url;
	t->kv[n++] = "key_prefix";
	t->kv[n++] = prefix;
	va_list ap;
	va_start(ap, prefix);
	for (const char *s; n < 14 && (s = va_arg(ap, const char *));)
		t->kv[n++] = s;
	va_end(ap);
	t->config = test_plugin_config("/nonexistent", t->kv);
	return ops->open(&t->h, t->config);
}

#define store_open(t, ...)                                                                         \
	do {                                                                                       \
		if (store_open_rc(t, __VA_ARGS__, NULL))                                           \
			fail_msg("open: %s", fcat_error_last());                                   \
	} while (0)

static void store_close(test_store *t)
{
	ops->close(t->h);
	free(t->config);
	t->h = NULL;
}

static void write_ok(test_store *t, const char *view, const fcat_online_row *rows, size_t n)
{
	if (ops->write(t->h, view, rows, n))
		fail_msg("write: %s", fcat_error_last());
}

static void write_one(test_store *t, const char *view, const char *key, int64_t event,
                      int64_t created, const char *payload)
{
	char buf[256];
	fcat_online_row r = row_of(buf, bytes(key), event, created, payload);
	write_ok(t, view, &r, 1);
}

/* The payload of the row of one key, or NULL; borrowed until the next read. */
static fcat_bytes read_one(test_store *t, const char *view, fcat_bytes key)
{
	fcat_bytes out = {(const char *)1, 99};
	if (ops->read(t->h, view, &key, 1, &out))
		fail_msg("read: %s", fcat_error_last());
	return out;
}

static void assert_payload(test_store *t, const char *view, const char *key, const char *payload)
{
	fcat_bytes got = read_one(t, view, bytes(key));
	if (!got.ptr)
		fail_msg("%s/%s: no row, expected '%s'", view, key, payload);
	assert_true(got.len >= PAYLOAD);
	if (got.len - PAYLOAD != strlen(payload) ||
	    memcmp(got.ptr + PAYLOAD, payload, strlen(payload)))
		fail_msg("%s/%s: got '%.*s', expected '%s'", view, key, (int)(got.len - PAYLOAD),
		         got.ptr + PAYLOAD, payload);
}

/* ------------------------------------------------------------------------ */
/* Behaviour                                                                 */
/* ------------------------------------------------------------------------ */

static void test_online_redis__read_returns_the_written_bytes(void **state)
{
	(void)state;
	test_store t;
	store_open(&t, main_server.url, "rt");
	static const char binkey[] = {0, '}', '{', (char)0xff, 0};
	char b1[64], b2[64], b3[64];
	fcat_online_row rows[3] = {
	    row_of(b1, bytes("user:1"), 100, 1, "alpha"),
	    row_of(b2, (fcat_bytes){binkey, sizeof binkey}, 100, 1, "b\0nary"),
	    row_of(b3, (fcat_bytes){"", 0}, 100, 1, ""),
	};
	write_ok(&t, "v", rows, 3);
	fcat_bytes keys[4] = {rows[0].key, bytes("nobody"), rows[1].key, rows[2].key};
	fcat_bytes out[4];
	assert_int_equal(ops->read(t.h, "v", keys, 4, out), 0);
	int want[4] = {0, -1, 1, 2};
	for (int i = 0; i < 4; i++) {
		if (want[i] < 0) {
			assert_null(out[i].ptr);
			continue;
		}
		assert_non_null(out[i].ptr);
		assert_int_equal(out[i].len, rows[want[i]].row.len);
		assert_memory_equal(out[i].ptr, rows[want[i]].row.ptr, out[i].len);
	}
	store_close(&t);
}

static void test_online_redis__missing_key_and_view_read_null(void **state)
{
	(void)state;
	test_store t;
	store_open(&t, main_server.url, "missing");
	write_one(&t, "v", "k", 1, 1, "x");
	assert_null(read_one(&t, "v", bytes("other")).ptr);
	assert_null(read_one(&t, "w", bytes("k")).ptr);
	assert_int_equal(ops->read(t.h, "v", NULL, 0, NULL), 0);
	store_close(&t);
}

static void test_online_redis__older_row_does_not_replace_newer(void **state)
{
	(void)state;
	test_store t;
	store_open(&t, main_server.url, "older");
	write_one(&t, "v", "k", 1000, 5, "new");
	write_one(&t, "v", "k", 999, 999999, "older event");
	assert_payload(&t, "v", "k", "new");
	write_one(&t, "v", "k", 1000, 4, "older created");
	assert_payload(&t, "v", "k", "new");
	write_one(&t, "v", "k", 1000, 5, "same");
	assert_payload(&t, "v", "k", "new");
	store_close(&t);
}

static void test_online_redis__equal_event_larger_created_replaces(void **state)
{
	(void)state;
	test_store t;
	store_open(&t, main_server.url, "created");
	write_one(&t, "v", "k", 1000, 5, "first");
	write_one(&t, "v", "k", 1000, 6, "second");
	assert_payload(&t, "v", "k", "second");
	write_one(&t, "v", "k", 1001, 0, "third");
	assert_payload(&t, "v", "k", "third");
	store_close(&t);
}

/* Lua in Redis has doubles: timestamps past 2^53, and negative ones. */
static void test_online_redis__timestamps_compare_as_full_int64(void **state)
{
	(void)state;
	test_store t;
	store_open(&t, main_server.url, "int64");
	int64_t big = (int64_t)1 << 60;
	write_one(&t, "v", "k", big + 1, 0, "big+1");
	write_one(&t, "v", "k", big, 0, "big");
	assert_payload(&t, "v", "k", "big+1");
	write_one(&t, "v", "k", big + 1, 1, "big+1 created 1");
	assert_payload(&t, "v", "k", "big+1 created 1");
	write_one(&t, "v", "n", -5, 0, "-5");
	write_one(&t, "v", "n", -6, 0, "-6");
	assert_payload(&t, "v", "n", "-5");
	write_one(&t, "v", "n", 0, INT64_MIN, "0");
	assert_payload(&t, "v", "n", "0");
	write_one(&t, "v", "n", INT64_MAX, INT64_MAX, "max");
	write_one(&t, "v", "n", INT64_MAX, INT64_MAX - 1, "max-1");
	assert_payload(&t, "v", "n", "max");
	store_close(&t);
}

static void test_online_redis__batch_of_10000_rows(void **state)
{
	(void)state;
	enum { N = 10000 };
	test_store t;
	store_open(&t, main_server.url, "batch");
	char(*bufs)[64] = calloc(N + 2, sizeof *bufs);
	char(*names)[16] = calloc(N, sizeof *names);
	fcat_online_row *rows = calloc(N + 2, sizeof *rows);
	fcat_bytes *keys = calloc(N, sizeof *keys), *out = calloc(N, sizeof *out);
	char payload[32];
	for (int i = 0; i < N; i++) {
		snprintf(names[i], sizeof names[i], "e%d", i);
		snprintf(payload, sizeof payload, "row %d", i);
		keys[i] = bytes(names[i]);
		rows[i] = row_of(bufs[i], keys[i], 10, i, payload);
	}
	/* One key twice in the batch, the newer first: it stays. */
	rows[N] = row_of(bufs[N], keys[7], 11, 0, "newer");
	rows[N + 1] = row_of(bufs[N + 1], keys[7], 9, 0, "older");
	write_ok(&t, "v", rows, N + 2);
	assert_int_equal(ops->read(t.h, "v", keys, N, out), 0);
	for (int i = 0; i < N; i++) {
		const fcat_online_row *want = &rows[i == 7 ? N : i];
		assert_non_null(out[i].ptr);
		assert_int_equal(out[i].len, want->row.len);
		assert_memory_equal(out[i].ptr, want->row.ptr, out[i].len);
	}
	store_close(&t);
	free(bufs), free(names), free(rows), free(keys), free(out);
}

static void test_online_redis__meta_get_and_set(void **state)
{
	(void)state;
	test_store t;
	store_open(&t, main_server.url, "meta");
	char buf[64];
	assert_int_equal(ops->meta_get(t.h, "progress", buf, sizeof buf), FCAT_ENOTFOUND);
	assert_int_equal(ops->meta_set(t.h, "progress", "2026-01-02T00:00:00Z"), 0);
	assert_int_equal(ops->meta_get(t.h, "progress", buf, sizeof buf), 20);
	assert_string_equal(buf, "2026-01-02T00:00:00Z");
	assert_int_equal(ops->meta_set(t.h, "progress", "later"), 0);
	assert_int_equal(ops->meta_get(t.h, "progress", buf, sizeof buf), 5);
	assert_string_equal(buf, "later");
	assert_fails_with(ops->meta_get(t.h, "progress", buf, 5), FCAT_EINVALID, "progress");
	char *out = cli(&main_server, (const char *[]){"HGET", "meta:__meta", "progress", NULL});
	assert_string_equal(out, "later\n");
	free(out);
	store_close(&t);
}

typedef struct reader {
	test_store *t;
	int id, errors;
} reader;

static void *read_loop(void *arg)
{
	reader *r = arg;
	char key[16], want[32];
	for (int i = 0; i < 3000; i++) {
		int k = (i * 7 + r->id) % 100;
		snprintf(key, sizeof key, "e%d", k);
		snprintf(want, sizeof want, "row %d", k);
		fcat_bytes keys[2] = {bytes(key), bytes("nobody")}, out[2];
		if (ops->read(r->t->h, "v", keys, 2, out) || !out[0].ptr || out[1].ptr ||
		    out[0].len != PAYLOAD + strlen(want) ||
		    memcmp(out[0].ptr + PAYLOAD, want, strlen(want)))
			r->errors++;
	}
	return NULL;
}

static void test_online_redis__concurrent_reads_from_two_threads(void **state)
{
	(void)state;
	const char *pools[] = {"1", "4"}; /* one connection: threads wait their turn */
	for (int p = 0; p < 2; p++) {
		test_store t;
		store_open(&t, main_server.url, "threads", "pool", pools[p]);
		char key[16], payload[32];
		for (int i = 0; i < 100; i++) {
			snprintf(key, sizeof key, "e%d", i);
			snprintf(payload, sizeof payload, "row %d", i);
			write_one(&t, "v", key, 1, 1, payload);
		}
		reader r[2] = {{&t, 0, 0}, {&t, 1, 0}};
		pthread_t th[2];
		for (int i = 0; i < 2; i++)
			assert_int_equal(pthread_create(&th[i], NULL, read_loop, &r[i]), 0);
		for (int i = 0; i < 2; i++)
			assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(r[0].errors + r[1].errors, 0);
		store_close(&t);
	}
}

/* Bytes of one store's read survive a read of another store. */
static void test_online_redis__bytes_live_until_the_next_read_of_the_store(void **state)
{
	(void)state;
	test_store a, b;
	store_open(&a, main_server.url, "live_a");
	store_open(&b, main_server.url, "live_b");
	write_one(&a, "v", "k", 1, 1, "from a");
	write_one(&b, "v", "k", 1, 1, "from b");
	fcat_bytes got_a = read_one(&a, "v", bytes("k"));
	fcat_bytes got_b = read_one(&b, "v", bytes("k"));
	assert_memory_equal(got_a.ptr + PAYLOAD, "from a", 6);
	assert_memory_equal(got_b.ptr + PAYLOAD, "from b", 6);
	store_close(&a);
	assert_memory_equal(got_b.ptr + PAYLOAD, "from b", 6);
	store_close(&b);
}

static void test_online_redis__no_server_is_an_error_naming_the_url(void **state)
{
	(void)state;
	char url[64];
	snprintf(url, sizeof url, "redis://127.0.0.1:%d/0", free_port());
	test_store t;
	assert_int_equal(store_open_rc(&t, url, "none", "connect_timeout_ms", "300", NULL),
	                 FCAT_EIO);
	assert_null(t.h);
	if (!strstr(fcat_error_last(), url))
		fail_msg("'%s' not in: %s", url, fcat_error_last());
	free(t.config);
}

static void test_online_redis__bad_settings_are_invalid(void **state)
{
	(void)state;
	static const char *const cases[][3] = {
	    {"http://127.0.0.1:6379", "p", "redis://"},
	    {"rediss://127.0.0.1:6379", "p", "TLS"},
	    {"redis://127.0.0.1:70000/0", "p", "port"},
	    {"redis://127.0.0.1:6379/x", "p", "database"},
	    {"unix://relative.sock", "p", "absolute"},
	    {"redis://127.0.0.1:6379/0", "a{b}", "hash tag"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		test_store t;
		assert_int_equal(store_open_rc(&t, cases[i][0], cases[i][1], NULL), FCAT_EINVALID);
		if (!strstr(fcat_error_last(), cases[i][2]))
			fail_msg("'%s' not in: %s", cases[i][2], fcat_error_last());
		free(t.config);
	}
	test_store t;
	assert_fails_with(store_open_rc(&t, main_server.url, "p", "pool", "0", NULL), FCAT_EINVALID,
	                  "pool");
	free(t.config);
}

/* Redis Cluster's key slot: CRC16 (XMODEM) of the hash tag, mod 16384. */
static uint16_t crc16(const char *p, size_t len)
{
	uint16_t crc = 0;
	for (size_t i = 0; i < len; i++) {
		crc ^= (uint16_t)((unsigned char)p[i] << 8);
		for (int b = 0; b < 8; b++)
			crc = crc & 0x8000 ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
	}
	return crc;
}

static unsigned key_slot(const char *key, size_t len)
{
	const char *open = memchr(key, '{', len);
	if (open) {
		const char *close = memchr(open + 1, '}', len - (size_t)(open + 1 - key));
		if (close && close > open + 1)
			return crc16(open + 1, (size_t)(close - open - 1)) & 16383;
	}
	return crc16(key, len) & 16383;
}

static void test_online_redis__one_entity_keys_share_a_cluster_slot(void **state)
{
	(void)state;
	assert_int_equal(crc16("123456789", 9), 0x31c3); /* Redis' own check value */
	assert_int_equal(key_slot("foo", 3), 12182);
	test_store t;
	store_open(&t, main_server.url, "slot");
	const char *views[] = {"user_stats", "user_profile", "v3"};
	const char *entities[] = {"alice", "bob"};
	for (int v = 0; v < 3; v++)
		for (int e = 0; e < 2; e++)
			write_one(&t, views[v], entities[e], 1, 1, "x");
	char *out = cli(&main_server, (const char *[]){"--scan", "--pattern", "slot:*", NULL});
	assert_int_equal(test_count_lines(out), 6);
	assert_non_null(strstr(out, "slot:{616c696365}:user_stats\n")); /* hex("alice") */
	unsigned slots[2] = {0, 0}, seen[2] = {0, 0};
	const char *tags[2] = {"{616c696365}", "{626f62}"};
	for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
		int e = strstr(line, tags[0]) ? 0 : 1;
		assert_non_null(strstr(line, tags[e]));
		unsigned slot = key_slot(line, strlen(line));
		if (seen[e]++)
			assert_int_equal(slot, slots[e]);
		slots[e] = slot;
	}
	assert_int_equal(seen[0], 3);
	assert_int_equal(seen[1], 3);
	assert_int_not_equal(slots[0], slots[1]);
	free(out);
	store_close(&t);
}

static void test_online_redis__drop_view_removes_only_that_view(void **state)
{
	(void)state;
	test_store t, other;
	store_open(&t, main_server.url, "drop");
	store_open(&other, main_server.url, "drop2");
	char key[16];
	for (int i = 0; i < 2500; i++) {
		snprintf(key, sizeof key, "e%d", i);
		write_one(&t, "a", key, 1, 1, "a");
	}
	write_one(&t, "b", "e1", 1, 1, "b");
	write_one(&t, "a*", "e1", 1, 1, "a*"); /* glob characters are escaped */
	write_one(&t, "xa", "e1", 1, 1, "xa");
	write_one(&other, "a", "e1", 1, 1, "other");
	assert_int_equal(ops->meta_set(t.h, "k", "v"), 0);
	assert_int_equal(ops->drop_view(t.h, "a"), 0);
	assert_null(read_one(&t, "a", bytes("e1")).ptr);
	assert_null(read_one(&t, "a", bytes("e2499")).ptr);
	assert_payload(&t, "b", "e1", "b");
	assert_payload(&t, "a*", "e1", "a*");
	assert_payload(&t, "xa", "e1", "xa");
	assert_payload(&other, "a", "e1", "other");
	char buf[8];
	assert_int_equal(ops->meta_get(t.h, "k", buf, sizeof buf), 1);
	assert_int_equal(ops->drop_view(t.h, "a*"), 0);
	assert_null(read_one(&t, "a*", bytes("e1")).ptr);
	assert_payload(&t, "b", "e1", "b");
	store_close(&t);
	store_close(&other);
}

static void test_online_redis__unix_socket_and_database_in_the_url(void **state)
{
	(void)state;
	test_store t;
	char url[4300];
	snprintf(url, sizeof url, "%s?db=3", main_server.unix_url);
	store_open(&t, url, "unixdb");
	write_one(&t, "v", "k", 1, 1, "over unix");
	assert_payload(&t, "v", "k", "over unix");
	store_close(&t);
	char *out =
	    cli(&main_server, (const char *[]){"-n", "3", "--scan", "--pattern", "unixdb:*", NULL});
	assert_string_equal(out, "unixdb:{6b}:v\n");
	free(out);
	out =
	    cli(&main_server, (const char *[]){"-n", "0", "--scan", "--pattern", "unixdb:*", NULL});
	assert_string_equal(out, "");
	free(out);
}

/* A reused connection that broke is replaced once, silently. */
static void test_online_redis__killed_connections_are_replaced(void **state)
{
	(void)state;
	test_store t;
	store_open(&t, main_server.url, "killed", "pool", "1");
	write_one(&t, "v", "k", 1, 1, "still here");
	free(cli(&main_server, (const char *[]){"CLIENT", "KILL", "TYPE", "normal", NULL}));
	assert_payload(&t, "v", "k", "still here");
	free(cli(&main_server, (const char *[]){"CLIENT", "KILL", "TYPE", "normal", NULL}));
	write_one(&t, "v", "k", 2, 1, "rewritten");
	assert_payload(&t, "v", "k", "rewritten");
	store_close(&t);
}

/* After SCRIPT FLUSH, writes fall back to EVAL. */
static void test_online_redis__flushed_script_cache_still_writes(void **state)
{
	(void)state;
	test_store t;
	store_open(&t, main_server.url, "noscript");
	free(cli(&main_server, (const char *[]){"SCRIPT", "FLUSH", NULL}));
	write_one(&t, "v", "k", 5, 1, "five");
	write_one(&t, "v", "k", 4, 1, "four");
	assert_payload(&t, "v", "k", "five");
	store_close(&t);
}

static void test_online_redis__password(void **state)
{
	(void)state;
	server sv;
	if (server_start(&sv, (const char *const[]){"--requirepass", "s3cret", NULL}))
		fail_msg("cannot start a second redis-server");
	test_store t;
	assert_int_equal(store_open_rc(&t, sv.url, "pw", NULL), FCAT_EIO);
	if (!strstr(fcat_error_last(), sv.url) || !strstr(fcat_error_last(), "NOAUTH"))
		fail_msg("expected the url and NOAUTH in: %s", fcat_error_last());
	free(t.config);
	assert_int_equal(store_open_rc(&t, sv.url, "pw", "password", "wrong", NULL), FCAT_EIO);
	free(t.config);
	store_open(&t, sv.url, "pw", "password", "s3cret");
	write_one(&t, "v", "k", 1, 1, "secret row");
	assert_payload(&t, "v", "k", "secret row");
	store_close(&t);
	char url[160];
	snprintf(url, sizeof url, "redis://:s3cret@127.0.0.1:%d/0", sv.port);
	store_open(&t, url, "pw");
	assert_payload(&t, "v", "k", "secret row");
	store_close(&t);
	server_stop(&sv);
}

static void test_online_redis__conformance(void **state)
{
	(void)state;
#ifdef HAVE_CONFORMANCE
	const char *kv[] = {"url", main_server.url, "key_prefix", "conformance", NULL};
	fcat_plugin_config *config = test_plugin_config("/nonexistent", kv);
	online_conformance_run("redis", config);
	free(config);
#else
	skip();
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_online_redis__read_returns_the_written_bytes),
	    cmocka_unit_test(test_online_redis__missing_key_and_view_read_null),
	    cmocka_unit_test(test_online_redis__older_row_does_not_replace_newer),
	    cmocka_unit_test(test_online_redis__equal_event_larger_created_replaces),
	    cmocka_unit_test(test_online_redis__timestamps_compare_as_full_int64),
	    cmocka_unit_test(test_online_redis__batch_of_10000_rows),
	    cmocka_unit_test(test_online_redis__meta_get_and_set),
	    cmocka_unit_test(test_online_redis__concurrent_reads_from_two_threads),
	    cmocka_unit_test(test_online_redis__bytes_live_until_the_next_read_of_the_store),
	    cmocka_unit_test(test_online_redis__no_server_is_an_error_naming_the_url),
	    cmocka_unit_test(test_online_redis__bad_settings_are_invalid),
	    cmocka_unit_test(test_online_redis__one_entity_keys_share_a_cluster_slot),
	    cmocka_unit_test(test_online_redis__drop_view_removes_only_that_view),
	    cmocka_unit_test(test_online_redis__unix_socket_and_database_in_the_url),
	    cmocka_unit_test(test_online_redis__killed_connections_are_replaced),
	    cmocka_unit_test(test_online_redis__flushed_script_cache_still_writes),
	    cmocka_unit_test(test_online_redis__password),
	    cmocka_unit_test(test_online_redis__conformance),
	};
	return cmocka_run_group_tests_name("online_redis", tests, group_setup, group_teardown);
}
