/* cluster.h - Redis Cluster: the slot map, the nodes and their connections,
 * and running commands on the nodes that hold their keys (MOVED, ASK). */
#ifndef FCAT_REDIS_CLUSTER_H
#define FCAT_REDIS_CLUSTER_H

#include "redis_store.h"

/* Redirections one command may follow before it is an error. */
#define RS_REDIRECTS 8
/* With read_from_replicas, how often a slot without a known replica reads
 * the map again to look for one (a replica still syncing is not listed). */
#define RS_REPLICA_RECHECK_MS 5000

typedef struct rs_node rs_node;

/* One command of rs_cluster_run. The caller fills argc, argv, lens and
 * slot (rs_key_slot of its key); rs_cluster_run sets reply. */
typedef struct rs_cmd {
	int argc;
	const char **argv;
	const size_t *lens;
	unsigned slot;
	redisReply *reply; /* the final answer (maybe an error reply); the
	                    * caller frees it */
	rs_node *to;       /* rs_cluster_run's: where a redirection sends it */
	bool asking;       /* rs_cluster_run's: ASK, so ASKING goes first */
} rs_cmd;

/* Parses the seed list ("host:port,host:port"), reads the slot map from the
 * first seed that answers CLUSTER SLOTS and keeps it in s->cluster. */
int rs_cluster_open(rs_store *s, const char *seeds);
void rs_cluster_close(rs_store *s);

/* Reads the slot map again (after MOVED, or a node that failed). */
int rs_cluster_refresh(rs_store *s);

/* Sends every command to the node that serves its slot (a replica when
 * `replicas` and the slot has one), pipelined: one round trip per node,
 * the nodes written to before any is read. Follows MOVED (and refreshes
 * the map once) and ASK (ASKING first), RS_REDIRECTS times at most. On
 * failure (a node that cannot be reached names the node) no reply is left
 * in cmds. */
int rs_cluster_run(rs_store *s, rs_cmd *cmds, size_t n, bool replicas);

/* The node that serves a slot: a replica when `replica` and the slot has
 * one, else its master. Reads the map again when no node is known. */
int rs_cluster_route(rs_store *s, unsigned slot, bool replica, rs_node **out);
/* The node that serves a slot as master. */
int rs_cluster_master(rs_store *s, unsigned slot, rs_node **out);
/* The masters of the slot map: a malloc'd array of borrowed nodes. */
int rs_cluster_masters(rs_store *s, rs_node ***out, size_t *n);
/* The node at host:port, added when new. */
int rs_cluster_node(rs_store *s, const char *host, size_t host_len, int port, rs_node **out);

/* A node's connections: a pool of pool_size idle ones, more made on
 * demand. *reused: whether it had been used before. */
int rs_node_get(rs_store *s, rs_node *node, redisContext **out, bool *reused);
void rs_node_put(rs_store *s, rs_node *node, redisContext *c);
/* Closes a node's idle connections (after one of them failed). */
void rs_node_drop_idle(rs_node *node);
const char *rs_node_name(const rs_node *node);
/* Reports a failure of a node's connection, naming the node; FCAT_EIO. */
int rs_node_error(const rs_node *node, const redisContext *c, const char *what);
/* Checks a node's reply is not an error; names the node otherwise. */
int rs_node_reply_check(const rs_node *node, const redisReply *r, const char *what);

/* Counts one redirection followed (MOVED, or ASK when `ask`). */
void rs_cluster_count(rs_store *s, bool ask);
/* Redirections followed since open (for tests and benchmarks). */
void rs_cluster_counts(const rs_store *s, uint64_t *moved, uint64_t *ask);

#endif
