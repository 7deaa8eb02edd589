-- reset() removes everything or only what matches; statements_info follows.
SELECT pothos_perf.reset() >= 0 AS reset;
SELECT stats_reset AS first_reset FROM pothos_perf.statements_info \gset

SELECT 'keep' AS k;
SELECT 1 + 1 AS d;
SELECT queryid AS drop_id FROM pothos_perf.statements WHERE query = 'SELECT $1 + $2 AS d' \gset
SELECT pothos_perf.reset(0, 0, :drop_id) AS removed;
SELECT query FROM pothos_perf.statements WHERE query IN ('SELECT $1 AS k', 'SELECT $1 + $2 AS d');
-- A partial reset keeps stats_reset.
SELECT stats_reset = :'first_reset' AS unchanged FROM pothos_perf.statements_info;

-- By user and by database.
SELECT pothos_perf.reset(userid => 12345) AS removed_other_user;
SELECT pothos_perf.reset(dbid => (SELECT oid FROM pg_database WHERE datname = current_database())) > 0 AS removed_this_db;
-- Left: the reset statement itself (recorded when it finished) and this one.
SELECT query, calls FROM pothos_perf.statements
 WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
 ORDER BY query COLLATE "C";

SELECT pg_sleep(0.01);
SELECT pothos_perf.reset() > 0 AS removed_all;
SELECT stats_reset > :'first_reset' AS moved, dealloc FROM pothos_perf.statements_info;
