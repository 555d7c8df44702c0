/* sqlite_read.c - the SQLite store's reads: one connection per thread and store. */
#include "sqlite_online.h"

#include "plugin_readbuf.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Each thread that reads a store gets a slot with its own connection, so
 * reads run in parallel with each other and with the writer (WAL), and
 * see whole transactions only. Rows are copied into the slot's buffer,
 * valid until the thread's next read. The thread finds its slot through a
 * thread-local cache keyed by the store's generation, never reused; the
 * global lock guards the live stores and their slot lists and is taken
 * only on a cache miss, at close and at thread exit.
 */

#define TLS_WAYS 8

typedef struct tls_state {
	struct {
		uint64_t gen;
		sq_slot *slot;
	} e[TLS_WAYS];
	unsigned next;
} tls_state;

static pthread_mutex_t global_mu = PTHREAD_MUTEX_INITIALIZER;
static sq_store *live;
static uint64_t last_gen;
static _Thread_local tls_state *tls;
static pthread_key_t tls_key;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;
static int tls_key_ok;

static void slot_free(sq_slot *slot)
{
	for (unsigned i = 0; i < slot->nsel; i++) {
		sqlite3_finalize(slot->sel[i].stmt);
		free(slot->sel[i].view);
	}
	sqlite3_finalize(slot->begin);
	sqlite3_finalize(slot->commit);
	sqlite3_close(slot->db);
	free(slot->buf);
	free(slot);
}

/* True when a slot of any live store belongs to `t` (global lock held). */
static bool owns_slots(const tls_state *t)
{
	for (sq_store *s = live; s; s = s->next)
		for (sq_slot *slot = s->slots; slot; slot = slot->next)
			if (slot->owner == t)
				return true;
	return false;
}

/* At thread exit: frees the thread's slots in every live store. */
static void tls_destroy(void *p)
{
	tls_state *t = p;
	pthread_mutex_lock(&global_mu);
	for (sq_store *s = live; s; s = s->next) {
		for (sq_slot **pp = &s->slots; *pp;) {
			sq_slot *slot = *pp;
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
__attribute__((destructor)) static void sq_unload(void)
{
	if (tls_key_ok)
		pthread_key_delete(tls_key);
	free(tls);
	tls = NULL;
}

void sq_live_add(sq_store *s)
{
	pthread_mutex_lock(&global_mu);
	s->gen = ++last_gen;
	s->next = live;
	live = s;
	pthread_mutex_unlock(&global_mu);
}

void sq_live_remove(sq_store *s)
{
	pthread_mutex_lock(&global_mu);
	for (sq_store **pp = &live; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	while (s->slots) {
		sq_slot *slot = s->slots;
		s->slots = slot->next;
		slot_free(slot);
	}
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
	for (sq_store *s = live; s; s = s->next)
		if (s->gen == gen)
			return true;
	return false;
}

static int slot_new(sq_slot **out, sq_store *s, const tls_state *t)
{
	sq_slot *slot = calloc(1, sizeof *slot);
	if (slot)
		slot->buf = malloc(4096);
	if (!slot || !slot->buf) {
		free(slot);
		return sq_host->error(FCAT_ENOMEM, "sqlite: out of memory");
	}
	slot->cap = 4096;
	slot->owner = t;
	int rc = sq_connect(&slot->db, s, false);
	if (!rc) {
		rc = sq_prepare(slot->db, "BEGIN", &slot->begin);
		if (!rc)
			rc = sq_prepare(slot->db, "COMMIT", &slot->commit);
		if (rc)
			rc = sq_fail(slot->db, rc, "preparing a reader", s);
	}
	if (rc) {
		slot_free(slot);
		return rc;
	}
	*out = slot;
	return 0;
}

/* The slow path of slot_get: finds or makes the thread's slot. */
static int slot_find(sq_slot **out, sq_store *s)
{
	pthread_once(&tls_once, make_key);
	tls_state *t = tls;
	if (!t) {
		t = calloc(1, sizeof *t);
		if (!t)
			return sq_host->error(FCAT_ENOMEM, "sqlite: out of memory");
		tls = t;
		if (tls_key_ok)
			pthread_setspecific(tls_key, t);
	}
	pthread_mutex_lock(&global_mu);
	sq_slot *slot = s->slots;
	while (slot && slot->owner != t)
		slot = slot->next;
	pthread_mutex_unlock(&global_mu);
	if (!slot) {
		/* Only this thread adds its own slot: connect unlocked. */
		int rc = slot_new(&slot, s, t);
		if (rc)
			return rc;
		pthread_mutex_lock(&global_mu);
		slot->next = s->slots;
		s->slots = slot;
		pthread_mutex_unlock(&global_mu);
	}
	pthread_mutex_lock(&global_mu);
	int way = -1;
	for (int i = 0; i < TLS_WAYS && way < 0; i++)
		if (t->e[i].gen == 0 || !gen_live(t->e[i].gen))
			way = i;
	if (way < 0)
		way = (int)(t->next++ % TLS_WAYS);
	t->e[way].gen = s->gen;
	t->e[way].slot = slot;
	pthread_mutex_unlock(&global_mu);
	*out = slot;
	return 0;
}

static inline int slot_get(sq_slot **out, sq_store *s)
{
	tls_state *t = tls;
	if (t) {
		for (int i = 0; i < TLS_WAYS; i++) {
			if (t->e[i].gen == s->gen) {
				*out = t->e[i].slot;
				return 0;
			}
		}
	}
	return slot_find(out, s);
}

/* The view's SELECT, or NULL when the view has no table (yet). */
static int slot_select(sq_store *s, sq_slot *slot, const char *view, sqlite3_stmt **out)
{
	for (unsigned i = 0; i < slot->nsel; i++) {
		if (strcmp(slot->sel[i].view, view) == 0) {
			*out = slot->sel[i].stmt;
			return 0;
		}
	}
	char sql[256];
	snprintf(sql, sizeof sql, "SELECT row FROM \"online_%s\" WHERE key = ?1", view);
	sqlite3_stmt *st;
	int rc = sq_prepare(slot->db, sql, &st);
	if (rc) {
		int exists = sq_view_exists(slot->db, view, s);
		*out = NULL;
		if (exists == 0)
			return 0;
		return exists < 0 ? exists : sq_fail(slot->db, rc, "preparing a read", s);
	}
	char *name = strdup(view);
	if (!name) {
		sqlite3_finalize(st);
		return sq_host->error(FCAT_ENOMEM, "sqlite: out of memory");
	}
	unsigned i = slot->nsel < SQ_SLOT_VIEWS ? slot->nsel++ : slot->next_sel++ % SQ_SLOT_VIEWS;
	if (slot->sel[i].stmt) { /* the cache is full: evict */
		sqlite3_finalize(slot->sel[i].stmt);
		free(slot->sel[i].view);
	}
	slot->sel[i] = (sq_view_stmt){name, st};
	*out = st;
	return 0;
}

/* Copies rows into the slot's buffer (fcatp_readbuf_append; their
 * pointers are placed once it stops moving). */
static int get_rows(sq_slot *slot, sqlite3_stmt *st, const fcat_bytes *keys, size_t n,
                    fcat_bytes *out)
{
	size_t used = 0;
	int rc = SQLITE_OK;
	for (size_t i = 0; i < n && rc == SQLITE_OK; i++) {
		if (keys[i].len > INT_MAX)
			return SQLITE_TOOBIG;
		sqlite3_bind_blob(st, 1, keys[i].ptr ? keys[i].ptr : "", (int)keys[i].len,
		                  SQLITE_STATIC);
		rc = sqlite3_step(st);
		out[i] = (fcat_bytes){NULL, 0};
		if (rc == SQLITE_ROW) {
			size_t len = (size_t)sqlite3_column_bytes(st, 0);
			const void *v = sqlite3_column_blob(st, 0);
			rc = fcatp_readbuf_append(&slot->buf, &slot->cap, &used, v, len, &out[i])
			         ? SQLITE_NOMEM
			         : SQLITE_OK;
		} else if (rc == SQLITE_DONE) {
			rc = SQLITE_OK;
		}
		sqlite3_reset(st);
	}
	sqlite3_clear_bindings(st);
	return rc;
}

int sq_read(void *store, const char *view, const fcat_bytes *keys, size_t n, fcat_bytes *out)
{
	sq_store *s = store;
	int rc = sq_check_view(view);
	if (rc || n == 0)
		return rc;
	sq_slot *slot = NULL;
	sqlite3_stmt *st = NULL;
	rc = slot_get(&slot, s);
	if (!rc)
		rc = slot_select(s, slot, view, &st);
	if (rc)
		return rc;
	if (!st) {
		memset(out, 0, n * sizeof *out);
		return 0;
	}
	/* Several keys are read in one transaction: one snapshot. */
	bool txn = n > 1;
	if (txn) {
		rc = sqlite3_step(slot->begin);
		sqlite3_reset(slot->begin);
		if (rc != SQLITE_DONE)
			return sq_fail(slot->db, rc, "starting a read", s);
	}
	rc = get_rows(slot, st, keys, n, out);
	if (rc)
		rc = sq_fail(slot->db, rc, "reading rows", s);
	if (txn) {
		int crc = sqlite3_step(slot->commit);
		sqlite3_reset(slot->commit);
		if (crc != SQLITE_DONE && !rc)
			rc = sq_fail(slot->db, crc, "ending a read", s);
		if (!sqlite3_get_autocommit(slot->db))
			sqlite3_exec(slot->db, "ROLLBACK", NULL, NULL, NULL);
	}
	if (rc)
		return rc;
	fcatp_readbuf_place(out, n, slot->buf);
	return 0;
}
