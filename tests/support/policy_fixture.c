/* policy_fixture.c - the policy files the policy engine's tests share: a
 * team's roles, grants and denials, its test cases, and (path, text) pairs
 * as the definition files the engine loads. */
#include "policy_fixture.h"

#include <stdlib.h>
#include <string.h>

/* The line numbers in the tests below refer to this file. */
const char TEAM[] = "principals:\n"                                                     /*  1 */
                    "  - { name: alice, kind: user, groups: [data-science] }\n"         /*  2 */
                    "  - { name: bob, kind: user }\n"                                   /*  3 */
                    "  - { name: ranking-service, kind: service, groups: [serving] }\n" /*  4 */
                    "  - { name: carol, kind: user, roles: [auditor] }\n"               /*  5 */
                    "groups:\n"                                                         /*  6 */
                    "  - { name: data-science, roles: [scientist] }\n"                  /*  7 */
                    "  - { name: serving, roles: [online-reader] }\n"                   /*  8 */
                    "  - name: pii-readers\n"                                           /*  9 */
                    "    members: [bob]\n"                                              /* 10 */
                    "    roles: [pii-reader]\n"                                         /* 11 */
                    "roles:\n"                                                          /* 12 */
                    "  - name: scientist\n"                                             /* 13 */
                    "    rules:\n"                                                      /* 14 */
                    "      - allow: [read_offline, describe]\n"                         /* 15 */
                    "        resources: [\"view:*\", \"feature:*:*\"]\n"                /* 16 */
                    "      - deny: [read_online, read_offline]\n"                       /* 17 */
                    "        tags: { pii: \"true\" }\n"                                 /* 18 */
                    "  - name: online-reader\n"                                         /* 19 */
                    "    rules:\n"                                                      /* 20 */
                    "      - allow: [read_online]\n"                                    /* 21 */
                    "        resources: [\"view:user_*\", \"service:ranking*\",\n"      /* 22 */
                    "                    \"feature:orders:total_?\"]\n"                 /* 23 */
                    "  - name: pii-reader\n"                                            /* 24 */
                    "    rules:\n"                                                      /* 25 */
                    "      - allow: read_offline\n"                                     /* 26 */
                    "        tags: { pii: \"true\" }\n"                                 /* 27 */
                    "  - name: auditor\n"                                               /* 28 */
                    "    rules:\n"                                                      /* 29 */
                    "      - allow: [\"*\"]\n"                                          /* 30 */
                    "        resources: [\"*\"]\n"                                      /* 31 */
                    "      - deny: [admin]\n"                                           /* 32 */
                    "        resources: [project]\n";                                   /* 33 */

const char TEAM_TESTS[] =
    "tests:\n"                                   /*  1 */
    "  - name: alice reads offline\n"            /*  2 */
    "    principal: alice\n"                     /*  3 */
    "    action: read_offline\n"                 /*  4 */
    "    resource: feature:user_profile:age\n"   /*  5 */
    "    expect: allow\n"                        /*  6 */
    "  - name: alice reads pii online\n"         /*  7 */
    "    principal: alice\n"                     /*  8 */
    "    action: read_online\n"                  /*  9 */
    "    resource: feature:user_profile:email\n" /* 10 */
    "    tags: { pii: \"true\" }\n"              /* 11 */
    "    expect: allow\n"                        /* 12 */
    "  - { principal: mallory, action: describe, resource: project, expect: deny }\n";

/* Files from a NULL-terminated list of path, text pairs. */
fcat__def_file *files_of(size_t *n, const char *const *pairs)
{
	size_t count = 0;
	while (pairs[2 * count])
		count++;
	fcat__def_file *f = calloc(count + 1, sizeof *f);
	for (size_t i = 0; i < count; i++) {
		f[i].path = strdup(pairs[2 * i]);
		f[i].text = strdup(pairs[2 * i + 1]);
		f[i].len = strlen(f[i].text);
	}
	*n = count;
	return f;
}

void files_free(fcat__def_file *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(f[i].path);
		free(f[i].text);
	}
	free(f);
}
