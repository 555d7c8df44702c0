/* cmd_serve.c - `fcat serve`: the HTTP feature server (Feast's JSON API)
 * over the applied catalog, until SIGTERM or SIGINT. */
#include "cli.h"
#include "server.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char help[] =
    "usage: fcat serve [--host ADDR] [--port N] [--threads N] [--max-body BYTES]\n"
    "                  [--timeout SECONDS] [--repo DIR]\n\n"
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
    "Authentication: none yet. Every request reads and pushes as the principal\n"
    "given with `fcat --as NAME serve` (or $FCAT_PRINCIPAL), else as anonymous,\n"
    "and the policies are checked for it on every request. Listen on loopback\n"
    "only until bearer tokens are checked.\n\n"
    "  --host ADDR        address to listen on (default 127.0.0.1)\n"
    "  --port N           port (default 6566, Feast's)\n"
    "  --threads N        worker threads, each polling with epoll (default: the\n"
    "                     number of CPUs)\n"
    "  --max-body BYTES   request body limit (default 4194304)\n"
    "  --timeout SECONDS  close a connection idle or stalled this long (default 30)\n\n"
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

int cmd_serve(cli_ctx *ctx, int argc, char **argv)
{
	const char *host = "127.0.0.1", *port = NULL, *threads = NULL, *max_body = NULL,
	           *timeout = NULL;
	const cli_opt opts[] = {{"host", 1, &host, NULL},       {"port", 1, &port, NULL},
	                        {"threads", 1, &threads, NULL}, {"max-body", 1, &max_body, NULL},
	                        {"timeout", 1, &timeout, NULL}, {NULL, 0, NULL, NULL}};
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

	/* Every thread (the store's, the server's) inherits the blocked
	 * signals; this thread takes them with sigwait. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	fcat_store *store;
	if ((rc = cli_open_store(&store, ctx)))
		return rc;
	server *srv;
	char err[512];
	if (server_start(&srv, store, &cfg, err, sizeof err) != 0) {
		fprintf(stderr, "error: fcat serve: %s\n", err);
		fcat_store_free(store);
		return EXIT_USER;
	}
	fprintf(stderr, "fcat serve: listening on http://%s:%u (%u threads, as %s)\n", host,
	        cfg.port, cfg.threads, cfg.principal ? cfg.principal : "anonymous");
	int sig = 0;
	sigwait(&stop, &sig);
	fprintf(stderr, "fcat serve: %s: finishing requests in flight and stopping\n",
	        sig == SIGINT ? "SIGINT" : "SIGTERM");
	server_stop(srv, 10);
	fcat_store_free(store);
	return EXIT_OK;
}
