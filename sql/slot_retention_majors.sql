-- slot_retention's columns from PostgreSQL 16-19 have the same names and types
-- on every major (NULL where a major lacks the data); acts_first names the
-- mechanism that acts first; the guard ignores temporary slots.
SET synchronous_commit = on;

SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
WHERE attrelid = 'readscale.slot_retention'::regclass AND attnum > 16 ORDER BY attnum;

SELECT 'init' FROM pg_create_logical_replication_slot('regress_cols_logical', 'test_decoding');
SELECT 'init' FROM pg_create_physical_replication_slot('regress_cols_physical', true);
SELECT 'init' FROM pg_create_logical_replication_slot('regress_cols_temporary', 'test_decoding', true);
SELECT pg_logical_emit_message(false, 'regress', 'wal') IS NOT NULL AS emitted;

-- Every regress_cols slot is critical under a drop policy, except the
-- physical one, which a warn policy covers with the GUC defaults.
INSERT INTO readscale.slot_policy (slot_name_pattern, critical_bytes, action) VALUES
    ('regress\_cols\_%', 0, 'drop'),
    ('regress_cols_physical', NULL, 'warn');

-- A fresh slot is not failover, synced, conflicting or invalidated on any major;
-- logical slots hold a catalog_xmin; no keep size or idle timeout is set, so
-- only the guard's drop policy acts (never on the temporary slot).
SELECT slot_name, temporary, active, failover IS NOT TRUE AS not_failover, synced IS NOT TRUE AS not_synced,
       conflicting IS NOT TRUE AS not_conflicting, invalidation_reason IS NULL AS valid,
       catalog_xmin_age IS NOT NULL AS holds_catalog, catalog_xmin_age >= 0 AS age_known, verdict, acts_first
FROM readscale.slot_retention WHERE slot_name LIKE 'regress_cols%' ORDER BY slot_name;

-- The temporary slot is critical but ignored: no action, never dropped.
SELECT * FROM readscale.slot_guard_preview() WHERE slot_name LIKE 'regress_cols%' ORDER BY slot_name;
SELECT * FROM readscale.slot_guard_run(false) WHERE slot_name LIKE 'regress_cols%' ORDER BY slot_name;
SELECT slot_name, temporary FROM pg_replication_slots WHERE slot_name LIKE 'regress_cols%' ORDER BY slot_name;

-- Clean up.
SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE 'regress_cols%';
DELETE FROM readscale.slot_policy WHERE slot_name_pattern LIKE 'regress%';
DELETE FROM readscale.slot_guard_log WHERE slot_name LIKE 'regress_cols%';
