// pit_join_duckdb.cjs - the point-in-time join of pit_join.sh in DuckDB (@duckdb/node-api): dedup, ASOF LEFT JOIN with the ttl, input order, CSV out.
//
// node pit_join_duckdb.cjs FEATURES.csv ENTITIES.csv OUT.csv [THREADS]
//
// Finds @duckdb/node-api through NODE_PATH (pit_join.sh installs it in a cache
// directory outside the repository). Without THREADS DuckDB keeps its default.
'use strict';
const { DuckDBInstance } = require('@duckdb/node-api');

function lit(s) {
	return "'" + s.replace(/'/g, "''") + "'";
}

async function main() {
	const [feat, ents, out, threads] = process.argv.slice(2);
	if (!out) {
		console.error('usage: node pit_join_duckdb.cjs FEATURES.csv ENTITIES.csv OUT.csv [THREADS]');
		process.exit(2);
	}
	const db = await DuckDBInstance.create(':memory:');
	const con = await db.connect();
	if (threads)
		await con.run(`SET threads = ${Number(threads)}`);
	const tsfmt = "timestampformat = '%Y-%m-%dT%H:%M:%SZ'";
	// ASOF takes the latest row at or before T: first keep one row per
	// (key, event time), the one created last, as fcat's tie-break does;
	// ASOF has no lower bound, so the ttl nulls a match older than T - 7 days.
	await con.run(`
COPY (
	WITH f AS (
		SELECT user_id, event_timestamp AS fts,
			arg_max({'i': f_int, 'f': f_float, 's': f_str}, created_at) AS v
		FROM read_csv(${lit(feat)}, header = true, ${tsfmt}, columns = {
			'user_id': 'VARCHAR', 'event_timestamp': 'TIMESTAMP',
			'created_at': 'TIMESTAMP', 'f_int': 'BIGINT', 'f_float': 'DOUBLE',
			'f_str': 'VARCHAR'})
		GROUP BY user_id, event_timestamp
	), e AS (
		SELECT row_number() OVER () AS rn, *
		FROM read_csv(${lit(ents)}, header = true, ${tsfmt}, columns = {
			'user_id': 'VARCHAR', 'event_timestamp': 'TIMESTAMP', 'label': 'VARCHAR'})
	)
	SELECT e.user_id, e.event_timestamp, e.label,
		CASE WHEN f.fts >= e.event_timestamp - INTERVAL 7 DAY THEN f.v.i END AS f_int,
		CASE WHEN f.fts >= e.event_timestamp - INTERVAL 7 DAY THEN f.v.f END AS f_float,
		CASE WHEN f.fts >= e.event_timestamp - INTERVAL 7 DAY THEN f.v.s END AS f_str
	FROM e ASOF LEFT JOIN f ON e.user_id = f.user_id AND e.event_timestamp >= f.fts
	ORDER BY e.rn
) TO ${lit(out)} (HEADER, DELIMITER ',', TIMESTAMPFORMAT '%Y-%m-%dT%H:%M:%SZ')`);
	con.closeSync();
}

main().catch((err) => {
	console.error(`pit_join_duckdb: ${err.message}`);
	process.exit(1);
});
