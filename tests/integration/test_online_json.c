/* test_online_json.c - `fcat get-online --json` prints Feast's
 * /get-online-features response byte for byte: a view with a feature of
 * every type, composite keys, nulls, a missing key, an expired row and full
 * feature names, pinned to the exact text. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char catalog[] =
    "local item = entity { name = \"item\", join_keys = { field(\"shop\", string),\n"
    "                                                   field(\"item_id\", int64) } }\n"
    "local cols = {\n"
    "  field(\"i32\", int32), field(\"i64\", int64), field(\"f32\", float32),\n"
    "  field(\"f64\", float64), field(\"s\", string), field(\"b\", bytes),\n"
    "  field(\"flag\", bool), field(\"t\", timestamp), field(\"i32s\", array(int32)),\n"
    "  field(\"i64s\", array(int64)), field(\"f32s\", array(float32, 2)),\n"
    "  field(\"f64s\", array(float64, 3)), field(\"strs\", array(string)),\n"
    "  field(\"blobs\", array(bytes)), field(\"flags\", array(bool)),\n"
    "  field(\"ts\", array(timestamp)),\n"
    "}\n"
    "local schema = { field(\"shop\", string), field(\"item_id\", int64),\n"
    "                 field(\"event_timestamp\", timestamp) }\n"
    "for _, c in ipairs(cols) do schema[#schema + 1] = c end\n"
    "local items = source { name = \"items\", path = \"data/items.csv\",\n"
    "                       timestamp_field = \"event_timestamp\", schema = schema }\n"
    "feature_view { name = \"item_types\", entities = { item }, source = items,\n"
    "               ttl = days(1), online = true, schema = cols }\n";

/* (s1,1) has every value, (s1,2) only nulls, (s2,3) is older than the ttl
 * at READ_AT; (s9,9) is never written. */
static const char csv[] =
    "shop,item_id,event_timestamp,i32,i64,f32,f64,s,b,flag,t,i32s,i64s,f32s,f64s,strs,blobs,"
    "flags,ts\n"
    "s1,1,2026-01-01T12:00:00.5Z,-2147483648,9223372036854775807,0.7,0.1,"
    "\"he said \"\"hi\"\" \\ é✓\ttab\",AAEC/w==,true,1969-12-31T23:59:58.5Z,"
    "\"[1,-2,2147483647]\",\"[-9223372036854775808,0]\",\"[0.7,1]\",\"[1,1e300,-0]\","
    "\"[\"\"a\"\",\"\"b\\\"\"c\"\",\"\"\"\"]\",\"[\"\"AA==\"\",\"\"\"\"]\",\"[true,false]\","
    "\"[\"\"2026-01-01T00:00:00Z\"\",\"\"1970-01-01T00:00:01.999Z\"\"]\"\n"
    "s1,2,2026-01-01T12:00:00.123Z,,,,,,,,,,,,,,,,\n"
    "s2,3,2025-12-01T00:00:00Z,0,0,1,1,,,false,2026-01-01T00:00:00Z,[],[],\"[0,0]\","
    "\"[0,0,0]\",[],[],[],[]\n";

#define READ_AT "2026-01-02T00:00:00Z"

/* What `fcat get-online --json` printed before the encoder moved into
 * libfcat (captured from main at 4f03d0e): it must never change. */
static const char every_type[] =
    "{\"results\":[{\"values\":[\"s1\",\"s1\",\"s2\",\"s9\"],\"statuses\":[\"PRESENT\",\"PRESENT\","
    "\"PRESENT\",\"PRESENT\"],\"event_timestamps\":[\"1970-01-01T00:00:00Z\","
    "\"1970-01-01T00:00:00Z\",\"1970-01-01T00:00:00Z\",\"1970-01-01T00:00:00Z\"]},{"
    "\"values\":[1,2,3,9],\"statuses\":[\"PRESENT\",\"PRESENT\",\"PRESENT\",\"PRESENT\"],"
    "\"event_timestamps\":[\"1970-01-01T00:00:00Z\",\"1970-01-01T00:00:00Z\","
    "\"1970-01-01T00:00:00Z\",\"1970-01-01T00:00:00Z\"]},{"
    "\"values\":[-2147483648,null,0,null],\"statuses\":[\"PRESENT\",\"NULL_VALUE\","
    "\"OUTSIDE_MAX_AGE\",\"NOT_FOUND\"],\"event_timestamps\":[\"2026-01-01T12:00:00.500Z\","
    "\"2026-01-01T12:00:00.123Z\",\"2025-12-01T00:00:00Z\",\"1970-01-01T00:00:00Z\"]},{"
    "\"values\":[9223372036854775807,null,0,null],\"statuses\":[\"PRESENT\",\"NULL_VALUE\","
    "\"OUTSIDE_MAX_AGE\",\"NOT_FOUND\"],\"event_timestamps\":[\"2026-01-01T12:00:00.500Z\","
    "\"2026-01-01T12:00:00.123Z\",\"2025-12-01T00:00:00Z\",\"1970-01-01T00:00:00Z\"]},{"
    "\"values\":[0.69999998807907104,null,1.0,null],\"statuses\":[\"PRESENT\",\"NULL_VALUE\","
    "\"OUTSIDE_MAX_AGE\",\"NOT_FOUND\"],\"event_timestamps\":[\"2026-01-01T12:00:00.500Z\","
    "\"2026-01-01T12:00:00.123Z\",\"2025-12-01T00:00:00Z\",\"1970-01-01T00:00:00Z\"]},{"
    "\"values\":[0.10000000000000001,null,1.0,null],\"statuses\":[\"PRESENT\",\"NULL_VALUE\","
    "\"OUTSIDE_MAX_AGE\",\"NOT_FOUND\"],\"event_timestamps\":[\"2026-01-01T12:00:00.500Z\","
    "\"2026-01-01T12:00:00.123Z\",\"2025-12-01T00:00:00Z\",\"1970-01-01T00:00:00Z\"]},{"
    "\"values\":[\"he said \\\"hi\\\" \\\\ é✓\\ttab\",null,null,null],\"statuses\":[\"PRESENT\","
    "\"NULL_VALUE\",\"OUTSIDE_MAX_AGE\",\"NOT_FOUND\"],"
    "\"event_timestamps\":[\"2026-01-01T12:00:00.500Z\",\"2026-01-01T12:00:00.123Z\","
    "\"2025-12-01T00:00:00Z\",\"1970-01-01T00:00:00Z\"]},{"
    "\"values\":[\"AAEC/w==\",null,null,null],\"statuses\":[\"PRESENT\",\"NULL_VALUE\","
    "\"OUTSIDE_MAX_AGE\",\"NOT_FOUND\"],\"event_timestamps\":[\"2026-01-01T12:00:00.500Z\","
    "\"2026-01-01T12:00:00.123Z\",\"2025-12-01T00:00:00Z\",\"1970-01-01T00:00:00Z\"]},{"
    "\"values\":[true,null,false,null],\"statuses\":[\"PRESENT\",\"NULL_VALUE\","
    "\"OUTSIDE_MAX_AGE\",\"NOT_FOUND\"],\"event_timestamps\":[\"2026-01-01T12:00:00.500Z\","
    "\"2026-01-01T12:00:00.123Z\",\"2025-12-01T00:00:00Z\",\"1970-01-01T00:00:00Z\"]},{"
    "\"values\":[-1,null,1767225600,null],\"statuses\":[\"PRESENT\",\"NULL_VALUE\","
    "\"OUTSIDE_MAX_AGE\",\"NOT_FOUND\"],\"event_timestamps\":[\"2026-01-01T12:00:00.500Z\","
    "\"2026-01-01T12:00:00.123Z\",\"2025-12-01T00:00:00Z\",\"1970-01-01T00:00:00Z\"]},{"
    "\"values\":[[1,-2,2147483647],null,[],null],\"statuses\":[\"PRESENT\",\"NULL_VALUE\","
    "\"OUTSIDE_MAX_AGE\",\"NOT_FOUND\"],\"event_timestamps\":[\"2026-01-01T12:00:00.500Z\","
    "\"2026-01-01T12:00:00.123Z\",\"2025-12-01T00:00:00Z\",\"1970-01-01T00:00:00Z\"]},{"
    "\"values\":[[-9223372036854775808,0],null,[],null],\"statuses\":[\"PRESENT\","
    "\"NULL_VALUE\",\"OUTSIDE_MAX_AGE\",\"NOT_FOUND\"],"
    "\"event_timestamps\":[\"2026-01-01T12:00:00.500Z\",\"2026-01-01T12:00:00.123Z\","
    "\"2025-12-01T00:00:00Z\",\"1970-01-01T00:00:00Z\"]},{"
    "\"values\":[[0.69999998807907104,1.0],null,[0.0,0.0],null],\"statuses\":[\"PRESENT\","
    "\"NULL_VALUE\",\"OUTSIDE_MAX_AGE\",\"NOT_FOUND\"],"
    "\"event_timestamps\":[\"2026-01-01T12:00:00.500Z\",\"2026-01-01T12:00:00.123Z\","
    "\"2025-12-01T00:00:00Z\",\"1970-01-01T00:00:00Z\"]},{"
    "\"values\":[[1.0,1.0000000000000001e300,-0.0],null,[0.0,0.0,0.0],null],"
    "\"statuses\":[\"PRESENT\",\"NULL_VALUE\",\"OUTSIDE_MAX_AGE\",\"NOT_FOUND\"],"
    "\"event_timestamps\":[\"2026-01-01T12:00:00.500Z\",\"2026-01-01T12:00:00.123Z\","
    "\"2025-12-01T00:00:00Z\",\"1970-01-01T00:00:00Z\"]},{"
    "\"values\":[[\"a\",\"b\\\"c\",\"\"],null,[],null],\"statuses\":[\"PRESENT\",\"NULL_VALUE\","
    "\"OUTSIDE_MAX_AGE\",\"NOT_FOUND\"],\"event_timestamps\":[\"2026-01-01T12:00:00.500Z\","
    "\"2026-01-01T12:00:00.123Z\",\"2025-12-01T00:00:00Z\",\"1970-01-01T00:00:00Z\"]},{"
    "\"values\":[[\"AA==\",\"\"],null,[],null],\"statuses\":[\"PRESENT\",\"NULL_VALUE\","
    "\"OUTSIDE_MAX_AGE\",\"NOT_FOUND\"],\"event_timestamps\":[\"2026-01-01T12:00:00.500Z\","
    "\"2026-01-01T12:00:00.123Z\",\"2025-12-01T00:00:00Z\",\"1970-01-01T00:00:00Z\"]},{"
    "\"values\":[[true,false],null,[],null],\"statuses\":[\"PRESENT\",\"NULL_VALUE\","
    "\"OUTSIDE_MAX_AGE\",\"NOT_FOUND\"],\"event_timestamps\":[\"2026-01-01T12:00:00.500Z\","
    "\"2026-01-01T12:00:00.123Z\",\"2025-12-01T00:00:00Z\",\"1970-01-01T00:00:00Z\"]},{"
    "\"values\":[[1767225600,1],null,[],null],\"statuses\":[\"PRESENT\",\"NULL_VALUE\","
    "\"OUTSIDE_MAX_AGE\",\"NOT_FOUND\"],\"event_timestamps\":[\"2026-01-01T12:00:00.500Z\","
    "\"2026-01-01T12:00:00.123Z\",\"2025-12-01T00:00:00Z\",\"1970-01-01T00:00:00Z\"]}],"
    "\"metadata\":{\"feature_names\":[\"shop\",\"item_id\",\"i32\",\"i64\",\"f32\",\"f64\",\"s\","
    "\"b\","
    "\"flag\",\"t\",\"i32s\",\"i64s\",\"f32s\",\"f64s\",\"strs\",\"blobs\",\"flags\",\"ts\"]}}\n";

static const char full_names[] =
    "{\"results\":[{\"values\":[\"s1\"],\"statuses\":[\"PRESENT\"],"
    "\"event_timestamps\":[\"1970-01-01T00:00:00Z\"]},{"
    "\"values\":[1],\"statuses\":[\"PRESENT\"],"
    "\"event_timestamps\":[\"1970-01-01T00:00:00Z\"]},{"
    "\"values\":[\"he said \\\"hi\\\" \\\\ é✓\\ttab\"],\"statuses\":[\"PRESENT\"],"
    "\"event_timestamps\":[\"2026-01-01T12:00:00.500Z\"]},{"
    "\"values\":[0.69999998807907104],\"statuses\":[\"PRESENT\"],"
    "\"event_timestamps\":[\"2026-01-01T12:00:00.500Z\"]}],"
    "\"metadata\":{\"feature_names\":[\"shop\",\"item_id\",\"item_types__s\","
    "\"item_types__f32\"]}}\n";

static char *types_repo(char **parent)
{
	char *repo = test_demo_repo(parent, false);
	test_write_file(repo, "catalog/types.lua", catalog);
	test_write_file(repo, "data/items.csv", csv);
	test_commit_and_apply(repo, "a view of every type");
	test_expect_exit(test_fcat(repo, "materialize", "2025-01-01T00:00:00Z", READ_AT, "--views",
	                           "item_types", NULL),
	                 0, NULL);
	return repo;
}

static void test_online_json__get_online_prints_every_type_byte_for_byte(void **state)
{
	(void)state;
	char *parent, *repo = types_repo(&parent);
	test_run r = test_fcat(repo, "get-online", "--features", "item_types", "--entity",
	                       "shop=s1,item_id=1", "--entity", "shop=s1,item_id=2", "--entity",
	                       "item_id=3,shop=s2", "--entity", "shop=s9,item_id=9", "--at",
	                       READ_AT, "--json", NULL);
	if (r.status != 0)
		fail_msg("get-online failed: %s", r.err);
	assert_string_equal(r.out, every_type);
	test_run_free(&r);

	r = test_fcat(repo, "get-online", "--features", "item_types:s,item_types:f32", "--entity",
	              "shop=s1,item_id=1", "--at", READ_AT, "--json", "--full-names", NULL);
	if (r.status != 0)
		fail_msg("get-online --full-names failed: %s", r.err);
	assert_string_equal(r.out, full_names);
	test_run_free(&r);
	test_repo_done(parent, repo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_online_json__get_online_prints_every_type_byte_for_byte),
	};
	return cmocka_run_group_tests_name("online_json", tests, NULL, NULL);
}
