/* parallel.c - parts of a job on threads (see parallel.h). */
#include "util/parallel.h"

#include "util/error.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define MAX_PARTS 64

size_t fcat__parallel_parts(size_t most)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	size_t parts = n < 1 ? 1 : (size_t)n;
	if (most < 1)
		most = 1;
	return parts < most ? parts : most;
}

typedef struct part {
	int (*fn)(void *ctx, size_t part, size_t nparts);
	void *ctx;
	size_t i, n;
	int rc;
	char error[1024]; /* the thread's message, carried to the caller's */
} part;

static void *run(void *arg)
{
	part *p = arg;
	p->rc = p->fn(p->ctx, p->i, p->n);
	if (p->rc)
		snprintf(p->error, sizeof p->error, "%s", fcat_error_last());
	return NULL;
}

int fcat__parallel(size_t nparts, int (*fn)(void *ctx, size_t part, size_t nparts), void *ctx)
{
	if (nparts > MAX_PARTS)
		nparts = MAX_PARTS;
	if (nparts <= 1)
		return fn(ctx, 0, 1);
	part p[MAX_PARTS];
	pthread_t tid[MAX_PARTS];
	bool started[MAX_PARTS] = {false};
	for (size_t i = 0; i < nparts; i++) {
		p[i] = (part){.fn = fn, .ctx = ctx, .i = i, .n = nparts};
		if (i > 0)
			started[i] = pthread_create(&tid[i], NULL, run, &p[i]) == 0;
	}
	for (size_t i = 0; i < nparts; i++)
		if (!started[i])
			run(&p[i]);
	for (size_t i = 1; i < nparts; i++)
		if (started[i])
			pthread_join(tid[i], NULL);
	for (size_t i = 0; i < nparts; i++)
		if (p[i].rc)
			return fcat__error_set(p[i].rc, p[i].error);
	return 0;
}
