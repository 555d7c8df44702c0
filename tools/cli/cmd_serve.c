/* cmd_serve.c - `fcat serve`: the HTTP feature server (Feast's JSON API)
 * over the applied catalog, reloaded on SIGHUP or a newly applied version,
 * until SIGTERM or SIGINT. */
#include "cli.h"
#include "server.h"

#include <errno.h>
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
    "                  [--repo DIR]\n\n"
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
    "                     (default 5; 0: only on SIGHUP)\n\n"
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

int cmd_serve(cli_ctx *ctx, int argc, char **argv)
{
	const char *host = "127.0.0.1", *port = NULL, *threads = NULL, *max_body = NULL,
	           *timeout = NULL, *secret_file = NULL, *public_key = NULL, *reload_check = NULL;
	const cli_opt opts[] = {{"host", 1, &host, NULL},
	                        {"port", 1, &port, NULL},
	                        {"threads", 1, &threads, NULL},
	                        {"max-body", 1, &max_body, NULL},
	                        {"timeout", 1, &timeout, NULL},
	                        {"token-secret-file", 1, &secret_file, NULL},
	                        {"token-public-key", 1, &public_key, NULL},
	                        {"reload-check", 1, &reload_check, NULL},
	                        {NULL, 0, NULL, NULL}};
	int first, rc = cli_parse(ctx, "serve", help, argc, argv, opts, &first);
	if (rc >= 0)
		return rc;
	if (first < argc)
		return cli_usage_error("serve", "unexpected argument '%s'", argv[first]);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	server_config cfg = {.host = host,
	                     .port = 6566,
	                     .threads = cpus > 0 ? (unsigned)cpus : 1,
	                     .max_body = 4u << 20,
	                     .timeout_s = 30,
	                     .principal = ctx->principal};
	long long v;
	if (port && (v = number(port, 1, 65535)) < 0)
		return cli_usage_error("serve", "--port: not a port (1-65535): '%s'", port);
	if (port)
		cfg.port = (uint16_t)v;
	if (threads && (v = number(threads, 1, 1024)) < 0)
		return cli_usage_error("serve", "--threads: not a count (1-1024): '%s'", threads);
	if (threads)
		cfg.threads = (unsigned)v;
	if (max_body && (v = number(max_body, 1, 1ll << 32)) < 0)
		return cli_usage_error("serve", "--max-body: not a size in bytes: '%s'", max_body);
	if (max_body)
		cfg.max_body = (size_t)v;
	if (timeout && (v = number(timeout, 1, 86400)) < 0)
		return cli_usage_error("serve", "--timeout: not seconds (1-86400): '%s'", timeout);
	if (timeout)
		cfg.timeout_s = (unsigned)v;
	long long check_s = 5;
	if (reload_check && (check_s = number(reload_check, 0, 86400)) < 0)
		return cli_usage_error("serve", "--reload-check: not seconds (0-86400): '%s'",
		                       reload_check);

	fsrv_jwt_keys *keys = NULL;
	if ((secret_file || public_key) && (rc = load_keys(&keys, secret_file, public_key)))
		return rc;
	cfg.keys = keys;

	/* Every thread (the store's, the server's) inherits the blocked
	 * signals; this thread takes them with sigtimedwait. */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	fcat_store *store;
	if ((rc = cli_open_store(&store, ctx))) {
		fsrv_jwt_keys_free(keys);
		return rc;
	}
	server *srv;
	char err[512];
	if (server_start(&srv, store, &cfg, err, sizeof err) != 0) { /* frees store */
		fprintf(stderr, "error: fcat serve: %s\n", err);
		fsrv_jwt_keys_free(keys);
		return EXIT_USER;
	}
	fprintf(stderr, "fcat serve: listening on http://%s:%u (%u threads, %s%s)\n", host,
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
	return EXIT_OK;
}
