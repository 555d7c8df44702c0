/* fcat_server.c - the real `fcat serve` binary for tests: forked and
 * exec'd on a free port, waited for on /health, stopped with a signal. */
#include "fcat_server.h"

#include "http_client.h"
#include "testutil.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

char *test_server_log(const test_server *s)
{
	char *text = test_read_file(s->log);
	return text ? text : strdup("");
}

/* Whether /health answers 200 now (without failing the test). */
static int healthy(int port)
{
	test_http_reply r = {0};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_port = htons((uint16_t)port),
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int up = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
	if (fd >= 0)
		close(fd);
	if (!up)
		return 0;
	r = test_http(port, "GET", "/health", NULL);
	int ok = r.status == 200;
	test_http_reply_free(&r);
	return ok;
}

/* Starts it on `port`, passing --port and --threads 2 when port_arg. */
static void start(test_server *s, const char *repo, const char *principal, int port_number,
                  bool port_arg, const char *const *extra)
{
	memset(s, 0, sizeof *s);
	s->port = port_number;
	char *dir = test_mkdtemp();
	snprintf(s->log, sizeof s->log, "%s/serve.log", dir);
	free(dir);
	char port[16];
	snprintf(port, sizeof port, "%d", s->port);
	const char *argv[32] = {FCAT_CLI_PATH, "--as",   principal, "--repo",    repo,
	                        "serve",       "--port", port,      "--threads", "2"};
	int n = port_arg ? 10 : 6;
	for (; extra && *extra && n < 31; extra++)
		argv[n++] = *extra;
	argv[n] = NULL;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(s->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 1);
		dup2(fd, 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	s->pid = pid;
	for (int i = 0; i < 3000; i++) {
		if (healthy(s->port))
			return;
		int status;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			s->pid = 0;
			char *log = test_server_log(s);
			fail_msg("fcat serve exited before answering /health: %s", log);
		}
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	test_server_stop(s, SIGKILL);
	fail_msg("fcat serve did not answer /health on port %d within 30 s", s->port);
}

void test_server_start(test_server *s, const char *repo, const char *principal,
                       const char *const *extra)
{
	start(s, repo, principal, test_free_port(), true, extra);
}

void test_server_start_on(test_server *s, const char *repo, const char *principal, int port,
                          const char *const *extra)
{
	start(s, repo, principal, port, false, extra);
}

int test_server_stop(test_server *s, int sig)
{
	if (s->pid <= 0)
		return -1;
	kill(s->pid, sig);
	int status = 0;
	waitpid(s->pid, &status, 0);
	s->pid = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void test_server_stop_cleanly(test_server *s, int sig, const char *in_log)
{
	int status = test_server_stop(s, sig);
	char *log = test_server_log(s);
	if (status != 0 || strstr(log, "Sanitizer"))
		fail_msg("fcat serve exited %d after signal %d: %s", status, sig, log);
	if (in_log && !strstr(log, in_log))
		fail_msg("'%s' not in the output of fcat serve: %s", in_log, log);
	free(log);
}

void test_server_done(test_server *s)
{
	if (s->pid > 0)
		test_server_stop(s, SIGKILL);
	char *slash = strrchr(s->log, '/');
	if (slash) {
		*slash = '\0';
		test_rmtree(s->log);
	}
	s->log[0] = '\0';
}

void test_served_repo_start(test_served_repo *f, const char *principal, const char *const *extra)
{
	f->repo = test_materialized_demo(&f->parent);
	test_server_start(&f->srv, f->repo, principal, extra);
}

int test_served_repo_teardown(void **state)
{
	test_served_repo *f = *state;
	test_server_done(&f->srv);
	test_repo_done(f->parent, f->repo);
	return 0;
}
