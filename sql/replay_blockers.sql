-- Replay blockers and replica roles on one node (a primary): the view's
-- columns (empty here), local_lag's new columns at the end, privileges,
-- readscale.replica_role's values, the metrics section's families.
SELECT count(*) FROM readscale.replay_blockers;
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
WHERE attrelid = 'readscale.replay_blockers'::regclass AND attnum > 0 ORDER BY attnum;
SELECT attnum, attname FROM pg_attribute
WHERE attrelid = 'readscale.local_lag'::regclass AND attnum > 11 ORDER BY attnum;

-- Monitoring roles read it; others do not.
CREATE ROLE regress_blockers_monitor IN ROLE pg_monitor;
CREATE ROLE regress_blockers_nobody;
SET ROLE regress_blockers_monitor;
SELECT count(*) FROM readscale.replay_blockers;
RESET ROLE;
SET ROLE regress_blockers_nobody;
SELECT count(*) FROM readscale.replay_blockers;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM readscale._replay_blockers();
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
DROP ROLE regress_blockers_monitor, regress_blockers_nobody;

-- readscale.replica_role: unset by default; oltp and olap; anything else is refused.
SHOW readscale.replica_role;
ALTER SYSTEM SET readscale.replica_role = 'reporting';
\echo :LAST_ERROR_SQLSTATE
ALTER SYSTEM SET readscale.replica_role = '';
\echo :LAST_ERROR_SQLSTATE
-- A server-wide setting (sighup): not per session.
SET readscale.replica_role = 'oltp';
\echo :LAST_ERROR_SQLSTATE
SELECT enumvals, context FROM pg_settings WHERE name = 'readscale.replica_role';

-- readscale.replay_budget: off (-1) by default; a negative budget other than -1 is refused.
SHOW readscale.replay_budget;
-- ALTER SYSTEM cannot run inside a function: 17+ name units in the range (replay_blockers_1.out).
ALTER SYSTEM SET readscale.replay_budget = -5;
\echo :LAST_ERROR_SQLSTATE
ALTER SYSTEM SET readscale.replay_budget = 'soon';
\echo :LAST_ERROR_SQLSTATE
SELECT unit, min_val, context FROM pg_settings WHERE name = 'readscale.replay_budget';

-- On a primary the section has its families and no samples.
SELECT line FROM regexp_split_to_table(readscale._metrics_conflicts(), E'\n') AS line WHERE line LIKE '# TYPE%';
SELECT count(*) FROM regexp_split_to_table(readscale._metrics_conflicts(), E'\n') AS line
WHERE line <> '' AND line NOT LIKE '#%';
SELECT strpos(readscale.metrics(), readscale._metrics_conflicts()) > 0 AS appended_to_metrics;
