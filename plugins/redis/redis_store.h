/* redis_store.h - what the redis online store's files share. */
#ifndef FCAT_REDIS_STORE_H
#define FCAT_REDIS_STORE_H

#include "fcat_plugin.h"

#include <hiredis/hiredis.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/time.h>

/* Commands sent before their replies are read. */
#define RS_PIPELINE 1024

extern const fcat_plugin_host *rs_host;

/* Where the server is: parsed from the `url` setting. */
typedef struct rs_url {
	char *host; /* a host name or address, or a socket path */
	int port;   /* 0 for a unix socket */
	int db;
	char *user;     /* NULL unless given in the url */
	char *password; /* NULL unless given in the url */
	char *display;  /* the url for messages, without credentials */
} rs_url;

int rs_url_parse(rs_url *out, const char *text);
void rs_url_clear(rs_url *url);

typedef struct rs_slot rs_slot;
typedef struct rs_cluster rs_cluster;

typedef struct rs_store {
	rs_url url;
	char *password; /* the `password` setting, or the url's */
	char *prefix;
	size_t prefix_len;
	struct timeval connect_timeout, command_timeout;
	unsigned pool_size;
	char sha[41];        /* the write script's, from SCRIPT LOAD */
	rs_cluster *cluster; /* NULL: one server, at url */
	bool read_replicas;  /* cluster reads go to replicas (READONLY) */

	pthread_mutex_t mu; /* guards the pool */
	pthread_cond_t cv;
	redisContext **idle;
	unsigned nidle, nlive;

	uint64_t gen;   /* unique among stores ever opened */
	rs_slot *slots; /* every thread's replies; under the slots lock */
} rs_store;

/* Connections: a pool of at most pool_size, made on demand. */
int rs_connect(redisContext **out, rs_store *s);
/* A connection to one node of a cluster ("display" names it in messages);
 * READONLY when `readonly` (reads from a replica). */
int rs_connect_node(redisContext **out, rs_store *s, const char *host, int port,
                    const char *display, bool readonly);
/* Takes a connection; *reused tells whether it had been used before (a
 * reused one may have gone stale, so a failure on it is worth one retry). */
int rs_conn_get(rs_store *s, redisContext **out, bool *reused);
/* Gives a connection back; a broken one is freed. */
void rs_conn_put(rs_store *s, redisContext *c);
void rs_pool_close(rs_store *s);
/* Runs fn on a pooled connection, once more on a fresh one when a reused
 * connection broke. */
typedef int (*rs_conn_fn)(rs_store *s, redisContext *c, void *ctx);
int rs_with_conn(rs_store *s, rs_conn_fn fn, void *ctx);
/* Marks a connection unusable (commands left unanswered in its buffer). */
#define RS_CONN_POISON(c) ((c)->err = (c)->err ? (c)->err : REDIS_ERR_OOM)
/* Reports a connection failure naming the url; returns FCAT_EIO. */
int rs_conn_error(const rs_store *s, const redisContext *c, const char *what);
/* Checks a reply is not an error; reports it naming the url otherwise. */
int rs_reply_check(const rs_store *s, const redisReply *r, const char *what);

/* Keys: "<prefix>:{<hex of the entity key>}:<view>" and "<prefix>:__meta".
 * The braces are a Redis Cluster hash tag: one entity, one slot. */
size_t rs_key_size(const rs_store *s, size_t key_len, size_t view_len);
size_t rs_key(char *buf, const rs_store *s, fcat_bytes key, const char *view, size_t view_len);
bool rs_key_is_view(const rs_store *s, const char *key, size_t len, const char *view);
/* A SCAN pattern for the keys of a view (a superset: check rs_key_is_view).
 * malloc'd. */
char *rs_view_pattern(const rs_store *s, const char *view);
char *rs_meta_key(const rs_store *s);

/* The replies a thread's last read returned, kept until its next read on
 * the same store, or close. */
struct rs_slot {
	uint64_t gen;    /* the store's; never changes */
	rs_store *store; /* NULL once the store is closed */
	redisReply **r;
	size_t n, cap;
	rs_slot *tnext;         /* the thread's slots */
	rs_slot *snext, *sprev; /* the store's slots */
};

/* This thread's slot for the store, emptied; NULL when out of memory. */
rs_slot *rs_slot_get(rs_store *s);
int rs_slot_reserve(rs_slot *slot, size_t n);
void rs_slot_release(rs_slot *slot);
void rs_slots_close(rs_store *s);
int rs_slots_init(rs_store *s);

/* The Redis Cluster key slot of a key: CRC16 of its hash tag (or of the
 * whole key when it has none), modulo 16384. */
#define RS_NSLOTS 16384
unsigned rs_key_slot(const char *key, size_t len);

/* The operations. */
int rs_read(void *store, const char *view, const fcat_bytes *keys, size_t n, fcat_bytes *out);
int rs_write(void *store, const char *view, const fcat_online_row *rows, size_t n);
int rs_script_load(rs_store *s, redisContext *c);
int rs_meta_get(void *store, const char *key, char *buf, size_t size);
int rs_meta_set(void *store, const char *key, const char *value);
int rs_drop_view(void *store, const char *view);
int rs_update(void *store, const char *view, const fcat_bytes *keys, size_t n, fcat_update_fn fn,
              void *ctx);

#endif
