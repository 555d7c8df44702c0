/* redis_server.h - a real redis-server for tests, started on 127.0.0.1 on a
 * free port in a temporary directory, and stopped. */
#ifndef FCAT_TEST_REDIS_SERVER_H
#define FCAT_TEST_REDIS_SERVER_H

typedef struct test_redis {
	int pid;
	int port;
	char dir[4096];
	char url[128]; /* redis://127.0.0.1:PORT/0 */
} test_redis;

/* Starts redis-server and waits until it answers PING (at most 10 s).
 * Fails the test with a clear message when it cannot. */
void test_redis_start(test_redis *r);
void test_redis_stop(test_redis *r);

#endif
