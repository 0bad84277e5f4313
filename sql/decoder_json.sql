-- json and jsonb values in ndjson: JSON null and SQL NULL, JSON strings, nested values, numbers beyond
-- double precision, json's own whitespace and line breaks; embedded (the default) and with json-as-string.
SET synchronous_commit = on;
SET extra_float_digits = 0;

CREATE TABLE json_probe (id int PRIMARY KEY, jb jsonb, j json, t text);
SELECT 'init' FROM pg_create_logical_replication_slot('json_slot', 'readscale_decoder');

INSERT INTO json_probe VALUES
    (1, 'null', 'null', 'null'),
    (2, NULL, NULL, NULL),
    (3, '"s"', '"s"', 's'),
    (4, '{"a": [1, {"b": null}], "c": "x\"y\n", "d": {}}', E'{"a":\n [1,\t{"b" : null}],\r\n "a": 2}', NULL),
    (5, '123456789012345678901234567890.000000000000000000001', '[0.1000000000000000055511151231257827, -1e400]', NULL),
    (6, '[true, false, ""]', E' "\u00e9\u2603 \\u00e9" ', NULL);
UPDATE json_probe SET jb = 'null', j = NULL WHERE id = 2;

-- default: embedded as JSON, on one line; JSON null and SQL NULL both arrive as null
SELECT data FROM pg_logical_slot_peek_changes('json_slot', NULL, NULL);
-- json-as-string: a JSON string holding the value's text; only SQL NULL is null
SELECT data FROM pg_logical_slot_peek_changes('json_slot', NULL, NULL, 'json-as-string', '1');

-- Read back as a consumer would (the last record of each row) and compare with the table: the ids
-- whose jsonb value, json value or json's exact text (whitespace, duplicate keys, number spelling) is
-- lost. Embedded, null is read as SQL NULL; with json-as-string a string is read as the value's text.
CREATE FUNCTION json_round_trip(VARIADIC options text[]) RETURNS TABLE (
    json_as_string bool, rows bigint, jsonb_lost int[], json_value_lost int[], json_text_lost int[])
LANGUAGE sql AS $$
    WITH sent AS (
        SELECT DISTINCT ON (new ->> 'id') new
        FROM pg_logical_slot_peek_changes('json_slot', NULL, NULL, VARIADIC options) WITH ORDINALITY AS x(l, x, data, n),
             LATERAL (SELECT data::jsonb -> 'new' AS new) AS r
        ORDER BY new ->> 'id', n DESC),
    back AS (
        SELECT (new ->> 'id')::int AS id,
               CASE WHEN jsonb_typeof(new -> 'jb') = 'string' AND 'json-as-string' = ANY (options)
                    THEN (new ->> 'jb')::jsonb ELSE nullif(new -> 'jb', 'null') END AS jb,
               CASE WHEN jsonb_typeof(new -> 'j') = 'string' AND 'json-as-string' = ANY (options)
                    THEN new ->> 'j' ELSE nullif(new -> 'j', 'null')::text END AS j
        FROM sent)
    SELECT 'json-as-string' = ANY (options), count(*),
           array_agg(p.id ORDER BY p.id) FILTER (WHERE b.jb IS DISTINCT FROM p.jb),
           array_agg(p.id ORDER BY p.id) FILTER (WHERE b.j::jsonb IS DISTINCT FROM p.j::jsonb),
           array_agg(p.id ORDER BY p.id) FILTER (WHERE b.j IS DISTINCT FROM p.j::text)
    FROM json_probe p JOIN back b USING (id)
$$;
SELECT * FROM json_round_trip('include-xids', '0');
SELECT * FROM json_round_trip('json-as-string', 'on');

-- batch-bytes splits on line breaks: a json value's own ones must not add lines
SELECT (SELECT count(*) FROM pg_logical_slot_peek_changes('json_slot', NULL, NULL)) AS records,
       count(*) AS batched_lines, count(*) FILTER (WHERE line::jsonb ? 'op') AS parsed
FROM pg_logical_slot_peek_changes('json_slot', NULL, NULL, 'batch-bytes', '1024'),
     regexp_split_to_table(data, E'\n') AS line;

-- the option is decided per column: a type changed between two changes follows it
ALTER TABLE json_probe ALTER COLUMN t TYPE jsonb USING to_jsonb(t);
INSERT INTO json_probe VALUES (7, NULL, NULL, '"now jsonb"');
SELECT data FROM pg_logical_slot_get_changes('json_slot', NULL, NULL, 'json-as-string', 'yes')
WHERE data::jsonb -> 'new' ->> 'id' = '7';

\set VERBOSITY default
SELECT data FROM pg_logical_slot_peek_changes('json_slot', NULL, NULL, 'json-as-string', 'text');
\echo :LAST_ERROR_SQLSTATE
SELECT data FROM pg_logical_slot_peek_changes('json_slot', NULL, NULL, 'json-as-string', '');
\echo :LAST_ERROR_SQLSTATE

DROP FUNCTION json_round_trip(text[]);
SELECT pg_drop_replication_slot('json_slot');
DROP TABLE json_probe;
