/* test_serve.c - the real `fcat serve` binary over HTTP: the exact JSON a
 * Feast client sends gets Feast's response, byte for byte what `fcat
 * get-online --json` prints; /push makes a value readable; bad input gets
 * a JSON 4xx and the server keeps serving; SIGTERM stops it with exit 0. */
#include "fcat_server.h"
#include "http_client.h"
#include "testutil.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_BODY "65536"

static const char feast_request[] = "{\"features\":[\"user_features:total_conversations\"],"
                                    "\"entities\":{\"user_id\":[\"u0001\",\"nope\"]}}";

/* The demo repo, materialized, and one server as fcat-operator for all. */
static test_served_repo f;

static int setup(void **state)
{
	*state = &f;
	test_served_repo_start(&f, "fcat-operator",
	                       (const char *[]){"--max-body", MAX_BODY, "--timeout", "5", NULL});
	return 0;
}

static test_http_reply post(const char *path, const char *body)
{
	return test_http(f.srv.port, "POST", path, body);
}

/* Expects a status and, when not NULL, text in the body. */
#define expect_reply(r, st, text) expect_reply_at((r), (st), (text), __LINE__)
static void expect_reply_at(test_http_reply r, int status, const char *text, int line)
{
	if (r.status != status || (text && !strstr(r.body, text)))
		fail_msg("line %d: expected %d with '%s', got %d: %s", line, status,
		         text ? text : "", r.status, r.body);
	test_http_reply_free(&r);
}

/* An error reply is JSON of one shape: {"error":"...","status_code":N}. */
static void expect_error(test_http_reply r, int status, const char *text, int line)
{
	char tail[64];
	snprintf(tail, sizeof tail, "\",\"status_code\":%d}", status);
	char *ct = test_http_header(&r, "Content-Type");
	if (!ct || strcmp(ct, "application/json") != 0 || strncmp(r.body, "{\"error\":\"", 10) ||
	    strlen(r.body) < strlen(tail) || strcmp(r.body + strlen(r.body) - strlen(tail), tail))
		fail_msg("line %d: not a JSON error of status %d: %s", line, status, r.body);
	free(ct);
	expect_reply_at(r, status, text, line);
}
#define expect_error(r, st, text) expect_error((r), (st), (text), __LINE__)

/* After any bad request, a valid one still answers. */
static void still_serves(void)
{
	expect_reply(post("/get-online-features", feast_request), 200, "\"NOT_FOUND\"");
}

/* What `fcat get-online --json` prints for the same read. */
static char *cli_json(const char *const *args)
{
	const char *argv[32] = {"get-online"};
	int n = 1;
	for (; *args; args++)
		argv[n++] = *args;
	argv[n++] = "--json";
	argv[n] = NULL;
	test_run r = test_fcat_as(f.repo, "fcat-operator", argv);
	if (r.status != 0)
		fail_msg("get-online failed: %s", r.err);
	char *out = strdup(r.out);
	out[strcspn(out, "\n")] = '\0';
	test_run_free(&r);
	return out;
}

static void test_serve__a_feast_clients_request_gets_feasts_response_byte_for_byte(void **state)
{
	(void)state;
	test_http_reply r = post("/get-online-features", feast_request);
	assert_int_equal(r.status, 200);
	test_http_expect_header(&r, "Content-Type", "application/json");
	/* keys first (always PRESENT at the epoch), then the feature by column */
	const char *head =
	    "{\"results\":[{\"values\":[\"u0001\",\"nope\"],\"statuses\":[\"PRESENT\","
	    "\"PRESENT\"],\"event_timestamps\":[\"1970-01-01T00:00:00Z\","
	    "\"1970-01-01T00:00:00Z\"]},{\"values\":[";
	const char *tail = "\"1970-01-01T00:00:00Z\"]}],\"metadata\":{\"feature_names\":"
	                   "[\"user_id\",\"total_conversations\"]}}";
	assert_memory_equal(r.body, head, strlen(head));
	assert_string_equal(r.body + r.body_len - strlen(tail), tail);
	assert_non_null(strstr(r.body, ",null],\"statuses\":[\"PRESENT\",\"NOT_FOUND\"]"));
	char *cli =
	    cli_json((const char *[]){"--features", "user_features:total_conversations", "--entity",
	                              "user_id=u0001", "--entity", "user_id=nope", NULL});
	assert_string_equal(r.body, cli);
	free(cli);
	test_http_reply_free(&r);
}

static void test_serve__a_feature_service_request_reads_the_services_features(void **state)
{
	(void)state;
	test_http_reply r =
	    post("/get-online-features", "{\"feature_service\":\"chat_personalization\","
	                                 "\"entities\":{\"user_id\":[\"u0002\"]}}");
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"metadata\":{\"feature_names\":[\"user_id\","
	                               "\"total_conversations\",\"avg_response_rating\","
	                               "\"preferred_language\",\"user_embedding\","
	                               "\"conversations_1h\",\"conversations_1d\","
	                               "\"conversations_7d\",\"avg_response_rating_mean_7d\"]}}"));
	char *cli = cli_json((const char *[]){"--service", "chat_personalization", "--entity",
	                                      "user_id=u0002", NULL});
	assert_string_equal(r.body, cli);
	free(cli);
	test_http_reply_free(&r);
	/* an on-demand view takes its request data from "entities", as Feast's does */
	expect_reply(post("/get-online-features",
	                  "{\"feature_service\":\"chat_reply\",\"entities\":{\"user_id\":"
	                  "[\"u0002\"],\"message_length\":[10]}}"),
	             200,
	             "\"feature_names\":[\"user_id\",\"preferred_language\",\"is_regular\","
	             "\"reply_length_hint\"]");
}

static void test_serve__a_pushed_row_is_read_back_through_the_views_transform(void **state)
{
	(void)state;
	time_t now = time(NULL) - 60;
	char rfc[32], feast_ts[40], body[2048];
	strftime(rfc, sizeof rfc, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	strftime(feast_ts, sizeof feast_ts, "%Y-%m-%d %H:%M:%S+00:00", gmtime(&now));
	/* Feast's timestamp text in one row, epoch seconds in the other */
	snprintf(body, sizeof body,
	         "{\"push_source_name\":\"conversations_push\",\"df\":{"
	         "\"user_id\":[\"u7777\",\"u7778\"],\"event_timestamp\":[\"%s\",%lld],"
	         "\"total_conversations\":[42,7],\"avg_response_rating\":[4.5,9],"
	         "\"preferred_language\":[\"EN\",null],\"user_embedding\":[null,null]},"
	         "\"to\":\"online\"}",
	         feast_ts, (long long)now);
	test_http_reply r = post("/push", body);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.body_len, 0);
	test_http_reply_free(&r);
	r = post("/get-online-features",
	         "{\"features\":[\"user_features:total_conversations\","
	         "\"user_features:avg_response_rating\",\"user_features:preferred_language\"],"
	         "\"entities\":{\"user_id\":[\"u7777\",\"u7778\"]},\"full_feature_names\":true}");
	char want[2048];
	snprintf(want, sizeof want,
	         "{\"results\":[{\"values\":[\"u7777\",\"u7778\"],\"statuses\":[\"PRESENT\","
	         "\"PRESENT\"],\"event_timestamps\":[\"1970-01-01T00:00:00Z\","
	         "\"1970-01-01T00:00:00Z\"]},"
	         "{\"values\":[42,7],\"statuses\":[\"PRESENT\",\"PRESENT\"],"
	         "\"event_timestamps\":[\"%s\",\"%s\"]},"
	         "{\"values\":[4.5,5.0],\"statuses\":[\"PRESENT\",\"PRESENT\"],"
	         "\"event_timestamps\":[\"%s\",\"%s\"]},"
	         "{\"values\":[\"en\",null],\"statuses\":[\"PRESENT\",\"NULL_VALUE\"],"
	         "\"event_timestamps\":[\"%s\",\"%s\"]}],"
	         "\"metadata\":{\"feature_names\":[\"user_id\","
	         "\"user_features__total_conversations\",\"user_features__avg_response_rating\","
	         "\"user_features__preferred_language\"]}}",
	         rfc, rfc, rfc, rfc, rfc, rfc);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, want); /* the rating clamped, the language lowered */
	test_http_reply_free(&r);
}

static void
test_serve__a_bad_push_row_is_a_400_naming_row_and_column_and_writes_nothing(void **state)
{
	(void)state;
	/* row 2 of a push of the wrong type, found by the JSON decoder */
	expect_error(post("/push", "{\"push_source_name\":\"conversations_push\",\"df\":{"
	                           "\"user_id\":[\"u8881\",\"u8882\"],\"event_timestamp\":"
	                           "[1700000000,1700000000],\"total_conversations\":[1,\"two\"],"
	                           "\"avg_response_rating\":[1,1],\"preferred_language\":[\"a\","
	                           "\"b\"],\"user_embedding\":[null,null]}}"),
	             400, "row 2, column 'total_conversations': expected int64, got string");
	/* a null join key, found by fcat_push's own check */
	expect_error(post("/push", "{\"push_source_name\":\"conversations_push\",\"df\":{"
	                           "\"user_id\":[\"u8881\",null],\"event_timestamp\":"
	                           "[1700000000,1700000000],\"total_conversations\":[1,2],"
	                           "\"avg_response_rating\":[1,1],\"preferred_language\":[\"a\","
	                           "\"b\"],\"user_embedding\":[null,null]}}"),
	             400, "row 2, column 'user_id'");
	expect_error(post("/push", "{\"push_source_name\":\"conversations_push\",\"df\":{"
	                           "\"user_id\":[\"u8881\"],\"nope\":[1]}}"),
	             400, "push source 'conversations_push' has no column 'nope'");
	expect_error(post("/push", "{\"push_source_name\":\"nope\",\"df\":{}}"), 404,
	             "no push source 'nope'");
	expect_error(post("/push", "{\"push_source_name\":\"conversations_push\",\"df\":{},"
	                           "\"to\":\"elsewhere\"}"),
	             400, "\\\"to\\\" must be");
	expect_error(post("/push", "[1,2"), 400, "invalid JSON at line 1");
	/* nothing of the refused rows was written */
	expect_reply(post("/get-online-features",
	                  "{\"features\":[\"user_features:total_conversations\"],"
	                  "\"entities\":{\"user_id\":[\"u8881\"]}}"),
	             200, "\"statuses\":[\"NOT_FOUND\"]");
}

static void test_serve__malformed_and_mistyped_requests_get_400_and_it_keeps_serving(void **state)
{
	(void)state;
	static const struct {
		const char *body, *error;
	} bad[] = {
	    {"{\"features\":[\"user_features:total_conversations\"],", "not valid JSON"},
	    {"", "not valid JSON"},
	    {"[]", "expected an object"},
	    {"{\"features\":[\"user_features:total_conversations\"],\"entities\":{\"user_id\":"
	     "[1]}}",
	     "entities.user_id[0]: expected string, got integer"},
	    {"{\"features\":[\"user_features:total_conversations\"],\"entities\":{\"user_id\":"
	     "\"u0001\"}}",
	     "user_id"},
	    {"{\"features\":[\"user_features:total_conversations\"]}", "entities"},
	    {"{\"features\":[7],\"entities\":{\"user_id\":[\"u0001\"]}}", "features"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		expect_error(post("/get-online-features", bad[i].body), 400, bad[i].error);
		still_serves();
	}
}

static void test_serve__unknown_features_views_services_and_paths_get_404(void **state)
{
	(void)state;
	expect_error(post("/get-online-features",
	                  "{\"features\":[\"user_features:nope\"],\"entities\":{\"user_id\":"
	                  "[\"u0001\"]}}"),
	             404, "user_features:nope");
	still_serves();
	expect_error(post("/get-online-features",
	                  "{\"features\":[\"no_view:x\"],\"entities\":{\"user_id\":[\"u0001\"]}}"),
	             404, "no_view");
	still_serves();
	expect_error(post("/get-online-features",
	                  "{\"feature_service\":\"no_service\",\"entities\":{\"user_id\":"
	                  "[\"u0001\"]}}"),
	             404, "no_service");
	still_serves();
	expect_error(test_http(f.srv.port, "GET", "/nowhere", NULL), 404, "no endpoint /nowhere");
	still_serves();
}

static void test_serve__a_wrong_method_gets_405_naming_the_allowed_one(void **state)
{
	(void)state;
	test_http_reply r = test_http(f.srv.port, "GET", "/get-online-features", NULL);
	test_http_expect_header(&r, "Allow", "POST");
	expect_error(r, 405, "/get-online-features takes POST, not GET");
	still_serves();
	r = test_http(f.srv.port, "DELETE", "/health", NULL);
	test_http_expect_header(&r, "Allow", "GET, HEAD");
	expect_error(r, 405, "/health takes GET");
	still_serves();
}

static void test_serve__a_body_over_the_limit_gets_413(void **state)
{
	(void)state;
	size_t n = 100000;
	char *big = malloc(n + 1);
	memset(big, ' ', n);
	big[n] = '\0';
	/* told by Content-Length: refused before the body is read */
	expect_error(post("/get-online-features", big), 413, "over the limit of " MAX_BODY);
	still_serves();
	/* chunked, with no length told: refused once the body passes the limit */
	char head[256];
	int hlen = snprintf(head, sizeof head,
	                    "POST /push HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
	                    "Connection: close\r\n\r\n%zx\r\n",
	                    n);
	char *req = malloc((size_t)hlen + n + 16);
	memcpy(req, head, (size_t)hlen);
	memcpy(req + hlen, big, n);
	memcpy(req + hlen + n, "\r\n0\r\n\r\n", 7);
	expect_error(test_http_raw(f.srv.port, req, (size_t)hlen + n + 7), 413,
	             "over the limit of " MAX_BODY);
	still_serves();
	free(req);
	free(big);
}

static void test_serve__a_client_stalled_mid_body_does_not_hold_up_others(void **state)
{
	(void)state;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_port = htons((uint16_t)f.srv.port),
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
	const char half[] = "POST /get-online-features HTTP/1.1\r\nHost: x\r\n"
	                    "Content-Length: 100\r\n\r\n{\"features\":";
	assert_int_equal(write(fd, half, sizeof half - 1), (ssize_t)(sizeof half - 1));
	for (int i = 0; i < 4; i++)
		still_serves();
	close(fd);
	still_serves();
}

static void test_serve__metrics_count_requests_errors_and_latency_per_endpoint(void **state)
{
	(void)state;
	still_serves();
	expect_error(test_http(f.srv.port, "GET", "/nowhere", NULL), 404, NULL);
	test_http_reply r = test_http(f.srv.port, "GET", "/metrics", NULL);
	assert_int_equal(r.status, 200);
	test_http_expect_header(&r, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
	const char *lines[] = {
	    "# TYPE fcat_http_requests_total counter\n",
	    "\nfcat_http_requests_total{endpoint=\"/get-online-features\",status=\"200\"} ",
	    "\nfcat_http_requests_total{endpoint=\"other\",status=\"404\"} ",
	    "\nfcat_http_errors_total{endpoint=\"other\",status=\"404\"} ",
	    "# TYPE fcat_http_request_duration_seconds histogram\n",
	    "\nfcat_http_request_duration_seconds_bucket{endpoint=\"/get-online-features\","
	    "le=\"0.001\"} ",
	    "\nfcat_http_request_duration_seconds_bucket{endpoint=\"/push\",le=\"+Inf\"} ",
	    "\nfcat_http_request_duration_seconds_count{endpoint=\"/health\"} ",
	};
	for (size_t i = 0; i < sizeof lines / sizeof *lines; i++)
		if (!strstr(r.body, lines[i]))
			fail_msg("'%s' not in /metrics:\n%s", lines[i], r.body);
	/* no success counts as an error */
	assert_null(strstr(r.body, "fcat_http_errors_total{endpoint=\"/get-online-features\","
	                           "status=\"200\"}"));
	test_http_reply_free(&r);
}

static void test_serve__a_policy_denial_is_a_403_naming_the_feature(void **state)
{
	(void)state;
	test_server alice;
	test_server_start(&alice, f.repo, "alice", NULL);
	test_http_reply r = test_http(alice.port, "POST", "/get-online-features",
	                              "{\"features\":[\"user_features:preferred_language\"],"
	                              "\"entities\":{\"user_id\":[\"u0001\"]}}");
	expect_error(r, 403, "alice may not read_online feature:user_features:preferred_language");
	r = test_http(alice.port, "POST", "/get-online-features", feast_request);
	expect_reply(r, 200, "\"PRESENT\"");
	assert_int_equal(test_server_stop(&alice, SIGINT), 0);
	test_server_done(&alice);
}

/* Last: the shared server stops cleanly (under ASan: without a leak). */
static void test_serve__sigterm_stops_it_with_exit_0(void **state)
{
	(void)state;
	test_server_stop_cleanly(&f.srv, SIGTERM,
	                         "SIGTERM: finishing requests in flight and stopping");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(
	        test_serve__a_feast_clients_request_gets_feasts_response_byte_for_byte),
	    cmocka_unit_test(test_serve__a_feature_service_request_reads_the_services_features),
	    cmocka_unit_test(test_serve__a_pushed_row_is_read_back_through_the_views_transform),
	    cmocka_unit_test(
	        test_serve__a_bad_push_row_is_a_400_naming_row_and_column_and_writes_nothing),
	    cmocka_unit_test(
	        test_serve__malformed_and_mistyped_requests_get_400_and_it_keeps_serving),
	    cmocka_unit_test(test_serve__unknown_features_views_services_and_paths_get_404),
	    cmocka_unit_test(test_serve__a_wrong_method_gets_405_naming_the_allowed_one),
	    cmocka_unit_test(test_serve__a_body_over_the_limit_gets_413),
	    cmocka_unit_test(test_serve__a_client_stalled_mid_body_does_not_hold_up_others),
	    cmocka_unit_test(test_serve__metrics_count_requests_errors_and_latency_per_endpoint),
	    cmocka_unit_test(test_serve__a_policy_denial_is_a_403_naming_the_feature),
	    cmocka_unit_test(test_serve__sigterm_stops_it_with_exit_0),
	};
	return cmocka_run_group_tests(tests, setup, test_served_repo_teardown);
}
