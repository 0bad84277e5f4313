-- Lag SLA: views and functions on one node (a primary with no standbys), audit, metrics, privileges.
SET extra_float_digits = 0;

-- The views exist, are empty on a primary without standbys, and have the documented columns.
SELECT count(*) FROM readscale.standby_lag;
SELECT count(*) FROM readscale.local_lag;
SELECT count(*) FROM readscale.failover_candidates;
SELECT count(*) FROM readscale.check_lag();
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
WHERE attrelid = 'readscale.standby_lag'::regclass AND attnum > 0 ORDER BY attnum;
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
WHERE attrelid = 'readscale.local_lag'::regclass AND attnum > 0 ORDER BY attnum;
-- failover_candidates has the failover-slot columns on every major (NULL before 17).
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
WHERE attrelid = 'readscale.failover_candidates'::regclass AND attnum > 0 ORDER BY attnum;
SELECT count(*) FROM readscale._failover_readiness();

-- assert_fresh passes on a primary, with and without a limit.
SELECT readscale.assert_fresh();
SELECT readscale.assert_fresh('1 ms');
SELECT readscale.assert_fresh('0');
-- Bad arguments.
SELECT readscale.assert_fresh('-1 s');
\echo :LAST_ERROR_SQLSTATE
SELECT readscale.assert_fresh('soon');
\echo :LAST_ERROR_SQLSTATE
-- The bound is max_staleness; max_lag, its 0.1 name, still works by name.
SELECT readscale.assert_fresh(max_staleness => '1 ms');
SELECT readscale.assert_fresh(max_lag => '1 ms');
SELECT readscale.assert_fresh(max_lag => '-1 s');
\echo :LAST_ERROR_SQLSTATE
SELECT readscale.assert_fresh(max_staleness => '1 s', max_lag => '1 s');
\echo :LAST_ERROR_SQLSTATE

-- config_audit on this single node (regress.conf: wal_level logical, 10 senders, 10 slots).
SELECT * FROM readscale.config_audit() ORDER BY setting;
-- synchronous_standby_names parsing (the setting itself needs a reload, so the parser is tested directly).
SELECT readscale._sync_standby_names('FIRST 1 (alpha, "beta")');
SELECT readscale._sync_standby_names('ANY 2 (a,b , c)');
SELECT readscale._sync_standby_names('2(x, y)');
SELECT readscale._sync_standby_names('gamma, *, gamma');
SELECT count(*) FROM readscale._sync_standby_names('*');
SELECT 'init' FROM pg_create_physical_replication_slot('lag_audit_slot');
SELECT count(*) AS wal_keep_findings FROM readscale.config_audit() WHERE setting = 'wal_keep_size';
SELECT pg_drop_replication_slot('lag_audit_slot');

-- wal_sender_timeout 0 (a user setting, so a session can show it).
SET wal_sender_timeout = 0;
SELECT setting, severity, finding FROM readscale.config_audit() WHERE setting = 'wal_sender_timeout';
RESET wal_sender_timeout;
SELECT count(*) AS wal_sender_timeout_findings FROM readscale.config_audit() WHERE setting = 'wal_sender_timeout';
-- Every replication slot in use: flagged; one free: not.
DO $$
BEGIN
    FOR i IN 1 .. current_setting('max_replication_slots')::int - (SELECT count(*) FROM pg_replication_slots) LOOP
        PERFORM pg_create_physical_replication_slot('lag_audit_' || i);
    END LOOP;
END
$$;
SELECT setting, severity, finding FROM readscale.config_audit() WHERE setting = 'max_replication_slots';
SELECT pg_drop_replication_slot('lag_audit_1');
SELECT count(*) AS slot_findings FROM readscale.config_audit() WHERE setting = 'max_replication_slots';
DO $$
DECLARE
    name text;
BEGIN
    FOR name IN SELECT slot_name FROM pg_replication_slots WHERE slot_name LIKE 'lag\_audit\_%' LOOP
        PERFORM pg_drop_replication_slot(name);
    END LOOP;
END
$$;

-- metrics(): Prometheus text on a primary without standbys.
SELECT readscale.metrics();
SELECT readscale._prom_label(E'a"b\\c\nd');

-- Privileges: pg_monitor reads everything; PUBLIC neither reads nor writes the policy.
CREATE ROLE regress_lag_monitor IN ROLE pg_monitor;
CREATE ROLE regress_lag_nobody;
SET ROLE regress_lag_monitor;
SELECT count(*) >= 0 AS reads_standby_lag FROM readscale.standby_lag;
SELECT count(*) >= 0 AS reads_local_lag FROM readscale.local_lag;
SELECT count(*) >= 0 AS reads_candidates FROM readscale.failover_candidates;
SELECT count(*) >= 0 AS reads_policy FROM readscale.lag_policy;
SELECT count(*) >= 0 AS runs_check_lag FROM readscale.check_lag();
SELECT count(*) >= 0 AS runs_audit FROM readscale.config_audit();
SELECT length(readscale.metrics()) > 0 AS runs_metrics;
INSERT INTO readscale.lag_policy (application_name_pattern) VALUES ('monitor%');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE regress_lag_nobody;
SELECT count(*) FROM readscale.lag_policy;
\echo :LAST_ERROR_SQLSTATE
INSERT INTO readscale.lag_policy (application_name_pattern) VALUES ('nobody%');
\echo :LAST_ERROR_SQLSTATE
DELETE FROM readscale.lag_policy;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM readscale.standby_lag;
\echo :LAST_ERROR_SQLSTATE
SELECT readscale.metrics();
\echo :LAST_ERROR_SQLSTATE
SELECT readscale.assert_fresh();
SET readscale.lag_warning = '1s';
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
DROP ROLE regress_lag_monitor;
DROP ROLE regress_lag_nobody;

-- Every SQL-language helper pins its search_path (and there are some to check).
SELECT count(*) >= 5 AS checked FROM pg_proc p
WHERE p.pronamespace = 'readscale'::regnamespace AND p.prolang <> (SELECT oid FROM pg_language WHERE lanname = 'c');
SELECT p.proname FROM pg_proc p
WHERE p.pronamespace = 'readscale'::regnamespace AND p.prolang <> (SELECT oid FROM pg_language WHERE lanname = 'c')
  AND NOT coalesce(p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp'], false);

DELETE FROM readscale.lag_policy;
