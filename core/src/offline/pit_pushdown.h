/* pit_pushdown.h - a point-in-time join run inside the offline store, when
 * the plugin that serves a source offers pit_join and push-down is on. */
#ifndef FCAT_OFFLINE_PIT_PUSHDOWN_H
#define FCAT_OFFLINE_PIT_PUSHDOWN_H

#include "store/store.h"

/* Whether push-down is on: $FCAT_OFFLINE_PUSHDOWN when set, else the
 * offline_store section's `pushdown` setting, else on. "0", "false", "no"
 * and "off" switch it off. */
bool fcat__pit_pushdown_enabled(const fcat_store *s);

/* Runs `req` (its source fields are filled from `src` here) through the
 * pit_join slot of the plugin serving `src`. Returns 0 when every entity row
 * was answered through fn; FCAT_PIT_DECLINED, with nothing passed to fn,
 * when core must join itself (push-down off, no such slot, or the plugin
 * declined); or an error prefixed with the source's name. fn sees only rows
 * inside the request, each once, in order: a plugin that answers others,
 * declines after answering, or returns 0 with rows unanswered is an error
 * naming it. */
int fcat__pit_pushdown(fcat_store *s, const fcat__source *src, fcat_pit_request *req,
                       fcat_pit_fn fn, void *ctx);

#endif
