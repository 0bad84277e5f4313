-- pg_readscale 0.1 -> 0.2
-- 0.1 is released: its script never changes. Every change since goes here, and
-- CREATE EXTENSION of 0.2 runs 0.1 then this file, so a fresh install and an
-- upgraded one run the same statements.
\echo Use "ALTER EXTENSION pg_readscale UPDATE TO '0.2'" to load this file. \quit

-- == reads (gate, waits) ==


-- == lag, metrics, health ==
-- metrics() is the concatenation of one function per section, so each area
-- adds its series without touching the others' (the health endpoint's /metrics
-- runs metrics() too, so both expose the same series). Each section writes its
-- HELP/TYPE lines even without samples.

CREATE FUNCTION readscale._metrics_lag()
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    out text := '';
    -- One row per application_name (the least replayed wins), read once.
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
    out := out || E'# HELP readscale_standby_verdict Lag SLA verdict per standby: 0 ok, 1 warning, 2 critical.\n'
               || E'# TYPE readscale_standby_verdict gauge\n';
    FOREACH r IN ARRAY standbys LOOP
        out := out || format(E'readscale_standby_verdict{application_name="%s"} %s\n', readscale._prom_label(r.application_name),
                             array_position(ARRAY['ok', 'warning', 'critical'], r.verdict) - 1);
    END LOOP;
    RETURN out;
END
$$;


-- On a standby: staleness, unreplayed WAL, WAL receiver and replay state. Nothing on a primary.
CREATE FUNCTION readscale._metrics_local()
RETURNS text
LANGUAGE plpgsql STABLE
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

-- The read gate's counters (readscale.gate_stats) since server start; no
-- samples without shared_preload_libraries (the view is empty then).
CREATE FUNCTION readscale._metrics_gate()
RETURNS text
LANGUAGE plpgsql STABLE
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

CREATE OR REPLACE FUNCTION readscale.metrics()
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT readscale._metrics_lag() || readscale._metrics_local() || readscale._metrics_gate()
$$;
COMMENT ON FUNCTION readscale.metrics() IS
    'Prometheus text exposition (format 0.0.4): lag, staleness, verdicts, WAL receiver state and read gate counters';

REVOKE ALL ON FUNCTION readscale._metrics_lag(), readscale._metrics_local(), readscale._metrics_gate() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION readscale._metrics_lag(), readscale._metrics_local(), readscale._metrics_gate() TO pg_monitor;

-- == slot guard ==


-- == hardening ==

