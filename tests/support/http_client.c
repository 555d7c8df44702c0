/* http_client.c - a tiny HTTP/1.1 client over plain sockets for the tests
 * of fcat serve: one request per connection (Connection: close), the reply
 * read until the server closes, split into status, headers and body. */
#include "http_client.h"

#include "testutil.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

static int connect_to(int port)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_port = htons((uint16_t)port),
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a) != 0) {
		if (s >= 0)
			close(s);
		return -1;
	}
	return s;
}

/* Splits "HTTP/1.1 200 OK\r\nh: v\r\n\r\nbody" (taking the last reply
 * after any 100 Continue). */
static test_http_reply parse(char *raw, size_t n)
{
	test_http_reply r = {0};
	char *at = raw;
	while (n - (size_t)(at - raw) > 12 && !strncmp(at, "HTTP/1.1 100", 12)) {
		char *end = strstr(at, "\r\n\r\n");
		if (!end)
			break;
		at = end + 4;
	}
	char *head_end = strstr(at, "\r\n\r\n");
	if (strncmp(at, "HTTP/1.", 7) != 0 || !head_end) {
		r.headers = strdup("");
		r.body = strdup("");
		return r;
	}
	r.status = atoi(at + 9);
	char *line_end = strstr(at, "\r\n");
	r.headers = strndup(line_end + 2, (size_t)(head_end - line_end));
	r.body_len = n - (size_t)(head_end + 4 - raw);
	r.body = malloc(r.body_len + 1);
	memcpy(r.body, head_end + 4, r.body_len);
	r.body[r.body_len] = '\0';
	return r;
}

test_http_reply test_http_raw(int port, const char *bytes, size_t len)
{
	int s = connect_to(port);
	if (s < 0)
		fail_msg("cannot connect to 127.0.0.1:%d", port);
	/* the server may answer and close before it has read everything */
	for (size_t sent = 0; sent < len;) {
		ssize_t w = send(s, bytes + sent, len - sent, MSG_NOSIGNAL);
		if (w <= 0)
			break;
		sent += (size_t)w;
	}
	shutdown(s, SHUT_WR);
	size_t cap = 8192, n = 0;
	char *raw = malloc(cap);
	for (;;) {
		if (n + 4096 + 1 > cap)
			raw = realloc(raw, cap *= 2);
		ssize_t got = read(s, raw + n, cap - n - 1);
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	raw[n] = '\0';
	close(s);
	test_http_reply r = parse(raw, n);
	free(raw);
	return r;
}

test_http_reply test_http(int port, const char *method, const char *path, const char *body)
{
	size_t blen = body ? strlen(body) : 0;
	char head[1024];
	int hlen = snprintf(head, sizeof head,
	                    "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
	                    "Content-Type: application/json\r\nContent-Length: %zu\r\n"
	                    "Connection: close\r\n\r\n",
	                    method, path, port, blen);
	char *req = malloc((size_t)hlen + blen + 1);
	memcpy(req, head, (size_t)hlen);
	if (blen)
		memcpy(req + hlen, body, blen);
	test_http_reply r = test_http_raw(port, req, (size_t)hlen + blen);
	free(req);
	return r;
}

char *test_http_header(const test_http_reply *r, const char *name)
{
	size_t nlen = strlen(name);
	for (const char *line = r->headers; line && *line;) {
		const char *end = strstr(line, "\r\n");
		if (!end)
			end = line + strlen(line);
		if (!strncasecmp(line, name, nlen) && line[nlen] == ':') {
			const char *v = line + nlen + 1;
			while (*v == ' ')
				v++;
			return strndup(v, (size_t)(end - v));
		}
		line = *end ? end + 2 : end;
	}
	return NULL;
}

void test_http_expect_header(const test_http_reply *r, const char *name, const char *want)
{
	char *got = test_http_header(r, name);
	if (!got)
		fail_msg("no %s header; expected '%s'", name, want);
	assert_string_equal(got, want);
	free(got);
}

void test_http_reply_free(test_http_reply *r)
{
	free(r->headers);
	free(r->body);
	r->headers = r->body = NULL;
}
