/* bench_catalog.c - measures how long a large catalog takes to apply
 * and to open from its compiled cache, against opening it by running its Lua
 * definitions, on a generated, deterministic feature repo in a git repository.
 *
 * fcat-bench-catalog [--views 1000] [--features 20] [--runs 15] [--keep DIR]
 *
 * With --keep DIR the repo is generated in DIR (which must not exist) and left
 * there; otherwise it goes to a fresh temporary directory that is removed at
 * the end. Exits 1 when anything fails or the catalogs do not hold V*F
 * features.
 */
#include "bench_fcat.h"
#include "bench_util.h"
#include "fcat.h"

#include <git2.h>

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VIEWS_PER_FILE 50
#define ENTITIES       10
#define SOURCES        10
#define SERVICE_EVERY  10
#define APPLY_RUNS     5

static double now_ms(void)
{
	return (double)bench_now_ns() / 1e6;
}

/* ---- generating the feature repo ---------------------------------------- */

/* The feature types, cycled through by feature index: how each is written in
 * Lua, and a short name for the feature name. */
static const struct {
	const char *lua;
	const char *tag;
} feature_types[] = {
    {"int64", "count"},         {"float32", "rate"},
    {"string", "label"},        {"array(float32, 16)", "embedding"},
    {"float64", "score"},       {"bool", "flag"},
    {"int32", "bucket"},        {"timestamp", "last_seen"},
    {"\"float32[16]\"", "vec"}, {"array(int64)", "history"},
};
#define NTYPES (sizeof feature_types / sizeof feature_types[0])

static void write_entities(const char *root, long *bytes)
{
	FILE *f = bench_create(root, "catalog/00_entities.lua");
	fprintf(f, "-- 00_entities.lua - the entities every view refers to by name.\n");
	for (int i = 0; i < ENTITIES; i++)
		fprintf(f,
		        "\nentity {\n"
		        "  name = \"user%d\",\n"
		        "  join_keys = { field(\"user%d_id\", string) },\n"
		        "  description = \"Benchmark entity %d.\",\n"
		        "  owner = \"bench@example.com\",\n"
		        "}\n",
		        i, i, i);
	*bytes += bench_finish(f, "catalog/00_entities.lua");
}

static void write_sources(const char *root, long *bytes)
{
	FILE *f = bench_create(root, "catalog/01_sources.lua");
	fprintf(f, "-- 01_sources.lua - the sources every view refers to by name.\n");
	for (int i = 0; i < SOURCES; i++)
		fprintf(f,
		        "\nsource {\n"
		        "  name = \"src%d\",\n"
		        "  path = \"data/src%d.csv\",\n"
		        "  timestamp_field = \"event_timestamp\",\n"
		        "  created_timestamp_field = \"created_at\",\n"
		        "  description = \"Benchmark source %d.\",\n"
		        "}\n",
		        i, i, i);
	*bytes += bench_finish(f, "catalog/01_sources.lua");
}

static void write_view(FILE *f, int v, int nfeatures)
{
	fprintf(f,
	        "\nfeature_view {\n"
	        "  name = \"view%05d\",\n"
	        "  entities = { \"user%d\" },\n"
	        "  source = \"src%d\",\n"
	        "  ttl = days(%d),\n"
	        "  online = true,\n"
	        "  schema = {\n",
	        v, v % ENTITIES, (v * 3 + 1) % SOURCES, 1 + v % 30);
	for (int j = 0; j < nfeatures; j++) {
		size_t t = (size_t)(j + v) % NTYPES;
		fprintf(f,
		        "    field(\"f%03d_%s\", %s, { description = \"%s %d of view %d\", "
		        "tags = { tier = \"%s\" } }),\n",
		        j, feature_types[t].tag, feature_types[t].lua, feature_types[t].tag, j, v,
		        (j + v) % 3 == 0 ? "gold" : "silver");
	}
	fprintf(f,
	        "  },\n"
	        "  description = \"Benchmark view %d.\",\n"
	        "  owner = \"team%d@example.com\",\n"
	        "  tags = { team = \"team%d\" },\n"
	        "}\n",
	        v, v % 7, v % 7);
}

/* A service over the views [first, last]: whole views, and one feature. */
static void write_service(FILE *f, int first, int last)
{
	fprintf(f, "\nfeature_service {\n  name = \"service%05d\",\n  features = {", first);
	for (int v = first; v <= last; v++)
		fprintf(f, " \"view%05d\",", v);
	fprintf(f,
	        " \"view%05d:f000_%s\" },\n"
	        "  description = \"Benchmark service over views %d to %d.\",\n"
	        "}\n",
	        first, feature_types[(size_t)first % NTYPES].tag, first, last);
}

static int write_views(const char *root, int nviews, int nfeatures, long *bytes)
{
	int nfiles = (nviews + VIEWS_PER_FILE - 1) / VIEWS_PER_FILE;
	for (int k = 0; k < nfiles; k++) {
		char rel[64];
		snprintf(rel, sizeof rel, "catalog/views_%04d.lua", k);
		FILE *f = bench_create(root, rel);
		fprintf(f, "-- views_%04d.lua - generated benchmark views.\n", k);
		int first = k * VIEWS_PER_FILE;
		int end = first + VIEWS_PER_FILE < nviews ? first + VIEWS_PER_FILE : nviews;
		for (int v = first; v < end; v++) {
			write_view(f, v, nfeatures);
			if ((v + 1) % SERVICE_EVERY == 0)
				write_service(f, v + 1 - SERVICE_EVERY, v);
		}
		*bytes += bench_finish(f, rel);
	}
	return nfiles + 2;
}

/* ---- committing it with libgit2 ----------------------------------------- */

static void git_check(int rc, const char *what)
{
	if (rc < 0) {
		const git_error *e = git_error_last();
		bench_die("git: %s: %s", what, e && e->message ? e->message : "unknown error");
	}
}

static void git_commit_everything(const char *root)
{
	git_repository *repo;
	git_index *index;
	git_tree *tree;
	git_signature *sig;
	git_oid tree_id, commit_id;
	git_check(git_repository_init(&repo, root, 0), "init");
	git_check(git_repository_index(&index, repo), "index");
	git_check(git_index_add_all(index, NULL, 0, NULL, NULL), "add all");
	git_check(git_index_write(index), "write index");
	git_check(git_index_write_tree(&tree_id, index), "write tree");
	git_check(git_tree_lookup(&tree, repo, &tree_id), "tree lookup");
	git_check(git_signature_now(&sig, "fcat bench", "bench@example.com"), "signature");
	git_check(git_commit_create(&commit_id, repo, "HEAD", sig, sig, NULL,
	                            "Generated benchmark catalog\n", tree, 0, NULL),
	          "commit");
	git_signature_free(sig);
	git_tree_free(tree);
	git_index_free(index);
	git_repository_free(repo);
}

/* ---- the measurements --------------------------------------------------- */

static void check_count(const fcat_store *s, size_t want, const char *what)
{
	size_t got = fcat_catalog_count(fcat_store_catalog(s), FCAT_OBJ_FEATURE);
	if (got != want)
		bench_die("%s: the catalog holds %zu features, expected %zu", what, got, want);
}

/* Opens and frees the store `runs` times; the count is checked between the
 * two, outside the timed part. */
static void time_open(double *ms, int runs, const char *root, const fcat_open_options *opts,
                      size_t want, const char *what)
{
	for (int i = 0; i < runs; i++) {
		fcat_store *s;
		double t0 = now_ms();
		int rc = fcat_store_open_ext(&s, root, opts);
		double t1 = now_ms();
		bench_fcat_check(rc, what);
		check_count(s, want, what);
		bool from_commit = fcat_catalog_commit(fcat_store_catalog(s))[0] != '\0';
		if (from_commit != (opts->catalog != FCAT_CATALOG_WORKTREE))
			bench_die("%s: the catalog comes from the wrong place (commit '%s')", what,
			          fcat_catalog_commit(fcat_store_catalog(s)));
		double t2 = now_ms();
		fcat_store_free(s);
		ms[i] = (t1 - t0) + (now_ms() - t2);
	}
}

/* The number of compiled caches (*.cat) in <root>/.git/fcat/cache. */
static int count_cache_files(const char *root)
{
	char path[8192];
	snprintf(path, sizeof path, "%s/.git/fcat/cache", root);
	DIR *d = opendir(path);
	if (!d)
		return 0;
	int n = 0;
	for (struct dirent *e; (e = readdir(d));) {
		size_t len = strlen(e->d_name);
		n += len > 4 && !strcmp(e->d_name + len - 4, ".cat");
	}
	closedir(d);
	return n;
}

int main(int argc, char **argv)
{
	bench_init("fcat-bench-catalog", 1);
	long views = 1000, features = 20, nruns = 15;
	const char *keep = NULL;
	const bench_opt opts[] = {{"--views", &views, 1000000, NULL, NULL},
	                          {"--features", &features, 10000, NULL, NULL},
	                          {"--runs", &nruns, 100000, NULL, NULL},
	                          {"--keep", NULL, 0, &keep, NULL},
	                          {NULL, NULL, 0, NULL, NULL}};
	bench_parse_options(argc, argv, opts, "[--views N] [--features N] [--runs N] [--keep DIR]");
	int nviews = (int)views, nfeatures = (int)features, runs = (int)nruns;

	char root[4096];
	bench_make_root(root, sizeof root, keep, "fcat-bench");
	bench_make_dir(root, "catalog");

	long bytes = 0;
	FILE *f = bench_create(root, "fcat.yaml");
	fprintf(f, "project: bench\n");
	bench_finish(f, "fcat.yaml");
	write_entities(root, &bytes);
	write_sources(root, &bytes);
	int nfiles = write_views(root, nviews, nfeatures, &bytes);

	git_libgit2_init();
	git_commit_everything(root);
	git_libgit2_shutdown();

	size_t want = (size_t)nviews * (size_t)nfeatures;
	char cache_dir[8192], commit[41];
	snprintf(cache_dir, sizeof cache_dir, "%s/.git/fcat", root);

	/* apply, cold each time: the compiled cache is removed before each run */
	double apply_ms[APPLY_RUNS];
	for (int i = 0; i < APPLY_RUNS; i++) {
		if (bench_rm_tree(cache_dir) != 0)
			bench_die("cannot remove %s", cache_dir);
		double t0 = now_ms();
		int rc = fcat_apply(commit, root, NULL);
		apply_ms[i] = now_ms() - t0;
		bench_fcat_check(rc, "fcat_apply");
	}
	if (count_cache_files(root) != 1)
		bench_die("fcat_apply left %d compiled caches in %s/cache, expected 1",
		          count_cache_files(root), cache_dir);

	double *cached_ms = calloc((size_t)runs, sizeof *cached_ms);
	double *peer_ms = calloc((size_t)runs, sizeof *peer_ms);
	if (!cached_ms || !peer_ms)
		bench_die("out of memory");
	fcat_open_options applied = FCAT_OPEN_OPTIONS_INIT;
	fcat_open_options worktree = FCAT_OPEN_OPTIONS_INIT;
	worktree.catalog = FCAT_CATALOG_WORKTREE;
	time_open(cached_ms, runs, root, &applied, want, "fcat_store_open (applied)");
	time_open(peer_ms, runs, root, &worktree, want, "fcat_store_open_ext (work tree)");

	double apply_med = bench_median(apply_ms, APPLY_RUNS);
	double cached_med = bench_median(cached_ms, (size_t)runs);
	double peer_med = bench_median(peer_ms, (size_t)runs);
	char label[64];
	printf("libfcat %s, commit %.12s%s%s\n", fcat_version(), commit, keep ? ", kept in " : "",
	       keep ? keep : "");
	printf("catalog: %d views x %d features (%zu features), %d files "
	       "(+2 of entities and sources), %.0f KiB of Lua\n",
	       nviews, nfeatures, want, nfiles - 2, (double)bytes / 1024);
	snprintf(label, sizeof label, "apply (validate + compile + ref), %d runs:", APPLY_RUNS);
	printf("%-46s median %7.1f ms  min %7.1f  max %7.1f\n", label, apply_med, apply_ms[0],
	       apply_ms[APPLY_RUNS - 1]);
	snprintf(label, sizeof label, "open from compiled cache, %d runs:", runs);
	printf("%-46s median %7.1f ms  p90 %7.1f  min %7.1f\n", label, cached_med,
	       bench_percentile(cached_ms, (size_t)runs, 900), cached_ms[0]);
	snprintf(label, sizeof label, "peer: open by running the Lua definitions:");
	printf("%-46s median %7.1f ms  p90 %7.1f  min %7.1f\n", label, peer_med,
	       bench_percentile(peer_ms, (size_t)runs, 900), peer_ms[0]);
	printf("ratio peer/cache: %.1fx\n", cached_med > 0 ? peer_med / cached_med : 0.0);

	free(cached_ms);
	free(peer_ms);
	if (!keep && bench_rm_tree(root) != 0)
		bench_die("cannot remove %s", root);
	return 0;
}
