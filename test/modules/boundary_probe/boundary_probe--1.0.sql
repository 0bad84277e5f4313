\echo Use "CREATE EXTENSION boundary_probe" to load this file. \quit

CREATE FUNCTION boundary_probe.throw_error(sqlstate text, message text, detail text DEFAULT '', hint text DEFAULT '')
RETURNS void LANGUAGE c STRICT AS 'MODULE_PATHNAME', 'boundary_probe_throw_error';

CREATE FUNCTION boundary_probe.throw_bad_alloc()
RETURNS void LANGUAGE c STRICT AS 'MODULE_PATHNAME', 'boundary_probe_throw_bad_alloc';

CREATE FUNCTION boundary_probe.throw_std_exception()
RETURNS void LANGUAGE c STRICT AS 'MODULE_PATHNAME', 'boundary_probe_throw_std_exception';

CREATE FUNCTION boundary_probe.throw_non_std()
RETURNS void LANGUAGE c STRICT AS 'MODULE_PATHNAME', 'boundary_probe_throw_non_std';

CREATE FUNCTION boundary_probe.pg_error_under_cpp(input text)
RETURNS integer LANGUAGE c STRICT AS 'MODULE_PATHNAME', 'boundary_probe_pg_error_under_cpp';

CREATE FUNCTION boundary_probe.warn_no_throw()
RETURNS void LANGUAGE c STRICT AS 'MODULE_PATHNAME', 'boundary_probe_warn_no_throw';

CREATE FUNCTION boundary_probe.destructor_count()
RETURNS bigint LANGUAGE c STRICT AS 'MODULE_PATHNAME', 'boundary_probe_destructor_count';
