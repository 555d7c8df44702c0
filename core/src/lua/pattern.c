/* pattern.c - Lua 5.4 pattern matching (string.find, match, gmatch and gsub)
 * that counts its work and charges it to the sandbox's instruction budget.
 * Lua's own matcher runs in C, where the count hook never fires, so a
 * backtracking pattern such as '.-.-.-.-b' over a long subject would run for
 * hours; this one counts a step for every pattern item tried, every
 * backtracking attempt and every recursive call, and settles them with the
 * sandbox every CHARGE_EVERY steps, which raises the budget error in time.
 * Written from the reference manual (section 6.4.1 and the string.find,
 * match, gmatch and gsub entries); results and error messages are Lua's. */
#include "lua/pattern.h"

#include "lua/sandbox.h"

#include <ctype.h>
#include <lauxlib.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define MAX_CAPTURES 32   /* as LUA_MAXCAPTURES */
#define MAX_DEPTH    200  /* nested match calls, as Lua's MAXCCALLS */
#define CHARGE_EVERY 1024 /* steps between settlements with the budget */
#define CAP_OPEN     (-1) /* a capture whose ')' is not reached yet */
#define CAP_POS      (-2) /* a position capture, '()' */

typedef struct matcher {
	lua_State *L;
	const char *src, *src_end; /* the subject */
	const char *pat_end;
	int depth;    /* match calls still allowed to nest */
	int level;    /* captures opened */
	int64_t left; /* steps until the next settlement */
	struct {
		const char *start;
		ptrdiff_t len; /* or CAP_OPEN, CAP_POS */
	} cap[MAX_CAPTURES];
} matcher;

static void matcher_init(matcher *m, lua_State *L, const char *s, size_t ls, const char *p,
                         size_t lp)
{
	m->L = L;
	m->src = s;
	m->src_end = s + ls;
	m->pat_end = p + lp;
	m->left = CHARGE_EVERY;
}

/* Before each attempt at a new subject position. */
static void matcher_reset(matcher *m)
{
	m->depth = MAX_DEPTH;
	m->level = 0;
}

/* Charges the steps counted since the last settlement. */
static void settle(matcher *m)
{
	int64_t spent = CHARGE_EVERY - m->left;
	m->left = CHARGE_EVERY;
	if (spent > 0)
		fcat__sandbox_charge(m->L, (uint64_t)spent);
}

static inline void step(matcher *m, int64_t n)
{
	m->left -= n;
	if (m->left <= 0)
		settle(m);
}

/* Whether c belongs to the class %cl (or equals cl when that is no class
 * letter). */
static int class_match(unsigned char c, unsigned char cl)
{
	int yes;
	switch (tolower(cl)) {
	case 'a': yes = isalpha(c); break;
	case 'c': yes = iscntrl(c); break;
	case 'd': yes = isdigit(c); break;
	case 'g': yes = isgraph(c); break;
	case 'l': yes = islower(c); break;
	case 'p': yes = ispunct(c); break;
	case 's': yes = isspace(c); break;
	case 'u': yes = isupper(c); break;
	case 'w': yes = isalnum(c); break;
	case 'x': yes = isxdigit(c); break;
	case 'z': yes = c == 0; break; /* deprecated, but Lua 5.4 has it */
	default: return cl == c;
	}
	return isupper(cl) ? !yes : yes != 0;
}

/* Whether c belongs to the set from '[' at p to its closing ']' at close. */
static int set_match(unsigned char c, const char *p, const char *close)
{
	int in = 1;
	p++;
	if (*p == '^') {
		in = 0;
		p++;
	}
	for (; p < close; p++) {
		if (*p == '%') {
			p++;
			if (class_match(c, (unsigned char)*p))
				return in;
		} else if (p[1] == '-' && p + 2 < close) {
			if ((unsigned char)p[0] <= c && c <= (unsigned char)p[2])
				return in;
			p += 2;
		} else if ((unsigned char)*p == c) {
			return in;
		}
	}
	return !in;
}

/* The end of the single-character class starting at p. */
static const char *class_end(matcher *m, const char *p)
{
	const char *start = p;
	char c = *p++;
	if (c == '%') {
		if (p >= m->pat_end)
			luaL_error(m->L, "malformed pattern (ends with '%%')");
		return p + 1;
	}
	if (c == '[') {
		if (p < m->pat_end && *p == '^')
			p++;
		/* the first character is taken as is, so that "[]]" is a set */
		do {
			if (p >= m->pat_end)
				luaL_error(m->L, "malformed pattern (missing ']')");
			c = *p++;
			if (c == '%' && p < m->pat_end)
				p++;
		} while (p >= m->pat_end || *p != ']');
		step(m, (p - start) >> 3); /* a long set costs in proportion */
		return p + 1;
	}
	return p;
}

/* Whether the subject character at s matches the class from p to ep. */
static inline int single_match(matcher *m, const char *s, const char *p, const char *ep)
{
	if (s >= m->src_end)
		return 0;
	unsigned char c = (unsigned char)*s;
	switch (*p) {
	case '.': return 1;
	case '%': return class_match(c, (unsigned char)p[1]);
	case '[':
		/* a long set costs in proportion to its length */
		step(m, (ep - p) >> 3);
		return set_match(c, p, ep - 1);
	default: return (unsigned char)*p == c;
	}
}

static const char *match(matcher *m, const char *s, const char *p);

/* Greedy repetition of the class p..ep from s, then the rest after ep. */
static const char *max_expand(matcher *m, const char *s, const char *p, const char *ep)
{
	ptrdiff_t n = 0;
	while (single_match(m, s + n, p, ep))
		n++;
	step(m, n);
	for (; n >= 0; n--) {
		const char *e = match(m, s + n, ep + 1);
		if (e)
			return e;
	}
	return NULL;
}

/* Lazy repetition: the shortest run of the class after which the rest
 * matches. */
static const char *min_expand(matcher *m, const char *s, const char *p, const char *ep)
{
	for (;;) {
		const char *e = match(m, s, ep + 1);
		if (e)
			return e;
		if (!single_match(m, s, p, ep))
			return NULL;
		s++;
	}
}

static const char *open_capture(matcher *m, const char *s, const char *p, ptrdiff_t what)
{
	if (m->level >= MAX_CAPTURES)
		luaL_error(m->L, "too many captures");
	m->cap[m->level].start = s;
	m->cap[m->level].len = what;
	m->level++;
	const char *e = match(m, s, p);
	if (!e)
		m->level--;
	return e;
}

static const char *close_capture(matcher *m, const char *s, const char *p)
{
	int l = m->level - 1;
	while (l >= 0 && m->cap[l].len != CAP_OPEN)
		l--;
	if (l < 0)
		luaL_error(m->L, "invalid pattern capture");
	m->cap[l].len = s - m->cap[l].start;
	const char *e = match(m, s, p);
	if (!e)
		m->cap[l].len = CAP_OPEN;
	return e;
}

/* %bxy at p (pointing at x): a balanced run from s. */
static const char *balance(matcher *m, const char *s, const char *p)
{
	if (p + 1 >= m->pat_end)
		luaL_error(m->L, "malformed pattern (missing arguments to '%%b')");
	if (s >= m->src_end || *s != p[0])
		return NULL;
	char open = p[0], close = p[1];
	int nest = 1;
	for (const char *t = s + 1; t < m->src_end; t++) {
		if (*t == close) {
			if (--nest == 0) {
				step(m, t - s);
				return t + 1;
			}
		} else if (*t == open) {
			nest++;
		}
	}
	step(m, m->src_end - s);
	return NULL;
}

/* %1-%9 in a pattern: the text of an earlier, closed capture again. */
static const char *backref(matcher *m, const char *s, char digit)
{
	int l = digit - '1';
	if (l < 0 || l >= m->level || m->cap[l].len == CAP_OPEN)
		luaL_error(m->L, "invalid capture index %%%d", l + 1);
	/* a position capture has no text and never matches */
	if (m->cap[l].len == CAP_POS)
		return NULL;
	size_t len = (size_t)m->cap[l].len;
	step(m, (int64_t)(len >> 4));
	if ((size_t)(m->src_end - s) >= len && memcmp(m->cap[l].start, s, len) == 0)
		return s + len;
	return NULL;
}

/* The end of a match of the pattern from p against the subject from s, or
 * NULL. Single characters without a quantifier loop here; everything that
 * may backtrack recurses, at most MAX_DEPTH deep. */
static const char *match(matcher *m, const char *s, const char *p)
{
	if (m->depth-- == 0)
		luaL_error(m->L, "pattern too complex");
	step(m, 1);
	while (s && p < m->pat_end) {
		step(m, 1);
		switch (*p) {
		case '(':
			if (p + 1 < m->pat_end && p[1] == ')')
				s = open_capture(m, s, p + 2, CAP_POS);
			else
				s = open_capture(m, s, p + 1, CAP_OPEN);
			goto out;
		case ')': s = close_capture(m, s, p + 1); goto out;
		case '$':
			if (p + 1 == m->pat_end) {
				if (s != m->src_end)
					s = NULL;
				goto out;
			}
			break;
		case '%':
			if (p + 1 >= m->pat_end)
				break;
			switch (p[1]) {
			case 'b':
				s = balance(m, s, p + 2);
				p += 4;
				continue;
			case 'f': {
				p += 2;
				if (p >= m->pat_end || *p != '[')
					luaL_error(m->L, "missing '[' after '%%f' in pattern");
				const char *ep = class_end(m, p);
				unsigned char before = s == m->src ? 0 : (unsigned char)s[-1];
				unsigned char at = s < m->src_end ? (unsigned char)*s : 0;
				step(m, (ep - p) >> 3);
				if (!set_match(before, p, ep - 1) && set_match(at, p, ep - 1))
					p = ep;
				else
					s = NULL;
				continue;
			}
			case '0':
			case '1':
			case '2':
			case '3':
			case '4':
			case '5':
			case '6':
			case '7':
			case '8':
			case '9':
				s = backref(m, s, p[1]);
				p += 2;
				continue;
			default: break;
			}
			break;
		default: break;
		}
		/* a single-character class, maybe with a quantifier */
		const char *ep = class_end(m, p);
		char q = ep < m->pat_end ? *ep : 0;
		if (!single_match(m, s, p, ep)) {
			if (q == '*' || q == '?' || q == '-')
				p = ep + 1; /* zero repetitions will do */
			else
				s = NULL;
			continue;
		}
		switch (q) {
		case '?': {
			const char *e = match(m, s + 1, ep + 1);
			if (e) {
				s = e;
				goto out;
			}
			p = ep + 1;
			continue;
		}
		case '+': s = max_expand(m, s + 1, p, ep); goto out;
		case '*': s = max_expand(m, s, p, ep); goto out;
		case '-': s = min_expand(m, s, p, ep); goto out;
		default:
			s++;
			p = ep;
			continue;
		}
	}
out:
	m->depth++;
	return s;
}

/* Pushes capture i of the match s..e (the whole match when there are no
 * captures and i is 0). */
static void push_capture(matcher *m, int i, const char *s, const char *e)
{
	if (i >= m->level) {
		if (i != 0)
			luaL_error(m->L, "invalid capture index %%%d", i + 1);
		lua_pushlstring(m->L, s, (size_t)(e - s));
		return;
	}
	ptrdiff_t len = m->cap[i].len;
	if (len == CAP_OPEN)
		luaL_error(m->L, "unfinished capture");
	if (len == CAP_POS)
		lua_pushinteger(m->L, (lua_Integer)(m->cap[i].start - m->src) + 1);
	else
		lua_pushlstring(m->L, m->cap[i].start, (size_t)len);
}

/* Pushes all captures, or the whole match when there are none and s is not
 * NULL; returns how many. */
static int push_captures(matcher *m, const char *s, const char *e)
{
	int n = m->level == 0 && s ? 1 : m->level;
	luaL_checkstack(m->L, n, "too many captures");
	for (int i = 0; i < n; i++)
		push_capture(m, i, s, e);
	return n;
}

/* init as string.find takes it (negative counts from the end), as a 1-based
 * position that may lie past the end. */
static size_t start_position(lua_Integer init, size_t len)
{
	if (init > 0)
		return (size_t)init;
	if (init == 0 || init < -(lua_Integer)len)
		return 1;
	return len - (size_t)(-init) + 1;
}

static int has_specials(matcher *m, const char *p, size_t lp)
{
	step(m, (int64_t)(lp >> 4));
	for (size_t i = 0; i < lp; i++) {
		switch (p[i]) {
		case '^':
		case '$':
		case '*':
		case '+':
		case '?':
		case '.':
		case '(':
		case '[':
		case '%':
		case '-': return 1;
		default: break;
		}
	}
	return 0;
}

/* The first p (of lp bytes) in s (of ls), or NULL. Each candidate the
 * first byte finds costs a step and one per 16 bytes compared; the bytes
 * skipped cost one step per 16. */
static const char *plain_find(matcher *m, const char *s, size_t ls, const char *p, size_t lp)
{
	if (lp == 0)
		return s;
	if (lp > ls)
		return NULL;
	const char *at = s, *last = s + (ls - lp);
	int64_t per_candidate = 1 + (int64_t)(lp >> 4);
	while (at <= last) {
		const char *hit = memchr(at, p[0], (size_t)(last - at) + 1);
		if (!hit)
			break;
		step(m, per_candidate + ((hit - at) >> 4));
		if (memcmp(hit + 1, p + 1, lp - 1) == 0)
			return hit;
		at = hit + 1;
	}
	step(m, (last + 1 - at) >> 4);
	return NULL;
}

static int find_or_match(lua_State *L, int find)
{
	size_t ls, lp;
	const char *s = luaL_checklstring(L, 1, &ls);
	const char *p = luaL_checklstring(L, 2, &lp);
	size_t init = start_position(luaL_optinteger(L, 3, 1), ls) - 1;
	if (init > ls) {
		luaL_pushfail(L);
		return 1;
	}
	matcher m;
	matcher_init(&m, L, s, ls, p, lp);
	if (find && (lua_toboolean(L, 4) || !has_specials(&m, p, lp))) {
		const char *hit = plain_find(&m, s + init, ls - init, p, lp);
		settle(&m);
		if (!hit) {
			luaL_pushfail(L);
			return 1;
		}
		lua_pushinteger(L, (lua_Integer)(hit - s) + 1);
		lua_pushinteger(L, (lua_Integer)(hit - s + lp));
		return 2;
	}
	int anchor = lp > 0 && *p == '^';
	if (anchor)
		p++; /* the pattern's end stays where it was */
	for (const char *at = s + init;; at++) {
		matcher_reset(&m);
		const char *e = match(&m, at, p);
		if (e) {
			settle(&m);
			if (!find)
				return push_captures(&m, at, e);
			lua_pushinteger(L, (lua_Integer)(at - s) + 1);
			lua_pushinteger(L, (lua_Integer)(e - s));
			return push_captures(&m, NULL, NULL) + 2;
		}
		if (anchor || at == m.src_end)
			break;
	}
	settle(&m);
	luaL_pushfail(L);
	return 1;
}

int fcat__pattern_find(lua_State *L)
{
	return find_or_match(L, 1);
}

int fcat__pattern_match(lua_State *L)
{
	return find_or_match(L, 0);
}

/* Where gmatch's iterator stands. */
typedef struct gmatch_state {
	size_t from;    /* where the next search starts */
	ptrdiff_t last; /* where the last match ended; -1: none yet */
} gmatch_state;

/* The iterator of gmatch; upvalues: subject, pattern, gmatch_state. */
static int gmatch_next(lua_State *L)
{
	size_t ls, lp;
	const char *s = lua_tolstring(L, lua_upvalueindex(1), &ls);
	const char *p = lua_tolstring(L, lua_upvalueindex(2), &lp);
	gmatch_state *g = lua_touserdata(L, lua_upvalueindex(3));
	if (g->from > ls)
		return 0;
	matcher m;
	matcher_init(&m, L, s, ls, p, lp);
	for (const char *at = s + g->from;; at++) {
		matcher_reset(&m);
		const char *e = match(&m, at, p);
		/* an empty match right where the last one ended does not count */
		if (e && e - s != g->last) {
			settle(&m);
			g->from = (size_t)(e - s);
			g->last = e - s;
			return push_captures(&m, at, e);
		}
		if (at == m.src_end)
			break;
	}
	settle(&m);
	g->from = ls + 1;
	return 0;
}

int fcat__pattern_gmatch(lua_State *L)
{
	size_t ls;
	luaL_checklstring(L, 1, &ls);
	luaL_checkstring(L, 2);
	size_t init = start_position(luaL_optinteger(L, 3, 1), ls) - 1;
	if (init > ls)
		init = ls + 1;
	lua_settop(L, 2);
	gmatch_state *g = lua_newuserdatauv(L, sizeof *g, 0);
	g->from = init;
	g->last = -1;
	lua_pushcclosure(L, gmatch_next, 3);
	return 1;
}

/* Appends the replacement string (argument 3) for the match s..e, with its
 * %0-%9 and %% expanded. */
static void add_string(matcher *m, luaL_Buffer *b, const char *s, const char *e)
{
	lua_State *L = m->L;
	size_t l;
	const char *r = lua_tolstring(L, 3, &l);
	const char *end = r + l;
	step(m, 1 + (int64_t)(l >> 4));
	const char *pc;
	while ((pc = memchr(r, '%', (size_t)(end - r))) != NULL) {
		luaL_addlstring(b, r, (size_t)(pc - r));
		step(m, 1);
		char c = pc + 1 < end ? pc[1] : 0;
		if (c == '%') {
			luaL_addchar(b, '%');
		} else if (c == '0') {
			luaL_addlstring(b, s, (size_t)(e - s));
		} else if (isdigit((unsigned char)c)) {
			push_capture(m, c - '1', s, e);
			luaL_addvalue(b); /* a position becomes its digits */
		} else {
			luaL_error(L, "invalid use of '%%' in replacement string");
		}
		r = pc + 2;
	}
	luaL_addlstring(b, r, (size_t)(end - r));
}

/* Appends the replacement for the match s..e, by the type tr of argument 3. */
static void add_replacement(matcher *m, luaL_Buffer *b, const char *s, const char *e, int tr)
{
	lua_State *L = m->L;
	if (tr == LUA_TFUNCTION) {
		lua_pushvalue(L, 3);
		int n = push_captures(m, s, e);
		lua_call(L, n, 1);
	} else if (tr == LUA_TTABLE) {
		push_capture(m, 0, s, e);
		lua_gettable(L, 3);
	} else {
		add_string(m, b, s, e);
		return;
	}
	if (!lua_toboolean(L, -1)) { /* nil or false: keep the match */
		lua_pop(L, 1);
		luaL_addlstring(b, s, (size_t)(e - s));
	} else if (!lua_isstring(L, -1)) {
		luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
	} else {
		luaL_addvalue(b);
	}
}

int fcat__pattern_gsub(lua_State *L)
{
	size_t ls, lp;
	const char *src = luaL_checklstring(L, 1, &ls);
	const char *p = luaL_checklstring(L, 2, &lp);
	int tr = lua_type(L, 3);
	lua_Integer max = luaL_optinteger(L, 4, (lua_Integer)ls + 1);
	luaL_argexpected(
	    L, tr == LUA_TNUMBER || tr == LUA_TSTRING || tr == LUA_TFUNCTION || tr == LUA_TTABLE, 3,
	    "string/function/table");
	int anchor = lp > 0 && *p == '^';
	if (anchor) {
		p++;
		lp--;
	}
	luaL_Buffer b;
	luaL_buffinit(L, &b);
	matcher m;
	matcher_init(&m, L, src, ls, p, lp);
	const char *last = NULL;
	lua_Integer n = 0;
	while (n < max) {
		matcher_reset(&m);
		const char *e = match(&m, src, p);
		/* an empty match right where the last one ended does not count */
		if (e && e != last) {
			n++;
			add_replacement(&m, &b, src, e, tr);
			src = last = e;
		} else if (src < m.src_end) {
			luaL_addchar(&b, *src++);
		} else {
			break;
		}
		if (anchor)
			break;
	}
	luaL_addlstring(&b, src, (size_t)(m.src_end - src));
	step(&m, (m.src_end - src) >> 4);
	settle(&m);
	luaL_pushresult(&b);
	lua_pushinteger(L, n);
	return 2;
}
