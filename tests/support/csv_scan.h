/* csv_scan.h - scanning with the csv offline plugin for the csv tests
 * (test_csv_reader.c, test_csv_fast_paths.c, test_csv_round_trip.c): a
 * fresh store per scan, rows as offline_rows.h text, exact error checks. */
#ifndef FCAT_TEST_CSV_SCAN_H
#define FCAT_TEST_CSV_SCAN_H

#include "fcat.h"
#include "fcat_plugin.h"
#include "offline_rows.h"

/* The csv plugin's offline ops (loaded once). */
const fcat_offline_ops *csv_ops(void);

/* A fresh temporary directory holding `rel` with `text`; free with
 * test_dir_done. */
char *csv_dir_with(const char *rel, const char *text);

/* A request for `cols` of `types` from the file `path` (no time filter). */
fcat_scan_request csv_request(const char *path, const char *const *cols, const fcat_type *types,
                              size_t n);

/* Scans with a fresh store over `dir` (settings kv, may be NULL). */
int csv_scan_with(const char *dir, const char *const *kv, const fcat_scan_request *req,
                  fcat_scan_fn fn, void *ctx);

/* Scans and returns the rows as text (the caller frees it); *rc_out gets
 * the result when not NULL, otherwise the scan must succeed. */
char *csv_scan_text(const char *dir, const char *const *kv, const fcat_scan_request *req,
                    int *rc_out);

/* The scan succeeds and gives exactly the rows `want`. */
void csv_expect_rows(const char *dir, const char *const *kv, const fcat_scan_request *req,
                     const char *want);

/* The scan fails with `code` and exactly message `want` (NULL: any message). */
void csv_expect_error(const char *dir, const fcat_scan_request *req, int code, const char *want);

#endif
