-- readscale_decoder output of types, unchanged TOAST values, generated columns and volatile fields.
SET synchronous_commit = on;
SET extra_float_digits = 0;

CREATE TABLE types_probe (
    id int PRIMARY KEY, i8 bigint, f4 real, n numeric, b bytea, arr int[], t text, j json,
    doubled int GENERATED ALWAYS AS (id * 2) STORED);
SELECT 'init' FROM pg_create_logical_replication_slot('types_slot', 'readscale_decoder');

INSERT INTO types_probe (id, i8, f4, n, b, arr, t, j)
VALUES (1, -9223372036854775808, 'Infinity', 'NaN', '\x00ff', '{1,NULL,3}', E'\u00e9 \u2603 \x01', '"s"'),
       (2, NULL, -1.5, 1e-20, '', '{}', '', 'null');
SELECT data FROM pg_logical_slot_peek_changes('types_slot', NULL, NULL);
SELECT data FROM pg_logical_slot_get_changes('types_slot', NULL, NULL,
    'include-generated-columns', '1', 'numeric-as-string', '1');

-- an update that leaves a TOASTed value unchanged: left out and listed
ALTER TABLE types_probe ALTER COLUMN t SET STORAGE EXTERNAL;
UPDATE types_probe SET t = repeat('x', 10000) WHERE id = 2;
SELECT count(*) AS consumed FROM pg_logical_slot_get_changes('types_slot', NULL, NULL);
UPDATE types_probe SET i8 = 7 WHERE id = 2;
SELECT data FROM pg_logical_slot_get_changes('types_slot', NULL, NULL);

-- a large value that did change is sent whole
UPDATE types_probe SET t = repeat('y', 5000) WHERE id = 2;
SELECT length(data::jsonb -> 'new' ->> 't') AS t_length, data::jsonb ? 'unchanged_toast' AS has_unchanged
FROM pg_logical_slot_get_changes('types_slot', NULL, NULL);

-- volatile fields, tested by property
INSERT INTO types_probe (id) VALUES (3);
SELECT data::jsonb ->> 'op' AS op,
       (data::jsonb ->> 'commit_time')::timestamptz <= now() AS commit_time_ok,
       (data::jsonb ->> 'lsn')::pg_lsn > '0/0' AS lsn_ok,
       data::jsonb ->> 'lsn' = (data::jsonb ->> 'lsn')::pg_lsn::text AS lsn_as_server_prints,
       (data::jsonb ->> 'xid')::bigint > 0 AS xid_ok
FROM pg_logical_slot_get_changes('types_slot', NULL, NULL,
    'include-timestamp', '1', 'include-lsn', '1', 'include-xids', '1');

-- values written without their output function: integer limits, booleans, text and varchar, compressed text
CREATE TABLE fast_probe (a smallint, b int, c bigint, d bool, e varchar(5), f text);
INSERT INTO fast_probe VALUES (-32768, -2147483648, -9223372036854775808, false, '', E'x\ty"'),
                              (32767, 2147483647, 9223372036854775807, true, 'vé', NULL);
INSERT INTO fast_probe (f) VALUES (repeat('ab', 5000));
SELECT CASE WHEN length(data) < 200 THEN data ELSE 'long' END AS data,
       length(data::jsonb -> 'new' ->> 'f') AS f_length
FROM pg_logical_slot_get_changes('types_slot', NULL, NULL, 'add-tables', 'public.fast_probe');
DROP TABLE fast_probe;

-- float8, numeric and timestamptz written straight into the record: special values stay strings
-- (null in wal2json-v2 mode), numeric-as-string quotes numbers, text is escaped across 8-byte words
SET extra_float_digits = 1;
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';
CREATE TABLE direct_probe (id int, f float8, n numeric, ts timestamptz, t text);
INSERT INTO direct_probe VALUES
    (1, 'NaN', 'NaN', '2024-02-29 23:59:59.5+00', E'abcdefg"hijklmn\\op\x01'),
    (2, 'Infinity', 'Infinity', 'infinity', 'plain text of sixteen+'),
    (3, '-Infinity', '-Infinity', '0001-01-01 00:00:00+00', ''),
    (4, '-0', '-12.50', '9999-12-31 23:59:59.999999+00', NULL),
    (5, 0.1, 1e-20, '2000-01-01 00:00:00+00', 'é');
SELECT data FROM pg_logical_slot_peek_changes('types_slot', NULL, NULL, 'add-tables', 'public.direct_probe');
SELECT data FROM pg_logical_slot_peek_changes('types_slot', NULL, NULL, 'add-tables', 'public.direct_probe',
    'numeric-as-string', '1');
SELECT data FROM pg_logical_slot_get_changes('types_slot', NULL, NULL, 'add-tables', 'public.direct_probe',
    'format', 'wal2json-v2');
DROP TABLE direct_probe;
RESET timezone;
RESET datestyle;
SET extra_float_digits = 0;

SELECT pg_drop_replication_slot('types_slot');
DROP TABLE types_probe;
