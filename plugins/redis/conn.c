/* conn.c - connecting (AUTH, SELECT) and the pool of connections. */
#include "redis_store.h"

#include <stdio.h>
#include <string.h>

int rs_conn_error(const rs_store *s, const redisContext *c, const char *what)
{
	const char *why = c && c->errstr[0] ? c->errstr : "connection failed";
	return rs_host->error(FCAT_EIO, "redis: %s %s: %s", what, s->url.display, why);
}

int rs_reply_check(const rs_store *s, const redisReply *r, const char *what)
{
	if (r->type != REDIS_REPLY_ERROR)
		return 0;
	return rs_host->error(FCAT_EIO, "redis: %s on %s: %.*s", what, s->url.display, (int)r->len,
	                      r->str);
}

/* Runs one command and checks its reply is not an error. */
static int command(redisContext *c, const char *display, const char *what, int argc,
                   const char **argv)
{
	redisReply *r = redisCommandArgv(c, argc, argv, NULL);
	if (!r) {
		const char *why = c->errstr[0] ? c->errstr : "connection failed";
		return rs_host->error(FCAT_EIO, "redis: lost the connection to %s: %s", display,
		                      why);
	}
	int rc = 0;
	if (r->type == REDIS_REPLY_ERROR)
		rc = rs_host->error(FCAT_EIO, "redis: %s on %s: %.*s", what, display, (int)r->len,
		                    r->str);
	freeReplyObject(r);
	return rc;
}

/* Timeouts, AUTH, then SELECT (one server) or READONLY (a replica). */
static int handshake(rs_store *s, redisContext *c, const char *display, bool tcp, int db,
                     bool readonly)
{
	int rc = 0;
	if (s->command_timeout.tv_sec || s->command_timeout.tv_usec)
		if (redisSetTimeout(c, s->command_timeout) != REDIS_OK)
			return rs_host->error(FCAT_EIO, "redis: cannot set the timeout of %s",
			                      display);
	if (tcp)
		redisEnableKeepAlive(c);
	if (s->password) {
		const char *argv[] = {"AUTH", s->url.user ? s->url.user : s->password, s->password};
		rc = command(c, display, "AUTH", s->url.user ? 3 : 2, argv);
	}
	if (!rc && db) {
		char text[16];
		snprintf(text, sizeof text, "%d", db);
		const char *argv[] = {"SELECT", text};
		rc = command(c, display, "SELECT", 2, argv);
	}
	if (!rc && readonly) {
		const char *argv[] = {"READONLY"};
		rc = command(c, display, "READONLY", 1, argv);
	}
	return rc;
}

int rs_connect(redisContext **out, rs_store *s)
{
	redisContext *c =
	    s->url.port ? redisConnectWithTimeout(s->url.host, s->url.port, s->connect_timeout)
	                : redisConnectUnixWithTimeout(s->url.host, s->connect_timeout);
	if (!c)
		return rs_host->error(FCAT_ENOMEM, "redis: out of memory");
	int rc = c->err ? rs_conn_error(s, c, "cannot connect to")
	                : handshake(s, c, s->url.display, s->url.port != 0, s->url.db, false);
	if (rc) {
		redisFree(c);
		return rc;
	}
	*out = c;
	return 0;
}

int rs_connect_node(redisContext **out, rs_store *s, const char *host, int port,
                    const char *display, bool readonly)
{
	redisContext *c = redisConnectWithTimeout(host, port, s->connect_timeout);
	if (!c)
		return rs_host->error(FCAT_ENOMEM, "redis: out of memory");
	int rc = 0;
	if (c->err)
		rc = rs_host->error(FCAT_EIO, "redis: cannot connect to cluster node %s: %s",
		                    display, c->errstr);
	else
		rc = handshake(s, c, display, true, 0, readonly);
	if (rc) {
		redisFree(c);
		return rc;
	}
	*out = c;
	return 0;
}

int rs_conn_get(rs_store *s, redisContext **out, bool *reused)
{
	pthread_mutex_lock(&s->mu);
	while (!s->nidle && s->nlive >= s->pool_size)
		pthread_cond_wait(&s->cv, &s->mu);
	if (s->nidle) {
		*out = s->idle[--s->nidle];
		pthread_mutex_unlock(&s->mu);
		*reused = true;
		return 0;
	}
	s->nlive++;
	pthread_mutex_unlock(&s->mu);
	*reused = false;
	int rc = rs_connect(out, s);
	if (rc) {
		pthread_mutex_lock(&s->mu);
		s->nlive--;
		pthread_cond_signal(&s->cv);
		pthread_mutex_unlock(&s->mu);
	}
	return rc;
}

void rs_conn_put(rs_store *s, redisContext *c)
{
	bool broken = c->err != 0;
	if (broken)
		redisFree(c);
	pthread_mutex_lock(&s->mu);
	if (broken)
		s->nlive--;
	else
		s->idle[s->nidle++] = c;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

void rs_pool_close(rs_store *s)
{
	while (s->nidle)
		redisFree(s->idle[--s->nidle]);
	s->nlive = 0;
}

int rs_with_conn(rs_store *s, rs_conn_fn fn, void *ctx)
{
	for (int attempt = 0;; attempt++) {
		redisContext *c;
		bool reused;
		int rc = rs_conn_get(s, &c, &reused);
		if (rc)
			return rc;
		rc = fn(s, c, ctx);
		/* A reused connection may have gone stale (a server restart,
		 * an idle timeout): try once more on a fresh one. Every
		 * operation here may be repeated: writes keep the newer row. */
		bool retry = rc && c->err && reused && attempt == 0;
		rs_conn_put(s, c);
		if (!retry)
			return rc;
	}
}
