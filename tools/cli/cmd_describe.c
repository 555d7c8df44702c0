/* cmd_describe.c - `fcat describe NAME`: one object's definition, as text
 * for people or as JSON. */
#include "cli.h"
#include "table.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: fcat describe NAME [--json] [--commit REV | --worktree] [--repo DIR]\n\n"
    "Shows the definition of an entity, source, feature view, on-demand view or\n"
    "feature service (NAME), or of one feature (VIEW:FEATURE): where it is\n"
    "defined, its schema, ttl, entities, source, tags and transform. --json\n"
    "prints the same as a JSON object.\n\n"
    "options:\n"
    "  --json        JSON instead of text\n" CLI_VERSION_HELP;

static const char *text_of(json_t *v, char *buf, size_t size)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_true(v))
		return "yes";
	if (json_is_false(v))
		return "no";
	if (json_is_null(v))
		return "-";
	if (json_is_integer(v)) {
		snprintf(buf, size, "%lld", (long long)json_integer_value(v));
		return buf;
	}
	char *d = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	snprintf(buf, size, "%s", d ? d : "?");
	free(d);
	return buf;
}

/* A list of {name, type, ...} objects as an indented table. */
static void print_fields(json_t *a)
{
	static const char *const header[] = {"  NAME", "TYPE", "DESCRIPTION", "TAGS"};
	cli_table *t = cli_table_new(4, header);
	size_t i;
	json_t *f;
	json_array_foreach(a, i, f)
	{
		char name[256], tags[512] = "";
		snprintf(name, sizeof name, "  %s", json_string_value(json_object_get(f, "name")));
		const char *k;
		json_t *v;
		json_object_foreach(json_object_get(f, "tags"), k, v)
		    snprintf(tags + strlen(tags), sizeof tags - strlen(tags), "%s%s=%s",
		             tags[0] ? ", " : "", k, json_string_value(v));
		const char *desc = json_string_value(json_object_get(f, "description"));
		cli_table_row(t,
		              (const char *[]){name, json_string_value(json_object_get(f, "type")),
		                               desc ? desc : "", tags});
	}
	cli_table_print(t, stdout);
}

/* A view's window aggregations, one per feature. */
static void print_aggregations(json_t *aggs)
{
	printf("aggregations:\n");
	cli_table *t =
	    cli_table_new(4, (const char *[]){"FEATURE", "FUNCTION", "COLUMN", "WINDOW"});
	size_t i;
	json_t *a;
	json_array_foreach(aggs, i, a)
	{
		char w[64];
		cli_format_duration(w, sizeof w,
		                    json_integer_value(json_object_get(a, "window_seconds")));
		const char *col = json_string_value(json_object_get(a, "column"));
		cli_table_row(t, (const char *[]){json_string_value(json_object_get(a, "feature")),
		                                  json_string_value(json_object_get(a, "function")),
		                                  col ? col : "(events)", w});
	}
	cli_table_print(t, stdout);
}

static void print_text(json_t *j)
{
	json_t *at = json_object_get(j, "defined_at");
	printf("%s %s  (%s:%lld)\n", json_string_value(json_object_get(j, "kind")),
	       json_string_value(json_object_get(j, "name")),
	       json_string_value(json_object_get(at, "file")),
	       (long long)json_integer_value(json_object_get(at, "line")));
	const char *key;
	json_t *v;
	json_object_foreach(j, key, v)
	{
		char buf[256];
		if (!strcmp(key, "kind") || !strcmp(key, "name") || !strcmp(key, "defined_at"))
			continue;
		if (json_is_string(v) && !json_string_length(v))
			continue;
		if (!strcmp(key, "aggregation_interval_seconds")) {
			char d[64];
			cli_format_duration(d, sizeof d, json_integer_value(v));
			printf("aggregation_interval: %s\n", d);
		} else if (!strcmp(key, "aggregations")) {
			print_aggregations(v);
		} else if (!strcmp(key, "ttl_seconds")) {
			char d[64];
			cli_format_duration(d, sizeof d, json_integer_value(v));
			printf("ttl: %s\n", d);
		} else if (!strcmp(key, "tags")) {
			if (!json_object_size(v))
				continue;
			printf("tags:");
			const char *k;
			json_t *tv;
			json_object_foreach(v, k, tv) printf(" %s=%s", k, json_string_value(tv));
			printf("\n");
		} else if (!strcmp(key, "transform")) {
			if (json_is_null(v)) {
				printf("transform: none\n");
				continue;
			}
			if (json_is_string(v)) { /* hidden from this principal */
				printf("transform: %s\n", json_string_value(v));
				continue;
			}
			printf("transform: (%s:%lld)\n",
			       json_string_value(json_object_get(v, "file")),
			       (long long)json_integer_value(json_object_get(v, "line")));
			const char *code = json_string_value(json_object_get(v, "code"));
			while (code && *code) {
				size_t n = strcspn(code, "\n");
				printf("  | %.*s\n", (int)n, code);
				code += n + (code[n] == '\n');
			}
		} else if (json_is_array(v) && json_array_size(v) &&
		           json_is_object(json_array_get(v, 0))) {
			printf("%s:\n", key);
			print_fields(v);
		} else if (json_is_array(v)) {
			printf("%s:", key);
			size_t i;
			json_t *x;
			json_array_foreach(v, i, x)
			    printf("%s %s", i ? "," : "", text_of(x, buf, sizeof buf));
			printf("%s\n", json_array_size(v) ? "" : " -");
		} else {
			printf("%s: %s\n", key, text_of(v, buf, sizeof buf));
		}
	}
}

int cmd_describe(cli_ctx *ctx, int argc, char **argv)
{
	const char *as_json = NULL;
	const cli_opt opts[] = {
	    {"json", 0, &as_json, NULL}, CLI_VERSION_OPTS(ctx), {NULL, 0, NULL, NULL}};
	const cli_spec spec = {"describe", help, 1, 1,
	                       "which object? give its NAME or VIEW:FEATURE"};
	int first, rc = cli_parse(ctx, &spec, argc, argv, opts, &first);
	if (rc >= 0)
		return rc;
	fcat_store *store;
	if ((rc = cli_open_store(&store, ctx)))
		return rc;
	const fcat_object *o;
	char *text = NULL;
	rc = fcat_catalog_lookup(&o, fcat_store_catalog(store), argv[first]);
	bool hidden = rc == 0 && !fcat_store_may_describe(store, o);
	if (hidden) { /* a principal learns nothing of what it may not describe */
		fcat_store_free(store);
		fprintf(stderr, "error: no object named '%s' in the catalog\n", argv[first]);
		return EXIT_USER;
	}
	if (rc == 0) /* what the principal may not describe is left out */
		rc = fcat_store_describe_json(&text, store, o, true);
	fcat_store_free(store);
	if (rc)
		return cli_fail(rc);
	if (as_json) {
		puts(text);
	} else {
		json_t *j = json_loads(text, 0, NULL);
		print_text(j);
		json_decref(j);
	}
	fcat_free(text);
	return EXIT_OK;
}
