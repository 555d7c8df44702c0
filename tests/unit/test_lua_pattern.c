/* test_lua_pattern.c - the sandbox's own string.find, match, gmatch and gsub:
 * the same results and errors as Lua's string library over generated and
 * hand-picked cases, and backtracking patterns that run into the instruction
 * budget instead of hanging. */
#include "testutil.h"

#include "lua/sandbox.h"

#include <lauxlib.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Runs in both states; `call(op, s, p, a, b)` runs one library call and
 * returns its results, with tables and functions for gsub made here so that
 * both sides see the same ones. */
static const char prelude[] =
    "local function ser(...)\n"
    "  local t = table.pack(...)\n"
    "  for i = 1, t.n do t[i] = (math.type(t[i]) or type(t[i])) .. ':' .. tostring(t[i]) end\n"
    "  return table.concat(t, ',', 1, t.n)\n"
    "end\n"
    "local repl_table = { a = '[A]', ab = '<ab>', b = false, [1] = 'one', ['('] = 7,\n"
    "  [''] = 'E', x = {} }\n"
    "function call(op, s, p, a, b)\n"
    "  if op == 'find' then return string.find(s, p, a, b)\n"
    "  elseif op == 'match' then return string.match(s, p, a)\n"
    "  elseif op == 'gmatch' then\n"
    "    local out = {}\n"
    "    for x, y, z in string.gmatch(s, p, a) do\n"
    "      out[#out + 1] = ser(x, y, z)\n"
    "      if #out > 200 then break end\n"
    "    end\n"
    "    return table.concat(out, ';')\n"
    "  elseif op == 'gsub' then return string.gsub(s, p, a, b)\n"
    "  elseif op == 'gsub_table' then return string.gsub(s, p, repl_table, b)\n"
    "  elseif op == 'gsub_function' then\n"
    "    local n = 0\n"
    "    return string.gsub(s, p, function(...)\n"
    "      n = n + 1\n"
    "      if n % 4 == 0 then return nil elseif n % 4 == 1 then return false end\n"
    "      if n % 7 == 0 then return n end\n"
    "      return '{' .. ser(...) .. '}'\n"
    "    end, b)\n"
    "  end\n"
    "end\n";

/* Appends the values on the stack from `from` on, with their types, to out;
 * bytes outside printable ASCII as \ooo. */
static void describe(lua_State *L, int from, char *out, size_t size)
{
	size_t used = strlen(out);
	for (int i = from; i <= lua_gettop(L) && used + 64 < size; i++) {
		const char *type = lua_isinteger(L, i) ? "int" : luaL_typename(L, i);
		used += (size_t)snprintf(out + used, size - used, "%s:", type);
		size_t len = 0;
		const char *text = lua_type(L, i) == LUA_TSTRING || lua_type(L, i) == LUA_TNUMBER
		                       ? lua_tolstring(L, i, &len)
		                       : "";
		for (size_t k = 0; k < len && used + 8 < size; k++) {
			unsigned char c = (unsigned char)text[k];
			if (c >= 32 && c < 127 && c != '\\')
				out[used++] = (char)c;
			else
				used += (size_t)snprintf(out + used, size - used, "\\%03o", c);
		}
		out[used++] = '|';
		out[used] = 0;
	}
}

typedef struct args {
	const char *op, *s, *p;
	size_t ls, lp;
	const char *a; /* a string argument, or NULL */
	int a_int;     /* else an integer argument unless a_nil */
	bool a_nil;
	int b; /* 0: nil, 1: true (plain), 2: the integer b_int */
	int b_int;
} args;

/* Calls `call` with the arguments; describes the outcome in out. */
static void call_in(lua_State *L, bool sandboxed, const args *x, char *out, size_t size)
{
	lua_settop(L, 0);
	lua_getglobal(L, "call");
	lua_pushstring(L, x->op);
	lua_pushlstring(L, x->s, x->ls);
	lua_pushlstring(L, x->p, x->lp);
	if (x->a)
		lua_pushstring(L, x->a);
	else if (x->a_nil)
		lua_pushnil(L);
	else
		lua_pushinteger(L, x->a_int);
	if (x->b == 0)
		lua_pushnil(L);
	else if (x->b == 1)
		lua_pushboolean(L, 1);
	else
		lua_pushinteger(L, x->b_int);
	int rc =
	    sandboxed ? fcat__sandbox_pcall(L, 5, LUA_MULTRET) : lua_pcall(L, 5, LUA_MULTRET, 0);
	snprintf(out, size, "%s ", rc == LUA_OK ? "ok" : "error");
	describe(L, 1, out, size);
}

/* Runs a chunk; describes its outcome in out. */
static void run_in(lua_State *L, bool sandboxed, const char *code, char *out, size_t size)
{
	lua_settop(L, 0);
	int rc = luaL_loadbuffer(L, code, strlen(code), "=case");
	if (rc == LUA_OK)
		rc = sandboxed ? fcat__sandbox_pcall(L, 0, LUA_MULTRET)
		               : lua_pcall(L, 0, LUA_MULTRET, 0);
	snprintf(out, size, "%s ", rc == LUA_OK ? "ok" : "error");
	describe(L, 1, out, size);
}

typedef struct states {
	lua_State *lua, *box;
} states;

static int setup(void **state)
{
	states *st = calloc(1, sizeof *st);
	st->lua = luaL_newstate();
	luaL_openlibs(st->lua);
	fcat__sandbox_limits limits = {64u << 20, 100000000};
	st->box = fcat__sandbox_new(&limits);
	if (!st->lua || !st->box)
		return -1;
	lua_State *both[] = {st->lua, st->box};
	for (int i = 0; i < 2; i++)
		if (luaL_dostring(both[i], prelude) != LUA_OK)
			return -1;
	*state = st;
	return 0;
}

static int teardown(void **state)
{
	states *st = *state;
	lua_close(st->lua);
	fcat__sandbox_free(st->box);
	free(st);
	return 0;
}

static uint64_t rng = 0x9e3779b97f4a7c15u;

static unsigned next(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static const char *pick(const char *const *list, size_t n)
{
	return list[next((unsigned)n)];
}

#define PICK(list) pick(list, sizeof list / sizeof *list)

static void test_lua_pattern__generated_calls_agree_with_lua(void **state)
{
	states *st = *state;
	static const char alphabet[] = "aab b.(()%-[]^$1x\0A_ \t";
#define ITEM(text)                                                                                 \
	{                                                                                          \
		text, sizeof text - 1                                                              \
	}
	static const struct {
		const char *text;
		size_t len;
	} items[] = {
	    ITEM("a"),     ITEM("b"),      ITEM("."),      ITEM("%a"),     ITEM("%d"),
	    ITEM("%s"),    ITEM("%w"),     ITEM("%W"),     ITEM("%p"),     ITEM("%x"),
	    ITEM("[ab]"),  ITEM("[^a]"),   ITEM("[a-c]"),  ITEM("[]]"),    ITEM("[^]]"),
	    ITEM("[%a_]"), ITEM("[a-]"),   ITEM("%("),     ITEM("%)"),     ITEM("%%"),
	    ITEM("("),     ITEM(")"),      ITEM("()"),     ITEM("%1"),     ITEM("%2"),
	    ITEM("%b()"),  ITEM("%bab"),   ITEM("%f[%w]"), ITEM("%f[%W]"), ITEM("%f[a]"),
	    ITEM("x"),     ITEM(" "),      ITEM("-"),      ITEM("%."),     ITEM("["),
	    ITEM("%"),     ITEM("%z"),     ITEM("[%]]"),   ITEM("%b"),     ITEM("%f"),
	    ITEM("(a)"),   ITEM("(.-)"),   ITEM("(%a*)"),  ITEM("^"),      ITEM("$"),
	    ITEM("\0"),    ITEM("[\0-a]"), ITEM("%-"),     ITEM("[^%s]"),  ITEM("(()"),
	};
	static const char *const quantifiers[] = {"", "", "", "*", "+", "-", "?"};
	static const char *const replacements[] = {"%0-",  "<%1>", "%%", "x",       "%2", "",
	                                           "%1%1", "%",    "%9", "a%0b%0c", "%x"};
	static const char *const ops[] = {"find",   "find", "match",      "match",
	                                  "gmatch", "gsub", "gsub_table", "gsub_function"};
	char want[4096], got[4096];
	for (int n = 0; n < 6000; n++) {
		char s[32], p[64];
		size_t ls = next(14), lp = 0;
		for (size_t i = 0; i < ls; i++)
			s[i] = alphabet[next(sizeof alphabet - 1)];
		if (next(5) == 0)
			p[lp++] = '^';
		for (unsigned k = next(5); k > 0; k--) {
			unsigned item = next(sizeof items / sizeof *items);
			memcpy(p + lp, items[item].text, items[item].len);
			lp += items[item].len;
			const char *q = PICK(quantifiers);
			memcpy(p + lp, q, strlen(q));
			lp += strlen(q);
		}
		if (next(6) == 0)
			p[lp++] = '$';
		args x = {.op = PICK(ops), .s = s, .p = p, .ls = ls, .lp = lp};
		if (strcmp(x.op, "gsub") == 0)
			x.a = PICK(replacements);
		else if (next(3) == 0)
			x.a_nil = true;
		else
			x.a_int = (int)next(34) - 17;
		if (strncmp(x.op, "gsub", 4) == 0)
			x.b = next(3) == 0 ? 0 : 2, x.b_int = (int)next(6) - 1;
		else if (strcmp(x.op, "find") == 0)
			x.b = next(4) == 0;
		call_in(st->lua, false, &x, want, sizeof want);
		call_in(st->box, true, &x, got, sizeof got);
		if (strcmp(want, got) != 0)
			fail_msg("case %d: %s(\"%.*s\", \"%.*s\"): Lua gave\n  %s\nthe sandbox "
			         "gave\n  %s",
			         n, x.op, (int)ls, s, (int)lp, p, want, got);
	}
}

static void test_lua_pattern__tricky_calls_agree_with_lua(void **state)
{
	states *st = *state;
	static const char *const cases[] = {
	    /* sets, classes, anchors */
	    "return string.find('  hello_world x1', '[%a_][%w_]*')",
	    "return string.match('a]b', '[]]')",
	    "return string.match('a]b', '[^]]+')",
	    "return string.match('  x y', '[^%s]')",
	    "return string.match('A-z', '[%u-]+')",
	    "return string.match('a-b', '[a-]+')",
	    "return string.match('abc-xyz', '[c-x]+')",
	    "return string.match('\\255\\128a', '[\\128-\\255]+')",
	    "return string.match('x^y', '[x^]+')",
	    "return string.match('hello', '^hello$')",
	    "return string.match('hello', '^hell$')",
	    "return string.match('a$b', 'a$b')",
	    "return string.find('abc', '$')",
	    "return string.find('abc', '^')",
	    "return string.match('x=1, y=22', '(%w+)=(%w+)$')",
	    "return string.match('joe@example.com', '^(%w+)@(%w+)%.com$')",
	    "return string.match('\\0a\\0b', '%z')",
	    "return string.match('a\\0b', '[\\0]b')",
	    "return string.find('a.b', '.', 1, true)",
	    "return string.find('a+b', '+', 1, true)",
	    "return string.find('a+b', 'a+b')",
	    "return string.find('abcabc', 'cab', -4, true)",
	    "return string.find('abc', '', 10, true)",
	    "return string.find('abc', '', 4, true)",
	    "return string.find('abc', '', -10)",
	    /* frontier and balance */
	    "return string.gsub('THE (quick) fox', '%f[%a]%a+', '<%0>')",
	    "return string.gsub('THE (quick) fox', '%f[%A]', '|')",
	    "return string.find('aaa', '%f[a]')",
	    "return string.find('aaa', '%f[%z]')",
	    "return string.match('f(a(b)c)d)', '%b()')",
	    "return string.match('f(a(b c)d', '%b()')",
	    "return string.match('\"q\" x \"', '%b\"\"')",
	    "return string.gsub('x(1)(2(3))', '%b()', '')",
	    /* captures */
	    "return string.match('hello hello world', '(%a+) %1')",
	    "return string.find('abab', '(ab)%1')",
	    "return string.match('abcabc', '((a)(b)c)%1')",
	    "return string.find('hello', '()ll()')",
	    "return string.match('hello', '()')",
	    "return string.match('abc', '()(b)()')",
	    "return string.match('abc', '(()b)%2')",
	    "return string.match('abc', '((b)')",
	    "return string.match('abc', 'b)')",
	    "return string.match('abc', '(%1)')",
	    "return string.match('aaa', string.rep('(a?)', 32))",
	    "return string.match('aaa', string.rep('(a?)', 33))",
	    "return string.match(string.rep('a', 300), string.rep('a?', 198))",
	    "return string.match(string.rep('a', 300), string.rep('a?', 200))",
	    "return string.match(string.rep('a', 300), string.rep('a?', 201))",
	    "return string.find(string.rep('x', 100), string.rep('(x)', 30))",
	    /* empty matches */
	    "return string.gsub('abc', '', '-')",
	    "return string.gsub('abc', 'b*', '-')",
	    "return string.gsub('abc', 'x*', '-', 2)",
	    "return string.gsub('', '', 'e')",
	    "return string.gsub('', 'x*', 'e', 0)",
	    "return string.gsub('hello world', '%w+', '%0 %0', 1)",
	    "return string.gsub('hello world', '%w+', '%0 %0', -1)",
	    "return string.gsub('hello world', '(%w+)', '<%1>')",
	    "return string.gsub('hello', '', '%%')",
	    "return string.gsub('abc', '^', '>')",
	    "return string.gsub('abc', '^a*', 'x')",
	    "return string.gsub('aaa', '^a', 'x')",
	    "return string.gsub('abc', '$', '<')",
	    "return string.gsub('abc', '()', '%1')",
	    "return string.gsub('abc', '.', {a = 1, b = true})",
	    "return string.gsub('abc', '.', {a = 1.5})",
	    "return string.gsub('abc', '(.)(.)', function(x, y) return y .. x end)",
	    "return string.gsub('abc', '.', function() end)",
	    "return string.gsub('abc', '.', function() return {} end)",
	    "return string.gsub('abc', '%w', '%1 %2')",
	    "return string.gsub('abc', '%w', '%')",
	    "return string.gsub('abc', 'b', 7)",
	    "return string.gsub(123, 2, 9)",
	    "return string.gsub('abc', 'b')",
	    "return string.gsub('abc', 'b', 'x', 1.5)",
	    "return string.gsub('abc', 'b', 'x', '2')",
	    /* gmatch */
	    "local t = {} for w in string.gmatch('one two  three', '%a+') do t[#t+1] = w end "
	    "return table.concat(t, '/')",
	    "local t = {} for k, v in string.gmatch('a=1, b=2', '(%w+)=(%w+)') do "
	    "t[#t+1] = k .. v end return table.concat(t, '/')",
	    "local t = {} for w in string.gmatch('abc', '') do t[#t+1] = '[' .. w .. ']' end "
	    "return table.concat(t), #t",
	    "local t = {} for w in string.gmatch('abc', 'b*') do t[#t+1] = '[' .. w .. ']' end "
	    "return table.concat(t), #t",
	    "local t = {} for p in string.gmatch('abc', '()') do t[#t+1] = p end "
	    "return table.concat(t, ',')",
	    "local t = {} for w in string.gmatch('one two three', '%a+', 5) do t[#t+1] = w end "
	    "return table.concat(t, '/')",
	    "local t = {} for w in string.gmatch('one two three', '%a+', -5) do t[#t+1] = w end "
	    "return table.concat(t, '/')",
	    "local t = {} for w in string.gmatch('one', '%a*', 10) do t[#t+1] = w end return #t",
	    "local t = {} for w in string.gmatch('one', '%a*', 4) do t[#t+1] = w end return #t",
	    "local t = {} for w in string.gmatch('^a^a', '^a') do t[#t+1] = w end return #t",
	    "local f = string.gmatch('ab', '.') return f(), f(), f(), f()",
	    "return string.gmatch('abc', '(')()",
	    "return string.gmatch('abc', '%')()",
	    /* init */
	    "return string.find('abc', 'c', -1)",
	    "return string.find('abc', 'a', -1)",
	    "return string.find('abc', 'a', -100)",
	    "return string.find('abc', '', 0)",
	    "return string.find('abc', 'c', 3)",
	    "return string.find('abc', 'c', 4)",
	    "return string.match('abc', '.', math.maxinteger)",
	    "return string.match('abc', '.', math.mininteger)",
	    "return string.match('abc', '.', '2')",
	    "return string.match('abc', '.', 2.0)",
	    "return string.match('abc', '.', 2.5)",
	    /* errors */
	    "return string.find('abc', '%')",
	    "return string.find('abc', '[a')",
	    "return string.find('abc', '[^')",
	    "return string.find('abc', '[]')",
	    "return string.find('abc', '%f')",
	    "return string.find('abc', '%fa')",
	    "return string.find('abc', '%b')",
	    "return string.find('abc', '%bx')",
	    "return string.find('abc', '%1')",
	    "return string.find('abc', '%0')",
	    "return string.find('abc', 'a)')",
	    "return string.find('abc', ')')",
	    "return string.find('abc', '(a')",
	    "return string.find('abc', '(()')",
	    "return string.find()",
	    "return string.find('a', {})",
	    "return ('abc'):find(nil)",
	    "return string.match('abc', 'b', {})",
	    "return string.gsub('abc', 'b', true)",
	    "return string.gsub('abc', 'b', {b = {}})",
	    "return string.gmatch(nil, 'x')",
	    /* numbers as subjects and patterns */
	    "return string.find(12345, 34)",
	    "return string.match(1.5, '%d')",
	    "return ('x'):rep(3):find('x', 2)",
	};
	char want[4096], got[4096];
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		run_in(st->lua, false, cases[i], want, sizeof want);
		run_in(st->box, true, cases[i], got, sizeof got);
		if (strcmp(want, got) != 0)
			fail_msg("%s\nLua gave\n  %s\nthe sandbox gave\n  %s", cases[i], want, got);
	}
}

static double seconds(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void test_lua_pattern__backtracking_runs_into_the_budget(void **state)
{
	(void)state;
	static const char *const cases[] = {
	    "return string.find(string.rep('a', 20000), '.-.-.-.-b')",
	    "return ('a'):rep(20000):match('.-.-.-.-b')",
	    "return string.gsub(string.rep('a', 20000), '.-.-.-.-b', '')",
	    "for x in string.gmatch(string.rep('a', 20000), '.-.-.-.-b') do end",
	    "return string.match(string.rep('a', 20000), string.rep('a*', 40) .. 'b')",
	    "return string.find(string.rep('a', 20000), '(.-)%1b')",
	    /* a long set costs in proportion to its length */
	    "return string.find(string.rep('a', 20000), '.-.-[' .. string.rep('x', 50000) .. ']')",
	    /* a pcall in the script cannot swallow the error and go on */
	    "for i = 1, 10 do pcall(string.find, string.rep('a', 20000), '.-.-.-b') end return 1",
	    /* nor can a match that is only too slow as a whole */
	    "local s = string.rep('a', 20) for i = 1, 10000 do s:find('a-b') end return 1",
	};
	fcat__sandbox_limits limits = {64u << 20, 1000000};
	lua_State *L = fcat__sandbox_new(&limits);
	assert_non_null(L);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		double start = seconds();
		assert_int_equal(luaL_loadstring(L, cases[i]), LUA_OK);
		int rc = fcat__sandbox_pcall(L, 0, 0);
		double took = seconds() - start;
		if (rc == LUA_OK)
			fail_msg("'%s' finished within the budget", cases[i]);
		const char *message = lua_tostring(L, -1);
		if (!strstr(message, "instruction budget of 1000000 exceeded") ||
		    fcat__sandbox_exhausted(L) != 2)
			fail_msg("'%s' failed with %s", cases[i], message);
		if (took > 0.5)
			fail_msg("'%s' took %.2f s to fail", cases[i], took);
		lua_pop(L, 1);
		/* and the next call gets a fresh budget */
		assert_int_equal(luaL_loadstring(L, "return ('abc'):find('b')"), LUA_OK);
		assert_int_equal(fcat__sandbox_pcall(L, 0, 1), LUA_OK);
		assert_int_equal(lua_tointeger(L, -1), 2);
		lua_pop(L, 1);
	}
	fcat__sandbox_free(L);
	/* without a budget the same work just finishes */
	limits.instructions = 0;
	L = fcat__sandbox_new(&limits);
	assert_int_equal(luaL_loadstring(L, "return string.find(string.rep('a', 300), '.-.-b')"),
	                 LUA_OK);
	assert_int_equal(fcat__sandbox_pcall(L, 0, 1), LUA_OK);
	assert_true(lua_isnil(L, -1));
	fcat__sandbox_free(L);
}

static void test_lua_pattern__methods_on_strings_use_the_sandbox_functions(void **state)
{
	states *st = *state;
	char got[256];
	run_in(st->box, true,
	       "local i = getmetatable('').__index\n"
	       "assert(i == string and i.find == string.find and i.gsub == string.gsub)\n"
	       "return ('x'):find('x'), ('a,b'):gsub(',', ';'), ('k=v'):match('(%w)=(%w)')",
	       got, sizeof got);
	assert_string_equal(got, "ok int:1|string:a;b|string:k|string:v|");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lua_pattern__generated_calls_agree_with_lua),
	    cmocka_unit_test(test_lua_pattern__tricky_calls_agree_with_lua),
	    cmocka_unit_test(test_lua_pattern__backtracking_runs_into_the_budget),
	    cmocka_unit_test(test_lua_pattern__methods_on_strings_use_the_sandbox_functions),
	};
	return cmocka_run_group_tests_name("lua_pattern", tests, setup, teardown);
}
