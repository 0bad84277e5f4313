-- The read gate (SET LOCAL readscale.min_lsn) on a single primary: its GUCs
-- refuse bad values, and good ones pass on a primary. The gate on a standby
-- is in test/t/003_gate.pl. (Named to run after lag_views.sql, whose
-- metrics() output expects no wait counted yet on the shared instance.)
SET readscale.min_lsn = 'garbage';
\echo :LAST_ERROR_SQLSTATE
\i test/psql/set_out_of_range.sql
SELECT pg_temp.set_out_of_range('readscale.gate_timeout', '-1');
SET readscale.gate_on_timeout = 'maybe';
\echo :LAST_ERROR_SQLSTATE
SET readscale.last_commit_lsn = '0/1';
\echo :LAST_ERROR_SQLSTATE
SET readscale.gate_timeout = '250ms';
SHOW readscale.gate_timeout;
BEGIN;
SET LOCAL readscale.min_lsn = '0/1';
SELECT 1 AS gated_read;
COMMIT;
SHOW readscale.min_lsn;
\set VERBOSITY terse
SET readscale.min_lsn = 'FFFFFFFF/10000000';
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
RESET readscale.min_lsn;
RESET readscale.gate_timeout;
