-- The commit tokens (readscale.current_token()) and readscale.node_role() on a primary.
SELECT readscale.node_role();

CREATE TABLE token_probe (id int);
INSERT INTO token_probe VALUES (1);

-- The token covers everything flushed, including this session's commit,
-- and never lies past what has been inserted.
SELECT readscale.current_token() >= pg_current_wal_flush_lsn() AS covers_flush,
       readscale.current_token() <= pg_current_wal_insert_lsn() AS not_past_insert,
       pg_typeof(readscale.current_token()) AS type;

-- With asynchronous commit the session's own commit is still covered.
SET synchronous_commit = off;
INSERT INTO token_probe VALUES (2);
SELECT readscale.current_token() >= pg_current_wal_flush_lsn() AS covers_flush;
RESET synchronous_commit;

-- A token taken before the transaction's own COMMIT cannot cover its write: refused.
BEGIN;
INSERT INTO token_probe VALUES (3);
SELECT readscale.current_token();
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN;
INSERT INTO token_probe VALUES (3);
SELECT readscale.current_causal_token();
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- a read-only transaction may take one
BEGIN;
SELECT readscale.current_token() IS NOT NULL AS token_in_read_only_transaction;
COMMIT;

-- Bad calls: neither function takes arguments (terse: 19 gives a DETAIL where
-- older majors give a HINT).
\set VERBOSITY terse
SELECT readscale.node_role('primary');
\echo :LAST_ERROR_SQLSTATE
SELECT readscale.current_token(NULL);
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default

DROP TABLE token_probe;
