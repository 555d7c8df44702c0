/* fault.c - the armed fault of each thread, and the allocation functions
 * that consult it (fault_alloc.h turns libfcat's calls into these). */
#ifdef FCAT_FAULT

#include "fault/fault.h"
#include "fault/fault_alloc.h"
#include "util/error.h"

/* this file calls the real functions */
#undef malloc
#undef calloc
#undef realloc
#undef strdup
#undef strndup

#include <errno.h>
#include <execinfo.h>
#include <stdio.h>
#include <stdatomic.h>

/* One armed fault for the whole process: a materialize reads its source on
 * a thread of its own, and those allocations count as well. Only the tests
 * arm it, one operation at a time. */
static struct {
	atomic_bool armed, fired;
	fcat__fault_kind kind;
	atomic_long target;
	atomic_long calls[FCAT__FAULT_KINDS];
} t;

void fcat__fault_arm(fcat__fault_kind kind, long n)
{
	atomic_store(&t.armed, false);
	t.kind = kind;
	atomic_store(&t.target, n);
	atomic_store(&t.fired, false);
	for (int k = 0; k < FCAT__FAULT_KINDS; k++)
		atomic_store(&t.calls[k], 0);
	atomic_store(&t.armed, true);
}

bool fcat__fault_disarm(void)
{
	atomic_store(&t.armed, false);
	return atomic_load(&t.fired);
}

long fcat__fault_calls(fcat__fault_kind kind)
{
	return atomic_load(&t.calls[kind]);
}

bool fcat__fault_hit(fcat__fault_kind kind)
{
	if (!atomic_load_explicit(&t.armed, memory_order_relaxed))
		return false;
	long n = atomic_fetch_add(&t.calls[kind], 1) + 1;
	if (kind != t.kind || n != atomic_load(&t.target))
		return false;
	atomic_store(&t.fired, true);
	if (getenv("FCAT_FAULT_BACKTRACE")) { /* where the fault struck, for a test's failure */
		void *frames[32];
		fprintf(stderr, "fcat fault: %s %ld fails here:\n",
		        kind == FCAT__FAULT_ALLOC ? "allocation" : "plugin call", n);
		backtrace_symbols_fd(frames, backtrace(frames, 32), 2);
	}
	return true;
}

int fcat__fault_plugin_error(void)
{
	return fcat__error(FCAT_EIO, "injected fault: the plugin call failed");
}

void *fcat__fault_malloc(size_t n)
{
	if (fcat__fault_hit(FCAT__FAULT_ALLOC)) {
		errno = ENOMEM;
		return NULL;
	}
	return malloc(n);
}

void *fcat__fault_calloc(size_t n, size_t size)
{
	if (fcat__fault_hit(FCAT__FAULT_ALLOC)) {
		errno = ENOMEM;
		return NULL;
	}
	return calloc(n, size);
}

void *fcat__fault_realloc(void *p, size_t n)
{
	if (fcat__fault_hit(FCAT__FAULT_ALLOC)) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, n);
}

char *fcat__fault_strdup(const char *s)
{
	if (fcat__fault_hit(FCAT__FAULT_ALLOC)) {
		errno = ENOMEM;
		return NULL;
	}
	return strdup(s);
}

char *fcat__fault_strndup(const char *s, size_t n)
{
	if (fcat__fault_hit(FCAT__FAULT_ALLOC)) {
		errno = ENOMEM;
		return NULL;
	}
	return strndup(s, n);
}

#else

typedef int fcat__fault_off; /* ISO C wants a translation unit to hold something */

#endif
