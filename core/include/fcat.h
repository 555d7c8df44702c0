/*
 * fcat.h - the public C API of libfcat, the one header a service includes.
 *
 * Conventions (see README.md, "The C API"):
 *  - Functions return int: 0 on success, a negative FCAT_E* code on failure.
 *    The message of the last failure on the calling thread is read with
 *    fcat_error_last(); it is never NULL.
 *  - Output parameters come first and are named `out`. What comes back
 *    through `**out` belongs to the caller and is released with the matching
 *    _free function. A pointer returned directly (const) is borrowed from its
 *    parent object and stays valid until that parent is freed.
 *  - Every _free function accepts NULL.
 *  - Memory allocated by libfcat is released only by libfcat (fcat_free for
 *    plain buffers such as strings).
 */
#ifndef FCAT_H
#define FCAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(FCAT_BUILDING_LIBRARY) && defined(__GNUC__)
#define FCAT_API __attribute__((visibility("default")))
#else
#define FCAT_API
#endif

#define FCAT_VERSION_MAJOR  0
#define FCAT_VERSION_MINOR  1
#define FCAT_VERSION_PATCH  0
#define FCAT_VERSION_STRING "0.1.0"

/* ------------------------------------------------------------------------ */
/* Errors                                                                    */
/* ------------------------------------------------------------------------ */

/** Error codes. 0 is success; every failure is negative. */
typedef enum fcat_error_code {
	FCAT_OK = 0,
	FCAT_ERROR = -1,     /**< any failure without a more specific code */
	FCAT_ENOTFOUND = -3, /**< a named object, file or key does not exist */
	FCAT_EEXISTS = -4,   /**< the object already exists */
	FCAT_EINVALID = -5,  /**< bad input: a definition, a value, a config */
	FCAT_EVERSION = -6,  /**< an incompatible version (plugin ABI, cache) */
	FCAT_ETIMEOUT = -7,  /**< a time or instruction budget ran out */
	FCAT_ENOMEM = -8,    /**< out of memory, or a memory cap was reached */
	FCAT_EIO = -9,       /**< reading or writing a file or a backend failed */
	FCAT_EDENIED = -10,  /**< a policy denied the request */
	FCAT_EUSAGE = -11,   /**< an API was called with invalid arguments */
} fcat_error_code;

/**
 * The message of the last error raised on this thread.
 * @return a borrowed, NUL-terminated string, never NULL ("" when no error has
 *         been raised); valid until the next libfcat call on this thread.
 */
FCAT_API const char *fcat_error_last(void);

/** Static text describing an error code ("not found", ...). Never NULL. */
FCAT_API const char *fcat_strerror(int code);

/** Releases a buffer that libfcat allocated (strings, JSON text). */
FCAT_API void fcat_free(void *ptr);

/** The library version as "MAJOR.MINOR.PATCH". */
FCAT_API const char *fcat_version(void);

/* ------------------------------------------------------------------------ */
/* Types and values                                                          */
/* ------------------------------------------------------------------------ */

/** Scalar kinds of a feature value. */
typedef enum fcat_scalar {
	FCAT_INVALID = 0,
	FCAT_INT32 = 1,
	FCAT_INT64 = 2,
	FCAT_FLOAT32 = 3,
	FCAT_FLOAT64 = 4,
	FCAT_STRING = 5,
	FCAT_BYTES = 6,
	FCAT_BOOL = 7,
	FCAT_TIMESTAMP = 8, /**< microseconds since 1970-01-01T00:00:00Z */
} fcat_scalar;

/** A value type: a scalar, or an array of a scalar with an optional fixed
 * length (`dim` 0 means any length). */
typedef struct fcat_type {
	fcat_scalar scalar;
	bool is_array;
	uint32_t dim;
} fcat_type;

/** A byte string (strings are UTF-8 and not NUL-terminated here). */
typedef struct fcat_bytes {
	const char *ptr;
	size_t len;
} fcat_bytes;

/**
 * A typed value that may be null. Strings, bytes and array items point into
 * memory owned by whoever produced the value (a result set, a parser's
 * output); the producer's documentation says how long they live.
 * Arrays: `u.array.items` points at `u.array.len` elements of the C type of
 * the scalar (int32_t, int64_t, float, double, fcat_bytes, bool, int64_t).
 */
typedef struct fcat_value {
	fcat_type type;
	bool is_null;
	union {
		int32_t i32;
		int64_t i64;
		float f32;
		double f64;
		bool b;
		int64_t ts;
		fcat_bytes str;
		struct {
			const void *items;
			size_t len;
		} array;
	} u;
} fcat_value;

/** The name of a scalar ("int64", "float32", ...); "invalid" otherwise. */
FCAT_API const char *fcat_scalar_name(fcat_scalar scalar);

/**
 * Writes the canonical name of a type ("int64", "float32[16]", "string[]")
 * into buf (always NUL-terminated when size > 0).
 * @return the length the full name needs, as snprintf does.
 */
FCAT_API int fcat_type_format(char *buf, size_t size, fcat_type type);

/**
 * Parses a type name as fcat_type_format writes it.
 * @param[out] out the type
 * @return 0, or FCAT_EINVALID for an unknown name (message says which).
 */
FCAT_API int fcat_type_parse(fcat_type *out, const char *name);

/** True when two types are the same (scalar, array-ness and dim). */
FCAT_API bool fcat_type_equal(fcat_type a, fcat_type b);

/**
 * Parses the text form of a value (as found in a CSV cell) of a given type.
 * Integers are decimal, floats use the C locale, bools are true/false/1/0,
 * timestamps are RFC 3339 ("2026-01-02T03:04:05.5Z", offsets allowed) or
 * integer epoch seconds, bytes are standard base64, arrays are written as
 * "[1,2,3]" (strings inside arrays as JSON strings). An empty text is null.
 * @param[out] out the value; strings, bytes and arrays point into memory
 *             allocated for this value, released with fcat_value_clear.
 * @return 0, or FCAT_EINVALID with a message naming the text and the type.
 */
FCAT_API int fcat_value_parse(fcat_value *out, fcat_type type, const char *text, size_t len);

/** Releases what fcat_value_parse allocated for a value and nulls it. */
FCAT_API void fcat_value_clear(fcat_value *value);

/**
 * Formats a value in the text form fcat_value_parse reads back exactly
 * (floats with the shortest representation that round-trips). Null is "".
 * @param[out] out a NUL-terminated string the caller frees with fcat_free.
 * @return 0, FCAT_ENOMEM.
 */
FCAT_API int fcat_value_format(char **out, const fcat_value *value);

/**
 * Formats a timestamp (microseconds since the epoch) as RFC 3339 UTC with
 * 0, 3 or 6 fraction digits ("2026-01-02T03:04:05Z", "...05.500Z").
 * @return the length needed, as snprintf does (at most 32).
 */
FCAT_API int fcat_timestamp_format(char *buf, size_t size, int64_t micros);

/**
 * Parses an RFC 3339 timestamp or integer epoch seconds.
 * @param[out] out microseconds since the epoch
 * @return 0 or FCAT_EINVALID.
 */
FCAT_API int fcat_timestamp_parse(int64_t *out, const char *text, size_t len);

/* ------------------------------------------------------------------------ */
/* Configuration (fcat.yaml)                                                 */
/* ------------------------------------------------------------------------ */

typedef struct fcat_config fcat_config;

/**
 * Reads and checks a feature repo's fcat.yaml.
 * @param[out] out the configuration; free with fcat_config_free.
 * @param[in] path the path of the fcat.yaml file
 * @return 0; FCAT_ENOTFOUND when the file does not exist; FCAT_EINVALID for
 *         a YAML error, an unknown key, a wrong type or a missing key (the
 *         message names file:line:column); FCAT_EIO.
 */
FCAT_API int fcat_config_load(fcat_config **out, const char *path);

/**
 * Same as fcat_config_load, from text in memory; `name` is used in messages.
 */
FCAT_API int fcat_config_parse(fcat_config **out, const char *name, const char *text, size_t len);

FCAT_API void fcat_config_free(fcat_config *config);

/** The project name (borrowed from the config). */
FCAT_API const char *fcat_config_project(const fcat_config *config);

/** The catalog directory, relative to the repo root ("catalog"). */
FCAT_API const char *fcat_config_catalog_dir(const fcat_config *config);

/** The policies directory, relative to the repo root ("policies"). */
FCAT_API const char *fcat_config_policies_dir(const fcat_config *config);

/** Which store section. */
typedef enum fcat_store_role {
	FCAT_ONLINE_STORE = 0,
	FCAT_OFFLINE_STORE = 1,
} fcat_store_role;

/** The plugin name of a store section ("lmdb", "sqlite", ...). */
FCAT_API const char *fcat_config_store_plugin(const fcat_config *config, fcat_store_role role);

/**
 * A plugin setting of a store section, as the scalar text written in
 * fcat.yaml, or NULL when the key is absent or not a scalar. `key` may be a
 * dotted path into nested maps ("tls.ca_file"). Borrowed from the config.
 */
FCAT_API const char *fcat_config_store_setting(const fcat_config *config, fcat_store_role role,
                                               const char *key);

/**
 * The whole plugin section of a store as JSON text (the plugin name under
 * "plugin", every other key as written, scalars as strings).
 * @param[out] out NUL-terminated JSON, freed with fcat_free.
 */
FCAT_API int fcat_config_store_json(char **out, const fcat_config *config, fcat_store_role role);

/* ------------------------------------------------------------------------ */
/* Catalog                                                                   */
/* ------------------------------------------------------------------------ */

/** An immutable, validated set of definitions. */
typedef struct fcat_catalog fcat_catalog;

/** A definition in a catalog: borrowed from the catalog, valid until it is
 * freed. */
typedef struct fcat_object fcat_object;

/** The kinds of catalog objects. */
typedef enum fcat_object_kind {
	FCAT_OBJ_ENTITY = 0,
	FCAT_OBJ_SOURCE = 1,
	FCAT_OBJ_VIEW = 2, /**< a feature view */
	FCAT_OBJ_ON_DEMAND_VIEW = 3,
	FCAT_OBJ_SERVICE = 4, /**< a feature service */
	FCAT_OBJ_FEATURE = 5, /**< a feature of a (on-demand) view */
	/** rows pushed (fcat_push) for the views of a batch source */
	FCAT_OBJ_PUSH_SOURCE = 6,
	FCAT_OBJ_KIND_COUNT = 7,
} fcat_object_kind;

/**
 * Loads and validates every `*.lua` file below a catalog directory, in
 * lexical path order. All errors are collected: the message of
 * fcat_error_last() holds one line per error, "FILE:LINE: what is wrong".
 * @param[out] out the catalog; free with fcat_catalog_free.
 * @param[in] repo_root the feature repo; file names in messages and in
 *            fcat_object_file() are relative to it
 * @param[in] catalog_dir the catalog directory, relative to repo_root
 * @return 0; FCAT_EINVALID when any definition is wrong; FCAT_ENOTFOUND
 *         when the directory does not exist; FCAT_EIO; FCAT_ENOMEM.
 */
FCAT_API int fcat_catalog_load_dir(fcat_catalog **out, const char *repo_root,
                                   const char *catalog_dir);

FCAT_API void fcat_catalog_free(fcat_catalog *catalog);

/** The number of objects of a kind (FCAT_OBJ_FEATURE counts features of
 * feature views and on-demand views). */
FCAT_API size_t fcat_catalog_count(const fcat_catalog *catalog, fcat_object_kind kind);

/** The i-th object of a kind, in definition order; NULL when out of range. */
FCAT_API const fcat_object *fcat_catalog_at(const fcat_catalog *catalog, fcat_object_kind kind,
                                            size_t i);

/**
 * Finds an object by name: "NAME" for an entity, source, view, on-demand
 * view or service, "VIEW:FEATURE" for a feature.
 * @param[out] out the borrowed object
 * @return 0 or FCAT_ENOTFOUND.
 */
FCAT_API int fcat_catalog_lookup(const fcat_object **out, const fcat_catalog *catalog,
                                 const char *name);

FCAT_API fcat_object_kind fcat_object_kind_of(const fcat_object *object);

/** "entity", "source", "feature_view", "on_demand_view", "feature_service",
 * "feature", "push_source". */
FCAT_API const char *fcat_object_kind_name(fcat_object_kind kind);

/** Borrowed strings; description and owner are "" when not set. */
FCAT_API const char *fcat_object_name(const fcat_object *object);
FCAT_API const char *fcat_object_description(const fcat_object *object);
FCAT_API const char *fcat_object_owner(const fcat_object *object);

/** The file (relative to the repo root) and line where it is defined. */
FCAT_API const char *fcat_object_file(const fcat_object *object);
FCAT_API int fcat_object_line(const fcat_object *object);

/** Tags, in the order they are sorted by key. */
FCAT_API size_t fcat_object_tag_count(const fcat_object *object);
FCAT_API int fcat_object_tag(const char **key, const char **value, const fcat_object *object,
                             size_t i);

/** The value of a tag, or NULL when the object has no such tag. */
FCAT_API const char *fcat_object_tag_get(const fcat_object *object, const char *key);

/** For a feature: its type. For anything else: scalar FCAT_INVALID. */
FCAT_API fcat_type fcat_feature_type(const fcat_object *feature);

/** For a feature: the view (or on-demand view) that holds it. */
FCAT_API const fcat_object *fcat_feature_view(const fcat_object *feature);

/** For a view or on-demand view: its features, in schema order. For a
 * service: the features it serves. Otherwise 0 / NULL. */
FCAT_API size_t fcat_object_feature_count(const fcat_object *object);
FCAT_API const fcat_object *fcat_object_feature_at(const fcat_object *object, size_t i);

/**
 * The object's content hash: SHA-256 of a canonical form of its definition
 * (location excluded; a feature's hash covers its own field and what computes
 * it: the view's entities, source, timestamp field and transform), as 64
 * lowercase hex digits and a NUL.
 */
FCAT_API void fcat_object_hash(char out[65], const fcat_object *object);

/** For a push source: its batch source (borrowed); NULL for anything else. */
FCAT_API const fcat_object *fcat_push_source_batch(const fcat_object *push_source);

/**
 * The columns of a source's declared schema, or of a push source's schema
 * (its own `schema` when declared, else its batch source's): the columns
 * fcat_push takes, in order. 0, NULL and scalar FCAT_INVALID for any other
 * object or an index out of range. Names are borrowed from the catalog.
 */
FCAT_API size_t fcat_source_column_count(const fcat_object *source);
FCAT_API const char *fcat_source_column_name(const fcat_object *source, size_t i);
FCAT_API fcat_type fcat_source_column_type(const fcat_object *source, size_t i);

/** For a view: its time to live in seconds (0: none). */
FCAT_API int64_t fcat_view_ttl_seconds(const fcat_object *view);

/**
 * Describes an object as JSON: its kind, name, where it is defined, and
 * every field of its definition (schema, ttl, entities, join keys, source,
 * transform source text ...).
 * @param[out] out NUL-terminated JSON (indented when `pretty`), freed with
 *             fcat_free.
 */
FCAT_API int fcat_object_describe_json(char **out, const fcat_object *object, bool pretty);

/* ------------------------------------------------------------------------ */
/* The store handle                                                          */
/* ------------------------------------------------------------------------ */

/** A feature repo opened for use: its configuration and catalog. */
typedef struct fcat_store fcat_store;

/** Which version of the catalog a store serves. */
typedef enum fcat_catalog_source {
	/** The applied version (refs/fcat/applied), from its compiled cache. */
	FCAT_CATALOG_APPLIED = 0,
	/** The version in a given git commit (fcat_open_options.commit). */
	FCAT_CATALOG_COMMIT = 1,
	/** The files in the work tree as they are now: for authoring and
	 * `fcat validate`, never for serving. */
	FCAT_CATALOG_WORKTREE = 2,
} fcat_catalog_source;

#define FCAT_OPEN_OPTIONS_VERSION 1

/** Options of fcat_store_open_ext; start from FCAT_OPEN_OPTIONS_INIT. */
typedef struct fcat_open_options {
	unsigned int version; /**< FCAT_OPEN_OPTIONS_VERSION */
	fcat_catalog_source catalog;
	const char *commit; /**< a revision, for FCAT_CATALOG_COMMIT */
	/** Who reads through this store, as named in the policy files; NULL is
	 * "anonymous". Every read is checked against the applied version's
	 * policies, whatever catalog version is opened: the policies, their
	 * settings (fcat.yaml's `policies`, `policy.trusted_keys`,
	 * `policy.audit_log` as committed in the applied commit) and the tags
	 * of the applied catalog decide, never the work tree's or another
	 * commit's. When nothing is applied yet every read is denied (describe
	 * stays open); outside a git repository a repo with policy files
	 * denies every read and one without is open. Decisions are written to
	 * the audit log. These in-process checks govern; callers are
	 * authenticated where they come in (the HTTP server). */
	const char *principal;
} fcat_open_options;

#define FCAT_OPEN_OPTIONS_INIT                                                                     \
	{                                                                                          \
		FCAT_OPEN_OPTIONS_VERSION, FCAT_CATALOG_APPLIED, NULL, NULL                        \
	}

/**
 * Opens a feature repo: reads `fcat.yaml` in repo_path and loads the
 * applied catalog version (see fcat_store_open_ext).
 * @param[out] out the store; free with fcat_store_free.
 * @param[in] repo_path the directory that holds fcat.yaml
 * @return 0; FCAT_ENOTFOUND (no fcat.yaml, not in a git repository, nothing
 *         applied yet); FCAT_EINVALID (a config or definition error, message
 *         as fcat_config_load and fcat_catalog_load_dir); FCAT_EIO;
 *         FCAT_ENOMEM.
 */
FCAT_API int fcat_store_open(fcat_store **out, const char *repo_path);

/**
 * Opens a feature repo with a chosen catalog version: the applied one, the
 * one in any commit, or the work tree's. A store keeps the version it
 * opened: applying another one later does not change what it serves.
 * @param[in] options NULL for the defaults (the applied version)
 * @return as fcat_store_open; FCAT_EVERSION for an unknown options version.
 */
FCAT_API int fcat_store_open_ext(fcat_store **out, const char *repo_path,
                                 const fcat_open_options *options);

FCAT_API void fcat_store_free(fcat_store *store);

/** The store's configuration and catalog, borrowed from the store. */
FCAT_API const fcat_config *fcat_store_config(const fcat_store *store);
FCAT_API const fcat_catalog *fcat_store_catalog(const fcat_store *store);

/** The absolute path of the repo root, borrowed from the store. */
FCAT_API const char *fcat_store_root(const fcat_store *store);

/** Output formats of fcat_lineage. */
typedef enum fcat_lineage_format {
	FCAT_LINEAGE_TEXT = 0,
	FCAT_LINEAGE_JSON = 1,
	FCAT_LINEAGE_DOT = 2, /**< Graphviz */
} fcat_lineage_format;

/**
 * The lineage of an object: upstream (entities and sources -> views ->
 * features) and downstream (features -> on-demand views -> their features ->
 * services), as text, JSON ({"root", "nodes", "edges"}) or a Graphviz graph.
 * @param[out] out NUL-terminated text, freed with fcat_free
 * @return 0; FCAT_ENOTFOUND for an unknown name; FCAT_ENOMEM.
 */
FCAT_API int fcat_lineage(char **out, const fcat_catalog *catalog, const char *name,
                          fcat_lineage_format format);

/* ------------------------------------------------------------------------ */
/* Catalog versions (git)                                                    */
/* ------------------------------------------------------------------------ */

/**
 * Validates the definitions at a commit and records it as the applied
 * version: the ref refs/fcat/applied, plus a compiled cache (in the git
 * directory) that makes opening fast. Refuses when the catalog or policies
 * directory has uncommitted changes. The catalog and policies directories
 * and the policy settings are those of fcat.yaml as committed there; the
 * commit's policies must load and, with policy.trusted_keys, be signed.
 * Applies as "anonymous": see fcat_apply_as.
 * @param[out] out_commit the applied commit, 40 hex digits and a NUL
 * @param[in] repo_path the feature repo
 * @param[in] rev the revision to apply; NULL for HEAD
 * @return 0; FCAT_EINVALID for uncommitted changes (the message lists each
 *         file) or invalid definitions (one line per problem);
 *         FCAT_ENOTFOUND (no fcat.yaml, no git repository, unknown rev);
 *         FCAT_EIO.
 */
FCAT_API int fcat_apply(char out_commit[41], const char *repo_path, const char *rev);

/**
 * fcat_apply as `principal` (NULL: "anonymous"): the applied policies must
 * allow it `apply` on `project`, and `admin` on `project` as well when the
 * commit changes a policy setting of fcat.yaml (policies,
 * policy.trusted_keys, policy.audit_log). Before anything is applied there
 * is no authority: the first apply is open (fcat init makes it).
 * @return as fcat_apply; FCAT_EDENIED naming the principal, the action and
 *         the rule; the errors of fcat_store_open when the applied policies
 *         cannot be read (they fail closed).
 */
FCAT_API int fcat_apply_as(char out_commit[41], const char *repo_path, const char *rev,
                           const char *principal);

/** How an object differs between two catalog versions. */
typedef enum fcat_change_kind {
	FCAT_CHANGE_ADDED = 0,
	FCAT_CHANGE_REMOVED = 1,
	FCAT_CHANGE_CHANGED = 2,
} fcat_change_kind;

/** One difference between two catalogs. */
typedef struct fcat_change {
	fcat_change_kind change;
	fcat_object_kind kind;
	const char *name;          /**< "NAME", or "VIEW:FEATURE" */
	const fcat_object *before; /**< NULL when added; borrowed from `from` */
	const fcat_object *after;  /**< NULL when removed; borrowed from `to` */
	const char *fields;        /**< changed fields, "type, description" */
	const char *breaking;      /**< why it breaks readers, or NULL */
} fcat_change;

/** The differences between two catalogs. */
typedef struct fcat_diff fcat_diff;

/**
 * Compares two catalogs object by object (by content hash): added, removed
 * and changed objects with the changed fields, and breaking changes flagged:
 * a feature's type changed, an entity's join keys or a view's entities
 * changed, a feature removed while a service or an on-demand view used it.
 * @param[out] out the differences, sorted by kind and name; free with
 *             fcat_diff_free. They borrow from both catalogs, which must
 *             outlive them.
 */
FCAT_API int fcat_catalog_diff(fcat_diff **out, const fcat_catalog *from, const fcat_catalog *to);
FCAT_API size_t fcat_diff_count(const fcat_diff *diff);
FCAT_API const fcat_change *fcat_diff_at(const fcat_diff *diff, size_t i);
/** How many of the changes are breaking. */
FCAT_API size_t fcat_diff_breaking_count(const fcat_diff *diff);
FCAT_API void fcat_diff_free(fcat_diff *diff);

/** One version of an object: a commit where its hash changed. */
typedef struct fcat_version {
	char commit[41];     /**< 40 hex digits */
	char hash[65];       /**< the object's hash there; "" where it was removed */
	const char *author;  /**< "Name <email>" */
	int64_t time;        /**< commit time, seconds since the epoch */
	const char *message; /**< the commit message's first line */
} fcat_object_version;

/** The versions of one object, newest first. */
typedef struct fcat_history fcat_history;

/**
 * Walks the history from `rev` (NULL: HEAD) along first parents and lists the
 * commits where an object's content hash changed (it appeared, changed or
 * was removed). NAME is an object ("user_features", "view:feature") or a
 * file of the feature repo ("policies/pii.yaml"), whose blob is compared.
 * Commits whose catalog does not validate are passed over.
 * @param[out] out free with fcat_history_free
 * @return 0; FCAT_ENOTFOUND when the object never existed; FCAT_EIO.
 */
FCAT_API int fcat_history_of(fcat_history **out, const char *repo_path, const char *name,
                             const char *rev);
FCAT_API size_t fcat_history_count(const fcat_history *history);
FCAT_API const fcat_object_version *fcat_history_at(const fcat_history *history, size_t i);
FCAT_API void fcat_history_free(fcat_history *history);

/** Whether the store's principal may see an object (the `describe`
 * action; always true when the repo has no policies). list, describe and
 * lineage show only what this allows. */
FCAT_API bool fcat_store_may_describe(const fcat_store *store, const fcat_object *object);

/**
 * fcat_object_describe_json as the store's principal may see it: features,
 * on-demand view sources and service features it may not describe are left
 * out, and so is (replaced by a "hidden: ..." string) the transform of a
 * view with hidden features; a view's source and entities are null and
 * empty without describe on project.
 * @param[out] out NUL-terminated JSON, freed with fcat_free
 * @return 0; FCAT_EDENIED when the object itself is hidden; FCAT_ENOMEM.
 */
FCAT_API int fcat_store_describe_json(char **out, const fcat_store *store,
                                      const fcat_object *object, bool pretty);

/**
 * fcat_history_of for the store's principal: refused unless it may
 * describe the object (decided on the store's catalog, or by name for an
 * object that exists only in history); a file of the repo needs admin on
 * project.
 * @return as fcat_history_of; FCAT_EDENIED naming the object.
 */
FCAT_API int fcat_store_history_of(fcat_history **out, const fcat_store *store, const char *name,
                                   const char *rev);

/**
 * May the store's principal do `action` (describe, read_online,
 * read_offline, write, apply, admin) on `project`? The decision is written
 * to the audit log.
 * @return 0; FCAT_EDENIED naming the rule; FCAT_EINVALID for an unknown
 *         action.
 */
FCAT_API int fcat_store_check_project(const fcat_store *store, const char *action);

/** What became of the audit records of a store. */
typedef struct fcat_audit_stats {
	uint64_t written; /**< records written, each as one whole line */
	uint64_t dropped; /**< not queued: the bounded queue was full */
	uint64_t failed;  /**< write(2) failed or wrote part of the line */
} fcat_audit_stats;

/**
 * Waits (up to 5 seconds) until the audit writer has handled every queued
 * record, and reports losses. Reads never wait for the audit log: when the
 * disk is full or slow, records are counted as failed or dropped instead.
 * fcat_store_free also warns on stderr ("fcat: warning: audit log ...") when
 * records were lost.
 * @param[out] stats the counts so far (may be NULL)
 * @return 0 (no audit log, or nothing lost); FCAT_EIO naming the log, how
 *         many records were lost and the last error.
 */
FCAT_API int fcat_store_audit_check(const fcat_store *store, fcat_audit_stats *stats);

/** fcat_lineage showing only what the store's principal may describe.
 * @return as fcat_lineage; FCAT_EDENIED when the object itself is hidden. */
FCAT_API int fcat_store_lineage(char **out, const fcat_store *store, const char *name,
                                fcat_lineage_format format);

/**
 * Explains a policy decision by the policies of the catalog version the
 * store reads (to try a change before applying it; the applied policies
 * alone decide reads): allow or deny, and every rule that matched
 * (file:line). `action` is describe, read_online, read_offline, write, apply
 * or admin; `resource` is project, view:NAME, feature:VIEW:NAME or
 * service:NAME (a feature's tags are looked up in the catalog).
 * @param[out] out text, freed with fcat_free
 * @return 0; FCAT_ENOTFOUND when the catalog version has no policies;
 *         FCAT_EINVALID for an unknown action or a malformed resource.
 */
FCAT_API int fcat_policy_explain(char **out, const fcat_store *store, const char *principal,
                                 const char *action, const char *resource);

/** Runs the test cases kept beside the policies (policies/tests/, or
 * *_test.yaml): one line per case and a summary in *report (fcat_free);
 * *failures counts the failed cases. */
FCAT_API int fcat_policy_test(char **report, const fcat_store *store, size_t *failures);

/** Signs the policy files in the work tree with an Ed25519 private key
 * (PEM) and writes policies/SIGNATURE; *out_path (fcat_free) names it.
 * Stores then verify it against fcat.yaml's policy.trusted_keys. Signs as
 * "anonymous": see fcat_policy_sign_as. */
FCAT_API int fcat_policy_sign(char **out_path, const char *repo_path, const char *private_key_pem);

/** fcat_policy_sign as `principal` (NULL: "anonymous"), who needs `admin`
 * on `project` under the applied policies (open before anything is
 * applied). The private key remains the real control; this check keeps the
 * signing in the audit log and out of reach of the wrong account.
 * @return as fcat_policy_sign; FCAT_EDENIED. */
FCAT_API int fcat_policy_sign_as(char **out_path, const char *repo_path,
                                 const char *private_key_pem, const char *principal);

/** The principal the store reads as ("anonymous" when none was given). */
FCAT_API const char *fcat_store_principal(const fcat_store *store);

/** The commit (40 hex digits) the catalog was read from, or "" for the work
 * tree. Borrowed from the catalog. */
FCAT_API const char *fcat_catalog_commit(const fcat_catalog *catalog);

/* ------------------------------------------------------------------------ */
/* Materialization and online reads                                          */
/* ------------------------------------------------------------------------ */

/** What a materialization did. */
typedef struct fcat_materialize_stats {
	size_t views;          /**< views materialized */
	uint64_t rows_read;    /**< source rows in [start, end) */
	uint64_t rows_skipped; /**< rows without a join key value */
	uint64_t keys_written; /**< entity keys sent to the online store */
	double seconds;
} fcat_materialize_stats;

/** Called now and then while materializing (rows read so far in a view). */
typedef void (*fcat_progress_fn)(void *ctx, const char *view, uint64_t rows_read);

/**
 * Writes, for each online feature view (all, or the `nviews` named) and each
 * entity key, the latest source row with start <= event time < end (ties:
 * the larger created timestamp) into the online store, never replacing a
 * newer row already there. Writes go in batches, each one transaction, so a
 * run killed at any moment leaves every key at its old row or its new one.
 * Records `end` per view for fcat_materialize_incremental.
 * @param[out] stats what was done; may be NULL
 * @param[in] start, end microseconds since the epoch
 * @param[in] progress may be NULL
 * @return 0; FCAT_ENOTFOUND (an unknown view, a missing source file);
 *         FCAT_EINVALID (a bad source row, named file:line:column); FCAT_EIO.
 */
FCAT_API int fcat_materialize(fcat_materialize_stats *stats, fcat_store *store, int64_t start,
                              int64_t end, const char *const *views, size_t nviews,
                              fcat_progress_fn progress, void *ctx);

/**
 * As fcat_materialize, starting each view where its last run ended (never
 * run: at end - ttl, or at the beginning of time for a view without ttl).
 */
FCAT_API int fcat_materialize_incremental(fcat_materialize_stats *stats, fcat_store *store,
                                          int64_t end, const char *const *views, size_t nviews,
                                          fcat_progress_fn progress, void *ctx);

/** The status of one served feature value (Feast's FieldStatus numbers). */
typedef enum fcat_status {
	FCAT_STATUS_INVALID = 0,
	FCAT_STATUS_PRESENT = 1,
	FCAT_STATUS_NULL_VALUE = 2,
	FCAT_STATUS_NOT_FOUND = 3,
	FCAT_STATUS_OUTSIDE_MAX_AGE = 4, /**< older than the view's ttl; value given */
} fcat_status;

/** "PRESENT", "NULL_VALUE", ... */
FCAT_API const char *fcat_status_name(fcat_status status);

/** A list of features to serve, resolved once and reused for every read. */
typedef struct fcat_feature_set fcat_feature_set;

/**
 * Resolves feature references: "VIEW:FEATURE", or "VIEW" for all its
 * features, in the given order. Nothing is checked against the policies
 * here: each read checks its own principal (fcat_online_read).
 * @param[out] out free with fcat_feature_set_free; it borrows from the
 *             store's catalog, so free it before the store. A set may be
 *             shared by many threads.
 * @param[in] store the store whose catalog resolves the names
 * @param[in] refs nrefs references
 * @return 0; FCAT_ENOTFOUND naming an unknown view or feature;
 *         FCAT_EINVALID for a view that is not online or a join key of two
 *         types; FCAT_ENOMEM.
 */
FCAT_API int fcat_feature_set_new(fcat_feature_set **out, const fcat_store *store,
                                  const char *const *refs, size_t nrefs);

/**
 * The features of a feature service. A read of this set is allowed by a
 * grant on the service as well as by grants on each feature (an explicit
 * deny of a feature still wins).
 * @param[out] out as fcat_feature_set_new
 * @return as fcat_feature_set_new; FCAT_ENOTFOUND for an unknown service.
 */
FCAT_API int fcat_feature_set_for_service(fcat_feature_set **out, const fcat_store *store,
                                          const char *service);

FCAT_API void fcat_feature_set_free(fcat_feature_set *set);

/** Features of the set, in order: the feature objects (borrowed). */
FCAT_API size_t fcat_feature_set_count(const fcat_feature_set *set);
FCAT_API const fcat_object *fcat_feature_set_feature(const fcat_feature_set *set, size_t i);

/** The join keys a read needs, in order (union over the set's views). */
FCAT_API size_t fcat_feature_set_key_count(const fcat_feature_set *set);
FCAT_API const char *fcat_feature_set_key_name(const fcat_feature_set *set, size_t i);
FCAT_API fcat_type fcat_feature_set_key_type(const fcat_feature_set *set, size_t i);

/** The request data a read needs (fields of on-demand views), in order. */
FCAT_API size_t fcat_feature_set_request_count(const fcat_feature_set *set);
FCAT_API const char *fcat_feature_set_request_name(const fcat_feature_set *set, size_t i);
FCAT_API fcat_type fcat_feature_set_request_type(const fcat_feature_set *set, size_t i);

/** One served value. */
typedef struct fcat_feature_value {
	fcat_value value; /**< null unless PRESENT or OUTSIDE_MAX_AGE */
	fcat_status status;
	int64_t event_ts; /**< microseconds; 0 when NOT_FOUND */
	/** The row was written by another version of the view (its data
	 * hash differs from the served catalog's): rematerialize it. */
	bool stale_version;
} fcat_feature_value;

/** The result of online reads; reuse it across reads to avoid allocation. */
typedef struct fcat_online_result fcat_online_result;

/**
 * Makes an empty result for fcat_online_read.
 * @param[out] out the result; free with fcat_online_result_free. One result
 *             serves one thread at a time.
 * @return 0 or FCAT_ENOMEM.
 */
FCAT_API int fcat_online_result_new(fcat_online_result **out);
FCAT_API void fcat_online_result_free(fcat_online_result *result);

/**
 * How one online read is made; start from FCAT_READ_OPTIONS_INIT so that
 * fields added later keep their defaults.
 */
typedef struct fcat_read_options {
	size_t size; /**< sizeof(fcat_read_options) where the caller was built */
	/** Who reads, as named in the policy files; NULL: the store's
	 * principal (fcat_open_options.principal). Every feature of the set
	 * (and every input of its on-demand views) needs read_online for this
	 * principal under the applied policies. */
	const char *principal;
	/** Judges each view's ttl at this time (microseconds since the
	 * epoch); negative: the current time. */
	int64_t now;
	/** Request data for on-demand views: nrows *
	 * fcat_feature_set_request_count(set) values, row-major, in the set's
	 * request order; NULL when the set needs none. */
	const fcat_value *request;
} fcat_read_options;

#define FCAT_READ_OPTIONS_INIT                                                                     \
	{                                                                                          \
		sizeof(fcat_read_options), NULL, -1, NULL                                          \
	}

/**
 * Reads feature vectors for `nrows` entities from the online store: the one
 * read entry point of the library (the CLI and the HTTP server use it too).
 *
 * Policies are checked per call, for the options' principal, before any
 * value is read: each feature of the set needs read_online (through the
 * set's service grant for fcat_feature_set_for_service). The set remembers
 * an allowed principal (up to 16 per set), so a repeated read costs no
 * policy evaluation; each decision is written to the audit log, under its
 * principal, when it is made, and every denied read is audited again.
 *
 * On-demand features are computed by their transform from the row's values
 * of their source views and its request data; their status is PRESENT or
 * NULL_VALUE, their event time the newest of their inputs'.
 *
 * Safe to call from many threads at once on one store and one set, each
 * thread with its own result.
 * @param[out] result the values, read with fcat_online_result_at; they live
 *             until the result's next read or its free
 * @param[in] store the store (its online store is opened on first use)
 * @param[in] set the features to read
 * @param[in] keys nrows * fcat_feature_set_key_count(set) typed values,
 *            row-major, in the set's key order
 * @param[in] nrows entity rows
 * @param[in] options NULL for the defaults (the store's principal, now, no
 *            request data)
 * @return 0; FCAT_EDENIED naming the principal, the feature and the rule;
 *         FCAT_EINVALID for a key or request value of the wrong type or a
 *         missing request field; FCAT_EINVALID, FCAT_ETIMEOUT or
 *         FCAT_ENOMEM from a failing on-demand transform (naming the view,
 *         the feature and the entity key); FCAT_EIO from the store;
 *         FCAT_EUSAGE for options of an unknown size.
 */
FCAT_API int fcat_online_read(fcat_online_result *result, fcat_store *store,
                              const fcat_feature_set *set, const fcat_value *keys, size_t nrows,
                              const fcat_read_options *options);

FCAT_API size_t fcat_online_result_rows(const fcat_online_result *result);
/** The value of feature `feature` (set order) for entity row `row`. */
FCAT_API const fcat_feature_value *fcat_online_result_at(const fcat_online_result *result,
                                                         size_t row, size_t feature);

/* ------------------------------------------------------------------------ */
/* Push: rows written as they happen                                         */
/* ------------------------------------------------------------------------ */

/** Where fcat_push writes (Feast's `to`). */
typedef enum fcat_push_to {
	FCAT_PUSH_ONLINE = 0,             /**< the online store only (the default) */
	FCAT_PUSH_OFFLINE = 1,            /**< the batch source's storage only */
	FCAT_PUSH_ONLINE_AND_OFFLINE = 2, /**< both: offline first, then online */
} fcat_push_to;

/** One column of pushed rows: a name of the push source's schema
 * (fcat_source_column_name) and `nrows` values of its type. A null value
 * may have any type (FCAT_INVALID too). Strings, bytes and arrays are the
 * caller's and only read during the call. */
typedef struct fcat_push_column {
	const char *name;
	const fcat_value *values;
} fcat_push_column;

/** How a push is made; start from FCAT_PUSH_OPTIONS_INIT. */
typedef struct fcat_push_options {
	size_t size; /**< sizeof(fcat_push_options) where the caller was built */
	/** Who pushes, as named in the policy files; NULL: the store's
	 * principal. It needs `write` on every feature view over the push
	 * source's batch source (on `project` when there is none). */
	const char *principal;
	fcat_push_to to;
} fcat_push_options;

#define FCAT_PUSH_OPTIONS_INIT                                                                     \
	{                                                                                          \
		sizeof(fcat_push_options), NULL, FCAT_PUSH_ONLINE                                  \
	}

/** What a push did. */
typedef struct fcat_push_stats {
	uint64_t rows;          /**< rows pushed */
	size_t views;           /**< online views written */
	uint64_t keys_written;  /**< entity keys sent to the online store */
	uint64_t rows_appended; /**< rows appended to the batch source */
	double seconds;
} fcat_push_stats;

/**
 * Pushes rows for a push source: the one write path of pushed rows (the
 * HTTP server's POST /push, `fcat push` and the Python client use it).
 *
 * Every column of the push source's schema must be given, except the batch
 * source's created timestamp field (null when left out). Before anything
 * is written, every row is checked: each value of its column's type (an
 * array of the declared length), the event timestamp of every view over
 * the batch source and their join keys not null. A bad row refuses the
 * whole push. Then the principal needs `write` on every feature view over
 * the batch source (each decision audited under the principal).
 *
 * Offline: the rows are appended to the batch source's storage (its CSV
 * file, or its table in the offline store), all or nothing, so training
 * sets (fcat_get_historical) see them; a source whose plugin has no append
 * (or a query source) is refused before anything is written.
 *
 * Online: for each online view over the batch source, the latest pushed
 * row per entity key (by event time, then created time), after the view's
 * transform, is written exactly as fcat_materialize writes it, never
 * replacing a newer row already there. Every transform runs before the
 * first write, so a failing one writes nothing. Each view is written in one
 * transaction per 10,000 keys (one transaction for pushes up to that size),
 * view after view: the online store has no transaction across views, so
 * when writing a view fails after others were written, the error says
 * which views were written and which were not; pushing the same rows again
 * is safe (an equal row is kept, not duplicated).
 *
 * With FCAT_PUSH_ONLINE_AND_OFFLINE everything is checked and computed
 * first, then the rows are appended offline, then written online: when the
 * online write fails the rows stay appended offline (the error says so),
 * and pushing them online only (FCAT_PUSH_ONLINE) completes the push.
 *
 * Writes of concurrent pushes in one process are serialized; do not run
 * fcat_materialize on the same store at the same time.
 * @param[out] stats what was done; may be NULL
 * @param[in] store the store (its online store is opened on first use)
 * @param[in] push_source the push source's name
 * @param[in] columns ncolumns columns of nrows values each
 * @param[in] options NULL for the defaults (the store's principal, online)
 * @return 0; FCAT_ENOTFOUND for an unknown push source (or a missing table
 *         or file to append to); FCAT_EINVALID naming the row (1-based)
 *         and the column of a bad value, or a column unknown, repeated or
 *         missing, with nothing written; FCAT_EDENIED naming the principal
 *         and the view, with nothing written; FCAT_EINVALID when the batch
 *         source's store cannot take pushes (offline part), with nothing
 *         written; FCAT_EINVALID, FCAT_ETIMEOUT or FCAT_ENOMEM from a failing
 *         transform (naming the view and the entity key), with nothing
 *         written; FCAT_EIO from a store (naming what was written before);
 *         FCAT_EUSAGE for options of an unknown size, an unknown `to` or
 *         a column without values.
 */
FCAT_API int fcat_push(fcat_push_stats *stats, fcat_store *store, const char *push_source,
                       const fcat_push_column *columns, size_t ncolumns, size_t nrows,
                       const fcat_push_options *options);

/* ------------------------------------------------------------------------ */
/* Historical retrieval (training sets)                                      */
/* ------------------------------------------------------------------------ */

typedef struct fcat_historical_stats {
	size_t rows;     /**< entity rows */
	size_t features; /**< feature columns */
	/** feature views whose point-in-time join ran inside the offline store
	 * (its plugin's pit_join) rather than in fcat */
	size_t pushed_down;
} fcat_historical_stats;

/** How a training set is built; start from FCAT_HISTORICAL_OPTIONS_INIT. */
typedef struct fcat_historical_options {
	size_t size; /**< sizeof(fcat_historical_options) where the caller was built */
	/** Who reads, as named in the policy files; NULL: the store's
	 * principal. Each feature (and each input of an on-demand view) needs
	 * read_offline for this principal under the applied policies. */
	const char *principal;
	/** Name feature columns `view__feature` instead of `feature`. */
	bool full_names;
} fcat_historical_options;

#define FCAT_HISTORICAL_OPTIONS_INIT                                                               \
	{                                                                                          \
		sizeof(fcat_historical_options), NULL, false                                       \
	}

/**
 * Builds a training set: for every row of the entity CSV file (its join
 * keys, an `event_timestamp` column T, and any other columns such as labels,
 * kept as they are and in their order), the value of every requested feature
 * as it was at T: the source row with the same keys and the largest event
 * time in [T - ttl, T] (no lower bound without ttl), ties to the largest
 * created time, after the view's transform; null when there is none. On-demand
 * views take their request data from the entity file's columns of the same
 * name. Rows come out in input order; features are named `feature` or, with
 * full_names, `view__feature`. Beside OUT, OUT.meta.json records the catalog
 * commit and every feature's version hash, so the set can be rebuilt exactly.
 * @param[out] stats what was done; may be NULL
 * @param[in] store the store
 * @param[in] entity_file the entity rows, CSV with a header
 * @param[in] refs "VIEW:FEATURE" or "VIEW" references (nrefs of them), or
 *            NULL with `service`
 * @param[in] service a feature service whose features to add, or NULL
 * @param[in] out_path the CSV file to write
 * @param[in] options NULL for the defaults
 * @return 0; FCAT_ENOTFOUND (an unknown feature, view, service or file);
 *         FCAT_EINVALID (a bad cell, named where); FCAT_EDENIED naming the
 *         principal and the feature; FCAT_EIO; FCAT_EUSAGE for options of
 *         an unknown size.
 */
FCAT_API int fcat_get_historical(fcat_historical_stats *stats, fcat_store *store,
                                 const char *entity_file, const char *const *refs, size_t nrefs,
                                 const char *service, const char *out_path,
                                 const fcat_historical_options *options);

/** What fcat_verify found. */
typedef struct fcat_verify_report {
	size_t views;         /**< feature views checked */
	uint64_t samples;     /**< (entity key, cut-off time) pairs drawn */
	uint64_t checked;     /**< feature values compared */
	uint64_t differences; /**< values that differ between the two paths */
	char *details;        /**< one line per difference (the first 50 per view),
	                           or NULL; free with fcat_free */
} fcat_verify_report;

/**
 * Proves the batch and serving paths agree: for about `sample` sampled
 * (entity key, cut-off time) pairs per online view (cut-offs at the end of
 * the data, exactly at a row's event time, exactly one ttl after a row, and
 * mid-way; about 2% of the keys unknown), computes every feature through the
 * offline path (the latest source row in the ttl window, then the view's
 * transform) and through the online path (materialize into a scratch LMDB
 * store, then an online read at the cut-off, with random request data for
 * the on-demand views built on the view), and compares them bit for bit.
 * The store's own online store is not touched.
 * @param[out] out the report; free out->details with fcat_free
 * @return 0 whether or not there are differences (see out); an error when a
 *         path could not run (a failing transform, a bad source row).
 */
FCAT_API int fcat_verify(fcat_verify_report *out, fcat_store *store, size_t sample, uint64_t seed);

#ifdef __cplusplus
}
#endif

#endif /* FCAT_H */
