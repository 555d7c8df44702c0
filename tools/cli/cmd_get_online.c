/* cmd_get_online.c - `fcat get-online`: feature vectors from the online
 * store, with each value's status and event time, as a table or as Feast's
 * JSON response shape. */
#include "cli.h"
#include "table.h"

#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: fcat get-online (--features VIEW:FEATURE[,...] | --service NAME)\n"
    "                       --entity KEY=VALUE[,KEY=VALUE...] [--entity ...]\n"
    "                       [--request KEY=VALUE[,...]] [--full-names] [--json]\n"
    "                       [--at TIME] [--repo DIR]\n\n"
    "Reads feature vectors from the online store. Each --entity is one entity\n"
    "row giving every join key the features need. For each entity and feature:\n"
    "the value, its event time and a status: PRESENT, NOT_FOUND, NULL_VALUE or\n"
    "OUTSIDE_MAX_AGE (older than the view's ttl; the value is still shown). A\n"
    "value written by an older version of its view is marked STALE_VERSION.\n"
    "--request gives on-demand views their request data: once for every row, or\n"
    "once per --entity, in the same order.\n"
    "--json prints Feast's /get-online-features response shape. --at judges the\n"
    "ttl at another time than now (RFC 3339 or epoch seconds).\n";

/* The fields a list of KEY=VALUE rows fills: join keys or request data. */
typedef struct fields {
	const char *option, *what;
	size_t n;
	const char *(*name)(const fcat_feature_set *, size_t);
	fcat_type (*type)(const fcat_feature_set *, size_t);
} fields;

static const fields key_fields = {"--entity", "join key", 0, fcat_feature_set_key_name,
                                  fcat_feature_set_key_type};
static const fields request_fields = {"--request", "request field", 0,
                                      fcat_feature_set_request_name, fcat_feature_set_request_type};

/* Parses KEY=VALUE rows into typed values, in the set's field order; row r
 * of the output takes input row r, or the only one when there is one. */
static int parse_rows(fcat_value *out, size_t nout_rows, const fcat_feature_set *set,
                      const cli_list *rows, const fields *fs)
{
	size_t nk = fs == &key_fields ? fcat_feature_set_key_count(set)
	                              : fcat_feature_set_request_count(set);
	for (size_t r = 0; r < nout_rows; r++) {
		const char *text = rows->items[rows->n == 1 ? 0 : r];
		char *copy = strdup(text);
		for (size_t k = 0; k < nk; k++)
			out[r * nk + k] = (fcat_value){.type = fs->type(set, k), .is_null = true};
		int rc = 0;
		for (char *pair = strtok(copy, ","); pair && rc == 0; pair = strtok(NULL, ",")) {
			char *eq = strchr(pair, '=');
			if (!eq) {
				rc = cli_usage_error("get-online", "%s takes KEY=VALUE, got '%s'",
				                     fs->option, pair);
				break;
			}
			*eq = '\0';
			size_t k = 0;
			while (k < nk && strcmp(fs->name(set, k), pair) != 0)
				k++;
			if (k == nk) {
				fprintf(stderr,
				        "error: %s: '%s' is not a %s of these features (they "
				        "need:",
				        fs->option, pair, fs->what);
				for (size_t j = 0; j < nk; j++)
					fprintf(stderr, " %s", fs->name(set, j));
				fprintf(stderr, "%s)\n", nk ? "" : " none");
				rc = EXIT_USER;
				break;
			}
			fcat_value_clear(&out[r * nk + k]);
			if (fcat_value_parse(&out[r * nk + k], fs->type(set, k), eq + 1,
			                     strlen(eq + 1))) {
				fprintf(stderr, "error: %s %s: %s\n", fs->option, pair,
				        fcat_error_last());
				rc = EXIT_USER;
			}
		}
		for (size_t k = 0; rc == 0 && k < nk; k++)
			if (out[r * nk + k].is_null) {
				fprintf(stderr, "error: %s '%s' gives no value for the %s '%s'\n",
				        fs->option, text, fs->what, fs->name(set, k));
				rc = EXIT_USER;
			}
		free(copy);
		if (rc)
			return rc;
	}
	return 0;
}

static const char *feature_name(const fcat_object *f, bool full, char *buf, size_t size)
{
	if (!full)
		return fcat_object_name(f);
	snprintf(buf, size, "%s__%s", fcat_object_name(fcat_feature_view(f)), fcat_object_name(f));
	return buf;
}

static void print_table(const fcat_online_result *res, const fcat_feature_set *set,
                        const cli_list *rows, bool full)
{
	static const char *const header[] = {"ENTITY", "FEATURE", "VALUE", "STATUS", "EVENT_TIME"};
	cli_table *t = cli_table_new(5, header);
	char ts[40], buf[512];
	for (size_t r = 0; r < rows->n; r++)
		for (size_t f = 0; f < fcat_feature_set_count(set); f++) {
			const fcat_feature_value *v = fcat_online_result_at(res, r, f);
			char *text = NULL;
			if (v->value.is_null || fcat_value_format(&text, &v->value))
				text = NULL;
			char status[64];
			snprintf(status, sizeof status, "%s%s", fcat_status_name(v->status),
			         v->stale_version ? " STALE_VERSION" : "");
			if (v->status == FCAT_STATUS_NOT_FOUND)
				snprintf(ts, sizeof ts, "-");
			else
				fcat_timestamp_format(ts, sizeof ts, v->event_ts);
			cli_table_row(
			    t, (const char *[]){rows->items[r],
			                        feature_name(fcat_feature_set_feature(set, f), full,
			                                     buf, sizeof buf),
			                        text ? text : "null", status, ts});
			fcat_free(text);
		}
	cli_table_print(t, stdout);
}

int cmd_get_online(cli_ctx *ctx, int argc, char **argv)
{
	const char *features = NULL, *service = NULL, *as_json = NULL, *full = NULL, *at = NULL;
	cli_list entities = {0}, requests = {0};
	const cli_opt opts[] = {{"features", 1, &features, NULL}, {"service", 1, &service, NULL},
	                        {"entity", 1, NULL, &entities},   {"json", 0, &as_json, NULL},
	                        {"full-names", 0, &full, NULL},   {"at", 1, &at, NULL},
	                        {"request", 1, NULL, &requests},  {NULL, 0, NULL, NULL}};
	const cli_spec spec = {"get-online", help, 0, 0, NULL};
	int first, rc = cli_parse(ctx, &spec, argc, argv, opts, &first);
	if (rc >= 0)
		return rc;
	if (!features == !service)
		return cli_usage_error("get-online", "give either --features or --service");
	if (!entities.n)
		return cli_usage_error("get-online", "give at least one --entity KEY=VALUE");
	int64_t now = 0;
	if (at && fcat_timestamp_parse(&now, at, strlen(at)) != 0)
		return cli_usage_error("get-online", "--at: not a time: '%s'", at);
	fcat_store *store;
	if ((rc = cli_open_store(&store, ctx)))
		return rc;
	fcat_feature_set *set = NULL;
	if (service) {
		rc = fcat_feature_set_for_service(&set, store, service);
	} else {
		char *copy = strdup(features);
		const char *refs[512];
		size_t n = 0;
		for (char *tok = strtok(copy, ","); tok && n < 512; tok = strtok(NULL, ","))
			refs[n++] = tok;
		rc = fcat_feature_set_new(&set, store, refs, n);
		free(copy);
	}
	fcat_value *keys = NULL, *req = NULL;
	fcat_online_result *res = NULL;
	size_t nk = 0, nq = 0;
	int exit_code = EXIT_OK;
	if (rc) {
		exit_code = cli_fail(rc);
		goto out;
	}
	nk = fcat_feature_set_key_count(set);
	nq = fcat_feature_set_request_count(set);
	keys = calloc(entities.n * nk + 1, sizeof *keys);
	req = calloc(entities.n * nq + 1, sizeof *req);
	if ((exit_code = parse_rows(keys, entities.n, set, &entities, &key_fields)))
		goto out;
	if (nq && requests.n != 1 && requests.n != entities.n) {
		exit_code = cli_usage_error("get-online",
		                            "these features need request data (%s...): "
		                            "give --request once, or once per --entity",
		                            fcat_feature_set_request_name(set, 0));
		goto out;
	}
	if (requests.n &&
	    (exit_code = parse_rows(req, entities.n, set, &requests, &request_fields)))
		goto out;
	fcat_read_options ro = FCAT_READ_OPTIONS_INIT;
	ro.principal = ctx->principal;
	ro.now = at ? now : -1;
	ro.request = nq ? req : NULL;
	if ((rc = fcat_online_result_new(&res)) ||
	    (rc = fcat_online_read(res, store, set, keys, entities.n, &ro))) {
		exit_code = cli_fail(rc);
		goto out;
	}
	if (as_json) {
		char *text;
		if ((rc = fcat_json_encode_online_response(
		         &text, res, set, keys, full ? FCAT_JSON_FULL_FEATURE_NAMES : 0))) {
			exit_code = cli_fail(rc);
			goto out;
		}
		puts(text);
		fcat_free(text);
	} else {
		print_table(res, set, &entities, full != NULL);
	}
out:
	for (size_t i = 0; keys && i < entities.n * nk; i++)
		fcat_value_clear(&keys[i]);
	for (size_t i = 0; req && i < entities.n * nq; i++)
		fcat_value_clear(&req[i]);
	free(keys);
	free(req);
	fcat_online_result_free(res);
	fcat_feature_set_free(set);
	fcat_store_free(store);
	return exit_code;
}
