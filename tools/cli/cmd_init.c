/* cmd_init.c - `fcat init DIR`: a new feature repo that works at once: the
 * demo catalog, fcat.yaml, sample data, and a first git commit. */
#include "cli.h"
#include "demo_data.h"
#include "repo_template.h"

#include <errno.h>
#include <git2.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char help[] =
    "usage: fcat init DIR [--no-data]\n\n"
    "Creates DIR as a new feature repo: fcat.yaml (the project is named after\n"
    "DIR), the demo catalog in catalog/, policies/, sample data in data/ (made\n"
    "by fcat-datagen; --no-data skips it) and a git repository with a first\n"
    "commit of the definitions, which it applies. DIR must not exist or be empty.\n";

static const char gitignore[] = "# data is generated (fcat-datagen) and stores are local\n"
                                "data/\n"
                                ".fcat/\n";

static int mkdirs(const char *root, const char *rel)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	for (char *p = path + strlen(root) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0777) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

static int write_file(const char *root, const char *rel, const char *data, size_t len)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	if (mkdirs(root, rel) != 0)
		return -1;
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	size_t put = fwrite(data, 1, len, f);
	return fclose(f) == 0 && put == len ? 0 : -1;
}

/* fcat.yaml with the project line naming the new project. */
static int write_config(const char *root, const char *data, size_t len, const char *project)
{
	const char *line = strstr(data, "\nproject:");
	if (!line)
		return write_file(root, "fcat.yaml", data, len);
	line++;
	const char *eol = strchr(line, '\n');
	size_t tail = eol ? len - (size_t)(eol - data) : 0;
	size_t head = (size_t)(line - data);
	size_t size = head + strlen(project) + 16 + tail;
	char *out = malloc(size);
	if (!out)
		return -1;
	int n = snprintf(out, size, "%.*sproject: %s%.*s", (int)head, data, project, (int)tail,
	                 eol ? eol : "");
	int rc = write_file(root, "fcat.yaml", out, (size_t)n);
	free(out);
	return rc;
}

static int git_fail(const char *what)
{
	const git_error *e = git_error_last();
	fprintf(stderr, "error: %s: %s\n", what, e && e->message ? e->message : "git error");
	return EXIT_USER;
}

/* git init, add everything not ignored, commit. */
static int git_first_commit(const char *root)
{
	git_repository *repo = NULL;
	git_index *index = NULL;
	git_signature *sig = NULL;
	git_tree *tree = NULL;
	git_oid tree_id, commit_id;
	int rc = EXIT_OK;
	git_libgit2_init();
	if (git_repository_init(&repo, root, 0) < 0) {
		rc = git_fail("git init");
		goto out;
	}
	if (git_repository_index(&index, repo) < 0 ||
	    git_index_add_all(index, NULL, 0, NULL, NULL) < 0 || git_index_write(index) < 0 ||
	    git_index_write_tree(&tree_id, index) < 0 ||
	    git_tree_lookup(&tree, repo, &tree_id) < 0) {
		rc = git_fail("git add");
		goto out;
	}
	if (git_signature_default(&sig, repo) < 0 &&
	    git_signature_now(&sig, "fcat", "fcat@localhost") < 0) {
		rc = git_fail("git signature");
		goto out;
	}
	if (git_commit_create_v(&commit_id, repo, "HEAD", sig, sig, NULL,
	                        "Create the feature repo with fcat init\n", tree, 0) < 0)
		rc = git_fail("git commit");
out:
	git_tree_free(tree);
	git_signature_free(sig);
	git_index_free(index);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return rc;
}

static bool dir_is_usable(const char *dir)
{
	struct stat st;
	if (stat(dir, &st) != 0)
		return mkdir(dir, 0777) == 0;
	if (!S_ISDIR(st.st_mode))
		return false;
	char probe[4096];
	snprintf(probe, sizeof probe, "%s/fcat.yaml", dir);
	if (access(probe, F_OK) == 0)
		return false;
	return rmdir(dir) == 0 && mkdir(dir, 0777) == 0; /* empty only */
}

int cmd_init(cli_ctx *ctx, int argc, char **argv)
{
	const char *no_data = NULL;
	const cli_opt opts[] = {{"no-data", 0, &no_data, NULL}, {NULL, 0, NULL, NULL}};
	const cli_spec spec = {"init", help, 1, 1, "where? give the DIR to create"};
	int first, rc = cli_parse(ctx, &spec, argc, argv, opts, &first);
	if (rc >= 0)
		return rc;
	const char *dir = argv[first];
	if (!dir_is_usable(dir)) {
		fprintf(stderr,
		        "error: %s: cannot create a feature repo there: it is not an empty "
		        "directory (or cannot be created)\n",
		        dir);
		return EXIT_USER;
	}
	char *copy = strdup(dir);
	char project[256];
	snprintf(project, sizeof project, "%s", basename(copy));
	free(copy);
	for (char *p = project; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			*p = '_';
	for (const fcat_template_file *f = fcat_repo_template; f->path; f++) {
		int w = strcmp(f->path, "fcat.yaml") == 0
		            ? write_config(dir, f->data, f->len, project)
		            : write_file(dir, f->path, f->data, f->len);
		if (w != 0) {
			fprintf(stderr, "error: %s/%s: %s\n", dir, f->path, strerror(errno));
			return EXIT_USER;
		}
	}
	if (write_file(dir, ".gitignore", gitignore, sizeof gitignore - 1) != 0 ||
	    mkdirs(dir, "policies/") != 0 || mkdirs(dir, "data/") != 0) {
		fprintf(stderr, "error: %s: %s\n", dir, strerror(errno));
		return EXIT_USER;
	}
	if (!no_data) {
		char path[4096];
		snprintf(path, sizeof path, "%s/data/conversations.csv", dir);
		FILE *f = fopen(path, "wb");
		fcat_demo_options o;
		fcat_demo_options_default(&o);
		if (!f || fcat_demo_write_conversations(f, &o) != 0 || fclose(f) != 0) {
			fprintf(stderr, "error: %s: %s\n", path, strerror(errno));
			return EXIT_USER;
		}
	}
	if ((rc = git_first_commit(dir)))
		return rc;
	char commit[41];
	if ((rc = fcat_apply(commit, dir, NULL)))
		return cli_fail(rc);
	printf("Created feature repo '%s' in %s: git initialised, first commit %.12s applied.\n"
	       "Next: cd %s && fcat list features\n",
	       project, dir, commit, dir);
	return EXIT_OK;
}
