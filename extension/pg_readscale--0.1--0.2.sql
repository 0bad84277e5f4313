-- pg_readscale 0.1 -> 0.2
-- Brings a 0.1 install to exactly what pg_readscale--0.2.sql creates
-- (test/t/600_extension_update.pl compares every object, definition, grant
-- and comment). A fresh install never runs this file.
\echo Use "ALTER EXTENSION pg_readscale UPDATE TO '0.2'" to load this file. \quit

-- == Read-your-writes ==
-- wake_mode() is the name of what wait_mode() returns (mode is a wait
-- argument); wait_mode() stays as an alias.
CREATE FUNCTION readscale.wake_mode()
RETURNS text
LANGUAGE c VOLATILE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'readscale_wake_mode';
COMMENT ON FUNCTION readscale.wake_mode() IS
    'How waiters are woken: redo hook (preloaded) or polling';
COMMENT ON FUNCTION readscale.wait_mode() IS
    'Deprecated name of wake_mode() (0.1), kept as an alias';
COMMENT ON FUNCTION readscale._gate_stats() IS
    'The row of view gate_stats, from shared memory';

-- == Lag ==
-- Test-only entry points leave the catalog (their cases are unit tests of
-- core/lag_verdict.hpp now); the library keeps the symbols for the 0.1 script.
DROP FUNCTION readscale._match_policy(text, text[]);
DROP FUNCTION readscale._effective_lag(interval, boolean, boolean);

-- assert_fresh's bound is max_staleness, as the setting; max_lag stays
-- accepted by name. A new parameter name needs DROP and CREATE.
DROP FUNCTION readscale.assert_fresh(interval);
CREATE FUNCTION readscale.assert_fresh(max_staleness interval DEFAULT NULL, max_lag interval DEFAULT NULL)
RETURNS void
LANGUAGE c VOLATILE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'readscale_assert_fresh';
COMMENT ON FUNCTION readscale.assert_fresh(interval, interval) IS
    'On a standby: raises SQLSTATE 55R02 when staleness exceeds max_staleness (NULL: readscale.lag_critical and readscale.lag_critical_bytes; max_lag is its deprecated name); does nothing on a primary';

COMMENT ON FUNCTION readscale._lag_verdict(text, bigint, interval, interval, interval, bigint, bigint, boolean) IS
    'Lag SLA verdict and reason for one sample (NULL thresholds: the readscale.lag_* settings); used by local_lag';
COMMENT ON FUNCTION readscale._local_staleness() IS
    'On a standby: age of the data served here (0 when everything received is replayed); NULL on a primary';
COMMENT ON FUNCTION readscale._prom_label(text) IS
    'A Prometheus label value with backslash, double quote and newline escaped';

-- standby_lag gains staleness (the commit clock), disconnected_since and
-- expected_by, and rows for expected standbys that are not connected; a
-- function's result columns change only by DROP and CREATE, with the views
-- over it.
ALTER TABLE readscale.lag_policy ADD COLUMN disconnected_is_critical boolean NOT NULL DEFAULT true;
DROP VIEW readscale.failover_candidates;
DROP VIEW readscale.standby_lag;
DROP FUNCTION readscale._standby_lag();
CREATE FUNCTION readscale._standby_lag(
    OUT pid integer, OUT application_name text, OUT client_addr inet, OUT state text, OUT sync_state text,
    OUT sent_lsn pg_lsn, OUT write_lsn pg_lsn, OUT flush_lsn pg_lsn, OUT replay_lsn pg_lsn,
    OUT pending_send_bytes bigint, OUT network_bytes bigint, OUT apply_bytes bigint, OUT total_lag_bytes bigint,
    OUT write_lag interval, OUT flush_lag interval, OUT replay_lag interval, OUT reply_time timestamptz,
    OUT policy text, OUT verdict text, OUT reason text,
    OUT staleness interval, OUT disconnected_since timestamptz, OUT expected_by text,
    OUT xmin_age integer)
RETURNS SETOF record
LANGUAGE c VOLATILE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'readscale_standby_lag';
COMMENT ON FUNCTION readscale._standby_lag() IS
    'The rows of view standby_lag';

CREATE VIEW readscale.standby_lag AS
SELECT * FROM readscale._standby_lag();
COMMENT ON VIEW readscale.standby_lag IS
    'On a primary: each connected standby''s byte and time lag and staleness (age of its oldest unreplayed commit), each expected standby that is not connected (state disconnected), the lag_policy pattern that applied (NULL: GUC defaults), the verdict and the age of the xmin its hot_standby_feedback holds back vacuum with';

-- What failover_candidates adds per walsender (RESTRICTED: SPI over
-- pg_stat_replication, pg_stat_activity and pg_replication_slots): whether it
-- is a physical standby, its physical slot and, on a 17+ primary with failover
-- slots, what the primary can check of their synchronization to it (see
-- docs/lag.md "Failover slots").
CREATE FUNCTION readscale._failover_readiness(
    OUT pid integer, OUT is_standby boolean, OUT physical_slot text, OUT failover_slots integer,
    OUT failover_slots_ahead integer, OUT slot_sync_last_fetch timestamptz,
    OUT failover_slots_ready boolean, OUT failover_slots_reason text)
RETURNS SETOF record
LANGUAGE c VOLATILE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'readscale_failover_readiness';
COMMENT ON FUNCTION readscale._failover_readiness() IS
    'Per walsender: physical standby or not, its physical slot and whether promoting it keeps this primary''s failover slots (used by failover_candidates)';

-- Standbys whose failover slots are known ready rank first: promoting one of
-- them keeps the consumers of this primary's failover slots. Logical
-- walsenders and base backups are no candidates.
CREATE VIEW readscale.failover_candidates AS
SELECT rank() OVER (ORDER BY f.failover_slots_ready IS TRUE DESC, s.state = 'streaming' DESC,
                    s.flush_lsn DESC NULLS LAST, s.replay_lsn DESC NULLS LAST,
                    s.sync_state = 'sync' DESC, s.sync_state = 'quorum' DESC) AS rank,
       s.application_name, s.client_addr, s.state, s.sync_state, s.flush_lsn, s.replay_lsn,
       s.network_bytes + s.pending_send_bytes AS missing_bytes, s.verdict, s.staleness,
       f.physical_slot, f.failover_slots, f.failover_slots_ahead, f.slot_sync_last_fetch,
       f.failover_slots_ready, f.failover_slots_reason
FROM readscale.standby_lag s
LEFT JOIN readscale._failover_readiness() f ON f.pid = s.pid
WHERE f.is_standby IS NOT FALSE;
COMMENT ON VIEW readscale.failover_candidates IS
    'On a primary: standbys ranked for promotion: those whose failover slots are known ready first (17+), then streaming, then by WAL flushed, then replayed, then sync state; disconnected expected standbys rank last';
GRANT SELECT ON readscale.standby_lag, readscale.failover_candidates TO pg_monitor;
REVOKE ALL ON FUNCTION readscale._standby_lag(), readscale._failover_readiness() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION readscale._standby_lag(), readscale._failover_readiness() TO pg_monitor;
COMMENT ON FUNCTION readscale.check_lag() IS
    'Verdict rows: one per connected or expected standby (scope standby) and, on a standby, one for this server (scope local)';

-- Forgets a standby this server saw connected (readscale.forget_standby_after
-- does it by time); slots, synchronous_standby_names and exact lag_policy rows
-- keep expecting it until changed.
CREATE FUNCTION readscale.forget_standby(application_name text)
RETURNS boolean
LANGUAGE c VOLATILE STRICT PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'readscale_forget_standby';
COMMENT ON FUNCTION readscale.forget_standby(text) IS
    'Forgets a standby seen connected since startup, so standby_lag stops listing it as disconnected; true when it was remembered';
REVOKE ALL ON FUNCTION readscale.forget_standby(text) FROM PUBLIC;
COMMENT ON FUNCTION readscale._sync_standby_names(text) IS
    'Standby names listed in a synchronous_standby_names value ("FIRST n (...)", "ANY n (...)", "n (...)" or a plain list), without quotes and "*"';

-- Labelled VOLATILE (it reads pg_stat_replication and replication slots).
CREATE OR REPLACE FUNCTION readscale.config_audit(OUT setting text, OUT severity text, OUT finding text, OUT recommendation text)
RETURNS SETOF record
LANGUAGE plpgsql VOLATILE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    standby boolean := pg_is_in_recovery();
    senders int := current_setting('max_wal_senders')::int;
    senders_used int := (SELECT count(*) FROM pg_stat_replication);
    slots int := current_setting('max_replication_slots')::int;
    slots_used int := (SELECT count(*) FROM pg_replication_slots);
    logical_slots int := (SELECT count(*) FROM pg_replication_slots WHERE slot_type = 'logical');
    feedback boolean := current_setting('hot_standby_feedback')::boolean;
    sync_names text := current_setting('synchronous_standby_names');
    missing text;
    role text := current_setting('readscale.replica_role', true);
    delay_ms int := (SELECT s.setting::int FROM pg_settings s WHERE s.name = 'max_standby_streaming_delay');
    warning_ms int := (SELECT s.setting::int FROM pg_settings s WHERE s.name = 'readscale.lag_warning');
    critical_ms int := (SELECT s.setting::int FROM pg_settings s WHERE s.name = 'readscale.lag_critical');
BEGIN
    IF current_setting('wal_level') = 'minimal' THEN
        RETURN QUERY SELECT 'wal_level', 'critical', 'wal_level is minimal, so no standby can replicate from this server',
            'Set wal_level to replica (or logical) and restart.';
    END IF;
    IF NOT standby AND senders = 0 THEN
        RETURN QUERY SELECT 'max_wal_senders', 'critical', 'max_wal_senders is 0, so no standby can connect',
            'Set max_wal_senders to the number of standbys plus two and restart.';
    ELSIF senders_used >= senders - 1 AND senders > 0 THEN
        RETURN QUERY SELECT 'max_wal_senders', 'warning',
            format('%s of %s WAL senders are in use, leaving %s free (pg_basebackup -X stream needs 2)',
                   senders_used, senders, greatest(senders - senders_used, 0)),
            'Raise max_wal_senders so a reconnecting standby or a base backup finds a free sender.';
    END IF;
    IF slots_used >= slots AND slots > 0 THEN
        RETURN QUERY SELECT 'max_replication_slots', 'warning',
            format('%s of %s replication slots are in use', slots_used, slots),
            'Raise max_replication_slots, or drop slots nobody consumes.';
    END IF;
    IF current_setting('max_slot_wal_keep_size') = '-1' THEN
        RETURN QUERY SELECT 'max_slot_wal_keep_size', 'warning',
            'max_slot_wal_keep_size is unlimited, so an abandoned slot can retain WAL until the disk is full',
            'Set max_slot_wal_keep_size to the WAL volume the disk can hold.';
    END IF;
    -- 18+: idle slots are invalidated at a checkpoint and left behind (NULL before 18, so no finding).
    IF coalesce(current_setting('idle_replication_slot_timeout', true), '0') <> '0' THEN
        RETURN QUERY SELECT 'idle_replication_slot_timeout', 'info',
            format('idle_replication_slot_timeout is %s, so PostgreSQL invalidates a slot idle that long at the next checkpoint and leaves it behind',
                   current_setting('idle_replication_slot_timeout')),
            'Give such slots a readscale.slot_policy row with action drop: the slot guard drops invalidated slots without waiting for max_inactive.';
    END IF;
    IF NOT standby AND current_setting('wal_keep_size') = '0' AND slots_used = 0 THEN
        RETURN QUERY SELECT 'wal_keep_size', 'warning',
            'wal_keep_size is 0 and no replication slot exists, so a standby that falls behind may need WAL that was already removed',
            'Use a physical replication slot per standby, or set wal_keep_size.';
    END IF;
    IF NOT standby AND sync_names <> '' THEN
        FOR missing IN
            SELECT n FROM readscale._sync_standby_names(sync_names) AS n
            WHERE lower(n) NOT IN (SELECT lower(s.application_name) FROM pg_stat_replication s)
            ORDER BY 1
        LOOP
            RETURN QUERY SELECT 'synchronous_standby_names', 'warning',
                format('synchronous_standby_names names "%s", which is not connected', missing),
                'Start that standby, or remove it from synchronous_standby_names so commits do not wait for it.';
        END LOOP;
    END IF;
    IF standby AND NOT current_setting('hot_standby')::boolean THEN
        RETURN QUERY SELECT 'hot_standby', 'critical', 'hot_standby is off, so this standby serves no reads',
            'Set hot_standby to on and restart.';
    END IF;
    -- Logical slots on a standby (16+) keep their catalog rows on the primary only
    -- through feedback over a physical slot: without either, vacuum there
    -- invalidates them (conflicting, rows_removed) and the decoder cannot go on.
    IF standby AND logical_slots > 0 AND NOT feedback THEN
        RETURN QUERY SELECT 'hot_standby_feedback', 'warning',
            format('hot_standby_feedback is off while this standby holds %s logical slot(s), so vacuum on the primary can remove catalog rows they need and invalidate them (conflicting, rows_removed)', logical_slots),
            'Set hot_standby_feedback to on (and primary_slot_name to a physical slot on the primary), see docs/integrations/analytics.md.';
    ELSIF standby AND NOT feedback AND role IS DISTINCT FROM 'olap' THEN
        RETURN QUERY SELECT 'hot_standby_feedback', 'warning',
            'hot_standby_feedback is off, so vacuum on the primary can cancel long reads here',
            'Set hot_standby_feedback to on, accepting some bloat on the primary.';
    END IF;
    IF standby AND logical_slots > 0 AND current_setting('primary_slot_name') = '' THEN
        RETURN QUERY SELECT 'primary_slot_name', 'warning',
            format('primary_slot_name is empty while this standby holds %s logical slot(s), so the primary forgets this standby''s feedback whenever the connection drops and vacuum can invalidate them (conflicting, rows_removed)', logical_slots),
            'Create a physical slot on the primary (pg_create_physical_replication_slot) and set primary_slot_name to it here.';
    END IF;
    -- Replica roles (docs/lag.md "OLTP and OLAP replicas"): replay waits up to
    -- max_standby_streaming_delay for a conflicting query, so an OLTP replica's
    -- delay must stay under its lag SLA; an OLAP replica's long queries must not
    -- hold back vacuum on the primary.
    IF standby AND role = 'oltp' AND (delay_ms = -1 OR (warning_ms >= 0 AND delay_ms > warning_ms)) THEN
        RETURN QUERY SELECT 'max_standby_streaming_delay',
            CASE WHEN delay_ms = -1 OR (critical_ms >= 0 AND delay_ms > critical_ms) THEN 'critical' ELSE 'warning' END,
            CASE WHEN delay_ms = -1
                 THEN 'this OLTP replica''s max_standby_streaming_delay is -1, so one conflicting query can hold replay back indefinitely'
                 ELSE format('this OLTP replica''s max_standby_streaming_delay (%s) is above its lag SLA (readscale.lag_warning %s), so one conflicting query can hold replay back past it',
                             current_setting('max_standby_streaming_delay'), current_setting('readscale.lag_warning'))
            END,
            'Set max_standby_streaming_delay below readscale.lag_warning, and send long queries to an OLAP replica.';
    END IF;
    -- With logical slots here, feedback must stay on: then the advice is to move long queries, not to turn it off.
    IF standby AND role = 'olap' AND feedback THEN
        RETURN QUERY SELECT 'hot_standby_feedback', 'warning',
            'this OLAP replica has hot_standby_feedback on, so its long queries hold back vacuum on the primary and bloat it (standby_lag.xmin_age there shows by how much)',
            CASE WHEN logical_slots > 0
                 THEN 'Keep hot_standby_feedback on: the logical slots here need it. Send long queries to another OLAP replica without logical slots, or decode from another standby.'
                 ELSE 'Turn hot_standby_feedback off here and raise max_standby_streaming_delay (or set it to -1): an OLAP replica may lag, the primary should not bloat.'
            END;
    END IF;
    IF standby AND NOT current_setting('default_transaction_read_only')::boolean THEN
        RETURN QUERY SELECT 'default_transaction_read_only', 'info',
            'default_transaction_read_only is off, so after a promotion this server accepts writes from clients meant for a replica',
            'Set default_transaction_read_only to on on standbys; clear it when promoting on purpose.';
    END IF;
    IF current_setting('wal_sender_timeout') = '0' THEN
        RETURN QUERY SELECT 'wal_sender_timeout', 'warning', 'wal_sender_timeout is 0, so a dead standby connection is never noticed',
            'Set wal_sender_timeout to a minute or so.';
    END IF;
END
$$;

-- == Replay blockers ==
-- What blocks replay on a standby right now (docs/lag.md "Reading a blocked
-- standby"): one row per backend that blocks (or, for buffer pins and
-- snapshots, may block) the startup process; no rows when replay waits for no
-- query, and on a primary. waiting_since is the receipt time of the WAL being
-- replayed, where PostgreSQL starts the max_standby_*_delay clock.
-- RESTRICTED: SPI over pg_stat_activity and pg_locks.
CREATE FUNCTION readscale._replay_blockers(
    OUT conflict text, OUT startup_pid integer, OUT wait_event_type text, OUT wait_event text,
    OUT relation text, OUT waiting_since timestamptz, OUT blocked_for interval,
    OUT cancel_setting text, OUT cancel_at timestamptz, OUT cancel_in interval,
    OUT blocker_pid integer, OUT blocker_certainty text, OUT blocker_mode text,
    OUT usename text, OUT application_name text, OUT client_addr inet, OUT backend_xmin_age integer,
    OUT xact_start timestamptz, OUT query_start timestamptz, OUT query text, OUT reason text)
RETURNS SETOF record
LANGUAGE c VOLATILE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'readscale_replay_blockers';
COMMENT ON FUNCTION readscale._replay_blockers() IS
    'The rows of view replay_blockers';

CREATE VIEW readscale.replay_blockers AS
SELECT * FROM readscale._replay_blockers();
COMMENT ON VIEW readscale.replay_blockers IS
    'On a standby: the recovery conflict replay waits in (lock, bufferpin, snapshot, tablespace), since when, when max_standby_*_delay cancels, and the backends that hold it up (holder) or may (candidate); no rows when replay is not blocked by a query';

GRANT SELECT ON readscale.replay_blockers TO pg_monitor;
REVOKE ALL ON FUNCTION readscale._replay_blockers() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION readscale._replay_blockers() TO pg_monitor;

-- local_lag names what blocks replay and shows the replica's role (new columns at the end).
CREATE OR REPLACE VIEW readscale.local_lag AS
SELECT pg_last_wal_receive_lsn() AS receive_lsn,
       pg_last_wal_replay_lsn() AS replay_lsn,
       greatest(pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()), 0)::bigint AS receive_replay_bytes,
       readscale._local_staleness() AS staleness,
       pg_last_xact_replay_timestamp() AS last_replayed_xact_time,
       coalesce(w.status, 'stopped') AS wal_receiver_status,
       coalesce(w.status = 'streaming', false) AS wal_receiver_streaming,
       w.last_msg_receipt_time,
       now() - w.last_msg_receipt_time AS since_last_message,
       pg_get_wal_replay_pause_state() <> 'not paused' AS replay_paused,
       v.verdict,
       CASE WHEN b.reason IS NULL THEN v.reason
            ELSE v.reason || '; ' || b.reason
                 || CASE WHEN b.blockers > 1 THEN format(' (and %s more)', b.blockers - 1) ELSE '' END
       END AS reason,
       b.blocked_for AS replay_blocked_for,
       b.blocker_pid AS replay_blocker_pid,
       coalesce(b.blockers, 0)::integer AS replay_blockers,
       current_setting('readscale.replica_role', true) AS replica_role
FROM (SELECT 1) AS one
LEFT JOIN pg_catalog.pg_stat_wal_receiver w ON true
CROSS JOIN LATERAL readscale._lag_verdict(coalesce(w.status, 'stopped'),
    greatest(pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()), 0)::bigint,
    readscale._local_staleness(), NULL, NULL, NULL, NULL, NULL) v
LEFT JOIN LATERAL (SELECT r.reason, r.blocked_for, r.blocker_pid, count(r.blocker_pid) OVER () AS blockers
                   FROM readscale.replay_blockers r LIMIT 1) b ON true
WHERE pg_is_in_recovery();
COMMENT ON VIEW readscale.local_lag IS
    'On a standby (no row on a primary): received and replayed WAL, staleness (0 when replay has caught up with everything received), WAL receiver state, the verdict under the GUC defaults, what blocks replay (from replay_blockers, named in reason) and this replica''s role (readscale.replica_role)';

-- == Slot guard ==
-- _slot_retention() gains the columns of PostgreSQL 16-19 and acts_first: a
-- new result type needs DROP and CREATE, and the view over it with it.
DROP VIEW readscale.slot_retention;
DROP FUNCTION readscale._slot_retention();
-- UNSAFE here and below: reading a slot starts its inactivity clock, a write
-- to shared (or, without the preload, backend-local) memory.
CREATE FUNCTION readscale._slot_retention(
    OUT slot_name text, OUT slot_type text, OUT plugin text, OUT database text, OUT active boolean,
    OUT active_pid integer, OUT restart_lsn pg_lsn, OUT confirmed_flush_lsn pg_lsn, OUT retained_bytes bigint,
    OUT wal_status text, OUT safe_wal_size bigint, OUT inactive_since timestamptz, OUT disk_share double precision,
    OUT policy text, OUT verdict text, OUT reason text, OUT failover boolean, OUT synced boolean,
    OUT conflicting boolean, OUT invalidation_reason text, OUT catalog_xmin_age integer, OUT temporary boolean,
    OUT acts_first text, OUT slotsync_skip_reason text)
RETURNS SETOF record
LANGUAGE c VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'readscale_slot_retention';
COMMENT ON FUNCTION readscale._slot_retention() IS
    'The rows of view slot_retention (before keep_size_share)';

-- keep_size_share: the share of max_slot_wal_keep_size a slot's retained WAL
-- takes (NULL while the setting is -1, unlimited): at 1 the next checkpoint
-- invalidates the slot. The columns after it come from PostgreSQL 16 and 17
-- (NULL on older majors; _slot_retention() selects them per major, as no
-- script may name them) and acts_first, which of the guard's policy,
-- max_slot_wal_keep_size and idle_replication_slot_timeout acts first, then
-- 19's slotsync_skip_reason (why the slot sync last skipped a synced slot).
CREATE VIEW readscale.slot_retention AS
SELECT r.slot_name, r.slot_type, r.plugin, r.database, r.active, r.active_pid, r.restart_lsn,
       r.confirmed_flush_lsn, r.retained_bytes, r.wal_status, r.safe_wal_size, r.inactive_since, r.disk_share,
       r.policy, r.verdict, r.reason,
       r.retained_bytes::double precision
         / NULLIF(greatest(pg_catalog.pg_size_bytes(pg_catalog.current_setting('max_slot_wal_keep_size')), 0), 0)
         AS keep_size_share,
       r.failover, r.synced, r.conflicting, r.invalidation_reason, r.catalog_xmin_age, r.temporary, r.acts_first,
       r.slotsync_skip_reason
FROM readscale._slot_retention() r;
COMMENT ON VIEW readscale.slot_retention IS
    'Each replication slot''s retained WAL (from the current, or on a standby the replayed, position), inactive_since (17+: the server''s; before: shared clock when preloaded), share of the pg_wal filesystem and of max_slot_wal_keep_size, the slot_policy pattern that applied (NULL: GUC defaults) and its verdict; failover, synced, conflicting, invalidation_reason (NULL before 16/17), catalog_xmin age, temporary, which mechanism acts first, and (19, on a standby) why the slot sync skipped a synced slot';
GRANT SELECT ON readscale.slot_retention TO pg_monitor, readscale_slot_admin;
REVOKE ALL ON FUNCTION readscale._slot_retention() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION readscale._slot_retention() TO pg_monitor, readscale_slot_admin;

-- pg_monitor previews; a pass, which writes the audit log even as a dry run,
-- is for readscale_slot_admin only.
CREATE FUNCTION readscale.slot_guard_preview(OUT slot_name text, OUT verdict text, OUT action text, OUT outcome text)
RETURNS SETOF record
LANGUAGE c VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'readscale_slot_guard_preview';
COMMENT ON FUNCTION readscale.slot_guard_preview() IS
    'What a slot guard pass would decide for every slot, as slot_guard_run(dry_run => true) reports it, without dropping or logging anything';
REVOKE ALL ON FUNCTION readscale.slot_guard_preview() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION readscale.slot_guard_preview() TO pg_monitor, readscale_slot_admin;
REVOKE EXECUTE ON FUNCTION readscale.slot_guard_run(boolean) FROM pg_monitor;

-- == Prometheus metrics ==
-- metrics() becomes the concatenation of one function per section.

CREATE FUNCTION readscale._metrics_lag()
RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    out text := '';
    standbys readscale.standby_lag[] := ARRAY(
        SELECT s FROM (SELECT DISTINCT ON (application_name) * FROM readscale.standby_lag
                       ORDER BY application_name, replay_lsn) s);
    r readscale.standby_lag;
    label text;
BEGIN
    out := E'# HELP readscale_in_recovery Whether this server is a standby (1) or a primary (0).\n'
        || E'# TYPE readscale_in_recovery gauge\n'
        || format(E'readscale_in_recovery %s\n', pg_is_in_recovery()::int)
        || E'# HELP readscale_standbys Standbys connected to this server.\n'
        || E'# TYPE readscale_standbys gauge\n'
        || format(E'readscale_standbys %s\n', (SELECT count(*) FROM pg_stat_replication));
    out := out || E'# HELP readscale_standby_lag_bytes WAL a standby has not yet sent (pending_send), flushed (network) or replayed (apply).\n'
               || E'# TYPE readscale_standby_lag_bytes gauge\n';
    FOREACH r IN ARRAY standbys LOOP
        CONTINUE WHEN r.total_lag_bytes IS NULL;
        label := readscale._prom_label(r.application_name);
        out := out || format(E'readscale_standby_lag_bytes{application_name="%s",kind="pending_send"} %s\n'
                             'readscale_standby_lag_bytes{application_name="%s",kind="network"} %s\n'
                             'readscale_standby_lag_bytes{application_name="%s",kind="apply"} %s\n',
                             label, r.pending_send_bytes, label, r.network_bytes, label, r.apply_bytes);
    END LOOP;
    out := out || E'# HELP readscale_standby_lag_seconds Time from a local flush until a standby flushed (network) or replayed (apply) it.\n'
               || E'# TYPE readscale_standby_lag_seconds gauge\n';
    FOREACH r IN ARRAY standbys LOOP
        label := readscale._prom_label(r.application_name);
        IF r.flush_lag IS NOT NULL THEN
            out := out || format(E'readscale_standby_lag_seconds{application_name="%s",kind="network"} %s\n',
                                 label, extract(epoch FROM r.flush_lag));
        END IF;
        IF r.replay_lag IS NOT NULL THEN
            out := out || format(E'readscale_standby_lag_seconds{application_name="%s",kind="apply"} %s\n',
                                 label, extract(epoch FROM r.replay_lag));
        END IF;
    END LOOP;
    out := out || E'# HELP readscale_standby_staleness_seconds Age of the oldest commit a standby has not replayed (0 when caught up).\n'
               || E'# TYPE readscale_standby_staleness_seconds gauge\n';
    FOREACH r IN ARRAY standbys LOOP
        IF r.staleness IS NOT NULL THEN
            out := out || format(E'readscale_standby_staleness_seconds{application_name="%s"} %s\n',
                                 readscale._prom_label(r.application_name), extract(epoch FROM r.staleness));
        END IF;
    END LOOP;
    out := out || E'# HELP readscale_standby_up Whether an expected or connected standby is connected (1) or not (0).\n'
               || E'# TYPE readscale_standby_up gauge\n';
    FOREACH r IN ARRAY standbys LOOP
        out := out || format(E'readscale_standby_up{application_name="%s"} %s\n',
                             readscale._prom_label(r.application_name), (r.state IS DISTINCT FROM 'disconnected')::int);
    END LOOP;
    out := out || E'# HELP readscale_standby_verdict Lag SLA verdict per standby: 0 ok, 1 warning, 2 critical.\n'
               || E'# TYPE readscale_standby_verdict gauge\n';
    FOREACH r IN ARRAY standbys LOOP
        out := out || format(E'readscale_standby_verdict{application_name="%s"} %s\n', readscale._prom_label(r.application_name),
                             array_position(ARRAY['ok', 'warning', 'critical'], r.verdict) - 1);
    END LOOP;
    RETURN out;
END
$$;
COMMENT ON FUNCTION readscale._metrics_lag() IS
    'Prometheus text of this server''s role, its standbys'' lag, staleness, presence and verdicts (part of metrics())';

CREATE FUNCTION readscale._metrics_local()
RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    out text := '';
    r record;
BEGIN
    FOR r IN SELECT * FROM readscale.local_lag LOOP
        out := out || E'# HELP readscale_local_staleness_seconds Age of the data this standby serves (0 when replay has caught up).\n'
                   || E'# TYPE readscale_local_staleness_seconds gauge\n';
        IF r.staleness IS NOT NULL THEN
            out := out || format(E'readscale_local_staleness_seconds %s\n', extract(epoch FROM r.staleness));
        END IF;
        out := out || E'# HELP readscale_local_unreplayed_bytes WAL received but not yet replayed.\n'
                   || E'# TYPE readscale_local_unreplayed_bytes gauge\n'
                   || format(E'readscale_local_unreplayed_bytes %s\n', r.receive_replay_bytes)
                   || E'# HELP readscale_wal_receiver_up Whether the WAL receiver is streaming from the primary.\n'
                   || E'# TYPE readscale_wal_receiver_up gauge\n'
                   || format(E'readscale_wal_receiver_up %s\n', r.wal_receiver_streaming::int)
                   || E'# HELP readscale_local_replay_paused Whether WAL replay is paused.\n'
                   || E'# TYPE readscale_local_replay_paused gauge\n'
                   || format(E'readscale_local_replay_paused %s\n', r.replay_paused::int)
                   || E'# HELP readscale_local_verdict Lag SLA verdict of this standby: 0 ok, 1 warning, 2 critical.\n'
                   || E'# TYPE readscale_local_verdict gauge\n'
                   || format(E'readscale_local_verdict %s\n', array_position(ARRAY['ok', 'warning', 'critical'], r.verdict) - 1);
    END LOOP;
    RETURN out;
END
$$;
COMMENT ON FUNCTION readscale._metrics_local() IS
    'Prometheus text of a standby''s staleness, unreplayed WAL, WAL receiver and replay state; empty on a primary (part of metrics())';

-- No samples without shared_preload_libraries (gate_stats is empty then).
CREATE FUNCTION readscale._metrics_gate()
RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    out text;
    g record;
    outcome text;
BEGIN
    out := E'# HELP readscale_gate_waits_total Waits for an LSN or token (wait_for_lsn, wait_for_token, the read gate).\n'
        || E'# TYPE readscale_gate_waits_total counter\n';
    FOR g IN SELECT * FROM readscale.gate_stats LOOP
        out := out || format(E'readscale_gate_waits_total %s\n', g.waits);
    END LOOP;
    out := out || E'# HELP readscale_gate_wait_outcomes_total Waits by how they ended.\n'
               || E'# TYPE readscale_gate_wait_outcomes_total counter\n';
    FOR g IN SELECT * FROM readscale.gate_stats LOOP
        FOREACH outcome IN ARRAY ARRAY['immediate', 'reached', 'timeout', 'fail_fast', 'cancelled', 'not_in_recovery', 'gate_refused'] LOOP
            out := out || format(E'readscale_gate_wait_outcomes_total{outcome="%s"} %s\n', outcome,
                                 CASE outcome WHEN 'immediate' THEN g.immediate WHEN 'reached' THEN g.reached
                                     WHEN 'timeout' THEN g.timeouts WHEN 'fail_fast' THEN g.fail_fast
                                     WHEN 'cancelled' THEN g.cancelled WHEN 'not_in_recovery' THEN g.not_in_recovery
                                     ELSE g.gate_refused END);
        END LOOP;
    END LOOP;
    out := out || E'# HELP readscale_gate_wait_seconds_total Time spent waiting.\n'
               || E'# TYPE readscale_gate_wait_seconds_total counter\n';
    FOR g IN SELECT * FROM readscale.gate_stats LOOP
        out := out || format(E'readscale_gate_wait_seconds_total %s\n', g.wait_time_ms / 1000.0);
    END LOOP;
    RETURN out;
END
$$;
COMMENT ON FUNCTION readscale._metrics_gate() IS
    'Prometheus text of the waits counted in gate_stats since server start (part of metrics())';

-- Each family is emitted whole (HELP, TYPE, then its samples), labelled
-- slot_name and slot_type.
CREATE FUNCTION readscale._metrics_slots()
RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    retained text := '';
    verdict text := '';
    active text := '';
    inactive text := '';
    share text := '';
    labels text;
    r record;
BEGIN
    FOR r IN SELECT * FROM readscale.slot_retention ORDER BY slot_name LOOP
        labels := format('{slot_name="%s",slot_type="%s"}', readscale._prom_label(r.slot_name), r.slot_type);
        IF r.retained_bytes IS NOT NULL THEN
            retained := retained || format(E'readscale_slot_retained_bytes%s %s\n', labels, r.retained_bytes);
        END IF;
        verdict := verdict || format(E'readscale_slot_verdict%s %s\n', labels,
                                     array_position(ARRAY['ok', 'warning', 'critical'], r.verdict) - 1);
        active := active || format(E'readscale_slot_active%s %s\n', labels, r.active::int);
        IF r.inactive_since IS NOT NULL THEN
            inactive := inactive || format(E'readscale_slot_inactive_seconds%s %s\n', labels,
                                           round(extract(epoch FROM clock_timestamp() - r.inactive_since), 3));
        END IF;
        IF r.disk_share IS NOT NULL THEN
            share := share || format(E'readscale_slot_disk_share_ratio%s %s\n', labels, r.disk_share);
        END IF;
    END LOOP;
    RETURN E'# HELP readscale_slot_retained_bytes WAL a slot retains: current (standby: replayed) position minus restart_lsn.\n'
        || E'# TYPE readscale_slot_retained_bytes gauge\n' || retained
        || E'# HELP readscale_slot_verdict Slot guard verdict per replication slot: 0 ok, 1 warning, 2 critical.\n'
        || E'# TYPE readscale_slot_verdict gauge\n' || verdict
        || E'# HELP readscale_slot_active Whether a consumer holds the replication slot.\n'
        || E'# TYPE readscale_slot_active gauge\n' || active
        || E'# HELP readscale_slot_inactive_seconds Time the slot guard has seen the slot inactive (restarts with the server).\n'
        || E'# TYPE readscale_slot_inactive_seconds gauge\n' || inactive
        || E'# HELP readscale_slot_disk_share_ratio Retained WAL as a share of the filesystem holding pg_wal.\n'
        || E'# TYPE readscale_slot_disk_share_ratio gauge\n' || share;
END
$$;
COMMENT ON FUNCTION readscale._metrics_slots() IS
    'Prometheus text of the slot guard: retained bytes, verdict, activity, inactivity and disk share per slot (appended to metrics())';

-- A standby's blocked replay and its recovery-conflict cancellations
-- (pg_stat_database_conflicts, per database and type); HELP and TYPE only on
-- a primary.
CREATE FUNCTION readscale._metrics_conflicts()
RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    blocked text := '';
    blockers text := '';
    conflicts text := '';
    r record;
BEGIN
    IF pg_is_in_recovery() THEN
        SELECT format(E'readscale_replay_blocked_seconds %s\n', coalesce(max(extract(epoch FROM b.blocked_for)), 0)),
               format(E'readscale_replay_blockers %s\n', count(b.blocker_pid))
        INTO blocked, blockers FROM readscale.replay_blockers b;
        -- Through jsonb, so that no column is named here: the confl_* columns differ
        -- between majors (16 added confl_active_logicalslot).
        FOR r IN SELECT c.datname, substr(j.key, 7) AS type, j.value
                 FROM pg_stat_database_conflicts c CROSS JOIN LATERAL jsonb_each_text(to_jsonb(c)) j
                 WHERE j.key LIKE 'confl\_%' ORDER BY 1, 2 LOOP
            conflicts := conflicts || format(E'readscale_recovery_conflicts_total{datname="%s",type="%s"} %s\n',
                                             readscale._prom_label(r.datname), r.type, r.value);
        END LOOP;
    END IF;
    RETURN E'# HELP readscale_replay_blocked_seconds How long WAL replay has waited on a conflicting query (0: not blocked), from replay_blockers.\n'
        || E'# TYPE readscale_replay_blocked_seconds gauge\n' || blocked
        || E'# HELP readscale_replay_blockers Backends that hold up WAL replay, or may (buffer pins, snapshots).\n'
        || E'# TYPE readscale_replay_blockers gauge\n' || blockers
        || E'# HELP readscale_recovery_conflicts_total Queries cancelled because they conflicted with WAL replay, by database and conflict type.\n'
        || E'# TYPE readscale_recovery_conflicts_total counter\n' || conflicts;
END
$$;
COMMENT ON FUNCTION readscale._metrics_conflicts() IS
    'Prometheus text of a standby''s blocked replay (seconds, blockers) and recovery-conflict cancellations per database and type (part of metrics())';

CREATE OR REPLACE FUNCTION readscale.metrics()
RETURNS text
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT readscale._metrics_lag() || readscale._metrics_local() || readscale._metrics_gate()
        || readscale._metrics_slots() || readscale._metrics_conflicts()
$$;
COMMENT ON FUNCTION readscale.metrics() IS
    'Prometheus text exposition (format 0.0.4): lag, staleness, verdicts, WAL receiver state, read gate counters, replication slot retention, blocked replay and recovery conflicts';

REVOKE ALL ON FUNCTION readscale._metrics_lag(), readscale._metrics_local(), readscale._metrics_gate(),
    readscale._metrics_slots(), readscale._metrics_conflicts(), readscale.metrics() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION readscale._metrics_lag(), readscale._metrics_local(), readscale._metrics_gate(),
    readscale._metrics_slots(), readscale._metrics_conflicts(), readscale.metrics() TO pg_monitor;
