/* push.h - the parts of fcat_push: checking the pushed rows and who pushes
 * them, appending them to the batch source, and computing then writing the
 * online rows of each view (through materialize's path, view_rows.h). */
#ifndef FCAT_PUSH_PUSH_H
#define FCAT_PUSH_PUSH_H

#include "materialize/view_rows.h"
#include "plugin/loader.h"
#include "store/store.h"

/* One push being made. */
typedef struct fcat__push {
	fcat_store *store;
	const fcat__push_source *ps;
	fcat__caller who; /* the principal, with its vouched-for groups */
	const fcat_push_column *in;
	size_t ncols, nrows;
	const fcat__field **field; /* per input column: its schema field */
	fcat_value *cells;         /* nrows * ncols, row-major, typed by the schema */
	const fcat__view **views;  /* every feature view over the batch source */
	size_t nviews;
} fcat__push;

/* Finds the views over the batch source; checks every input column is a
 * schema column given once, and every schema column is given (but the
 * created timestamp field). FCAT_EINVALID naming the column. */
int fcat__push_check_columns(fcat__push *p);

/* Checks every value (row by row, column by column) and fills p->cells:
 * FCAT_EINVALID naming the row (1-based) and the column. */
int fcat__push_check_rows(fcat__push *p);

/* `write` on every view over the batch source (on project when there is
 * none), audited under p->who. FCAT_EDENIED naming who and the view. */
int fcat__push_check_access(const fcat__push *p);

/* The batch source's offline plugin, opened, known to append. */
typedef struct fcat__push_offline {
	fcat__plugin plugin;
	void *handle;
	bool loaded;
} fcat__push_offline;

/* Loads and opens the plugin of the batch source; FCAT_EINVALID when it
 * cannot take pushes (no append slot, a query source). Writes nothing. */
int fcat__push_offline_open(fcat__push_offline *o, const fcat__push *p);

/* Appends the rows, all or nothing. */
int fcat__push_offline_append(fcat__push_offline *o, const fcat__push *p);

void fcat__push_offline_close(fcat__push_offline *o);

/* The online rows of every online view over the batch source, computed
 * (latest per key, transformed) and not yet written. */
typedef struct fcat__push_online {
	const fcat__view **views;
	fcat__view_rows **rows;
	size_t n;
} fcat__push_online;

/* Computes every view's rows; writes nothing. */
int fcat__push_online_prepare(fcat__push_online *o, const fcat__push *p);

/* Writes view after view; on a failure the error names the views written
 * and those not written (and `offline`, when the rows were appended). */
int fcat__push_online_write(fcat__push_online *o, const fcat__push *p, fcat_push_stats *st,
                            bool offline);

void fcat__push_online_free(fcat__push_online *o);

#endif
