/* http_client.h - a tiny HTTP/1.1 client over plain sockets for the tests
 * of fcat serve: one request per connection, the whole reply read. */
#ifndef FCAT_TEST_HTTP_CLIENT_H
#define FCAT_TEST_HTTP_CLIENT_H

#include <stddef.h>

typedef struct test_http_reply {
	int status;    /* the status line's code; 0 when no reply came */
	char *headers; /* the header lines, NUL-terminated, malloc'd */
	char *body;    /* the body, NUL-terminated, malloc'd */
	size_t body_len;
} test_http_reply;

/* Sends `method path` to 127.0.0.1:port with the body (may be NULL) as
 * application/json, with Content-Length and Connection: close, and reads
 * the reply to the end. Fails the test when it cannot connect. */
test_http_reply test_http(int port, const char *method, const char *path, const char *body);

/* Sends raw bytes as they are (a request of the caller's making) and reads
 * the reply to the end. */
test_http_reply test_http_raw(int port, const char *bytes, size_t len);

/* The value of a header of the reply (case-insensitive name), malloc'd;
 * NULL when absent. */
char *test_http_header(const test_http_reply *r, const char *name);

/* Asserts that the reply has the header `name` with the value `want`. */
void test_http_expect_header(const test_http_reply *r, const char *name, const char *want);

void test_http_reply_free(test_http_reply *r);

#endif
