/* testutil.h - helpers shared by the cmocka tests: temporary repos, files,
 * and running the real fcat binary. */
#ifndef FCAT_TESTUTIL_H
#define FCAT_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fcat.h"

/* Asserts that `call` returns `code` and that fcat_error_last() then
 * contains `text`; a failure names the caller's line. */
#define assert_fails_with(call, code, text)                                                        \
	do {                                                                                       \
		assert_int_equal((call), (code));                                                  \
		if (!strstr(fcat_error_last(), (text)))                                            \
			fail_msg("'%s' not in the error: %s", (text), fcat_error_last());          \
	} while (0)

/* A fresh directory under $TMPDIR (or /tmp); free() the path, and remove the
 * tree with test_rmtree (test_dir_done does both). */
char *test_mkdtemp(void);
void test_rmtree(const char *path);
void test_dir_done(char *dir);

/* The same as a cmocka per-test fixture: *state is a fresh directory (a
 * char *) during the test, removed after it. */
int test_dir_setup(void **state);
int test_dir_teardown(void **state);

/* Writes `text` to dir/rel, creating parent directories. */
void test_write_file(const char *dir, const char *rel, const char *text);

/* Reads a whole file into a malloc'd NUL-terminated string (NULL if absent). */
char *test_read_file(const char *path);

/* Whether dir/rel exists. */
bool test_path_exists(const char *dir, const char *rel);

/* A TCP port on 127.0.0.1 that is free now (for a server a test starts). */
int test_free_port(void);

typedef struct test_run {
	int status; /* exit code, or 128+signal */
	char *out;  /* standard output, NUL-terminated, malloc'd */
	char *err;  /* standard error */
} test_run;

/* Runs argv (argv[0] is the program path) in `cwd` with extra environment
 * entries "K=V" (NULL-terminated list, may be NULL), capturing both streams.
 * Standard input is /dev/null. */
test_run test_exec(const char *cwd, const char *const *env, const char *const *argv);

/* test_exec with `input` as standard input (NULL: /dev/null). */
test_run test_exec_input(const char *cwd, const char *const *env, const char *const *argv,
                         const char *input);

/* Runs the fcat binary with the given arguments (NULL-terminated) in cwd, as
 * the demo policies' principal fcat-operator unless FCAT_PRINCIPAL is set. */
test_run test_fcat(const char *cwd, ...);

/* What test_fcat and test_fcat_as run: `fcat [--as PRINCIPAL] FIRST...
 * REST...` in `cwd` (principal NULL: as test_fcat) with `input` on standard
 * input (NULL: /dev/null). `first` (NULL-terminated, may be NULL) and the
 * va_list (ending with NULL) are the arguments. */
test_run test_fcat_va(const char *cwd, const char *principal, const char *input,
                      const char *const *first, va_list rest);

/* Runs `fcat --as PRINCIPAL ARGS...` in `cwd`; args ends with NULL. */
test_run test_fcat_as(const char *cwd, const char *principal, const char *const *args);

void test_run_free(test_run *r);

/* Checks a finished run and frees it: it exited with `status`, and its
 * standard error contains `in_err` (when not NULL). A failure shows both
 * streams and names the caller's line. */
#define test_expect_exit(run, status, in_err)                                                      \
	test_expect_exit_at((run), (status), (in_err), __FILE__, __LINE__)
void test_expect_exit_at(test_run r, int status, const char *in_err, const char *file, int line);

/* Checks a finished run and frees it: it exited with `status`, and its
 * standard output contains `in_out`. A failure shows both streams and names
 * the caller's line. */
#define test_expect_output(run, status, in_out)                                                    \
	test_expect_output_at((run), (status), (in_out), __FILE__, __LINE__)
void test_expect_output_at(test_run r, int status, const char *in_out, const char *file, int line);

/* Opens the store of the repo at `repo` as `principal`; fails the test
 * when it cannot. Free with fcat_store_free. */
fcat_store *test_store_open_as(const char *repo, const char *principal);

/* Commits every change in the git work tree at `repo` (like git add -A &&
 * git commit -m), with a fixed author and the given time (seconds since the
 * epoch) so histories are reproducible. Returns the commit id in hex. */
void test_git_commit_all(const char *repo, const char *message, long long when, char out[41]);

/* test_git_commit_all of every change at `repo` (at 1800000000), then
 * `fcat apply`, which must succeed. */
void test_commit_and_apply(const char *repo, const char *message);

/* Replaces the first occurrence of `from` with `to` in dir/rel. */
void test_replace_in_file(const char *dir, const char *rel, const char *from, const char *to);

/* Loads build/plugins/fcat_NAME.so directly (dlopen, the entry symbol, the
 * ABI version) with a host table backed by libfcat; fails the test when it
 * cannot. The plugin stays loaded for the life of the process. */
struct fcat_plugin;
const struct fcat_plugin *test_load_plugin(const char *name);

/* A plugin config over a NULL-terminated list "key", "value", ...; repo_root
 * is `root`. The strings must outlive the config. Free with free(). */
struct fcat_plugin_config;
struct fcat_plugin_config *test_plugin_config(const char *root, const char *const *kv);

/* `fcat init` of a demo repo named "demo" in a fresh temporary directory
 * (*parent; with_data adds the sample data); returns the repo's path. Fails
 * the test when init fails. Free both with test_repo_done. */
char *test_demo_repo(char **parent, bool with_data);
void test_repo_done(char *parent, char *repo);

/* A fresh directory holding a feature repo (not a git repository) of
 * project "t" whose catalog is catalog/defs.lua with `defs`; open its work
 * tree. Free with test_dir_done. */
char *test_defs_repo(const char *defs);

/* test_demo_repo with the sample data, materialized into its online store
 * (from 2020-01-01 to now). Free both with test_repo_done. */
char *test_materialized_demo(char **parent);

/* A demo repo (test_demo_repo) and a store on it: the fixture of the tests
 * that call libfcat on the demo. */
typedef struct test_demo_store {
	char *parent, *repo;
	fcat_store *store;
} test_demo_store;

/* Makes the repo (with_data: with its sample data) and opens its store as
 * `principal` (NULL: none; each call then names its own). */
void test_demo_store_open(test_demo_store *d, bool with_data, const char *principal);

/* A cmocka per-test fixture: *state is a test_demo_store of a demo repo
 * with its sample data and no store open (test_demo_store_teardown removes
 * it); test_demo_of(state) is the repo's path. */
int test_demo_setup(void **state);
int test_demo_without_data_setup(void **state); /* the same without the data */
static inline const char *test_demo_of(void **state)
{
	return ((const test_demo_store *)*state)->repo;
}

/* A cmocka teardown: *state is a malloc'd test_demo_store, or a malloc'd
 * struct whose first member is one. Frees the store, removes the repo and
 * frees *state. */
int test_demo_store_teardown(void **state);

/* Counts the lines of a string (a last line without '\n' counts). */
size_t test_count_lines(const char *s);

/* Loads `text` as catalog/defs.lua of a fresh directory and expects
 * FCAT_EINVALID, no catalog, and a report that is `want` (with
 * prefix_only, one that starts with it). */
void test_expect_catalog_invalid(const char *text, const char *want, bool prefix_only);

#endif
