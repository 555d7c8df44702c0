/* fuzz_util.c - the fuzz targets' scratch directory, parts and checks (see
 * fuzz_util.h). */
#include "fuzz_util.h"

#include "util/fs.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[4096];

static void remove_dir(void)
{
	fcat__remove_tree(dir);
}

const char *fuzz_dir(void)
{
	if (dir[0])
		return dir;
	/* tmpfs when there is one: some targets write a file per input */
	if (!getenv("TMPDIR") && access("/dev/shm", W_OK) == 0)
		setenv("TMPDIR", "/dev/shm", 0);
	if (fcat__temp_dir(dir, sizeof dir, "fcat-fuzz") != 0) {
		fprintf(stderr, "fuzz: cannot make a scratch directory\n");
		abort();
	}
	atexit(remove_dir);
	return dir;
}

const char *fuzz_write(const char *rel, const void *data, size_t len)
{
	static char path[8192];
	snprintf(path, sizeof path, "%s/%s", fuzz_dir(), rel);
	for (char *p = path + strlen(dir) + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0700);
			*p = '/';
		}
	FILE *f = fopen(path, "wb");
	if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f) != 0) {
		fprintf(stderr, "fuzz: cannot write %s\n", path);
		abort();
	}
	return path;
}

size_t fuzz_split(fuzz_part *parts, size_t max, const uint8_t *data, size_t size)
{
	const size_t seplen = sizeof FUZZ_SEP - 1;
	const char *p = (const char *)data, *end = p + size;
	size_t n = 0;
	while (n + 1 < max) {
		const char *q = memmem(p, (size_t)(end - p), FUZZ_SEP, seplen);
		if (!q)
			break;
		parts[n++] = (fuzz_part){p, (size_t)(q - p)};
		p = q + seplen;
	}
	parts[n++] = (fuzz_part){p, (size_t)(end - p)};
	return n;
}

char *fuzz_strndup(const char *ptr, size_t len)
{
	char *s = malloc(len + 1);
	if (!s)
		abort();
	if (len)
		memcpy(s, ptr, len);
	s[len] = '\0';
	return s;
}

void fuzz_check_at(bool ok, const char *file, int line, const char *fmt, ...)
{
	if (ok)
		return;
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s:%d: fuzz check failed: ", file, line);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}
