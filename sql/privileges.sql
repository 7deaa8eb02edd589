-- Other roles' texts and query ids are hidden unless superuser or
-- pg_read_all_stats; reset() is not for PUBLIC.
SELECT pothos_perf.reset() >= 0 AS reset;
CREATE ROLE regress_pp_reader;
CREATE ROLE regress_pp_stats;
GRANT pg_read_all_stats TO regress_pp_stats;

SELECT 'superuser statement' AS s;

SET ROLE regress_pp_reader;
SELECT 'reader statement' AS s;
SELECT query, queryid IS NULL AS queryid_hidden
  FROM pothos_perf.statements
 WHERE query LIKE 'SELECT $1 AS s' OR query = '<insufficient privilege>'
 ORDER BY query COLLATE "C";
SELECT pothos_perf.reset();
SELECT count(*) > 0 AS info_visible FROM pothos_perf.statements_info;
RESET ROLE;

SET ROLE regress_pp_stats;
SELECT count(*) AS visible_texts, count(*) FILTER (WHERE queryid IS NULL) AS hidden_ids
  FROM pothos_perf.statements WHERE query = 'SELECT $1 AS s';
SELECT pothos_perf.reset();
RESET ROLE;

-- The superuser sees both roles' entries.
SELECT r.rolname, s.query
  FROM pothos_perf.statements s JOIN pg_roles r ON r.oid = s.userid
 WHERE s.query = 'SELECT $1 AS s'
 ORDER BY r.rolname COLLATE "C";

DROP OWNED BY regress_pp_reader, regress_pp_stats;
DROP ROLE regress_pp_reader;
DROP ROLE regress_pp_stats;
