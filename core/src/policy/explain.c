/* explain.c - decisions in words: which rules matched, where they are
 * written, and which one decided; the message of a denied request. */
#include "policy/policy.h"
#include "util/error.h"

#include <string.h>

static const char *effect_name(fcat__policy_effect e)
{
	return e == FCAT__POLICY_ALLOW ? "allow" : "deny";
}

void fcat__policy_rule_text(fcat__buf *b, const fcat__policy_rule *r)
{
	fcat__buf_printf(b, "%s rule %zu of role %s at %s:%d", effect_name(r->effect), r->index,
	                 r->role ? r->role->name : "?", r->loc.file, r->loc.line);
}

/* "deny read_online, read_offline on view:* with tags pii=true" */
static void rule_summary(fcat__buf *b, const fcat__policy_rule *r)
{
	fcat__buf_printf(b, "%s ", effect_name(r->effect));
	if (r->actions == (1u << FCAT__PA_COUNT) - 1) {
		fcat__buf_puts(b, "*");
	} else {
		const char *sep = "";
		for (int a = 0; a < FCAT__PA_COUNT; a++) {
			if (!(r->actions & (1u << a)))
				continue;
			fcat__buf_printf(b, "%s%s", sep, fcat__policy_action_name(a));
			sep = ", ";
		}
	}
	if (r->nresources) {
		fcat__buf_puts(b, " on ");
		for (size_t i = 0; i < r->nresources; i++)
			fcat__buf_printf(b, "%s%s", i ? ", " : "", r->resources[i].text);
	}
	if (r->ntags) {
		fcat__buf_puts(b, " with tags ");
		for (size_t i = 0; i < r->ntags; i++)
			fcat__buf_printf(b, "%s%s=%s", i ? ", " : "", r->tags[i].key,
			                 r->tags[i].value);
	}
}

static void match_line(fcat__buf *b, const fcat__policy_grant *g)
{
	const fcat__policy_rule *r = g->rule;
	fcat__buf_printf(b, "  %-5s  %s:%d  role %s rule %zu", effect_name(r->effect), r->loc.file,
	                 r->loc.line, r->role ? r->role->name : "?", r->index);
	if (g->via)
		fcat__buf_printf(b, " (via group %s)", g->via->name);
	fcat__buf_puts(b, ": ");
	rule_summary(b, r);
	fcat__buf_putc(b, '\n');
}

void fcat__policy_explain_text(fcat__buf *b, const fcat__policy_decision *d)
{
	bool allowed = d->effect == FCAT__POLICY_ALLOW;
	fcat__buf_printf(b, "%s: %s may%s %s %s\n", effect_name(d->effect), d->principal,
	                 allowed ? "" : " not", fcat__policy_action_name(d->action), d->resource);
	for (size_t i = 0; i < d->nmatches; i++)
		match_line(b, d->matches[i]);
	size_t allows = 0;
	for (size_t i = 0; i < d->nmatches; i++)
		allows += d->matches[i]->rule->effect == FCAT__POLICY_ALLOW;
	switch (d->why) {
	case FCAT__WHY_ALLOWED:
		fcat__buf_puts(b, "allowed by ");
		fcat__policy_rule_text(b, d->deciding->rule);
		fcat__buf_puts(b, "; no rule denies\n");
		break;
	case FCAT__WHY_DENIED:
		fcat__buf_puts(b, "denied by ");
		fcat__policy_rule_text(b, d->deciding->rule);
		fcat__buf_puts(b, allows ? "; an explicit deny beats every allow\n" : "\n");
		break;
	case FCAT__WHY_NO_RULE: fcat__buf_puts(b, "no rule matches: denied by default\n"); break;
	case FCAT__WHY_UNKNOWN_PRINCIPAL:
		fcat__buf_printf(b, "'%s' is not a known principal: denied by default\n",
		                 d->principal);
		break;
	}
}

int fcat__policy_require(const fcat__policy *p, const fcat__caller *who, fcat__policy_action action,
                         const char *resource, const fcat__tag *tags, size_t ntags)
{
	const fcat__policy_rule *rule = NULL;
	int got = fcat__policy_allowed(p, who, action, resource, tags, ntags, &rule);
	if (got < 0)
		return got;
	if (got)
		return 0;
	fcat__buf b = {0};
	const char *principal = who->name;
	fcat__buf_printf(&b, "policy denies %s %s on %s (", principal,
	                 fcat__policy_action_name(action), resource);
	if (rule)
		fcat__policy_rule_text(&b, rule);
	else if (!fcat__strmap_get(&p->by_principal, principal) && !who->ngroups)
		fcat__buf_puts(&b, "unknown principal; denied by default");
	else
		fcat__buf_puts(&b, "no rule allows it; denied by default");
	fcat__buf_putc(&b, ')');
	int rc = b.oom ? fcat__error(FCAT_EDENIED, "policy denies %s %s on %s", principal,
	                             fcat__policy_action_name(action), resource)
	               : fcat__error_set(FCAT_EDENIED, b.ptr);
	fcat__buf_free(&b);
	return rc;
}
