/* big.c - large arrays from mmap, advised to use huge pages (see big.h). */
#include "util/big.h"

#include "fault/fault.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#ifdef FCAT_FAULT
#define FAULT_HERE() fcat__fault_hit(FCAT__FAULT_ALLOC)
#else
#define FAULT_HERE() false
#endif

/* Below this, the C heap serves better: a mapping and its huge pages cost
 * more to make and clear than small arrays (a push's) are worth. */
#define BIG FCAT__BIG_MIN

static size_t rounded(size_t size)
{
	const size_t page = 4096;
	return size ? (size + page - 1) / page * page : page;
}

void *fcat__big_alloc(size_t size)
{
	if (size < BIG)
		return calloc(1, size ? size : 1);
	if (FAULT_HERE())
		return NULL;
	void *p =
	    mmap(NULL, rounded(size), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
#ifdef MADV_HUGEPAGE
	madvise(p, rounded(size), MADV_HUGEPAGE);
#endif
	return p;
}

void *fcat__big_realloc(void *p, size_t old, size_t size)
{
	if (!p)
		return fcat__big_alloc(size);
	if (old < BIG && size < BIG)
		return realloc(p, size ? size : 1);
	if (old < BIG || size < BIG) { /* from the heap to a mapping, or back */
		void *q = fcat__big_alloc(size);
		if (q) {
			memcpy(q, p, old < size ? old : size);
			fcat__big_free(p, old);
		}
		return q;
	}
	if (FAULT_HERE())
		return NULL;
	void *q = mremap(p, rounded(old), rounded(size), MREMAP_MAYMOVE);
	if (q == MAP_FAILED)
		return NULL;
#ifdef MADV_HUGEPAGE
	madvise(q, rounded(size), MADV_HUGEPAGE);
#endif
	return q;
}

void fcat__big_free(void *p, size_t size)
{
	if (p && size < BIG)
		free(p);
	else if (p)
		munmap(p, rounded(size));
}
