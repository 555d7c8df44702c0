/* plugin_readbuf.h - the buffer an online store's read copies rows into:
 * growing it, then pointing the returned rows into it once it stops moving. */
#ifndef FCAT_PLUGIN_READBUF_H
#define FCAT_PLUGIN_READBUF_H

#include "fcat_plugin.h"

#include <stddef.h>

/* Grows *buf (of *cap bytes, not 0) by doubling until it holds `need`
 * bytes, keeping its contents. Returns 0, or -1 (nothing changed) when out
 * of memory. */
int fcatp_readbuf_reserve(char **buf, size_t *cap, size_t need);

/* The rows were copied into buf one after the other; a found row's out[i].ptr
 * is a non-NULL placeholder until now. Points each found row at its bytes. */
void fcatp_readbuf_place(fcat_bytes *out, size_t n, const char *buf);

#endif
