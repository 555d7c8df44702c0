/* model.h - the in-memory catalog: entities, sources, views, on-demand views,
 * services and their features, as loaded from the definitions. */
#ifndef FCAT_CATALOG_MODEL_H
#define FCAT_CATALOG_MODEL_H

#include "util/arena.h"
#include "util/strmap.h"

#include "fcat.h"

/* The widest feature view, and the widest source a view reads: a stored
 * row, the materialize pipeline and the point-in-time join are sized for
 * it. A definition past it is refused where it is written. */
#define FCAT__MAX_VIEW_COLUMNS 1024

typedef struct fcat__loc {
	const char *file; /* relative to the repo root */
	int line;
} fcat__loc;

typedef struct fcat__tag {
	const char *key, *value;
} fcat__tag;

/* The common head of every catalog object; each kind embeds it first. */
struct fcat_object {
	fcat_object_kind kind;
	const char *name;
	const char *description; /* "" when unset */
	const char *owner;       /* "" when unset */
	fcat__tag *tags;         /* sorted by key */
	size_t ntags;
	fcat__loc loc;
	unsigned char hash[32]; /* SHA-256 of the canonical definition */
};

/* A reference to another object by name, resolved after loading. */
typedef struct fcat__ref {
	const char *name;
	fcat__loc loc;
} fcat__ref;

/* A typed column: an entity's join key, a source column, a request field,
 * or (with kind FCAT_OBJ_FEATURE) a feature of a view. */
typedef struct fcat__field {
	fcat_object base;
	fcat_type type;
	fcat_object *parent;   /* the view holding a feature; NULL otherwise */
	size_t index;          /* position in its parent's schema */
	const char *qualified; /* "view:feature" for features */
} fcat__field;

/* A Lua function kept with its definition as source text: for people, for
 * hashes, and compiled from it (lua/function_source.h) to run in a
 * transform sandbox. The text is checked, when the definition is read, to
 * compile to the very function the definition holds. */
typedef struct fcat__transform {
	const char *code; /* NULL: no transform */
	fcat__loc loc;    /* where the function starts */
	int last_line;
} fcat__transform;

typedef struct fcat__entity {
	fcat_object base;
	fcat__field *keys;
	size_t nkeys;
} fcat__entity;

typedef struct fcat__source {
	fcat_object base;
	const char *path;  /* a file source (CSV), relative to the repo root */
	const char *table; /* a table of the offline store */
	const char *query; /* a query run by the offline store */
	const char *timestamp_field;
	const char *created_timestamp_field; /* NULL when unset */
	fcat__field *schema;                 /* optional declared columns */
	size_t nschema;
} fcat__source;

/* A push source: rows given to fcat_push for the views of its batch source
 * (Feast's PushSource). Its schema is its own when declared, else the batch
 * source's; resolving checks that every view over the batch source finds
 * its columns there. */
typedef struct fcat__push_source {
	fcat_object base;
	fcat__ref batch_ref;
	fcat__source *batch;     /* resolved */
	fcat__field *own_schema; /* as declared; nown 0: none */
	size_t nown;
	const fcat__field *schema; /* resolved: own_schema, else the batch source's */
	size_t nschema;
} fcat__push_source;

/* The functions a window aggregation computes (aggregate/agg_state.c holds
 * the one implementation of each). */
typedef enum fcat__agg_fn {
	FCAT__AGG_COUNT,
	FCAT__AGG_SUM,
	FCAT__AGG_MEAN,
	FCAT__AGG_MIN,
	FCAT__AGG_MAX,
	FCAT__AGG_LAST,
	FCAT__AGG_LAST_DISTINCT,
	FCAT__AGG_STDDEV,
	FCAT__AGG_FN_COUNT
} fcat__agg_fn;

/* "count", "sum", ...; "invalid" outside the enum. */
const char *fcat__agg_fn_name(fcat__agg_fn fn);
/* A window as a name part: "7d", "1h", "30m", "90s". */
void fcat__window_text(char *buf, size_t size, int64_t seconds);

/* One window aggregation of a view: the feature of the same index. */
typedef struct fcat__aggregation {
	const char *column; /* the aggregated column; NULL: count events */
	fcat__agg_fn fn;
	int64_t window; /* seconds, a multiple of the view's interval */
	uint32_t n;     /* last_distinct's n */
	int input;      /* the column's index in the view's inputs; -1: none */
	fcat_type input_type;
	fcat__loc loc;
} fcat__aggregation;

typedef struct fcat__view {
	fcat_object base;
	fcat__ref *entity_refs;
	size_t nentities;
	fcat__entity **entities; /* resolved */
	fcat__ref source_ref;
	fcat__source *source;        /* resolved */
	const char *timestamp_field; /* the view's own, else the source's */
	int64_t ttl_seconds;         /* 0: no limit */
	bool online, offline;
	fcat__field *features;
	size_t nfeatures;
	fcat__transform transform;
	/* SHA-256 of what decides the stored values (entities, source,
	 * timestamp field, transform, feature names and types), not of
	 * descriptions: online rows carry it to tell which version wrote them. */
	unsigned char data_hash[32];
	/* Window aggregations (naggs == nfeatures, aggs[i] makes features[i]),
	 * or none (aggs NULL). Their inputs are the distinct aggregated
	 * columns, read from the source (or the transform's rows, which
	 * then only filter and reshape: a nil result drops the row). */
	fcat__aggregation *aggs;
	size_t naggs;
	int64_t agg_interval; /* seconds: the tile size */
	int64_t agg_span;     /* seconds: the longest window */
	const char **agg_inputs;
	fcat_type *agg_input_types;
	size_t nagg_inputs;
} fcat__view;

typedef struct fcat__odv {
	fcat_object base;
	fcat__ref *source_refs;
	size_t nsources;
	fcat__view **sources; /* resolved */
	fcat__field *request; /* request data the caller passes */
	size_t nrequest;
	fcat__field *features;
	size_t nfeatures;
	fcat__transform transform;
} fcat__odv;

/* A feature reference in a service: "view" (all its features) or
 * "view:feature". */
typedef struct fcat__service {
	fcat_object base;
	fcat__ref *feature_refs;
	size_t nrefs;
	fcat__field **features; /* resolved, in order, without duplicates */
	size_t nfeatures;
} fcat__service;

typedef struct fcat__objvec {
	fcat_object **items;
	size_t len, cap;
} fcat__objvec;

struct fcat_catalog {
	fcat__arena arena;
	fcat__objvec objects[FCAT_OBJ_KIND_COUNT]; /* features included */
	fcat__strmap by_name;                      /* every named object but features */
	fcat__strmap features;                     /* "view:feature" -> fcat__field */
	char *image;     /* the compiled image strings point into, or NULL */
	char commit[41]; /* the git commit it was read from; "" otherwise */
};

/* Appends an object to its kind's list. Returns 0 or FCAT_ENOMEM. */
int fcat__catalog_add(fcat_catalog *c, fcat_object *o);

/* Resolves references, checks the whole catalog, fills the indexes.
 * Appends one line per problem to `errors`; returns the number of problems
 * (or a negative code when out of memory). */
struct fcat__buf;
int fcat__catalog_resolve(fcat_catalog *c, struct fcat__buf *errors);

/* Runs one definition file (Lua source) and adds what it defines to the
 * catalog. Problems go to `errors` as "file:line: message" lines; returns the
 * number of problems (or a negative code when out of memory). */
int fcat__dsl_run_file(fcat_catalog *c, const char *file, const char *text, size_t len,
                       struct fcat__buf *errors);

/* Resolves view v's aggregations against its (resolved) source: columns,
 * types, inputs. Problems go to `problem` with their line; returns 0, or -1
 * when out of memory. */
int fcat__resolve_aggregations(fcat__arena *arena, fcat__view *v,
                               void (*problem)(void *ctx, int line, const char *msg), void *ctx);

/* fcat_lineage, showing only the objects `visible` accepts. */
int fcat__lineage(char **out, const fcat_catalog *c, const char *name, fcat_lineage_format format,
                  bool (*visible)(const void *ctx, const fcat_object *o), const void *ctx);

/* "a" or "an", for the word that follows it in a message. */
const char *fcat__article(const char *word);

/* Writes the canonical text form of a definition (hash.c). */
void fcat__object_canonical(struct fcat__buf *b, const fcat_object *o);

/* Computes every object's hash. Returns 0 or FCAT_ENOMEM. */
int fcat__catalog_hash_all(fcat_catalog *c);

/* One definition file: its path relative to the repo root, and its text. */
typedef struct fcat__def_file {
	char *path;
	char *text;
	size_t len;
} fcat__def_file;

/* Runs the definition files in the given order, then resolves and checks
 * the whole catalog. On FCAT_EINVALID the last error holds one line per
 * problem, "FILE:LINE: message". */
int fcat__catalog_build(fcat_catalog **out, const fcat__def_file *files, size_t n);

/* Creates an empty catalog; NULL when out of memory. */
fcat_catalog *fcat__catalog_new(void);

#endif
