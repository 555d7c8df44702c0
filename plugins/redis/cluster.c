/* cluster.c - Redis Cluster: the nodes, their connection pools and the slot
 * map, read with CLUSTER SLOTS from any node that answers. Nodes are only
 * added, never freed before close, so a node pointer stays valid. */
#include "cluster.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct rs_node {
	char *host;
	int port;
	char name[300]; /* host:port, for messages */
	pthread_mutex_t mu;
	redisContext **idle; /* pool_size of them at most */
	unsigned nidle;
};

struct rs_cluster {
	pthread_rwlock_t lock; /* the node list and the map */
	rs_node **nodes;
	size_t nnodes, cap;
	int16_t master[RS_NSLOTS];  /* a node index, -1 when no node serves it */
	int16_t replica[RS_NSLOTS]; /* a replica's index, or -1 */
	pthread_mutex_t refresh;    /* one refresh at a time */
	size_t good;                /* the node that answered the last one */
	bool readonly;              /* READONLY on every connection */
	atomic_uint_fast64_t moved, ask;
	_Atomic int64_t refreshed; /* now_ms() of the last refresh */
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *rs_node_name(const rs_node *node)
{
	return node->name;
}

int rs_node_error(const rs_node *node, const redisContext *c, const char *what)
{
	const char *why = c && c->errstr[0] ? c->errstr : "connection failed";
	return rs_host->error(FCAT_EIO, "redis: %s cluster node %s: %s", what, node->name, why);
}

int rs_node_reply_check(const rs_node *node, const redisReply *r, const char *what)
{
	if (r->type != REDIS_REPLY_ERROR)
		return 0;
	return rs_host->error(FCAT_EIO, "redis: %s on cluster node %s: %.*s", what, node->name,
	                      (int)r->len, r->str);
}

static void node_free(rs_node *node)
{
	if (!node)
		return;
	while (node->nidle)
		redisFree(node->idle[--node->nidle]);
	pthread_mutex_destroy(&node->mu);
	free(node->idle);
	free(node->host);
	free(node);
}

/* Under the write lock. */
static int add_node(rs_store *s, const char *host, size_t host_len, int port, int *index)
{
	rs_cluster *cl = s->cluster;
	for (size_t i = 0; i < cl->nnodes; i++) {
		if (cl->nodes[i]->port == port && strlen(cl->nodes[i]->host) == host_len &&
		    !memcmp(cl->nodes[i]->host, host, host_len)) {
			*index = (int)i;
			return 0;
		}
	}
	if (cl->nnodes >= INT16_MAX)
		return rs_host->error(FCAT_EINVALID, "redis: a cluster of more than %d nodes",
		                      INT16_MAX);
	if (cl->nnodes == cl->cap) {
		size_t cap = cl->cap ? 2 * cl->cap : 8;
		rs_node **nodes = realloc(cl->nodes, cap * sizeof *nodes);
		if (!nodes)
			return rs_host->error(FCAT_ENOMEM, "redis: out of memory");
		cl->nodes = nodes;
		cl->cap = cap;
	}
	rs_node *node = calloc(1, sizeof *node);
	if (!node || !(node->host = strndup(host, host_len)) ||
	    !(node->idle = calloc(s->pool_size, sizeof *node->idle))) {
		if (node) {
			free(node->host);
			free(node);
		}
		return rs_host->error(FCAT_ENOMEM, "redis: out of memory");
	}
	node->port = port;
	snprintf(node->name, sizeof node->name, "%.*s:%d", (int)(host_len > 250 ? 250 : host_len),
	         host, port);
	pthread_mutex_init(&node->mu, NULL);
	*index = (int)cl->nnodes;
	cl->nodes[cl->nnodes++] = node;
	return 0;
}

int rs_cluster_node(rs_store *s, const char *host, size_t host_len, int port, rs_node **out)
{
	rs_cluster *cl = s->cluster;
	int i;
	pthread_rwlock_wrlock(&cl->lock);
	int rc = add_node(s, host, host_len, port, &i);
	if (!rc)
		*out = cl->nodes[i];
	pthread_rwlock_unlock(&cl->lock);
	return rc;
}

int rs_node_get(rs_store *s, rs_node *node, redisContext **out, bool *reused)
{
	pthread_mutex_lock(&node->mu);
	if (node->nidle) {
		*out = node->idle[--node->nidle];
		pthread_mutex_unlock(&node->mu);
		*reused = true;
		return 0;
	}
	pthread_mutex_unlock(&node->mu);
	*reused = false;
	return rs_connect_node(out, s, node->host, node->port, node->name, s->cluster->readonly);
}

void rs_node_drop_idle(rs_node *node)
{
	pthread_mutex_lock(&node->mu);
	while (node->nidle)
		redisFree(node->idle[--node->nidle]);
	pthread_mutex_unlock(&node->mu);
}

void rs_node_put(rs_store *s, rs_node *node, redisContext *c)
{
	if (!c)
		return;
	if (!c->err) {
		pthread_mutex_lock(&node->mu);
		if (node->nidle < s->pool_size) {
			node->idle[node->nidle++] = c;
			c = NULL;
		}
		pthread_mutex_unlock(&node->mu);
	}
	if (c)
		redisFree(c);
}

/* Parses "host:port" of length len. */
static int parse_addr(const char *text, size_t len, const char **host, size_t *host_len, int *port)
{
	const char *colon = NULL;
	for (size_t i = 0; i < len; i++)
		if (text[i] == ':')
			colon = text + i;
	if (!colon || colon == text)
		return -1;
	int p = 0;
	size_t plen = len - (size_t)(colon + 1 - text);
	if (plen == 0 || plen > 5)
		return -1;
	for (size_t i = 0; i < plen; i++) {
		char ch = colon[1 + i];
		if (ch < '0' || ch > '9')
			return -1;
		p = p * 10 + (ch - '0');
	}
	if (p < 1 || p > 65535)
		return -1;
	*host = text;
	*host_len = (size_t)(colon - text);
	*port = p;
	return 0;
}

/* A range of slots and where it is served. */
typedef struct range {
	int start, end, master, replica;
} range;

static const redisReply *elem(const redisReply *r, size_t i, int type)
{
	return r->type == REDIS_REPLY_ARRAY && i < r->elements && r->element[i]->type == type
	           ? r->element[i]
	           : NULL;
}

/* The node of one [ip, port, id, ...] entry; an empty ip means the node
 * that answered. Under the write lock. */
static int entry_node(rs_store *s, const redisReply *e, const rs_node *asked, int *index)
{
	const redisReply *ip = elem(e, 0, REDIS_REPLY_STRING);
	const redisReply *port = elem(e, 1, REDIS_REPLY_INTEGER);
	if (!ip || !port || port->integer < 1 || port->integer > 65535)
		return -1;
	if (ip->len == 0 || (ip->len == 1 && ip->str[0] == '?'))
		return add_node(s, asked->host, strlen(asked->host), (int)port->integer, index);
	return add_node(s, ip->str, ip->len, (int)port->integer, index);
}

/* Installs the map of a CLUSTER SLOTS reply. */
static int install(rs_store *s, const redisReply *r, const rs_node *asked)
{
	rs_cluster *cl = s->cluster;
	if (r->type != REDIS_REPLY_ARRAY)
		return rs_host->error(FCAT_EIO, "redis: CLUSTER SLOTS on %s: not an array",
		                      asked->name);
	int rc = 0;
	pthread_rwlock_wrlock(&cl->lock);
	for (size_t i = 0; i < RS_NSLOTS; i++)
		cl->master[i] = cl->replica[i] = -1;
	for (size_t i = 0; !rc && i < r->elements; i++) {
		const redisReply *e = r->element[i];
		const redisReply *a = elem(e, 0, REDIS_REPLY_INTEGER),
		                 *b = elem(e, 1, REDIS_REPLY_INTEGER);
		const redisReply *m = elem(e, 2, REDIS_REPLY_ARRAY);
		range g = {0, 0, -1, -1};
		if (!a || !b || !m || a->integer < 0 || b->integer >= RS_NSLOTS ||
		    a->integer > b->integer || entry_node(s, m, asked, &g.master)) {
			rc = rs_host->error(FCAT_EIO,
			                    "redis: CLUSTER SLOTS on %s: entry %zu is not"
			                    " [start, end, [ip, port, ...], ...]",
			                    asked->name, i);
			break;
		}
		const redisReply *rep = elem(e, 3, REDIS_REPLY_ARRAY);
		if (rep && entry_node(s, rep, asked, &g.replica))
			g.replica = -1;
		for (long long slot = a->integer; slot <= b->integer; slot++) {
			cl->master[slot] = (int16_t)g.master;
			cl->replica[slot] = (int16_t)g.replica;
		}
	}
	pthread_rwlock_unlock(&cl->lock);
	return rc;
}

/* Asks one node for the map. */
static int refresh_from(rs_store *s, rs_node *node)
{
	redisContext *c;
	bool reused;
	int rc = rs_node_get(s, node, &c, &reused);
	if (rc)
		return rc;
	redisReply *r = redisCommand(c, "CLUSTER SLOTS");
	if (!r)
		rc = rs_node_error(node, c, "lost the connection to");
	else if (!(rc = rs_node_reply_check(node, r, "CLUSTER SLOTS")))
		rc = install(s, r, node);
	freeReplyObject(r);
	rs_node_put(s, node, c);
	return rc;
}

int rs_cluster_refresh(rs_store *s)
{
	rs_cluster *cl = s->cluster;
	pthread_mutex_lock(&cl->refresh);
	int rc = -1;
	/* from the node that answered last: a dead one costs a timeout */
	for (size_t i = 0;; i++) {
		pthread_rwlock_rdlock(&cl->lock);
		size_t at = (cl->good + i) % cl->nnodes;
		rs_node *node = i < cl->nnodes ? cl->nodes[at] : NULL;
		pthread_rwlock_unlock(&cl->lock);
		if (!node)
			break;
		if (!(rc = refresh_from(s, node))) {
			cl->good = at;
			atomic_store(&cl->refreshed, now_ms());
			break;
		}
	}
	if (rc) {
		char last[512]; /* the message is about to be replaced */
		snprintf(last, sizeof last, "%s", rs_host->error_last());
		rc = rs_host->error(FCAT_EIO,
		                    "redis: no node of the %s answered CLUSTER SLOTS"
		                    " (the last: %s)",
		                    s->url.display, last);
	}
	pthread_mutex_unlock(&cl->refresh);
	return rc;
}

/* The node serving a slot (a replica when asked and there is one), or
 * NULL. */
static rs_node *lookup(rs_cluster *cl, unsigned slot, bool replica, bool *no_replica)
{
	pthread_rwlock_rdlock(&cl->lock);
	int i = replica && cl->replica[slot] >= 0 ? cl->replica[slot] : cl->master[slot];
	*no_replica = replica && cl->replica[slot] < 0;
	rs_node *node = i >= 0 ? cl->nodes[i] : NULL;
	pthread_rwlock_unlock(&cl->lock);
	return node;
}

int rs_cluster_route(rs_store *s, unsigned slot, bool replica, rs_node **out)
{
	rs_cluster *cl = s->cluster;
	bool no_replica;
	*out = lookup(cl, slot, replica, &no_replica);
	/* A replica still syncing is left out of CLUSTER SLOTS: a slot read
	 * from its master looks again for one now and then. */
	if (*out && no_replica && now_ms() - atomic_load(&cl->refreshed) >= RS_REPLICA_RECHECK_MS) {
		atomic_store(&cl->refreshed, now_ms());
		if (!rs_cluster_refresh(s))
			*out = lookup(cl, slot, replica, &no_replica);
	}
	if (*out)
		return 0;
	int rc = rs_cluster_refresh(s);
	if (rc)
		return rc;
	if ((*out = lookup(cl, slot, replica, &no_replica)))
		return 0;
	return rs_host->error(FCAT_EIO, "redis: no node of the cluster serves slot %u", slot);
}

int rs_cluster_master(rs_store *s, unsigned slot, rs_node **out)
{
	return rs_cluster_route(s, slot, false, out);
}

int rs_cluster_masters(rs_store *s, rs_node ***out, size_t *n)
{
	rs_cluster *cl = s->cluster;
	pthread_rwlock_rdlock(&cl->lock);
	rs_node **list = calloc(cl->nnodes ? cl->nnodes : 1, sizeof *list);
	bool *seen = calloc(cl->nnodes ? cl->nnodes : 1, sizeof *seen);
	*n = 0;
	for (size_t i = 0; list && seen && i < RS_NSLOTS; i++) {
		int m = cl->master[i];
		if (m >= 0 && !seen[m]) {
			seen[m] = true;
			list[(*n)++] = cl->nodes[m];
		}
	}
	pthread_rwlock_unlock(&cl->lock);
	free(seen);
	if (!list || !seen) {
		free(list);
		return rs_host->error(FCAT_ENOMEM, "redis: out of memory");
	}
	*out = list;
	return 0;
}

void rs_cluster_counts(const rs_store *s, uint64_t *moved, uint64_t *ask)
{
	*moved = s->cluster ? atomic_load(&s->cluster->moved) : 0;
	*ask = s->cluster ? atomic_load(&s->cluster->ask) : 0;
}

void rs_cluster_count(rs_store *s, bool ask)
{
	atomic_fetch_add(ask ? &s->cluster->ask : &s->cluster->moved, 1);
}

int rs_cluster_open(rs_store *s, const char *seeds)
{
	rs_cluster *cl = calloc(1, sizeof *cl);
	if (!cl)
		return rs_host->error(FCAT_ENOMEM, "redis: out of memory");
	pthread_rwlock_init(&cl->lock, NULL);
	pthread_mutex_init(&cl->refresh, NULL);
	cl->readonly = s->read_replicas;
	s->cluster = cl;
	for (size_t i = 0; i < RS_NSLOTS; i++)
		cl->master[i] = cl->replica[i] = -1;
	for (const char *p = seeds; *p;) {
		size_t len = strcspn(p, ",");
		const char *host;
		size_t host_len, skip = 0;
		int port, index;
		while (len && p[skip] == ' ')
			skip++, len--;
		while (len && p[skip + len - 1] == ' ')
			len--;
		if (parse_addr(p + skip, len, &host, &host_len, &port))
			return rs_host->error(FCAT_EINVALID,
			                      "redis: cluster node '%.*s' (in '%s') is not"
			                      " host:port",
			                      (int)len, p + skip, seeds);
		pthread_rwlock_wrlock(&cl->lock);
		int rc = add_node(s, host, host_len, port, &index);
		pthread_rwlock_unlock(&cl->lock);
		if (rc)
			return rc;
		p += strcspn(p, ",");
		if (*p == ',' && !*++p) /* "a:1," */
			return rs_host->error(
			    FCAT_EINVALID, "redis: cluster '%s' ends with a comma: an empty node",
			    seeds);
	}
	if (!cl->nnodes)
		return rs_host->error(FCAT_EINVALID, "redis: the cluster setting names no node");
	return rs_cluster_refresh(s);
}

void rs_cluster_close(rs_store *s)
{
	rs_cluster *cl = s->cluster;
	if (!cl)
		return;
	for (size_t i = 0; i < cl->nnodes; i++)
		node_free(cl->nodes[i]);
	free(cl->nodes);
	pthread_rwlock_destroy(&cl->lock);
	pthread_mutex_destroy(&cl->refresh);
	free(cl);
	s->cluster = NULL;
}
