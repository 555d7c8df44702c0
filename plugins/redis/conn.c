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
static int command(rs_store *s, redisContext *c, const char *what, int argc, const char **argv)
{
	redisReply *r = redisCommandArgv(c, argc, argv, NULL);
	if (!r)
		return rs_conn_error(s, c, "lost the connection to");
	int rc = rs_reply_check(s, r, what);
	freeReplyObject(r);
	return rc;
}

static int handshake(rs_store *s, redisContext *c)
{
	int rc = 0;
	if (s->command_timeout.tv_sec || s->command_timeout.tv_usec)
		if (redisSetTimeout(c, s->command_timeout) != REDIS_OK)
			return rs_conn_error(s, c, "cannot set the timeout of");
	if (s->url.port)
		redisEnableKeepAlive(c);
	if (s->password) {
		const char *argv[] = {"AUTH", s->url.user ? s->url.user : s->password, s->password};
		rc = command(s, c, "AUTH", s->url.user ? 3 : 2, argv);
	}
	if (!rc && s->url.db) {
		char db[16];
		snprintf(db, sizeof db, "%d", s->url.db);
		const char *argv[] = {"SELECT", db};
		rc = command(s, c, "SELECT", 2, argv);
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
	int rc = c->err ? rs_conn_error(s, c, "cannot connect to") : handshake(s, c);
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
