/* audit_report.c - telling the caller when audit records were lost: on
 * request (fcat_store_audit_check) and, as a warning, when the store
 * closes. */
#include "store/audit.h"
#include "store/store.h"

#include "util/error.h"

#include <stdio.h>
#include <string.h>

/* How long fcat_store_audit_check waits for the writer to catch up. */
#define SYNC_MS 5000

static void describe_loss(char *buf, size_t size, const char *path, const fcat__audit_stats *st)
{
	char why[160] = "";
	if (st->failed)
		snprintf(why, sizeof why, " (last error: %s)",
		         st->last_errno ? strerror(st->last_errno) : "a short write");
	snprintf(buf, size,
	         "audit log %s: %llu decision record%s could not be written%s, %llu dropped "
	         "because the queue was full",
	         path, (unsigned long long)st->failed, st->failed == 1 ? "" : "s", why,
	         (unsigned long long)st->dropped);
}

int fcat_store_audit_check(fcat_audit_stats *out, const fcat_store *s)
{
	if (out)
		memset(out, 0, sizeof *out);
	if (!s->audit)
		return 0;
	fcat__audit_stats st;
	bool drained = fcat__audit_sync(s->audit, SYNC_MS, &st);
	if (out) {
		out->written = st.written;
		out->dropped = st.dropped;
		out->failed = st.failed;
	}
	if (!st.dropped && !st.failed && drained)
		return 0;
	char msg[1024];
	describe_loss(msg, sizeof msg, fcat__audit_path(s->audit), &st);
	if (!drained)
		return fcat__error(FCAT_EIO, "%s; records are still waiting after %d ms", msg,
		                   SYNC_MS);
	return fcat__error(FCAT_EIO, "%s", msg);
}

void fcat__store_audit_close(fcat_store *s)
{
	if (!s->audit)
		return;
	char path[4096], msg[4096 + 512];
	snprintf(path, sizeof path, "%s", fcat__audit_path(s->audit));
	fcat__audit_stats st;
	fcat__audit_close(s->audit, &st); /* writes what is queued first */
	s->audit = NULL;
	if (!st.dropped && !st.failed)
		return;
	describe_loss(msg, sizeof msg, path, &st);
	fprintf(stderr, "fcat: warning: %s\n", msg);
}
