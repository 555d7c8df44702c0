/* plugin_readbuf.c - the buffer an online store's read copies rows into. */
#include "plugin_readbuf.h"

#include <stdint.h>
#include <stdlib.h>

int fcatp_readbuf_reserve(char **buf, size_t *cap, size_t need)
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
