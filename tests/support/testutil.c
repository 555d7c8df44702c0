/* testutil.c - helpers shared by the cmocka tests: temporary repos, files,
 * and running the real fcat binary. */
#include "testutil.h"

#include "fcat_plugin.h"
#include "plugin/loader.h"
#include "util/error.h"
#include "util/fs.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <git2.h>
#include <fcntl.h>
#include <poll.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

char *test_mkdtemp(void)
{
	char buf[4096];
	if (fcat__temp_dir(buf, sizeof buf, "fcat-test"))
		fail_msg("%s", fcat_error_last());
	return strdup(buf);
}

void test_rmtree(const char *path)
{
	fcat__remove_tree(path);
}

static void mkdirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0777);
			*p = '/';
		}
	}
}

void test_write_file(const char *dir, const char *rel, const char *text)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, rel);
	mkdirs(path);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

int test_free_port(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &len), 0);
	close(s);
	return ntohs(a.sin_port);
}

bool test_path_exists(const char *dir, const char *rel)
{
	char path[4096];
	struct stat st;
	snprintf(path, sizeof path, "%s/%s", dir, rel);
	return stat(path, &st) == 0;
}

char *test_read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	size_t got;
	while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (cap - n < 2)
			buf = realloc(buf, cap *= 2);
	}
	fclose(f);
	buf[n] = '\0';
	return buf;
}

typedef struct {
	char *data;
	size_t len, cap;
} sink;

static void sink_read(sink *s, int fd, int *open_fd)
{
	if (s->cap - s->len < 4097) {
		s->cap = s->cap ? s->cap * 2 : 8192;
		s->data = realloc(s->data, s->cap);
	}
	ssize_t n = read(fd, s->data + s->len, s->cap - s->len - 1);
	if (n > 0)
		s->len += (size_t)n;
	else if (n == 0 || errno != EINTR)
		*open_fd = -1;
	s->data[s->len] = '\0';
}

/* A file holding `input`, already unlinked, read from its start; for
 * NULL, /dev/null. */
static int input_fd(const char *input)
{
	if (!input)
		return open("/dev/null", O_RDONLY);
	const char *tmp = getenv("TMPDIR");
	char path[4096];
	snprintf(path, sizeof path, "%s/fcat-stdin-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	size_t len = strlen(input);
	assert_int_equal(write(fd, input, len), (ssize_t)len);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

test_run test_exec(const char *cwd, const char *const *env, const char *const *argv)
{
	return test_exec_input(cwd, env, argv, NULL);
}

test_run test_exec_input(const char *cwd, const char *const *env, const char *const *argv,
                         const char *input)
{
	int out[2], err[2], in = input_fd(input);
	assert_int_equal(pipe(out), 0);
	assert_int_equal(pipe(err), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(in, 0);
		close(in);
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]), close(err[0]), close(out[1]), close(err[1]);
		if (cwd && chdir(cwd) != 0)
			_exit(126);
		for (const char *const *e = env; e && *e; e++)
			putenv((char *)*e);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(in);
	close(out[1]);
	close(err[1]);
	sink so = {calloc(1, 8192), 0, 8192}, se = {calloc(1, 8192), 0, 8192};
	int fo = out[0], fe = err[0];
	while (fo >= 0 || fe >= 0) {
		struct pollfd p[2] = {{fo, POLLIN, 0}, {fe, POLLIN, 0}};
		if (poll(p, 2, -1) < 0 && errno == EINTR)
			continue;
		if (fo >= 0 && p[0].revents) {
			int keep = fo;
			sink_read(&so, fo, &fo);
			if (fo < 0)
				close(keep);
		}
		if (fe >= 0 && p[1].revents) {
			int keep = fe;
			sink_read(&se, fe, &fe);
			if (fe < 0)
				close(keep);
		}
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	test_run r = {0};
	r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	r.out = so.data;
	r.err = se.data;
	return r;
}

test_run test_fcat_va(const char *cwd, const char *principal, const char *input,
                      const char *const *first, va_list rest)
{
	const char *argv[64] = {FCAT_CLI_PATH};
	int n = 1;
	if (principal) {
		argv[n++] = "--as";
		argv[n++] = principal;
	}
	for (; first && *first && n < 63; first++)
		argv[n++] = *first;
	const char *a;
	while ((a = va_arg(rest, const char *)) && n < 63)
		argv[n++] = a;
	argv[n] = NULL;
	/* the demo policies' operator, unless the test process says otherwise */
	const char *env[] = {
	    principal || getenv("FCAT_PRINCIPAL") ? NULL : "FCAT_PRINCIPAL=fcat-operator", NULL};
	return test_exec_input(cwd, env, argv, input);
}

test_run test_fcat(const char *cwd, ...)
{
	va_list ap;
	va_start(ap, cwd);
	test_run r = test_fcat_va(cwd, NULL, NULL, NULL, ap);
	va_end(ap);
	return r;
}

void test_run_free(test_run *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

/* The check of test_expect_exit and test_expect_output: the status, and
 * `text` in `stream` ("stderr" or "stdout") when not NULL. */
static void expect_run(test_run r, int status, const char *stream, const char *text,
                       const char *file, int line)
{
	const char *in = !strcmp(stream, "stderr") ? r.err : r.out;
	if (r.status != status || (text && !strstr(in, text))) {
		print_error("expected exit %d with '%s' on %s, got %d:\n%s%s\n", status,
		            text ? text : "", stream, r.status, r.out, r.err);
		test_run_free(&r);
		_fail(file, line);
	}
	test_run_free(&r);
}

void test_expect_exit_at(test_run r, int status, const char *in_err, const char *file, int line)
{
	expect_run(r, status, "stderr", in_err, file, line);
}

void test_expect_output_at(test_run r, int status, const char *in_out, const char *file, int line)
{
	expect_run(r, status, "stdout", in_out, file, line);
}

fcat_store *test_store_open_as(const char *repo, const char *principal)
{
	fcat_open_options o = FCAT_OPEN_OPTIONS_INIT;
	o.principal = principal;
	fcat_store *s;
	if (fcat_store_open_ext(&s, repo, &o) != 0)
		fail_msg("open %s as %s: %s", repo, principal, fcat_error_last());
	return s;
}

void test_commit_and_apply(const char *repo, const char *message)
{
	char commit[41];
	test_git_commit_all(repo, message, 1800000000, commit);
	test_expect_exit(test_fcat(repo, "apply", NULL), 0, NULL);
}

size_t test_count_lines(const char *s)
{
	size_t n = 0;
	for (const char *p = s; *p; p++)
		if (*p == '\n')
			n++;
	if (*s && s[strlen(s) - 1] != '\n')
		n++;
	return n;
}

void test_git_commit_all(const char *repo_path, const char *message, long long when, char out[41])
{
	git_libgit2_init();
	git_repository *repo;
	git_index *index;
	git_oid tree_id, parent_id, commit_id;
	git_tree *tree;
	git_signature *sig;
	git_commit *parent = NULL;
	assert_int_equal(git_repository_open(&repo, repo_path), 0);
	assert_int_equal(git_repository_index(&index, repo), 0);
	assert_int_equal(git_index_add_all(index, NULL, 0, NULL, NULL), 0);
	assert_int_equal(git_index_update_all(index, NULL, NULL, NULL), 0);
	assert_int_equal(git_index_write(index), 0);
	assert_int_equal(git_index_write_tree(&tree_id, index), 0);
	assert_int_equal(git_tree_lookup(&tree, repo, &tree_id), 0);
	assert_int_equal(git_signature_new(&sig, "Test Author", "test@example.com", when, 0), 0);
	if (git_reference_name_to_id(&parent_id, repo, "HEAD") == 0)
		assert_int_equal(git_commit_lookup(&parent, repo, &parent_id), 0);
	const git_commit *parents[1] = {parent};
	assert_int_equal(git_commit_create(&commit_id, repo, "HEAD", sig, sig, NULL, message, tree,
	                                   parent ? 1 : 0, parents),
	                 0);
	git_oid_tostr(out, 41, &commit_id);
	git_commit_free(parent);
	git_signature_free(sig);
	git_tree_free(tree);
	git_index_free(index);
	git_repository_free(repo);
	git_libgit2_shutdown();
}

void test_replace_in_file(const char *dir, const char *rel, const char *from, const char *to)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, rel);
	char *text = test_read_file(path);
	assert_non_null(text);
	char *at = strstr(text, from);
	if (!at)
		fail_msg("'%s' not found in %s", from, path);
	size_t size = strlen(text) - strlen(from) + strlen(to) + 1;
	char *out = malloc(size);
	snprintf(out, size, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	test_write_file(dir, rel, out);
	free(out);
	free(text);
}

const fcat_plugin *test_load_plugin(const char *name)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/fcat_%s.so", FCAT_TEST_PLUGIN_DIR, name);
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		fail_msg("dlopen %s: %s", path, dlerror());
	fcat_plugin_entry_fn entry = (fcat_plugin_entry_fn)dlsym(h, FCAT_PLUGIN_ENTRY_NAME);
	if (!entry)
		fail_msg("%s: no %s", path, FCAT_PLUGIN_ENTRY_NAME);
	const fcat_plugin *p =
	    entry(&fcat__plugin_host); /* the host table core hands every plugin */
	if (!p)
		fail_msg("%s refused: %s", path, fcat_error_last());
	assert_int_equal(p->abi_version, FCAT_PLUGIN_ABI_VERSION);
	assert_string_equal(p->name, name);
	return p;
}

typedef struct kv_config {
	fcat_plugin_config base;
	const char *const *kv;
} kv_config;

static const char *kv_get(const fcat_plugin_config *config, const char *key)
{
	const kv_config *c = (const kv_config *)config;
	for (const char *const *p = c->kv; p && p[0]; p += 2)
		if (strcmp(p[0], key) == 0)
			return p[1];
	return NULL;
}

fcat_plugin_config *test_plugin_config(const char *root, const char *const *kv)
{
	kv_config *c = calloc(1, sizeof *c);
	c->base.repo_root = root;
	c->base.project = "test";
	c->base.section = "online_store";
	c->base.get = kv_get;
	c->kv = kv;
	return &c->base;
}

char *test_demo_repo(char **parent, bool with_data)
{
	*parent = test_mkdtemp();
	test_run r = with_data ? test_fcat(*parent, "init", "demo", NULL)
	                       : test_fcat(*parent, "init", "--no-data", "demo", NULL);
	if (r.status != 0)
		fail_msg("fcat init failed (%d): %s", r.status, r.err);
	test_run_free(&r);
	char *repo = malloc(strlen(*parent) + 8);
	sprintf(repo, "%s/demo", *parent);
	return repo;
}

char *test_defs_repo(const char *defs)
{
	char *dir = test_mkdtemp();
	test_write_file(dir, "fcat.yaml", "project: t\n");
	test_write_file(dir, "catalog/defs.lua", defs);
	return dir;
}

void test_demo_store_open(test_demo_store *d, bool with_data, const char *principal)
{
	d->repo = test_demo_repo(&d->parent, with_data);
	fcat_open_options o = FCAT_OPEN_OPTIONS_INIT;
	o.principal = principal;
	if (fcat_store_open_ext(&d->store, d->repo, &o) != 0)
		fail_msg("open %s: %s", d->repo, fcat_error_last());
}

static int demo_setup(void **state, bool with_data)
{
	test_demo_store *d = calloc(1, sizeof *d);
	d->repo = test_demo_repo(&d->parent, with_data);
	*state = d;
	return 0;
}

int test_demo_setup(void **state)
{
	return demo_setup(state, true);
}

int test_demo_without_data_setup(void **state)
{
	return demo_setup(state, false);
}

int test_demo_store_teardown(void **state)
{
	test_demo_store *d = *state;
	fcat_store_free(d->store);
	test_repo_done(d->parent, d->repo);
	free(d);
	return 0;
}

char *test_materialized_demo(char **parent)
{
	char *repo = test_demo_repo(parent, true);
	test_expect_exit(test_fcat(repo, "materialize", "2020-01-01", "now", NULL), 0, NULL);
	return repo;
}

void test_dir_done(char *dir)
{
	test_rmtree(dir);
	free(dir);
}

int test_dir_setup(void **state)
{
	*state = test_mkdtemp();
	return 0;
}

int test_dir_teardown(void **state)
{
	test_dir_done(*state);
	return 0;
}

void test_repo_done(char *parent, char *repo)
{
	test_dir_done(parent);
	free(repo);
}

test_run test_fcat_as(const char *cwd, const char *principal, const char *const *args)
{
	const char *argv[32] = {FCAT_CLI_PATH, "--as", principal};
	int n = 3;
	for (; *args && n < 31; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	return test_exec(cwd, NULL, argv);
}

void test_expect_catalog_invalid(const char *text, const char *want, bool prefix_only)
{
	char *dir = test_mkdtemp();
	test_write_file(dir, "catalog/defs.lua", text);
	fcat_catalog *c = (fcat_catalog *)1;
	int rc = fcat_catalog_load_dir(&c, dir, "catalog");
	if (rc != FCAT_EINVALID)
		fail_msg("expected a validation error '%s', got rc %d", want, rc);
	assert_null(c);
	const char *got = fcat_error_last();
	if (prefix_only && strncmp(got, want, strlen(want)) != 0)
		fail_msg("expected a report starting with:\n%s\ngot:\n%s", want, got);
	if (!prefix_only && strcmp(got, want) != 0)
		fail_msg("expected:\n%s\ngot:\n%s", want, got);
	test_dir_done(dir);
}
