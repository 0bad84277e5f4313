-- The C++/PostgreSQL boundary: every failure inside C++ arrives as a clean
-- ERROR with its SQLSTATE, the C++ destructors ran, and the backend lives on.
CREATE EXTENSION boundary_probe;

SELECT boundary_probe.destructor_count() AS before \gset

-- readscale::Error with a chosen SQLSTATE, message, detail and hint
SELECT boundary_probe.throw_error('55R01', 'replica has not replayed LSN 0/3000060 within 1000 ms',
    'Last replayed LSN is 0/2FFF000.', 'Read from the primary.');
\echo :LAST_ERROR_SQLSTATE
-- three Counted objects were destroyed by unwinding
SELECT boundary_probe.destructor_count() - :before AS destroyed;

-- a malformed SQLSTATE from C++ is reported as an internal error, not passed on
SELECT boundary_probe.throw_error('bad', 'odd code');
\echo :LAST_ERROR_SQLSTATE

-- std::bad_alloc becomes out of memory
SELECT boundary_probe.throw_bad_alloc();
\echo :LAST_ERROR_SQLSTATE

-- any other std::exception and a non-std type become internal errors
SELECT boundary_probe.throw_std_exception();
\echo :LAST_ERROR_SQLSTATE
SELECT boundary_probe.throw_non_std();
\echo :LAST_ERROR_SQLSTATE

-- a PostgreSQL ERROR beneath C++ frames keeps its own SQLSTATE and message
SELECT boundary_probe.pg_error_under_cpp('42');
SELECT boundary_probe.pg_error_under_cpp('not a number');
\echo :LAST_ERROR_SQLSTATE

-- inside a transaction the failure aborts it like any ERROR, and ROLLBACK recovers
BEGIN;
SELECT boundary_probe.throw_error('22023', 'bad argument');
SELECT 1;
ROLLBACK;

-- a callback that must not fail logs a WARNING instead of raising
SELECT boundary_probe.warn_no_throw();

-- every Counted object was destroyed: 3 + 3 + 1 + 1 + 1 + 1 + 1 + 3 + 1
SELECT boundary_probe.destructor_count() - :before AS destroyed;

-- the backend survived all of it
SELECT 'still alive' AS backend;

DROP EXTENSION boundary_probe;
