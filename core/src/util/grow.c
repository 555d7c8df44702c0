/* grow.c - room for one more item at the end of a growable array. */
#include "grow.h"

#include <stdlib.h>
#include <string.h>

bool fcat__grow(void *itemsp, size_t *cap, size_t len, size_t size, size_t first)
{
	if (len < *cap)
		return true;
	size_t n = *cap ? *cap * 2 : first;
	void *items;
	memcpy(&items, itemsp, sizeof items); /* object pointers share one representation */
	void *p = realloc(items, n * size);
	if (!p)
		return false;
	memcpy(itemsp, &p, sizeof p);
	*cap = n;
	return true;
}
