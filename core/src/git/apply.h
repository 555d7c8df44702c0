/* apply.h - recording a commit as the applied catalog version. */
#ifndef FCAT_GIT_APPLY_H
#define FCAT_GIT_APPLY_H

#include "config/config.h"
#include "git/repo.h"

/* Validates the catalog at `commit` (in the catalog directory of
 * `committed`, fcat.yaml as committed there) and makes it the applied
 * version: refs/fcat/applied and the compiled cache. Refuses while the
 * catalog or policies directory (as committed or as in the work tree's
 * fcat.yaml) has uncommitted changes. No authorization: the caller decides
 * who may apply. */
int fcat__apply_commit(char out_commit[41], fcat__git *g, const fcat_config *worktree,
                       const fcat_config *committed, const git_oid *commit);

#endif
