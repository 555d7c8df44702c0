/* online_conformance.c - the shared checks every online store plugin passes. */
#include "online_conformance.h"

#include "testutil.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OK(call)                                                                                   \
	do {                                                                                       \
		int rc_ = (call);                                                                  \
		if (rc_ != 0)                                                                      \
			fail_msg("%s failed (%d): %s", #call, rc_, fcat_error_last());             \
	} while (0)

static void put_i64le(char *p, int64_t v)
{
	uint64_t u = (uint64_t)v;
	for (int i = 0; i < 8; i++)
		p[i] = (char)(u >> (8 * i) & 0xff);
}

/* One allocation: the key, a NUL, then the row: its header, the writer's
 * version (FCAT_ROW_VERSION_SIZE bytes of `version`), the payload. */
static void row_make_version(fcat_online_row *row, const char *key, size_t klen, int64_t event_ts,
                             int64_t created_ts, unsigned char version, const char *payload,
                             size_t plen)
{
	size_t head = FCAT_ROW_VERSION_OFFSET + FCAT_ROW_VERSION_SIZE;
	char *block = malloc(klen + 1 + head + plen);
	assert_non_null(block);
	memcpy(block, key, klen);
	block[klen] = 0;
	char *r = block + klen + 1;
	memset(r, 0, FCAT_ROW_HEADER_SIZE);
	r[0] = (char)FCAT_ROW_MAGIC;
	put_i64le(r + FCAT_ROW_EVENT_TS_OFFSET, event_ts);
	put_i64le(r + FCAT_ROW_CREATED_TS_OFFSET, created_ts);
	memset(r + FCAT_ROW_VERSION_OFFSET, version, FCAT_ROW_VERSION_SIZE);
	memcpy(r + head, payload, plen);
	row->key = (fcat_bytes){block, klen};
	row->row = (fcat_bytes){r, head + plen};
	row->event_ts = event_ts;
	row->created_ts = created_ts;
}

static void row_make_raw(fcat_online_row *row, const char *key, size_t klen, int64_t event_ts,
                         int64_t created_ts, const char *payload, size_t plen)
{
	row_make_version(row, key, klen, event_ts, created_ts, 0, payload, plen);
}

void online_row_make(fcat_online_row *row, const char *key, int64_t event_ts, int64_t created_ts,
                     const char *payload)
{
	row_make_raw(row, key, strlen(key), event_ts, created_ts, payload, strlen(payload));
}

void online_row_free(fcat_online_row *row)
{
	free((void *)row->key.ptr);
	memset(row, 0, sizeof *row);
}

static void expect_bytes(fcat_bytes got, const fcat_online_row *want, const char *what)
{
	if (!want) {
		if (got.ptr)
			fail_msg("%s: expected no row, got %zu bytes", what, got.len);
		return;
	}
	if (!got.ptr)
		fail_msg("%s: expected a row of %zu bytes, got none", what, want->row.len);
	if (got.len != want->row.len || memcmp(got.ptr, want->row.ptr, got.len) != 0)
		fail_msg("%s: row differs (%zu bytes, want %zu)", what, got.len, want->row.len);
}

void online_expect_row(const fcat_online_ops *ops, void *store, const char *view, const char *key,
                       const fcat_online_row *want)
{
	fcat_bytes k = {key, strlen(key)}, out = {"garbage", 7};
	OK(ops->read(store, view, &k, 1, &out));
	char what[256];
	snprintf(what, sizeof what, "%s/%s", view, key);
	expect_bytes(out, want, what);
}

const fcat_online_ops *online_plugin_ops(const char *name)
{
	const fcat_plugin *p = test_load_plugin(name);
	assert_non_null(p->online);
	return p->online;
}

void *online_open(const fcat_online_ops *ops, const fcat_plugin_config *config)
{
	void *store = NULL;
	OK(ops->open(&store, config));
	assert_non_null(store);
	return store;
}

void online_conformance_in_tempdir(const char *plugin_name, const char *path, const char *file)
{
	char *dir = test_mkdtemp();
	const char *kv[] = {"path", path, NULL};
	fcat_plugin_config *config = test_plugin_config(dir, kv);
	online_conformance_run(plugin_name, config);
	assert_true(test_path_exists(dir, file));
	free(config);
	test_dir_done(dir);
}

void online_fixture_open(online_fixture *f, const fcat_online_ops *ops, const char *const *kv)
{
	f->ops = ops;
	f->dir = test_mkdtemp();
	f->config = test_plugin_config(f->dir, kv);
	f->store = online_open(ops, f->config);
}

void online_fixture_done(online_fixture *f)
{
	if (f->store)
		f->ops->close(f->store);
	free(f->config);
	test_dir_done(f->dir);
	*f = (online_fixture){0};
}

int online_fixture_setup(void **state, const fcat_online_ops *ops)
{
	online_fixture *f = calloc(1, sizeof *f);
	online_fixture_open(f, ops, NULL);
	*state = f;
	return 0;
}

int online_fixture_teardown(void **state)
{
	online_fixture_done(*state);
	free(*state);
	return 0;
}

void online_expect_batch_refused(const online_fixture *f, const fcat_online_row *good,
                                 const fcat_online_row *bad)
{
	const char *key = good->key.ptr;
	fcat_online_row rows[2] = {*good, *bad};
	assert_int_equal(f->ops->write(f->store, "v", rows, 2), FCAT_EINVALID);
	online_expect_row(f->ops, f->store, "v", key, NULL); /* nothing of the batch */
}

typedef struct thread_read {
	const fcat_online_ops *ops;
	void *store;
	const char *view;
	const fcat_online_row *row;
	bool ok;
} thread_read;

static void *thread_read_main(void *p)
{
	thread_read *r = p;
	fcat_bytes out;
	r->ok = r->ops->read(r->store, r->view, &r->row->key, 1, &out) == 0 && out.ptr &&
	        out.len == r->row->row.len;
	return NULL;
}

bool online_read_in_thread(const fcat_online_ops *ops, void *store, const char *view,
                           const fcat_online_row *row)
{
	thread_read r = {ops, store, view, row, false};
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, thread_read_main, &r), 0);
	pthread_join(th, NULL);
	return r.ok;
}

static void free_rows(fcat_online_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		online_row_free(&rows[i]);
}

/* Write then read: identical bytes, binary keys and payloads, missing keys,
 * several keys in one read (all valid at once). */
static void check_round_trip(const fcat_online_ops *ops, void *s)
{
	fcat_online_row rows[3];
	online_row_make(&rows[0], "user:1", 1000, 1, "alpha");
	online_row_make(&rows[1], "user:2", 2000, 2, "");
	row_make_raw(&rows[2], "\0\x01\xff", 3, -5, 3, "b\0i\0n", 5);
	OK(ops->write(s, "conf_basic", rows, 3));
	online_expect_row(ops, s, "conf_basic", "user:1", &rows[0]);
	online_expect_row(ops, s, "conf_basic", "user:2", &rows[1]);
	online_expect_row(ops, s, "conf_basic", "nobody", NULL);

	fcat_bytes keys[5] = {rows[2].key, {"nobody", 6}, rows[0].key, rows[1].key, {"user:", 5}};
	fcat_bytes out[5];
	OK(ops->read(s, "conf_basic", keys, 5, out));
	expect_bytes(out[0], &rows[2], "binary key");
	expect_bytes(out[1], NULL, "missing key");
	expect_bytes(out[2], &rows[0], "user:1 in a batch");
	expect_bytes(out[3], &rows[1], "user:2 in a batch");
	expect_bytes(out[4], NULL, "a key prefix");
	free_rows(rows, 3);
}

static void check_missing_view_and_empty_write(const fcat_online_ops *ops, void *s)
{
	online_expect_row(ops, s, "conf_never_written", "user:1", NULL);
	OK(ops->write(s, "conf_empty", NULL, 0));
	online_expect_row(ops, s, "conf_empty", "user:1", NULL);
	fcat_bytes none;
	OK(ops->read(s, "conf_basic", NULL, 0, &none));
}

static void check_views_are_separate(const fcat_online_ops *ops, void *s)
{
	fcat_online_row a[2], b;
	online_row_make(&a[0], "k", 10, 1, "in a");
	online_row_make(&a[1], "only-a", 10, 1, "only in a");
	online_row_make(&b, "k", 10, 1, "in b");
	OK(ops->write(s, "conf_a", a, 2));
	OK(ops->write(s, "conf_b", &b, 1));
	online_expect_row(ops, s, "conf_a", "k", &a[0]);
	online_expect_row(ops, s, "conf_b", "k", &b);
	online_expect_row(ops, s, "conf_b", "only-a", NULL);
	free_rows(a, 2);
	online_row_free(&b);
}

/* Writes one row and asserts which row the view then holds. */
static void write_expect(const fcat_online_ops *ops, void *s, fcat_online_row *row,
                         const fcat_online_row *want)
{
	OK(ops->write(s, "conf_newer", row, 1));
	online_expect_row(ops, s, "conf_newer", "k", want);
}

static void check_newer_wins(const fcat_online_ops *ops, void *s)
{
	fcat_online_row r[6];
	online_row_make(&r[0], "k", 200, 10, "newest event");
	online_row_make(&r[1], "k", 100, 20, "older event, later created");
	online_row_make(&r[2], "k", 200, 11, "same event, later created");
	online_row_make(&r[3], "k", 200, 5, "same event, earlier created");
	online_row_make(&r[4], "k", 200, 11, "same event, same created");
	online_row_make(&r[5], "k", -300, 99, "before 1970");
	write_expect(ops, s, &r[0], &r[0]);
	write_expect(ops, s, &r[1], &r[0]);
	write_expect(ops, s, &r[2], &r[2]);
	write_expect(ops, s, &r[3], &r[2]);
	write_expect(ops, s, &r[4], &r[2]);
	write_expect(ops, s, &r[5], &r[2]);

	/* Within one batch too, whatever the order. */
	fcat_online_row batch[4];
	online_row_make(&batch[0], "b1", 5, 1, "b1 newer");
	online_row_make(&batch[1], "b1", 3, 1, "b1 older");
	online_row_make(&batch[2], "b2", 3, 1, "b2 older");
	online_row_make(&batch[3], "b2", 5, 1, "b2 newer");
	OK(ops->write(s, "conf_newer", batch, 4));
	online_expect_row(ops, s, "conf_newer", "b1", &batch[0]);
	online_expect_row(ops, s, "conf_newer", "b2", &batch[3]);
	free_rows(r, 6);
	free_rows(batch, 4);
}

/* Re-materializing after the view's definition changed writes rows with
 * the same times and another version: they replace the stale ones, while a
 * row of the same version and times is left alone. */
static void check_new_version_replaces_same_times(const fcat_online_ops *ops, void *s)
{
	fcat_online_row r[4];
	row_make_version(&r[0], "k", 1, 300, 7, 0xa1, "version a", 9);
	row_make_version(&r[1], "k", 1, 300, 7, 0xb2, "version b", 9);
	row_make_version(&r[2], "k", 1, 300, 7, 0xb2, "b, again", 8);
	row_make_version(&r[3], "k", 1, 299, 7, 0xc3, "c, older", 8);
	OK(ops->write(s, "conf_version", &r[0], 1));
	OK(ops->write(s, "conf_version", &r[1], 1));
	online_expect_row(ops, s, "conf_version", "k", &r[1]);
	OK(ops->write(s, "conf_version", &r[2], 1));
	online_expect_row(ops, s, "conf_version", "k", &r[1]);
	OK(ops->write(s, "conf_version", &r[3], 1));
	online_expect_row(ops, s, "conf_version", "k", &r[1]);
	free_rows(r, 4);
}

#define BATCH_ROWS 10000

static void make_batch(fcat_online_row *rows, size_t n, const char *prefix, int64_t ts)
{
	char key[64], payload[400];
	for (size_t i = 0; i < n; i++) {
		snprintf(key, sizeof key, "%s-%05zu", prefix, i);
		size_t len = i % 300;
		for (size_t j = 0; j < len; j++)
			payload[j] = (char)('a' + (i + j) % 26);
		payload[len] = 0;
		online_row_make(&rows[i], key, ts, (int64_t)i, payload);
	}
}

static void check_big_batch(const fcat_online_ops *ops, void *s)
{
	fcat_online_row *rows = calloc(BATCH_ROWS, sizeof *rows);
	fcat_bytes *keys = calloc(BATCH_ROWS, sizeof *keys);
	fcat_bytes *out = calloc(BATCH_ROWS, sizeof *out);
	assert_true(rows && keys && out);
	make_batch(rows, BATCH_ROWS, "batch", 1000);
	OK(ops->write(s, "conf_batch", rows, BATCH_ROWS));
	for (size_t i = 0; i < BATCH_ROWS; i++)
		keys[i] = rows[i].key;
	OK(ops->read(s, "conf_batch", keys, BATCH_ROWS, out));
	for (size_t i = 0; i < BATCH_ROWS; i++)
		expect_bytes(out[i], &rows[i], "a row of the 10,000-row batch");
	free_rows(rows, BATCH_ROWS);
	free(rows);
	free(keys);
	free(out);
}

/* Rows that grow and shrink when replaced, many to a page, in sorted key
 * order: every key keeps its own newest row (a store that reuses the
 * found key's bytes after moving the page's nodes loses keys here). */
#define SIZE_ROWS 2000

typedef struct resize_ctx {
	fcat_online_row *rows;
} resize_ctx;

static int resize_update(void *ctx, size_t i, fcat_bytes old, fcat_bytes *out)
{
	resize_ctx *c = ctx;
	if (!old.ptr)
		fail_msg("update: key %zu has no row", i);
	*out = c->rows[i].row;
	return 0;
}

static void check_rows_change_size(const fcat_online_ops *ops, void *s)
{
	fcat_online_row *rows = calloc(SIZE_ROWS, sizeof *rows);
	fcat_bytes *keys = calloc(SIZE_ROWS, sizeof *keys), *out = calloc(SIZE_ROWS, sizeof *out);
	assert_true(rows && keys && out);
	char key[32], payload[128];
	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < SIZE_ROWS; i++) {
			snprintf(key, sizeof key, "size-%05zu", i);
			size_t len = (i * 7 + (size_t)round * 61) % 100;
			memset(payload, 'a' + round, len);
			payload[len] = 0;
			online_row_free(&rows[i]);
			online_row_make(&rows[i], key, 10 + round, 1, payload);
			keys[i] = rows[i].key;
		}
		if (round < 2 || !FCAT_OPS_HAS(ops, update)) {
			OK(ops->write(s, "conf_size", rows, SIZE_ROWS));
		} else {
			resize_ctx c = {rows};
			OK(ops->update(s, "conf_size", keys, SIZE_ROWS, resize_update, &c));
		}
		OK(ops->read(s, "conf_size", keys, SIZE_ROWS, out));
		for (size_t i = 0; i < SIZE_ROWS; i++)
			expect_bytes(out[i], &rows[i], "a row replaced by one of another size");
	}
	free_rows(rows, SIZE_ROWS);
	free(rows);
	free(keys);
	free(out);
}

static void check_meta(const fcat_online_ops *ops, void *s)
{
	char buf[64];
	assert_int_equal(ops->meta_get(s, "conf_missing", buf, sizeof buf), FCAT_ENOTFOUND);
	OK(ops->meta_set(s, "watermark", "100"));
	assert_int_equal(ops->meta_get(s, "watermark", buf, sizeof buf), 3);
	assert_string_equal(buf, "100");
	OK(ops->meta_set(s, "watermark", "2026-01-02T03:04:05Z"));
	assert_int_equal(ops->meta_get(s, "watermark", buf, 21), 20);
	assert_string_equal(buf, "2026-01-02T03:04:05Z");
	OK(ops->meta_set(s, "empty", ""));
	assert_int_equal(ops->meta_get(s, "empty", buf, sizeof buf), 0);
	assert_string_equal(buf, "");
}

static void check_drop_view(const fcat_online_ops *ops, void *s)
{
	if (!ops->drop_view)
		return;
	fcat_online_row r[2], old;
	online_row_make(&r[0], "k1", 50, 1, "one");
	online_row_make(&r[1], "k2", 50, 1, "two");
	online_row_make(&old, "k1", 1, 1, "older than the dropped row");
	OK(ops->write(s, "conf_drop", r, 2));
	online_expect_row(ops, s, "conf_drop", "k1", &r[0]);
	OK(ops->drop_view(s, "conf_drop"));
	online_expect_row(ops, s, "conf_drop", "k1", NULL);
	online_expect_row(ops, s, "conf_drop", "k2", NULL);
	OK(ops->write(s, "conf_drop", &old, 1));
	online_expect_row(ops, s, "conf_drop", "k1", &old);
	OK(ops->drop_view(s, "conf_never_written"));
	fcat_bytes k = {"user:1", 6}, other;
	OK(ops->read(s, "conf_basic", &k, 1, &other));
	assert_non_null(other.ptr); /* other views keep their rows */
	free_rows(r, 2);
	online_row_free(&old);
}

/* More views than a reader keeps handles for, read in turn. */
static void check_many_views(const fcat_online_ops *ops, void *s)
{
	enum { N = 40 };
	fcat_online_row rows[N];
	char view[32];
	for (int i = 0; i < N; i++) {
		snprintf(view, sizeof view, "conf_many_%d", i);
		online_row_make(&rows[i], "k", 1, 1, view);
		OK(ops->write(s, view, &rows[i], 1));
	}
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < N; i++) {
			snprintf(view, sizeof view, "conf_many_%d", i);
			online_expect_row(ops, s, view, "k", &rows[i]);
		}
	}
	free_rows(rows, N);
}

/* Concurrent reads while the main thread writes newer versions. */
#define THREAD_KEYS   2000
#define THREAD_ROUNDS 5

typedef struct reader_ctx {
	const fcat_online_ops *ops;
	void *store;
	fcat_online_row *v0, *v1;
	int errors;
	char first[256];
} reader_ctx;

static void reader_error(reader_ctx *c, const char *fmt, size_t i)
{
	if (c->errors++ == 0)
		snprintf(c->first, sizeof c->first, fmt, i);
}

static bool same(fcat_bytes got, const fcat_online_row *want)
{
	return got.ptr && got.len == want->row.len && memcmp(got.ptr, want->row.ptr, got.len) == 0;
}

static void *reader_main(void *p)
{
	reader_ctx *c = p;
	fcat_bytes keys[9], out[9];
	for (int round = 0; round < THREAD_ROUNDS; round++) {
		for (size_t i = 0; i + 8 <= THREAD_KEYS; i += 8) {
			for (size_t j = 0; j < 8; j++)
				keys[j] = c->v0[i + j].key;
			keys[8] = (fcat_bytes){"absent", 6};
			size_t n = round % 2 ? 9 : 1;
			if (c->ops->read(c->store, "conf_threads", keys, n, out) != 0) {
				reader_error(c, "read failed at key %zu", i);
				continue;
			}
			for (size_t j = 0; j < n && j < 8; j++)
				if (!same(out[j], &c->v0[i + j]) && !same(out[j], &c->v1[i + j]))
					reader_error(c, "wrong row for key %zu", i + j);
			if (n == 9 && out[8].ptr)
				reader_error(c, "a row for an absent key (%zu)", i);
		}
	}
	return NULL;
}

static void check_threads(const fcat_online_ops *ops, void *s)
{
	fcat_online_row *v0 = calloc(THREAD_KEYS, sizeof *v0);
	fcat_online_row *v1 = calloc(THREAD_KEYS, sizeof *v1);
	assert_true(v0 && v1);
	make_batch(v0, THREAD_KEYS, "t", 100);
	make_batch(v1, THREAD_KEYS, "t", 200);
	OK(ops->write(s, "conf_threads", v0, THREAD_KEYS));
	reader_ctx ctx[2];
	pthread_t th[2];
	for (int i = 0; i < 2; i++) {
		ctx[i] = (reader_ctx){ops, s, v0, v1, 0, ""};
		assert_int_equal(pthread_create(&th[i], NULL, reader_main, &ctx[i]), 0);
	}
	for (size_t i = 0; i < THREAD_KEYS; i += 250)
		OK(ops->write(s, "conf_threads", v1 + i, 250));
	for (int i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		if (ctx[i].errors)
			fail_msg("reader thread %d: %d errors, first: %s", i, ctx[i].errors,
			         ctx[i].first);
	}
	online_expect_row(ops, s, "conf_threads", "t-01999", &v1[1999]);
	free_rows(v0, THREAD_KEYS);
	free_rows(v1, THREAD_KEYS);
	free(v0);
	free(v1);
}

/* Everything written before a close is there after the reopen. */
static void check_reopen(const fcat_online_ops *ops, const fcat_plugin_config *config)
{
	void *s = online_open(ops, config);
	fcat_online_row r, newer;
	online_row_make(&r, "user:1", 1000, 1, "alpha");
	online_row_make(&newer, "k", 200, 11, "same event, later created");
	online_expect_row(ops, s, "conf_basic", "user:1", &r);
	online_expect_row(ops, s, "conf_newer", "k", &newer);
	online_expect_row(ops, s, "conf_basic", "nobody", NULL);
	char buf[64];
	assert_int_equal(ops->meta_get(s, "watermark", buf, sizeof buf), 20);
	assert_string_equal(buf, "2026-01-02T03:04:05Z");
	fcat_bytes k = {"batch-09999", 11}, out;
	OK(ops->read(s, "conf_batch", &k, 1, &out));
	assert_non_null(out.ptr);
	/* Still writable, and newer-wins still holds across the reopen. */
	write_expect(ops, s, &r, &newer);
	ops->close(s);
	online_row_free(&r);
	online_row_free(&newer);
}

void online_conformance_run(const char *plugin_name, const fcat_plugin_config *config)
{
	const fcat_plugin *p = test_load_plugin(plugin_name);
	const fcat_online_ops *ops = p->online;
	assert_non_null(ops);
	assert_true(ops->open && ops->close && ops->write && ops->read && ops->meta_get &&
	            ops->meta_set);
	ops->close(NULL);

	void *s = online_open(ops, config);
	ops->close(s); /* an empty store closes and opens again */
	s = online_open(ops, config);
	check_round_trip(ops, s);
	check_missing_view_and_empty_write(ops, s);
	check_views_are_separate(ops, s);
	check_many_views(ops, s);
	check_newer_wins(ops, s);
	check_new_version_replaces_same_times(ops, s);
	check_big_batch(ops, s);
	check_rows_change_size(ops, s);
	check_meta(ops, s);
	check_drop_view(ops, s);
	check_threads(ops, s);
	ops->close(s);
	check_reopen(ops, config);
}
