/* plugin_readbuf.c - the buffer an online store's read copies rows into. */
#include "plugin_readbuf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Grows *buf by doubling until it holds `need` bytes, keeping its contents;
 * -1 (nothing changed) when out of memory. */
static int reserve(char **buf, size_t *cap, size_t need)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap;
	while (c < need)
		c = c > SIZE_MAX / 2 ? need : 2 * c;
	char *p = realloc(*buf, c);
	if (!p)
		return -1;
	*buf = p;
	*cap = c;
	return 0;
}

/* What a found row points at until fcatp_readbuf_place: not NULL. */
static const char found;

int fcatp_readbuf_append(char **buf, size_t *cap, size_t *used, const void *row, size_t len,
                         fcat_bytes *out)
{
	if (reserve(buf, cap, *used + len))
		return -1;
	if (len)
		memcpy(*buf + *used, row, len);
	*used += len;
	*out = (fcat_bytes){&found, len};
	return 0;
}

void fcatp_readbuf_place(fcat_bytes *out, size_t n, const char *buf)
{
	size_t off = 0;
	for (size_t i = 0; i < n; i++) {
		if (out[i].ptr) {
			out[i].ptr = buf + off;
			off += out[i].len;
		}
	}
}
