-- pg_readscale 0.1 -> 0.2
-- 0.1 is released: its script never changes. Every change since goes here, and
-- CREATE EXTENSION of 0.2 runs 0.1 then this file, so a fresh install and an
-- upgraded one run the same statements.
\echo Use "ALTER EXTENSION pg_readscale UPDATE TO '0.2'" to load this file. \quit

-- == reads (gate, waits) ==


-- == lag, metrics, health ==


-- == slot guard ==
-- inactive_since is now one clock per slot incarnation, shared by every
-- session and the worker when pg_readscale is preloaded (docs/slots.md).
COMMENT ON VIEW readscale.slot_retention IS
    'Each replication slot''s retained WAL (from the current, or on a standby the replayed, position), since when it has been seen inactive (shared by all sessions when preloaded; restarts with the server), share of the pg_wal filesystem, the slot_policy pattern that applied (NULL: GUC defaults) and its verdict';

-- Prometheus families for every slot of slot_retention, labelled slot_name
-- and slot_type; each family is emitted whole (HELP, TYPE, then its samples).
CREATE FUNCTION readscale._metrics_slots()
RETURNS text
LANGUAGE plpgsql VOLATILE
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
REVOKE ALL ON FUNCTION readscale._metrics_slots() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION readscale._metrics_slots() TO pg_monitor;

-- 0.1's metrics() with the slot families appended (one line, marked). When
-- the lag section restructures metrics(), keep only that call.
CREATE OR REPLACE FUNCTION readscale.metrics()
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    out text := '';
    r record;
BEGIN
    out := out || E'# HELP readscale_in_recovery Whether this server is a standby (1) or a primary (0).\n'
               || E'# TYPE readscale_in_recovery gauge\n'
               || format(E'readscale_in_recovery %s\n', pg_is_in_recovery()::int);
    out := out || E'# HELP readscale_standbys Standbys connected to this server.\n'
               || E'# TYPE readscale_standbys gauge\n'
               || format(E'readscale_standbys %s\n', (SELECT count(*) FROM pg_stat_replication));
    out := out || E'# HELP readscale_standby_lag_bytes WAL a standby has not yet sent (pending_send), flushed (network) or replayed (apply).\n'
               || E'# TYPE readscale_standby_lag_bytes gauge\n';
    FOR r IN SELECT DISTINCT ON (application_name) * FROM readscale.standby_lag ORDER BY application_name, replay_lsn LOOP
        out := out || format(E'readscale_standby_lag_bytes{application_name="%s",kind="pending_send"} %s\n'
                             'readscale_standby_lag_bytes{application_name="%s",kind="network"} %s\n'
                             'readscale_standby_lag_bytes{application_name="%s",kind="apply"} %s\n',
                             readscale._prom_label(r.application_name), r.pending_send_bytes,
                             readscale._prom_label(r.application_name), r.network_bytes,
                             readscale._prom_label(r.application_name), r.apply_bytes);
    END LOOP;
    out := out || E'# HELP readscale_standby_lag_seconds Time from a local flush until a standby flushed (network) or replayed (apply) it.\n'
               || E'# TYPE readscale_standby_lag_seconds gauge\n';
    FOR r IN SELECT DISTINCT ON (application_name) * FROM readscale.standby_lag ORDER BY application_name, replay_lsn LOOP
        IF r.flush_lag IS NOT NULL THEN
            out := out || format(E'readscale_standby_lag_seconds{application_name="%s",kind="network"} %s\n',
                                 readscale._prom_label(r.application_name), extract(epoch FROM r.flush_lag));
        END IF;
        IF r.replay_lag IS NOT NULL THEN
            out := out || format(E'readscale_standby_lag_seconds{application_name="%s",kind="apply"} %s\n',
                                 readscale._prom_label(r.application_name), extract(epoch FROM r.replay_lag));
        END IF;
    END LOOP;
    out := out || E'# HELP readscale_standby_verdict Lag SLA verdict per standby: 0 ok, 1 warning, 2 critical.\n'
               || E'# TYPE readscale_standby_verdict gauge\n';
    FOR r IN SELECT DISTINCT ON (application_name) * FROM readscale.standby_lag ORDER BY application_name, replay_lsn LOOP
        out := out || format(E'readscale_standby_verdict{application_name="%s"} %s\n', readscale._prom_label(r.application_name),
                             array_position(ARRAY['ok', 'warning', 'critical'], r.verdict) - 1);
    END LOOP;
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
    out := out || readscale._metrics_slots();  -- slot guard: the only line added to 0.1's body
    RETURN out;
END
$$;
COMMENT ON FUNCTION readscale.metrics() IS
    'Prometheus text exposition (format 0.0.4) of lag, staleness, verdicts, WAL receiver state and replication slot retention';


-- == hardening ==

