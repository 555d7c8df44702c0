/* redis_server.c - a real redis-server for tests, started on 127.0.0.1 on a
 * free port in a temporary directory, and stopped. */
#include "redis_server.h"

#include "testutil.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int ping(int port)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_port = htons((uint16_t)port),
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int ok = 0;
	if (connect(s, (struct sockaddr *)&a, sizeof a) == 0 && write(s, "PING\r\n", 6) == 6) {
		char buf[16] = {0};
		ok = read(s, buf, sizeof buf - 1) > 0 && strncmp(buf, "+PONG", 5) == 0;
	}
	close(s);
	return ok;
}

void test_redis_start(test_redis *r)
{
	memset(r, 0, sizeof *r);
	char *dir = test_mkdtemp();
	snprintf(r->dir, sizeof r->dir, "%s", dir);
	free(dir);
	r->port = test_free_port();
	char port[16];
	snprintf(port, sizeof port, "%d", r->port);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* nothing of the test's own: ctest reads the test's output until
		 * every holder closes it, so a server left behind by a failed test
		 * would hold the run until its timeout */
		char log[4200];
		snprintf(log, sizeof log, "%s/redis.log", r->dir);
		int null = open("/dev/null", O_WRONLY), err = open(log, O_WRONLY | O_CREAT, 0644);
		if (null >= 0)
			dup2(null, 1);
		if (err >= 0)
			dup2(err, 2);
		setsid(); /* and no signal of the test's terminal */
		execlp("redis-server", "redis-server", "--bind", "127.0.0.1", "--port", port,
		       "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", r->dir,
		       (char *)NULL);
		_exit(127); /* the parent says so: redis-server never answers */
	}
	r->pid = pid;
	for (int i = 0; i < 1000; i++) {
		if (ping(r->port)) {
			snprintf(r->url, sizeof r->url, "redis://127.0.0.1:%d/0", r->port);
			return;
		}
		int status;
		if (waitpid(pid, &status, WNOHANG) == pid)
			fail_msg("redis-server exited before answering (is it installed?)");
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	test_redis_stop(r);
	fail_msg("redis-server did not answer PING on port %d within 10 s", r->port);
}

void test_redis_stop(test_redis *r)
{
	if (r->pid > 0) {
		kill(r->pid, SIGTERM);
		waitpid(r->pid, NULL, 0);
		r->pid = 0;
	}
	if (r->dir[0])
		test_rmtree(r->dir);
	r->dir[0] = '\0';
}
