-- The extension's objects: all in schema readscale, which the extension owns.
-- From PostgreSQL 17 on, the row types of its tables and views (and their
-- array types) are recorded as members too; they are left out so the list is
-- the same on every major.
SELECT extname, extrelocatable, extversion FROM pg_extension WHERE extname = 'pg_readscale';

SELECT pg_describe_object(classid, objid, 0) AS object
FROM pg_depend
WHERE refclassid = 'pg_extension'::regclass
  AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pg_readscale')
  AND deptype = 'e'
  AND NOT (classid = 'pg_type'::regclass
           AND objid IN (SELECT oid FROM pg_type WHERE typrelid <> 0 OR typelem <> 0))
ORDER BY 1;

-- Every function's volatility and parallel label (the rule is in the install
-- script's header: what reads replication state or calls a VOLATILE function
-- is VOLATILE; PARALLEL is set on purpose everywhere).
SELECT p.proname, p.provolatile, p.proparallel
FROM pg_proc p
WHERE p.pronamespace = 'readscale'::regnamespace
ORDER BY 1;

-- No SQL or PL/pgSQL function is less volatile, or safer in parallel, than a
-- function it calls by name or through a view it reads (C functions are
-- labelled by hand).
WITH bodies AS (
    SELECT p.* FROM pg_proc p
    WHERE p.pronamespace = 'readscale'::regnamespace
      AND p.prolang IN (SELECT oid FROM pg_language WHERE lanname IN ('sql', 'plpgsql'))
), calls AS (
    SELECT b.oid AS caller, s.oid AS callee FROM bodies b
    JOIN pg_proc s ON s.pronamespace IN ('pg_catalog'::regnamespace, 'readscale'::regnamespace)
                  AND b.prosrc ~ ('\m' || s.proname || '\(')
    UNION
    SELECT b.oid, d.refobjid FROM bodies b
    JOIN pg_class v ON v.relkind = 'v' AND v.relnamespace IN ('pg_catalog'::regnamespace, 'readscale'::regnamespace)
                   AND b.prosrc ~ ('\m' || v.relname || '\M')
    JOIN pg_rewrite r ON r.ev_class = v.oid
    JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid AND d.refclassid = 'pg_proc'::regclass
)
SELECT p.proname AS caller, s.proname AS callee, p.provolatile, s.provolatile AS callee_volatile,
       p.proparallel, s.proparallel AS callee_parallel
FROM calls c JOIN pg_proc p ON p.oid = c.caller JOIN pg_proc s ON s.oid = c.callee
WHERE s.provolatile = 'v' AND p.provolatile <> 'v'
   OR s.proparallel = 'u' AND p.proparallel <> 'u'
   OR s.proparallel = 'r' AND p.proparallel = 's'
ORDER BY 1, 2;

-- The schema belongs to the extension: it cannot be dropped from under it.
DROP SCHEMA readscale;
\echo :LAST_ERROR_SQLSTATE

-- Nobody but the owner can create objects in it.
CREATE ROLE readscale_intruder;
SET ROLE readscale_intruder;
CREATE FUNCTION readscale.node_role(int) RETURNS int LANGUAGE sql AS 'SELECT 1';
\echo :LAST_ERROR_SQLSTATE
-- but everyone may call the read-only functions
SELECT readscale.node_role();
RESET ROLE;
DROP ROLE readscale_intruder;

-- The reserved GUC prefix: unknown readscale.* settings are refused.
SET readscale.no_such_setting = 1;
\echo :LAST_ERROR_SQLSTATE
