/* policy.h - the policy engine: who may do what on which resource.
 *
 * A policy set is every YAML file under policies/ (the caller reads them
 * from disk or from a git commit and hands them over as (path, text) pairs,
 * paths relative to the repo root). Files whose path has a "tests"
 * directory, or whose name ends in "_test.yaml", hold test cases; the file
 * named SIGNATURE holds the signature; every other .yaml/.yml file holds
 * definitions; anything else is ignored by the loader.
 *
 * Definition files
 * ----------------
 * Each top-level key is optional; names are global across the set (a name
 * defined twice is an error naming both places), and references may point
 * into other files.
 *
 *   principals:                    # users and services
 *     - name: alice                # no whitespace, no '*'
 *       kind: user                 # user | service
 *       groups: [data-science]     # optional
 *       roles: [auditor]           # optional: roles held directly
 *       description: ...           # optional, anywhere below as well
 *   groups:
 *     - name: data-science
 *       roles: [scientist]         # what every member holds
 *       members: [bob]             # optional: the other way to join
 *   roles:
 *     - name: scientist
 *       rules:
 *         - allow: [read_offline, describe]     # or deny: ...; one of them
 *           resources: ["view:*", "feature:*:*"]
 *         - deny: [read_online, read_offline]
 *           tags: { pii: "true" }               # every feature tagged so
 *
 * Actions: describe, read_online, read_offline, write (push, materialize),
 * apply, admin, or "*" for all six. admin is an action of its own; it does
 * not imply the others.
 *
 * Resources are named "project", "view:NAME", "feature:VIEW:NAME" and
 * "service:NAME". A rule's resource pattern has the same shape, each name
 * may hold '*' (any run of characters) and '?' (one character), and the
 * pattern "*" alone means every resource. A pattern "view:V" also covers
 * every feature of V ("feature:V:*"), for every action, so one rule can
 * open or close a whole view. A rule matches a request when the action is in
 * its list, when the resource matches one of its patterns (a rule without
 * `resources` matches every resource), and when the resource carries every
 * tag of its `tags` selector with a matching value (selector values are
 * globs too: "*" only asks for the key). A rule needs `resources`, `tags`,
 * or both; `tags: {}` is refused.
 *
 * The decision: default deny. A principal holds the roles of its groups and
 * its own, and a caller also those of the groups its identity provider
 * vouches for (fcat__caller: a token's groups claim); the request is
 * allowed when some rule of those roles allows it and none denies it: an
 * explicit deny beats every allow. An unknown principal without a known
 * vouched-for group is denied (not an error); an unknown action or a
 * malformed resource is an error.
 *
 * Test files (OPA-style, kept beside the policies, e.g.
 * policies/tests/pii_test.yaml):
 *
 *   tests:
 *     - name: scientists may not read pii online     # optional
 *       principal: alice
 *       action: read_online
 *       resource: feature:user_profile:email       # no globs
 *       tags: { pii: "true" }                      # optional
 *       expect: deny                               # allow | deny
 *
 * Signing: fcat__policy_sign writes the text of policies/SIGNATURE, a
 * manifest of every policy file's SHA-256 (paths sorted bytewise) signed
 * with Ed25519:
 *
 *   fcat policy signature 1
 *   key <hex SHA-256 of the signer's DER public key>
 *   file <hex SHA-256 of the content> <path>
 *   ...
 *   signature <base64 Ed25519 signature of every line above, '\n' included>
 *
 * so that verification can say which file changed, was added or removed.
 */
#ifndef FCAT_POLICY_POLICY_H
#define FCAT_POLICY_POLICY_H

#include "catalog/model.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/strmap.h"

#include "fcat.h"

#include <stdbool.h>
#include <stddef.h>

#define FCAT__POLICY_SIGNATURE "SIGNATURE"

typedef enum fcat__policy_action {
	FCAT__PA_DESCRIBE,
	FCAT__PA_READ_ONLINE,
	FCAT__PA_READ_OFFLINE,
	FCAT__PA_WRITE,
	FCAT__PA_APPLY,
	FCAT__PA_ADMIN,
	FCAT__PA_COUNT,
} fcat__policy_action;

typedef enum fcat__policy_effect {
	FCAT__POLICY_DENY,
	FCAT__POLICY_ALLOW,
} fcat__policy_effect;

typedef enum fcat__policy_rkind {
	FCAT__PR_ANY, /* the pattern "*" */
	FCAT__PR_PROJECT,
	FCAT__PR_VIEW,
	FCAT__PR_FEATURE,
	FCAT__PR_SERVICE,
} fcat__policy_rkind;

/* A resource, or a resource pattern: its kind and up to two names (a
 * feature's view and name; a view's or service's name in name[0]). */
typedef struct fcat__policy_resource {
	fcat__policy_rkind kind;
	const char *name[2];
	size_t len[2];
} fcat__policy_resource;

typedef struct fcat__policy_pattern {
	fcat__policy_resource r;
	const char *text;
} fcat__policy_pattern;

typedef struct fcat__policy_role fcat__policy_role;
typedef struct fcat__policy_group fcat__policy_group;

typedef struct fcat__policy_rule {
	fcat__policy_effect effect;
	unsigned actions; /* bit (1u << action) per action */
	fcat__policy_pattern *resources;
	size_t nresources; /* 0: every resource */
	fcat__tag *tags;   /* the tag selector */
	size_t ntags;
	const fcat__policy_role *role;
	size_t index;  /* 1-based, within its role */
	fcat__loc loc; /* where the rule's map starts */
} fcat__policy_rule;

struct fcat__policy_role {
	const char *name;
	fcat__policy_rule *rules;
	size_t nrules;
	fcat__loc loc;
};

/* A name used as a reference, where it was written. */
typedef struct fcat__policy_ref {
	const char *name;
	fcat__loc loc;
	int col;
} fcat__policy_ref;

struct fcat__policy_group {
	const char *name;
	fcat__policy_ref *roles, *members;
	size_t nroles, nmembers;
	fcat__loc loc;
	/* filled at load: the rules of the group's roles, for callers whose
	 * identity provider vouches for the group (see fcat__caller) */
	struct fcat__policy_grant *grants;
	size_t ngrants;
};

/* A rule a principal holds, and the group it holds it through (NULL when
 * the principal holds the role itself). */
typedef struct fcat__policy_grant {
	const fcat__policy_rule *rule;
	const fcat__policy_group *via;
} fcat__policy_grant;

typedef struct fcat__policy_principal {
	const char *name;
	bool service; /* kind: service; else a user */
	fcat__policy_ref *groups, *roles;
	size_t ngroups, nroles;
	fcat__loc loc;
	/* filled at load: every rule held, in role order, each rule once */
	fcat__policy_grant *grants;
	size_t ngrants;
} fcat__policy_principal;

/* Who asks: a principal's name, and the groups its identity provider
 * vouches for (a verified token's `groups` claim). The caller holds the
 * rules of the name as the policies declare it (its roles, its groups'),
 * and those of each vouched-for group the policies declare; a group the
 * policies do not know gives nothing. A name the policies do not know is
 * denied unless a vouched-for group gives it a rule. */
typedef struct fcat__caller {
	const char *name;
	const char *const *groups;
	size_t ngroups;
} fcat__caller;

/* A caller of a name alone, for a call site's argument. */
#define FCAT__CALLER(principal) (&(const fcat__caller){.name = (principal)})

typedef struct fcat__policy_test {
	const char *name; /* "" when unnamed */
	const char *principal;
	fcat__policy_action action;
	const char *resource;
	fcat__tag *tags;
	size_t ntags;
	fcat__policy_effect expect;
	fcat__loc loc;
} fcat__policy_test;

struct fcat__policy_cache;

/* A loaded, checked policy set. Immutable after load except for its
 * decision cache, which is thread-safe: one set may serve many threads. */
typedef struct fcat__policy {
	fcat__arena arena;
	fcat__policy_principal *principals;
	fcat__policy_group *groups;
	fcat__policy_role *roles;
	fcat__policy_test *tests;
	size_t nprincipals, ngroups, nroles, ntests, nrules;
	size_t nfiles; /* definition files */
	fcat__strmap by_principal, by_group, by_role;
	struct fcat__policy_cache *cache;
} fcat__policy;

/* Why a decision came out as it did. */
typedef enum fcat__policy_why {
	FCAT__WHY_ALLOWED,           /* a rule allows, none denies */
	FCAT__WHY_DENIED,            /* a rule denies */
	FCAT__WHY_NO_RULE,           /* default deny: no rule matched */
	FCAT__WHY_UNKNOWN_PRINCIPAL, /* default deny: nobody of that name, and no
	                              * vouched-for group the policies know */
} fcat__policy_why;

/* A decision with everything explain needs. */
typedef struct fcat__policy_decision {
	fcat__policy_effect effect;
	fcat__policy_why why;
	/* the first matching deny, else the first matching allow, else NULL */
	const fcat__policy_grant *deciding;
	/* every matching rule, in the principal's grant order */
	const fcat__policy_grant **matches;
	size_t nmatches;
	/* the request, copied (the caller's name; its vouched-for groups, when
	 * it had some, follow as " (groups a, b)") */
	char *principal, *resource;
	fcat__policy_action action;
} fcat__policy_decision;

/* ---- loading (parse.c, load.c) ---------------------------------------- */

typedef enum fcat__policy_file_kind {
	FCAT__PF_POLICY,
	FCAT__PF_TEST,
	FCAT__PF_SIGNATURE,
	FCAT__PF_OTHER,
} fcat__policy_file_kind;

/* Which kind of file a path is (see the top of this file). */
fcat__policy_file_kind fcat__policy_file_kind_of(const char *path);

/* Parses and checks the files (definitions and test cases; others are
 * skipped), resolves every reference and precomputes each principal's
 * rules. No files gives an empty set that denies everything. On
 * FCAT_EINVALID the last error holds one line per problem,
 * "FILE:LINE:COL: message". */
int fcat__policy_load(fcat__policy **out, const fcat__def_file *files, size_t n);
void fcat__policy_free(fcat__policy *p);

/* ---- names (resource.c) ----------------------------------------------- */

/* The action named `name`, or -1 with an error (FCAT_EINVALID) naming the
 * valid ones. */
int fcat__policy_action_parse(const char *name);
const char *fcat__policy_action_name(fcat__policy_action a);

/* Splits a resource ("project", "view:V", "feature:V:F", "service:S"; with
 * globs when `pattern`) into `out`, whose names point into `text`. Returns
 * 0, or FCAT_EINVALID with a message saying what the shapes are. */
int fcat__policy_resource_parse(fcat__policy_resource *out, const char *text, bool pattern);

/* Does the pattern cover the resource? ("view:V" covers V's features.) */
bool fcat__policy_pattern_match(const fcat__policy_resource *pattern,
                                const fcat__policy_resource *resource);

/* '*' and '?' glob over a counted string. */
bool fcat__policy_glob(const char *pat, size_t plen, const char *s, size_t slen);

/* ---- deciding (decide.c, decision_cache.c) --------------------------- */

/* The full decision, uncached, with every matching rule. `resource` is
 * "view:V", "feature:V:F", ...; `tags` are the resource's tags (for a
 * feature: its own and its view's). Returns 0 (the decision is in *out,
 * allow or deny; free it with fcat__policy_decision_free), FCAT_EINVALID
 * for a malformed resource, FCAT_EUSAGE for an action out of range, or
 * FCAT_ENOMEM. */
int fcat__policy_decide(fcat__policy_decision *out, const fcat__policy *p, const fcat__caller *who,
                        fcat__policy_action action, const char *resource, const fcat__tag *tags,
                        size_t ntags);
void fcat__policy_decision_free(fcat__policy_decision *d);

/* The decision alone, without recording matches: 1 allow, 0 deny, or a
 * negative code as fcat__policy_decide. *deciding (when not NULL) gets the
 * deciding rule or NULL. Uncached. */
int fcat__policy_eval(const fcat__policy *p, const fcat__caller *who, fcat__policy_action action,
                      const char *resource, const fcat__tag *tags, size_t ntags,
                      const fcat__policy_rule **deciding);

/* As fcat__policy_eval, through the set's decision cache keyed by
 * (caller and groups, action, resource, tags): the hot path for read
 * paths. */
int fcat__policy_allowed(const fcat__policy *p, const fcat__caller *who, fcat__policy_action action,
                         const char *resource, const fcat__tag *tags, size_t ntags,
                         const fcat__policy_rule **deciding);

/* fcat__policy_allowed as a check: 0 when allowed, else FCAT_EDENIED with a
 * message such as "policy denies alice read_online on feature:v:f (deny rule
 * 2 of role scientist at policies/pii.yaml:14)". */
int fcat__policy_require(const fcat__policy *p, const fcat__caller *who, fcat__policy_action action,
                         const char *resource, const fcat__tag *tags, size_t ntags);

/* The cache (decision_cache.c). new returns NULL when out of memory. */
struct fcat__policy_cache *fcat__policy_cache_new(void);
void fcat__policy_cache_free(struct fcat__policy_cache *c);
/* Looks up a key: 1 allow, 0 deny, -1 absent. */
int fcat__policy_cache_get(struct fcat__policy_cache *c, uint64_t hash, const char *key, size_t len,
                           const fcat__policy_rule **deciding);
/* Remembers a decision (silently does nothing when out of memory). */
void fcat__policy_cache_put(struct fcat__policy_cache *c, uint64_t hash, const char *key,
                            size_t len, int allowed, const fcat__policy_rule *deciding);
/* Lookups answered from the cache, and those that were not. */
void fcat__policy_cache_stats(struct fcat__policy_cache *c, size_t *hits, size_t *misses);

/* ---- explaining and testing (explain.c, testcase.c) ------------------- */

/* Appends a decision for people:
 *   deny: alice may not read_online feature:user_profile:email
 *     deny   policies/pii.yaml:14  role pii-guard rule 1 (via group data-science)
 *     allow  policies/team.yaml:9  role scientist rule 2 (via group data-science)
 *   an explicit deny beats every allow
 */
void fcat__policy_explain_text(fcat__buf *b, const fcat__policy_decision *d);

/* "deny rule 2 of role scientist at policies/pii.yaml:14" */
void fcat__policy_rule_text(fcat__buf *b, const fcat__policy_rule *r);

/* Runs the set's test cases, appending one line per case ("ok" or "FAIL"
 * with file:line and, for a failure, the explanation) and a summary line.
 * Returns the number of failed cases, or a negative code. */
int fcat__policy_run_tests(fcat__buf *report, const fcat__policy *p);

/* ---- signing (signature_make.c, signature_check.c) ------------------- */

/* Signs the policy files (every file given but SIGNATURE) with the Ed25519
 * private key in the PEM file `private_key_pem`. *out is the text of
 * policies/SIGNATURE (malloc'd, free()). Returns 0, FCAT_ENOTFOUND /
 * FCAT_EIO (key file), FCAT_EINVALID (not an Ed25519 private key), or
 * FCAT_ENOMEM. */
int fcat__policy_sign(char **out, const fcat__def_file *files, size_t n,
                      const char *private_key_pem);

/* Checks the signature text (NULL: there is none) of the files (every file
 * given but SIGNATURE) against the public keys in the PEM file
 * `trusted_keys_pem` (one or more PUBLIC KEY blocks). `sig_name` names the
 * signature file in messages. Returns 0, or FCAT_EDENIED with one line per
 * problem: "policies/x.yaml changed since the policies were signed", "...
 * was added ...", "... was removed ...", "policies are not signed (no
 * policies/SIGNATURE)", "policies/SIGNATURE: the signature does not match
 * its content", "policies/SIGNATURE was signed by a key that is not
 * trusted"; FCAT_ENOTFOUND / FCAT_EIO / FCAT_EINVALID for an unreadable or
 * bad key file. */
int fcat__policy_verify(const fcat__def_file *files, size_t n, const char *sig_name,
                        const char *sig_text, size_t sig_len, const char *trusted_keys_pem);

/* The manifest (every line but the signature) the files are signed under,
 * for a key fingerprint `key_hex` (64 hex digits). Returns 0 or
 * FCAT_ENOMEM. */
int fcat__policy_manifest(fcat__buf *out, const fcat__def_file *files, size_t n,
                          const char *key_hex);

#endif
