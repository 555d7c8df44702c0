/* grow.c - room in a growable array: for one more item at its end, or for
 * n items. */
#include "grow.h"

#include <stdlib.h>
#include <string.h>

bool fcat__resize(void *itemsp, size_t n, size_t size)
{
	void *items;
	memcpy(&items, itemsp, sizeof items); /* object pointers share one representation */
	void *p = realloc(items, n * size);
	if (!p)
		return false;
	memcpy(itemsp, &p, sizeof p);
	return true;
}

bool fcat__grow(void *itemsp, size_t *cap, size_t len, size_t size, size_t first)
{
	if (len < *cap)
		return true;
	size_t n = *cap ? *cap * 2 : first;
	if (!fcat__resize(itemsp, n, size))
		return false;
	*cap = n;
	return true;
}
