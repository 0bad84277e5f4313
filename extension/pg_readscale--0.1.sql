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
