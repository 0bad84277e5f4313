-- Slot-retention guard: GUCs, policies and their constraints, the slot_retention view, guard runs, the audit log and privileges.
SET synchronous_commit = on;
SET extra_float_digits = 0;

-- Defaults of the GUCs, and their units.
SELECT name, setting, unit, context FROM pg_settings WHERE name LIKE 'readscale.slot%' ORDER BY name;
SHOW readscale.slot_critical_bytes;
\i test/psql/set_out_of_range.sql
SELECT pg_temp.set_out_of_range('readscale.slot_warning_bytes', '-2');
SET readscale.slot_warning_bytes = 'lots';
\echo :LAST_ERROR_SQLSTATE

-- The role for destructive runs exists.
SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname = 'readscale_slot_admin';

-- Bad policy rows are rejected.
INSERT INTO readscale.slot_policy (slot_name_pattern) VALUES ('bad\');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO readscale.slot_policy (slot_name_pattern, warning_bytes) VALUES ('x', -1);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO readscale.slot_policy (slot_name_pattern, critical_bytes) VALUES ('x', -1);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO readscale.slot_policy (slot_name_pattern, warning_bytes, critical_bytes) VALUES ('x', 10, 5);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO readscale.slot_policy (slot_name_pattern, max_inactive) VALUES ('x', '-1 s');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO readscale.slot_policy (slot_name_pattern, max_disk_share) VALUES ('x', 1.5);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO readscale.slot_policy (slot_name_pattern, max_disk_share) VALUES ('x', -0.1);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO readscale.slot_policy (slot_name_pattern, action) VALUES ('x', 'delete');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO readscale.slot_policy (slot_name_pattern, action) VALUES ('x', NULL);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO readscale.slot_policy (slot_name_pattern) VALUES ('x'), ('x');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM readscale.slot_policy;

-- Four inactive logical slots, all retaining some WAL.
CREATE TABLE slot_guard_t (id int);
SELECT 'init' FROM pg_create_logical_replication_slot('regress_slot_drop_me', 'test_decoding');
SELECT 'init' FROM pg_create_logical_replication_slot('regress_slot_keep', 'test_decoding');
SELECT 'init' FROM pg_create_logical_replication_slot('regress_slot_protected', 'test_decoding');
SELECT 'init' FROM pg_create_logical_replication_slot('regress_slot_warn', 'test_decoding');
INSERT INTO slot_guard_t SELECT generate_series(1, 1000);

-- drop_me: critical and droppable; protected: critical but protected (the
-- exact name beats the pattern); warn: critical, warn only; keep: no policy,
-- the GUC defaults (1 GB / 4 GB) hold.
INSERT INTO readscale.slot_policy (slot_name_pattern, critical_bytes, action, protected) VALUES
    ('regress\_slot\_drop%', 0, 'drop', false),
    ('regress_slot_protected', 0, 'drop', true),
    ('regress\_slot\_pro%', 0, 'drop', false),
    ('regress_slot_warn', 0, 'warn', false);

SELECT slot_name, slot_type, plugin, database = current_database() AS this_db, active, active_pid IS NULL AS no_pid,
       restart_lsn IS NOT NULL AS has_restart_lsn, confirmed_flush_lsn IS NOT NULL AS has_flush_lsn,
       retained_bytes > 0 AS retains, wal_status, inactive_since IS NOT NULL AS inactive_known,
       disk_share > 0 AND disk_share < 1 AS share_in_range, policy, verdict,
       regexp_replace(reason, '[0-9.]+ (bytes|kB|MB|GB)', 'N', 'g') AS reason
FROM readscale.slot_retention WHERE slot_name LIKE 'regress_slot%' ORDER BY slot_name;
-- No share of max_slot_wal_keep_size while it is -1 (unlimited); TAP 405 sets it.
SELECT count(*) FILTER (WHERE keep_size_share IS NULL) AS unlimited FROM readscale.slot_retention
WHERE slot_name LIKE 'regress_slot%';
-- A second read in the same session keeps the first inactive_since.
SELECT count(*) FILTER (WHERE inactive_since <= now()) AS kept FROM readscale.slot_retention
WHERE slot_name LIKE 'regress_slot%';

-- Prometheus: each family once, one sample per slot (values vary, except verdicts and activity).
SELECT CASE WHEN line ~ '^readscale_slot_(verdict|active)' THEN line ELSE regexp_replace(line, '\} .*$', '} N') END AS line
FROM regexp_split_to_table(readscale._metrics_slots(), E'\n') AS line
WHERE line LIKE '%regress_slot%' OR line LIKE '# TYPE%';
SELECT strpos(readscale.metrics(), E'# TYPE readscale_slot_verdict gauge\nreadscale_slot_verdict{') > 0 AS appended_to_metrics;

-- A dry run (the default) reports and logs, drops nothing.
SELECT * FROM readscale.slot_guard_run() WHERE slot_name LIKE 'regress_slot%' ORDER BY slot_name;
SELECT slot_name FROM pg_replication_slots WHERE slot_name LIKE 'regress_slot%' ORDER BY slot_name;
SELECT slot_name, verdict, action, outcome, dry_run, retained_bytes > 0 AS retains,
       inactive_for IS NOT NULL AS inactive_known, message IS NOT NULL AS has_message
FROM readscale.slot_guard_log WHERE slot_name LIKE 'regress_slot%' ORDER BY slot_name;

-- With max_inactive set, a slot this session saw inactive only just now is not dropped yet.
UPDATE readscale.slot_policy SET max_inactive = '1 hour' WHERE slot_name_pattern = 'regress\_slot\_drop%';
SELECT * FROM readscale.slot_guard_run() WHERE slot_name = 'regress_slot_drop_me';
UPDATE readscale.slot_policy SET max_inactive = NULL WHERE slot_name_pattern = 'regress\_slot\_drop%';

-- The preview decides as a dry run does, and neither drops nor logs.
CREATE TEMP TABLE log_before AS SELECT count(*) AS n FROM readscale.slot_guard_log;
SELECT * FROM readscale.slot_guard_preview() WHERE slot_name LIKE 'regress_slot%' ORDER BY slot_name;
SELECT (SELECT count(*) FROM readscale.slot_guard_log) - n AS rows_logged FROM log_before;
SELECT count(*) AS same_decisions
FROM readscale.slot_guard_preview() p JOIN readscale.slot_guard_run(true) r USING (slot_name, verdict, action, outcome)
WHERE slot_name LIKE 'regress_slot%';
DROP TABLE log_before;

-- Privileges: pg_monitor reads and previews; guard passes (they write the log,
-- even dry) are for superusers and readscale_slot_admin members only.
CREATE ROLE regress_slot_monitor IN ROLE pg_monitor;
CREATE ROLE regress_slot_nobody;
CREATE ROLE regress_slot_admin_user IN ROLE readscale_slot_admin;
SELECT r.rolname, p.proname, has_function_privilege(r.rolname, p.oid, 'EXECUTE') AS can_execute
FROM (VALUES ('pg_monitor'), ('readscale_slot_admin'), ('regress_slot_nobody')) AS r(rolname),
     pg_proc p WHERE p.pronamespace = 'readscale'::regnamespace AND p.proname LIKE 'slot_guard%'
ORDER BY 1, 2;
SET ROLE regress_slot_monitor;
SELECT count(*) FROM readscale.slot_retention WHERE slot_name LIKE 'regress_slot%';
SELECT count(*) FROM readscale.slot_guard_preview() WHERE slot_name LIKE 'regress_slot%';
SELECT count(*) FROM readscale.slot_guard_run(true);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM readscale.slot_guard_run(false);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO readscale.slot_policy (slot_name_pattern) VALUES ('x');
\echo :LAST_ERROR_SQLSTATE
SET readscale.slot_critical_bytes = '1MB';
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE regress_slot_nobody;
SELECT count(*) FROM readscale.slot_retention;
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM readscale.slot_guard_run();
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM readscale.slot_guard_preview();
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM readscale.slot_guard_log;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- Even where the owner grants EXECUTE further, a real run needs readscale_slot_admin.
GRANT EXECUTE ON FUNCTION readscale.slot_guard_run(boolean) TO regress_slot_nobody;
SET ROLE regress_slot_nobody;
SELECT * FROM readscale.slot_guard_run(false);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
REVOKE EXECUTE ON FUNCTION readscale.slot_guard_run(boolean) FROM regress_slot_nobody;

-- A real run by an admin without REPLICATION drops only the inactive, unprotected slot over its threshold.
SET ROLE regress_slot_admin_user;
SELECT * FROM readscale.slot_guard_run(false) WHERE slot_name LIKE 'regress_slot%' ORDER BY slot_name;
RESET ROLE;
SELECT slot_name FROM pg_replication_slots WHERE slot_name LIKE 'regress_slot%' ORDER BY slot_name;
SELECT slot_name, verdict, action, outcome FROM readscale.slot_guard_log
WHERE slot_name LIKE 'regress_slot%' AND NOT dry_run ORDER BY slot_name;
-- The next pass no longer sees it.
SELECT * FROM readscale.slot_guard_run(false) WHERE slot_name LIKE 'regress_slot%' ORDER BY slot_name;

-- The inactivity clock belongs to one incarnation of a slot: dropped and created
-- again under the same name (even at the same position: an unreserved physical
-- slot has none), it starts again.
SELECT 'init' FROM pg_create_logical_replication_slot('regress_clock_logical', 'test_decoding');
SELECT 'init' FROM pg_create_physical_replication_slot('regress_clock_physical');
CREATE TEMP TABLE clock_seen AS
SELECT slot_name, inactive_since FROM readscale.slot_retention WHERE slot_name LIKE 'regress_clock%';
SELECT pg_drop_replication_slot(slot_name) FROM clock_seen;
SELECT 'init' FROM pg_create_logical_replication_slot('regress_clock_logical', 'test_decoding');
SELECT 'init' FROM pg_create_physical_replication_slot('regress_clock_physical');
SELECT r.slot_name, r.restart_lsn IS NULL AS no_position, r.inactive_since > s.inactive_since AS started_again
FROM readscale.slot_retention r JOIN clock_seen s USING (slot_name) ORDER BY 1;
SELECT pg_drop_replication_slot(slot_name) FROM clock_seen;
DROP TABLE clock_seen;

-- Clean up.
SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE 'regress_slot%';
DELETE FROM readscale.slot_policy;
DELETE FROM readscale.slot_guard_log;
DROP TABLE slot_guard_t;
DROP ROLE regress_slot_monitor, regress_slot_nobody, regress_slot_admin_user;
