/* lmdb_read.c - the LMDB store's reads: one reader slot per thread and store. */
#include "lmdb_store.h"

#include "plugin_readbuf.h"

#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * Each thread that reads a store gets a slot: a read-only transaction
 * (MDB_NOTLS ties its reader entry to the transaction, not the thread),
 * renewed for each read and reset after it, and a buffer the rows are
 * copied into. Copying keeps the returned bytes valid until the thread's
 * next read even when a writer grows (moves) the map meanwhile, and no
 * snapshot stays pinned while a thread is idle.
 *
 * The thread finds its slot through a small thread-local cache keyed by the
 * store's generation, a number never reused: a closed store's entries never
 * match again. The global lock guards the live stores and their slot lists;
 * it is taken only on a cache miss, at close and at thread exit.
 */

#define TLS_WAYS 8

typedef struct tls_state {
	struct {
		uint64_t gen;
		lmdb_slot *slot;
	} e[TLS_WAYS];
	unsigned next;
} tls_state;

static pthread_mutex_t global_mu = PTHREAD_MUTEX_INITIALIZER;
static lmdb_store *live;
static uint64_t last_gen;
static _Thread_local tls_state *tls;
static pthread_key_t tls_key;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;
static int tls_key_ok;

static void slot_free(lmdb_slot *slot)
{
	if (slot->txn)
		mdb_txn_abort(slot->txn);
	free(slot->buf);
	free(slot);
}

/* At thread exit: frees the thread's slots in every live store. */
static void tls_destroy(void *p)
{
	tls_state *t = p;
	pthread_mutex_lock(&global_mu);
	for (lmdb_store *s = live; s; s = s->next) {
		for (lmdb_slot **pp = &s->slots; *pp;) {
			lmdb_slot *slot = *pp;
			if (slot->owner == t) {
				*pp = slot->next;
				slot_free(slot);
			} else {
				pp = &slot->next;
			}
		}
	}
	pthread_mutex_unlock(&global_mu);
	if (tls == t)
		tls = NULL;
	free(t);
}

static void make_key(void)
{
	tls_key_ok = pthread_key_create(&tls_key, tls_destroy) == 0;
}

/* When the plugin is unloaded, threads must no longer call into it. */
__attribute__((destructor)) static void lmdb_unload(void)
{
	if (tls_key_ok)
		pthread_key_delete(tls_key);
	free(tls);
	tls = NULL;
}

void lmdb_live_lock(void)
{
	pthread_mutex_lock(&global_mu);
}

void lmdb_live_unlock(void)
{
	pthread_mutex_unlock(&global_mu);
}

int lmdb_live_add_locked(lmdb_store *s)
{
	for (lmdb_store *o = live; o; o = o->next)
		if (o->dev == s->dev && o->ino == s->ino)
			return lmdb_host->error(
			    FCAT_EEXISTS, "lmdb: %s is open already in this process", s->path);
	s->gen = ++last_gen;
	s->next = live;
	live = s;
	return 0;
}

/* True when a slot of any live store belongs to `t` (global lock held). */
static bool owns_slots(const tls_state *t)
{
	for (lmdb_store *s = live; s; s = s->next)
		for (lmdb_slot *slot = s->slots; slot; slot = slot->next)
			if (slot->owner == t)
				return true;
	return false;
}

void lmdb_live_remove(lmdb_store *s)
{
	pthread_mutex_lock(&global_mu);
	for (lmdb_store **pp = &live; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	while (s->slots) {
		lmdb_slot *slot = s->slots;
		s->slots = slot->next;
		slot_free(slot);
	}
	/* Free the caller's state when it holds no slot any more. */
	tls_state *t = tls;
	if (t && !owns_slots(t)) {
		if (tls_key_ok)
			pthread_setspecific(tls_key, NULL);
		tls = NULL;
		free(t);
	}
	pthread_mutex_unlock(&global_mu);
}

static bool gen_live(uint64_t gen)
{
	for (lmdb_store *s = live; s; s = s->next)
		if (s->gen == gen)
			return true;
	return false;
}

/* The slow path of slot_get: finds or makes the thread's slot. */
static lmdb_slot *slot_find(lmdb_store *s)
{
	pthread_once(&tls_once, make_key);
	tls_state *t = tls;
	if (!t) {
		t = calloc(1, sizeof *t);
		if (!t)
			return NULL;
		tls = t;
		if (tls_key_ok)
			pthread_setspecific(tls_key, t);
	}
	pthread_mutex_lock(&global_mu);
	lmdb_slot *slot = s->slots;
	while (slot && slot->owner != t)
		slot = slot->next;
	if (!slot) {
		slot = calloc(1, sizeof *slot);
		char *buf = malloc(4096);
		if (!slot || !buf) {
			free(slot);
			free(buf);
			pthread_mutex_unlock(&global_mu);
			return NULL;
		}
		slot->owner = t;
		slot->buf = buf;
		slot->cap = 4096;
		slot->next = s->slots;
		s->slots = slot;
	}
	int way = -1;
	for (int i = 0; i < TLS_WAYS && way < 0; i++)
		if (t->e[i].gen == 0 || !gen_live(t->e[i].gen))
			way = i;
	if (way < 0)
		way = (int)(t->next++ % TLS_WAYS);
	t->e[way].gen = s->gen;
	t->e[way].slot = slot;
	pthread_mutex_unlock(&global_mu);
	return slot;
}

static inline lmdb_slot *slot_get(lmdb_store *s)
{
	tls_state *t = tls;
	if (t)
		for (int i = 0; i < TLS_WAYS; i++)
			if (t->e[i].gen == s->gen)
				return t->e[i].slot;
	return slot_find(s);
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
	pthread_mutex_lock(&global_mu);
	for (lmdb_slot *slot = s->slots; slot; slot = slot->next)
		while (atomic_load(&slot->active))
			sched_yield();
	pthread_mutex_unlock(&global_mu);
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
	lmdb_slot *slot = slot_get(s);
	if (!slot)
		return lmdb_host->error(FCAT_ENOMEM, "lmdb: out of memory");
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
