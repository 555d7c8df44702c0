/* repo.h - the feature repo's git repository through libgit2: resolving
 * revisions, reading definition files from a commit's tree, the applied ref,
 * uncommitted changes and history. */
#ifndef FCAT_GIT_REPO_H
#define FCAT_GIT_REPO_H

#include "catalog/model.h"
#include "util/buf.h"

#include <git2.h>

/* The ref that records the applied catalog version. */
#define FCAT_APPLIED_REF "refs/fcat/applied"

typedef struct fcat__git {
	git_repository *repo;
	char *prefix; /* the feature repo inside the work tree: "" or "dir/sub/" */
} fcat__git;

/* Opens the git repository that holds the feature repo at `root` (which may
 * be a subdirectory of it). FCAT_ENOTFOUND when it is not in one. */
int fcat__git_open(fcat__git *g, const char *root);
void fcat__git_close(fcat__git *g);

/* Resolves a revision ("HEAD", "main~2", a hash) to a commit id. */
int fcat__git_resolve(fcat__git *g, const char *rev, git_oid *out);

/* Reads the files below `dir` (relative to the feature repo) whose names end
 * in `suffix`, as they are in a commit, in path order. Paths in *files are
 * relative to the feature repo. A missing directory gives no files. Free
 * with fcat__def_files_free. */
int fcat__git_read_dir(fcat__git *g, const git_oid *commit, const char *dir, const char *suffix,
                       fcat__def_file **files, size_t *n);

void fcat__def_files_free(fcat__def_file *files, size_t n);

/* The entry at `path` (relative to the feature repo) in the tree of a
 * commit, the caller's to free (git_tree_entry_free); *out is NULL when
 * there is none. Fails only when the commit cannot be read. */
int fcat__git_entry_at(git_tree_entry **out, fcat__git *g, const git_oid *commit, const char *path);

/* Reads one file (relative to the feature repo) as it is in a commit:
 * malloc'd, NUL-terminated. FCAT_ENOTFOUND naming the path and the commit
 * when the commit does not hold it. */
int fcat__git_read_file(fcat__git *g, const git_oid *commit, const char *path, char **text,
                        size_t *len);

/* fcat.yaml as committed in a commit, parsed; messages name it
 * "fcat.yaml@COMMIT12:LINE:COLUMN". Free with fcat_config_free. */
int fcat__git_config_at(fcat_config **out, fcat__git *g, const git_oid *commit);

/* The id of the tree of `dir` in a commit (zero when absent), to tell
 * cheaply whether a directory changed between commits. */
int fcat__git_dir_tree(fcat__git *g, const git_oid *commit, const char *dir, git_oid *out);

/* Appends "  PATH (state)\n" for each uncommitted change (staged, unstaged or
 * untracked) below the given directories; returns how many. */
int fcat__git_dirty(fcat__git *g, const char *const *dirs, size_t ndirs, fcat__buf *out);

/* The applied commit; FCAT_ENOTFOUND when nothing was applied. */
int fcat__git_applied(fcat__git *g, git_oid *out);
int fcat__git_set_applied(fcat__git *g, const git_oid *commit, const char *message);

/* The .git directory (with a trailing '/'), where caches live. */
const char *fcat__git_dir(const fcat__git *g);

/* Sets the last error from libgit2's, prefixed with what was being done. */
int fcat__git_error(const char *what);

#endif
