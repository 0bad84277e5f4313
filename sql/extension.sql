-- The extension's objects: all in schema readscale, which the extension owns.
SELECT extname, extrelocatable, extversion FROM pg_extension WHERE extname = 'pg_readscale';

SELECT pg_describe_object(classid, objid, 0) AS object
FROM pg_depend
WHERE refclassid = 'pg_extension'::regclass
  AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pg_readscale')
  AND deptype = 'e'
ORDER BY 1;

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
