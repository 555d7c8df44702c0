/* plugin_slots.h - an online store's per-thread reader slots: each thread
 * that reads a store gets a slot of its own (a transaction, a connection, a
 * buffer: whatever the plugin puts in it), found on the read path through a
 * thread-local cache without a lock or an allocation. */
#ifndef FCAT_PLUGIN_SLOTS_H
#define FCAT_PLUGIN_SLOTS_H

#include "fcat_plugin.h"

#include <stdint.h>

/*
 * The thread finds its slot through a small thread-local cache keyed by the
 * store's generation, a number never reused: a closed store's entries never
 * match again. One global lock (per plugin: each plugin links its own copy of
 * this file) guards the live sets and their slot lists; it is taken only on a
 * cache miss, at open and close, at thread exit, and by the plugin itself
 * (fcatp_slots_lock) when it must see every slot or every live store, as
 * LMDB does to pause its readers during a map resize. A slot is used only by
 * its own thread; what a plugin shares between a slot and its writer (LMDB's
 * `active` flag) is the plugin's to synchronize.
 */

/* The head of a plugin's slot: embed it as the first member. */
typedef struct fcatp_slot {
	struct fcatp_slot *next; /* in its set's list (global lock) */
	const void *owner;       /* the thread's cache */
} fcatp_slot;

/* How a plugin makes and frees its slots. */
typedef struct fcatp_slot_ops {
	const char *plugin; /* names the plugin in messages: "lmdb" */
	/* Makes the calling thread's slot for `store`, without the global lock
	 * (only its own thread adds a slot). 0, or FCAT_E* with the error set. */
	int (*make)(fcatp_slot **out, void *store);
	/* Frees a slot (global lock held; its thread is not inside a read). */
	void (*free)(fcatp_slot *slot);
} fcatp_slot_ops;

/* The slots of one store: embed it in the store. */
typedef struct fcatp_slots {
	uint64_t gen; /* unique for the life of the process, set when added */
	const fcatp_slot_ops *ops;
	const fcat_plugin_host *host;
	void *store;              /* what make receives */
	fcatp_slot *head;         /* every thread's slot (global lock) */
	struct fcatp_slots *next; /* the live sets (global lock) */
} fcatp_slots;

#define FCATP_SLOT_WAYS 8

/* A thread's cache of its slots, by generation. */
typedef struct fcatp_slot_cache {
	struct {
		uint64_t gen;
		fcatp_slot *slot;
	} e[FCATP_SLOT_WAYS];
	unsigned next;
} fcatp_slot_cache;

extern _Thread_local fcatp_slot_cache *fcatp_slot_tls;

/* The global lock of the plugin's slots and live sets. */
void fcatp_slots_lock(void);
void fcatp_slots_unlock(void);

/* Makes `set` live, for `store`, with a new generation (the global lock
 * held: a plugin can check the live sets and add in one step). */
void fcatp_slots_add_locked(fcatp_slots *set, const fcatp_slot_ops *ops,
                            const fcat_plugin_host *host, void *store);

/* The first live set (global lock held); follow ->next. */
fcatp_slots *fcatp_slots_live_locked(void);

/* Makes `set` no longer live and frees every thread's slot in it. The
 * caller ensures that no thread is reading the store. */
void fcatp_slots_remove(fcatp_slots *set);

/* The slow path of fcatp_slot_get: finds or makes the thread's slot. */
int fcatp_slot_find(fcatp_slot **out, fcatp_slots *set);

/* The calling thread's slot of `set`, made on its first read. 0, or
 * FCAT_E* with the error set. */
static inline int fcatp_slot_get(fcatp_slot **out, fcatp_slots *set)
{
	fcatp_slot_cache *t = fcatp_slot_tls;
	if (t) {
		for (int i = 0; i < FCATP_SLOT_WAYS; i++) {
			if (t->e[i].gen == set->gen) {
				*out = t->e[i].slot;
				return 0;
			}
		}
	}
	return fcatp_slot_find(out, set);
}

#endif
