/* gen_csv.h - what the benchmarks' data generators (gen_pit.c, gen_agg.c)
 * share: one random stream, a buffered writer that formats by hand, the
 * fields they write (numbers, users, RFC 3339 times from a start day) and
 * their count arguments. Errors print the program's name and exit. */
#ifndef FCAT_BENCH_GEN_CSV_H
#define FCAT_BENCH_GEN_CSV_H

#include <stdint.h>
#include <stdio.h>

#include "xoshiro.h"

#define GEN_START_EPOCH 1759276800LL /* 2025-10-01T00:00:00Z */
#define GEN_DAY_S       86400u
#define GEN_OUTBUF      (1u << 22)

/* The program's name in messages ("fcat-bench-gen-pit"); set by main. */
extern const char *gen_prog;

/* xoshiro256** seeded by splitmix64 from `seed`: fast, and the same
 * stream everywhere. */
void gen_seed(uint64_t seed);
/* Uniform in [0, n) (n well below 2^32: the bias of the multiply is nil). */
uint32_t gen_below(uint32_t n);

/* A buffered writer: one large buffer (GEN_OUTBUF), formatting by hand. */
typedef struct gen_out {
	FILE *f;
	const char *path;
	char *buf;
	size_t len;
} gen_out;

/* Creates the file (exits on failure) with its buffer. */
void gen_open(gen_out *o, const char *path);
void gen_flush(gen_out *o);
/* Room for one row (every row is far shorter than 256 bytes). */
char *gen_room(gen_out *o);
/* Flushes, closes and frees the buffer. */
void gen_close(gen_out *o);

char *gen_put_str(char *p, const char *s, size_t n);
char *gen_put_u64(char *p, uint64_t v);
char *gen_put_2(char *p, unsigned v);
/* "u" and the number, at least 7 digits. */
char *gen_put_user(char *p, uint32_t u);
/* Makes the table of day texts for `ndays` days from the start. */
void gen_init_days(uint32_t ndays);
/* Seconds from the start as "YYYY-MM-DDTHH:MM:SSZ". */
char *gen_put_ts(char *p, uint32_t off);

/* A count from 1 to 2,000,000,000: 0, or -1 for anything else. */
int gen_parse_count(const char *s, uint64_t *out);

/* One "--NAME COUNT" option and where its count goes. */
typedef struct gen_opt {
	const char *name; /* "--rows" */
	uint64_t *dst;
} gen_opt;

/* Reads the options (opts ends with a NULL name) and exactly two paths;
 * prints `usage` (or what count an option needs) and exits 2 otherwise. */
void gen_args(int argc, char **argv, const gen_opt *opts, const char *paths[2], const char *usage);

/* Writes a header line (with its newline). */
void gen_line(gen_out *o, const char *text);

#endif
