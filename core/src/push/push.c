/* push.c - fcat_push: check everything (columns, rows, policies, that the
 * stores can take the rows), compute every view's online rows, then write:
 * offline first, then online, view after view. */
#include "push/push.h"

#include "util/error.h"
#include "util/options.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Online stores take writes from one thread at a time per store (see
 * fcat_plugin.h); pushes from many threads take turns to write. */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int find(const fcat__push_source **out, const fcat_store *s, const char *name)
{
	const fcat_object *o = name ? fcat__strmap_get(&s->catalog->by_name, name) : NULL;
	if (!o)
		return fcat__error(FCAT_ENOTFOUND, "no push source named '%s' in the catalog",
		                   name ? name : "(null)");
	if (o->kind != FCAT_OBJ_PUSH_SOURCE)
		return fcat__error(FCAT_ENOTFOUND, "'%s' is %s %s, not a push source", name,
		                   fcat__article(fcat_object_kind_name(o->kind)),
		                   fcat_object_kind_name(o->kind));
	*out = (const fcat__push_source *)o;
	return 0;
}

/* Checks and computes; then writes what `to` asks, offline first. */
static int run(fcat__push *p, fcat_push_to to, fcat_push_stats *st)
{
	bool offline = to != FCAT_PUSH_ONLINE, online = to != FCAT_PUSH_OFFLINE;
	int rc = fcat__push_check_columns(p);
	if (rc == 0)
		rc = fcat__push_check_access(p);
	if (rc == 0)
		rc = fcat__push_check_rows(p);
	fcat__push_offline off = {0};
	fcat__push_online on = {0};
	if (rc == 0 && offline)
		rc = fcat__push_offline_open(&off, p);
	if (rc == 0 && online)
		rc = fcat__push_online_prepare(&on, p);
	if (rc == 0) {
		pthread_mutex_lock(&write_lock);
		if (offline && p->nrows) {
			rc = fcat__push_offline_append(&off, p);
			if (rc == 0)
				st->rows_appended = p->nrows;
		}
		if (rc == 0 && online)
			rc = fcat__push_online_write(&on, p, st, offline && p->nrows);
		pthread_mutex_unlock(&write_lock);
	}
	fcat__push_offline_close(&off);
	fcat__push_online_free(&on);
	return rc;
}

int fcat_push(fcat_push_stats *stats, fcat_store *store, const char *push_source,
              const fcat_push_column *columns, size_t ncolumns, size_t nrows,
              const fcat_push_options *options)
{
	double t0 = now_seconds();
	fcat_push_stats st = {0};
	if (stats)
		*stats = st;
	fcat_push_options o = FCAT_PUSH_OPTIONS_INIT;
	/* the first version ended before groups: a caller built then still works */
	int rc = fcat__options_take(&o, sizeof o, options, offsetof(fcat_push_options, groups),
	                            "fcat_push_options");
	if (rc)
		return rc;
	if (o.to != FCAT_PUSH_ONLINE && o.to != FCAT_PUSH_OFFLINE &&
	    o.to != FCAT_PUSH_ONLINE_AND_OFFLINE)
		return fcat__error(FCAT_EUSAGE,
		                   "push: 'to' must be online, offline or online_and_offline "
		                   "(FCAT_PUSH_*), not %d",
		                   (int)o.to);
	if (!store || (ncolumns && !columns))
		return fcat__error(FCAT_EUSAGE, "push: no store or no columns");
	fcat__push p = {0};
	p.store = store;
	p.who = (fcat__caller){o.principal ? o.principal : store->principal, o.groups, o.ngroups};
	p.in = columns;
	p.ncols = ncolumns;
	p.nrows = nrows;
	rc = find(&p.ps, store, push_source);
	if (rc == 0)
		rc = run(&p, o.to, &st);
	free(p.field);
	free(p.cells);
	free(p.views);
	st.rows = rc == 0 ? nrows : 0;
	st.seconds = now_seconds() - t0;
	if (stats)
		*stats = st;
	return rc;
}
