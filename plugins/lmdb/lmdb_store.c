/* lmdb_store.c - the LMDB online store: open, close, write, metadata. */
#include "lmdb_store.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define LMDB_META_DB "__meta"
#define DEFAULT_PATH "data/online.lmdb"
#define DEFAULT_MAP_MB 1024
#define DEFAULT_MAX_VIEWS 1024
#define DEFAULT_MAX_READERS 1024

const fcat_plugin_host *lmdb_host;

int lmdb_fail(int rc, const char *what, const lmdb_store *s)
{
	int code = rc == MDB_NOTFOUND	   ? FCAT_ENOTFOUND
		   : rc == ENOMEM	   ? FCAT_ENOMEM
		   : rc == MDB_BAD_VALSIZE ? FCAT_EINVALID
					   : FCAT_EIO;
	return lmdb_host->error(code, "lmdb: %s (%s): %s", what, s ? s->path : "?",
				mdb_strerror(rc));
}

int lmdb_check_view(const lmdb_store *s, const char *view)
{
	size_t len = view ? strlen(view) : 0;
	if (len == 0 || len > s->max_key)
		return lmdb_host->error(FCAT_EINVALID, "lmdb: invalid view name '%s'",
					view ? view : "(null)");
	if (strcmp(view, LMDB_META_DB) == 0)
		return lmdb_host->error(FCAT_EINVALID, "lmdb: '%s' is reserved", view);
	return 0;
}

/* Looks a view up; called with views_mu held. */
static lmdb_view *find_view(lmdb_store *s, const char *view)
{
	for (size_t i = 0; i < s->nviews; i++)
		if (strcmp(s->views[i].name, view) == 0)
			return &s->views[i];
	return NULL;
}

static int add_view(lmdb_store *s, const char *view, MDB_dbi dbi, const char **name)
{
	if (s->nviews == s->cap_views) {
		size_t cap = s->cap_views ? 2 * s->cap_views : 16;
		lmdb_view *v = realloc(s->views, cap * sizeof *v);
		if (!v)
			return ENOMEM;
		s->views = v;
		s->cap_views = cap;
	}
	char *copy = strdup(view);
	if (!copy)
		return ENOMEM;
	s->views[s->nviews++] = (lmdb_view){copy, dbi};
	*name = copy;
	return 0;
}

int lmdb_view_dbi(lmdb_store *s, const char *view, bool create, MDB_dbi *dbi,
		  const char **name)
{
	pthread_mutex_lock(&s->views_mu);
	lmdb_view *v = find_view(s, view);
	if (v) {
		*dbi = v->dbi;
		*name = v->name;
		pthread_mutex_unlock(&s->views_mu);
		return 0;
	}
	/* The handle becomes shared once this short transaction commits; no
	 * other transaction opens a handle meanwhile (views_mu). */
	MDB_txn *txn;
	int rc = mdb_txn_begin(s->env, NULL, create ? 0 : MDB_RDONLY, &txn);
	if (rc == 0) {
		rc = mdb_dbi_open(txn, view, create ? MDB_CREATE : 0, dbi);
		if (rc == 0)
			rc = mdb_txn_commit(txn);
		else
			mdb_txn_abort(txn);
	}
	if (rc == 0)
		rc = add_view(s, view, *dbi, name);
	pthread_mutex_unlock(&s->views_mu);
	return rc;
}

/* Doubles the map. Readers inside read() are waited for: resizing moves
 * the map. Only write paths call it, one thread at a time. */
static int grow(lmdb_store *s)
{
	MDB_envinfo info;
	int rc = mdb_env_info(s->env, &info);
	if (rc)
		return lmdb_fail(rc, "reading the map size", s);
	size_t size = info.me_mapsize;
	if (size > SIZE_MAX / 2)
		return lmdb_host->error(FCAT_ENOMEM, "lmdb: the map of %s cannot grow", s->path);
	lmdb_readers_pause(s);
	rc = mdb_env_set_mapsize(s->env, 2 * size);
	lmdb_readers_resume(s);
	if (rc)
		return lmdb_fail(rc, "growing the map", s);
	return 0;
}

/* One write transaction over `fn`; grows the map and starts again on
 * MDB_MAP_FULL. `fn` returns an LMDB code. */
static int run_write(lmdb_store *s, const char *what, int (*fn)(MDB_txn *, void *), void *ctx)
{
	for (;;) {
		MDB_txn *txn;
		int rc = mdb_txn_begin(s->env, NULL, 0, &txn);
		if (rc == 0) {
			rc = fn(txn, ctx);
			if (rc == 0)
				rc = mdb_txn_commit(txn);
			else
				mdb_txn_abort(txn);
		}
		if (rc == 0)
			return 0;
		if (rc != MDB_MAP_FULL)
			return lmdb_fail(rc, what, s);
		rc = grow(s);
		if (rc)
			return rc;
	}
}

static int64_t get_i64le(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | u[i];
	return (int64_t)v;
}

static int parse_size(size_t *out, const fcat_plugin_config *config, const char *key,
		      size_t def, size_t max)
{
	const char *text = config->get(config, key);
	*out = def;
	if (!text)
		return 0;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-' || v == 0 || v > max)
		return lmdb_host->error(FCAT_EINVALID,
					"lmdb: setting %s: '%s' is not a whole number from 1 to %zu",
					key, text, max);
	*out = (size_t)v;
	return 0;
}

/* Creates a directory and its parents. */
static int mkdir_p(const char *path)
{
	char *p = strdup(path);
	if (!p)
		return lmdb_host->error(FCAT_ENOMEM, "lmdb: out of memory");
	for (char *c = p + 1;; c++) {
		if (*c != '/' && *c)
			continue;
		char was = *c;
		*c = 0;
		if (mkdir(p, 0755) != 0 && errno != EEXIST) {
			int e = errno;
			lmdb_host->error(FCAT_EIO, "lmdb: cannot create %s: %s", p, strerror(e));
			free(p);
			return FCAT_EIO;
		}
		*c = was;
		if (!was)
			break;
	}
	free(p);
	return 0;
}

static char *store_path(const fcat_plugin_config *config)
{
	const char *p = config->get(config, "path");
	if (!p || !*p)
		p = DEFAULT_PATH;
	char *out;
	if (p[0] == '/' || !config->repo_root)
		out = strdup(p);
	else if (asprintf(&out, "%s/%s", config->repo_root, p) < 0)
		out = NULL;
	return out;
}

static int open_meta(MDB_txn *txn, void *ctx)
{
	lmdb_store *s = ctx;
	return mdb_dbi_open(txn, LMDB_META_DB, MDB_CREATE, &s->meta);
}

static void lmdb_close(void *store);

static int open_env(lmdb_store *s, const fcat_plugin_config *config)
{
	size_t map_mb, max_views, max_readers;
	int rc = parse_size(&map_mb, config, "map_size_mb", DEFAULT_MAP_MB, SIZE_MAX >> 21);
	if (!rc)
		rc = parse_size(&max_views, config, "max_views", DEFAULT_MAX_VIEWS, 32767);
	if (!rc)
		rc = parse_size(&max_readers, config, "max_readers", DEFAULT_MAX_READERS, 65536);
	if (!rc)
		rc = mkdir_p(s->path);
	if (rc)
		return rc;
	struct stat st;
	if (stat(s->path, &st) != 0)
		return lmdb_host->error(FCAT_EIO, "lmdb: %s: %s", s->path, strerror(errno));
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	rc = mdb_env_create(&s->env);
	if (!rc)
		rc = mdb_env_set_maxdbs(s->env, (MDB_dbi)max_views + 1);
	if (!rc)
		rc = mdb_env_set_maxreaders(s->env, (unsigned)max_readers);
	if (!rc)
		rc = mdb_env_set_mapsize(s->env, map_mb << 20);
	if (rc)
		return lmdb_fail(rc, "creating the environment", s);
	rc = mdb_env_open(s->env, s->path, MDB_NOTLS | MDB_NORDAHEAD, 0644);
	if (rc)
		return lmdb_fail(rc, "opening", s);
	s->max_key = (size_t)mdb_env_get_maxkeysize(s->env);
	return 0;
}

static int lmdb_open(void **out, const fcat_plugin_config *config)
{
	*out = NULL;
	lmdb_store *s = calloc(1, sizeof *s);
	if (!s)
		return lmdb_host->error(FCAT_ENOMEM, "lmdb: out of memory");
	pthread_mutex_init(&s->views_mu, NULL);
	pthread_mutex_init(&s->resize_mu, NULL);
	s->path = store_path(config);
	if (!s->path) {
		lmdb_close(s);
		return lmdb_host->error(FCAT_ENOMEM, "lmdb: out of memory");
	}
	/* Open under the live lock: LMDB forbids one environment opened twice
	 * in one process. */
	lmdb_live_lock();
	int rc = open_env(s, config);
	if (!rc)
		rc = lmdb_live_add_locked(s);
	lmdb_live_unlock();
	if (!rc)
		rc = run_write(s, "creating the metadata database", open_meta, s);
	if (rc) {
		lmdb_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

static void lmdb_close(void *store)
{
	lmdb_store *s = store;
	if (!s)
		return;
	lmdb_live_remove(s);
	if (s->env)
		mdb_env_close(s->env);
	for (size_t i = 0; i < s->nviews; i++)
		free(s->views[i].name);
	free(s->views);
	pthread_mutex_destroy(&s->views_mu);
	pthread_mutex_destroy(&s->resize_mu);
	free(s->path);
	free(s);
}

typedef struct write_ctx {
	MDB_dbi dbi;
	const fcat_online_row *rows;
	size_t n;
} write_ctx;

/* True when the stored row is older than (event_ts, created_ts). */
static bool stored_is_older(const MDB_val *v, int64_t event_ts, int64_t created_ts)
{
	if (v->mv_size < FCAT_ROW_HEADER_SIZE)
		return true;
	int64_t ev = get_i64le((const char *)v->mv_data + FCAT_ROW_EVENT_TS_OFFSET);
	int64_t cr = get_i64le((const char *)v->mv_data + FCAT_ROW_CREATED_TS_OFFSET);
	return ev < event_ts || (ev == event_ts && cr < created_ts);
}

static int write_rows(MDB_txn *txn, void *ctx)
{
	const write_ctx *w = ctx;
	for (size_t i = 0; i < w->n; i++) {
		const fcat_online_row *r = &w->rows[i];
		MDB_val k = {r->key.len, (void *)r->key.ptr}, v;
		int rc = mdb_get(txn, w->dbi, &k, &v);
		if (rc == 0 && !stored_is_older(&v, r->event_ts, r->created_ts))
			continue;
		if (rc != 0 && rc != MDB_NOTFOUND)
			return rc;
		v = (MDB_val){r->row.len, (void *)r->row.ptr};
		rc = mdb_put(txn, w->dbi, &k, &v, 0);
		if (rc)
			return rc;
	}
	return 0;
}

static int check_rows(const lmdb_store *s, const fcat_online_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const fcat_online_row *r = &rows[i];
		if (r->key.len == 0 || r->key.len > s->max_key || !r->key.ptr)
			return lmdb_host->error(FCAT_EINVALID,
						"lmdb: row %zu: a key must hold 1 to %zu bytes, "
						"not %zu", i, s->max_key, r->key.len);
		if (!r->row.ptr || r->row.len < FCAT_ROW_HEADER_SIZE ||
		    (unsigned char)r->row.ptr[0] != FCAT_ROW_MAGIC ||
		    get_i64le(r->row.ptr + FCAT_ROW_EVENT_TS_OFFSET) != r->event_ts ||
		    get_i64le(r->row.ptr + FCAT_ROW_CREATED_TS_OFFSET) != r->created_ts)
			return lmdb_host->error(FCAT_EINVALID,
						"lmdb: row %zu: not an encoded row (bad header)", i);
	}
	return 0;
}

static int lmdb_write(void *store, const char *view, const fcat_online_row *rows, size_t n)
{
	lmdb_store *s = store;
	int rc = lmdb_check_view(s, view);
	if (!rc)
		rc = check_rows(s, rows, n);
	if (rc || n == 0)
		return rc;
	write_ctx w = {0, rows, n};
	const char *name;
	for (;;) {
		rc = lmdb_view_dbi(s, view, true, &w.dbi, &name);
		if (rc != MDB_MAP_FULL)
			break;
		rc = grow(s);
		if (rc)
			return rc;
	}
	if (rc)
		return lmdb_fail(rc, "creating a view's database", s);
	return run_write(s, "writing rows", write_rows, &w);
}

static int lmdb_meta_get(void *store, const char *key, char *buf, size_t size)
{
	lmdb_store *s = store;
	MDB_txn *txn;
	int rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn);
	if (rc)
		return lmdb_fail(rc, "reading metadata", s);
	MDB_val k = {strlen(key), (void *)key}, v;
	rc = mdb_get(txn, s->meta, &k, &v);
	if (rc == MDB_NOTFOUND) {
		mdb_txn_abort(txn);
		return lmdb_host->error(FCAT_ENOTFOUND, "lmdb: no metadata '%s'", key);
	}
	if (rc) {
		mdb_txn_abort(txn);
		return lmdb_fail(rc, "reading metadata", s);
	}
	if (v.mv_size >= size || v.mv_size > INT_MAX) {
		mdb_txn_abort(txn);
		return lmdb_host->error(FCAT_EINVALID,
					"lmdb: metadata '%s' holds %zu bytes, the buffer %zu", key,
					v.mv_size, size);
	}
	memcpy(buf, v.mv_data, v.mv_size);
	buf[v.mv_size] = 0;
	mdb_txn_abort(txn);
	return (int)v.mv_size;
}

typedef struct meta_ctx {
	MDB_dbi dbi;
	MDB_val k, v;
} meta_ctx;

static int put_meta(MDB_txn *txn, void *ctx)
{
	meta_ctx *m = ctx;
	return mdb_put(txn, m->dbi, &m->k, &m->v, 0);
}

static int lmdb_meta_set(void *store, const char *key, const char *value)
{
	lmdb_store *s = store;
	size_t len = strlen(key);
	if (len == 0 || len > s->max_key)
		return lmdb_host->error(FCAT_EINVALID, "lmdb: invalid metadata key '%s'", key);
	meta_ctx m = {s->meta, {len, (void *)key}, {strlen(value), (void *)value}};
	return run_write(s, "writing metadata", put_meta, &m);
}

static int empty_db(MDB_txn *txn, void *ctx)
{
	return mdb_drop(txn, *(MDB_dbi *)ctx, 0);
}

/* Empties the view's database but keeps it (and its handle, cached by
 * every reader) for later writes. */
static int lmdb_drop_view(void *store, const char *view)
{
	lmdb_store *s = store;
	int rc = lmdb_check_view(s, view);
	if (rc)
		return rc;
	MDB_dbi dbi;
	const char *name;
	rc = lmdb_view_dbi(s, view, false, &dbi, &name);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return lmdb_fail(rc, "opening a view's database", s);
	return run_write(s, "dropping a view", empty_db, &dbi);
}

static const fcat_online_ops lmdb_online = {
	.open = lmdb_open,
	.close = lmdb_close,
	.write = lmdb_write,
	.read = lmdb_read,
	.meta_get = lmdb_meta_get,
	.meta_set = lmdb_meta_set,
	.drop_view = lmdb_drop_view,
};

static const fcat_plugin lmdb_plugin = {
	.abi_version = FCAT_PLUGIN_ABI_VERSION,
	.name = "lmdb",
	.description = "embedded online store (LMDB memory-mapped B-tree)",
	.online = &lmdb_online,
	.offline = NULL,
};

FCAT_PLUGIN_DEFINE_ENTRY(host)
{
	if (!host || host->abi_version != FCAT_PLUGIN_ABI_VERSION) {
		if (host && host->error)
			host->error(FCAT_EVERSION, "lmdb: built for plugin ABI %d",
				    FCAT_PLUGIN_ABI_VERSION);
		return NULL;
	}
	lmdb_host = host;
	return &lmdb_plugin;
}
