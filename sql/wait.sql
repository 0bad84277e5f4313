-- LSN-gated reads on a single primary: the API and every bad input.
-- 19: core's WaitForLSN wakes waiters ("core"); before, the redo hook (preloaded here).
SELECT readscale.wake_mode() = CASE WHEN current_setting('server_version_num')::int >= 190000
    THEN 'core' ELSE 'redo hook' END AS expected_wake_mode;
-- wait_mode() is its 0.1 name.
SELECT readscale.wait_mode() = readscale.wake_mode() AS alias_agrees;

-- a target at or behind the flushed WAL returns at once
SELECT readscale.wait_for_lsn(pg_current_wal_flush_lsn());
SELECT readscale.wait_for_lsn('0/0', '0');
-- the token may name WAL not flushed yet (an asynchronous record): the WAL writer flushes it within 200 ms
SELECT readscale.wait_for_lsn(readscale.current_token(), '10s', 'return', 'primary_flush');
SELECT readscale.is_caught_up(pg_current_wal_flush_lsn()), readscale.is_caught_up('FFFFFFFF/10000000');

-- a target ahead of anything this server has written: a token from elsewhere
-- (terse: the DETAIL names this server's current LSN; an LSN whose low half has
-- eight digits prints the same on every major, 19 zero-pads shorter ones)
\set VERBOSITY terse
SELECT readscale.wait_for_lsn('FFFFFFFF/10000000');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default

-- bad arguments
SELECT readscale.wait_for_lsn(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT readscale.wait_for_lsn('0/0', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT readscale.wait_for_lsn('0/0', '-1s');
\echo :LAST_ERROR_SQLSTATE
SELECT readscale.wait_for_lsn('0/0', '2 days');
\echo :LAST_ERROR_SQLSTATE
SELECT readscale.wait_for_lsn('0/0', '1s', 'explode');
\echo :LAST_ERROR_SQLSTATE
SELECT readscale.wait_for_lsn('0/0', '1s', 'error', 'sideways');
\echo :LAST_ERROR_SQLSTATE
SELECT readscale.wait_for_lsn('0/0', '1s', 'error', 'replay', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT readscale.wait_for_lsn('not an lsn');
\echo :LAST_ERROR_SQLSTATE

-- causal tokens: the shape, a round trip, and refusals
SELECT readscale.current_causal_token() ~ '^rs1:[0-9]+:1:[0-9A-F]+/[0-9A-F]+$' AS token_shape;
SELECT readscale.wait_for_token(readscale.current_causal_token());
\set VERBOSITY terse
SELECT readscale.wait_for_token('rs1:1:1:0/10000000');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
SELECT readscale.wait_for_token('rs1:' || (SELECT system_identifier FROM pg_control_system()) || ':7:0/10000000');
\echo :LAST_ERROR_SQLSTATE
SELECT readscale.wait_for_token('0/3000060');
\echo :LAST_ERROR_SQLSTATE
SELECT readscale.wait_for_token('rs1:abc:1:0/0');
\echo :LAST_ERROR_SQLSTATE
SELECT readscale.wait_for_token('rs1:1:0:0/0');
\echo :LAST_ERROR_SQLSTATE
SELECT readscale.wait_for_token(NULL);
\echo :LAST_ERROR_SQLSTATE

-- the reported last commit LSN follows this session's writes
CREATE TABLE wait_probe (id int);
INSERT INTO wait_probe VALUES (1);
SELECT current_setting('readscale.last_commit_lsn')::pg_lsn <= pg_current_wal_flush_lsn() AS reported,
       current_setting('readscale.last_commit_lsn') <> '' AS nonempty,
       current_setting('readscale.last_commit_lsn') =
           current_setting('readscale.last_commit_lsn')::pg_lsn::text AS printed_as_server_prints;
DROP TABLE wait_probe;

-- gate_stats is for pg_monitor
SELECT wake_mode = readscale.wake_mode() AS same_wake_mode, waits >= 4 AS counted FROM readscale.gate_stats;
CREATE ROLE wait_nobody;
SET ROLE wait_nobody;
SELECT * FROM readscale.gate_stats;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
DROP ROLE wait_nobody;

-- bounded staleness: bad values refused; on a primary it never fires
\i test/psql/set_out_of_range.sql
SELECT pg_temp.set_out_of_range('readscale.max_staleness', '-2');
SET readscale.max_staleness = 'soon';
\echo :LAST_ERROR_SQLSTATE
SET readscale.max_staleness = '1ms';
SELECT 'served by the primary' AS result;
RESET readscale.max_staleness;
SHOW readscale.max_staleness;

-- the lock rule (55R04) is for standby waits: on a primary a wait while holding locks is allowed
CREATE TABLE wait_locked (id int);
BEGIN;
LOCK TABLE wait_locked IN ACCESS EXCLUSIVE MODE;
SELECT readscale.wait_for_lsn(pg_current_wal_flush_lsn(), '1s', mode => 'primary_flush');
SELECT readscale.wait_for_lsn(pg_current_wal_flush_lsn(), '1s');
COMMIT;
DROP TABLE wait_locked;
