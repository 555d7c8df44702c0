/* gen_csv.c - the shared parts of the benchmarks' data generators (see
 * gen_csv.h). */
#include "gen_csv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *gen_prog = "fcat-bench-gen";

static xoshiro rng_g;

void gen_seed(uint64_t seed)
{
	uint64_t x = seed;
	for (int i = 0; i < 4; i++)
		rng_g.s[i] = xoshiro_splitmix64(&x);
}

uint32_t gen_below(uint32_t n)
{
	return (uint32_t)(((xoshiro_next(&rng_g) >> 32) * (uint64_t)n) >> 32);
}

void gen_open(gen_out *o, const char *path)
{
	o->path = path;
	o->len = 0;
	o->f = fopen(path, "wb");
	o->buf = malloc(GEN_OUTBUF);
	if (!o->f || !o->buf) {
		fprintf(stderr, "%s: cannot create %s: %s\n", gen_prog, path, strerror(errno));
		exit(1);
	}
}

void gen_flush(gen_out *o)
{
	if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len) {
		fprintf(stderr, "%s: writing %s: %s\n", gen_prog, o->path, strerror(errno));
		exit(1);
	}
	o->len = 0;
}

char *gen_room(gen_out *o)
{
	if (GEN_OUTBUF - o->len < 256)
		gen_flush(o);
	return o->buf + o->len;
}

void gen_close(gen_out *o)
{
	gen_flush(o);
	if (fclose(o->f) != 0) {
		fprintf(stderr, "%s: closing %s: %s\n", gen_prog, o->path, strerror(errno));
		exit(1);
	}
	free(o->buf);
	o->buf = NULL;
}

char *gen_put_str(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

char *gen_put_u64(char *p, uint64_t v)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

char *gen_put_2(char *p, unsigned v)
{
	*p++ = (char)('0' + v / 10);
	*p++ = (char)('0' + v % 10);
	return p;
}

char *gen_put_user(char *p, uint32_t u)
{
	*p++ = 'u';
	char tmp[12];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	for (int i = n; i < 7; i++)
		*p++ = '0';
	while (n)
		*p++ = tmp[--n];
	return p;
}

static char (*day_text)[11]; /* "YYYY-MM-DD" of each day from the start */
static uint32_t ndays_g;

void gen_init_days(uint32_t ndays)
{
	day_text = malloc((size_t)ndays * sizeof *day_text);
	if (!day_text) {
		fprintf(stderr, "%s: out of memory\n", gen_prog);
		exit(1);
	}
	ndays_g = ndays;
	for (uint32_t d = 0; d < ndays; d++) {
		time_t t = (time_t)(GEN_START_EPOCH + (long long)d * GEN_DAY_S);
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(day_text[d], sizeof day_text[d], "%Y-%m-%d", &tm);
	}
}

char *gen_put_ts(char *p, uint32_t off)
{
	uint32_t d = off / GEN_DAY_S, s = off % GEN_DAY_S;
	if (d >= ndays_g) {
		fprintf(stderr, "%s: time offset %u past the table\n", gen_prog, off);
		exit(1);
	}
	p = gen_put_str(p, day_text[d], 10);
	*p++ = 'T';
	p = gen_put_2(p, s / 3600);
	*p++ = ':';
	p = gen_put_2(p, s / 60 % 60);
	*p++ = ':';
	p = gen_put_2(p, s % 60);
	*p++ = 'Z';
	return p;
}

int gen_parse_count(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v == 0 || v > 2000000000ULL)
		return -1;
	*out = v;
	return 0;
}

void gen_args(int argc, char **argv, const gen_opt *opts, const char *paths[2], const char *usage)
{
	int npaths = 0;
	for (int i = 1; i < argc; i++) {
		const gen_opt *o = opts;
		while (o->name && strcmp(argv[i], o->name) != 0)
			o++;
		if (o->name) {
			if (i + 1 >= argc || gen_parse_count(argv[i + 1], o->dst) != 0) {
				fprintf(stderr, "%s: %s needs a count from 1 to 2000000000\n",
				        gen_prog, argv[i]);
				exit(2);
			}
			i++;
		} else if ((argv[i][0] == '-' && argv[i][1]) || npaths == 2) {
			npaths = -1;
			break;
		} else {
			paths[npaths++] = argv[i];
		}
	}
	if (npaths != 2) {
		fprintf(stderr, "usage: %s\n", usage);
		exit(2);
	}
}

void gen_line(gen_out *o, const char *text)
{
	size_t n = strlen(text);
	memcpy(gen_room(o), text, n);
	o->len += n;
}
