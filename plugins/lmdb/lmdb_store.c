/* lmdb_store.c - the LMDB online store: settings, open, close, views. */
#include "lmdb_store.h"

#include "plugin_host.h"
#include "plugin_path.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DEFAULT_PATH        "data/online.lmdb"
#define DEFAULT_MAP_MB      1024
#define DEFAULT_MAX_VIEWS   1024
#define DEFAULT_MAX_READERS 1024

const fcat_plugin_host *lmdb_host;

int lmdb_fail(int rc, const char *what, const lmdb_store *s)
{
	int code = rc == MDB_NOTFOUND      ? FCAT_ENOTFOUND
	           : rc == ENOMEM          ? FCAT_ENOMEM
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

int lmdb_view_dbi(lmdb_store *s, const char *view, bool create, MDB_dbi *dbi, const char **name)
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

static int parse_size(size_t *out, const fcat_plugin_config *config, const char *key, size_t def,
                      size_t max)
{
	const char *text = config->get(config, key);
	*out = def;
	if (!text)
		return 0;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-' || v == 0 || v > max)
		return lmdb_host->error(
		    FCAT_EINVALID, "lmdb: setting %s: '%s' is not a whole number from 1 to %zu",
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

static void lmdb_close(void *store);

/* A data file shorter than the pages its meta page says are in use was
 * truncated (a copy cut short, a full disk): LMDB would map past its end and
 * the first read there would die of SIGBUS. Refuse it, naming the file. */
static int check_whole(lmdb_store *s)
{
	MDB_envinfo info;
	MDB_stat st;
	struct stat fst;
	char file[4200];
	snprintf(file, sizeof file, "%s/data.mdb", s->path);
	if (mdb_env_info(s->env, &info) != 0 || mdb_env_stat(s->env, &st) != 0 ||
	    stat(file, &fst) != 0)
		return 0; /* nothing to compare with: LMDB's own checks stand */
	uint64_t need = ((uint64_t)info.me_last_pgno + 1) * st.ms_psize;
	if ((uint64_t)fst.st_size >= need)
		return 0;
	return lmdb_host->error(FCAT_EIO,
	                        "lmdb: %s is truncated: %llu bytes, but its pages in use need "
	                        "%llu; restore it from a copy, or remove %s and materialize "
	                        "again",
	                        file, (unsigned long long)fst.st_size, (unsigned long long)need,
	                        s->path);
}

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
	if ((rc = check_whole(s)))
		return rc;
	s->max_key = (size_t)mdb_env_get_maxkeysize(s->env);
	int dead; /* reader entries of processes that died */
	mdb_reader_check(s->env, &dead);
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
	pthread_mutex_init(&s->write_mu, NULL);
	s->path = fcatp_repo_path(config, fcatp_setting_or(config, "path", DEFAULT_PATH));
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
		rc = lmdb_open_meta(s);
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
	pthread_mutex_destroy(&s->write_mu);
	free(s->path);
	free(s);
}

static const fcat_online_ops lmdb_online = {
    .size = FCAT_OPS_SIZE(fcat_online_ops),
    .open = lmdb_open,
    .close = lmdb_close,
    .write = lmdb_write,
    .read = lmdb_read,
    .meta_get = lmdb_meta_get,
    .meta_set = lmdb_meta_set,
    .drop_view = lmdb_drop_view,
    .update = lmdb_update,
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
	return fcatp_enter(&lmdb_host, host, &lmdb_plugin);
}
