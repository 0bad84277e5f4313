-- readscale_decoder writes float8, numeric and timestamptz text itself (decoder/core/value_text.cpp);
-- it must equal the output functions' text, in every time zone, DateStyle and extra_float_digits.
SET synchronous_commit = on;
CREATE TABLE vt (id int PRIMARY KEY, f float8, n numeric, t timestamptz);
SELECT 'init' FROM pg_create_logical_replication_slot('vt_slot', 'readscale_decoder');
SET TimeZone = 'UTC';
INSERT INTO vt SELECT g,
    CASE WHEN g % 3 = 0 THEN (g * 1.37e-3) ^ (g % 11 - 5) WHEN g % 3 = 1 THEN -g / 7.0 ELSE g * 1e13 END,
    round((g - 500) * 12.345678 ^ (g % 9 - 4), g % 12),
    '2024-03-31 00:00:00+00'::timestamptz + g * interval '7 min 3.25 s'
FROM generate_series(1, 1000) AS g;
INSERT INTO vt VALUES
    (2001, 'NaN', 'NaN', 'infinity'), (2002, 'Infinity', 'Infinity', '-infinity'),
    (2003, '-Infinity', '-Infinity', '1850-06-01 12:00:00+00'), (2004, '-0', '0', '0044-03-15 12:00:00+00 BC'),
    (2005, '4.9e-324', '-0.000000001', '9999-12-31 23:59:59.999999+00'), (2006, '1.7976931348623157e308',
    '1e200', '10000-01-01 00:00:00+00'), (2007, '1e15', '123456789012345678901234567890.123456789', '0001-01-01 00:00:00+00'),
    (2008, '123456789012345', 0.00001 * 1e-300, '1960-06-01 00:00:00+00'), (2009, '1e-5', '1e100', '2000-01-01 00:00:00+00'),
    (2010, '0.0001', '99999999.99999999', '1999-12-31 23:59:59.5+00');

-- the JSON text of each value against the column's own text, under each setting
CREATE FUNCTION vt_mismatches() RETURNS TABLE (checked bigint, float8_differs bigint, numeric_differs bigint, timestamptz_differs bigint)
LANGUAGE sql AS $$
    SELECT count(*),
        count(*) FILTER (WHERE j->'new'->>'f' IS DISTINCT FROM vt.f::text),
        count(*) FILTER (WHERE j->'new'->>'n' IS DISTINCT FROM vt.n::text),
        count(*) FILTER (WHERE j->'new'->>'t' IS DISTINCT FROM vt.t::text)
    FROM (SELECT data::json AS j FROM pg_logical_slot_peek_changes('vt_slot', NULL, NULL)) AS c
    JOIN vt ON vt.id = (c.j->'new'->>'id')::int
$$;
SELECT 'UTC' AS zone, * FROM vt_mismatches();
SET TimeZone = 'Europe/Berlin';      -- a DST change inside the data, and +00:53:28 before 1893
SELECT 'Europe/Berlin' AS zone, * FROM vt_mismatches();
SET TimeZone = 'America/St_Johns';   -- -03:30 / -02:30
SELECT 'America/St_Johns' AS zone, * FROM vt_mismatches();
SET TimeZone = 'Africa/Monrovia';    -- -00:44:30 in 1960
SELECT 'Africa/Monrovia' AS zone, * FROM vt_mismatches();
SET TimeZone = 'Australia/Lord_Howe';
SELECT 'Australia/Lord_Howe' AS zone, * FROM vt_mismatches();
SET TimeZone = '<+0315>-03:15';      -- a POSIX zone without transitions
SELECT 'POSIX +03:15' AS zone, * FROM vt_mismatches();
-- other settings take the output functions' path; the text must not change
SET DateStyle = 'SQL, DMY';
SELECT 'DateStyle SQL' AS setting, * FROM vt_mismatches();
RESET DateStyle;
SET extra_float_digits = 0;
SELECT 'extra_float_digits 0' AS setting, * FROM vt_mismatches();
SET extra_float_digits = 3;
SELECT 'extra_float_digits 3' AS setting, * FROM vt_mismatches();
RESET extra_float_digits;
RESET TimeZone;

-- wal2json-v2 format: the same texts
SELECT count(*) AS columns_checked,
    count(*) FILTER (WHERE col->>'value' IS DISTINCT FROM CASE col->>'name' WHEN 'f' THEN vt.f::text
        WHEN 'n' THEN vt.n::text WHEN 't' THEN vt.t::text ELSE col->>'value' END) AS differing
FROM pg_logical_slot_peek_changes('vt_slot', NULL, NULL, 'format', 'wal2json-v2') AS c,
    json_array_elements(c.data::json->'columns') AS col,
    vt
WHERE vt.id = (SELECT (e->>'value')::int FROM json_array_elements(c.data::json->'columns') AS e WHERE e->>'name' = 'id')
    AND col->>'value' NOT IN ('NaN', 'Infinity', '-Infinity');

SELECT pg_drop_replication_slot('vt_slot');
DROP FUNCTION vt_mismatches();
DROP TABLE vt;
