/* fs.c - file helpers: read a whole file, list files under a directory. */
#include "util/fs.h"

#include "util/error.h"

#include <dirent.h>
#include <ftw.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int fcat__read_file(char **out, size_t *len, const char *path)
{
	*out = NULL;
	FILE *f = fopen(path, "rb");
	if (!f)
		return fcat__error(errno == ENOENT ? FCAT_ENOTFOUND : FCAT_EIO, "%s: %s", path,
		                   strerror(errno));
	char *data = NULL;
	size_t n = 0, cap = 0;
	struct stat st;
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
		cap = (size_t)st.st_size + 1; /* one read in the common case */
		data = malloc(cap + 1);
		if (!data) {
			fclose(f);
			return fcat__error_oom();
		}
	}
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 8192;
			char *p = realloc(data, cap + 1);
			if (!p) {
				free(data);
				fclose(f);
				return fcat__error_oom();
			}
			data = p;
		}
		size_t got = fread(data + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	int err = ferror(f);
	fclose(f);
	if (err) {
		free(data);
		return fcat__error(FCAT_EIO, "%s: read error", path);
	}
	data[n] = '\0';
	*out = data;
	if (len)
		*len = n;
	return 0;
}

char *fcat__path_join(const char *dir, const char *name)
{
	size_t dl = strlen(dir), nl = strlen(name);
	while (dl > 1 && dir[dl - 1] == '/')
		dl--;
	char *p = malloc(dl + 1 + nl + 1);
	if (!p)
		return NULL;
	memcpy(p, dir, dl);
	p[dl] = '/';
	memcpy(p + dl + 1, name, nl + 1);
	return p;
}

void fcat__strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

typedef struct {
	char **items;
	size_t len, cap;
} strv;

static int strv_push(strv *v, char *s)
{
	if (!s)
		return -1;
	if (v->len + 2 > v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		char **p = realloc(v->items, cap * sizeof *p);
		if (!p) {
			free(s);
			return -1;
		}
		v->items = p;
		v->cap = cap;
	}
	v->items[v->len++] = s;
	v->items[v->len] = NULL;
	return 0;
}

static int walk(strv *v, const char *root, const char *rel, const char *suffix)
{
	char *dir = rel[0] ? fcat__path_join(root, rel) : strdup(root);
	if (!dir)
		return fcat__error_oom();
	DIR *d = opendir(dir);
	if (!d) {
		int code = errno == ENOENT || errno == ENOTDIR ? FCAT_ENOTFOUND : FCAT_EIO;
		fcat__error(code, "%s: %s", dir, strerror(errno));
		free(dir);
		return code;
	}
	int rc = 0;
	struct dirent *e;
	size_t sl = strlen(suffix);
	while (rc == 0 && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue; /* ., .., and hidden files */
		char *child = rel[0] ? fcat__path_join(rel, e->d_name) : strdup(e->d_name);
		char *full = child ? fcat__path_join(root, child) : NULL;
		struct stat st;
		if (!child || !full) {
			rc = fcat__error_oom();
		} else if (stat(full, &st) != 0) {
			rc = fcat__error(FCAT_EIO, "%s: %s", full, strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			rc = walk(v, root, child, suffix);
		} else if (S_ISREG(st.st_mode)) {
			size_t nl = strlen(child);
			if (nl >= sl && strcmp(child + nl - sl, suffix) == 0) {
				if (strv_push(v, child) < 0)
					rc = fcat__error_oom();
				child = NULL;
			}
		}
		free(child);
		free(full);
	}
	closedir(d);
	free(dir);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int fcat__list_files(char ***out, size_t *count, const char *dir, const char *suffix)
{
	strv v = {0};
	*out = NULL;
	int rc = walk(&v, dir, "", suffix);
	if (rc == 0 && !v.items && !(v.items = calloc(1, sizeof *v.items)))
		rc = fcat__error_oom();
	if (rc != 0) {
		if (v.items)
			fcat__strv_free(v.items);
		return rc;
	}
	qsort(v.items, v.len, sizeof *v.items, cmp_str);
	*out = v.items;
	if (count)
		*count = v.len;
	return 0;
}

int fcat__make_parent_dirs(const char *path)
{
	char dir[4096];
	size_t n = strlen(path);
	while (n > 0 && path[n - 1] != '/')
		n--;
	while (n > 1 && path[n - 1] == '/')
		n--;
	if (n == 0 || (n == 1 && path[0] == '/'))
		return 0; /* the current directory, or the root */
	if (n >= sizeof dir)
		return fcat__error(FCAT_EIO, "%.*s: the directory's name is too long", (int)n,
		                   path);
	memcpy(dir, path, n);
	dir[n] = '\0';
	for (size_t i = 1; i <= n; i++) {
		if (dir[i] != '/' && dir[i] != '\0')
			continue;
		char was = dir[i];
		dir[i] = '\0';
		struct stat st;
		if (mkdir(dir, 0777) != 0 && errno != EEXIST)
			return fcat__error(FCAT_EIO, "cannot make directory %s: %s", dir,
			                   strerror(errno));
		if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
			return fcat__error(FCAT_EIO, "cannot make directory %s: %s", dir,
			                   stat(dir, &st) != 0
			                       ? strerror(errno)
			                       : "a file of that name is in the way");
		dir[i] = was;
	}
	return 0;
}

int fcat__temp_dir(char *out, size_t size, const char *prefix)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(out, size, "%s/%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", prefix);
	if (!mkdtemp(out))
		return fcat__error(FCAT_EIO, "%s: cannot make a scratch directory: %s", out,
		                   strerror(errno));
	return 0;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	remove(path);
	return 0;
}

void fcat__remove_tree(const char *path)
{
	if (path)
		nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}
