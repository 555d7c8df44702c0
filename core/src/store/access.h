/* access.h - the policy checks every read path makes before a value leaves
 * the store, each decision written to the audit log. */
#ifndef FCAT_STORE_ACCESS_H
#define FCAT_STORE_ACCESS_H

#include "git/repo.h"
#include "policy/policy.h"
#include "store/store.h"

/* Loads the policy files from a commit (g and commit) or the work tree
 * (g NULL), checks their signature when fcat.yaml names trusted keys, and
 * keeps the set in the store (none when there are no definition files:
 * then every read is open, as in Feast without permissions). */
int fcat__access_load(fcat_store *s, fcat__git *g, const git_oid *commit);

/* May the store's principal do `action` on a feature (through `service`
 * when not NULL: the service's grant also opens its features, but a deny on
 * the feature still wins)? 0, or FCAT_EDENIED naming the feature and the
 * rule. */
int fcat__access_feature(const fcat_store *s, fcat__policy_action action,
                         const fcat__field *feature, const char *service);

/* May the principal `action` the view as a whole (write: materialize)? */
int fcat__access_view(const fcat_store *s, fcat__policy_action action, const fcat__view *view);

/* May the principal see (describe) this object? Entities and sources are
 * project-level objects. */
bool fcat__access_describe(const fcat_store *s, const fcat_object *o);

#endif
