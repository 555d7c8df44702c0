/* test_serve_reload.c - the real `fcat serve` follows `fcat apply`: SIGHUP
 * (or, polling, a newly applied version) reloads the catalog while a stream
 * of requests runs, every one of them answered 200, and the next requests
 * read the new version; a version that cannot be opened leaves the old one
 * serving; the replaced generations are freed (ASan, at stop). */
#include "fcat_server.h"
#include "http_client.h"
#include "testutil.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char feast_request[] = "{\"features\":[\"user_features:total_conversations\"],"
                                    "\"entities\":{\"user_id\":[\"u0001\"]}}";

/* The demo repo, materialized, and one server for all: it reloads on SIGHUP
 * only. */
static test_served_repo f;

static int setup(void **state)
{
	*state = &f;
	test_served_repo_start(&f, "fcat-operator", (const char *[]){"--reload-check", "0", NULL});
	return 0;
}

/* An on-demand view `name` over user_features (no materializing needed),
 * added to the catalog, committed and applied. */
static void apply_probe_view(const char *name)
{
	char *path = malloc(strlen(f.repo) + 64);
	snprintf(path, strlen(f.repo) + 64, "%s/catalog/users.lua", f.repo);
	char *text = test_read_file(path);
	size_t size = strlen(text) + 1024;
	char *more = malloc(size);
	snprintf(more, size,
	         "%s\non_demand_view {\n  name = \"%s\",\n  sources = { \"user_features\" },\n"
	         "  schema = { field(\"conversations_plus_one\", int64) },\n"
	         "  transform = function(inputs)\n"
	         "    return { conversations_plus_one = (inputs.total_conversations or 0) + 1 }\n"
	         "  end,\n  description = \"a probe of reloading\",\n"
	         "  owner = \"ranking@example.com\",\n}\n",
	         text, name);
	test_write_file(f.repo, "catalog/users.lua", more);
	test_commit_and_apply(f.repo, name);
	free(more);
	free(text);
	free(path);
}

/* The status of a read of the probe view `name`. */
static int probe(int port, const char *name)
{
	char body[256];
	snprintf(body, sizeof body,
	         "{\"features\":[\"%s:conversations_plus_one\"],"
	         "\"entities\":{\"user_id\":[\"u0001\"]}}",
	         name);
	test_http_reply r = test_http(port, "POST", "/get-online-features", body);
	int status = r.status;
	test_http_reply_free(&r);
	return status;
}

/* Waits (at most 60 s) until the server's log holds `text`. */
static void wait_for_log(const test_server *s, const char *text)
{
	for (int i = 0; i < 6000; i++) {
		char *log = test_server_log(s);
		bool found = strstr(log, text) != NULL;
		if (found || i == 5999) {
			if (!found)
				fail_msg("no '%s' in the server's log: %s", text, log);
			free(log);
			return;
		}
		free(log);
		struct timespec pause = {0, 10 * 1000 * 1000};
		nanosleep(&pause, NULL);
	}
}

/* A stream of reads from another thread: how many, how many not 200. */
typedef struct stream {
	int port;
	atomic_bool stop;
	atomic_int sent, failed;
	int last_bad; /* a failed status, for the message */
} stream;

static void *run_stream(void *p)
{
	stream *st = p;
	while (!atomic_load(&st->stop)) {
		test_http_reply r =
		    test_http(st->port, "POST", "/get-online-features", feast_request);
		if (r.status != 200 || !strstr(r.body, "\"PRESENT\"")) {
			atomic_fetch_add(&st->failed, 1);
			st->last_bad = r.status;
		}
		atomic_fetch_add(&st->sent, 1);
		test_http_reply_free(&r);
	}
	return NULL;
}

static void start_stream(stream *st, pthread_t *t, int port)
{
	*st = (stream){.port = port};
	assert_int_equal(pthread_create(t, NULL, run_stream, st), 0);
	while (atomic_load(&st->sent) < 5) /* it runs before the signal */
		usleep(1000);
}

static void stop_stream(stream *st, pthread_t t)
{
	int until = atomic_load(&st->sent) + 5; /* and after the reload */
	while (atomic_load(&st->sent) < until)
		usleep(1000);
	atomic_store(&st->stop, true);
	pthread_join(t, NULL);
	if (atomic_load(&st->failed))
		fail_msg("%d of %d requests during the reload failed (last status %d)",
		         atomic_load(&st->failed), atomic_load(&st->sent), st->last_bad);
}

static void
test_serve_reload__sighup_reloads_the_applied_version_without_failing_a_request(void **state)
{
	(void)state;
	char before[41], after[41];
	assert_int_equal(fcat_applied_commit(before, f.repo), 0);
	assert_int_equal(probe(f.srv.port, "reload_probe"), 404);
	apply_probe_view("reload_probe");
	assert_int_equal(fcat_applied_commit(after, f.repo), 0);
	assert_string_not_equal(before, after);
	/* applied, but served only after SIGHUP (no polling here) */
	assert_int_equal(probe(f.srv.port, "reload_probe"), 404);

	stream st;
	pthread_t t;
	start_stream(&st, &t, f.srv.port);
	char line[160];
	snprintf(line, sizeof line, "fcat serve: SIGHUP: reloaded %s -> %s", before, after);
	assert_int_equal(kill(f.srv.pid, SIGHUP), 0);
	wait_for_log(&f.srv, line);
	stop_stream(&st, t);
	assert_int_equal(probe(f.srv.port, "reload_probe"), 200);
}

static void
test_serve_reload__a_version_that_cannot_be_opened_leaves_the_old_one_serving(void **state)
{
	(void)state;
	apply_probe_view("reload_probe_2");
	char applied[41];
	assert_int_equal(fcat_applied_commit(applied, f.repo), 0);
	/* the work tree's fcat.yaml, which a store reads when it opens, broken
	 * after the apply: the reload cannot open the new store */
	char *yaml_path = malloc(strlen(f.repo) + 16);
	sprintf(yaml_path, "%s/fcat.yaml", f.repo);
	char *yaml = test_read_file(yaml_path);
	test_write_file(f.repo, "fcat.yaml", "project: [unclosed\n");
	stream st;
	pthread_t t;
	start_stream(&st, &t, f.srv.port);
	assert_int_equal(kill(f.srv.pid, SIGHUP), 0);
	wait_for_log(&f.srv, "fcat serve: SIGHUP: reload failed, still serving ");
	stop_stream(&st, t);
	assert_int_equal(probe(f.srv.port, "reload_probe"), 200);
	assert_int_equal(probe(f.srv.port, "reload_probe_2"), 404); /* still the old one */
	char *log = test_server_log(&f.srv);
	assert_null(strstr(log, applied));
	free(log);

	/* mended, the next SIGHUP serves it */
	test_write_file(f.repo, "fcat.yaml", yaml);
	assert_int_equal(kill(f.srv.pid, SIGHUP), 0);
	char line[80];
	snprintf(line, sizeof line, " -> %s", applied);
	wait_for_log(&f.srv, line);
	assert_int_equal(probe(f.srv.port, "reload_probe_2"), 200);
	free(yaml);
	free(yaml_path);
}

static void test_serve_reload__a_newly_applied_version_is_served_without_a_signal(void **state)
{
	(void)state;
	test_server poll;
	test_server_start(&poll, f.repo, "fcat-operator",
	                  (const char *[]){"--reload-check", "1", NULL});
	assert_int_equal(probe(poll.port, "reload_probe_3"), 404);
	stream st;
	pthread_t t;
	start_stream(&st, &t, poll.port);
	apply_probe_view("reload_probe_3");
	char applied[41], line[80];
	assert_int_equal(fcat_applied_commit(applied, f.repo), 0);
	snprintf(line, sizeof line, "newly applied version: reloaded ");
	wait_for_log(&poll, line);
	stop_stream(&st, t);
	assert_int_equal(probe(poll.port, "reload_probe_3"), 200);
	char *log = test_server_log(&poll);
	snprintf(line, sizeof line, " -> %s", applied);
	assert_non_null(strstr(log, line));
	free(log);
	test_server_stop_cleanly(&poll, SIGTERM, NULL);
	test_server_done(&poll);
}

/* Last: stopped after its reloads, it frees every generation (ASan). */
static void test_serve_reload__it_stops_cleanly_after_reloads(void **state)
{
	(void)state;
	test_server_stop_cleanly(&f.srv, SIGTERM, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(
	        test_serve_reload__sighup_reloads_the_applied_version_without_failing_a_request),
	    cmocka_unit_test(
	        test_serve_reload__a_version_that_cannot_be_opened_leaves_the_old_one_serving),
	    cmocka_unit_test(test_serve_reload__a_newly_applied_version_is_served_without_a_signal),
	    cmocka_unit_test(test_serve_reload__it_stops_cleanly_after_reloads),
	};
	return cmocka_run_group_tests(tests, setup, test_served_repo_teardown);
}
