/* value_types.h - the scalar types as constants, and array types, for the
 * value tests (test_values.c, test_json_value.c); header only. */
#ifndef FCAT_TEST_VALUE_TYPES_H
#define FCAT_TEST_VALUE_TYPES_H

#include "fcat.h"

#include <stdint.h>

static const fcat_type T_INT32 = {FCAT_INT32, false, 0};
static const fcat_type T_INT64 = {FCAT_INT64, false, 0};
static const fcat_type T_F32 = {FCAT_FLOAT32, false, 0};
static const fcat_type T_F64 = {FCAT_FLOAT64, false, 0};
static const fcat_type T_STRING = {FCAT_STRING, false, 0};
static const fcat_type T_BYTES = {FCAT_BYTES, false, 0};
static const fcat_type T_BOOL = {FCAT_BOOL, false, 0};
static const fcat_type T_TS = {FCAT_TIMESTAMP, false, 0};

/* An array of `s`; dim 0 is any length. */
static inline fcat_type array_of(fcat_scalar s, uint32_t dim)
{
	return (fcat_type){s, true, dim};
}

#endif
