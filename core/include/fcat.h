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
 * The message of the last error raised on this thread. Messages longer than
 * 16 KiB are cut.
 * @return a borrowed, NUL-terminated string, never NULL ("" when no error has
 *         been raised); valid until the next libfcat call on this thread.
 */
FCAT_API const char *fcat_error_last(void);

/**
 * Static text describing an error code.
 * @param[in] code 0 or an fcat_error_code
 * @return static text, never NULL: "success", "not found", ...; "unknown
 *         error" for a code that is not an fcat_error_code.
 */
FCAT_API const char *fcat_strerror(int code);

/**
 * Releases a plain buffer that libfcat allocated and handed over through a
 * `char **` (strings, JSON text, reports). Objects with their own _free
 * function are released with it, not with this.
 * @param[in] ptr the buffer, or NULL (nothing is done)
 */
FCAT_API void fcat_free(void *ptr);

/**
 * The library version.
 * @return "MAJOR.MINOR.PATCH" (FCAT_VERSION_STRING of the library, which
 *         may differ from the header's); static, never NULL.
 */
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

/**
 * The name of a scalar.
 * @param[in] scalar any value
 * @return static text: "int32", "int64", "float32", "float64", "string",
 *         "bytes", "bool", "timestamp"; "invalid" for FCAT_INVALID and for
 *         a value outside the enum.
 */
FCAT_API const char *fcat_scalar_name(fcat_scalar scalar);

/**
 * Writes the canonical name of a type ("int64", "float32[16]", "string[]")
 * into buf, as snprintf does: at most size - 1 characters and a NUL, and
 * nothing when size is 0. An unknown scalar is written "invalid".
 * @param[out] buf the name; may be NULL when size is 0
 * @param[in] size the size of buf in bytes
 * @param[in] type the type
 * @return the length of the full name, without its NUL (cannot fail).
 */
FCAT_API int fcat_type_format(char *buf, size_t size, fcat_type type);

/**
 * Parses a type name as fcat_type_format writes it: a scalar name, "TYPE[]"
 * (any length) or "TYPE[N]" with N from 1 to 4294967295.
 * @param[out] out the type; {FCAT_INVALID} on failure
 * @param[in] name a NUL-terminated name, not NULL
 * @return 0, or FCAT_EINVALID for an unknown name (message says which).
 */
FCAT_API int fcat_type_parse(fcat_type *out, const char *name);

/**
 * Compares two types.
 * @param[in] a, b the types
 * @return true when the scalars and array-ness are equal and, for arrays,
 *         the dims too (a scalar type's dim is ignored).
 */
FCAT_API bool fcat_type_equal(fcat_type a, fcat_type b);

/**
 * Parses the text form of a value (as found in a CSV cell) of a given type.
 * Integers are decimal, floats use the C locale, bools are true/false (any
 * case) or 1/0, timestamps are as fcat_timestamp_parse reads them, bytes are
 * standard base64, strings are taken as they are (no trimming, no quotes),
 * arrays are written as "[1,2,3]" (strings, bytes and optionally timestamps
 * inside arrays as JSON strings; null elements are refused). An empty text
 * is null, for every type.
 * @param[out] out the value, of `type`; strings, bytes and arrays point into
 *             memory allocated for this value, released with
 *             fcat_value_clear. On failure a null value that owns nothing.
 * @param[in] type the type to read
 * @param[in] text the text; may be NULL when len is 0
 * @param[in] len its length in bytes (no NUL needed)
 * @return 0; FCAT_EINVALID with a message naming the text and the type (also
 *         for a type whose scalar is FCAT_INVALID or unknown, and for an
 *         array of the wrong fixed length); FCAT_EUSAGE when text is NULL and
 *         len is not 0; FCAT_ENOMEM.
 */
FCAT_API int fcat_value_parse(fcat_value *out, fcat_type type, const char *text, size_t len);

/**
 * Releases what fcat_value_parse allocated for a value and makes it null
 * (its type is kept). Call it only on values that fcat_value_parse filled:
 * values borrowed from a result are released with their result.
 * @param[in,out] value the value, or NULL (nothing is done)
 */
FCAT_API void fcat_value_clear(fcat_value *value);

/**
 * Formats a value in the text form fcat_value_parse reads back exactly
 * (floats with the shortest representation that round-trips). Null, and a
 * value of an unknown scalar, is "".
 * @param[out] out a NUL-terminated string the caller frees with fcat_free;
 *             NULL on failure
 * @param[in] value the value
 * @return 0; FCAT_EUSAGE when value is NULL; FCAT_ENOMEM.
 */
FCAT_API int fcat_value_format(char **out, const fcat_value *value);

/**
 * Formats a timestamp (microseconds since the epoch) as RFC 3339 UTC with
 * 0, 3 or 6 fraction digits ("2026-01-02T03:04:05Z", "...05.500Z"), into
 * buf as snprintf does (nothing when size is 0).
 * @param[out] buf the text; may be NULL when size is 0
 * @param[in] size the size of buf in bytes (33 is always enough)
 * @param[in] micros any value
 * @return the length of the full text, without its NUL (at most 32; cannot
 *         fail).
 */
FCAT_API int fcat_timestamp_format(char *buf, size_t size, int64_t micros);

/**
 * Parses an RFC 3339 timestamp ("2026-01-02T03:04:05.5Z": 'T', 't' or a
 * space between date and time, 1 to 9 fraction digits of which the first 6
 * count, "Z" or an offset "+HH:MM", none meaning UTC), a date alone
 * ("2026-01-02", midnight UTC), or integer epoch seconds ("1767323045").
 * @param[out] out microseconds since the epoch; unchanged on failure
 * @param[in] text the text; may be NULL when len is 0
 * @param[in] len its length in bytes (no NUL needed)
 * @return 0; FCAT_EINVALID naming the text and what is wrong (also for an
 *         empty text); FCAT_EUSAGE when text is NULL and len is not 0.
 */
FCAT_API int fcat_timestamp_parse(int64_t *out, const char *text, size_t len);

/* ------------------------------------------------------------------------ */
/* Configuration (fcat.yaml)                                                 */
/* ------------------------------------------------------------------------ */

/** A feature repo's checked fcat.yaml. */
typedef struct fcat_config fcat_config;

/**
 * Reads and checks a feature repo's fcat.yaml. A missing store section gets
 * the default (lmdb at data/online.lmdb, sqlite at data/offline.db).
 * @param[out] out the configuration; free with fcat_config_free. NULL on
 *             failure.
 * @param[in] path the path of the fcat.yaml file
 * @return 0; FCAT_ENOTFOUND when the file does not exist; FCAT_EINVALID for
 *         a YAML error, an unknown key, a wrong type or a missing key (the
 *         message names file:line:column); FCAT_EIO when the file cannot be
 *         read; FCAT_ENOMEM.
 */
FCAT_API int fcat_config_load(fcat_config **out, const char *path);

/**
 * Same as fcat_config_load, from text in memory.
 * @param[out] out the configuration; free with fcat_config_free. NULL on
 *             failure.
 * @param[in] name the file name used in messages ("fcat.yaml")
 * @param[in] text the YAML text (need not be NUL-terminated)
 * @param[in] len its length in bytes
 * @return 0; FCAT_EINVALID as fcat_config_load; FCAT_ENOMEM.
 */
FCAT_API int fcat_config_parse(fcat_config **out, const char *name, const char *text, size_t len);

/**
 * Releases a configuration and every string borrowed from it.
 * @param[in] config the configuration, or NULL (nothing is done)
 */
FCAT_API void fcat_config_free(fcat_config *config);

/**
 * Top-level settings, borrowed from the config (valid until it is freed).
 * @param[in] config the configuration, not NULL
 * @return fcat_config_project: the project name, never NULL.
 *         fcat_config_catalog_dir: the catalog directory, relative to the
 *         repo root ("catalog" when not set), never NULL.
 *         fcat_config_policies_dir: the policies directory, relative to the
 *         repo root ("policies" when not set), never NULL.
 */
FCAT_API const char *fcat_config_project(const fcat_config *config);
FCAT_API const char *fcat_config_catalog_dir(const fcat_config *config);
FCAT_API const char *fcat_config_policies_dir(const fcat_config *config);

/** Which store section. */
typedef enum fcat_store_role {
	FCAT_ONLINE_STORE = 0,
	FCAT_OFFLINE_STORE = 1,
} fcat_store_role;

/**
 * The plugin name of a store section.
 * @param[in] config the configuration, not NULL
 * @param[in] role the section; any value but FCAT_OFFLINE_STORE reads the
 *            online one
 * @return the name ("lmdb", "sqlite", ...; the default plugin when the
 *         section is absent), borrowed from the config; never NULL.
 */
FCAT_API const char *fcat_config_store_plugin(const fcat_config *config, fcat_store_role role);

/**
 * A plugin setting of a store section, as the scalar text written in
 * fcat.yaml (or of the default section when it is absent).
 * @param[in] config the configuration, not NULL
 * @param[in] role the section, as fcat_config_store_plugin
 * @param[in] key a key, or a dotted path into nested maps ("tls.ca_file")
 * @return the text, borrowed from the config; NULL when the key is absent or
 *         not a scalar (a map, a list), or a part of it is 256 bytes or more.
 */
FCAT_API const char *fcat_config_store_setting(const fcat_config *config, fcat_store_role role,
                                               const char *key);

/**
 * A setting of the `server:` section (what `fcat serve` reads when its
 * command line leaves an option out), as the scalar text written in
 * fcat.yaml. Loading the file has checked every key of the section: the
 * numbers are whole and in range (port 1-65535, threads 1-1024, max_body
 * 1-4294967296, timeout 1-86400, reload_check 0-86400), the rest non-empty.
 * @param[in] config the configuration, not NULL
 * @param[in] key "host", "port", "threads", "max_body", "timeout",
 *            "access_log", "token_secret_file", "token_public_key",
 *            "reload_check", or "cors.allow_origin" (a dotted path)
 * @return the text, borrowed from the config; NULL when the key (or the
 *         section) is absent, key is NULL, or it names a map.
 */
FCAT_API const char *fcat_config_server_setting(const fcat_config *config, const char *key);

/**
 * The whole plugin section of a store as compact JSON text (the plugin name
 * under "plugin", every other key as written and in order, scalars as
 * strings, lists as arrays).
 * @param[out] out NUL-terminated JSON, freed with fcat_free; NULL on failure
 * @param[in] config the configuration, not NULL
 * @param[in] role the section, as fcat_config_store_plugin
 * @return 0 or FCAT_ENOMEM.
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
 * lexical path order (files and directories whose name starts with '.' are
 * skipped). All errors are collected: the message of fcat_error_last()
 * holds one line per error, "FILE:LINE: what is wrong".
 * @param[out] out the catalog; free with fcat_catalog_free. NULL on failure.
 * @param[in] repo_root the feature repo; file names in messages and in
 *            fcat_object_file() are relative to it
 * @param[in] catalog_dir the catalog directory, relative to repo_root
 * @return 0; FCAT_EINVALID when any definition is wrong (including a file
 *         that exceeds its memory cap or instruction budget);
 *         FCAT_ENOTFOUND when the directory does not exist; FCAT_EIO when a
 *         file or directory cannot be read; FCAT_ENOMEM.
 */
FCAT_API int fcat_catalog_load_dir(fcat_catalog **out, const char *repo_root,
                                   const char *catalog_dir);

/**
 * Releases a catalog, and with it every object and string borrowed from it.
 * @param[in] catalog the catalog, or NULL (nothing is done)
 */
FCAT_API void fcat_catalog_free(fcat_catalog *catalog);

/**
 * The number of objects of a kind.
 * @param[in] catalog the catalog, not NULL
 * @param[in] kind the kind; FCAT_OBJ_FEATURE counts features of feature
 *            views and on-demand views
 * @return the count; 0 for a kind outside the enum.
 */
FCAT_API size_t fcat_catalog_count(const fcat_catalog *catalog, fcat_object_kind kind);

/**
 * The i-th object of a kind, in definition order.
 * @param[in] catalog the catalog, not NULL
 * @param[in] kind the kind
 * @param[in] i from 0 to fcat_catalog_count(catalog, kind) - 1
 * @return the object, borrowed from the catalog; NULL when i or kind is out
 *         of range.
 */
FCAT_API const fcat_object *fcat_catalog_at(const fcat_catalog *catalog, fcat_object_kind kind,
                                            size_t i);

/**
 * Finds an object by name.
 * @param[out] out the object, borrowed from the catalog; NULL when not found
 * @param[in] catalog the catalog, not NULL
 * @param[in] name "NAME" for an entity, source, view, on-demand view or
 *            service; "VIEW:FEATURE" for a feature (any name with a ':')
 * @return 0 or FCAT_ENOTFOUND.
 */
FCAT_API int fcat_catalog_lookup(const fcat_object **out, const fcat_catalog *catalog,
                                 const char *name);

/**
 * The kind of an object.
 * @param[in] object the object, not NULL
 * @return its kind.
 */
FCAT_API fcat_object_kind fcat_object_kind_of(const fcat_object *object);

/**
 * The name of a kind.
 * @param[in] kind any value
 * @return static text: "entity", "source", "feature_view", "on_demand_view",
 *         "feature_service", "feature", "push_source"; "unknown" outside the
 *         enum.
 */
FCAT_API const char *fcat_object_kind_name(fcat_object_kind kind);

/**
 * Borrowed strings of an object, valid until its catalog is freed.
 * @param[in] object the object, not NULL
 * @return fcat_object_name: its name (a feature's own name, without its
 *         view); fcat_object_description and fcat_object_owner: the text
 *         set in its definition, "" when not set. Never NULL.
 */
FCAT_API const char *fcat_object_name(const fcat_object *object);
FCAT_API const char *fcat_object_description(const fcat_object *object);
FCAT_API const char *fcat_object_owner(const fcat_object *object);

/**
 * Where an object is defined.
 * @param[in] object the object, not NULL
 * @return fcat_object_file: the file, relative to the repo root, borrowed
 *         from the catalog, never NULL; fcat_object_line: the line (from 1).
 */
FCAT_API const char *fcat_object_file(const fcat_object *object);
FCAT_API int fcat_object_line(const fcat_object *object);

/**
 * An object's own tags, sorted by key (a feature's view's tags are not
 * included).
 * @param[out] key, value the i-th tag's key and value, borrowed from the
 *             catalog; left unchanged on failure
 * @param[in] object the object, not NULL
 * @param[in] i from 0 to fcat_object_tag_count(object) - 1
 * @return fcat_object_tag_count: the number of tags. fcat_object_tag: 0, or
 *         FCAT_ENOTFOUND when i is out of range.
 */
FCAT_API size_t fcat_object_tag_count(const fcat_object *object);
FCAT_API int fcat_object_tag(const char **key, const char **value, const fcat_object *object,
                             size_t i);

/**
 * The value of one of an object's own tags.
 * @param[in] object the object, not NULL
 * @param[in] key the tag's key
 * @return the value, borrowed from the catalog; NULL when the object has no
 *         such tag.
 */
FCAT_API const char *fcat_object_tag_get(const fcat_object *object, const char *key);

/**
 * The type of a feature.
 * @param[in] feature an object, not NULL
 * @return for a feature: its type. For anything else: {FCAT_INVALID}.
 */
FCAT_API fcat_type fcat_feature_type(const fcat_object *feature);

/**
 * The view (or on-demand view) that holds a feature.
 * @param[in] feature an object, not NULL
 * @return the view, borrowed from the catalog; NULL when the object is not a
 *         feature.
 */
FCAT_API const fcat_object *fcat_feature_view(const fcat_object *feature);

/**
 * The features of an object: for a view or on-demand view, its features in
 * schema order; for a service, the features it serves.
 * @param[in] object the object, not NULL
 * @param[in] i from 0 to fcat_object_feature_count(object) - 1
 * @return fcat_object_feature_count: the number of features, 0 for any other
 *         kind. fcat_object_feature_at: the i-th feature, borrowed from the
 *         catalog; NULL when i is out of range or the kind has no features.
 */
FCAT_API size_t fcat_object_feature_count(const fcat_object *object);
FCAT_API const fcat_object *fcat_object_feature_at(const fcat_object *object, size_t i);

/**
 * The object's content hash: SHA-256 of a canonical form of its definition
 * (location excluded; a feature's hash covers its own field and what computes
 * it: the view's entities, source, timestamp field and transform), as 64
 * lowercase hex digits and a NUL. Cannot fail.
 * @param[out] out at least 65 bytes
 * @param[in] object the object, not NULL
 */
FCAT_API void fcat_object_hash(char out[65], const fcat_object *object);

/**
 * The batch source a push source appends to and feeds.
 * @param[in] push_source any object, not NULL
 * @return the source, borrowed from the catalog; NULL for anything but a
 *         push source.
 */
FCAT_API const fcat_object *fcat_push_source_batch(const fcat_object *push_source);

/**
 * The columns of a source's declared schema, or of a push source's schema
 * (its own `schema` when declared, else its batch source's): the columns
 * fcat_push takes, in order: their count, and column i's name and type.
 * @param[in] source a source or push source (any object, not NULL)
 * @param[in] i a column index, below the count
 * @return the count (0 for any other object or a source without a declared
 *         schema); the name, borrowed from the catalog (NULL out of range or
 *         for another object); the type (scalar FCAT_INVALID likewise).
 */
FCAT_API size_t fcat_source_column_count(const fcat_object *source);
FCAT_API const char *fcat_source_column_name(const fcat_object *source, size_t i);
FCAT_API fcat_type fcat_source_column_type(const fcat_object *source, size_t i);

/**
 * The time to live of a feature view.
 * @param[in] view an object, not NULL
 * @return for a feature view: its ttl in seconds (0: none). For anything
 *         else, on-demand views included: 0.
 */
FCAT_API int64_t fcat_view_ttl_seconds(const fcat_object *view);

/**
 * Describes an object as JSON: its kind, name, where it is defined, and
 * every field of its definition (schema, ttl, entities, join keys, source,
 * transform source text ...). It shows everything; fcat_store_describe_json
 * shows what a principal may see.
 * @param[out] out NUL-terminated JSON (indented when `pretty`), freed with
 *             fcat_free; NULL on failure.
 * @param[in] object the object, not NULL
 * @param[in] pretty indent with two spaces instead of compact output
 * @return 0 or FCAT_ENOMEM.
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
 * applied catalog version, as "anonymous" (see fcat_store_open_ext).
 * @param[out] out the store; free with fcat_store_free. NULL on failure.
 * @param[in] repo_path the directory that holds fcat.yaml
 * @return as fcat_store_open_ext with NULL options.
 */
FCAT_API int fcat_store_open(fcat_store **out, const char *repo_path);

/**
 * Opens a feature repo with a chosen catalog version: the applied one, the
 * one in any commit, or the work tree's. A store keeps the version it
 * opened: applying another one later does not change what it serves.
 * Whatever version is read, the applied version's policies are loaded, when
 * there is one (their signature checked when fcat.yaml, as applied, sets
 * policy.trusted_keys), and its audit log opened.
 * @param[out] out the store; free with fcat_store_free. NULL on failure.
 * @param[in] repo_path the directory that holds fcat.yaml
 * @param[in] options NULL for the defaults (the applied version, as
 *            "anonymous"); with FCAT_CATALOG_COMMIT a NULL commit is HEAD
 * @return 0; FCAT_ENOTFOUND (no such directory, no fcat.yaml, not in a git
 *         repository (except for FCAT_CATALOG_WORKTREE), nothing applied yet
 *         (for FCAT_CATALOG_APPLIED), an unknown revision, a missing
 *         policy.trusted_keys file); FCAT_EINVALID (a config or definition error, message
 *         as fcat_config_load and fcat_catalog_load_dir; invalid policy files;
 *         a revision that is not a commit; a bare repository);
 *         FCAT_EDENIED when the policies fail their signature check;
 *         FCAT_EIO (a file, git or the audit log); FCAT_ENOMEM;
 *         FCAT_EVERSION for an unknown options version; FCAT_EUSAGE for an
 *         unknown options catalog source.
 */
FCAT_API int fcat_store_open_ext(fcat_store **out, const char *repo_path,
                                 const fcat_open_options *options);

/**
 * Opens the store's repo again as `from` was opened (the same catalog
 * source, revision and principal), for a long-running reader that follows
 * `fcat apply`: the new store reads the version applied now, its policies
 * and fcat.yaml as it is now, but shares `from`'s online store connection
 * (opened once, with the settings `from` was opened with: a changed
 * `online_store` section takes a fresh fcat_store_open), so both stores can
 * serve reads at once, from any threads. Free each with fcat_store_free, in
 * any order; the connection closes with the last of them.
 * @param[out] out the new store; free with fcat_store_free. NULL on failure.
 * @param[in] from an open store, not NULL; unchanged
 * @return as fcat_store_open_ext (on failure `from` serves on unchanged).
 */
FCAT_API int fcat_store_reopen(fcat_store **out, const fcat_store *from);

/**
 * Which catalog version is applied now: reads refs/fcat/applied alone
 * (no catalog, no policies), cheap enough to poll, to tell when to
 * fcat_store_reopen (compare with fcat_catalog_commit of the store's
 * catalog).
 * @param[out] out the applied commit, 40 hex digits and a NUL; "" on failure
 * @param[in] repo_path the feature repo
 * @return 0; FCAT_ENOTFOUND (no such directory, not in a git repository,
 *         nothing applied yet); FCAT_EINVALID for a bare repository;
 *         FCAT_EIO (git); FCAT_ENOMEM.
 */
FCAT_API int fcat_applied_commit(char out[41], const char *repo_path);

/**
 * Closes a store: flushes and closes its audit log (warning on stderr,
 * "fcat: warning: audit log ...", when records were lost), closes its online
 * store, and releases everything borrowed from it. Free the feature sets made
 * from it first.
 * @param[in] store the store, or NULL (nothing is done)
 */
FCAT_API void fcat_store_free(fcat_store *store);

/**
 * The store's configuration and catalog, borrowed from the store (valid
 * until it is freed).
 * @param[in] store the store, not NULL
 * @return fcat_store_config: the configuration read from the work tree's
 *         fcat.yaml when the store was opened (the policy settings that
 *         decide are those of the applied commit). fcat_store_catalog: the
 *         catalog version the store reads. Never NULL.
 */
FCAT_API const fcat_config *fcat_store_config(const fcat_store *store);
FCAT_API const fcat_catalog *fcat_store_catalog(const fcat_store *store);

/**
 * The repo root.
 * @param[in] store the store, not NULL
 * @return its absolute path with symbolic links resolved, borrowed from the
 *         store; never NULL.
 */
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
 * @param[out] out NUL-terminated text, freed with fcat_free; NULL on failure
 * @param[in] catalog the catalog, not NULL
 * @param[in] name the object, named as for fcat_catalog_lookup
 * @param[in] format the output format; an unknown one gives text
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
 * directory (as committed or as in the work tree's fcat.yaml) has
 * uncommitted changes. The catalog and policies directories and the policy
 * settings are those of fcat.yaml as committed there; the commit's policies
 * must load and, with policy.trusted_keys, be signed.
 * Applies as "anonymous": see fcat_apply_as.
 * @param[out] out_commit the applied commit, 40 hex digits and a NUL; ""
 *             on failure
 * @param[in] repo_path the feature repo
 * @param[in] rev the revision to apply; NULL for HEAD
 * @return 0; FCAT_EINVALID for uncommitted changes (the message lists each
 *         file), invalid definitions (one line per problem), policies that
 *         do not load, a bad fcat.yaml, or a rev that is not a commit;
 *         FCAT_ENOTFOUND (no fcat.yaml in the work tree or the commit, no
 *         git repository, unknown rev); FCAT_EDENIED when the commit's
 *         policies fail their signature check, or as fcat_apply_as for
 *         "anonymous" once a version is applied; FCAT_EIO; FCAT_ENOMEM.
 */
FCAT_API int fcat_apply(char out_commit[41], const char *repo_path, const char *rev);

/**
 * fcat_apply as `principal`: the applied policies must allow it `apply` on
 * `project`, and `admin` on `project` as well when the commit changes a
 * policy setting of fcat.yaml (policies, policy.trusted_keys,
 * policy.audit_log) or the policy files. Before anything is applied there is
 * no authority: the first apply is open (fcat init makes it).
 * @param[out] out_commit as fcat_apply
 * @param[in] repo_path the feature repo
 * @param[in] rev the revision to apply; NULL for HEAD
 * @param[in] principal who applies, as named in the policy files; NULL or ""
 *            is "anonymous"
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

/** One difference between two catalogs. Its strings are borrowed from the
 * diff and the catalogs. */
typedef struct fcat_change {
	fcat_change_kind change;
	fcat_object_kind kind;
	const char *name;          /**< "NAME", or "VIEW:FEATURE" */
	const fcat_object *before; /**< NULL when added; borrowed from `from` */
	const fcat_object *after;  /**< NULL when removed; borrowed from `to` */
	const char *fields;        /**< changed fields, "type, description"; ""
	                                when added or removed */
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
 *             outlive them. NULL on failure.
 * @param[in] from the older catalog, not NULL
 * @param[in] to the newer catalog, not NULL
 * @return 0 or FCAT_ENOMEM.
 */
FCAT_API int fcat_catalog_diff(fcat_diff **out, const fcat_catalog *from, const fcat_catalog *to);

/**
 * The changes of a diff.
 * @param[in] diff the diff, not NULL
 * @param[in] i from 0 to fcat_diff_count(diff) - 1
 * @return fcat_diff_count: the number of changes. fcat_diff_at: the i-th
 *         change, borrowed from the diff (valid until it is freed); NULL
 *         when i is out of range.
 */
FCAT_API size_t fcat_diff_count(const fcat_diff *diff);
FCAT_API const fcat_change *fcat_diff_at(const fcat_diff *diff, size_t i);

/**
 * How many of the changes are breaking.
 * @param[in] diff the diff, not NULL
 * @return the number of changes whose `breaking` is not NULL.
 */
FCAT_API size_t fcat_diff_breaking_count(const fcat_diff *diff);

/**
 * Releases a diff and its changes.
 * @param[in] diff the diff, or NULL (nothing is done)
 */
FCAT_API void fcat_diff_free(fcat_diff *diff);

/** One version of an object: a commit where its hash changed. Its strings
 * are borrowed from the history. */
typedef struct fcat_object_version {
	char commit[41];     /**< 40 hex digits */
	char hash[65];       /**< the object's hash there; "" where it was removed */
	const char *author;  /**< "Name <email>" */
	int64_t time;        /**< commit time, seconds since the epoch */
	const char *message; /**< the commit message's first line */
} fcat_object_version;

/** The versions of one object, newest first. */
typedef struct fcat_history fcat_history;

/**
 * Walks the history from `rev` along first parents and lists the commits
 * where an object's content hash changed (it appeared, changed or was
 * removed). Commits whose catalog does not validate are passed over. The
 * catalog directory is the one the work tree's fcat.yaml names. No policy
 * is checked: see fcat_store_history_of.
 * @param[out] out the versions; free with fcat_history_free. NULL on
 *             failure.
 * @param[in] repo_path the feature repo
 * @param[in] name an object ("user_features", "view:feature") or, when it
 *            holds a '/', a file of the feature repo ("policies/pii.yaml"),
 *            whose blob is compared
 * @param[in] rev where to start; NULL for HEAD
 * @return 0; FCAT_ENOTFOUND when the object never existed, or for no
 *         fcat.yaml, no git repository or an unknown rev; FCAT_EINVALID for
 *         a bad fcat.yaml or a rev that is not a commit; FCAT_EIO;
 *         FCAT_ENOMEM.
 */
FCAT_API int fcat_history_of(fcat_history **out, const char *repo_path, const char *name,
                             const char *rev);

/**
 * The versions of a history, newest first.
 * @param[in] history the history, not NULL
 * @param[in] i from 0 to fcat_history_count(history) - 1
 * @return fcat_history_count: the number of versions (at least 1).
 *         fcat_history_at: the i-th version, borrowed from the history
 *         (valid until it is freed); NULL when i is out of range.
 */
FCAT_API size_t fcat_history_count(const fcat_history *history);
FCAT_API const fcat_object_version *fcat_history_at(const fcat_history *history, size_t i);

/**
 * Releases a history and its versions.
 * @param[in] history the history, or NULL (nothing is done)
 */
FCAT_API void fcat_history_free(fcat_history *history);

/**
 * Whether the store's principal may see an object (the `describe` action).
 * list, describe and lineage show only what this allows. The decision is
 * written to the audit log, when there is one.
 * @param[in] store the store, not NULL
 * @param[in] object an object of the store's catalog, not NULL
 * @return true when allowed, and always when no policies decide (the
 *         applied version has no policy files, nothing is applied yet, or
 *         the repo is not in git); false when denied or when the decision
 *         fails.
 */
FCAT_API bool fcat_store_may_describe(const fcat_store *store, const fcat_object *object);

/**
 * fcat_object_describe_json as the store's principal may see it: features,
 * on-demand view sources and service features it may not describe are left
 * out, and so is (replaced by a "hidden: ..." string) the transform of a
 * view with hidden features; a view's source and entities are null and
 * empty without describe on project.
 * @param[out] out NUL-terminated JSON, freed with fcat_free; NULL on failure
 * @param[in] store the store, not NULL
 * @param[in] object an object of the store's catalog, not NULL
 * @param[in] pretty indent with two spaces instead of compact output
 * @return 0; FCAT_EDENIED when the object itself is hidden; FCAT_ENOMEM.
 */
FCAT_API int fcat_store_describe_json(char **out, const fcat_store *store,
                                      const fcat_object *object, bool pretty);

/**
 * fcat_history_of for the store's principal: refused unless it may
 * describe the object, as found in the store's catalog or else in the
 * applied one; an object found in neither (it exists only in history, so
 * its tags are unknown) and a file of the repo need admin on project.
 * @param[out] out as fcat_history_of
 * @param[in] store the store, not NULL
 * @param[in] name as fcat_history_of
 * @param[in] rev as fcat_history_of
 * @return as fcat_history_of; FCAT_EDENIED naming the object.
 */
FCAT_API int fcat_store_history_of(fcat_history **out, const fcat_store *store, const char *name,
                                   const char *rev);

/**
 * May the store's principal do `action` on `project`? The decision is
 * written to the audit log, when there is one.
 * @param[in] store the store, not NULL
 * @param[in] action describe, read_online, read_offline, write, apply or
 *            admin
 * @return 0 when allowed (always when the applied version has no policy
 *         files); FCAT_EDENIED naming the rule, or saying why nothing is
 *         allowed (nothing applied yet, policy files outside a git
 *         repository); FCAT_EINVALID for an unknown action.
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
 * @param[out] stats the counts so far (all 0 without an audit log); may be
 *             NULL
 * @param[in] store the store, not NULL
 * @return 0 (no audit log, or nothing lost); FCAT_EIO naming the log, how
 *         many records were lost and the last error, or saying that records
 *         were still queued after 5 seconds.
 */
FCAT_API int fcat_store_audit_check(fcat_audit_stats *stats, const fcat_store *store);

/**
 * fcat_lineage showing only what the store's principal may describe: edges
 * to or from an object it may not describe are left out.
 * @param[out] out as fcat_lineage
 * @param[in] store the store, not NULL; its catalog is searched
 * @param[in] name as fcat_lineage
 * @param[in] format as fcat_lineage
 * @return as fcat_lineage; FCAT_EDENIED when the object itself is hidden.
 */
FCAT_API int fcat_store_lineage(char **out, const fcat_store *store, const char *name,
                                fcat_lineage_format format);

/**
 * Explains a policy decision by the policies of the catalog version the
 * store reads (to try a change before applying it; the applied policies
 * alone decide reads): allow or deny, and every rule that matched
 * (file:line). Nothing is written to the audit log.
 * @param[out] out text, freed with fcat_free; NULL on failure
 * @param[in] store the store, not NULL
 * @param[in] principal who would act, as named in the policy files; not NULL
 * @param[in] action describe, read_online, read_offline, write, apply or
 *            admin
 * @param[in] resource project, view:NAME, feature:VIEW:NAME or service:NAME
 *            (a view's or feature's tags are looked up in the catalog)
 * @return 0; FCAT_ENOTFOUND when the catalog version has no policies;
 *         FCAT_EINVALID for an unknown action or a malformed resource;
 *         FCAT_EUSAGE when principal or resource is NULL; FCAT_ENOMEM.
 */
FCAT_API int fcat_policy_explain(char **out, const fcat_store *store, const char *principal,
                                 const char *action, const char *resource);

/**
 * Runs the test cases kept beside the policies of the catalog version the
 * store reads (policies/tests/, or *_test.yaml).
 * @param[out] report one line per case and a summary, freed with fcat_free;
 *             NULL on failure
 * @param[out] failures how many cases failed (0 on failure)
 * @param[in] store the store, not NULL
 * @return 0 whether or not cases failed (see *failures); FCAT_ENOTFOUND when
 *         the catalog version has no policies; the error of a case that
 *         cannot be decided, its message prefixed with file:line;
 *         FCAT_ENOMEM.
 */
FCAT_API int fcat_policy_test(char **report, size_t *failures, const fcat_store *store);

/**
 * Signs the policy files (*.yaml and *.yml below the policies directory
 * that the work tree's fcat.yaml names) with an Ed25519 private key and
 * writes policies/SIGNATURE. Stores then verify it against fcat.yaml's
 * policy.trusted_keys. Signs as "anonymous": see fcat_policy_sign_as.
 * @param[out] out_path the path of the SIGNATURE file written, freed with
 *             fcat_free; NULL on failure
 * @param[in] repo_path the feature repo (it must be in a git repository)
 * @param[in] private_key_pem the path of a PEM file holding the private key
 *            (not the PEM text; an encrypted key is refused)
 * @return 0; FCAT_ENOTFOUND (no fcat.yaml, no policies directory, no key
 *         file, no git repository); FCAT_EINVALID (the key is not an
 *         unencrypted Ed25519 PEM private key, a bad fcat.yaml, a policy path
 *         that cannot be signed); FCAT_EDENIED as fcat_policy_sign_as for
 *         "anonymous" once a version is applied; FCAT_EIO (reading a policy
 *         file, writing SIGNATURE); FCAT_ERROR when OpenSSL fails to sign;
 *         FCAT_ENOMEM.
 */
FCAT_API int fcat_policy_sign(char **out_path, const char *repo_path, const char *private_key_pem);

/**
 * fcat_policy_sign as `principal`, who needs `admin` on `project` under the
 * applied policies (open before anything is applied). The private key
 * remains the real control; this check keeps the signing in the audit log
 * and out of reach of the wrong account.
 * @param[out] out_path as fcat_policy_sign
 * @param[in] repo_path as fcat_policy_sign
 * @param[in] private_key_pem as fcat_policy_sign: a path
 * @param[in] principal who signs, as named in the policy files; NULL or ""
 *            is "anonymous"
 * @return as fcat_policy_sign; FCAT_EDENIED naming the principal and the
 *         rule; the errors of fcat_store_open when the applied policies
 *         cannot be read (they fail closed).
 */
FCAT_API int fcat_policy_sign_as(char **out_path, const char *repo_path,
                                 const char *private_key_pem, const char *principal);

/**
 * The principal the store reads as.
 * @param[in] store the store, not NULL
 * @return its name ("anonymous" when none was given), borrowed from the
 *         store; never NULL.
 */
FCAT_API const char *fcat_store_principal(const fcat_store *store);

/**
 * The commit a catalog was read from.
 * @param[in] catalog the catalog, not NULL
 * @return 40 hex digits, or "" for a catalog read from files
 *         (fcat_catalog_load_dir, FCAT_CATALOG_WORKTREE); borrowed from the
 *         catalog, never NULL.
 */
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
 * Records `end` per view for fcat_materialize_incremental. The store's
 * principal needs `write` on each view under the applied policies (checked
 * for every view before any is written). Each view's source is read in as
 * many parts at once as the machine has online cores, when its plugin can
 * cut it (fcat_materialize_ext sets the number); its transform and its
 * writes follow once the whole source is read, the writes from the calling
 * thread.
 * @param[out] stats what was done, also after a failure (what was done
 *             until then; left untouched when start is not before end);
 *             may be NULL
 * @param[in] store the store; its online store is opened on first use
 * @param[in] start, end microseconds since the epoch; start < end
 * @param[in] views the names of the feature views to materialize, or NULL
 *            when nviews is 0
 * @param[in] nviews how many; 0 for every online feature view
 * @param[in] progress called now and then while a view's rows are read
 *            (from a thread of the library's, never from two at once) and
 *            once at the end of each view; may be NULL
 * @param[in] ctx passed to progress as it is
 * @return 0; FCAT_ENOTFOUND (an unknown view, a missing source file, an
 *         unknown plugin); FCAT_EINVALID (start not before end, a view that
 *         is not online, a bad source row named file:line:column, a file
 *         source that is not CSV, a failing transform); FCAT_ETIMEOUT or
 *         FCAT_ENOMEM from a transform over its budget or memory cap;
 *         FCAT_EDENIED naming the principal and the view (also when
 *         nothing has been applied yet); FCAT_EVERSION for a plugin of
 *         another ABI; FCAT_EIO (a source, the online store); FCAT_ENOMEM.
 */
FCAT_API int fcat_materialize(fcat_materialize_stats *stats, fcat_store *store, int64_t start,
                              int64_t end, const char *const *views, size_t nviews,
                              fcat_progress_fn progress, void *ctx);

/**
 * How a materialization is run; start from FCAT_MATERIALIZE_OPTIONS_INIT so
 * that fields added later keep their defaults.
 */
typedef struct fcat_materialize_options {
	size_t size; /**< sizeof(fcat_materialize_options) where the caller was built */
	/** How many parts of each view's source are read at once, each on a
	 * thread of its own (at most 256): 0, the default, is the number of
	 * online cores; 1 reads each source with one scan. Sources whose
	 * plugin cannot cut them (no scan_part) are read with one scan
	 * whatever the number. The result is the same for every number. */
	unsigned int jobs;
} fcat_materialize_options;

#define FCAT_MATERIALIZE_OPTIONS_INIT                                                              \
	{                                                                                          \
		sizeof(fcat_materialize_options), 0                                                \
	}

/**
 * As fcat_materialize, with options.
 * @param[out] stats as fcat_materialize
 * @param[in] store as fcat_materialize
 * @param[in] start, end as fcat_materialize
 * @param[in] views as fcat_materialize
 * @param[in] nviews as fcat_materialize
 * @param[in] progress as fcat_materialize
 * @param[in] ctx as fcat_materialize
 * @param[in] options NULL for the defaults (as fcat_materialize)
 * @return as fcat_materialize; FCAT_EUSAGE for options of an unknown size
 *         or more than 256 jobs.
 */
FCAT_API int fcat_materialize_ext(fcat_materialize_stats *stats, fcat_store *store, int64_t start,
                                  int64_t end, const char *const *views, size_t nviews,
                                  fcat_progress_fn progress, void *ctx,
                                  const fcat_materialize_options *options);

/**
 * As fcat_materialize, starting each view where its last run ended (never
 * run: at end - ttl, or at the beginning of time for a view without ttl).
 * A view already materialized up to `end` or later is passed over.
 * @param[out] stats as fcat_materialize
 * @param[in] store as fcat_materialize
 * @param[in] end microseconds since the epoch
 * @param[in] views as fcat_materialize
 * @param[in] nviews as fcat_materialize
 * @param[in] progress as fcat_materialize
 * @param[in] ctx as fcat_materialize
 * @return as fcat_materialize (there is no start to check).
 */
FCAT_API int fcat_materialize_incremental(fcat_materialize_stats *stats, fcat_store *store,
                                          int64_t end, const char *const *views, size_t nviews,
                                          fcat_progress_fn progress, void *ctx);

/**
 * As fcat_materialize_incremental, with options.
 * @param[out] stats as fcat_materialize
 * @param[in] store as fcat_materialize
 * @param[in] end microseconds since the epoch
 * @param[in] views as fcat_materialize
 * @param[in] nviews as fcat_materialize
 * @param[in] progress as fcat_materialize
 * @param[in] ctx as fcat_materialize
 * @param[in] options as fcat_materialize_ext
 * @return as fcat_materialize_ext (there is no start to check).
 */
FCAT_API int fcat_materialize_incremental_ext(fcat_materialize_stats *stats, fcat_store *store,
                                              int64_t end, const char *const *views, size_t nviews,
                                              fcat_progress_fn progress, void *ctx,
                                              const fcat_materialize_options *options);

/** The status of one served feature value (Feast's FieldStatus numbers). */
typedef enum fcat_status {
	FCAT_STATUS_INVALID = 0,
	FCAT_STATUS_PRESENT = 1,
	FCAT_STATUS_NULL_VALUE = 2,
	FCAT_STATUS_NOT_FOUND = 3,
	FCAT_STATUS_OUTSIDE_MAX_AGE = 4, /**< older than the view's ttl; value given */
} fcat_status;

/**
 * The name of a status.
 * @param[in] status any value
 * @return static text: "PRESENT", "NULL_VALUE", "NOT_FOUND",
 *         "OUTSIDE_MAX_AGE"; "INVALID" for FCAT_STATUS_INVALID and for a
 *         value outside the enum.
 */
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
 * @param[in] refs the references, "VIEW:FEATURE" or "VIEW"
 * @param[in] nrefs how many references
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
 * @param[in] store the store whose catalog holds the service
 * @param[in] service the service's name
 * @return as fcat_feature_set_new; FCAT_ENOTFOUND for an unknown service.
 */
FCAT_API int fcat_feature_set_for_service(fcat_feature_set **out, const fcat_store *store,
                                          const char *service);

/**
 * Releases a feature set and the principals it remembered.
 * @param[in] set the set, or NULL; no read may be using it
 */
FCAT_API void fcat_feature_set_free(fcat_feature_set *set);

/**
 * The features of a set, in the set's order (the order of the values of a
 * read's result row).
 * @param[in] set the set, not NULL
 * @param[in] i from 0 to fcat_feature_set_count(set) - 1
 * @return fcat_feature_set_count: the number of features.
 *         fcat_feature_set_feature: the i-th feature object, borrowed from
 *         the store's catalog (valid while the set is); NULL when i is out
 *         of range.
 */
FCAT_API size_t fcat_feature_set_count(const fcat_feature_set *set);
FCAT_API const fcat_object *fcat_feature_set_feature(const fcat_feature_set *set, size_t i);

/**
 * The join keys a read needs, in order (the distinct keys, by name, of the
 * set's views): a read passes one value of each per entity row.
 * @param[in] set the set, not NULL
 * @param[in] i from 0 to fcat_feature_set_key_count(set) - 1
 * @return fcat_feature_set_key_count: the number of keys.
 *         fcat_feature_set_key_name: the i-th key's name, borrowed (valid
 *         while the set is); NULL when i is out of range.
 *         fcat_feature_set_key_type: its type; {FCAT_INVALID} when i is out
 *         of range.
 */
FCAT_API size_t fcat_feature_set_key_count(const fcat_feature_set *set);
FCAT_API const char *fcat_feature_set_key_name(const fcat_feature_set *set, size_t i);
FCAT_API fcat_type fcat_feature_set_key_type(const fcat_feature_set *set, size_t i);

/**
 * The request data a read needs (the distinct request fields, by name, of
 * the set's on-demand views), in order: see fcat_read_options.request.
 * @param[in] set the set, not NULL
 * @param[in] i from 0 to fcat_feature_set_request_count(set) - 1
 * @return fcat_feature_set_request_count: the number of fields (0 when the
 *         set has no on-demand features).
 *         fcat_feature_set_request_name: the i-th field's name, borrowed
 *         (valid while the set is); NULL when i is out of range.
 *         fcat_feature_set_request_type: its type; {FCAT_INVALID} when i is
 *         out of range.
 */
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

/**
 * Releases a result and every value read into it.
 * @param[in] result the result, or NULL
 */
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
	/** Groups an identity provider vouches for the principal (a verified
	 * token's `groups` claim), `ngroups` of them: the principal also holds
	 * the roles the policies give these groups, and a principal the
	 * policies do not name may read through them alone. A group the
	 * policies do not declare gives nothing. NULL: none. */
	const char *const *groups;
	size_t ngroups; /**< how many `groups` */
} fcat_read_options;

#define FCAT_READ_OPTIONS_INIT                                                                     \
	{                                                                                          \
		sizeof(fcat_read_options), NULL, -1, NULL, NULL, 0                                 \
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

/**
 * The number of entity rows of a result.
 * @param[in] result the result, not NULL
 * @return the rows of the last read (0 before the first read). After a
 *         failed read the result's rows and values are not to be used.
 */
FCAT_API size_t fcat_online_result_rows(const fcat_online_result *result);

/**
 * One served value of a result.
 * @param[in] result the result, not NULL
 * @param[in] row the entity row, from 0 to fcat_online_result_rows(result) - 1
 * @param[in] feature the feature, in the set's order, from 0 to
 *            fcat_feature_set_count(set) - 1
 * @return the value, borrowed from the result (its strings, bytes and arrays
 *         too): valid until the result's next read or its free; NULL when
 *         row or feature is out of range.
 */
FCAT_API const fcat_feature_value *fcat_online_result_at(const fcat_online_result *result,
                                                         size_t row, size_t feature);

/**
 * Every served value of a result at once, for a caller that copies a whole
 * result out in one piece (the Python client): fcat_online_result_rows(result)
 * * fcat_feature_set_count(set) values, contiguous and row-major, so that
 * row r's feature f is element r * fcat_feature_set_count(set) + f, the
 * value fcat_online_result_at(result, r, f) returns.
 * @param[in] result the result, or NULL
 * @return the first value, borrowed from the result as fcat_online_result_at's
 *         are (until the result's next read or its free); NULL when result is
 *         NULL, before the first read, and when the last read had no rows or
 *         its set no features. After a failed read it is not to be used.
 */
FCAT_API const fcat_feature_value *fcat_online_result_values(const fcat_online_result *result);

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
	/** Groups an identity provider vouches for the principal (a verified
	 * token's `groups` claim), `ngroups` of them: the principal also holds
	 * the roles the policies give these groups, and a principal the
	 * policies do not name may read through them alone. A group the
	 * policies do not declare gives nothing. NULL: none. */
	const char *const *groups;
	size_t ngroups; /**< how many `groups` */
} fcat_push_options;

#define FCAT_PUSH_OPTIONS_INIT                                                                     \
	{                                                                                          \
		sizeof(fcat_push_options), NULL, FCAT_PUSH_ONLINE, NULL, 0                         \
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
 * @param[in] columns the columns, each of nrows values, borrowed during
 *            the call
 * @param[in] ncolumns how many columns
 * @param[in] nrows how many rows each column holds
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
	/** Groups an identity provider vouches for the principal (a verified
	 * token's `groups` claim), `ngroups` of them: the principal also holds
	 * the roles the policies give these groups, and a principal the
	 * policies do not name may read through them alone. A group the
	 * policies do not declare gives nothing. NULL: none. */
	const char *const *groups;
	size_t ngroups; /**< how many `groups` */
} fcat_historical_options;

#define FCAT_HISTORICAL_OPTIONS_INIT                                                               \
	{                                                                                          \
		sizeof(fcat_historical_options), NULL, false, NULL, 0                              \
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
 * The file is read by the csv plugin's reader and OUT written as its exact
 * inverse: an empty cell is null, a quoted empty one ("") the empty string.
 * It is fcat_get_historical_columns over the file's columns as text, with
 * the result written out: the two cannot differ.
 * @param[out] stats what was done; may be NULL
 * @param[in] store the store
 * @param[in] entity_file the entity rows, CSV with a header
 * @param[in] refs "VIEW:FEATURE" or "VIEW" references, or NULL with
 *            `service`
 * @param[in] nrefs how many references
 * @param[in] service a feature service whose features to add, or NULL
 * @param[in] out_path the CSV file to write
 * @param[in] options NULL for the defaults
 * @return 0; FCAT_ENOTFOUND (an unknown feature, view, service or file);
 *         FCAT_EINVALID (a bad cell, named where; a join key column of a
 *         requested view missing from the file); FCAT_EDENIED naming the
 *         principal and the feature; FCAT_EIO; FCAT_EUSAGE for options of
 *         an unknown size.
 */
FCAT_API int fcat_get_historical(fcat_historical_stats *stats, fcat_store *store,
                                 const char *entity_file, const char *const *refs, size_t nrefs,
                                 const char *service, const char *out_path,
                                 const fcat_historical_options *options);

/* The Arrow C data interface (https://arrow.apache.org/docs/format/
 * CDataInterface.html), copied as the standard says, under its guard. */
#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE           2
#define ARROW_FLAG_MAP_KEYS_SORTED    4

struct ArrowSchema {
	// Array type description
	const char *format;
	const char *name;
	const char *metadata;
	int64_t flags;
	int64_t n_children;
	struct ArrowSchema **children;
	struct ArrowSchema *dictionary;

	// Release callback
	void (*release)(struct ArrowSchema *);
	// Opaque producer-specific data
	void *private_data;
};

struct ArrowArray {
	// Array data description
	int64_t length;
	int64_t null_count;
	int64_t offset;
	int64_t n_buffers;
	int64_t n_children;
	const void **buffers;
	struct ArrowArray **children;
	struct ArrowArray *dictionary;

	// Release callback
	void (*release)(struct ArrowArray *);
	// Opaque producer-specific data
	void *private_data;
};

#endif /* ARROW_C_DATA_INTERFACE */

/**
 * One column of values, in Arrow's layouts (so a numpy array or an Arrow
 * buffer is passed as it is): entity rows going in, training-set columns
 * coming out.
 *
 *  - `validity`: a bitmap, bit i (least significant bit first within each
 *    byte, as Arrow) set when row i has a value; NULL when every row has one.
 *  - scalars: `values` holds `length` values of the C type: int32_t,
 *    int64_t, float, double; timestamps as int64_t microseconds since the
 *    epoch (UTC); bools as a bitmap like `validity` (numpy:
 *    packbits(a, bitorder="little")). A null row's value is ignored.
 *  - string, bytes: `offsets` holds length + 1 int64 byte offsets into
 *    `data`; row i is data[offsets[i], offsets[i + 1]). Strings are UTF-8
 *    (not checked on the way in). `values` is unused.
 *  - arrays (training-set columns only): `values` holds the items of every
 *    row, in the scalar's layout; with a fixed `dim`, row i's items are
 *    [i * dim, (i + 1) * dim) (null rows too hold dim items), otherwise
 *    `offsets` holds length + 1 item offsets. Arrays of strings or bytes
 *    keep their items' bytes in `data`, with `item_offsets` (one more than
 *    the items) as `offsets` are for scalars.
 */
typedef struct fcat_column {
	const char *name;
	fcat_type type;
	size_t length; /**< rows */
	const uint8_t *validity;
	const void *values;
	const int64_t *offsets;
	const int64_t *item_offsets;
	const char *data;
} fcat_column;

/** A training set in memory: its columns (the entity columns as given, then
 * one per feature) read one at a time or exported as Arrow, and the
 * metadata that rebuilds it. Immutable; may be read from many threads. */
typedef struct fcat_training_set fcat_training_set;

/**
 * Builds a training set from entity rows given as columns, as
 * fcat_get_historical does from a file (the same engine: that function
 * reads the file into text columns and calls this one).
 *
 * The entity columns: every join key of the requested views, by name; an
 * `event_timestamp` column (TIMESTAMP, or STRING in fcat_timestamp_parse's
 * forms: RFC 3339 or epoch seconds); the request fields of on-demand views,
 * by name (a missing one is null); and any other columns, such as labels,
 * which pass through. A key or request column has the type the catalog
 * declares for it, or is STRING and parsed as fcat_value_parse reads a CSV
 * cell. Array columns are not accepted (give them as text). A row whose key
 * or time is null matches nothing. Columns are borrowed during the call.
 * @param[out] out the training set, freed with fcat_training_set_free; it
 *             owns copies of everything it holds and may outlive the store
 * @param[out] stats may be NULL
 * @param[in] store the store
 * @param[in] columns the entity columns, all of one length
 * @param[in] ncolumns how many columns
 * @param[in] refs, nrefs, service, options as fcat_get_historical
 * @return 0; FCAT_EINVALID naming the column (and the row) for a missing
 *         key or event_timestamp column, a column of another type or
 *         length, a cell that does not parse; FCAT_ENOTFOUND, FCAT_EDENIED,
 *         FCAT_EIO, FCAT_ENOMEM as fcat_get_historical; FCAT_EUSAGE for
 *         options of an unknown size or a column without a name.
 */
FCAT_API int fcat_get_historical_columns(fcat_training_set **out, fcat_historical_stats *stats,
                                         fcat_store *store, const fcat_column *columns,
                                         size_t ncolumns, const char *const *refs, size_t nrefs,
                                         const char *service,
                                         const fcat_historical_options *options);

/**
 * Releases a training set; memory exported as Arrow stays until released.
 * @param[in] set the set, or NULL
 */
FCAT_API void fcat_training_set_free(fcat_training_set *set);

/**
 * The set's rows (the entity rows, in their order) and columns.
 * @param[in] set a training set
 * @return the number of rows; the number of columns.
 */
FCAT_API size_t fcat_training_set_rows(const fcat_training_set *set);
FCAT_API size_t fcat_training_set_column_count(const fcat_training_set *set);

/**
 * Column i: the entity columns first, as given (their type, their values),
 * then the features, named `feature` or `view__feature`, of their declared
 * types; null where no row matched.
 * @param[out] out its buffers, borrowed from the set until it is freed
 * @param[in] set a training set
 * @param[in] i the column index
 * @return 0, or FCAT_EUSAGE when i is out of range.
 */
FCAT_API int fcat_training_set_column(fcat_column *out, const fcat_training_set *set, size_t i);

/**
 * Exports the set as one Arrow struct array of its columns: int32 "i",
 * int64 "l", float32 "f", float64 "g", bool "b", string "U" (large utf8),
 * bytes "Z", timestamp "tsu:UTC", fixed-length arrays "+w:N" and others
 * "+L" (large list) with an "item" child. The buffers are the set's own
 * (no copy); the set's memory lives until both structs are released, even
 * after fcat_training_set_free.
 * @param[out] schema, array filled in; the caller calls their release
 * @param[in] set a training set
 * @return 0 or FCAT_ENOMEM.
 */
FCAT_API int fcat_training_set_export_arrow(struct ArrowSchema *schema, struct ArrowArray *array,
                                            const fcat_training_set *set);

/**
 * The catalog commit the set was built from.
 * @param[in] set a training set
 * @return 40 hex digits ("" for a work tree), borrowed from the set.
 */
FCAT_API const char *fcat_training_set_catalog_commit(const fcat_training_set *set);

/**
 * The set's metadata as JSON, as OUT.meta.json holds it: "catalog_commit",
 * "rows", and "features", each with its "view", "name", "type" and version
 * "hash".
 * @param[out] out NUL-terminated JSON, freed with fcat_free
 * @param[in] set a training set
 * @return 0 or FCAT_ENOMEM.
 */
FCAT_API int fcat_training_set_meta_json(char **out, const fcat_training_set *set);

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
 * transform) and through the online path (materialize into a scratch
 * online store, then an online read at the cut-off, with random request
 * data for the on-demand views built on the view), and compares them bit
 * for bit. The store's own online store is not touched: the scratch store,
 * in a temporary directory removed afterwards, is the configured online
 * plugin with its settings and `path` replaced when the online store sets
 * `path` (a store in local files, such as lmdb or sqlite), and otherwise (a
 * server such as redis, shared with every reader) the default embedded
 * online plugin (lmdb).
 * Needs read_offline and read_online on every compared feature for the
 * store's principal.
 * @param[out] out the report; free out->details with fcat_free
 * @param[in] store the store whose online views are checked
 * @param[in] sample about how many (key, time) pairs to draw per view
 * @param[in] seed the seed of the draw: the same seed draws the same pairs
 * @return 0 whether or not there are differences (see out); FCAT_EDENIED
 *         naming the principal and the feature; FCAT_EINVALID,
 *         FCAT_ETIMEOUT or FCAT_ENOMEM from a failing transform or a bad
 *         source row (named where); FCAT_ENOTFOUND for a missing source
 *         file; FCAT_EIO from a store.
 */
FCAT_API int fcat_verify(fcat_verify_report *out, fcat_store *store, size_t sample, uint64_t seed);

/* ------------------------------------------------------------------------ */
/* JSON (Feast's wire format)                                                */
/* ------------------------------------------------------------------------ */

/*
 * Values and online reads in the JSON of Feast's feature server, so that
 * Feast clients work unchanged: what `fcat get-online --json` prints and
 * `fcat serve` speaks. All JSON text is compact UTF-8.
 */

/**
 * Encodes a value as Feast's feature server does: null as null; int32 and
 * int64 as JSON integers; a timestamp as integer epoch seconds (fractions
 * cut toward zero); float32 (widened to double) and float64 with 17
 * significant digits, whole numbers as "1.0"; bool as true/false; a string
 * as a JSON string; bytes as a standard base64 string; an array as a JSON
 * array of its items.
 * @param[out] out NUL-terminated JSON text, freed with fcat_free; NULL on
 *             failure
 * @param[in] value the value
 * @return 0; FCAT_EINVALID for a NaN or infinite float (JSON has none) or a
 *         string that is not valid UTF-8, the message naming the array item;
 *         FCAT_EUSAGE for a NULL argument or an unknown scalar type;
 *         FCAT_ENOMEM.
 */
FCAT_API int fcat_json_encode_value(char **out, const fcat_value *value);

/**
 * Decodes JSON text holding one value of a known type, strictly: null is a
 * null value; int32 and int64 take JSON integers in their range; float32
 * and float64 take any JSON number (float32 within its range); bool takes
 * true/false; a string a JSON string; bytes a standard base64 string; a
 * timestamp integer epoch seconds or an RFC 3339 string; an array a JSON
 * array of those, of exactly `dim` items when the type fixes it (array
 * items cannot be null). Reads back what fcat_json_encode_value writes
 * (timestamps to the second).
 * @param[out] out the value (null on failure); strings, bytes and arrays
 *             point into memory allocated for this value, released with
 *             fcat_value_clear.
 * @param[in] type the type the value must have
 * @param[in] json, len the JSON text
 * @param[in] where names the value in messages (NULL: "value")
 * @return 0; FCAT_EINVALID naming where, the array item and what is wrong
 *         ("value[3]: expected int64, got string", "... is out of range for
 *         int32", "not valid base64", a JSON syntax error with its line and
 *         column); FCAT_EUSAGE for an unknown scalar type; FCAT_ENOMEM.
 */
FCAT_API int fcat_json_decode_value(fcat_value *out, fcat_type type, const char *json, size_t len,
                                    const char *where);

/** Flags of fcat_json_encode_online_response. */
typedef enum fcat_json_flags {
	/** Name features "view__feature" (Feast's full_feature_names). */
	FCAT_JSON_FULL_FEATURE_NAMES = 1 << 0,
} fcat_json_flags;

/**
 * Encodes an online read as Feast's /get-online-features response:
 * {"results":[{"values":[...],"statuses":[...],"event_timestamps":[...]},
 * ...],"metadata":{"feature_names":[...]}}. One result per column: first
 * each join key of the set (status PRESENT, time 1970-01-01T00:00:00Z),
 * then each feature in the set's order; values[r] is entity row r. Values
 * are encoded as by fcat_json_encode_value, event times as RFC 3339 UTC
 * with 0, 3 or 6 fraction digits.
 * @param[out] out NUL-terminated JSON text, freed with fcat_free; NULL on
 *             failure
 * @param[in] result a result read with `set` and `keys`
 * @param[in] set the feature set of the read
 * @param[in] keys fcat_online_result_rows(result) *
 *            fcat_feature_set_key_count(set) values, row-major, as given to
 *            the read
 * @param[in] flags FCAT_JSON_* flags or'ed together, 0 for none
 * @return 0; FCAT_EINVALID for a value without a JSON form (see
 *         fcat_json_encode_value), naming the key or feature and the row;
 *         FCAT_EUSAGE for a NULL argument, unknown flags or a result that
 *         does not match the set; FCAT_ENOMEM.
 */
FCAT_API int fcat_json_encode_online_response(char **out, const fcat_online_result *result,
                                              const fcat_feature_set *set, const fcat_value *keys,
                                              unsigned flags);

/**
 * A parsed /get-online-features request body: which features to read and
 * its entity rows, kept as JSON until fcat_json_online_request_bind decodes
 * them with the types of a feature set.
 */
typedef struct fcat_json_online_request fcat_json_online_request;

/**
 * Parses a /get-online-features request body: an object with "features"
 * (an array of "view:feature" or "view" strings) or "feature_service" (a
 * string; then a well-formed "features" is ignored, as Feast does), "entities" (join key
 * -> array of values, one per entity row), optional "full_feature_names"
 * (bool) and optional "request_context" (request field -> array of values,
 * one per row). Other keys are ignored, as Feast's server ignores them.
 * @param[out] out the request; free with fcat_json_online_request_free
 * @param[in] json, len the body
 * @return 0; FCAT_EINVALID naming what is wrong and where: a JSON syntax
 *         error (line, column), a member of the wrong JSON type ("entities:
 *         expected an object, got array"), neither features nor a service,
 *         an empty features list, a missing "entities", a column that is not
 *         an array or whose length differs from the others; FCAT_ENOMEM.
 */
FCAT_API int fcat_json_online_request_parse(fcat_json_online_request **out, const char *json,
                                            size_t len);

/**
 * Releases a parsed request and every value bound from it.
 * @param[in] request the request, or NULL
 */
FCAT_API void fcat_json_online_request_free(fcat_json_online_request *request);

/**
 * The feature service the request names.
 * @param[in] request a parsed request
 * @return the name, borrowed from the request; NULL when it lists features.
 */
FCAT_API const char *fcat_json_online_request_service(const fcat_json_online_request *request);

/**
 * The feature references the request lists, ready for
 * fcat_feature_set_new: their count, and the array of them.
 * @param[in] request a parsed request
 * @return the count (0 when it names a service); the array, borrowed from
 *         the request (NULL when it names a service).
 */
FCAT_API size_t fcat_json_online_request_feature_count(const fcat_json_online_request *request);
FCAT_API const char *const *
fcat_json_online_request_features(const fcat_json_online_request *request);

/**
 * Whether the request asks for "view__feature" names.
 * @param[in] request a parsed request
 * @return its "full_feature_names", false when absent.
 */
FCAT_API bool fcat_json_online_request_full_feature_names(const fcat_json_online_request *request);

/**
 * The number of entity rows.
 * @param[in] request a parsed request
 * @return the length of every column of "entities".
 */
FCAT_API size_t fcat_json_online_request_rows(const fcat_json_online_request *request);

/**
 * Decodes the request's columns with the join keys and request fields of a
 * feature set, in the set's order and types, ready for an online read.
 * Each join key comes from "entities"; each request field from
 * "request_context", else from "entities" (where Feast's Python server
 * takes it).
 * @param[out] keys fcat_json_online_request_rows(request) *
 *             fcat_feature_set_key_count(set) values, row-major
 * @param[out] request_data rows * fcat_feature_set_request_count(set)
 *             values, row-major; NULL when the set needs none
 * @param[in] request the parsed request; both arrays and the strings they
 *            point to belong to it and live until its next bind or its free
 * @param[in] set the feature set built from the request
 * @return 0; FCAT_EINVALID naming the column and row: a join key or request
 *         field without a column, a column the set has no use for, a value
 *         of the wrong JSON type or out of range
 *         ("entities.user_id[3]: expected int64, got string"), a null key
 *         or request value; FCAT_EUSAGE for a NULL argument; FCAT_ENOMEM.
 */
FCAT_API int fcat_json_online_request_bind(const fcat_value **keys, const fcat_value **request_data,
                                           fcat_json_online_request *request,
                                           const fcat_feature_set *set);

#ifdef __cplusplus
}
#endif

#endif /* FCAT_H */
