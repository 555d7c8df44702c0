/* online_conformance.h - the behaviour every online store plugin must show. */
#ifndef FCAT_ONLINE_CONFORMANCE_H
#define FCAT_ONLINE_CONFORMANCE_H

#include "fcat_plugin.h"

#include <stdbool.h>
#include <stdint.h>

/* Loads plugin `plugin_name` and checks its online store against the ABI
 * with cmocka asserts: persistence across reopen, byte-exact reads,
 * missing keys and views, separate views, newer-wins, a 10,000-row batch,
 * metadata, concurrent reads while writing, empty writes and drop_view.
 * `config` must describe a store that does not exist yet. */
void online_conformance_run(const char *plugin_name, const fcat_plugin_config *config);

/* Fills *row with a copy of `key` (NUL-terminated) and an encoded row: the 24-byte header
 * (magic, event and created timestamps, little endian) then `payload`.
 * Free with online_row_free. */
void online_row_make(fcat_online_row *row, const char *key, int64_t event_ts, int64_t created_ts,
                     const char *payload);
void online_row_free(fcat_online_row *row);

/* The online ops of plugin `name` (test_load_plugin); fails the test when
 * the plugin has no online store. */
const fcat_online_ops *online_plugin_ops(const char *name);

/* Reads one key and asserts its row is `want` (NULL: no row). */
void online_expect_row(const fcat_online_ops *ops, void *store, const char *view, const char *key,
                       const fcat_online_row *want);

/* Opens a store, failing the test with the plugin's message when it cannot. */
void *online_open(const fcat_online_ops *ops, const fcat_plugin_config *config);

/* online_conformance_run on a store at setting path = `path` in a fresh
 * directory, then asserts that `file` (relative to the directory) exists. */
void online_conformance_in_tempdir(const char *plugin_name, const char *path, const char *file);

/* A store for one test: a fresh directory, a config over it (settings kv,
 * may be NULL) and, once opened, the store. */
typedef struct online_fixture {
	const fcat_online_ops *ops;
	char *dir;
	fcat_plugin_config *config;
	void *store;
} online_fixture;

/* Makes the directory and the config, and opens the store (online_open). */
void online_fixture_open(online_fixture *f, const fcat_online_ops *ops, const char *const *kv);

/* Closes the store (when open), frees the config, removes the directory. */
void online_fixture_done(online_fixture *f);

/* The same as a cmocka per-test fixture: the setup (called by a test file's
 * own, which names the plugin) puts a malloc'd online_fixture of a store
 * with default settings in *state; the teardown closes and frees it. */
int online_fixture_setup(void **state, const fcat_online_ops *ops);
int online_fixture_teardown(void **state);

/* Writes the batch { good, bad } to view "v" of the store and expects it
 * refused whole: FCAT_EINVALID, and no row for good's key. */
void online_expect_batch_refused(const online_fixture *f, const fcat_online_row *good,
                                 const fcat_online_row *bad);

/* Reads row's key from `view` in a new thread, joined before it returns:
 * whether the read gave a row of row's length. */
bool online_read_in_thread(const fcat_online_ops *ops, void *store, const char *view,
                           const fcat_online_row *row);

#endif
