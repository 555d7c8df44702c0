/* plugin.c - the redis online store: its entry point, settings, open and
 * close. Settings: url, password, key_prefix, connect_timeout_ms,
 * command_timeout_ms, pool. */
#include "redis_store.h"

#include "plugin_host.h"

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

static struct timeval ms_to_tv(unsigned ms)
{
	struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000};
	return tv;
}

static int settings(rs_store *s, const fcat_plugin_config *config)
{
	unsigned connect_ms, command_ms;
	int rc = rs_url_parse(&s->url, setting(config, "url", "redis://127.0.0.1:6379/0"));
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
	int rc = settings(s, config);
	if (!rc)
		rc = rs_slots_init(s);
	if (!rc)
		rc = first_connection(s);
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
};

static const fcat_plugin plugin = {
    .abi_version = FCAT_PLUGIN_ABI_VERSION,
    .name = "redis",
    .description = "Redis online store (standalone; keys hash-tagged per entity)",
    .online = &online,
};

FCAT_PLUGIN_DEFINE_ENTRY(host)
{
	return fcatp_enter(&rs_host, host, &plugin);
}
