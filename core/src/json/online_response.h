/* online_response.h - Feast's /get-online-features response from any source
 * of served values (an online result, or a test's cells). */
#ifndef FCAT_JSON_ONLINE_RESPONSE_H
#define FCAT_JSON_ONLINE_RESPONSE_H

#include "fcat.h"

/* The served value of feature `feature` (set order) for entity row `row`, or
 * NULL when there is none. */
typedef const fcat_feature_value *(*fcat__json_cell_fn)(const void *ctx, size_t row,
                                                        size_t feature);

/* fcat_json_encode_online_response over `nrows` rows whose values come from
 * cell(ctx, row, feature). */
int fcat__json_online_response(char **out, const fcat_feature_set *set, const fcat_value *keys,
                               size_t nrows, fcat__json_cell_fn cell, const void *ctx,
                               unsigned flags);

#endif
