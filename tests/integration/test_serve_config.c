/* test_serve_config.c - fcat serve's operations settings on the real
 * binary: the access log has one JSON line per request with its status and
 * principal ("-" when refused before one was known) and a read's features
 * and rows; fcat.yaml's server: section takes effect and the command line
 * overrides it; a bad server: key is refused naming fcat.yaml:LINE:COLUMN;
 * CORS headers come only when configured. */
#include "fcat_server.h"
#include "http_client.h"
#include "jwt_sign.h"
#include "testutil.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SECRET "an HS256 secret of more than thirty-two bytes"

static const char request[] = "{\"features\":[\"user_features:total_conversations\","
                              "\"user_features:preferred_language\"],"
                              "\"entities\":{\"user_id\":[\"u0001\",\"u0002\",\"nope\"]}}";

static char *parent, *repo, *yaml; /* yaml: the demo's fcat.yaml as it came */
static test_server srv;

static int setup(void **state)
{
	(void)state;
	repo = test_materialized_demo(&parent);
	test_write_file(repo, "token.secret", SECRET "\n");
	char path[4096];
	snprintf(path, sizeof path, "%s/fcat.yaml", repo);
	yaml = test_read_file(path);
	return yaml ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(yaml);
	test_repo_done(parent, repo);
	return 0;
}

/* fcat.yaml as the demo has it, with `server` appended. */
static void write_yaml(const char *server)
{
	size_t n = strlen(yaml) + strlen(server) + 1;
	char *text = malloc(n);
	snprintf(text, n, "%s%s", yaml, server);
	test_write_file(repo, "fcat.yaml", text);
	free(text);
}

/* Each test leaves the repo's fcat.yaml as it found it and no server. */
static int after_each(void **state)
{
	(void)state;
	test_server_done(&srv);
	test_write_file(repo, "fcat.yaml", yaml);
	return 0;
}

/* POST path with the body and, when sub is not NULL, a token for it. */
static test_http_reply post_as(const char *sub, const char *path, const char *body)
{
	char auth[1200] = "", req[8192];
	if (sub) {
		char *tok = test_jwt_for(sub, 60, SECRET);
		snprintf(auth, sizeof auth, "Authorization: Bearer %s\r\n", tok);
		free(tok);
	}
	int n = snprintf(req, sizeof req,
	                 "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
	                 "%sContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
	                 path, auth, strlen(body), body);
	return test_http_raw(srv.port, req, (size_t)n);
}

static void expect_status(test_http_reply r, int status)
{
	if (r.status != status)
		fail_msg("expected %d, got %d: %s", status, r.status, r.body);
	test_http_reply_free(&r);
}

/* The line of the log holding `has`, which must also hold `and`. */
static void expect_line(const char *log, const char *has, const char *and)
{
	for (const char *p = log; *p;) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char *line = strndup(p, len);
		bool hit = strstr(line, has) != NULL;
		bool both = hit && (!and || strstr(line, and));
		if (hit && !both)
			fail_msg("the access log line with '%s' lacks '%s': %s", has, and, line);
		if (hit && line[0] == '{' && line[len - 1] == '}' && strstr(line, "\"time\":\"") &&
		    strstr(line, ",\"latency_us\":")) {
			free(line);
			return;
		}
		free(line);
		p += len + (end != NULL);
	}
	fail_msg("no access log line with '%s' in:\n%s", has, log);
}

static void test_serve_config__the_access_log_has_a_line_per_request(void **state)
{
	(void)state;
	/* both settings from fcat.yaml, relative to the repo */
	write_yaml("server:\n  access_log: data/access.log\n  token_secret_file: token.secret\n");
	test_server_start(&srv, repo, "alice", NULL);
	expect_status(post_as("ranking-service", "/get-online-features", request), 200);
	expect_status(post_as(NULL, "/get-online-features", request), 401);
	expect_status(test_http(srv.port, "GET", "/nope", NULL), 404);
	expect_status(post_as("ranking-service", "/get-online-features",
	                      "{\"features\":[\"user_features:nope\"],"
	                      "\"entities\":{\"user_id\":[\"u0001\"]}}"),
	              404);
	expect_status(post_as("alice", "/get-online-features", request), 403);
	expect_status(post_as("ranking-service", "/get-online-features",
	                      "{\"feature_service\":\"chat_personalization\","
	                      "\"entities\":{\"user_id\":[\"u0001\",\"u0002\"]}}"),
	              200);
	expect_status(test_http(srv.port, "GET", "/health", NULL), 200);
	expect_status(post_as("fcat-operator", "/push",
	                      "{\"push_source_name\":\"conversations_push\",\"df\":{"
	                      "\"user_id\":[\"u7777\",\"u7778\"],"
	                      "\"event_timestamp\":[1700000000,1700000001],"
	                      "\"total_conversations\":[4,2],\"avg_response_rating\":[4.5,9],"
	                      "\"preferred_language\":[\"EN\",null],"
	                      "\"user_embedding\":[null,null]},\"to\":\"online\"}"),
	              200);
	test_server_stop_cleanly(&srv, SIGTERM, NULL); /* the log is written whole */

	char path[4096];
	snprintf(path, sizeof path, "%s/data/access.log", repo);
	char *log = test_read_file(path);
	assert_non_null(log);
	/* test_server_start's own /health probes come first: count the rest */
	const char *first = strstr(log, "\"method\":\"POST\"");
	assert_non_null(first);
	while (first > log && first[-1] != '\n')
		first--;
	assert_int_equal(test_count_lines(first), 8);
	expect_line(log,
	            "\"principal\":\"ranking-service\",\"method\":\"POST\",\"path\":\"/get-online-"
	            "features\",\"status\":200,",
	            ",\"features\":[\"user_features:total_conversations\",\"user_features:"
	            "preferred_language\"],\"rows\":3}");
	expect_line(log,
	            "\"principal\":\"-\",\"method\":\"POST\",\"path\":\"/get-online-features\","
	            "\"status\":401,",
	            NULL);
	expect_line(
	    log, "\"principal\":\"-\",\"method\":\"GET\",\"path\":\"/nope\",\"status\":404,", NULL);
	expect_line(log, ",\"features\":[\"user_features:nope\"],\"rows\":1}",
	            "\"principal\":\"ranking-service\",\"method\":\"POST\",\"path\":\"/get-online-"
	            "features\",\"status\":404,");
	expect_line(log, "\"principal\":\"alice\",", "\"status\":403,");
	expect_line(log, "\"feature_service\":\"chat_personalization\",\"rows\":2}",
	            "\"status\":200,");
	expect_line(log, "\"path\":\"/health\",\"status\":200,", "\"principal\":\"-\"");
	expect_line(log, "\"principal\":\"fcat-operator\",\"method\":\"POST\",\"path\":\"/push\"",
	            ",\"push_source\":\"conversations_push\",\"to\":\"online\",\"rows\":2}");
	free(log);
}

/* The listening line of the server's log. */
static void expect_listening(const char *text)
{
	char *log = test_server_log(&srv);
	if (!strstr(log, text))
		fail_msg("expected '%s' in: %s", text, log);
	free(log);
}

static void test_serve_config__the_server_section_takes_effect_and_options_override_it(void **state)
{
	(void)state;
	int port = test_free_port();
	char server[256], want[128];
	snprintf(server, sizeof server, "server:\n  port: %d\n  threads: 1\n  reload_check: 0\n",
	         port);
	write_yaml(server);
	test_server_start_on(&srv, repo, "ranking-service", port, NULL);
	snprintf(want, sizeof want, "listening on http://127.0.0.1:%d (1 threads", port);
	expect_listening(want);
	expect_status(test_http(srv.port, "GET", "/health", NULL), 200);
	test_server_stop_cleanly(&srv, SIGTERM, NULL);
	/* --port and --threads (test_server_start passes both) win over the file */
	test_server_start(&srv, repo, "ranking-service", NULL);
	assert_int_not_equal(srv.port, port);
	snprintf(want, sizeof want, "listening on http://127.0.0.1:%d (2 threads", srv.port);
	expect_listening(want);
	/* and --access-log over the file's (none here) */
	test_server_stop_cleanly(&srv, SIGTERM, NULL);
	write_yaml("server:\n  access_log: data/file.log\n");
	char *dir = test_mkdtemp(), cli_log[4096];
	snprintf(cli_log, sizeof cli_log, "%s/cli.log", dir);
	test_server_start(&srv, repo, "ranking-service",
	                  (const char *[]){"--access-log", cli_log, NULL});
	expect_status(test_http(srv.port, "GET", "/health", NULL), 200);
	test_server_stop_cleanly(&srv, SIGTERM, NULL);
	assert_false(test_path_exists(repo, "data/file.log"));
	char *log = test_read_file(cli_log);
	assert_non_null(log);
	assert_non_null(strstr(log, "\"path\":\"/health\",\"status\":200,"));
	free(log);
	test_dir_done(dir);
}

static void test_serve_config__a_bad_server_key_is_refused_naming_the_place(void **state)
{
	(void)state;
	write_yaml("server:\n  port: 6566\n  prot: 6567\n");
	char where[160];
	snprintf(where, sizeof where, "fcat.yaml:%zu:3: unknown key 'prot' in 'server'",
	         test_count_lines(yaml) + 3);
	test_expect_exit(test_fcat(repo, "serve", NULL), 1, where);
	test_expect_exit(test_fcat(repo, "validate", NULL), 1, where);
	write_yaml("server:\n  threads: many\n");
	snprintf(where, sizeof where,
	         "fcat.yaml:%zu:12: 'server.threads' must be a whole number from 1 to 1024",
	         test_count_lines(yaml) + 2);
	test_expect_exit(test_fcat(repo, "serve", NULL), 1, where);
	write_yaml("server:\n  cors: { allow_origin: x, credentials: true }\n");
	snprintf(where, sizeof where,
	         "fcat.yaml:%zu:28: unknown key 'credentials' in 'server.cors'",
	         test_count_lines(yaml) + 2);
	test_expect_exit(test_fcat(repo, "serve", NULL), 1, where);
}

static void test_serve_config__cors_headers_only_when_configured(void **state)
{
	(void)state;
	/* off by default: no header, and OPTIONS is a wrong method */
	test_server_start(&srv, repo, "ranking-service", NULL);
	test_http_reply r = test_http(srv.port, "POST", "/get-online-features", request);
	assert_int_equal(r.status, 200);
	assert_null(test_http_header(&r, "Access-Control-Allow-Origin"));
	test_http_reply_free(&r);
	r = test_http(srv.port, "OPTIONS", "/get-online-features", NULL);
	assert_int_equal(r.status, 405);
	assert_null(test_http_header(&r, "Access-Control-Allow-Origin"));
	test_http_reply_free(&r);
	test_server_stop_cleanly(&srv, SIGTERM, NULL);

	write_yaml("server:\n  cors: { allow_origin: \"https://app.example\" }\n");
	test_server_start(&srv, repo, "ranking-service", NULL);
	r = test_http(srv.port, "POST", "/get-online-features", request);
	assert_int_equal(r.status, 200);
	test_http_expect_header(&r, "Access-Control-Allow-Origin", "https://app.example");
	test_http_reply_free(&r);
	/* errors carry it too, so the browser shows the JSON error */
	r = test_http(srv.port, "GET", "/nope", NULL);
	assert_int_equal(r.status, 404);
	test_http_expect_header(&r, "Access-Control-Allow-Origin", "https://app.example");
	test_http_reply_free(&r);
	/* a preflight is answered without a body */
	r = test_http(srv.port, "OPTIONS", "/get-online-features", NULL);
	assert_int_equal(r.status, 204);
	test_http_expect_header(&r, "Access-Control-Allow-Methods", "POST, OPTIONS");
	test_http_expect_header(&r, "Access-Control-Allow-Headers", "Authorization, Content-Type");
	test_http_reply_free(&r);
	test_server_stop_cleanly(&srv, SIGTERM, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_serve_config__the_access_log_has_a_line_per_request,
	                              after_each),
	    cmocka_unit_test_teardown(
	        test_serve_config__the_server_section_takes_effect_and_options_override_it,
	        after_each),
	    cmocka_unit_test_teardown(
	        test_serve_config__a_bad_server_key_is_refused_naming_the_place, after_each),
	    cmocka_unit_test_teardown(test_serve_config__cors_headers_only_when_configured,
	                              after_each),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
