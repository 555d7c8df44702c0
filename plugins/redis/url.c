/* url.c - parses the `url` setting: redis://[user:password@]host[:port][/db]
 * or unix:///path/to/redis.sock[?db=N]. */
#include "redis_store.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int bad(const char *text, const char *why)
{
	return rs_host->error(FCAT_EINVALID, "redis: url '%s': %s", text, why);
}

static int parse_int(int *out, const char *p, size_t len, long max)
{
	if (len == 0 || len > 10)
		return -1;
	long v = 0;
	for (size_t i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	if (v > max)
		return -1;
	*out = (int)v;
	return 0;
}

static int parse_unix(rs_url *out, const char *text)
{
	const char *path = text + strlen("unix://");
	const char *q = strchr(path, '?');
	size_t len = q ? (size_t)(q - path) : strlen(path);
	if (len == 0 || path[0] != '/')
		return bad(text, "a unix socket needs an absolute path (unix:///run/redis.sock)");
	if (q && (strncmp(q, "?db=", 4) != 0 || parse_int(&out->db, q + 4, strlen(q + 4), INT_MAX)))
		return bad(text, "the only query allowed is ?db=N");
	out->host = strndup(path, len);
	return out->host ? 0 : FCAT_ENOMEM;
}

static int parse_userinfo(rs_url *out, const char *p, size_t len)
{
	const char *colon = memchr(p, ':', len);
	size_t ulen = colon ? (size_t)(colon - p) : len;
	if (!colon) /* redis://password@host, as redis-cli reads it */
		return (out->password = strndup(p, len)) ? 0 : FCAT_ENOMEM;
	if (ulen && !(out->user = strndup(p, ulen)))
		return FCAT_ENOMEM;
	out->password = strndup(colon + 1, len - ulen - 1);
	return out->password ? 0 : FCAT_ENOMEM;
}

static int parse_tcp(rs_url *out, const char *text)
{
	const char *p = text + strlen("redis://");
	const char *end = p + strcspn(p, "/?#");
	const char *at = memchr(p, '@', (size_t)(end - p));
	if (at) {
		int rc = parse_userinfo(out, p, (size_t)(at - p));
		if (rc)
			return rc;
		p = at + 1;
	}
	const char *host = p, *host_end, *port = NULL;
	if (*p == '[') { /* [::1]:6379 */
		host = p + 1;
		host_end = memchr(host, ']', (size_t)(end - host));
		if (!host_end)
			return bad(text, "an IPv6 address needs its closing ']'");
		if (host_end + 1 < end && host_end[1] != ':')
			return bad(text, "expected ':' after ']'");
		if (host_end + 1 < end)
			port = host_end + 2;
	} else {
		host_end = memchr(p, ':', (size_t)(end - p));
		if (host_end)
			port = host_end + 1;
		else
			host_end = end;
	}
	if (host_end == host)
		return bad(text, "no host");
	out->port = 6379;
	if (port && parse_int(&out->port, port, (size_t)(end - port), 65535))
		return bad(text, "the port is not a number from 1 to 65535");
	if (out->port == 0)
		return bad(text, "the port is not a number from 1 to 65535");
	if (*end == '/' && end[1] && parse_int(&out->db, end + 1, strlen(end + 1), INT_MAX))
		return bad(text, "the database after '/' is not a number");
	if (*end == '?' || *end == '#')
		return bad(text, "query strings are not supported; use the password setting");
	out->host = strndup(host, (size_t)(host_end - host));
	return out->host ? 0 : FCAT_ENOMEM;
}

static int make_display(rs_url *u)
{
	char db[32] = "";
	const char *v6 = strchr(u->host, ':') ? "[" : "";
	int n;
	if (u->port == 0) {
		if (u->db)
			snprintf(db, sizeof db, "?db=%d", u->db);
		n = asprintf(&u->display, "unix://%s%s", u->host, db);
	} else {
		n = asprintf(&u->display, "redis://%s%s%s:%d/%d", v6, u->host, *v6 ? "]" : "",
		             u->port, u->db);
	}
	if (n < 0) {
		u->display = NULL;
		return FCAT_ENOMEM;
	}
	return 0;
}

int rs_url_parse(rs_url *out, const char *text)
{
	memset(out, 0, sizeof *out);
	int rc;
	if (strncmp(text, "unix://", 7) == 0)
		rc = parse_unix(out, text);
	else if (strncmp(text, "redis://", 8) == 0)
		rc = parse_tcp(out, text);
	else if (strncmp(text, "rediss://", 9) == 0)
		rc = bad(text, "TLS (rediss://) is not supported");
	else
		rc = bad(text, "expected redis://host:port[/db] or unix:///path.sock");
	if (!rc)
		rc = make_display(out);
	if (rc == FCAT_ENOMEM)
		rs_host->error(rc, "redis: out of memory");
	if (rc)
		rs_url_clear(out);
	return rc;
}

void rs_url_clear(rs_url *url)
{
	free(url->host);
	free(url->user);
	free(url->password);
	free(url->display);
	memset(url, 0, sizeof *url);
}
