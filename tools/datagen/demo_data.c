/* demo_data.c - deterministic generator of the demo's conversations CSV. */
#include "demo_data.h"
#include "xoshiro.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * How it works. There are N = users * rows_per_user rows; row r belongs to
 * user r / rows_per_user. Everything in a row is derived from a xoshiro256**
 * stream seeded (through splitmix64) from (seed, r), and everything about a
 * user from a stream seeded from (seed, user), so no row is ever stored.
 * Rows are written in the order of a keyed permutation of [0, N): a Feistel
 * network over the smallest even power of two >= N, cycle-walked into range.
 *
 * total_conversations is a per-user non-decreasing function of the event
 * time (a running count at a per-user rate), so it never goes down in event
 * time order. Floats are generated on a decimal grid (ratings in hundredths,
 * embedding values in ten-thousandths), so their shortest float32
 * representation is the grid value itself and is printed without stdio.
 */

#define DAY_SECONDS 86400
#define EMBED_DIM   16
#define OUTBUF_SIZE (1 << 20)
#define ROW_MAX     1024 /* generous bound on the length of one row */

/* Bounds of a 4-digit-year RFC 3339 timestamp: 0000-01-01 .. 10000-01-01. */
#define MIN_SECONDS   (-62167219200LL)
#define LIMIT_SECONDS (253402300800LL)

enum { DOMAIN_USER = 1, DOMAIN_ROW = 2, DOMAIN_PERM = 3 };

static const char header[] = "user_id,event_timestamp,created_at,total_conversations,"
                             "avg_response_rating,preferred_language,user_embedding\n";

static const char *const languages[] = {"en", "fr", "de", "es", "ja", "pt"};
/* Cumulative weights (out of 100) of the languages above. */
static const unsigned language_weights[] = {40, 52, 64, 79, 89, 100};
#define LANGUAGE_COUNT 6

/* ---- PRNG ---------------------------------------------------------------- */

typedef xoshiro rng;

static inline void rng_seed(rng *g, uint64_t seed, uint64_t domain, uint64_t index)
{
	uint64_t sm = xoshiro_mix64(xoshiro_mix64(seed ^ (domain * 0xd1b54a32d192ed03ULL)) + index);

	for (int i = 0; i < 4; i++)
		g->s[i] = xoshiro_splitmix64(&sm);
}

/* A uniform integer in [0, n) (Lemire's multiply, without rejection). */
static inline uint64_t rng_below(rng *g, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)xoshiro_next(g) * n) >> 64);
}

/* ---- the permutation of row indices --------------------------------------- */

typedef struct permutation {
	uint64_t n;
	unsigned half; /* bits per Feistel half */
	uint64_t mask;
	uint64_t keys[4];
} permutation;

static void perm_init(permutation *p, uint64_t n, uint64_t seed)
{
	unsigned bits = 2;
	rng g;

	while (bits < 64 && (n - 1) >> bits)
		bits += 2;
	p->n = n;
	p->half = bits / 2;
	p->mask = (1ULL << p->half) - 1;
	rng_seed(&g, seed, DOMAIN_PERM, 0);
	for (int i = 0; i < 4; i++)
		p->keys[i] = xoshiro_next(&g);
}

static inline uint64_t perm_round(const permutation *p, uint64_t x)
{
	uint64_t l = x >> p->half, r = x & p->mask;

	for (int i = 0; i < 4; i++) {
		uint64_t f = xoshiro_mix64(r + p->keys[i]) & p->mask;
		uint64_t nl = r;

		r = l ^ f;
		l = nl;
	}
	return (l << p->half) | r;
}

/* The i-th row to write; a bijection of [0, n). */
static inline uint64_t perm_apply(const permutation *p, uint64_t i)
{
	uint64_t x = i;

	do
		x = perm_round(p, x);
	while (x >= p->n);
	return x;
}

/* ---- text formatting ----------------------------------------------------- */

static inline char *put_uint(char *p, uint64_t v, int min_width)
{
	char tmp[24];
	int n = 0;

	if (v <= UINT32_MAX) {
		uint32_t w = (uint32_t)v; /* 32-bit division is cheaper */

		do {
			tmp[n++] = (char)('0' + w % 10);
			w /= 10;
		} while (w);
	} else {
		do {
			tmp[n++] = (char)('0' + v % 10);
			v /= 10;
		} while (v);
	}
	while (n < min_width)
		tmp[n++] = '0';
	while (n)
		*p++ = tmp[--n];
	return p;
}

static inline char *put2(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

/* Writes seconds since the epoch as "YYYY-MM-DDTHH:MM:SSZ" (civil_from_days
 * after H. Hinnant); the caller keeps the year within 0000..9999. */
static char *put_timestamp(char *p, int64_t t)
{
	int64_t days = t / DAY_SECONDS, sod = t % DAY_SECONDS;

	if (sod < 0) {
		sod += DAY_SECONDS;
		days--;
	}
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;

	if (m <= 2)
		y++;
	p = put2(p, (unsigned)(y / 100));
	p = put2(p, (unsigned)(y % 100));
	*p++ = '-';
	p = put2(p, m);
	*p++ = '-';
	p = put2(p, d);
	*p++ = 'T';
	p = put2(p, (unsigned)(sod / 3600));
	*p++ = ':';
	p = put2(p, (unsigned)(sod / 60 % 60));
	*p++ = ':';
	p = put2(p, (unsigned)(sod % 60));
	*p++ = 'Z';
	return p;
}

/*
 * Writes q / 10^decimals (decimals <= 9, |q| < 2^31) the way %g prints it,
 * trailing zeros dropped. For at most 6 significant digits this is exactly
 * the shortest float32 repr of the float nearest to that decimal (float32
 * keeps 6 digits).
 */
static inline char *put_decimal(char *p, int32_t q, unsigned decimals)
{
	static const uint32_t pow10[] = {1,      10,      100,      1000,      10000,
	                                 100000, 1000000, 10000000, 100000000, 1000000000};
	uint32_t a = q < 0 ? 0U - (uint32_t)q : (uint32_t)q;
	uint32_t frac = a % pow10[decimals];

	if (q < 0)
		*p++ = '-';
	p = put_uint(p, a / pow10[decimals], 1);
	if (frac) {
		char d[9];
		unsigned n = decimals;

		for (unsigned i = decimals; i-- > 0; frac /= 10)
			d[i] = (char)('0' + frac % 10);
		while (d[n - 1] == '0')
			n--;
		*p++ = '.';
		memcpy(p, d, n);
		p += n;
	}
	return p;
}

int fcat_demo_format_float(char *buf, size_t size, float v)
{
	static const int precisions[] = {6, 7, 8};
	char tmp[40];

	for (size_t i = 0; i < sizeof precisions / sizeof precisions[0]; i++) {
		snprintf(tmp, sizeof tmp, "%.*g", precisions[i], (double)v);
		if (strtof(tmp, NULL) == v)
			return snprintf(buf, size, "%s", tmp);
	}
	return snprintf(buf, size, "%.9g", (double)v);
}

/* ---- users and rows ------------------------------------------------------- */

typedef struct user_params {
	unsigned lang_primary;
	unsigned lang_second;
	int64_t switch_time;  /* when the language changes; INT64_MAX: never */
	int64_t base;         /* conversations before the window */
	uint64_t rate_milli;  /* conversations per day, in thousandths */
	int rating_mean;      /* hundredths */
	int embed[EMBED_DIM]; /* ten-thousandths */
} user_params;

static void user_params_make(user_params *u, uint64_t seed, uint64_t user, int64_t start,
                             uint64_t span)
{
	rng g;
	unsigned w;

	rng_seed(&g, seed, DOMAIN_USER, user);
	w = (unsigned)rng_below(&g, 100);
	u->lang_primary = 0;
	while (w >= language_weights[u->lang_primary])
		u->lang_primary++;
	u->lang_second =
	    (u->lang_primary + 1 + (unsigned)rng_below(&g, LANGUAGE_COUNT - 1)) % LANGUAGE_COUNT;
	bool switches = rng_below(&g, 100) < 15;
	int64_t when = start + (int64_t)rng_below(&g, span);

	u->switch_time = switches ? when : INT64_MAX;
	u->base = (int64_t)rng_below(&g, 500);
	uint64_t a = rng_below(&g, 11800), b = rng_below(&g, 11800);

	u->rate_milli = 200 + (a < b ? a : b);
	u->rating_mean = 250 + (int)rng_below(&g, 231);
	for (int i = 0; i < EMBED_DIM; i++)
		u->embed[i] = (int)rng_below(&g, 18001) - 9000;
}

typedef struct gen {
	const fcat_demo_options *o;
	int64_t start;
	uint64_t span;
	int id_width;
} gen;

/* Writes row r (without its position in the output) at p. */
static char *put_row(char *p, const gen *G, uint64_t r)
{
	uint64_t user = r / G->o->rows_per_user;
	user_params u;
	rng g;

	user_params_make(&u, G->o->seed, user, G->start, G->span);
	rng_seed(&g, G->o->seed, DOMAIN_ROW, r);

	int64_t t = G->start + (int64_t)rng_below(&g, G->span);
	int64_t created = t + (int64_t)rng_below(&g, 3601);
	int64_t total =
	    u.base + (int64_t)(((unsigned __int128)(uint64_t)(t - G->start) * u.rate_milli) /
	                       (DAY_SECONDS * 1000ULL));
	bool rating_null = rng_below(&g, 10000) < 200;
	int rating = u.rating_mean + (int)rng_below(&g, 81) + (int)rng_below(&g, 81) - 80;
	bool lang_null = rng_below(&g, 10000) < 100;

	if (rating < 100)
		rating = 100;
	if (rating > 500)
		rating = 500;

	*p++ = 'u';
	p = put_uint(p, user + 1, G->id_width);
	*p++ = ',';
	p = put_timestamp(p, t);
	*p++ = ',';
	p = put_timestamp(p, created);
	*p++ = ',';
	p = put_uint(p, (uint64_t)total, 1);
	*p++ = ',';
	if (!rating_null)
		p = put_decimal(p, rating, 2);
	*p++ = ',';
	if (!lang_null) {
		const char *lang = languages[t >= u.switch_time ? u.lang_second : u.lang_primary];

		*p++ = lang[0];
		*p++ = lang[1];
	}
	*p++ = ',';
	*p++ = '"';
	*p++ = '[';
	for (int i = 0; i < EMBED_DIM; i++) {
		int q = u.embed[i] + (int)rng_below(&g, 2001) - 1000;

		if (q < -10000)
			q = -10000;
		if (q > 10000)
			q = 10000;
		if (i)
			*p++ = ',';
		p = put_decimal(p, q, 4);
	}
	*p++ = ']';
	*p++ = '"';
	*p++ = '\n';
	return p;
}

/* ---- output --------------------------------------------------------------- */

static int flush_buf(FILE *out, const char *buf, size_t len)
{
	if (len && fwrite(buf, 1, len, out) != len) {
		if (!errno)
			errno = EIO;
		return -1;
	}
	return 0;
}

void fcat_demo_options_default(fcat_demo_options *o)
{
	time_t now = time(NULL);

	o->seed = 42;
	o->users = 1000;
	o->rows_per_user = 10;
	o->days = 30;
	o->end_seconds = (int64_t)now - (int64_t)now % DAY_SECONDS;
}

int fcat_demo_write_conversations(FILE *out, const fcat_demo_options *o)
{
	gen G;
	permutation perm;
	char *buf, *p;
	int rc = 0;

	if (!out || !o || o->days == 0) {
		errno = EINVAL;
		return -1;
	}
	G.o = o;
	G.span = (uint64_t)o->days * DAY_SECONDS;
	/* All timestamps, created_at included, must have 4-digit years. */
	if (o->end_seconds < MIN_SECONDS + (int64_t)G.span ||
	    o->end_seconds > LIMIT_SECONDS - 3600) {
		errno = EINVAL;
		return -1;
	}
	G.start = o->end_seconds - (int64_t)G.span;
	G.id_width = 4;
	for (uint64_t v = 10000; v <= o->users; v *= 10)
		G.id_width++;

	buf = malloc(OUTBUF_SIZE);
	if (!buf) {
		errno = ENOMEM;
		return -1;
	}
	memcpy(buf, header, sizeof header - 1);
	p = buf + sizeof header - 1;

	uint64_t n = (uint64_t)o->users * o->rows_per_user;

	if (n) {
		perm_init(&perm, n, o->seed);
		for (uint64_t i = 0; i < n; i++) {
			if (p - buf > OUTBUF_SIZE - ROW_MAX) {
				errno = 0;
				if (flush_buf(out, buf, (size_t)(p - buf))) {
					rc = -1;
					goto done;
				}
				p = buf;
			}
			p = put_row(p, &G, perm_apply(&perm, i));
		}
	}
	errno = 0;
	if (flush_buf(out, buf, (size_t)(p - buf)) || fflush(out) || ferror(out)) {
		if (!errno)
			errno = EIO;
		rc = -1;
	}
done:
	free(buf);
	return rc;
}
