/* pg_server.h - a PostgreSQL server a test starts itself, and SQL on it:
 * the server of the postgres plugin's tests. */
#ifndef FCAT_TEST_PG_SERVER_H
#define FCAT_TEST_PG_SERVER_H

#include "offline_rows.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct test_pg_server {
	char bin[1024]; /* /usr/lib/postgresql/N/bin */
	char *dir;      /* data, socket and log */
	int port;
	bool as_nobody; /* root runs the server as nobody: postgres refuses root */
	bool running;
	char dsn[256]; /* of its database fcat_test */
} test_pg_server;

/* The one server of a test program, between test_pg_start and test_pg_stop
 * (cmocka group setup and teardown). */
extern test_pg_server test_pg;
int test_pg_start(void **state);
int test_pg_stop(void **state);

/* Runs `sql` (several statements allowed) on database `db`: true when it
 * ran, else false with the server's message in msg. */
bool test_pg_try_exec(const char *db, const char *sql, char *msg, size_t size);
/* The same, failing the test with the message. */
void test_pg_exec(const char *db, const char *sql);
/* The first column of the first row of query `sql` on database `db`, in
 * out (size bytes; "" without rows). */
void test_pg_value(const char *db, const char *sql, char *out, size_t size);

/* Scans through the postgres plugin with setting dsn (and schema when not
 * NULL); r's text is freed by the caller. */
int test_pg_scan(const char *schema, const fcat_scan_request *req, test_rows *r);

#endif
