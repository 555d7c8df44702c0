/* cmd_list.c - `fcat list KIND`: entities, sources, views, features,
 * services or push sources, as a table or as JSON. */
#include "cli.h"
#include "table.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: fcat list entities|sources|views|features|services|push-sources\n"
    "                 [--json] [--commit REV | --worktree] [--repo DIR]\n\n"
    "Lists the catalog's objects of one kind in definition order. `views` lists\n"
    "feature views and on-demand views. With --json, prints a JSON array of the\n"
    "objects' descriptions (as fcat describe --json).\n\n"
    "options:\n"
    "  --json        JSON instead of a table\n" CLI_VERSION_HELP;

static void join_keys(char *buf, size_t size, const fcat_object *entity)
{
	/* the join keys are in the entity's description */
	char *json;
	buf[0] = '\0';
	if (fcat_object_describe_json(&json, entity, false))
		return;
	json_t *j = json_loads(json, 0, NULL);
	fcat_free(json);
	size_t i;
	json_t *k;
	json_array_foreach(json_object_get(j, "join_keys"), i, k)
	    snprintf(buf + strlen(buf), size - strlen(buf), "%s%s %s", i ? ", " : "",
	             json_string_value(json_object_get(k, "name")),
	             json_string_value(json_object_get(k, "type")));
	json_decref(j);
}

static void row_entity(cli_table *t, const fcat_store *s, const fcat_object *o)
{
	(void)s;
	char keys[512];
	join_keys(keys, sizeof keys, o);
	cli_table_row(t, (const char *[]){fcat_object_name(o), keys, fcat_object_description(o)});
}

static void row_source(cli_table *t, const fcat_store *s, const fcat_object *o)
{
	(void)s;
	char *json;
	if (fcat_object_describe_json(&json, o, false))
		return;
	json_t *j = json_loads(json, 0, NULL);
	fcat_free(json);
	const char *where = json_string_value(json_object_get(j, "path"));
	if (!where)
		where = json_string_value(json_object_get(j, "table"));
	if (!where)
		where = "(query)";
	const char *ts = json_string_value(json_object_get(j, "timestamp_field"));
	cli_table_row(t, (const char *[]){fcat_object_name(o), where, ts ? ts : "-",
	                                  fcat_object_description(o)});
	json_decref(j);
}

/* Features of a view or service the principal may describe: the count must
 * not give away the hidden ones. */
static size_t visible_features(const fcat_store *s, const fcat_object *o)
{
	size_t n = 0;
	for (size_t i = 0; i < fcat_object_feature_count(o); i++)
		n += fcat_store_may_describe(s, fcat_object_feature_at(o, i));
	return n;
}

static void row_view(cli_table *t, const fcat_store *s, const fcat_object *o)
{
	char n[32], ttl[64];
	snprintf(n, sizeof n, "%zu", visible_features(s, o));
	bool odv = fcat_object_kind_of(o) == FCAT_OBJ_ON_DEMAND_VIEW;
	cli_format_duration(ttl, sizeof ttl, fcat_view_ttl_seconds(o));
	cli_table_row(t, (const char *[]){fcat_object_name(o), odv ? "on_demand" : "batch", n,
	                                  odv ? "-" : ttl, fcat_object_description(o)});
}

static void row_feature(cli_table *t, const fcat_store *s, const fcat_object *o)
{
	(void)s;
	char type[64];
	fcat_type_format(type, sizeof type, fcat_feature_type(o));
	cli_table_row(t, (const char *[]){fcat_object_name(fcat_feature_view(o)),
	                                  fcat_object_name(o), type, fcat_object_description(o)});
}

static void row_service(cli_table *t, const fcat_store *s, const fcat_object *o)
{
	char n[32];
	snprintf(n, sizeof n, "%zu", visible_features(s, o));
	cli_table_row(t, (const char *[]){fcat_object_name(o), n, fcat_object_description(o)});
}

static void row_push_source(cli_table *t, const fcat_store *s, const fcat_object *o)
{
	(void)s;
	char n[32];
	snprintf(n, sizeof n, "%zu", fcat_source_column_count(o));
	cli_table_row(t, (const char *[]){fcat_object_name(o),
	                                  fcat_object_name(fcat_push_source_batch(o)), n,
	                                  fcat_object_description(o)});
}

typedef struct listing {
	const char *word;
	fcat_object_kind kinds[2];
	size_t nkinds;
	size_t ncols;
	const char *header[5];
	void (*row)(cli_table *, const fcat_store *, const fcat_object *);
} listing;

static const listing listings[] = {
    {"entities", {FCAT_OBJ_ENTITY}, 1, 3, {"NAME", "JOIN KEYS", "DESCRIPTION"}, row_entity},
    {"sources",
     {FCAT_OBJ_SOURCE},
     1,
     4,
     {"NAME", "LOCATION", "TIMESTAMP", "DESCRIPTION"},
     row_source},
    {"views",
     {FCAT_OBJ_VIEW, FCAT_OBJ_ON_DEMAND_VIEW},
     2,
     5,
     {"NAME", "KIND", "FEATURES", "TTL", "DESCRIPTION"},
     row_view},
    {"features", {FCAT_OBJ_FEATURE}, 1, 4, {"VIEW", "FEATURE", "TYPE", "DESCRIPTION"}, row_feature},
    {"services", {FCAT_OBJ_SERVICE}, 1, 3, {"NAME", "FEATURES", "DESCRIPTION"}, row_service},
    {"push-sources",
     {FCAT_OBJ_PUSH_SOURCE},
     1,
     4,
     {"NAME", "BATCH SOURCE", "COLUMNS", "DESCRIPTION"},
     row_push_source},
};

int cmd_list(cli_ctx *ctx, int argc, char **argv)
{
	const char *as_json = NULL;
	const cli_opt opts[] = {
	    {"json", 0, &as_json, NULL}, CLI_VERSION_OPTS(ctx), {NULL, 0, NULL, NULL}};
	const cli_spec spec = {"list", help, 1, 1,
	                       "what to list? entities, sources, views, features, services or "
	                       "push-sources"};
	int first, rc = cli_parse(ctx, &spec, argc, argv, opts, &first);
	if (rc >= 0)
		return rc;
	const listing *l = NULL;
	for (size_t i = 0; i < sizeof listings / sizeof *listings; i++)
		if (!strcmp(listings[i].word, argv[first]))
			l = &listings[i];
	if (!l)
		return cli_usage_error("list",
		                       "cannot list '%s': use entities, sources, views, "
		                       "features, services or push-sources",
		                       argv[first]);
	fcat_store *store;
	if ((rc = cli_open_store(&store, ctx)))
		return rc;
	const fcat_catalog *c = fcat_store_catalog(store);
	json_t *all = as_json ? json_array() : NULL;
	cli_table *t = as_json ? NULL : cli_table_new(l->ncols, l->header);
	for (size_t k = 0; k < l->nkinds; k++) {
		for (size_t i = 0; i < fcat_catalog_count(c, l->kinds[k]); i++) {
			const fcat_object *o = fcat_catalog_at(c, l->kinds[k], i);
			if (!fcat_store_may_describe(store, o))
				continue; /* what a principal may not describe is not shown */
			if (t) {
				l->row(t, store, o);
				continue;
			}
			char *text;
			if ((rc = fcat_store_describe_json(&text, store, o, false))) {
				json_decref(all);
				fcat_store_free(store);
				return cli_fail(rc);
			}
			json_array_append_new(all, json_loads(text, 0, NULL));
			fcat_free(text);
		}
	}
	if (t) {
		cli_table_print(t, stdout);
	} else {
		char *text = json_dumps(all, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		puts(text ? text : "[]");
		free(text);
		json_decref(all);
	}
	fcat_store_free(store);
	return EXIT_OK;
}
