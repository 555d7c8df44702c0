/* sqlite_read.c - the SQLite store's reads: one connection per thread and store. */
#include "sqlite_online.h"

#include "plugin_readbuf.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Each thread that reads a store gets a slot (plugin_slots.h) with its own
 * connection, so reads run in parallel with each other and with the writer
 * (WAL), and see whole transactions only. Rows are copied into the slot's
 * buffer, valid until the thread's next read.
 */

static void slot_free(fcatp_slot *base)
{
	sq_slot *slot = (sq_slot *)base;
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

static int slot_make(fcatp_slot **out, void *store)
{
	sq_store *s = store;
	sq_slot *slot = calloc(1, sizeof *slot);
	if (slot)
		slot->buf = malloc(4096);
	if (!slot || !slot->buf) {
		free(slot);
		return sq_host->error(FCAT_ENOMEM, "sqlite: out of memory");
	}
	slot->cap = 4096;
	int rc = sq_connect(&slot->db, s, false);
	if (!rc) {
		rc = sq_prepare(slot->db, "BEGIN", &slot->begin);
		if (!rc)
			rc = sq_prepare(slot->db, "COMMIT", &slot->commit);
		if (rc)
			rc = sq_fail(slot->db, rc, "preparing a reader", s);
	}
	if (rc) {
		slot_free(&slot->base);
		return rc;
	}
	*out = &slot->base;
	return 0;
}

static const fcatp_slot_ops slot_ops = {"sqlite", slot_make, slot_free};

void sq_live_add(sq_store *s)
{
	fcatp_slots_lock();
	fcatp_slots_add_locked(&s->readers, &slot_ops, sq_host, s);
	fcatp_slots_unlock();
}

void sq_live_remove(sq_store *s)
{
	fcatp_slots_remove(&s->readers);
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
	fcatp_slot *base = NULL;
	sqlite3_stmt *st = NULL;
	rc = fcatp_slot_get(&base, &s->readers);
	sq_slot *slot = (sq_slot *)base;
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
