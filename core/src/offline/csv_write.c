/* csv_write.c - writing CSV, the exact inverse of the csv plugin's reader:
 * a null cell is empty, an empty text is "", a cell holding a comma, a
 * quote, CR or LF is quoted with its quotes doubled, any other as it is. */
#include "offline/csv_write.h"

#include <string.h>

/* Bytes that make the reader end or quote a field. */
static const unsigned char special[256] = {[','] = 1, ['"'] = 1, ['\n'] = 1, ['\r'] = 1};

void fcat__csv_cell(fcat__buf *out, const char *s, size_t len, bool null)
{
	if (null)
		return;
	bool quote = len == 0;
	for (size_t i = 0; i < len && !quote; i++)
		quote = special[(unsigned char)s[i]];
	if (!quote) {
		fcat__buf_append(out, s, len);
		return;
	}
	fcat__buf_putc(out, '"');
	for (const char *p = s, *end = s + len; p < end;) {
		const char *q = memchr(p, '"', (size_t)(end - p));
		const char *stop = q ? q + 1 : end;
		fcat__buf_append(out, p, (size_t)(stop - p));
		if (q)
			fcat__buf_putc(out, '"'); /* doubled */
		p = stop;
	}
	fcat__buf_putc(out, '"');
}
