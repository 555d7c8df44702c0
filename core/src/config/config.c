/* config.c - reads fcat.yaml: project, paths, the store sections and the
 * server section, with errors that name file:line:column. */
#include "config/config.h"

#include "config/defaults.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fs.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *const top_keys[] = {
    "project",       "description", "catalog", "policies", "online_store",
    "offline_store", "transforms",  "policy",  "server",   NULL};

/* The default of a store role: the embedded store (defaults.c). */
static const fcat__default *store_default(fcat_store_role role)
{
	return fcat__default_get(role == FCAT_OFFLINE_STORE ? FCAT__DEFAULT_OFFLINE
	                                                    : FCAT__DEFAULT_ONLINE);
}

static int where(const fcat_config *c, const fcat__ynode *n, const char *fmt, const char *a,
                 const char *b)
{
	char msg[512];
	snprintf(msg, sizeof msg, fmt, a, b);
	return fcat__error(FCAT_EINVALID, "%s:%d:%d: %s", c->name, n->line, n->col, msg);
}

/* A section of settings must be a map: "'SECTION' must be a map (KEYS), not
 * KIND" otherwise. */
static int want_map(const fcat_config *c, const fcat__ynode *n, const char *section,
                    const char *keys)
{
	if (n->kind == FCAT_Y_MAP)
		return 0;
	return fcat__error(FCAT_EINVALID, "%s:%d:%d: '%s' must be a map (%s), not %s", c->name,
	                   n->line, n->col, section, keys, fcat__ykind_name(n->kind));
}

/* "unknown key 'K' in 'SECTION' (known: KNOWN)", at the key. */
static int unknown_key(const fcat_config *c, const fcat__ynode *key, const char *section,
                       const char *known)
{
	return fcat__error(FCAT_EINVALID, "%s:%d:%d: unknown key '%s' in '%s' (known: %s)", c->name,
	                   key->line, key->col, key->scalar, section, known);
}

static int want_name(const fcat_config *c, const fcat__ynode *n, const char *key, const char **out)
{
	if (n->kind != FCAT_Y_SCALAR)
		return where(c, n, "'%s' must be a single value, not %s", key,
		             fcat__ykind_name(n->kind));
	if (!n->scalar[0])
		return where(c, n, "'%s' must not be empty%s", key, "");
	*out = n->scalar;
	return 0;
}

static int check_project_name(const fcat_config *c, const fcat__ynode *n)
{
	for (const char *p = n->scalar; *p; p++) {
		if (!(*p == '_' || *p == '-' || (*p >= 'a' && *p <= 'z') ||
		      (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
			return where(c, n,
			             "project name '%s' may hold only letters, digits, "
			             "'_' and '-'%s",
			             n->scalar, "");
	}
	return 0;
}

static int check_path(const fcat_config *c, const fcat__ynode *n, const char *key)
{
	if (n->scalar[0] == '/' || strstr(n->scalar, ".."))
		return where(c, n, "'%s' must be a path inside the repo, got '%s'", key, n->scalar);
	return 0;
}

static int load_store(fcat_config *c, const fcat__ynode *n, fcat_store_role role, const char *key)
{
	if (n->kind != FCAT_Y_MAP)
		return where(c, n, "'%s' must be a map with a 'plugin' key, not %s", key,
		             fcat__ykind_name(n->kind));
	const fcat__ynode *p = fcat__ymap_get(n, "plugin");
	if (!p)
		return where(c, n, "'%s' needs a 'plugin' key (the store backend, such as %s)", key,
		             store_default(role)->plugin);
	int rc = want_name(c, p, "plugin", &c->stores[role].plugin);
	if (rc)
		return rc;
	for (const char *s = c->stores[role].plugin; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return where(c, p, "plugin name '%s' may hold only a-z, 0-9 and '_'%s",
			             c->stores[role].plugin, "");
	c->stores[role].node = n;
	return 0;
}

static int set_default_store(fcat_config *c, fcat_store_role role)
{
	/* Build the section as if it had been written in the file. */
	char text[256];
	const fcat__default *d = store_default(role);
	snprintf(text, sizeof text, "plugin: %s\npath: %s\n", d->plugin, d->path);
	fcat__ynode *node;
	int rc = fcat__yaml_load(&node, &c->arena, "(default)", text, strlen(text));
	if (rc)
		return rc;
	c->stores[role].node = node;
	c->stores[role].plugin = d->plugin;
	return 0;
}

/* A positive whole number no larger than max. */
static int want_count(const fcat_config *c, const fcat__ynode *n, const char *key,
                      unsigned long long max, unsigned long long *out)
{
	char *end = NULL;
	*out = 0;
	if (n->kind == FCAT_Y_SCALAR)
		*out = strtoull(n->scalar, &end, 10);
	if (n->kind != FCAT_Y_SCALAR || !end || *end || !n->scalar[0] || n->scalar[0] == '-' ||
	    *out == 0 || *out > max)
		return where(c, n, "'%s' must be a whole number from 1 to %s", key,
		             max == 4096 ? "4096" : "10000000000");
	return 0;
}

/* A whole number in [min, max]: the server's ports, counts and seconds. */
static int want_range(const fcat_config *c, const fcat__ynode *n, const char *key,
                      unsigned long long min, unsigned long long max)
{
	char *end = NULL;
	unsigned long long v = 0;
	if (n->kind == FCAT_Y_SCALAR)
		v = strtoull(n->scalar, &end, 10);
	if (n->kind == FCAT_Y_SCALAR && end && !*end && n->scalar[0] >= '0' &&
	    n->scalar[0] <= '9' && v >= min && v <= max)
		return 0;
	char msg[160];
	snprintf(msg, sizeof msg, "'server.%s' must be a whole number from %llu to %llu, not %s",
	         key, min, max, n->kind == FCAT_Y_SCALAR ? "'%s'" : "%s");
	return where(c, n, msg, n->kind == FCAT_Y_SCALAR ? n->scalar : fcat__ykind_name(n->kind),
	             "");
}

/* server: { cors: { allow_origin: "https://app.example" } } */
static int load_cors(const fcat_config *c, const fcat__ynode *n)
{
	if (want_map(c, n, "server.cors", "allow_origin"))
		return FCAT_EINVALID;
	for (size_t i = 0; i < n->len; i++) {
		const char *k = n->keys[i]->scalar, *v = NULL;
		int rc;
		if (strcmp(k, "allow_origin") != 0)
			return unknown_key(c, n->keys[i], "server.cors", "allow_origin");
		if ((rc = want_name(c, n->items[i], "server.cors.allow_origin", &v)))
			return rc;
		for (const char *p = v; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				return where(
				    c, n->items[i],
				    "'server.cors.allow_origin' must be one line of text%s%s", "",
				    "");
	}
	return 0;
}

/* server: what `fcat serve` takes on its command line (which overrides the
 * file): host, port, threads, max_body, timeout, access_log, the token keys,
 * reload_check, and cors. Checked here, read with fcat_config_server_setting. */
static int load_server(fcat_config *c, const fcat__ynode *n)
{
	static const struct {
		const char *key;
		unsigned long long min, max; /* max 0: text (a name or a path) */
	} keys[] = {{"host", 0, 0},
	            {"port", 1, 65535},
	            {"threads", 1, 1024},
	            {"max_body", 1, 1ull << 32},
	            {"timeout", 1, 86400},
	            {"access_log", 0, 0},
	            {"token_secret_file", 0, 0},
	            {"token_public_key", 0, 0},
	            {"reload_check", 0, 86400}};
	if (want_map(c, n, "server", "host, port, ..."))
		return FCAT_EINVALID;
	for (size_t i = 0; i < n->len; i++) {
		const char *k = n->keys[i]->scalar, *text = NULL;
		const fcat__ynode *v = n->items[i];
		int rc = -1;
		if (!strcmp(k, "cors"))
			rc = load_cors(c, v);
		for (size_t j = 0; rc == -1 && j < sizeof keys / sizeof *keys; j++) {
			if (strcmp(k, keys[j].key) != 0)
				continue;
			char name[64];
			snprintf(name, sizeof name, "server.%s", k);
			rc = keys[j].max ? want_range(c, v, k, keys[j].min, keys[j].max)
			                 : want_name(c, v, name, &text);
		}
		if (rc == -1)
			return unknown_key(
			    c, n->keys[i], "server",
			    "host, port, threads, max_body, timeout, access_log, "
			    "token_secret_file, token_public_key, reload_check, cors");
		if (rc)
			return rc;
	}
	c->server = n;
	return 0;
}

/* transforms: { memory_mb: 64, instructions: 1000000 } */
static int load_transforms(fcat_config *c, const fcat__ynode *n)
{
	if (want_map(c, n, "transforms", "memory_mb, instructions"))
		return FCAT_EINVALID;
	for (size_t i = 0; i < n->len; i++) {
		const char *k = n->keys[i]->scalar;
		unsigned long long v = 0;
		int rc;
		if (!strcmp(k, "memory_mb")) {
			if ((rc = want_count(c, n->items[i], k, 4096, &v)))
				return rc;
			c->transform_memory = (size_t)v << 20;
		} else if (!strcmp(k, "instructions")) {
			if ((rc = want_count(c, n->items[i], k, 10000000000ULL, &v)))
				return rc;
			c->transform_instructions = v;
		} else {
			return unknown_key(c, n->keys[i], "transforms", "memory_mb, instructions");
		}
	}
	return 0;
}

/* policy: { trusted_keys: /etc/fcat/keys.pem, audit_log: data/audit.log } */
static int load_policy(fcat_config *c, const fcat__ynode *n)
{
	if (want_map(c, n, "policy", "trusted_keys, audit_log"))
		return FCAT_EINVALID;
	for (size_t i = 0; i < n->len; i++) {
		const char *k = n->keys[i]->scalar;
		int rc;
		if (!strcmp(k, "trusted_keys")) {
			if ((rc = want_name(c, n->items[i], k, &c->trusted_keys)))
				return rc;
		} else if (!strcmp(k, "audit_log")) {
			if ((rc = want_name(c, n->items[i], k, &c->audit_log)))
				return rc;
		} else {
			return unknown_key(c, n->keys[i], "policy", "trusted_keys, audit_log");
		}
	}
	return 0;
}

static int interpret(fcat_config *c, const fcat__ynode *root)
{
	c->transform_memory = (size_t)64 << 20;
	c->transform_instructions = 1000000;
	if (root->kind != FCAT_Y_MAP)
		return where(c, root, "the top level must be a map of settings, not %s",
		             fcat__ykind_name(root->kind), "");
	for (size_t i = 0; i < root->len; i++) {
		const fcat__ynode *k = root->keys[i];
		int known = 0;
		for (const char *const *t = top_keys; *t; t++)
			known |= strcmp(*t, k->scalar) == 0;
		if (!known)
			return where(
			    c, k,
			    "unknown key '%s' (known keys: project, description, "
			    "catalog, policies, online_store, offline_store, transforms, policy, "
			    "server)%s",
			    k->scalar, "");
	}
	const fcat__ynode *n;
	int rc;
	if (!(n = fcat__ymap_get(root, "project")))
		return fcat__error(FCAT_EINVALID, "%s:%d:%d: missing required key 'project'",
		                   c->name, root->line, root->col);
	if ((rc = want_name(c, n, "project", &c->project)) || (rc = check_project_name(c, n)))
		return rc;
	if ((n = fcat__ymap_get(root, "description")) && n->kind != FCAT_Y_SCALAR)
		return where(c, n, "'%s' must be text, not %s", "description",
		             fcat__ykind_name(n->kind));
	c->catalog_dir = "catalog";
	if ((n = fcat__ymap_get(root, "catalog")) &&
	    ((rc = want_name(c, n, "catalog", &c->catalog_dir)) ||
	     (rc = check_path(c, n, "catalog"))))
		return rc;
	c->policies_dir = "policies";
	if ((n = fcat__ymap_get(root, "policies")) &&
	    ((rc = want_name(c, n, "policies", &c->policies_dir)) ||
	     (rc = check_path(c, n, "policies"))))
		return rc;
	if ((n = fcat__ymap_get(root, "transforms")) && (rc = load_transforms(c, n)))
		return rc;
	if ((n = fcat__ymap_get(root, "policy")) && (rc = load_policy(c, n)))
		return rc;
	if ((n = fcat__ymap_get(root, "server")) && (rc = load_server(c, n)))
		return rc;
	static const char *const store_keys[2] = {"online_store", "offline_store"};
	for (int role = 0; role < 2; role++) {
		n = fcat__ymap_get(root, store_keys[role]);
		rc = n ? load_store(c, n, (fcat_store_role)role, store_keys[role])
		       : set_default_store(c, (fcat_store_role)role);
		if (rc)
			return rc;
	}
	return 0;
}

int fcat_config_parse(fcat_config **out, const char *name, const char *text, size_t len)
{
	*out = NULL;
	fcat_config *c = calloc(1, sizeof *c);
	if (!c)
		return fcat__error_oom();
	fcat__arena_init(&c->arena, 16 * 1024);
	c->name = fcat__arena_strdup(&c->arena, name);
	fcat__ynode *root;
	int rc =
	    c->name ? fcat__yaml_load(&root, &c->arena, c->name, text, len) : fcat__error_oom();
	if (rc == 0)
		rc = interpret(c, root);
	if (rc) {
		fcat_config_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

int fcat_config_load(fcat_config **out, const char *path)
{
	char *text;
	size_t len;
	*out = NULL;
	int rc = fcat__read_file(&text, &len, path);
	if (rc)
		return rc;
	rc = fcat_config_parse(out, path, text, len);
	free(text);
	return rc;
}

void fcat_config_free(fcat_config *config)
{
	if (!config)
		return;
	fcat__arena_release(&config->arena);
	free(config);
}

const char *fcat_config_project(const fcat_config *c)
{
	return c->project;
}
const char *fcat_config_catalog_dir(const fcat_config *c)
{
	return c->catalog_dir;
}
const char *fcat_config_policies_dir(const fcat_config *c)
{
	return c->policies_dir;
}

static const fcat__store_section *section(const fcat_config *c, fcat_store_role role)
{
	return &c->stores[role == FCAT_OFFLINE_STORE ? 1 : 0];
}

const char *fcat_config_store_plugin(const fcat_config *c, fcat_store_role role)
{
	return section(c, role)->plugin;
}

/* The item of a sequence at a decimal index ("0", "12"), or NULL. */
static const fcat__ynode *seq_item(const fcat__ynode *n, const char *part)
{
	char *end;
	if (part[0] < '0' || part[0] > '9')
		return NULL;
	unsigned long i = strtoul(part, &end, 10);
	return *end || i >= n->len ? NULL : n->items[i];
}

/* The scalar at a dotted path under a map node, or NULL. A part that is a
 * number picks a sequence's item ("cluster.0"). */
static const char *setting(const fcat__ynode *n, const char *key)
{
	char part[256];
	while (n && *key) {
		size_t len = strcspn(key, ".");
		if (len >= sizeof part)
			return NULL;
		memcpy(part, key, len);
		part[len] = '\0';
		n = n->kind == FCAT_Y_SEQ ? seq_item(n, part) : fcat__ymap_get(n, part);
		key += len + (key[len] == '.');
	}
	return n && n->kind == FCAT_Y_SCALAR ? n->scalar : NULL;
}

const char *fcat_config_store_setting(const fcat_config *c, fcat_store_role role, const char *key)
{
	return setting(section(c, role)->node, key);
}

const char *fcat_config_server_setting(const fcat_config *c, const char *key)
{
	return c->server && key ? setting(c->server, key) : NULL;
}

static json_t *to_json(const fcat__ynode *n)
{
	if (n->kind == FCAT_Y_SCALAR)
		return json_string(n->scalar);
	json_t *j = n->kind == FCAT_Y_MAP ? json_object() : json_array();
	for (size_t i = 0; j && i < n->len; i++) {
		json_t *v = to_json(n->items[i]);
		if (!v) {
			json_decref(j);
			return NULL;
		}
		if (n->kind == FCAT_Y_MAP)
			json_object_set_new(j, n->keys[i]->scalar, v);
		else
			json_array_append_new(j, v);
	}
	return j;
}

int fcat_config_store_json(char **out, const fcat_config *c, fcat_store_role role)
{
	json_t *j = to_json(section(c, role)->node);
	*out = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(j);
	return *out ? 0 : fcat__error_oom();
}
