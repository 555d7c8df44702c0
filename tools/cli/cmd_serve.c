/* cmd_serve.c - `fcat serve`: the HTTP feature server (Feast's JSON API)
 * over the applied catalog, reloaded on SIGHUP or a newly applied version,
 * until SIGTERM or SIGINT; its settings from the command line, else from
 * fcat.yaml's server: section, else the defaults. */
#include "cli.h"
#include "server.h"

#include <errno.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char help[] =
    "usage: fcat serve [--host ADDR] [--port N] [--threads N] [--max-body BYTES]\n"
    "                  [--timeout SECONDS] [--token-secret-file FILE]\n"
    "                  [--token-public-key FILE] [--reload-check SECONDS]\n"
    "                  [--access-log FILE] [--cors-origin ORIGIN] [--repo DIR]\n\n"
    "Serves the applied catalog version over HTTP in the JSON of Feast's feature\n"
    "server, so Feast clients work unchanged:\n"
    "  POST /get-online-features  feature vectors ({\"features\": [...]} or\n"
    "                             {\"feature_service\": ...}, \"entities\": {...})\n"
    "  POST /push                 rows of a push source ({\"push_source_name\", \"df\",\n"
    "                             \"to\"}): 200 with an empty body\n"
    "  GET  /health               200\n"
    "  GET  /metrics              Prometheus text: requests and errors by endpoint\n"
    "                             and status, latency histograms\n"
    "Errors are JSON, {\"error\": \"...\", \"status_code\": N}: 400 a malformed body\n"
    "or a value of the wrong type (a bad push row names row and column; nothing\n"
    "is written), 403 a policy denial naming the feature, 404 an unknown feature,\n"
    "view, service, push source or path, 405 a wrong method, 413 a body over\n"
    "--max-body, 500 a failure of the store.\n\n"
    "Authentication: with --token-secret-file or --token-public-key, every read\n"
    "and push needs `Authorization: Bearer JWT` (HS256 with the secret, RS256 or\n"
    "ES256 with the public key; exp required) and acts as the token's `sub`: no\n"
    "or a bad token is a 401 saying why (/health and /metrics stay open).\n"
    "Without them every request acts as the principal given with\n"
    "`fcat --as NAME serve` (or $FCAT_PRINCIPAL), else as anonymous: listen on\n"
    "loopback only then. Either way the policies decide on every request.\n\n"
    "  --host ADDR        address to listen on (default 127.0.0.1)\n"
    "  --port N           port (default 6566, Feast's)\n"
    "  --threads N        worker threads, each polling with epoll (default: the\n"
    "                     number of CPUs)\n"
    "  --max-body BYTES   request body limit (default 4194304)\n"
    "  --timeout SECONDS  close a connection idle or stalled this long (default 30)\n"
    "  --token-secret-file FILE  the HS256 secret: the file's bytes (one trailing\n"
    "                     newline dropped), at least 32\n"
    "  --token-public-key FILE   a PEM public key: RSA (RS256) or EC P-256 (ES256)\n"
    "  --reload-check SECONDS  how often to look for a newly applied version\n"
    "                     (default 5; 0: only on SIGHUP)\n"
    "  --access-log FILE  append one JSON line per request: time, principal (\"-\"\n"
    "                     when refused before one was known), method, path,\n"
    "                     status, latency_us, and a read's features and rows\n"
    "                     (default: none)\n"
    "  --cors-origin ORIGIN  send Access-Control-Allow-Origin: ORIGIN and answer\n"
    "                     OPTIONS preflights (default: no CORS)\n\n"
    "Each option left out is read from fcat.yaml's server: section (host, port,\n"
    "threads, max_body, timeout, access_log, token_secret_file,\n"
    "token_public_key, reload_check, cors: {allow_origin}; paths relative to\n"
    "the repo), else its default. The section is read at start: a change\n"
    "needs a restart.\n\n"
    "SIGHUP, or a newly applied version, reloads the applied catalog, its\n"
    "policies and fcat.yaml without dropping requests: new requests read the\n"
    "new version, requests in flight finish on theirs. One line on standard\n"
    "error names the old and the new commit; when the new version cannot be\n"
    "opened, the line says why and the old one serves on. The online store\n"
    "connection is kept (a changed online_store section needs a restart).\n"
    "SIGTERM or SIGINT stops it: no new connections, requests in flight finish\n"
    "(up to 10 s), then it exits 0.\n";

/* A whole number in [min, max], or -1. */
static long long number(const char *text, long long min, long long max)
{
	char *end;
	errno = 0;
	long long v = strtoll(text, &end, 10);
	if (errno || end == text || *end || v < min || v > max)
		return -1;
	return v;
}

/* The token keys: the secret file's bytes (one trailing newline dropped,
 * as editors leave one) and the public key file. */
static int load_keys(fsrv_jwt_keys **out, const char *secret_file, const char *public_key)
{
	unsigned char secret[4096];
	size_t len = 0;
	if (secret_file) {
		FILE *f = fopen(secret_file, "rb");
		if (!f) {
			fprintf(stderr, "error: --token-secret-file %s: %s\n", secret_file,
			        strerror(errno));
			return EXIT_USER;
		}
		len = fread(secret, 1, sizeof secret, f);
		bool more = fgetc(f) != EOF;
		fclose(f);
		if (more) {
			fprintf(stderr, "error: --token-secret-file %s: over %zu bytes\n",
			        secret_file, sizeof secret);
			return EXIT_USER;
		}
		if (len && secret[len - 1] == '\n')
			len--;
		if (len && secret[len - 1] == '\r')
			len--;
	}
	int rc = fsrv_jwt_keys_load(out, secret_file ? secret : NULL, len, public_key);
	memset(secret, 0, sizeof secret);
	if (rc) {
		fprintf(stderr, "error: fcat serve: %s\n", fsrv_jwt_error_last());
		return EXIT_USER;
	}
	return EXIT_OK;
}

/* The options fcat serve takes, as text: from the command line, else from
 * fcat.yaml. */
typedef struct serve_opts {
	const char *host, *port, *threads, *max_body, *timeout, *secret_file, *public_key,
	    *reload_check, *access_log, *cors_origin;
} serve_opts;

#define FILE_OPTS 10

/* Fills the options the command line left out from fcat.yaml's server:
 * section; a relative path there is the repo's. The values are copies, in
 * owned (freed by the caller): the store's config goes with a reload.
 * Returns 0 or -1 (out of memory). */
static int from_file(serve_opts *o, char *owned[FILE_OPTS], const fcat_store *store)
{
	const fcat_config *c = fcat_store_config(store);
	struct {
		const char **opt;
		const char *key;
		bool path;
	} map[FILE_OPTS] = {{&o->host, "host", false},
	                    {&o->port, "port", false},
	                    {&o->threads, "threads", false},
	                    {&o->max_body, "max_body", false},
	                    {&o->timeout, "timeout", false},
	                    {&o->reload_check, "reload_check", false},
	                    {&o->cors_origin, "cors.allow_origin", false},
	                    {&o->access_log, "access_log", true},
	                    {&o->secret_file, "token_secret_file", true},
	                    {&o->public_key, "token_public_key", true}};
	for (size_t i = 0; i < FILE_OPTS; i++) {
		const char *v = *map[i].opt ? NULL : fcat_config_server_setting(c, map[i].key);
		if (!v)
			continue;
		const char *root = map[i].path && v[0] != '/' ? fcat_store_root(store) : "";
		size_t n = strlen(root) + strlen(v) + 2;
		if (!(owned[i] = malloc(n))) {
			fprintf(stderr, "error: fcat serve: out of memory\n");
			return -1;
		}
		snprintf(owned[i], n, "%s%s%s", root, root[0] ? "/" : "", v);
		*map[i].opt = owned[i];
	}
	return 0;
}

/* Checks the options and fills the config (its strings borrowed from o).
 * `file` says where they came from, for messages. Returns 0 or prints the
 * error and returns EXIT_USAGE (the command line) or EXIT_USER (fcat.yaml). */
static int check_opts(server_config *cfg, long long *check_s, const serve_opts *o, bool file)
{
	static const struct {
		size_t off;
		const char *flag, *key, *what;
		long long min, max;
	} nums[] = {{offsetof(serve_opts, port), "--port", "port", "a port", 1, 65535},
	            {offsetof(serve_opts, threads), "--threads", "threads", "a count", 1, 1024},
	            {offsetof(serve_opts, max_body), "--max-body", "max_body", "a size in bytes", 1,
	             1ll << 32},
	            {offsetof(serve_opts, timeout), "--timeout", "timeout", "seconds", 1, 86400},
	            {offsetof(serve_opts, reload_check), "--reload-check", "reload_check",
	             "seconds", 0, 86400}};
	long long v[5];
	for (size_t i = 0; i < 5; i++) {
		const char *text = *(const char *const *)((const char *)o + nums[i].off);
		v[i] = -2; /* absent */
		if (text && (v[i] = number(text, nums[i].min, nums[i].max)) < 0) {
			if (!file)
				return cli_usage_error("serve", "%s: not %s (%lld-%lld): '%s'",
				                       nums[i].flag, nums[i].what, nums[i].min,
				                       nums[i].max, text);
			fprintf(stderr, "error: fcat.yaml: server.%s: not %s (%lld-%lld): '%s'\n",
			        nums[i].key, nums[i].what, nums[i].min, nums[i].max, text);
			return EXIT_USER;
		}
	}
	if (v[0] >= 0)
		cfg->port = (uint16_t)v[0];
	if (v[1] >= 0)
		cfg->threads = (unsigned)v[1];
	if (v[2] >= 0)
		cfg->max_body = (size_t)v[2];
	if (v[3] >= 0)
		cfg->timeout_s = (unsigned)v[3];
	if (v[4] >= 0)
		*check_s = v[4];
	if (o->host)
		cfg->host = o->host;
	if (o->access_log)
		cfg->access_log = o->access_log;
	if (o->cors_origin)
		cfg->cors_origin = o->cors_origin;
	return EXIT_OK;
}

int cmd_serve(cli_ctx *ctx, int argc, char **argv)
{
	serve_opts o = {0};
	const cli_opt opts[] = {{"host", 1, &o.host, NULL},
	                        {"port", 1, &o.port, NULL},
	                        {"threads", 1, &o.threads, NULL},
	                        {"max-body", 1, &o.max_body, NULL},
	                        {"timeout", 1, &o.timeout, NULL},
	                        {"token-secret-file", 1, &o.secret_file, NULL},
	                        {"token-public-key", 1, &o.public_key, NULL},
	                        {"reload-check", 1, &o.reload_check, NULL},
	                        {"access-log", 1, &o.access_log, NULL},
	                        {"cors-origin", 1, &o.cors_origin, NULL},
	                        {NULL, 0, NULL, NULL}};
	const cli_spec spec = {"serve", help, 0, 0, NULL};
	int first, rc = cli_parse(ctx, &spec, argc, argv, opts, &first);
	if (rc >= 0)
		return rc;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	server_config cfg = {.host = "127.0.0.1",
	                     .port = 6566,
	                     .threads = cpus > 0 ? (unsigned)cpus : 1,
	                     .max_body = 4u << 20,
	                     .timeout_s = 30,
	                     .principal = ctx->principal};
	long long check_s = 5;
	if ((rc = check_opts(&cfg, &check_s, &o, false)))
		return rc;

	/* Every thread (the store's, the server's) inherits the blocked
	 * signals; this thread takes them with sigtimedwait. */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	fcat_store *store;
	if ((rc = cli_open_store(&store, ctx)))
		return rc;
	char *owned[FILE_OPTS] = {NULL};
	fsrv_jwt_keys *keys = NULL;
	if (from_file(&o, owned, store) != 0)
		rc = EXIT_USER;
	else if (!(rc = check_opts(&cfg, &check_s, &o, true)) && (o.secret_file || o.public_key))
		rc = load_keys(&keys, o.secret_file, o.public_key);
	cfg.keys = keys;
	server *srv = NULL;
	char err[512];
	if (rc)
		fcat_store_free(store);
	else if (server_start(&srv, store, &cfg, err, sizeof err) != 0) { /* frees store */
		fprintf(stderr, "error: fcat serve: %s\n", err);
		rc = EXIT_USER;
	}
	if (rc) {
		fsrv_jwt_keys_free(keys);
		for (int i = 0; i < FILE_OPTS; i++)
			free(owned[i]);
		return rc;
	}
	fprintf(stderr, "fcat serve: listening on http://%s:%u (%u threads, %s%s)\n", cfg.host,
	        cfg.port, cfg.threads, keys ? "as each bearer token's sub" : "as ",
	        keys            ? ""
	        : cfg.principal ? cfg.principal
	                        : "anonymous");
	int sig;
	for (;;) {
		struct timespec wait = {check_s ? check_s : 86400, 0};
		sig = sigtimedwait(&sigs, NULL, &wait);
		if (sig == SIGTERM || sig == SIGINT)
			break;
		if (sig != SIGHUP && (sig >= 0 || errno != EAGAIN || !check_s))
			continue; /* EINTR, or no polling */
		char msg[1024];
		int r = server_reload(srv, sig != SIGHUP, msg, sizeof msg);
		if (r != 0)
			fprintf(stderr, "fcat serve: %s: %s\n",
			        sig == SIGHUP ? "SIGHUP" : "newly applied version", msg);
	}
	fprintf(stderr, "fcat serve: %s: finishing requests in flight and stopping\n",
	        sig == SIGINT ? "SIGINT" : "SIGTERM");
	server_stop(srv, 10);
	fsrv_jwt_keys_free(keys);
	for (int i = 0; i < FILE_OPTS; i++)
		free(owned[i]);
	return EXIT_OK;
}
