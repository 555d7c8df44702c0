/* lmdb_write.c - the LMDB store's writes, metadata, and the growing map. */
#include "lmdb_store.h"

#include "plugin_rows.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

/*
 * Every transaction begun outside read() runs under write_mu, so that the
 * map can be resized (which needs no transaction open in the process)
 * after waiting only for the readers. The map is resized when a write
 * fills it (MDB_MAP_FULL: doubled) and when another process has grown it
 * (MDB_MAP_RESIZED: adopted), then the transaction starts over.
 */

/* Sets the map size (0: adopt the size on disk). Caller holds write_mu. */
static int resize(lmdb_store *s, size_t size)
{
	lmdb_readers_pause(s);
	int rc = mdb_env_set_mapsize(s->env, size);
	lmdb_readers_resume(s);
	return rc;
}

static int grow(lmdb_store *s)
{
	MDB_envinfo info;
	int rc = mdb_env_info(s->env, &info);
	if (rc)
		return rc;
	if (info.me_mapsize > SIZE_MAX / 2)
		return ENOMEM;
	return resize(s, 2 * info.me_mapsize);
}

int lmdb_adopt_mapsize(lmdb_store *s)
{
	pthread_mutex_lock(&s->write_mu);
	int rc = resize(s, 0);
	pthread_mutex_unlock(&s->write_mu);
	return rc;
}

/* Runs attempt() until the map is not in its way. Caller holds write_mu. */
static int retry(lmdb_store *s, int (*attempt)(lmdb_store *, void *), void *ctx)
{
	for (int tries = 0;; tries++) {
		int rc = attempt(s, ctx);
		if ((rc != MDB_MAP_FULL && rc != MDB_MAP_RESIZED) || tries == 64)
			return rc;
		rc = rc == MDB_MAP_FULL ? grow(s) : resize(s, 0);
		if (rc)
			return rc;
	}
}

typedef struct txn_call {
	unsigned flags; /* 0 or MDB_RDONLY */
	int (*fn)(MDB_txn *txn, void *ctx);
	void *ctx;
} txn_call;

/* One transaction over fn: committed when fn returns 0, else aborted. */
static int run_txn(lmdb_store *s, void *ctx)
{
	const txn_call *c = ctx;
	MDB_txn *txn;
	int rc = mdb_txn_begin(s->env, NULL, c->flags, &txn);
	if (rc)
		return rc;
	rc = c->fn(txn, c->ctx);
	if (rc == 0 && !(c->flags & MDB_RDONLY))
		return mdb_txn_commit(txn);
	mdb_txn_abort(txn);
	return rc;
}

static int locked_txn(lmdb_store *s, unsigned flags, int (*fn)(MDB_txn *, void *), void *ctx)
{
	txn_call c = {flags, fn, ctx};
	pthread_mutex_lock(&s->write_mu);
	int rc = retry(s, run_txn, &c);
	pthread_mutex_unlock(&s->write_mu);
	return rc;
}

typedef struct view_call {
	const char *view;
	bool create;
	MDB_dbi dbi;
} view_call;

static int open_view(lmdb_store *s, void *ctx)
{
	view_call *v = ctx;
	const char *name;
	return lmdb_view_dbi(s, v->view, v->create, &v->dbi, &name);
}

static int open_meta(MDB_txn *txn, void *ctx)
{
	lmdb_store *s = ctx;
	return mdb_dbi_open(txn, LMDB_META_DB, MDB_CREATE, &s->meta);
}

int lmdb_open_meta(lmdb_store *s)
{
	int rc = locked_txn(s, 0, open_meta, s);
	return rc ? lmdb_fail(rc, "creating the metadata database", s) : 0;
}

/* A key LMDB can hold: 1 to max_key bytes. `what` names it ("row", "key"). */
static int check_key(const lmdb_store *s, const char *what, size_t i, fcat_bytes key)
{
	if (key.len == 0 || key.len > s->max_key || !key.ptr)
		return lmdb_host->error(FCAT_EINVALID,
		                        "lmdb: %s %zu: a key must hold 1 to %zu bytes, not %zu",
		                        what, i, s->max_key, key.len);
	return 0;
}

static int check_rows(const lmdb_store *s, const fcat_online_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int rc = check_key(s, "row", i, rows[i].key);
		if (rc)
			return rc;
		if (!fcatp_row_header_ok(&rows[i]))
			return lmdb_host->error(
			    FCAT_EINVALID, "lmdb: row %zu: not an encoded row (bad header)", i);
	}
	return 0;
}

/* Under the write lock, opens (creating) the view's database into *dbi,
 * then runs fn over it in one transaction (retried as the map grows).
 * LMDB's code; *what names the step that failed (`doing`: fn's). */
static int view_txn(lmdb_store *s, const char *view, MDB_dbi *dbi,
                    int (*fn)(MDB_txn *txn, void *ctx), void *ctx, const char *doing,
                    const char **what)
{
	view_call v = {view, true, 0};
	pthread_mutex_lock(&s->write_mu);
	*what = "creating a view's database";
	int rc = retry(s, open_view, &v);
	if (!rc) {
		*dbi = v.dbi;
		txn_call c = {0, fn, ctx};
		*what = doing;
		rc = retry(s, run_txn, &c);
	}
	pthread_mutex_unlock(&s->write_mu);
	return rc;
}

/* True when the row replaces the stored one: newer times, or the same
 * times written by another version of the view. */
static bool replaces(const MDB_val *v, const fcat_online_row *r)
{
	enum { VERSION_END = FCAT_ROW_VERSION_OFFSET + FCAT_ROW_VERSION_SIZE };
	const char *old = v->mv_data;
	if (v->mv_size < FCAT_ROW_HEADER_SIZE)
		return true;
	int64_t ev = fcatp_get_i64le(old + FCAT_ROW_EVENT_TS_OFFSET);
	int64_t cr = fcatp_get_i64le(old + FCAT_ROW_CREATED_TS_OFFSET);
	if (ev != r->event_ts)
		return ev < r->event_ts;
	if (cr != r->created_ts)
		return cr < r->created_ts;
	if (v->mv_size < VERSION_END || r->row.len < VERSION_END)
		return true;
	return memcmp(old + FCAT_ROW_VERSION_OFFSET, r->row.ptr + FCAT_ROW_VERSION_OFFSET,
	              FCAT_ROW_VERSION_SIZE) != 0;
}

typedef struct write_ctx {
	MDB_dbi dbi;
	const fcat_online_row *rows;
	size_t n;
} write_ctx;

/* Keys come sorted (core sorts each batch), so one cursor walks the tree:
 * LMDB looks for the next key on the cursor's page before searching from
 * the root, and a found row is replaced where the cursor stands. Puts
 * cursor on key k: 0 with *v its row and *put MDB_CURRENT, or 0 with *v
 * empty and *put 0 when it has none, or LMDB's error. The found key's
 * bytes stay in the page, which a put that changes the row's size moves:
 * the put is given k, never them. */
static int seek(MDB_cursor *cur, MDB_val k, MDB_val *v, unsigned *put)
{
	int rc = mdb_cursor_get(cur, &k, v, MDB_SET_KEY);
	*put = rc == 0 ? MDB_CURRENT : 0;
	if (rc == MDB_NOTFOUND)
		*v = (MDB_val){0, NULL};
	return rc == MDB_NOTFOUND ? 0 : rc;
}

static int write_rows(MDB_txn *txn, void *ctx)
{
	const write_ctx *w = ctx;
	MDB_cursor *cur;
	int rc = mdb_cursor_open(txn, w->dbi, &cur);
	for (size_t i = 0; rc == 0 && i < w->n; i++) {
		const fcat_online_row *r = &w->rows[i];
		MDB_val k = {r->key.len, (void *)r->key.ptr}, v;
		unsigned put;
		if ((rc = seek(cur, k, &v, &put)) != 0 || (put && !replaces(&v, r)))
			continue;
		v = (MDB_val){r->row.len, (void *)r->row.ptr};
		rc = mdb_cursor_put(cur, &k, &v, put);
	}
	return rc;
}

int lmdb_write(void *store, const char *view, const fcat_online_row *rows, size_t n)
{
	lmdb_store *s = store;
	int rc = lmdb_check_view(s, view);
	if (!rc)
		rc = check_rows(s, rows, n);
	if (rc || n == 0)
		return rc;
	write_ctx w = {0, rows, n};
	const char *what;
	rc = view_txn(s, view, &w.dbi, write_rows, &w, "writing rows", &what);
	return rc ? lmdb_fail(rc, what, s) : 0;
}

typedef struct update_ctx {
	MDB_dbi dbi;
	const fcat_bytes *keys;
	size_t n;
	fcat_update_fn fn;
	void *ctx;
	int fn_rc; /* core's error, which aborted the transaction */
} update_ctx;

/* One cursor, as write_rows. */
static int update_rows(MDB_txn *txn, void *ctx)
{
	update_ctx *u = ctx;
	MDB_cursor *cur;
	int rc = mdb_cursor_open(txn, u->dbi, &cur);
	for (size_t i = 0; rc == 0 && i < u->n; i++) {
		MDB_val k = {u->keys[i].len, (void *)u->keys[i].ptr}, v;
		unsigned put;
		if ((rc = seek(cur, k, &v, &put)) != 0)
			break;
		fcat_bytes old = {v.mv_data, v.mv_size}, out = {0};
		if ((u->fn_rc = u->fn(u->ctx, i, old, &out)) != 0)
			return MDB_PANIC; /* any code: the transaction is aborted */
		if (!out.ptr)
			continue;
		v = (MDB_val){out.len, (void *)out.ptr};
		rc = mdb_cursor_put(cur, &k, &v, put);
	}
	return rc;
}

int lmdb_update(void *store, const char *view, const fcat_bytes *keys, size_t n, fcat_update_fn fn,
                void *ctx)
{
	lmdb_store *s = store;
	int rc = lmdb_check_view(s, view);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = check_key(s, "key", i, keys[i]);
	if (rc || n == 0)
		return rc;
	update_ctx u = {0, keys, n, fn, ctx, 0};
	const char *what;
	rc = view_txn(s, view, &u.dbi, update_rows, &u, "updating rows", &what);
	if (u.fn_rc)
		return u.fn_rc;
	return rc ? lmdb_fail(rc, what, s) : 0;
}

typedef struct meta_ctx {
	MDB_dbi dbi;
	MDB_val k, v;
	char *buf;
	size_t size;
} meta_ctx;

static int get_meta(MDB_txn *txn, void *ctx)
{
	meta_ctx *m = ctx;
	int rc = mdb_get(txn, m->dbi, &m->k, &m->v);
	if (rc == 0 && m->v.mv_size < m->size) {
		memcpy(m->buf, m->v.mv_data, m->v.mv_size);
		m->buf[m->v.mv_size] = 0;
	}
	return rc;
}

int lmdb_meta_get(void *store, const char *key, char *buf, size_t size)
{
	lmdb_store *s = store;
	meta_ctx m = {s->meta, {strlen(key), (void *)key}, {0, NULL}, buf, size};
	if (m.k.mv_size == 0 || m.k.mv_size > s->max_key)
		return lmdb_host->error(FCAT_ENOTFOUND, "lmdb: no metadata '%s'", key);
	int rc = locked_txn(s, MDB_RDONLY, get_meta, &m);
	if (rc == MDB_NOTFOUND)
		return lmdb_host->error(FCAT_ENOTFOUND, "lmdb: no metadata '%s'", key);
	if (rc)
		return lmdb_fail(rc, "reading metadata", s);
	if (m.v.mv_size >= size || m.v.mv_size > INT_MAX)
		return lmdb_host->error(FCAT_EINVALID,
		                        "lmdb: metadata '%s' holds %zu bytes, the buffer %zu", key,
		                        m.v.mv_size, size);
	return (int)m.v.mv_size;
}

static int put_meta(MDB_txn *txn, void *ctx)
{
	meta_ctx *m = ctx;
	return mdb_put(txn, m->dbi, &m->k, &m->v, 0);
}

int lmdb_meta_set(void *store, const char *key, const char *value)
{
	lmdb_store *s = store;
	meta_ctx m = {s->meta, {strlen(key), (void *)key}, {strlen(value), (void *)value}, NULL, 0};
	if (m.k.mv_size == 0 || m.k.mv_size > s->max_key)
		return lmdb_host->error(FCAT_EINVALID, "lmdb: invalid metadata key '%s'", key);
	int rc = locked_txn(s, 0, put_meta, &m);
	return rc ? lmdb_fail(rc, "writing metadata", s) : 0;
}

static int empty_db(MDB_txn *txn, void *ctx)
{
	return mdb_drop(txn, *(MDB_dbi *)ctx, 0);
}

/* Empties the view's database but keeps it (and its handle, cached by
 * every reader) for later writes. */
int lmdb_drop_view(void *store, const char *view)
{
	lmdb_store *s = store;
	int rc = lmdb_check_view(s, view);
	if (rc)
		return rc;
	view_call v = {view, false, 0};
	pthread_mutex_lock(&s->write_mu);
	rc = retry(s, open_view, &v);
	if (rc == MDB_NOTFOUND) {
		pthread_mutex_unlock(&s->write_mu);
		return 0;
	}
	if (!rc) {
		txn_call c = {0, empty_db, &v.dbi};
		rc = retry(s, run_txn, &c);
	}
	pthread_mutex_unlock(&s->write_mu);
	return rc ? lmdb_fail(rc, "dropping a view", s) : 0;
}
