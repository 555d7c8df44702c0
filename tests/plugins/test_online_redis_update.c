/* test_online_redis_update.c - the update slot (read-modify-write) of the
 * redis online store on one redis-server that the test starts and stops:
 * rows made and replaced as given, keys left alone, all or nothing, and
 * no increment lost to a concurrent writer (WATCH/MULTI/EXEC retried). */
#include "testutil.h"

#include "fcat_plugin.h"
#include "redis_server.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAYLOAD (FCAT_ROW_VERSION_OFFSET + FCAT_ROW_VERSION_SIZE)

static test_redis server;
static const fcat_online_ops *ops;

static fcat_bytes make_row(char *buf, int64_t ts, const char *payload)
{
	memset(buf, 0, PAYLOAD);
	buf[0] = (char)FCAT_ROW_MAGIC;
	for (int i = 0; i < 8; i++)
		buf[FCAT_ROW_EVENT_TS_OFFSET + i] = buf[FCAT_ROW_CREATED_TS_OFFSET + i] =
		    (char)((uint64_t)ts >> (8 * i));
	memcpy(buf + PAYLOAD, payload, strlen(payload));
	fcat_bytes b = {buf, PAYLOAD + strlen(payload)};
	return b;
}

typedef struct store {
	fcat_plugin_config *config;
	const char *kv[8];
	void *h;
} store;

static void store_open(store *t)
{
	memset(t, 0, sizeof *t);
	t->kv[0] = "url", t->kv[1] = server.url, t->kv[2] = "key_prefix", t->kv[3] = "upd";
	t->config = test_plugin_config("/nonexistent", t->kv);
	if (ops->open(&t->h, t->config))
		fail_msg("open: %s", fcat_error_last());
}

static void store_close(store *t)
{
	ops->close(t->h);
	free(t->config);
}

/* The payload of a key's row as a string ("" when none). */
static const char *payload_of(store *t, const char *view, const char *key)
{
	static char text[64];
	fcat_bytes k = {key, strlen(key)}, out;
	if (ops->read(t->h, view, &k, 1, &out))
		fail_msg("read: %s", fcat_error_last());
	snprintf(text, sizeof text, "%.*s", out.ptr ? (int)(out.len - PAYLOAD) : 0,
	         out.ptr ? out.ptr + PAYLOAD : "");
	return text;
}

/* fn: the payload is a count; adds one. Can fail on a key, leave a key,
 * or write the key through another store on its first call (a concurrent
 * writer between the read and the write). */
typedef struct counter {
	char buf[PAYLOAD + 32];
	int fail_at, leave, calls;
	store *other;
	const char *view;
	fcat_bytes key;
} counter;

static int add_one(void *ctx, size_t i, fcat_bytes old, fcat_bytes *out)
{
	counter *c = ctx;
	if (c->calls++ == 0 && c->other) {
		char buf[PAYLOAD + 8];
		fcat_online_row r = {c->key, make_row(buf, 99, "100"), 99, 99};
		if (ops->write(c->other->h, c->view, &r, 1))
			fail_msg("write: %s", fcat_error_last());
	}
	if ((int)i == c->fail_at)
		return FCAT_EINVALID;
	if ((int)i == c->leave) {
		out->ptr = NULL;
		return 0;
	}
	char text[32] = "";
	if (old.ptr)
		snprintf(text, sizeof text, "%.*s", (int)(old.len - PAYLOAD), old.ptr + PAYLOAD);
	char payload[32];
	snprintf(payload, sizeof payload, "%ld", atol(text) + 1);
	*out = make_row(c->buf, 1, payload); /* older times: taken as they are */
	return 0;
}

static int group_setup(void **state)
{
	(void)state;
	ops = test_load_plugin("redis")->online;
	assert_non_null(ops->update);
	test_redis_start(&server);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	test_redis_stop(&server);
	return 0;
}

static void test_online_redis_update__makes_and_replaces_rows_as_given(void **state)
{
	(void)state;
	store t;
	store_open(&t);
	fcat_bytes keys[3] = {{"a", 1}, {"b", 1}, {"c", 1}};
	char buf[PAYLOAD + 8];
	fcat_online_row newer = {keys[1], make_row(buf, 50, "41"), 50, 50};
	assert_int_equal(ops->write(t.h, "v", &newer, 1), 0);
	counter c = {.fail_at = -1, .leave = 2};
	assert_int_equal(ops->update(t.h, "v", keys, 3, add_one, &c), 0);
	assert_string_equal(payload_of(&t, "v", "a"), "1");  /* made */
	assert_string_equal(payload_of(&t, "v", "b"), "42"); /* time 1 replaced time 50 */
	assert_string_equal(payload_of(&t, "v", "c"), "");   /* left alone */
	assert_int_equal(ops->update(t.h, "v", keys, 0, add_one, &c), 0);
	store_close(&t);
}

static void test_online_redis_update__an_error_of_fn_writes_nothing(void **state)
{
	(void)state;
	store t;
	store_open(&t);
	fcat_bytes keys[3] = {{"x", 1}, {"y", 1}, {"z", 1}};
	counter c = {.fail_at = 2, .leave = -1};
	assert_int_equal(ops->update(t.h, "w", keys, 3, add_one, &c), FCAT_EINVALID);
	for (int i = 0; i < 3; i++) {
		char k[2] = {keys[i].ptr[0], 0};
		assert_string_equal(payload_of(&t, "w", k), "");
	}
	store_close(&t);
}

static void test_online_redis_update__a_write_between_read_and_write_is_retried(void **state)
{
	(void)state;
	store t, other;
	store_open(&t);
	store_open(&other);
	fcat_bytes key = {"r", 1};
	counter c = {.fail_at = -1, .leave = -1, .other = &other, .view = "race", .key = key};
	assert_int_equal(ops->update(t.h, "race", &key, 1, add_one, &c), 0);
	/* the first call saw no row; EXEC found "100" written since: again */
	assert_int_equal(c.calls, 2);
	assert_string_equal(payload_of(&t, "race", "r"), "101");
	store_close(&other);
	store_close(&t);
}

#define ROUNDS 200

static void *updater(void *arg)
{
	(void)arg;
	store t;
	store_open(&t);
	fcat_bytes keys[2] = {{"k1", 2}, {"k2", 2}};
	counter c = {.fail_at = -1, .leave = -1};
	for (int r = 0; r < ROUNDS; r++)
		if (ops->update(t.h, "n", keys, 2, add_one, &c))
			fail_msg("update: %s", fcat_error_last());
	store_close(&t);
	return NULL;
}

static void test_online_redis_update__concurrent_updates_lose_no_increment(void **state)
{
	(void)state;
	pthread_t th[3];
	for (int i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&th[i], NULL, updater, NULL), 0);
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	store t;
	store_open(&t);
	char want[16];
	snprintf(want, sizeof want, "%d", 3 * ROUNDS);
	assert_string_equal(payload_of(&t, "n", "k1"), want);
	assert_string_equal(payload_of(&t, "n", "k2"), want);
	store_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_online_redis_update__makes_and_replaces_rows_as_given),
	    cmocka_unit_test(test_online_redis_update__an_error_of_fn_writes_nothing),
	    cmocka_unit_test(test_online_redis_update__a_write_between_read_and_write_is_retried),
	    cmocka_unit_test(test_online_redis_update__concurrent_updates_lose_no_increment),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
