/* cluster_ops.h - the store's operations on a Redis Cluster, called by the
 * operations of read.c, write.c, meta.c and update.c when s->cluster is set. */
#ifndef FCAT_REDIS_CLUSTER_OPS_H
#define FCAT_REDIS_CLUSTER_OPS_H

#include "redis_store.h"

/* Reads n keys; their replies go to slot->r (reserved for n), in order. */
int rs_cluster_read(rs_store *s, rs_slot *slot, const char *view, const fcat_bytes *keys, size_t n);
/* Writes rows (checked by rs_write; `longest` is their longest key). */
int rs_cluster_write(rs_store *s, const char *view, const fcat_online_row *rows, size_t n,
                     size_t longest);
/* HGET of the metadata hash: *out is the reply (NULL on failure). */
int rs_cluster_meta_get(rs_store *s, const char *hash, const char *key, redisReply **out);
int rs_cluster_meta_set(rs_store *s, const char *hash, const char *key, const char *value);
/* Loads the write script on every master; sets s->sha. */
int rs_cluster_scripts(rs_store *s);
/* SCAN MATCH pattern on every master, unlinking the view's keys. */
int rs_cluster_drop_view(rs_store *s, const char *view, const char *pattern);
/* Read-modify-write (update.c's, per slot). */
int rs_cluster_update(rs_store *s, const char *view, const fcat_bytes *keys, size_t n,
                      fcat_update_fn fn, void *ctx);

#endif
