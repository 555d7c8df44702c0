/* access.h - the policy checks every read path makes before a value leaves
 * the store, each decision written to the audit log. Decisions use the
 * applied version's policies and tags, whatever version the store reads. */
#ifndef FCAT_STORE_ACCESS_H
#define FCAT_STORE_ACCESS_H

#include "git/repo.h"
#include "policy/policy.h"
#include "store/store.h"

/* Reads a policy set from a commit (g and commit) or the work tree at root
 * (g NULL), with the policy settings of `c` (its policies directory, and
 * with policy.trusted_keys the signature check, failing closed). *out is
 * NULL when there are no definition files. `what` names the version in
 * messages ("the applied version 0123abcd"). */
int fcat__access_read_set(fcat__policy **out, const char *root, const fcat_config *c, fcat__git *g,
                          const git_oid *commit, const char *what);

/* Loads what decides: fcat.yaml as committed in the applied commit
 * (s->applied_config), the policies it names (s->policy, signature checked
 * with its trusted keys) and its audit log. */
int fcat__access_load_applied(fcat_store *s, fcat__git *g, const git_oid *applied);

/* May `who` (the caller of a read, a push, a training set: a principal as
 * named in the policies, with the groups a token vouches for; never NULL)
 * do `action` on a feature (through
 * `service` when not NULL: the service's grant also opens its features, but
 * a deny on the feature still wins)? The decision is audited under `who`.
 * 0, or FCAT_EDENIED naming who, the feature and the rule. */
int fcat__access_feature(const fcat_store *s, const fcat__caller *who, fcat__policy_action action,
                         const fcat__field *feature, const char *service);

/* May `who` `action` the view as a whole (write: materialize, push)? */
int fcat__access_view(const fcat_store *s, const fcat__caller *who, fcat__policy_action action,
                      const fcat__view *view);

/* May `who` `action` the project (apply, admin)? 0 or FCAT_EDENIED. */
int fcat__access_project(const fcat_store *s, const fcat__caller *who, fcat__policy_action action);

/* Describing (list, describe, lineage, log) is decided for the store's
 * principal (fcat_open_options.principal).
 *
 * May the principal see (describe) this object? Entities and sources are
 * project-level objects. */
bool fcat__access_describe(const fcat_store *s, const fcat_object *o);

/* May the principal describe the project (entities, sources)? */
bool fcat__access_describe_project(const fcat_store *s);

/* describe by name, for objects that may exist only in history (fcat log):
 * an object of the store's catalog is decided as fcat__access_describe; an
 * unknown "VIEW:FEATURE" as that feature, any other unknown name only when
 * the principal may describe the project, view:NAME and service:NAME; a
 * file of the repo ("policies/x.yaml") needs admin on the project. 0 or
 * FCAT_EDENIED naming the object. */
int fcat__access_describe_name(const fcat_store *s, const char *name);

/* May the principal sign the policies (admin on project under the applied
 * policies; open before anything is applied)? 0 or FCAT_EDENIED. */
int fcat__authorize_sign(const char *repo_path, const char *principal);

#endif
