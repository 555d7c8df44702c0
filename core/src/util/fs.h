/* fs.h - file helpers: read a whole file, list files under a directory. */
#ifndef FCAT_UTIL_FS_H
#define FCAT_UTIL_FS_H

#include <stddef.h>

/* Reads a whole file; *out is NUL-terminated and freed with free().
 * Returns 0, FCAT_ENOTFOUND or FCAT_EIO (message names the path). */
int fcat__read_file(char **out, size_t *len, const char *path);

/* Lists the regular files below dir (recursively) whose names end in
 * `suffix`, as paths relative to dir, sorted bytewise. *out is a
 * NULL-terminated array; free it with fcat__strv_free.
 * Returns 0, FCAT_ENOTFOUND (no such directory), FCAT_EIO, FCAT_ENOMEM. */
int fcat__list_files(char ***out, size_t *count, const char *dir, const char *suffix);

void fcat__strv_free(char **v);

/* path joined with name by one '/'; freed with free(). NULL on OOM. */
char *fcat__path_join(const char *dir, const char *name);

/* Makes every missing directory above `path` (a file's path), as `mkdir -p`
 * of its dirname, so a path fcat writes in a fresh clone (data/, .fcat/)
 * needs no set-up. Returns 0, or FCAT_EIO naming the directory that could
 * not be made and why. */
int fcat__make_parent_dirs(const char *path);

/* Makes a fresh directory $TMPDIR/<prefix>-XXXXXX (/tmp without TMPDIR)
 * and writes its path to out. Returns 0 or FCAT_EIO naming the path. */
int fcat__temp_dir(char *out, size_t size, const char *prefix);

/* Removes a directory tree (or a file), without following links; what
 * cannot be removed stays. */
void fcat__remove_tree(const char *path);

#endif
