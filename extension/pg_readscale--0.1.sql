-- pg_readscale 0.1
\echo Use "CREATE EXTENSION pg_readscale" to load this file. \quit

-- The extension creates and owns its schema, so nobody can plant objects in it.
CREATE SCHEMA readscale;
REVOKE ALL ON SCHEMA readscale FROM PUBLIC;
GRANT USAGE ON SCHEMA readscale TO PUBLIC;

CREATE FUNCTION readscale.node_role()
RETURNS text
LANGUAGE c VOLATILE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'readscale_node_role';
COMMENT ON FUNCTION readscale.node_role() IS
    'primary or standby, from whether recovery is in progress';

CREATE FUNCTION readscale.current_token()
RETURNS pg_lsn
LANGUAGE c VOLATILE STRICT PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'readscale_current_token';
COMMENT ON FUNCTION readscale.current_token() IS
    'On a primary: the LSN a reader must see replayed to observe every write acknowledged so far';

-- LSN-gated reads ------------------------------------------------------------

CREATE FUNCTION readscale.wait_for_lsn(
    target pg_lsn,
    timeout interval DEFAULT '1s',
    on_timeout text DEFAULT 'error',
    mode text DEFAULT 'replay',
    fail_fast boolean DEFAULT true)
RETURNS text
LANGUAGE c VOLATILE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'readscale_wait_for_lsn';
COMMENT ON FUNCTION readscale.wait_for_lsn(pg_lsn, interval, text, text, boolean) IS
    'Waits until target is replayed (or flushed/written); returns success, timeout or not in recovery';

CREATE FUNCTION readscale.is_caught_up(target pg_lsn)
RETURNS boolean
LANGUAGE c VOLATILE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'readscale_is_caught_up';
COMMENT ON FUNCTION readscale.is_caught_up(pg_lsn) IS
    'Whether target is already replayed here (on a primary: flushed), without waiting';

CREATE FUNCTION readscale.current_causal_token()
RETURNS text
LANGUAGE c VOLATILE STRICT PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'readscale_current_causal_token';
COMMENT ON FUNCTION readscale.current_causal_token() IS
    'On a primary: a token carrying system identifier, timeline and LSN, refused where it does not apply';

CREATE FUNCTION readscale.wait_for_token(
    token text,
    timeout interval DEFAULT '1s',
    on_timeout text DEFAULT 'error',
    mode text DEFAULT 'replay',
    fail_fast boolean DEFAULT true)
RETURNS text
LANGUAGE c VOLATILE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'readscale_wait_for_token';
COMMENT ON FUNCTION readscale.wait_for_token(text, interval, text, text, boolean) IS
    'wait_for_lsn for a causal token: refuses tokens from another cluster or a lost timeline branch';

CREATE FUNCTION readscale.wait_mode()
RETURNS text
LANGUAGE c VOLATILE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'readscale_wait_mode';
COMMENT ON FUNCTION readscale.wait_mode() IS
    'How waiters are woken: redo hook (preloaded) or polling';

CREATE FUNCTION readscale._gate_stats(
    OUT wake_mode text,
    OUT waits bigint, OUT immediate bigint, OUT reached bigint, OUT timeouts bigint,
    OUT fail_fast bigint, OUT cancelled bigint, OUT not_in_recovery bigint, OUT gate_refused bigint,
    OUT wait_time_ms double precision,
    OUT waits_under_1ms bigint, OUT waits_under_5ms bigint, OUT waits_under_20ms bigint,
    OUT waits_under_100ms bigint, OUT waits_under_1s bigint, OUT waits_1s_or_more bigint,
    OUT since timestamptz)
RETURNS SETOF record
LANGUAGE c VOLATILE STRICT PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'readscale_gate_stats';
REVOKE ALL ON FUNCTION readscale._gate_stats() FROM PUBLIC;

CREATE VIEW readscale.gate_stats AS SELECT * FROM readscale._gate_stats();
COMMENT ON VIEW readscale.gate_stats IS
    'Waits on this node since server start (empty without shared_preload_libraries)';
REVOKE ALL ON readscale.gate_stats FROM PUBLIC;
GRANT SELECT ON readscale.gate_stats TO pg_monitor;
GRANT EXECUTE ON FUNCTION readscale._gate_stats() TO pg_monitor;
