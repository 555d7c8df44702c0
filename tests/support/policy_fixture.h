/* policy_fixture.h - the policy files the policy engine's tests share
 * (policy_fixture.c). */
#ifndef FCAT_TEST_POLICY_FIXTURE_H
#define FCAT_TEST_POLICY_FIXTURE_H

#include "catalog/model.h"

#include <stddef.h>

/* A team's policy file (the line numbers its tests expect are marked in
 * policy_fixture.c), and its test cases. */
extern const char TEAM[];
extern const char TEAM_TESTS[];

/* NULL-terminated (path, text, path, text, ...) as definition files; free
 * with files_free. */
fcat__def_file *files_of(size_t *n, const char *const *pairs);
void files_free(fcat__def_file *f, size_t n);

#endif
