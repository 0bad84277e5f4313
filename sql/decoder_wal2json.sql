-- format=wal2json-v2 is byte for byte wal2json 2.5's format-version 2: both plugins decode the same WAL.
SET synchronous_commit = on;
SET extra_float_digits = 0;

CREATE TYPE "Mood Type" AS ENUM ('ok', 'sad');
CREATE DOMAIN positive AS int CHECK (VALUE > 0);
CREATE TABLE w2j_all (
    id int PRIMARY KEY, s smallint, b bigint, n numeric(10,2), nn numeric, f4 real, f8 float8, ok bool,
    raw bytea, t text, vc varchar(10), j json, jb jsonb, arr int[], ts timestamptz, mood "Mood Type",
    moods "Mood Type"[], p positive, g int GENERATED ALWAYS AS (id * 10) STORED, big text);
ALTER TABLE w2j_all ALTER COLUMN big SET STORAGE EXTERNAL;
CREATE TABLE w2j_full (id int, v text);
ALTER TABLE w2j_full REPLICA IDENTITY FULL;
CREATE TABLE w2j_idx (id int NOT NULL, k int NOT NULL, v text);
CREATE UNIQUE INDEX w2j_idx_k ON w2j_idx (k);
ALTER TABLE w2j_idx REPLICA IDENTITY USING INDEX w2j_idx_k;
CREATE TABLE w2j_nokey (id int, v text);
CREATE TABLE "Odd ""Name""" (id int PRIMARY KEY);

SELECT 'init' FROM pg_create_logical_replication_slot('w2j_ours', 'readscale_decoder');
SELECT 'init' FROM pg_create_logical_replication_slot('w2j_theirs', 'wal2json');

INSERT INTO w2j_all (id, s, b, n, nn, f4, f8, ok, raw, t, vc, j, jb, arr, ts, mood, moods, p, big)
VALUES (1, -1, 9007199254740993, 12.5, 'NaN', 'Infinity', '-Infinity', true, '\x00ff10',
        E'\u00e9 "q" \\ \t\n\x01 \u2603', 'short', '{"a": [1, "x"]}', '{"b": null}', '{1,NULL,3}',
        '2024-02-29 12:00:00+00', 'ok', '{ok,sad}', 5, repeat('B', 3000)),
       (2, NULL, NULL, NULL, 1e-30, 1.5, 2.25, false, '', '', '', 'null', '[]', '{}', NULL, NULL, NULL, NULL, NULL);
UPDATE w2j_all SET t = 'changed' WHERE id = 1;
UPDATE w2j_all SET id = 3 WHERE id = 2;
DELETE FROM w2j_all WHERE id = 3;
INSERT INTO w2j_full VALUES (1, 'a'), (2, NULL);
UPDATE w2j_full SET v = 'b' WHERE id = 1;
DELETE FROM w2j_full WHERE id = 2;
INSERT INTO w2j_idx VALUES (1, 10, 'a');
UPDATE w2j_idx SET v = 'b' WHERE k = 10;
UPDATE w2j_idx SET k = 11 WHERE k = 10;
DELETE FROM w2j_idx WHERE k = 11;
INSERT INTO w2j_nokey VALUES (1, 'a');
INSERT INTO "Odd ""Name""" VALUES (1);
ALTER TABLE w2j_nokey ADD COLUMN extra int DEFAULT 7;
INSERT INTO w2j_nokey VALUES (2, 'b');
-- without a key wal2json sends nothing for this update (it warns): neither do we
UPDATE w2j_nokey SET v = 'c' WHERE id = 1;
BEGIN;
INSERT INTO w2j_full VALUES (3, 'in a transaction');
SELECT 'm' FROM pg_logical_emit_message(true, 'app', E'transactional\nmessage');
SAVEPOINT s;
INSERT INTO w2j_full VALUES (4, 'rolled back');
ROLLBACK TO s;
COMMIT;
SELECT 'm' FROM pg_logical_emit_message(false, 'audit', 'not transactional');
TRUNCATE w2j_full, w2j_idx;
INSERT INTO w2j_full VALUES (5, 'last');

-- wal2json's own output, for the reader (the long TOASTed value shortened)
SELECT regexp_replace(data, 'B{100,}', 'BBB...') AS data
FROM pg_logical_slot_peek_changes('w2j_theirs', NULL, NULL, 'format-version', '2');

-- the same bytes from readscale_decoder, under each set of shared options
CREATE FUNCTION w2j_diff(ours text[], theirs text[]) RETURNS TABLE (lines bigint, different bigint)
LANGUAGE sql AS $$
    WITH o AS (SELECT n, data FROM pg_logical_slot_peek_changes('w2j_ours', NULL, NULL,
                   VARIADIC array['format', 'wal2json-v2'] || ours) WITH ORDINALITY AS x(lsn, xid, data, n)),
         t AS (SELECT n, data FROM pg_logical_slot_peek_changes('w2j_theirs', NULL, NULL,
                   VARIADIC array['format-version', '2'] || theirs) WITH ORDINALITY AS x(lsn, xid, data, n))
    SELECT count(*), count(*) FILTER (WHERE o.data IS DISTINCT FROM t.data)
    FROM o FULL JOIN t USING (n)
$$;
SELECT 'defaults' AS options, * FROM w2j_diff('{}', '{}');
SELECT 'volatile fields' AS options, * FROM w2j_diff(
    '{include-xids,1,include-timestamp,1,include-lsn,1,include-origin,1}',
    '{include-xids,1,include-timestamp,1,include-lsn,1,include-origin,1}');
SELECT 'no types, no transaction' AS options, * FROM w2j_diff(
    '{include-types,0,include-transaction,0}', '{include-types,0,include-transaction,0}');
SELECT 'tables' AS options, * FROM w2j_diff(
    '{add-tables,"public.w2j_full,public.w2j_idx",filter-tables,public.w2j_idx}',
    '{add-tables,"public.w2j_full,public.w2j_idx",filter-tables,public.w2j_idx}');
SELECT 'wildcard tables' AS options, * FROM w2j_diff('{add-tables,*.w2j_full}', '{add-tables,*.w2j_full}');
SELECT 'actions' AS options, * FROM w2j_diff('{actions,"delete,truncate"}', '{actions,"delete,truncate"}');
SELECT 'message prefixes' AS options, * FROM w2j_diff('{add-msg-prefixes,audit}', '{add-msg-prefixes,audit}');
SELECT 'filtered prefixes' AS options, * FROM w2j_diff('{filter-msg-prefixes,audit}', '{filter-msg-prefixes,audit}');
-- wal2json already sends json and jsonb as strings: json-as-string is accepted and changes nothing
SELECT 'json-as-string' AS options, * FROM w2j_diff('{json-as-string,1}', '{}');

SELECT pg_drop_replication_slot('w2j_ours');
SELECT pg_drop_replication_slot('w2j_theirs');
DROP FUNCTION w2j_diff;
DROP TABLE w2j_all, w2j_full, w2j_idx, w2j_nokey, "Odd ""Name""";
DROP DOMAIN positive;
DROP TYPE "Mood Type";
