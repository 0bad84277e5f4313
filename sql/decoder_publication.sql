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
-- row filters are refused rather than ignored; an unknown publication is an error
-- (raised in the change callback: its CONTEXT line holds an LSN, so it is not shown)
\set SHOW_CONTEXT never
SELECT data FROM pg_logical_slot_peek_changes('pub_slot', NULL, NULL, 'publication-names', 'pub_rows');
\echo :LAST_ERROR_SQLSTATE
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

SELECT pg_drop_replication_slot('pub_slot');
DROP PUBLICATION "Pub A", pub_inserts, pub_more, pub_schema, pub_rows;
DROP TABLE pub_a, pub_b, pub_c, pub_unlisted, pub_s.t;
DROP SCHEMA pub_s;
