-- Expected standbys that are not connected: physical slots and exact lag_policy rows; forget_standby() and readscale.forget_standby_after.
SET synchronous_commit = on;

-- The setting: default, units, bad values.
SHOW readscale.forget_standby_after;
SET readscale.forget_standby_after = '2h';
SHOW readscale.forget_standby_after;
\i test/psql/set_out_of_range.sql
SELECT pg_temp.set_out_of_range('readscale.forget_standby_after', '-2');
SET readscale.forget_standby_after = 'soon';
\echo :LAST_ERROR_SQLSTATE
SET readscale.forget_standby_after = '1 fortnight';
\echo :LAST_ERROR_SQLSTATE
RESET readscale.forget_standby_after;

-- No standby expected: no row.
SELECT count(*) FROM readscale.standby_lag;

-- An inactive physical slot stands for a missing standby: critical, never seen.
SELECT 'init' FROM pg_create_physical_replication_slot('regress_gone');
SELECT application_name, state, verdict, reason, disconnected_since IS NULL AS never_seen, expected_by,
       pid IS NULL AS no_pid, staleness IS NULL AS no_staleness
FROM readscale.standby_lag;
SELECT scope, application_name, verdict FROM readscale.check_lag();
SELECT rank, application_name, state, verdict FROM readscale.failover_candidates;
SELECT line FROM regexp_split_to_table(readscale.metrics(), E'\n') AS line
WHERE line LIKE 'readscale_standby_up%' OR line LIKE 'readscale_standby_verdict{%';

-- A policy row naming it exactly can make it a warning; a wildcard row expects nobody.
INSERT INTO readscale.lag_policy (application_name_pattern, disconnected_is_critical) VALUES ('regress\_gone', false);
INSERT INTO readscale.lag_policy (application_name_pattern) VALUES ('regress\_pol%');
SELECT application_name, verdict, policy, expected_by FROM readscale.standby_lag ORDER BY 1;
INSERT INTO readscale.lag_policy (application_name_pattern) VALUES ('policyonly');
SELECT application_name, verdict, expected_by FROM readscale.standby_lag ORDER BY 1;
INSERT INTO readscale.lag_policy (application_name_pattern, disconnected_is_critical) VALUES ('bad', NULL);
\echo :LAST_ERROR_SQLSTATE
DELETE FROM readscale.lag_policy;

-- (synchronous_standby_names needs a reload: TAP 310.)
SELECT pg_drop_replication_slot('regress_gone');
SELECT count(*) FROM readscale.standby_lag;

-- forget_standby: bad and unknown names; superuser only.
SELECT readscale.forget_standby('');
\echo :LAST_ERROR_SQLSTATE
SELECT readscale.forget_standby('regress_never_seen');
SELECT readscale.forget_standby(NULL) IS NULL AS strict;
CREATE ROLE regress_roster_monitor IN ROLE pg_monitor;
SET ROLE regress_roster_monitor;
SELECT readscale.forget_standby('regress_never_seen');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
DROP ROLE regress_roster_monitor;
