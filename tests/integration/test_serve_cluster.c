/* test_serve_cluster.c - two `fcat serve` processes on one repo whose
 * fcat.yaml points at one Redis Cluster (3 masters the test starts): rows
 * materialized into the cluster are served by both, and a row pushed
 * through one server is read back through the other. */
#include "fcat_server.h"
#include "http_client.h"
#include "redis_cluster.h"
#include "testutil.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static test_cluster cluster;
static char *parent, *repo;
static test_server a, b;

/* The demo repo with its online store on the cluster, as a YAML list. */
static void repo_on_cluster(void)
{
	repo = test_demo_repo(&parent, true);
	char path[4200];
	snprintf(path, sizeof path, "%s/fcat.yaml", repo);
	char *yaml = test_read_file(path);
	const char *lmdb = "online_store:\n  plugin: lmdb\n  path: data/online.lmdb\n";
	char *at = strstr(yaml, lmdb);
	if (!at)
		fail_msg("the demo fcat.yaml has no lmdb online_store section:\n%s", yaml);
	char nodes[600] = "", *p = nodes;
	for (int i = 0; i < cluster.n; i++)
		p += snprintf(p, sizeof nodes - (size_t)(p - nodes), "    - 127.0.0.1:%d\n",
		              cluster.node[i].port);
	char *out = malloc(strlen(yaml) + sizeof nodes + 200);
	sprintf(out, "%.*sonline_store:\n  plugin: redis\n  key_prefix: two\n  cluster:\n%s%s",
	        (int)(at - yaml), yaml, nodes, at + strlen(lmdb));
	test_write_file(repo, "fcat.yaml", out);
	free(out);
	free(yaml);
}

static int setup(void **state)
{
	(void)state;
	test_cluster_start(&cluster, 3, 0);
	repo_on_cluster();
	test_run r = test_fcat(repo, "materialize", "2020-01-01", "now", NULL);
	if (r.status != 0)
		fail_msg("materialize into the cluster failed (%d): %s", r.status, r.err);
	test_run_free(&r);
	test_server_start(&a, repo, "fcat-operator", NULL);
	test_server_start(&b, repo, "fcat-operator", NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_server_done(&a);
	test_server_done(&b);
	test_repo_done(parent, repo);
	test_cluster_stop(&cluster);
	return 0;
}

static void test_serve_cluster__both_servers_serve_the_materialized_rows(void **state)
{
	(void)state;
	const char *req = "{\"features\":[\"user_features:total_conversations\"],"
	                  "\"entities\":{\"user_id\":[\"u0001\",\"u0150\",\"nope\"]}}";
	test_http_reply ra = test_http(a.port, "POST", "/get-online-features", req);
	test_http_reply rb = test_http(b.port, "POST", "/get-online-features", req);
	assert_int_equal(ra.status, 200);
	assert_int_equal(rb.status, 200);
	if (!strstr(ra.body, "\"statuses\":[\"PRESENT\",\"PRESENT\",\"NOT_FOUND\"]"))
		fail_msg("not served from the cluster: %s", ra.body);
	assert_string_equal(ra.body, rb.body);
	test_http_reply_free(&ra);
	test_http_reply_free(&rb);
	/* and the keys are spread over every master */
	for (int i = 0; i < cluster.n; i++) {
		char *n = test_cluster_cli(cluster.node[i].port, (const char *[]){"dbsize", NULL});
		if (atoll(n) < 10)
			fail_msg("master 127.0.0.1:%d holds %s keys", cluster.node[i].port, n);
		free(n);
	}
}

static void test_serve_cluster__a_row_pushed_through_one_is_read_through_the_other(void **state)
{
	(void)state;
	time_t now = time(NULL) - 60;
	char rfc[32], body[1024];
	strftime(rfc, sizeof rfc, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	snprintf(body, sizeof body,
	         "{\"push_source_name\":\"conversations_push\",\"df\":{"
	         "\"user_id\":[\"u9001\",\"u0001\"],\"event_timestamp\":[%lld,%lld],"
	         "\"total_conversations\":[4242,777],\"avg_response_rating\":[4.5,3],"
	         "\"preferred_language\":[\"EN\",\"FR\"],\"user_embedding\":[null,null]},"
	         "\"to\":\"online\"}",
	         (long long)now, (long long)now);
	test_http_reply r = test_http(a.port, "POST", "/push", body);
	if (r.status != 200)
		fail_msg("push through the first server: %d %s", r.status, r.body);
	test_http_reply_free(&r);
	r = test_http(b.port, "POST", "/get-online-features",
	              "{\"features\":[\"user_features:total_conversations\","
	              "\"user_features:preferred_language\"],"
	              "\"entities\":{\"user_id\":[\"u9001\",\"u0001\"]}}");
	assert_int_equal(r.status, 200);
	char want[512];
	snprintf(want, sizeof want,
	         "{\"values\":[4242,777],\"statuses\":[\"PRESENT\",\"PRESENT\"],"
	         "\"event_timestamps\":[\"%s\",\"%s\"]},"
	         "{\"values\":[\"en\",\"fr\"],\"statuses\":[\"PRESENT\",\"PRESENT\"]",
	         rfc, rfc);
	if (!strstr(r.body, want))
		fail_msg("the second server does not read the pushed rows:\n%s\nwanted:\n%s",
		         r.body, want);
	test_http_reply_free(&r);
	test_server_stop_cleanly(&a, SIGTERM, NULL);
	test_server_stop_cleanly(&b, SIGTERM, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_serve_cluster__both_servers_serve_the_materialized_rows),
	    cmocka_unit_test(
	        test_serve_cluster__a_row_pushed_through_one_is_read_through_the_other),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
