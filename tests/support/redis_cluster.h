/* redis_cluster.h - a real Redis Cluster for tests: redis-servers in
 * cluster mode on free 127.0.0.1 ports, each in a temporary directory,
 * joined by `redis-cli --cluster create`, and stopped. */
#ifndef FCAT_TEST_REDIS_CLUSTER_H
#define FCAT_TEST_REDIS_CLUSTER_H

#define TEST_CLUSTER_MAX 8

typedef struct test_cluster_node {
	int pid;
	int port;
	char dir[4096];
} test_cluster_node;

typedef struct test_cluster {
	int n; /* servers: masters first, then replicas */
	test_cluster_node node[TEST_CLUSTER_MAX];
	char seeds[512]; /* "127.0.0.1:P1,127.0.0.1:P2,..." (every node) */
} test_cluster;

/* Starts `masters` masters and `replicas` replicas of each, makes them one
 * cluster and waits until every node says cluster_state:ok (at most 30 s).
 * Fails the test with a clear message when it cannot. */
void test_cluster_start(test_cluster *c, int masters, int replicas);
/* Stops every server still running and removes their directories. */
void test_cluster_stop(test_cluster *c);
/* Kills one server (SIGKILL) and waits for it. */
void test_cluster_kill(test_cluster *c, int i);

/* The full path of redis-cli; fails the test when it is not on PATH. */
const char *test_redis_cli(void);
/* Runs `redis-cli -p port ARGS...` (args NULL-terminated); its standard
 * output, malloc'd. Fails the test when redis-cli fails. */
char *test_cluster_cli(int port, const char *const *args);
/* The node id of the server on `port` (CLUSTER MYID), malloc'd. */
char *test_cluster_id(int port);

#endif
