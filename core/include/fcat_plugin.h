/*
 * fcat_plugin.h - the plugin ABI: the one header a storage backend includes.
 *
 * A plugin is a shared object named fcat_<name>.so that exports one symbol,
 * FCAT_PLUGIN_ENTRY_NAME ("fcat_plugin_entry"), a function that returns a
 * table of function pointers opening with the ABI version it was built for.
 * Core finds plugins on a search path ($FCAT_PLUGIN_PATH, then the build
 * tree, then the install prefix), refuses one built for an ABI version it
 * cannot serve (see Stability), and hands each its section of fcat.yaml. Core links no plugin, and
 * a plugin needs nothing but this header (and whatever client library it wraps).
 *
 * Stability: which plugins core loads (the rule sqlite3_vfs follows):
 *  - Slots are only ever appended at the end of a table, never reordered or
 *    removed, and FCAT_PLUGIN_ABI_VERSION goes up when one is appended.
 *  - A plugin built for an older version, down to FCAT_PLUGIN_ABI_MIN_VERSION,
 *    keeps working: its tables are shorter, and a slot appended after its
 *    version is optional (MAY) and read only through FCAT_OPS_HAS, which is
 *    false when the plugin's table ends before the slot.
 *  - A plugin built for a newer version than core's is refused with
 *    FCAT_EVERSION and an error naming the file and both versions: core
 *    cannot know what it expects of a host it predates. So is one below
 *    FCAT_PLUGIN_ABI_MIN_VERSION (version 1 tables carry no `size`).
 *  - An ops table shorter than the slots of FCAT_PLUGIN_ABI_MIN_VERSION is
 *    refused with an error naming the file and both sizes. The ops tables
 *    (fcat_online_ops, fcat_offline_ops) open with `size`, which a plugin
 *    MUST set to the sizeof of the table as its header declared it
 *    (FCAT_OPS_SIZE does).
 *  - Core's own table grows the same way: fcat_plugin_host carries `size`
 *    from version 3 on, and a plugin reads a host slot appended after version
 *    2 only through FCAT_HOST_HAS, so it runs under a newer core as well as
 *    under the core it was built for. A plugin MAY refuse (entry returns
 *    NULL after host->error) a host that lacks a slot it cannot do without.
 * Each slot says whether a plugin MUST or MAY provide it (NULL when not).
 * Version history: 1, the first; 2 added the ops tables' `size` and the
 * offline pit_join; 3 added fcat_plugin_host's `size`, the rule above
 * (version 2 plugins load unchanged), the offline `columns` probe and the
 * offline `append`; 4 added the online `update` (read-modify-write, for the
 * tiles of window aggregations); 5 added the offline `scan_part` (one of
 * several spans of a scan, read at once by parallel materialize).
 *
 * Errors: every function returns 0 or a negative FCAT_E* code (fcat.h) and
 * sets the message through fcat_plugin_host.error, which stores it as the
 * calling thread's fcat_error_last().
 *
 * Threads: core may call read from several threads at once on one store,
 * and write, meta_get, meta_set and drop_view from one thread at a time per
 * store while other threads read.
 *
 * Limits a plugin may rely on: view names are identifiers of at most 128
 * letters, digits and '_'; an encoded entity key is at most 511 bytes; core
 * writes at most 10,000 rows per write call.
 */
#ifndef FCAT_PLUGIN_H
#define FCAT_PLUGIN_H

#include "fcat.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The ABI version this header declares; a plugin reports it in
 * fcat_plugin.abi_version. */
#define FCAT_PLUGIN_ABI_VERSION 5
/** The oldest ABI version core still loads. */
#define FCAT_PLUGIN_ABI_MIN_VERSION 2
#define FCAT_PLUGIN_ENTRY_NAME      "fcat_plugin_entry"

/** The `size` initializer of an ops table: `.size = FCAT_OPS_SIZE(fcat_offline_ops)`. */
#define FCAT_OPS_SIZE(type) sizeof(type)

/** True when the ops table `ops` (a pointer) is long enough to hold `slot`
 * and the slot is set. Reads nothing past the plugin's table. */
#define FCAT_OPS_HAS(ops, slot)                                                                    \
	((ops)->size >=                                                                            \
	     (size_t)((const char *)&(ops)->slot - (const char *)(ops)) + sizeof((ops)->slot) &&   \
	 (ops)->slot != NULL)

/** True when the host table `host` (a pointer) holds `slot` and the slot is
 * set: every version-2 slot, and a later one when the host's `size` covers
 * it. Reads nothing past the host's table. */
#define FCAT_HOST_HAS(host, slot)                                                                  \
	(((size_t)((const char *)&(host)->slot - (const char *)(host)) + sizeof((host)->slot) <=   \
	      offsetof(fcat_plugin_host, size) ||                                                  \
	  ((host)->abi_version >= 3 &&                                                             \
	   (host)->size >= (size_t)((const char *)&(host)->slot - (const char *)(host)) +          \
	                       sizeof((host)->slot))) &&                                           \
	 (host)->slot != NULL)

/* ------------------------------------------------------------------------ */
/* What core offers plugins                                                  */
/* ------------------------------------------------------------------------ */

/** Services core hands to a plugin. Valid for the life of the process.
 *
 * `size` comes after the version-2 slots rather than first: a plugin built
 * for version 2 reads `error` .. `error_last` at the offsets it was compiled
 * with, so they stay where they were, and slots appended later go after
 * `size`. Read `size` only when abi_version >= 3 (a plugin's entry may be
 * called by an older core before that core refuses it); FCAT_HOST_HAS does
 * this. Every slot up to `error_last` is set by every host. */
typedef struct fcat_plugin_host {
	unsigned int abi_version; /**< FCAT_PLUGIN_ABI_VERSION of core */
	/** Sets the calling thread's last error; returns `code`. */
	int (*error)(int code, const char *fmt, ...)
#if defined(__GNUC__)
	    __attribute__((format(printf, 2, 3)))
#endif
	    ;
	/** fcat_value_parse, fcat_value_clear, fcat_timestamp_parse (fcat.h). */
	int (*value_parse)(fcat_value *out, fcat_type type, const char *text, size_t len);
	void (*value_clear)(fcat_value *value);
	int (*timestamp_parse)(int64_t *out, const char *text, size_t len);
	/** The calling thread's last error message (fcat_error_last), so a
	 * plugin can add where a host function failed to its message. */
	const char *(*error_last)(void);

	/* ---- version 3 ---- */
	/** sizeof(fcat_plugin_host) as core was built. Slots appended after
	 * this one are read only through FCAT_HOST_HAS. */
	size_t size;
} fcat_plugin_host;

/** A plugin's configuration: its section of fcat.yaml and where it runs.
 * An online store that keeps its data in local files takes their place from
 * the `path` setting (relative to repo_root, or absolute): `fcat verify`
 * opens a private scratch store by handing the same settings with `path`
 * replaced. A store without `path` is taken to be shared (a server), and
 * verify does not write to it. */
typedef struct fcat_plugin_config {
	const char *repo_root; /**< absolute path of the feature repo */
	const char *project;   /**< fcat.yaml's project name */
	const char *section;   /**< "online_store", "offline_store", or "source" */
	/** A setting of the section as written ("path", "tls.ca_file"; an
	 * item of a list by its index from 0, "cluster.0"), or NULL when
	 * absent or not a scalar. The string lives as long as the store. */
	const char *(*get)(const struct fcat_plugin_config *config, const char *key);
	const void *impl; /**< core's; do not touch */
} fcat_plugin_config;

/* ------------------------------------------------------------------------ */
/* Online stores                                                             */
/* ------------------------------------------------------------------------ */

/*
 * Online rows are opaque bytes encoded by core, identical for every
 * backend. A plugin stores them per (view, entity key) and needs to read
 * only this fixed header at the start of each row, to keep the newer row,
 * and the version bytes after it to tell rows of equal times apart:
 */
#define FCAT_ROW_MAGIC             0xFC /**< byte 0 */
#define FCAT_ROW_EVENT_TS_OFFSET   8    /**< int64 little-endian, microseconds */
#define FCAT_ROW_CREATED_TS_OFFSET 16   /**< int64 little-endian, microseconds */
#define FCAT_ROW_HEADER_SIZE       24
/** After the header: the version of the view definition that wrote the
 * row (its data hash), which decides between rows of equal times. */
#define FCAT_ROW_VERSION_OFFSET 24
#define FCAT_ROW_VERSION_SIZE   32

/**
 * Receives the stored row of keys[i] (old.ptr NULL when the key has none)
 * and sets *out to the row to store in its place, or out->ptr to NULL to
 * leave the key as it is. out's bytes belong to core and stay valid until
 * the next call of the function or the end of update. Return 0, or an
 * error code to abort the whole update (nothing of it is written). The
 * function is pure: a plugin that retries (optimistic concurrency) may call
 * it again for the same key with the newer stored row.
 */
typedef int (*fcat_update_fn)(void *ctx, size_t i, fcat_bytes old, fcat_bytes *out);

/** One row to write. */
typedef struct fcat_online_row {
	fcat_bytes key;     /**< the encoded entity key */
	fcat_bytes row;     /**< the encoded row, header first */
	int64_t event_ts;   /**< as in the header */
	int64_t created_ts; /**< as in the header */
} fcat_online_row;

typedef struct fcat_online_ops {
	/** MUST. sizeof(fcat_online_ops) as the plugin was built: FCAT_OPS_SIZE. */
	size_t size;

	/** MUST. Opens the store described by `config` (creating it when it
	 * does not exist). *out is the plugin's handle. */
	int (*open)(void **out, const fcat_plugin_config *config);

	/** MUST. Closes and frees the handle (NULL is allowed). */
	void (*close)(void *store);

	/** MUST. Writes rows of one view as one transaction: after a crash at
	 * any moment, every key holds either its old row or its new one, whole.
	 * A row replaces the stored one only when (event_ts, created_ts) is
	 * greater, or equal while the version bytes differ (a definition
	 * changed and the same source rows were materialized again; a stored
	 * row too short to hold them counts as another version); otherwise
	 * the stored one stays. A plugin MAY refuse (with
	 * FCAT_EINVALID, writing nothing) rows whose header disagrees with
	 * their fields. */
	int (*write)(void *store, const char *view, const fcat_online_row *rows, size_t n);

	/** MUST. Reads the rows of `n` keys of one view into out[i]; out[i].ptr
	 * is NULL when a key has no row. The bytes stay valid until the next
	 * call of read on the same store and thread, or close. One call SHOULD
	 * see a single committed state. */
	int (*read)(void *store, const char *view, const fcat_bytes *keys, size_t n,
	            fcat_bytes *out);

	/** MUST. Store metadata (materialization progress): copies the value
	 * of `key` into buf (NUL-terminated) and returns its length, or
	 * FCAT_ENOTFOUND, or FCAT_EINVALID when it does not fit in `size`. */
	int (*meta_get)(void *store, const char *key, char *buf, size_t size);

	/** MUST. Sets a metadata value, durably. */
	int (*meta_set)(void *store, const char *key, const char *value);

	/** MAY. Removes every row of a view (a view dropped or rebuilt). */
	int (*drop_view)(void *store, const char *view);

	/** MAY; appended in version 4 (core reads it through FCAT_OPS_HAS).
	 * Read-modify-write of `n` distinct keys of one view as one
	 * transaction: for each key, reads its stored row, calls fn, and
	 * stores what fn returns, with no write of another caller (thread or
	 * process) between that read and this write: a lock held across them,
	 * or optimistic concurrency that calls fn again on the newer row. After
	 * a crash at any moment every key holds its old row or its new one,
	 * whole; a store that can SHOULD make the whole call all or nothing.
	 * Rows written here are taken as they are (no comparison of times).
	 * Core calls it from one thread at a time per store. Without it, a
	 * store cannot hold views with window aggregations. */
	int (*update)(void *store, const char *view, const fcat_bytes *keys, size_t n,
	              fcat_update_fn fn, void *ctx);
} fcat_online_ops;

/* ------------------------------------------------------------------------ */
/* Offline stores and sources                                                */
/* ------------------------------------------------------------------------ */

/** What to read from a source. */
typedef struct fcat_scan_request {
	const char *path;           /**< a file source, relative to the repo root; or NULL */
	const char *table;          /**< a table; or NULL */
	const char *query;          /**< a query; or NULL */
	const char *const *columns; /**< the columns to read, by name */
	const fcat_type *types;     /**< their types */
	size_t ncolumns;
	/** When >= 0: the index (in `columns`) of the event timestamp column,
	 * and only rows with start <= ts < end are wanted. A plugin MAY return
	 * more rows (core filters again) but never fewer. */
	int ts_column;
	int64_t start, end;
} fcat_scan_request;

/**
 * Receives a batch of rows: cells holds nrows * ncolumns values, row-major.
 * Strings point into the plugin's memory, valid during the call only.
 * Return 0 to go on, anything else to stop the scan with that code.
 */
typedef int (*fcat_scan_fn)(void *ctx, const fcat_value *cells, size_t nrows);

/**
 * A point-in-time join of one source: for every entity row i (join keys
 * keys[i * nkeys ...], time times[i]) the source row with equal join keys
 * whose event time ts is the largest with
 *
 *     times[i] - ttl <= ts <= times[i]      (both ends inclusive; no lower
 *                                            bound when ttl is 0, or where
 *                                            times[i] - ttl is below
 *                                            INT64_MIN)
 *
 * among rows of equal ts, the one with the largest created time (a null
 * created time is smaller than every other; among rows equal in keys, ts and
 * created time, any one). No such row, a null key cell or a time of
 * INT64_MIN: no match. Source rows with a null event time or a null join key
 * never match. Every entity row is answered, duplicates each on their own.
 * Times are microseconds since the epoch, compared as the scan slot would
 * read them (the same column types, the same conversions).
 */
typedef struct fcat_pit_request {
	const char *path;  /**< a file source, relative to the repo root; or NULL */
	const char *table; /**< a table; or NULL */
	const char *query; /**< a query; or NULL */
	/** The source's join-key columns, in the order of the entity rows'
	 * key cells, and their types (the entity key cells have these). */
	const char *const *key_columns;
	const fcat_type *key_types;
	size_t nkeys;
	const char *ts_column;      /**< the event timestamp column */
	const char *created_column; /**< the created timestamp column, or NULL */
	/** The columns to return for the matched row, typed as a scan returns
	 * them; they MAY include key and timestamp columns. */
	const char *const *columns;
	const fcat_type *types;
	size_t ncolumns;
	/** Microseconds; 0: no lower bound. Core never sends a negative ttl
	 * (a plugin declines one) and saturates a view's ttl that does not fit
	 * to INT64_MAX. */
	int64_t ttl;
	/** The entity rows, in the caller's order: nrows * nkeys key cells,
	 * row-major, and nrows times. */
	const fcat_value *keys;
	const int64_t *times;
	size_t nrows;
} fcat_pit_request;

/** What pit_join returns when it leaves a request to core (positive, so it
 * is never taken for an error code). */
#define FCAT_PIT_DECLINED 1

/**
 * Receives the answers of entity rows first .. first + nrows - 1: cells holds
 * nrows * ncolumns values, row-major (null where matched[i] is false).
 * Batches come in row order, each row exactly once, first + nrows never past
 * the request's nrows. Strings point into the plugin's memory, valid during
 * the call only. Return 0 to go on, anything else to stop the join with that
 * code. Core checks this: a batch out of range or order, a decline after a
 * batch, a 0 returned with rows unanswered, or going on after being stopped
 * fails the retrieval with an error naming the plugin.
 */
typedef int (*fcat_pit_fn)(void *ctx, size_t first, const fcat_value *cells, const bool *matched,
                           size_t nrows);

/**
 * Which span of a scan scan_part reads: core fills `part` and `nparts`, the
 * plugin `first` and `next`, positions in the source's scan order that only
 * need to compare equal where they are the same place (a file's byte
 * offsets, for example).
 */
typedef struct fcat_scan_span {
	unsigned int part, nparts; /**< part 0 .. nparts - 1 */
	/** Set by the plugin before it returns 0: where its first row was (or,
	 * with no row, where it would have been) and where the row after its
	 * last one is (the end of the source for the last part). */
	uint64_t first, next;
} fcat_scan_span;

/**
 * Receives the names of a source's columns, in their order: `n` names (not
 * NUL-terminated), valid during the call only. Return 0, or an error code to
 * pass on.
 */
typedef int (*fcat_columns_fn)(void *ctx, const fcat_bytes *names, size_t n);

/**
 * Rows to append to a source (fcat_push with an offline part): the columns
 * a push gives, by name, in the request's order; a column of the source the
 * request does not name gets null (an empty cell) in every appended row.
 */
typedef struct fcat_append_request {
	const char *path;  /**< a file source, relative to the repo root; or NULL */
	const char *table; /**< a table; or NULL (a query cannot take rows) */
	const char *const *columns;
	const fcat_type *types;
	size_t ncolumns;
	/** nrows * ncolumns values, row-major, each of its column's type or
	 * null. Core has checked every value against its type. */
	const fcat_value *cells;
	/** The same cells as text, row-major, in the form host->value_parse
	 * reads back to the very same value (what the csv plugin reads);
	 * NULL for a null cell. For stores that keep text. */
	const char *const *texts;
	size_t nrows;
} fcat_append_request;

typedef struct fcat_offline_ops {
	/** MUST. sizeof(fcat_offline_ops) as the plugin was built: FCAT_OPS_SIZE. */
	size_t size;

	/** MUST. Opens the store (or the file reader) described by `config`. */
	int (*open)(void **out, const fcat_plugin_config *config);

	/** MUST. Closes and frees the handle (NULL is allowed). */
	void (*close)(void *store);

	/** MUST. Reads rows, typed, in batches. A value that does not parse as
	 * its column's type is an error naming where it is (file:line:column,
	 * or table, row and column). A missing column is an error naming it. */
	int (*scan)(void *store, const fcat_scan_request *request, fcat_scan_fn fn, void *ctx);

	/** MAY. Runs the point-in-time join of fcat_pit_request inside the
	 * store's own engine and hands back, through `fn`, every entity row's
	 * matched cells. When present, core uses it for historical retrieval
	 * instead of scan plus its own join (unless push-down is switched
	 * off), so its answers MUST be exactly those of core's join (see
	 * fcat_pit_request). It MAY return FCAT_PIT_DECLINED, before calling
	 * `fn`, for a request it cannot run exactly (a column type it cannot
	 * compare, a source it cannot see, a negative ttl): core then scans and
	 * joins itself. Errors follow scan's: a missing column names it and the
	 * table (or query); a value that does not parse names the table, the
	 * column and the entity row.
	 *
	 * One difference from scan plus core's join is allowed: a join in the
	 * store converts only the cells of the matched rows, so a value that
	 * does not parse in a row no entity row matched is not an error here,
	 * while core's join, which scans every row, fails on it. Where both
	 * succeed their answers are the same. */
	int (*pit_join)(void *store, const fcat_pit_request *request, fcat_pit_fn fn, void *ctx);

	/** MAY (appended after pit_join; core reads it through FCAT_OPS_HAS).
	 * Hands `fn` the names of the columns of the source of `request` (its
	 * path, table or query; the other fields are unused), once, in their
	 * order, as scan sees them: for a file, its header row read by the
	 * same reader as scan (an empty file has none). Errors as scan's. */
	int (*columns)(void *store, const fcat_scan_request *request, fcat_columns_fn fn,
	               void *ctx);
	/** MAY; appended in version 3 after columns (core reads it through
	 * FCAT_OPS_HAS). Appends rows to a source's storage, all or nothing:
	 * when it returns 0 the rows are durable and a later scan (or
	 * pit_join) of the source reads them back as the same values; on any
	 * failure none of them is in the source. A request column the source
	 * does not have is FCAT_EINVALID naming it; a missing table or file
	 * FCAT_ENOTFOUND; a source it cannot append to (a query)
	 * FCAT_EINVALID. Core calls it from one thread at a time per store;
	 * the plugin MUST still keep concurrent appends by several processes
	 * from mixing their rows. Without it a source of this plugin cannot
	 * take pushes. */
	int (*append)(void *store, const fcat_append_request *request);
	/** MAY; appended in version 5 after append (core reads it through
	 * FCAT_OPS_HAS). Reads the rows of one of `span->nparts` consecutive
	 * spans of what scan returns for `request`, in scan's order, as scan
	 * would (the same values, the same time filter), so that parts 0, 1,
	 * ... read one after another are scan's rows. Part 0 begins where scan
	 * does and the last part ends where scan does; the plugin chooses the
	 * places in between, about equal in size, and MAY guess them (a file
	 * cut at a byte offset, the next line taken as the start of a row):
	 * core accepts the parts only when every part's `next` equals the
	 * following part's `first`, and otherwise scans again with scan. Core
	 * calls the parts at once, each from its own thread and on its own
	 * handle from open. A part other than 0 that fails MAY name a wrong
	 * place in its message (a line counted from its own start): core then
	 * scans again with scan to report the error. Without it, materialize
	 * reads a source of this plugin with one scan. */
	int (*scan_part)(void *store, const fcat_scan_request *request, fcat_scan_span *span,
	                 fcat_scan_fn fn, void *ctx);
} fcat_offline_ops;

/* ------------------------------------------------------------------------ */
/* The entry point                                                           */
/* ------------------------------------------------------------------------ */

/** What a plugin's entry function returns. Static storage is typical. */
typedef struct fcat_plugin {
	/** MUST be the FCAT_PLUGIN_ABI_VERSION the plugin was built with. */
	unsigned int abi_version;
	const char *name;                /**< MUST match the file name: fcat_<name>.so */
	const char *description;         /**< MAY: one line for people */
	const fcat_online_ops *online;   /**< MAY: NULL when not an online store */
	const fcat_offline_ops *offline; /**< MAY: NULL when not an offline store */
} fcat_plugin;

/** The type of the exported entry function. It MAY return NULL (after
 * host->error) to refuse a host it cannot work with. */
typedef const fcat_plugin *(*fcat_plugin_entry_fn)(const fcat_plugin_host *host);

#if defined(__GNUC__)
#define FCAT_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define FCAT_PLUGIN_EXPORT
#endif

/** Declares the entry function in a plugin's source:
 *  FCAT_PLUGIN_DEFINE_ENTRY(host) { ...; return &my_plugin; } */
#define FCAT_PLUGIN_DEFINE_ENTRY(host)                                                             \
	FCAT_PLUGIN_EXPORT const fcat_plugin *fcat_plugin_entry(const fcat_plugin_host *host)

#ifdef __cplusplus
}
#endif

#endif /* FCAT_PLUGIN_H */
