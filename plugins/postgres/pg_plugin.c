/* pg_plugin.c - the postgres plugin: entry point, settings, open and close. */
#include "pg_offline.h"

#include "plugin_host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const fcat_plugin_host *pg_host;

static void pg_close(void *store)
{
	pg_store *s = store;
	if (!s)
		return;
	free(s->dsn);
	free(s->schema);
	free(s);
}

static bool valid_schema(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 63)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			return false;
	}
	return true;
}

/* A yes/no setting: 1 or 0, -1 when it is neither. */
static int parse_bool(const char *v)
{
	static const char *const yes[] = {"1", "true", "yes", "on"}, *const no[] = {"0", "false",
	                                                                            "no", "off"};
	for (size_t i = 0; i < 4; i++) {
		if (!strcasecmp(v, yes[i]))
			return 1;
		if (!strcasecmp(v, no[i]))
			return 0;
	}
	return -1;
}

/* A work_mem PostgreSQL reads: digits and, optionally, kB, MB, GB or TB;
 * it is written into SET as it is, so nothing else may pass. */
static bool valid_memory(const char *v)
{
	size_t n = strspn(v, "0123456789");
	return n > 0 && n < 16 &&
	       (!v[n] || !strcmp(v + n, "kB") || !strcmp(v + n, "MB") || !strcmp(v + n, "GB") ||
	        !strcmp(v + n, "TB"));
}

static int pg_open(void **out, const fcat_plugin_config *config)
{
	*out = NULL;
	const char *dsn = config && config->get ? config->get(config, "dsn") : NULL;
	const char *schema = config && config->get ? config->get(config, "schema") : NULL;
	const char *create = config && config->get ? config->get(config, "create_indexes") : NULL;
	const char *work_mem = config && config->get ? config->get(config, "work_mem") : NULL;
	const char *section = config && config->section ? config->section : "offline_store";
	if (!dsn)
		return pg_host->error(FCAT_EINVALID,
		                      "postgres: %s needs a 'dsn' (a libpq connection string, "
		                      "such as \"host=db dbname=features user=fcat\")",
		                      section);
	if (schema && !valid_schema(schema))
		return pg_host->error(FCAT_EINVALID,
		                      "postgres: %s.schema: invalid schema name '%s': use 1 to "
		                      "63 letters, digits and '_'",
		                      section, schema);
	int create_indexes = create ? parse_bool(create) : 1;
	if (create_indexes < 0)
		return pg_host->error(FCAT_EINVALID,
		                      "postgres: %s.create_indexes: '%s' is not true or false",
		                      section, create);
	if (work_mem && !valid_memory(work_mem))
		return pg_host->error(FCAT_EINVALID,
		                      "postgres: %s.work_mem: '%s' is not an amount of memory such "
		                      "as 256MB (digits, then kB, MB, GB or TB)",
		                      section, work_mem);
	pg_store *s = calloc(1, sizeof *s);
	if (!s)
		return pg_host->error(FCAT_ENOMEM, "postgres: out of memory");
	s->dsn = strdup(dsn);
	s->schema = schema ? strdup(schema) : NULL;
	s->create_indexes = create_indexes == 1;
	snprintf(s->work_mem, sizeof s->work_mem, "%s", work_mem ? work_mem : PG_JOIN_WORK_MEM);
	if (!s->dsn || (schema && !s->schema)) {
		pg_close(s);
		return pg_host->error(FCAT_ENOMEM, "postgres: out of memory");
	}
	*out = s;
	return 0;
}

static const fcat_offline_ops pg_ops = {
    .size = FCAT_OPS_SIZE(fcat_offline_ops),
    .open = pg_open,
    .close = pg_close,
    .scan = pg_scan,
    .pit_join = pg_join,
};

static const fcat_plugin pg_plugin = {
    .abi_version = FCAT_PLUGIN_ABI_VERSION,
    .name = "postgres",
    .description = "PostgreSQL tables and queries as an offline store (libpq)",
    .online = NULL,
    .offline = &pg_ops,
};

FCAT_PLUGIN_DEFINE_ENTRY(host)
{
	return fcatp_enter(&pg_host, host, &pg_plugin);
}
