/* store.h - the store handle's insides: configuration, catalog, access,
 * and the online store connection (online_conn.h). */
#ifndef FCAT_STORE_STORE_H
#define FCAT_STORE_STORE_H

#include "catalog/model.h"
#include "config/config.h"
#include "plugin/loader.h"
#include "policy/policy.h"
#include "store/online_conn.h"
#include "transform/engine.h"

struct fcat__policy;
struct fcat__audit;

#include <pthread.h>
#include <stdatomic.h>

/* fcat_plugin_config over a section of fcat.yaml. */
typedef struct fcat__plugin_config {
	fcat_plugin_config base;
	const fcat_config *config;
	int role; /* fcat_store_role, or -1 for a source (no settings) */
} fcat__plugin_config;

struct fcat_store {
	char *root;
	fcat_config *config;
	fcat_catalog *catalog;
	pthread_mutex_t lock; /* guards the list of engines */
	/* opened on first use; shared with the stores fcat_store_reopen makes */
	fcat__online_conn *online;
	/* how it was opened, for fcat_store_reopen */
	fcat_catalog_source source;
	char *commit; /* the revision of FCAT_CATALOG_COMMIT, or NULL */
	/* one transform engine per thread: found through tx_key, all of them
	 * listed (under lock) so the store can free them */
	pthread_key_t tx_key;
	struct fcat__store_tx *engines;
	/* Access. Decisions always use the applied version's policies, read
	 * with the settings of fcat.yaml as committed there, whatever catalog
	 * version the store reads (see policy_load.c):
	 *   policy: the applied set; NULL with closed NULL: open (no policy
	 *           files were applied, or no git repository and none at all)
	 *   closed: non-NULL when nothing is applied yet: every read and write
	 *           is denied with this reason (describe stays open)
	 *   version_policy: the policies of the version opened, for policy
	 *           check, explain and test only (== policy for the applied
	 *           version; never used to decide)
	 *   applied_catalog: the applied catalog when the store reads another
	 *           version: its tags decide as well as the version's */
	struct fcat__policy *policy;
	const char *closed;
	struct fcat__policy *version_policy;
	fcat_catalog *applied_catalog;
	fcat_config *applied_config; /* fcat.yaml as committed in the applied commit */
	char *principal;             /* "anonymous" when none is given */
	fcat__caller caller;         /* the principal, as a caller without groups */
	struct fcat__audit *audit;
};

/* The calling thread's transform engine for this store, made on first use
 * with the limits of fcat.yaml's `transforms` section. */
int fcat__store_tx(fcat_store *s, fcat__tx **out);

/* The online store, opened on first use. */
int fcat__store_online(fcat_store *s, const fcat_online_ops **ops, void **handle);

/* Closes the audit log, writing what is queued; when records were lost,
 * warns on stderr ("fcat: warning: audit log PATH: ..."). */
void fcat__store_audit_close(fcat_store *s);

/* Fills a plugin config for a store section (role) or a source (-1), over
 * the store's settings or over `config` (borrowed by pc) of repo `root`. */
void fcat__plugin_config_init(fcat__plugin_config *pc, const fcat_store *s, int role);
void fcat__plugin_config_init_at(fcat__plugin_config *pc, const char *root,
                                 const fcat_config *config, int role);

#endif
