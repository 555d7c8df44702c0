/* fcat_server.h - the real `fcat serve` binary for tests: started on a
 * free port in a repo, waited for on /health, stopped with a signal. */
#ifndef FCAT_TEST_FCAT_SERVER_H
#define FCAT_TEST_FCAT_SERVER_H

typedef struct test_server {
	int pid;
	int port;
	char log[4096]; /* its standard error */
} test_server;

/* Runs `fcat --as PRINCIPAL serve --port P --threads 2 EXTRA...` in repo
 * (extra: NULL-terminated, may be NULL) and waits until GET /health
 * answers 200 (at most 30 s). Fails the test, showing the server's
 * output, when it cannot. */
void test_server_start(test_server *s, const char *repo, const char *principal,
                       const char *const *extra);

/* The same without --port: the server takes its port from fcat.yaml's
 * server: section (or its default), and the test waits on `port`. */
void test_server_start_on(test_server *s, const char *repo, const char *principal, int port,
                          const char *const *extra);

/* Sends `sig`, waits for the exit, and returns the exit status (128+signal
 * when killed); the server's output is in the log file until
 * test_server_done removes it. */
int test_server_stop(test_server *s, int sig);
void test_server_done(test_server *s);

/* Stops it with `sig` and fails the test unless it exited 0 with no
 * sanitizer report in its output, and that output holds `in_log` (when not
 * NULL). */
void test_server_stop_cleanly(test_server *s, int sig, const char *in_log);

/* The server's standard error so far, malloc'd. */
char *test_server_log(const test_server *s);

/* The shared fixture of the server tests: a demo repo with its data
 * materialized (test_materialized_demo), and a server in it. */
typedef struct test_served_repo {
	char *parent, *repo;
	test_server srv;
} test_served_repo;

/* Makes the repo and starts the server in it as `principal` with `extra`
 * options (test_server_start). */
void test_served_repo_start(test_served_repo *f, const char *principal, const char *const *extra);

/* A cmocka group teardown for the test_served_repo in *state: the server
 * stopped (when it still runs) and the repo removed. */
int test_served_repo_teardown(void **state);

#endif
