/* redis_cluster.c - a real Redis Cluster for tests: redis-servers in
 * cluster mode on free 127.0.0.1 ports, each in a temporary directory,
 * joined by `redis-cli --cluster create`, and stopped. A server's output
 * goes to a log in its directory, never to the test's: ctest waits for
 * every holder of the test's pipes, so a server left by a failed test
 * would hold the run. */
#include "redis_cluster.h"

#include "testutil.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

const char *test_redis_cli(void)
{
	static char path[4096];
	if (path[0])
		return path;
	const char *env = getenv("PATH");
	char *dirs = strdup(env ? env : "/usr/bin:/bin"), *save = NULL;
	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		snprintf(path, sizeof path, "%s/redis-cli", d);
		if (access(path, X_OK) == 0)
			break;
		path[0] = '\0';
	}
	free(dirs);
	if (!path[0])
		fail_msg("redis-cli is not on PATH (install redis-tools)");
	return path;
}

char *test_cluster_cli(int port, const char *const *args)
{
	char port_text[16];
	snprintf(port_text, sizeof port_text, "%d", port);
	const char *argv[40] = {test_redis_cli(), "-p", port_text};
	int argc = 3;
	for (; *args && argc < 39; args++)
		argv[argc++] = *args;
	test_run r = test_exec(NULL, NULL, argv);
	if (r.status != 0)
		fail_msg("redis-cli -p %d %s failed (%d): %s%s", port, argv[3], r.status, r.out,
		         r.err);
	char *out = r.out;
	r.out = NULL;
	test_run_free(&r);
	return out;
}

char *test_cluster_id(int port)
{
	char *id = test_cluster_cli(port, (const char *[]){"cluster", "myid", NULL});
	id[strcspn(id, "\r\n")] = '\0';
	return id;
}

/* Whether a TCP port of 127.0.0.1 is free now. */
static int port_free(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_port = htons((uint16_t)port),
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int ok = fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

/* A free port whose cluster bus port (port + 10000) is free too. */
static int free_cluster_port(void)
{
	for (int tries = 0; tries < 1000; tries++) {
		int port = test_free_port();
		if (port > 0 && port + 10000 <= 65535 && port_free(port + 10000))
			return port;
	}
	fail_msg("no free pair of ports (port, port + 10000) on 127.0.0.1");
	return -1;
}

static void start_node(test_cluster_node *node)
{
	char *dir = test_mkdtemp();
	snprintf(node->dir, sizeof node->dir, "%s", dir);
	free(dir);
	node->port = free_cluster_port();
	char port[16], conf[4200], log[4200];
	snprintf(port, sizeof port, "%d", node->port);
	snprintf(conf, sizeof conf, "%s/nodes.conf", node->dir);
	snprintf(log, sizeof log, "%s/redis.log", node->dir);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY), fd = open(log, O_WRONLY | O_CREAT, 0644);
		if (null >= 0)
			dup2(null, 0);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		setsid();
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* no orphan when the test dies */
		execlp("redis-server", "redis-server", "--bind", "127.0.0.1", "--port", port,
		       "--cluster-enabled", "yes", "--cluster-config-file", conf,
		       "--cluster-node-timeout", "5000", "--cluster-require-full-coverage", "no",
		       "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", node->dir,
		       (char *)NULL);
		_exit(127);
	}
	node->pid = pid;
}

static int answers(int port)
{
	char port_text[16];
	snprintf(port_text, sizeof port_text, "%d", port);
	const char *argv[] = {test_redis_cli(), "-p", port_text, "ping", NULL};
	test_run r = test_exec(NULL, NULL, argv);
	int ok = r.status == 0 && strstr(r.out, "PONG") != NULL;
	test_run_free(&r);
	return ok;
}

static int state_ok(int port)
{
	char port_text[16];
	snprintf(port_text, sizeof port_text, "%d", port);
	const char *argv[] = {test_redis_cli(), "-p", port_text, "cluster", "info", NULL};
	test_run r = test_exec(NULL, NULL, argv);
	int ok = r.status == 0 && strstr(r.out, "cluster_state:ok") != NULL;
	test_run_free(&r);
	return ok;
}

/* A replica (node i, past the masters) has its link to the master up. */
static int replica_up(const test_cluster *c, int i, int masters)
{
	if (i < masters)
		return 1;
	char *out =
	    test_cluster_cli(c->node[i].port, (const char *[]){"info", "replication", NULL});
	int up = strstr(out, "master_link_status:up") != NULL;
	free(out);
	return up;
}

/* How many node entries CLUSTER SLOTS lists (ports, masters and
 * replicas, counted once per range). */
static int slot_lists(int port)
{
	char *out = test_cluster_cli(port, (const char *[]){"cluster", "slots", NULL});
	int n = 0;
	for (char *p = strstr(out, "127.0.0.1"); p; p = strstr(p + 1, "127.0.0.1"))
		n++;
	free(out);
	return n;
}

void test_cluster_start(test_cluster *c, int masters, int replicas)
{
	memset(c, 0, sizeof *c);
	c->n = masters * (1 + replicas);
	assert_true(c->n <= TEST_CLUSTER_MAX);
	for (int i = 0; i < c->n; i++)
		start_node(&c->node[i]);
	const char *argv[TEST_CLUSTER_MAX + 8] = {test_redis_cli(), "--cluster", "create"};
	char addr[TEST_CLUSTER_MAX][32], reps[16];
	int argc = 3;
	size_t len = 0;
	for (int i = 0; i < c->n; i++) {
		for (int t = 0; !answers(c->node[i].port); t++) {
			if (t == 1000 || waitpid(c->node[i].pid, NULL, WNOHANG) == c->node[i].pid) {
				char log[4200];
				snprintf(log, sizeof log, "%s/redis.log", c->node[i].dir);
				char *text = test_read_file(log);
				fail_msg("redis-server on port %d did not start (is redis-server"
				         " installed?); its log:\n%s",
				         c->node[i].port, text ? text : "(none)");
			}
			sleep_ms(10);
		}
		snprintf(addr[i], sizeof addr[i], "127.0.0.1:%d", c->node[i].port);
		argv[argc++] = addr[i];
		len += (size_t)snprintf(c->seeds + len, sizeof c->seeds - len, "%s%s", i ? "," : "",
		                        addr[i]);
	}
	snprintf(reps, sizeof reps, "%d", replicas);
	argv[argc++] = "--cluster-replicas";
	argv[argc++] = reps;
	argv[argc++] = "--cluster-yes";
	argv[argc] = NULL;
	test_run r = test_exec(NULL, NULL, argv);
	if (r.status != 0)
		fail_msg("redis-cli --cluster create failed (%d): %s%s", r.status, r.out, r.err);
	test_run_free(&r);
	for (int i = 0; i < c->n; i++)
		for (int t = 0; !state_ok(c->node[i].port) || !replica_up(c, i, masters); t++) {
			if (t == 300)
				fail_msg("node 127.0.0.1:%d never said cluster_state:ok (or, a"
				         " replica, master_link_status:up)",
				         c->node[i].port);
			sleep_ms(100);
		}
	/* and every master lists its replicas in CLUSTER SLOTS, which leaves
	 * out a replica still syncing */
	for (int t = 0; replicas && slot_lists(c->node[0].port) < c->n; t++) {
		if (t == 300)
			fail_msg("CLUSTER SLOTS never listed all %d nodes", c->n);
		sleep_ms(100);
	}
}

void test_cluster_kill(test_cluster *c, int i)
{
	if (c->node[i].pid > 0) {
		kill(c->node[i].pid, SIGKILL);
		waitpid(c->node[i].pid, NULL, 0);
		c->node[i].pid = 0;
	}
}

void test_cluster_stop(test_cluster *c)
{
	for (int i = 0; i < c->n; i++) {
		if (c->node[i].pid > 0) {
			kill(c->node[i].pid, SIGTERM);
			waitpid(c->node[i].pid, NULL, 0);
			c->node[i].pid = 0;
		}
		if (c->node[i].dir[0])
			test_rmtree(c->node[i].dir);
		c->node[i].dir[0] = '\0';
	}
	c->n = 0;
}
