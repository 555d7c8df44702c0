/* plugin_readbuf.h - the buffer an online store's read copies rows into:
 * growing it, then pointing the returned rows into it once it stops moving. */
#ifndef FCAT_PLUGIN_READBUF_H
#define FCAT_PLUGIN_READBUF_H

#include "fcat_plugin.h"

#include <stddef.h>

/* Copies a found row's `len` bytes to *buf (of *cap bytes, not 0) at *used,
 * growing it by doubling, and records it in *out: its length, and a mark
 * that it was found. Its pointer is set by fcatp_readbuf_place, once the
 * buffer has stopped moving. Returns 0, or -1 when out of memory. */
int fcatp_readbuf_append(char **buf, size_t *cap, size_t *used, const void *row, size_t len,
                         fcat_bytes *out);

/* Points every row fcatp_readbuf_append recorded at its bytes in buf (rows
 * not found keep ptr NULL). */
void fcatp_readbuf_place(fcat_bytes *out, size_t n, const char *buf);

#endif
