/* reload.c - a new generation of the served catalog: the store reopened
 * (the version applied now) beside the old one, published for the
 * requests that begin next; requests in flight keep theirs. */
#include "server_int.h"

#include <stdio.h>
#include <string.h>

int server_reload(server *s, bool if_applied_changed, char *msg, size_t msgsize)
{
	msg[0] = '\0';
	/* only this thread publishes: current stays alive while we read it */
	const fcat_store *cur = s->gens.current->store;
	char old[41];
	snprintf(old, sizeof old, "%s", fcat_catalog_commit(fcat_store_catalog(cur)));
	if (if_applied_changed) {
		char applied[41];
		if (fcat_applied_commit(applied, fcat_store_root(cur)) != 0) {
			snprintf(msg, msgsize, "cannot read the applied version: %s",
			         fcat_error_last());
			return -1;
		}
		if (!strcmp(applied, old) || !strcmp(applied, s->failed))
			return 0;
		snprintf(s->failed, sizeof s->failed, "%s", applied);
	}
	fcat_store *store;
	if (fcat_store_reopen(&store, cur) != 0) {
		snprintf(msg, msgsize, "reload failed, still serving %s: %s", old,
		         fcat_error_last());
		return -1;
	}
	char next[41];
	snprintf(next, sizeof next, "%s", fcat_catalog_commit(fcat_store_catalog(store)));
	srv_gen *g;
	if (srv_gen_new(&g, store) != 0) {
		snprintf(msg, msgsize, "reload failed, still serving %s: out of memory", old);
		return -1;
	}
	srv_gens_publish(&s->gens, g);
	s->failed[0] = '\0';
	snprintf(msg, msgsize, "reloaded %s -> %s", old, next);
	return 1;
}
