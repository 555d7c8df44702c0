/* testcase.c - running the test cases kept beside the policies, each an
 * expected allow or deny, with the explanation of every failure. */
#include "policy/policy.h"
#include "util/error.h"

#include <string.h>

static const char *effect_name(fcat__policy_effect e)
{
	return e == FCAT__POLICY_ALLOW ? "allow" : "deny";
}

int fcat__policy_run_tests(fcat__buf *report, const fcat__policy *p)
{
	int failed = 0;
	for (size_t i = 0; i < p->ntests; i++) {
		const fcat__policy_test *t = &p->tests[i];
		fcat__policy_decision d;
		int rc = fcat__policy_decide(&d, p, FCAT__CALLER(t->principal), t->action,
		                             t->resource, t->tags, t->ntags);
		if (rc)
			return fcat__error_wrap(rc, "%s:%d", t->loc.file, t->loc.line);
		bool ok = d.effect == t->expect;
		fcat__buf_printf(report, "%-4s %s:%d", ok ? "ok" : "FAIL", t->loc.file,
		                 t->loc.line);
		if (*t->name)
			fcat__buf_printf(report, " %s", t->name);
		fcat__buf_printf(report, ": %s %s %s -> %s", t->principal,
		                 fcat__policy_action_name(t->action), t->resource,
		                 effect_name(d.effect));
		if (!ok) {
			fcat__buf_printf(report, ", expected %s\n", effect_name(t->expect));
			fcat__buf b = {0};
			fcat__policy_explain_text(&b, &d);
			for (const char *s = b.ptr ? b.ptr : ""; *s;) {
				const char *nl = strchr(s, '\n');
				size_t n = nl ? (size_t)(nl - s) : strlen(s);
				fcat__buf_puts(report, "       ");
				fcat__buf_append(report, s, n);
				fcat__buf_putc(report, '\n');
				s += n + (nl != NULL);
			}
			fcat__buf_free(&b);
			failed++;
		} else {
			fcat__buf_putc(report, '\n');
		}
		fcat__policy_decision_free(&d);
	}
	fcat__buf_printf(report, "%zu test%s, %d failed\n", p->ntests, p->ntests == 1 ? "" : "s",
	                 failed);
	return report->oom ? fcat__error_oom() : failed;
}
