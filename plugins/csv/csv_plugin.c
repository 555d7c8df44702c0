/* csv_plugin.c - the csv plugin: entry point, settings and offline ops
 * (scan, scan_part, append). */
#include "csv_append.h"
#include "csv_scan.h"

#include "plugin_host.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const fcat_plugin_host *csv_host;

/* A positive size setting ("4194304"); absent leaves *out alone. */
static int size_setting(size_t *out, const fcat_plugin_config *config, const char *key, size_t max)
{
	const char *v = config->get ? config->get(config, key) : NULL;
	char *end;

	if (!v)
		return 0;
	errno = 0;
	unsigned long long n = strtoull(v, &end, 10);

	if (errno || end == v || *end || n == 0 || n > max || v[0] == '-')
		return csv_host->error(FCAT_EINVALID,
		                       "%s.%s: expected a number from 1 to %zu, "
		                       "not '%s'",
		                       config->section ? config->section : "csv", key, max, v);
	*out = (size_t)n;
	return 0;
}

static void csv_close(void *store)
{
	csv_store *s = store;

	if (!s)
		return;
	free(s->root);
	free(s);
}

static int csv_open(void **out, const fcat_plugin_config *config)
{
	csv_store *s = calloc(1, sizeof *s);
	int rc = 0;

	*out = NULL;
	if (!s)
		return csv_host->error(FCAT_ENOMEM, "out of memory");
	s->host = csv_host;
	s->batch_rows = CSV_BATCH_ROWS;
	s->root = strdup(config && config->repo_root ? config->repo_root : "");
	if (!s->root)
		rc = csv_host->error(FCAT_ENOMEM, "out of memory");
	if (rc == 0 && config) {
		/* tuning knobs, mostly for tests of buffer and batch edges */
		rc = size_setting(&s->chunk, config, "buffer_size", (size_t)1 << 30);
		if (rc == 0)
			rc = size_setting(&s->batch_rows, config, "batch_rows", (size_t)1 << 20);
	}
	if (rc != 0) {
		csv_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

static const fcat_offline_ops csv_ops = {
    .size = FCAT_OPS_SIZE(fcat_offline_ops),
    .open = csv_open,
    .close = csv_close,
    .scan = csv_scan,
    .columns = csv_columns,
    .append = csv_append,
    .scan_part = csv_scan_part,
};

static const fcat_plugin csv_plugin = {
    .abi_version = FCAT_PLUGIN_ABI_VERSION,
    .name = "csv",
    .description = "CSV files (RFC 4180, with a header row) as a source of rows",
    .online = NULL,
    .offline = &csv_ops,
};

FCAT_PLUGIN_DEFINE_ENTRY(host)
{
	return fcatp_enter(&csv_host, host, &csv_plugin);
}
