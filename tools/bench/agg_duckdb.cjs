// agg_duckdb.cjs - the five windows of aggregations.sh in DuckDB (@duckdb/node-api): count 1h/1d/7d, sum and mean of amount over 7 days, per entity row, in input order, CSV out.
//
// node agg_duckdb.cjs FORM EVENTS.csv ENTITIES.csv OUT.csv [THREADS]
//
// A value at T covers the events with T - window < ts <= T; count and sum of
// nothing are 0, mean of nothing null. FORM is how the query is written:
//   rangejoin  LEFT JOIN on the user and T - 7 days < ts <= T, grouped by
//              entity row, the shorter windows as FILTERs;
//   window     entity rows and events in one table, window functions over
//              RANGE frames (microseconds) per user ordered by time;
//   asof       running count and sum per user (RANGE UNBOUNDED PRECEDING,
//              so tied times share one value), four ASOF LEFT JOINs (at T,
//              T - 1h, T - 1d, T - 7d) and differences (the sum so made is
//              not exact: the running sum rounds).
// Finds @duckdb/node-api through NODE_PATH. Without THREADS DuckDB keeps its default.
'use strict';
const { DuckDBInstance } = require('@duckdb/node-api');

function lit(s) {
	return "'" + s.replace(/'/g, "''") + "'";
}

const HOUR_US = 3600n * 1000000n;

function query(form, evf, entf) {
	const tsfmt = "timestampformat = '%Y-%m-%dT%H:%M:%SZ'";
	const ev = `ev AS (
		SELECT user_id, event_timestamp AS ts, amount
		FROM read_csv(${lit(evf)}, header = true, ${tsfmt}, columns = {
			'user_id': 'VARCHAR', 'event_timestamp': 'TIMESTAMP', 'amount': 'DOUBLE'}))`;
	const e = `e AS (
		SELECT row_number() OVER () AS rn, user_id, event_timestamp AS ts
		FROM read_csv(${lit(entf)}, header = true, ${tsfmt}, columns = {
			'user_id': 'VARCHAR', 'event_timestamp': 'TIMESTAMP'}))`;
	if (form === 'rangejoin')
		return `WITH ${ev}, ${e}
	SELECT any_value(e.user_id) AS user_id, any_value(e.ts) AS event_timestamp,
		count(ev.ts) FILTER (WHERE ev.ts > e.ts - INTERVAL 1 HOUR) AS count_1h,
		count(ev.ts) FILTER (WHERE ev.ts > e.ts - INTERVAL 1 DAY) AS count_1d,
		count(ev.ts) AS count_7d,
		coalesce(sum(ev.amount), 0) AS amount_sum_7d,
		avg(ev.amount) AS amount_mean_7d
	FROM e LEFT JOIN ev ON ev.user_id = e.user_id
		AND ev.ts > e.ts - INTERVAL 7 DAY AND ev.ts <= e.ts
	GROUP BY e.rn ORDER BY e.rn`;
	if (form === 'window') {
		const frame = (us) => `(PARTITION BY user_id ORDER BY t
			RANGE BETWEEN ${us - 1n} PRECEDING AND CURRENT ROW)`;
		return `WITH ${ev}, ${e}, u AS (
		SELECT user_id, epoch_us(ts) AS t, ts, amount, 1 AS one, NULL::BIGINT AS rn FROM ev
		UNION ALL
		SELECT user_id, epoch_us(ts), ts, NULL, NULL, rn FROM e
	), w AS (
		SELECT rn, user_id, ts,
			count(one) OVER w1 AS count_1h, count(one) OVER w24 AS count_1d,
			count(one) OVER w168 AS count_7d,
			coalesce(sum(amount) OVER w168, 0) AS amount_sum_7d,
			avg(amount) OVER w168 AS amount_mean_7d
		FROM u
		WINDOW w1 AS ${frame(HOUR_US)}, w24 AS ${frame(24n * HOUR_US)},
			w168 AS ${frame(168n * HOUR_US)}
	)
	SELECT user_id, ts AS event_timestamp, count_1h, count_1d, count_7d, amount_sum_7d,
		amount_mean_7d
	FROM w WHERE rn IS NOT NULL ORDER BY rn`;
	}
	if (form === 'asof')
		return `WITH ${ev}, ${e}, c AS (
		SELECT DISTINCT user_id, ts,
			count(*) OVER r AS n, sum(amount) OVER r AS s
		FROM ev
		WINDOW r AS (PARTITION BY user_id ORDER BY ts
			RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
	)
	SELECT e.user_id, e.ts AS event_timestamp,
		coalesce(a.n, 0) - coalesce(h.n, 0) AS count_1h,
		coalesce(a.n, 0) - coalesce(d.n, 0) AS count_1d,
		coalesce(a.n, 0) - coalesce(w.n, 0) AS count_7d,
		coalesce(a.s, 0) - coalesce(w.s, 0) AS amount_sum_7d,
		CASE WHEN coalesce(a.n, 0) > coalesce(w.n, 0)
			THEN (coalesce(a.s, 0) - coalesce(w.s, 0)) / (coalesce(a.n, 0) - coalesce(w.n, 0))
		END AS amount_mean_7d
	FROM e
	ASOF LEFT JOIN c a ON a.user_id = e.user_id AND a.ts <= e.ts
	ASOF LEFT JOIN c h ON h.user_id = e.user_id AND h.ts <= e.ts - INTERVAL 1 HOUR
	ASOF LEFT JOIN c d ON d.user_id = e.user_id AND d.ts <= e.ts - INTERVAL 1 DAY
	ASOF LEFT JOIN c w ON w.user_id = e.user_id AND w.ts <= e.ts - INTERVAL 7 DAY
	ORDER BY e.rn`;
	throw new Error(`unknown form '${form}' (rangejoin, window or asof)`);
}

async function main() {
	const [form, evf, entf, out, threads] = process.argv.slice(2);
	if (!out) {
		console.error('usage: node agg_duckdb.cjs rangejoin|window|asof EVENTS.csv ENTITIES.csv OUT.csv [THREADS]');
		process.exit(2);
	}
	const db = await DuckDBInstance.create(':memory:');
	const con = await db.connect();
	if (threads)
		await con.run(`SET threads = ${Number(threads)}`);
	await con.run(`COPY (${query(form, evf, entf)}) TO ${lit(out)}
		(HEADER, DELIMITER ',', TIMESTAMPFORMAT '%Y-%m-%dT%H:%M:%SZ')`);
	con.closeSync();
}

main().catch((err) => {
	console.error(`agg_duckdb: ${err.message}`);
	process.exit(1);
});
