/* test_historical_memory.c - training sets in memory: entity rows given as
 * columns give, value for value (nulls and types included), what the CSV
 * path writes for the same rows over every edge of the point-in-time fixture
 * (and an on-demand view with request columns, full names); keys and times
 * may come as text; bad columns are refused naming them; the Arrow export
 * shares the set's buffers and outlives the handle. */
#include "testutil.h"

#include "fcat.h"
#include "offline/entity_file.h"
#include "pit_fixture.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The fixture's views, and an on-demand view over v with a request field
 * and outputs of every layout (bool bits, float, fixed and var arrays, an
 * empty string that is not null). */
static const char odv_defs[] =
    "on_demand_view { name = 'o', sources = { 'v' }, request = { field('bonus', int64) },\n"
    "  schema = { field('score', int64), field('big', bool), field('half', float64),\n"
    "             field('vec', array(float32, 2)), field('tags', array(string)),\n"
    "             field('empty', string) },\n"
    "  transform = function(i)\n"
    "    local bonus = i.bonus or 0\n"
    "    return { score = (i.a or 0) + bonus, big = bonus > 4, half = bonus / 2,\n"
    "             vec = { bonus, 0.5 }, tags = { 'x', i.b or 'none' }, empty = '' }\n"
    "  end }\n";

/* pit_entity_rows, with a request column (null in row 4). */
static const char entity_csv[] = "user_id,store_id,event_timestamp,label,bonus\n"
                                 "u1,7,2026-01-01T10:00:00Z,yes,1\n"
                                 "u2,7,2026-01-01T10:00:00Z,no,2\n"
                                 "u3,8,2026-01-01T10:00:00Z,\"a, b\",3\n"
                                 "u4,8,2026-01-01T10:00:00Z,no,\n"
                                 "u5,7,2026-01-01T10:00:00Z,no,5\n"
                                 "u9,7,2026-01-01T10:00:00Z,no,6\n"
                                 "u1,7,2026-01-01T10:00:00Z,again,7\n"
                                 "u1,8,2026-01-01T10:30:00Z,later,8\n";

#define NROWS 8
static const char *const users[NROWS] = {"u1", "u2", "u3", "u4", "u5", "u9", "u1", "u1"};
static const char *const labels[NROWS] = {"yes", "no", "a, b", "no", "no", "no", "again", "later"};
static const int64_t stores[NROWS] = {7, 7, 8, 8, 7, 7, 7, 8};
static const int64_t bonus[NROWS] = {1, 2, 3, 0, 5, 6, 7, 8};
static const uint8_t bonus_valid[1] = {0xf7}; /* row 4 (index 3) is null */
#define T10   1767261600000000LL              /* 2026-01-01T10:00:00Z */
#define T1030 (T10 + 1800000000LL)

static const char *const refs[] = {"v", "w:n", "o"};

/* A text column's buffers. */
typedef struct text_col {
	int64_t offsets[NROWS + 1];
	char data[256];
} text_col;

static fcat_column text_column(text_col *t, const char *name, const char *const *cells)
{
	size_t len = 0;
	t->offsets[0] = 0;
	for (size_t r = 0; r < NROWS; r++) {
		memcpy(t->data + len, cells[r], strlen(cells[r]));
		len += strlen(cells[r]);
		t->offsets[r + 1] = (int64_t)len;
	}
	return (fcat_column){.name = name,
	                     .type = {FCAT_STRING, false, 0},
	                     .length = NROWS,
	                     .offsets = t->offsets,
	                     .data = t->data};
}

typedef struct entity_cols {
	text_col user, label, store_text, time_text;
	int64_t times[NROWS];
	fcat_column cols[5];
} entity_cols;

/* The entity rows as columns: store_id and event_timestamp typed, or as
 * text when `as_text`. */
static void entity_columns(entity_cols *e, bool as_text)
{
	static const char *const store_text[NROWS] = {"7", "7", "8", "8", "7", "7", "7", "8"};
	static const char *const time_text[NROWS] = {
	    "2026-01-01T10:00:00Z", "2026-01-01T10:00:00Z", "2026-01-01T10:00:00Z",
	    "2026-01-01T10:00:00Z", "2026-01-01T10:00:00Z", "2026-01-01T10:00:00Z",
	    "2026-01-01T10:00:00Z", "2026-01-01T10:30:00Z"};
	for (size_t r = 0; r < NROWS; r++)
		e->times[r] = r == NROWS - 1 ? T1030 : T10;
	e->cols[0] = text_column(&e->user, "user_id", users);
	e->cols[1] = as_text ? text_column(&e->store_text, "store_id", store_text)
	                     : (fcat_column){.name = "store_id",
	                                     .type = {FCAT_INT64, false, 0},
	                                     .length = NROWS,
	                                     .values = stores};
	e->cols[2] = as_text ? text_column(&e->time_text, "event_timestamp", time_text)
	                     : (fcat_column){.name = "event_timestamp",
	                                     .type = {FCAT_TIMESTAMP, false, 0},
	                                     .length = NROWS,
	                                     .values = e->times};
	e->cols[3] = text_column(&e->label, "label", labels);
	e->cols[4] = (fcat_column){.name = "bonus",
	                           .type = {FCAT_INT64, false, 0},
	                           .length = NROWS,
	                           .validity = bonus_valid,
	                           .values = bonus};
}

static char *repo(void)
{
	char *dir = pit_repo("", true);
	test_write_file(dir, "catalog/odv.lua", odv_defs);
	test_write_file(dir, "entities.csv", entity_csv);
	return dir;
}

/* Two values are the same: both null, or the same type and text form
 * (fcat_value_format round-trips every value exactly). */
static void assert_same_value(const fcat_value *got, const fcat_value *want, const char *col,
                              size_t row)
{
	if (got->is_null != want->is_null)
		fail_msg("column '%s', row %zu: %s here, %s in the CSV", col, row + 1,
		         got->is_null ? "null" : "a value", want->is_null ? "null" : "a value");
	if (got->is_null)
		return;
	char *a = NULL, *b = NULL;
	assert_int_equal(fcat_value_format(&a, got), 0);
	assert_int_equal(fcat_value_format(&b, want), 0);
	if (strcmp(a, b) != 0)
		fail_msg("column '%s', row %zu: '%s' here, '%s' in the CSV", col, row + 1, a, b);
	fcat_free(a);
	fcat_free(b);
}

/* The CSV path's training set at dir/training.csv, read back as text
 * columns through the csv plugin, equals `set` cell for cell: the same
 * names, and each text parses, as the set's column type, to the set's
 * value (an empty cell to null, "" to the empty string). */
static void assert_set_equals_csv(fcat_store *s, const fcat_training_set *set, const char *dir)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/training.csv", dir);
	fcat__entity_file csv;
	if (fcat__entity_file_read(&csv, s, path) != 0)
		fail_msg("%s", fcat_error_last());
	assert_int_equal(csv.ncols, fcat_training_set_column_count(set));
	fcat__buf scratch = {0};
	for (size_t c = 0; c < csv.ncols; c++) {
		fcat_column col;
		assert_int_equal(fcat_training_set_column(&col, set, c), 0);
		assert_string_equal(col.name, csv.names[c]);
		assert_int_equal(csv.cols[c].length, NROWS);
		assert_int_equal(col.length, NROWS);
		for (size_t r = 0; r < NROWS; r++) {
			fcat_value got, text, want;
			assert_int_equal(fcat__column_cell(&got, &col, r, &scratch), 0);
			assert_int_equal(fcat__column_cell(&text, &csv.cols[c], r, NULL), 0);
			want = (fcat_value){.type = col.type, .is_null = true};
			if (!text.is_null &&
			    (col.type.scalar != FCAT_STRING || col.type.is_array)) {
				if (fcat_value_parse(&want, col.type, text.u.str.ptr,
				                     text.u.str.len))
					fail_msg("%s", fcat_error_last());
			} else {
				want = text; /* strings as they are, "" included */
			}
			assert_same_value(&got, &want, col.name, r);
			if (!text.is_null && (col.type.scalar != FCAT_STRING || col.type.is_array))
				fcat_value_clear(&want);
		}
	}
	fcat__buf_free(&scratch);
	fcat__entity_file_free(&csv);
}

static fcat_type column_type(const fcat_training_set *set, size_t i)
{
	fcat_column c;
	assert_int_equal(fcat_training_set_column(&c, set, i), 0);
	return c.type;
}

static void test_historical_memory__columns_give_the_csv_paths_values(void **state)
{
	(void)state;
	char *dir = repo();
	fcat_store *s = pit_open_worktree(dir);
	char in[4096], out[4096];
	pit_paths(dir, in, out);
	for (int full = 0; full < 2; full++) {
		fcat_historical_options o = FCAT_HISTORICAL_OPTIONS_INIT;
		o.full_names = full;
		fcat_historical_stats st;
		if (fcat_get_historical(&st, s, in, refs, 3, NULL, out, &o) != 0)
			fail_msg("%s", fcat_error_last());
		entity_cols e;
		entity_columns(&e, false);
		fcat_training_set *set;
		fcat_historical_stats mst;
		if (fcat_get_historical_columns(&set, &mst, s, e.cols, 5, refs, 3, NULL, &o) != 0)
			fail_msg("%s", fcat_error_last());
		assert_int_equal(mst.rows, st.rows);
		assert_int_equal(mst.features, st.features);
		assert_int_equal(fcat_training_set_rows(set), NROWS);
		assert_int_equal(fcat_training_set_column_count(set), 5 + 3 + 6);
		/* entity columns keep their types; features have their own */
		assert_int_equal(column_type(set, 1).scalar, FCAT_INT64);
		assert_int_equal(column_type(set, 2).scalar, FCAT_TIMESTAMP);
		const fcat_scalar want[] = {FCAT_INT64,   FCAT_STRING, FCAT_INT64,
		                            FCAT_INT64,   FCAT_BOOL,   FCAT_FLOAT64,
		                            FCAT_FLOAT32, FCAT_STRING, FCAT_STRING};
		for (size_t i = 0; i < 9; i++)
			assert_int_equal(column_type(set, 5 + i).scalar, want[i]);
		assert_int_equal(column_type(set, 11).dim, 2);
		assert_true(column_type(set, 12).is_array);
		assert_set_equals_csv(s, set, dir);
		/* the fixture's edges, read as buffers: a (column 5) is 1 at
		 * T, 3 at T - ttl, null one second outside, 5 on the created
		 * tie, null for a null value and for an entity without rows */
		fcat_column a;
		fcat_training_set_column(&a, set, 5);
		const int64_t *av = a.values;
		assert_true(a.validity && (a.validity[0] & 0x01) && (a.validity[0] & 0x02));
		assert_int_equal(av[0], 1);
		assert_int_equal(av[1], 3);
		assert_false(a.validity[0] & 0x04);
		assert_int_equal(av[3], 5);
		assert_false(a.validity[0] & 0x10);
		assert_false(a.validity[0] & 0x20);
		/* the metadata of OUT.meta.json */
		char *meta = NULL, path[4200];
		assert_int_equal(fcat_training_set_meta_json(&meta, set), 0);
		snprintf(path, sizeof path, "%s.meta.json", out);
		char *file = test_read_file(path);
		const char *features = strstr(file, "\"features\"");
		assert_non_null(features);
		assert_non_null(strstr(meta, features));
		assert_string_equal(fcat_training_set_catalog_commit(set), "");
		fcat_free(meta);
		free(file);
		fcat_training_set_free(set);
	}
	fcat_store_free(s);
	test_dir_done(dir);
}

static void test_historical_memory__keys_and_times_as_text_give_the_same(void **state)
{
	(void)state;
	char *dir = repo();
	fcat_store *s = pit_open_worktree(dir);
	char in[4096], out[4096];
	pit_paths(dir, in, out);
	/* the CSV path with typed ints and times in the entity file */
	if (fcat_get_historical(NULL, s, in, refs, 3, NULL, out, NULL) != 0)
		fail_msg("%s", fcat_error_last());
	entity_cols e;
	entity_columns(&e, true);
	fcat_training_set *set;
	if (fcat_get_historical_columns(&set, NULL, s, e.cols, 5, refs, 3, NULL, NULL) != 0)
		fail_msg("%s", fcat_error_last());
	assert_int_equal(column_type(set, 1).scalar, FCAT_STRING); /* passed through */
	assert_set_equals_csv(s, set, dir);
	fcat_training_set_free(set);
	fcat_store_free(s);
	test_dir_done(dir);
}

/* Builds from `cols` and expects FCAT_EINVALID with `want` in the message. */
static void expect_refused(fcat_store *s, const fcat_column *cols, size_t n, const char *want)
{
	fcat_training_set *set = (fcat_training_set *)1;
	int rc = fcat_get_historical_columns(&set, NULL, s, cols, n, refs, 3, NULL, NULL);
	if (rc != FCAT_EINVALID || !strstr(fcat_error_last(), want))
		fail_msg("want FCAT_EINVALID with \"%s\"; got %d: %s", want, rc, fcat_error_last());
	assert_null(set);
}

static void test_historical_memory__bad_columns_are_refused_by_name(void **state)
{
	(void)state;
	char *dir = repo();
	fcat_store *s = pit_open_worktree(dir);
	entity_cols e;
	fcat_column c[5];
	/* a missing join key */
	entity_columns(&e, false);
	c[0] = e.cols[0], c[1] = e.cols[2], c[2] = e.cols[3];
	expect_refused(s, c, 3, "lack the join key column 'store_id' of feature_view 'w'");
	/* a missing event_timestamp */
	c[0] = e.cols[0], c[1] = e.cols[1], c[2] = e.cols[3];
	expect_refused(s, c, 3, "need a column 'event_timestamp'");
	/* a key of another type */
	memcpy(c, e.cols, sizeof c);
	static const double fstores[NROWS] = {7, 7, 8, 8, 7, 7, 7, 8};
	c[1].type = (fcat_type){FCAT_FLOAT64, false, 0};
	c[1].values = fstores;
	expect_refused(s, c, 5, "entity column 'store_id' is float64: it must be int64, or string");
	/* a request column of another type */
	memcpy(c, e.cols, sizeof c);
	c[4].type = (fcat_type){FCAT_FLOAT64, false, 0};
	c[4].values = fstores;
	expect_refused(s, c, 5, "entity column 'bonus' is float64: it must be int64, or string");
	/* an event time neither timestamp nor text */
	memcpy(c, e.cols, sizeof c);
	c[2].type = (fcat_type){FCAT_INT64, false, 0};
	expect_refused(s, c, 5, "entity column 'event_timestamp' is int64");
	/* columns of different lengths */
	memcpy(c, e.cols, sizeof c);
	c[3].length = NROWS - 1;
	expect_refused(s, c, 5, "entity column 'label' has 7 rows where column 'user_id' has 8");
	/* an array column */
	memcpy(c, e.cols, sizeof c);
	c[3].type = (fcat_type){FCAT_FLOAT32, true, 2};
	expect_refused(s, c, 5, "entity column 'label' is an array");
	/* text that does not parse, named by row and column */
	entity_columns(&e, true);
	memcpy(c, e.cols, sizeof c);
	memcpy(e.time_text.data + e.time_text.offsets[1], "2026-99", 7);
	expect_refused(s, c, 5, "entity row 2, column 'event_timestamp'");
	entity_columns(&e, true);
	memcpy(c, e.cols, sizeof c);
	e.store_text.data[e.store_text.offsets[2]] = 'x';
	expect_refused(s, c, 5, "entity row 3, column 'store_id'");
	/* the CSV path refuses a missing key column too */
	char in[4096], out[4096];
	pit_paths(dir, in, out);
	test_write_file(dir, "entities.csv", "user_id,event_timestamp\nu1,2026-01-01T10:00:00Z\n");
	assert_fails_with(fcat_get_historical(NULL, s, in, refs, 2, NULL, out, NULL), FCAT_EINVALID,
	                  "join key column 'store_id'");
	fcat_store_free(s);
	test_dir_done(dir);
}

static void test_historical_memory__arrow_export_shares_the_sets_buffers(void **state)
{
	(void)state;
	char *dir = repo();
	fcat_store *s = pit_open_worktree(dir);
	entity_cols e;
	entity_columns(&e, false);
	fcat_training_set *set;
	if (fcat_get_historical_columns(&set, NULL, s, e.cols, 5, refs, 3, NULL, NULL) != 0)
		fail_msg("%s", fcat_error_last());
	struct ArrowSchema schema;
	struct ArrowArray array;
	assert_int_equal(fcat_training_set_export_arrow(&schema, &array, set), 0);
	assert_string_equal(schema.format, "+s");
	assert_int_equal(schema.n_children, 14);
	assert_int_equal(array.n_children, 14);
	assert_int_equal(array.length, NROWS);
	const char *formats[] = {"U", "l", "tsu:UTC", "U", "l",    "l",  "U",
	                         "l", "l", "b",       "g", "+w:2", "+L", "U"};
	for (size_t i = 0; i < 14; i++) {
		fcat_column c;
		fcat_training_set_column(&c, set, i);
		assert_string_equal(schema.children[i]->format, formats[i]);
		assert_string_equal(schema.children[i]->name, c.name);
		assert_int_equal(array.children[i]->length, NROWS);
		assert_ptr_equal(array.children[i]->buffers[0], c.validity);
	}
	/* a: nulls counted; vec: a float child of 2 per row; tags: offsets */
	assert_int_equal(array.children[5]->null_count, 3);
	assert_string_equal(schema.children[11]->children[0]->format, "f");
	assert_int_equal(array.children[11]->children[0]->length, 2 * NROWS);
	assert_string_equal(schema.children[12]->children[0]->format, "U");
	const int64_t *lo = array.children[12]->buffers[1];
	assert_int_equal(lo[NROWS], 2 * NROWS);
	/* the handle goes, the export stays readable until released */
	fcat_training_set_free(set);
	fcat_store_free(s);
	const int64_t *score = array.children[8]->buffers[1];
	assert_int_equal(score[0], 1 + 1); /* a = 1, bonus = 1 */
	const float *vec = array.children[11]->children[0]->buffers[1];
	assert_true(vec[0] == 1.0f && vec[1] == 0.5f);
	const uint8_t *big = array.children[9]->buffers[1];
	assert_int_equal(big[0], 0xf0); /* bonus > 4 from row 5 on */
	/* a child moved out lives on after its parent is released */
	struct ArrowArray kept = *array.children[8];
	array.children[8]->release = NULL;
	array.release(&array);
	schema.release(&schema);
	assert_null(array.release);
	assert_null(schema.release);
	score = kept.buffers[1];
	assert_int_equal(score[7], 1 + 8); /* u1 at 10:30 on store 8: a = 1 */
	kept.release(&kept);
	test_dir_done(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_historical_memory__columns_give_the_csv_paths_values),
	    cmocka_unit_test(test_historical_memory__keys_and_times_as_text_give_the_same),
	    cmocka_unit_test(test_historical_memory__bad_columns_are_refused_by_name),
	    cmocka_unit_test(test_historical_memory__arrow_export_shares_the_sets_buffers),
	};
	return cmocka_run_group_tests_name("historical_memory", tests, NULL, NULL);
}
