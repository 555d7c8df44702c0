/* lmdb_read.c - the LMDB store's reads: one reader slot per thread and store. */
#include "lmdb_store.h"

#include "plugin_readbuf.h"

#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * Each thread that reads a store gets a slot (plugin_slots.h): a read-only
 * transaction (MDB_NOTLS ties its reader entry to the transaction, not the
 * thread), renewed for each read and reset after it, and a buffer the rows
 * are copied into. Copying keeps the returned bytes valid until the thread's
 * next read even when a writer grows (moves) the map meanwhile, and no
 * snapshot stays pinned while a thread is idle. A resize waits, under the
 * slots' global lock, for every slot's `active` flag to clear.
 */

static void slot_free(fcatp_slot *base)
{
	lmdb_slot *slot = (lmdb_slot *)base;
	if (slot->txn)
		mdb_txn_abort(slot->txn);
	free(slot->buf);
	free(slot);
}

static int slot_make(fcatp_slot **out, void *store)
{
	(void)store;
	lmdb_slot *slot = calloc(1, sizeof *slot);
	char *buf = malloc(4096);
	if (!slot || !buf) {
		free(slot);
		free(buf);
		return lmdb_host->error(FCAT_ENOMEM, "lmdb: out of memory");
	}
	slot->buf = buf;
	slot->cap = 4096;
	*out = &slot->base;
	return 0;
}

static const fcatp_slot_ops slot_ops = {"lmdb", slot_make, slot_free};

void lmdb_live_lock(void)
{
	fcatp_slots_lock();
}

void lmdb_live_unlock(void)
{
	fcatp_slots_unlock();
}

int lmdb_live_add_locked(lmdb_store *s)
{
	for (fcatp_slots *set = fcatp_slots_live_locked(); set; set = set->next) {
		const lmdb_store *o = set->store;
		if (o->dev == s->dev && o->ino == s->ino)
			return lmdb_host->error(
			    FCAT_EEXISTS, "lmdb: %s is open already in this process", s->path);
	}
	fcatp_slots_add_locked(&s->readers, &slot_ops, lmdb_host, s);
	return 0;
}

void lmdb_live_remove(lmdb_store *s)
{
	fcatp_slots_remove(&s->readers);
}

/* A reader announces itself in its own slot, then checks for a resize;
 * the resizer announces the resize, then waits for active slots. Both
 * sides use sequentially consistent operations, so one sees the other. */
static void reader_enter(lmdb_store *s, lmdb_slot *slot)
{
	for (;;) {
		atomic_store(&slot->active, 1);
		if (!atomic_load(&s->resizing))
			return;
		atomic_store(&slot->active, 0);
		pthread_mutex_lock(&s->resize_mu);
		pthread_mutex_unlock(&s->resize_mu);
	}
}

static void reader_leave(lmdb_slot *slot)
{
	atomic_store_explicit(&slot->active, 0, memory_order_release);
}

void lmdb_readers_pause(lmdb_store *s)
{
	pthread_mutex_lock(&s->resize_mu);
	atomic_store(&s->resizing, 1);
	fcatp_slots_lock();
	for (fcatp_slot *slot = s->readers.head; slot; slot = slot->next)
		while (atomic_load(&((lmdb_slot *)slot)->active))
			sched_yield();
	fcatp_slots_unlock();
}

void lmdb_readers_resume(lmdb_store *s)
{
	atomic_store(&s->resizing, 0);
	pthread_mutex_unlock(&s->resize_mu);
}

/* The view's handle, from the slot's private cache or the store. */
static int slot_view(lmdb_store *s, lmdb_slot *slot, const char *view, MDB_dbi *dbi)
{
	for (unsigned i = 0; i < slot->nviews; i++) {
		if (strcmp(slot->views[i].name, view) == 0) {
			*dbi = slot->views[i].dbi;
			return 0;
		}
	}
	const char *name;
	int rc = lmdb_view_dbi(s, view, false, dbi, &name);
	if (rc)
		return rc;
	unsigned i =
	    slot->nviews < LMDB_SLOT_VIEWS ? slot->nviews++ : slot->next_view++ % LMDB_SLOT_VIEWS;
	slot->views[i].name = name;
	slot->views[i].dbi = *dbi;
	return 0;
}

/* Copies the rows into the slot's buffer (fcatp_readbuf_append; their
 * pointers are placed once it stops moving). A key LMDB cannot hold (empty,
 * too long) has no row. */
static int get_rows(lmdb_store *s, lmdb_slot *slot, MDB_dbi dbi, const fcat_bytes *keys, size_t n,
                    fcat_bytes *out)
{
	size_t used = 0;
	for (size_t i = 0; i < n; i++) {
		MDB_val k = {keys[i].len, (void *)keys[i].ptr}, v;
		int rc = k.mv_size && k.mv_size <= s->max_key ? mdb_get(slot->txn, dbi, &k, &v)
		                                              : MDB_NOTFOUND;
		if (rc == MDB_NOTFOUND) {
			out[i] = (fcat_bytes){NULL, 0};
			continue;
		}
		if (!rc && fcatp_readbuf_append(&slot->buf, &slot->cap, &used, v.mv_data, v.mv_size,
		                                &out[i]))
			rc = ENOMEM;
		if (rc)
			return rc;
	}
	return 0;
}

/* The read proper, inside the slot's active section; an LMDB code, and
 * what failed in *what. */
static int read_active(lmdb_store *s, lmdb_slot *slot, const char *view, const fcat_bytes *keys,
                       size_t n, fcat_bytes *out, const char **what)
{
	MDB_dbi dbi;
	*what = "opening a view's database";
	int rc = slot_view(s, slot, view, &dbi);
	if (rc == MDB_NOTFOUND) {
		memset(out, 0, n * sizeof *out);
		return 0;
	}
	if (rc)
		return rc;
	*what = "starting a read";
	rc = slot->txn ? mdb_txn_renew(slot->txn)
	               : mdb_txn_begin(s->env, NULL, MDB_RDONLY, &slot->txn);
	if (rc) {
		if (slot->txn)
			mdb_txn_abort(slot->txn);
		slot->txn = NULL;
		return rc;
	}
	*what = "reading rows";
	rc = get_rows(s, slot, dbi, keys, n, out);
	mdb_txn_reset(slot->txn);
	return rc;
}

int lmdb_read(void *store, const char *view, const fcat_bytes *keys, size_t n, fcat_bytes *out)
{
	lmdb_store *s = store;
	int rc = lmdb_check_view(s, view);
	if (rc || n == 0)
		return rc;
	fcatp_slot *base;
	if ((rc = fcatp_slot_get(&base, &s->readers)))
		return rc;
	lmdb_slot *slot = (lmdb_slot *)base;
	const char *what;
	for (int tries = 0;; tries++) {
		reader_enter(s, slot);
		rc = read_active(s, slot, view, keys, n, out, &what);
		reader_leave(slot);
		/* Another process grew the map: adopt its size, read again. */
		if (rc != MDB_MAP_RESIZED || tries == 8)
			break;
		what = "adopting the map size";
		rc = lmdb_adopt_mapsize(s);
		if (rc)
			break;
	}
	if (rc)
		return lmdb_fail(rc, what, s);
	fcatp_readbuf_place(out, n, slot->buf);
	return 0;
}
