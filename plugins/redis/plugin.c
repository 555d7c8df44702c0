/* plugin.c - the redis online store: its entry point, settings, open and
 * close. Settings: url (one server) or cluster (a list of host:port, or
 * one string of them separated by commas), read_from_replicas, password,
 * key_prefix, connect_timeout_ms, command_timeout_ms, pool. */
#include "cluster.h"
#include "cluster_ops.h"
#include "redis_store.h"

#include "plugin_host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const fcat_plugin_host *rs_host;

static const char *setting(const fcat_plugin_config *config, const char *key, const char *fallback)
{
	const char *v = config->get ? config->get(config, key) : NULL;
	return v ? v : fallback;
}

static int setting_uint(unsigned *out, const fcat_plugin_config *config, const char *key,
                        unsigned fallback, unsigned min, unsigned max)
{
	const char *v = setting(config, key, NULL);
	*out = fallback;
	if (!v)
		return 0;
	char *end;
	unsigned long n = strtoul(v, &end, 10);
	if (*v < '0' || *v > '9' || *end || n < min || n > max)
		return rs_host->error(FCAT_EINVALID,
		                      "redis: %s is '%s', expected a whole"
		                      " number from %u to %u",
		                      key, v, min, max);
	*out = (unsigned)n;
	return 0;
}

static int setting_bool(bool *out, const fcat_plugin_config *config, const char *key)
{
	const char *v = setting(config, key, "false");
	*out = !strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "on");
	if (*out || !strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "off"))
		return 0;
	return rs_host->error(FCAT_EINVALID, "redis: %s is '%s', expected true or false", key, v);
}

/* The `cluster` setting as "host:port,host:port": a list (cluster.0,
 * cluster.1, ...) or one string. *out is NULL when there is none. */
static int cluster_seeds(char **out, const fcat_plugin_config *config)
{
	*out = NULL;
	const char *one = setting(config, "cluster", NULL);
	if (one) {
		if (!*one)
			return rs_host->error(FCAT_EINVALID, "redis: cluster is empty: list"
			                                     " host:port of one node at least");
		return (*out = strdup(one)) ? 0
		                            : rs_host->error(FCAT_ENOMEM, "redis: out of memory");
	}
	size_t len = 0;
	for (unsigned i = 0;; i++) {
		char key[32];
		snprintf(key, sizeof key, "cluster.%u", i);
		const char *v = setting(config, key, NULL);
		if (!v)
			break;
		char *more = realloc(*out, len + strlen(v) + 2);
		if (!more) {
			free(*out);
			*out = NULL;
			return rs_host->error(FCAT_ENOMEM, "redis: out of memory");
		}
		*out = more;
		len += (size_t)sprintf(*out + len, "%s%s", i ? "," : "", v);
	}
	return 0;
}

static struct timeval ms_to_tv(unsigned ms)
{
	struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000};
	return tv;
}

static int settings(rs_store *s, const fcat_plugin_config *config, char **seeds)
{
	unsigned connect_ms, command_ms;
	const char *url = setting(config, "url", NULL);
	if (*seeds && url)
		return rs_host->error(FCAT_EINVALID,
		                      "redis: both url '%s' and cluster '%s' are"
		                      " set: give one of them",
		                      url, *seeds);
	int rc = rs_url_parse(&s->url, url ? url : "redis://127.0.0.1:6379/0");
	if (!rc && *seeds) {
		free(s->url.display);
		if (asprintf(&s->url.display, "cluster %s", *seeds) < 0) {
			s->url.display = NULL;
			return rs_host->error(FCAT_ENOMEM, "redis: out of memory");
		}
	}
	if (!rc)
		rc = setting_bool(&s->read_replicas, config, "read_from_replicas");
	if (!rc && s->read_replicas && !*seeds)
		rc = rs_host->error(FCAT_EINVALID,
		                    "redis: read_from_replicas needs the cluster setting");
	if (!rc)
		rc = setting_uint(&connect_ms, config, "connect_timeout_ms", 1000, 1, 3600000);
	if (!rc)
		rc = setting_uint(&command_ms, config, "command_timeout_ms", 10000, 0, 3600000);
	if (!rc)
		rc = setting_uint(&s->pool_size, config, "pool", 4, 1, 1024);
	if (rc)
		return rc;
	s->connect_timeout = ms_to_tv(connect_ms);
	s->command_timeout = ms_to_tv(command_ms);
	const char *prefix = setting(config, "key_prefix", config->project);
	if (!prefix || !*prefix)
		prefix = "fcat";
	if (strpbrk(prefix, "{}"))
		return rs_host->error(FCAT_EINVALID,
		                      "redis: key_prefix '%s' has a brace: it"
		                      " would become the Redis Cluster hash tag",
		                      prefix);
	const char *password = setting(config, "password", s->url.password);
	s->prefix = strdup(prefix);
	s->prefix_len = strlen(prefix);
	s->password = password && *password ? strdup(password) : NULL;
	s->idle = calloc(s->pool_size, sizeof *s->idle);
	if (!s->prefix || !s->idle || (password && *password && !s->password))
		return rs_host->error(FCAT_ENOMEM, "redis: out of memory");
	return 0;
}

static void rs_close(void *store)
{
	rs_store *s = store;
	if (!s)
		return;
	rs_slots_close(s);
	rs_pool_close(s);
	rs_cluster_close(s);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	rs_url_clear(&s->url);
	free(s->idle);
	free(s->prefix);
	free(s->password);
	free(s);
}

/* Connects once now, so that a wrong url fails at open, and loads the
 * write script. */
static int first_connection(rs_store *s)
{
	redisContext *c;
	bool reused;
	int rc = rs_conn_get(s, &c, &reused);
	if (rc)
		return rc;
	rc = rs_script_load(s, c);
	rs_conn_put(s, c);
	return rc;
}

static int rs_open(void **out, const fcat_plugin_config *config)
{
	*out = NULL;
	rs_store *s = calloc(1, sizeof *s);
	if (!s)
		return rs_host->error(FCAT_ENOMEM, "redis: out of memory");
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	char *seeds = NULL;
	int rc = cluster_seeds(&seeds, config);
	if (!rc)
		rc = settings(s, config, &seeds);
	if (!rc)
		rc = rs_slots_init(s);
	if (!rc && seeds)
		rc = rs_cluster_open(s, seeds);
	if (!rc)
		rc = seeds ? rs_cluster_scripts(s) : first_connection(s);
	free(seeds);
	if (rc) {
		rs_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

static const fcat_online_ops online = {
    .size = FCAT_OPS_SIZE(fcat_online_ops),
    .open = rs_open,
    .close = rs_close,
    .write = rs_write,
    .read = rs_read,
    .meta_get = rs_meta_get,
    .meta_set = rs_meta_set,
    .drop_view = rs_drop_view,
    .update = rs_update,
};

static const fcat_plugin plugin = {
    .abi_version = FCAT_PLUGIN_ABI_VERSION,
    .name = "redis",
    .description =
        "Redis online store (one server or a Redis Cluster; keys hash-tagged per entity)",
    .online = &online,
};

/* Not part of the ABI: the redirections a cluster store followed since it
 * was opened, for tests and benchmarks (dlsym). */
FCAT_PLUGIN_EXPORT void fcat_redis_cluster_counts(void *store, uint64_t *moved, uint64_t *ask);
FCAT_PLUGIN_EXPORT void fcat_redis_cluster_counts(void *store, uint64_t *moved, uint64_t *ask)
{
	rs_cluster_counts(store, moved, ask);
}

FCAT_PLUGIN_DEFINE_ENTRY(host)
{
	return fcatp_enter(&rs_host, host, &plugin);
}
