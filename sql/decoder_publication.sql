-- readscale_decoder publication-names: tables, actions and column lists from CREATE PUBLICATION.
SET synchronous_commit = on;

CREATE TABLE pub_a (id int PRIMARY KEY, name text, secret text);
CREATE TABLE pub_b (id int PRIMARY KEY, v text);
CREATE TABLE pub_c (id int PRIMARY KEY);
CREATE TABLE pub_unlisted (id int PRIMARY KEY);
CREATE SCHEMA pub_s;
CREATE TABLE pub_s.t (id int PRIMARY KEY);
CREATE PUBLICATION "Pub A" FOR TABLE pub_a (id, name);
CREATE PUBLICATION pub_inserts FOR TABLE pub_b WITH (publish = 'insert');
CREATE PUBLICATION pub_more FOR TABLE pub_b, pub_a WITH (publish = 'delete');
CREATE PUBLICATION pub_schema FOR TABLES IN SCHEMA pub_s;
CREATE PUBLICATION pub_rows FOR TABLE pub_c WHERE (id > 1);
SELECT 'init' FROM pg_create_logical_replication_slot('pub_slot', 'readscale_decoder');

INSERT INTO pub_a VALUES (1, 'a', 'hidden');
INSERT INTO pub_b VALUES (1, 'b');
INSERT INTO pub_c VALUES (1);
INSERT INTO pub_unlisted VALUES (1);
INSERT INTO pub_s.t VALUES (1);
UPDATE pub_a SET name = 'a2';
UPDATE pub_b SET v = 'b2';
DELETE FROM pub_a;
DELETE FROM pub_b;
TRUNCATE pub_s.t;

-- column list of "Pub A"; inserts only for pub_b; a whole schema
SELECT data FROM pg_logical_slot_peek_changes('pub_slot', NULL, NULL,
    'publication-names', '"Pub A",pub_inserts,pub_schema');
-- the union of two publications' actions, and a publication without a column list: every column
SELECT data FROM pg_logical_slot_peek_changes('pub_slot', NULL, NULL,
    'publication-names', 'pub_inserts,pub_more');
-- combined with the other filters
SELECT data FROM pg_logical_slot_peek_changes('pub_slot', NULL, NULL,
    'publication-names', '"Pub A",pub_schema', 'filter-tables', 'pub_s.*', 'actions', 'insert');
-- a row filter (id > 1) leaves out the one row of pub_c
SELECT data FROM pg_logical_slot_peek_changes('pub_slot', NULL, NULL, 'publication-names', 'pub_rows');
-- an unknown publication is an error
-- (raised in the change callback: its CONTEXT line holds an LSN, so it is not shown)
\set SHOW_CONTEXT never
SELECT data FROM pg_logical_slot_peek_changes('pub_slot', NULL, NULL, 'publication-names', 'no_such_pub');
\echo :LAST_ERROR_SQLSTATE
\set SHOW_CONTEXT errors
SELECT data FROM pg_logical_slot_peek_changes('pub_slot', NULL, NULL, 'publication-names', '');
\echo :LAST_ERROR_SQLSTATE

-- a table added to a publication between two changes: sent from then on
SELECT count(*) AS consumed FROM pg_logical_slot_get_changes('pub_slot', NULL, NULL);
INSERT INTO pub_unlisted VALUES (2);
ALTER PUBLICATION pub_inserts ADD TABLE pub_unlisted;
INSERT INTO pub_unlisted VALUES (3);
ALTER PUBLICATION pub_inserts DROP TABLE pub_unlisted;
INSERT INTO pub_unlisted VALUES (4);
SELECT data FROM pg_logical_slot_get_changes('pub_slot', NULL, NULL, 'publication-names', 'pub_inserts');

-- Row filters, with pgoutput's rules. rf has REPLICA IDENTITY DEFAULT, so its
-- update/delete filter may use only the key; rf_full (FULL) may use any column.
CREATE TABLE rf (id int PRIMARY KEY, v int, note text);
CREATE TABLE rf_full (id int PRIMARY KEY, v int, note text);
ALTER TABLE rf_full REPLICA IDENTITY FULL;
CREATE PUBLICATION pub_rf FOR TABLE rf WHERE (id > 10), rf_full WHERE (v > 10);
CREATE PUBLICATION pub_rf_even FOR TABLE rf WHERE (id % 2 = 0) WITH (publish = 'insert');
CREATE PUBLICATION pub_rf_inserts FOR TABLE rf WITH (publish = 'insert');
-- a TOASTed column (stored out of line, uncompressed) that updates leave untouched
CREATE TABLE rf_toast (id int PRIMARY KEY, v int, big text);
ALTER TABLE rf_toast REPLICA IDENTITY FULL;
ALTER TABLE rf_toast ALTER COLUMN big SET STORAGE EXTERNAL;
CREATE PUBLICATION pub_rf_toast FOR TABLE rf_toast WHERE (v > 10);
SELECT 'init' FROM pg_create_logical_replication_slot('rf_slot', 'readscale_decoder');
SELECT 'init' FROM pg_create_logical_replication_slot('rf_pgoutput', 'pgoutput');
INSERT INTO rf VALUES (4, 0, 'out'), (15, 0, 'in');
UPDATE rf SET id = 20 WHERE id = 4;         -- key moves into the filter: insert
UPDATE rf SET id = 3 WHERE id = 15;         -- key moves out of the filter: delete
UPDATE rf SET note = 'kept' WHERE id = 20;  -- key unchanged (no old row), new row matches: update
UPDATE rf SET note = 'none' WHERE id = 3;   -- new row does not match: nothing
DELETE FROM rf WHERE id = 3;                -- old row does not match: nothing
DELETE FROM rf WHERE id = 20;               -- sent
INSERT INTO rf_full VALUES (1, 5, 'a'), (2, 50, 'b'), (3, NULL, 'c');  -- NULL is false
UPDATE rf_full SET v = 55 WHERE id = 1;     -- into the filter: insert
UPDATE rf_full SET v = 6 WHERE id = 2;      -- out of it: delete, with the old row
UPDATE rf_full SET v = 60 WHERE id = 1;     -- both rows match: update with the old row
UPDATE rf_full SET note = 'x' WHERE id = 2; -- neither: nothing
DELETE FROM rf_full;                        -- only id 1 matches
BEGIN;
INSERT INTO rf VALUES (100, 0, 'rolled back');
ROLLBACK;
INSERT INTO rf_toast VALUES (1, 5, repeat('t', 5000));
UPDATE rf_toast SET v = 50 WHERE id = 1;    -- into the filter: the insert carries big, taken from the old row
UPDATE rf_toast SET v = 60 WHERE id = 1;    -- an update: big is unchanged TOAST, listed as such
SELECT data FROM pg_logical_slot_peek_changes('rf_slot', NULL, NULL, 'publication-names', 'pub_rf');
-- two publications' insert filters are OR'ed (id > 10 OR id % 2 = 0); update and delete keep pub_rf's
SELECT data FROM pg_logical_slot_peek_changes('rf_slot', NULL, NULL, 'publication-names', 'pub_rf,pub_rf_even',
    'add-tables', 'public.rf');
-- a publication sending inserts unfiltered lifts the insert filter only
SELECT data FROM pg_logical_slot_peek_changes('rf_slot', NULL, NULL, 'publication-names', 'pub_rf,pub_rf_inserts',
    'add-tables', 'public.rf');
-- an update turned into an insert sends whole rows, as pgoutput does
SELECT data::json->>'op' AS op, length(data::json->'new'->>'big') AS big_sent,
    data::json->'unchanged_toast' AS unchanged_toast
FROM pg_logical_slot_peek_changes('rf_slot', NULL, NULL, 'publication-names', 'pub_rf_toast');
SELECT length(data::json->'columns'->2->>'value') AS big_sent_wal2json
FROM pg_logical_slot_peek_changes('rf_slot', NULL, NULL, 'publication-names', 'pub_rf_toast',
    'format', 'wal2json-v2', 'include-transaction', 'false') WHERE data::json->>'action' = 'I';
-- wal2json-v2 format: the same decisions
SELECT data FROM pg_logical_slot_peek_changes('rf_slot', NULL, NULL, 'publication-names', 'pub_rf',
    'format', 'wal2json-v2', 'include-transaction', 'false', 'include-types', 'false');

-- Differential check: the same WAL through pgoutput with the same publications.
-- pgoutput's I/U/D messages carry the operation (byte 0) and the relation OID (bytes 1-4).
CREATE FUNCTION pgoutput_ops(pubs text) RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(chr(get_byte(data, 0)) || ':' ||
        ((get_byte(data, 1)::bigint << 24 | get_byte(data, 2) << 16 | get_byte(data, 3) << 8 | get_byte(data, 4))::oid::regclass)::text,
        ' ' ORDER BY n)
    FROM pg_logical_slot_peek_binary_changes('rf_pgoutput', NULL, NULL, 'proto_version', '1', 'publication_names', pubs)
        WITH ORDINALITY AS c(lsn, xid, data, n)
    WHERE chr(get_byte(data, 0)) IN ('I', 'U', 'D')
$$;
CREATE FUNCTION readscale_ops(pubs text) RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(upper(left(data::json->>'op', 1)) || ':' || (data::json->>'table'), ' ' ORDER BY n)
    FROM pg_logical_slot_peek_changes('rf_slot', NULL, NULL, 'publication-names', pubs)
        WITH ORDINALITY AS c(lsn, xid, data, n)
$$;
SELECT pubs, readscale_ops(pubs) AS readscale, readscale_ops(pubs) = pgoutput_ops(pubs) AS same_as_pgoutput
FROM unnest(ARRAY['pub_rf', 'pub_rf,pub_rf_even', 'pub_rf,pub_rf_inserts', 'pub_rf_even']) AS pubs;

-- a filter changed between two changes applies from then on
SELECT count(*) > 0 AS consumed FROM pg_logical_slot_get_changes('rf_slot', NULL, NULL);
INSERT INTO rf VALUES (11, 0, 'passes id > 10');
ALTER PUBLICATION pub_rf SET TABLE rf WHERE (id > 100);
INSERT INTO rf VALUES (12, 0, 'fails id > 100');
SELECT data FROM pg_logical_slot_get_changes('rf_slot', NULL, NULL, 'publication-names', 'pub_rf');

SELECT pg_drop_replication_slot('rf_slot');
SELECT pg_drop_replication_slot('rf_pgoutput');
DROP FUNCTION pgoutput_ops(text), readscale_ops(text);
DROP PUBLICATION pub_rf, pub_rf_even, pub_rf_inserts, pub_rf_toast;
DROP TABLE rf, rf_full, rf_toast;

SELECT pg_drop_replication_slot('pub_slot');
DROP PUBLICATION "Pub A", pub_inserts, pub_more, pub_schema, pub_rows;
DROP TABLE pub_a, pub_b, pub_c, pub_unlisted, pub_s.t;
DROP SCHEMA pub_s;
