-- A seeded random workload decoded by readscale_decoder and by test_decoding:
-- the same changes per operation, and replaying our stream, loaded as-is with
-- jsonb_populate_record, rebuilds the table exactly.
SET synchronous_commit = on;

CREATE TABLE rnd (id int PRIMARY KEY, i int, n numeric, t text, b bool, ts timestamptz, j jsonb, arr text[]);
CREATE TABLE rnd_copy (LIKE rnd);
SELECT 'init' FROM pg_create_logical_replication_slot('rnd_ours', 'readscale_decoder');
SELECT 'init' FROM pg_create_logical_replication_slot('rnd_td', 'test_decoding');

SELECT setseed(0.42);
DO $$
DECLARE
    k int;
    dice float8;
BEGIN
    FOR x IN 1..3000 LOOP
        dice := random();
        k := (random() * 300)::int;
        IF dice < 0.5 THEN
            INSERT INTO rnd VALUES (k, (random() * 1e6)::int, round((random() * 1e4)::numeric, 3),
                                    md5(random()::text) || E' \n"\u00e9\\', random() < 0.5,
                                    '2024-01-01'::timestamptz + random() * interval '300 days',
                                    jsonb_build_object('k', k, 'flag', random() < 0.5), ARRAY[md5(k::text), NULL])
            ON CONFLICT (id) DO UPDATE SET i = EXCLUDED.i, t = EXCLUDED.t;
        ELSIF dice < 0.8 THEN
            UPDATE rnd SET n = n + 1, b = NOT b, ts = NULL WHERE id = k;
        ELSIF dice < 0.97 THEN
            DELETE FROM rnd WHERE id = k;
        ELSE
            -- a rolled-back subtransaction
            BEGIN
                UPDATE rnd SET t = 'never' WHERE id = k;
                DELETE FROM rnd WHERE id <> k AND id % 7 = 0;
                RAISE EXCEPTION 'roll back';
            EXCEPTION WHEN raise_exception THEN
                NULL;
            END;
        END IF;
        IF x % 50 = 0 THEN
            COMMIT;
        END IF;
    END LOOP;
END
$$;
-- a primary key change, and an aborted transaction
UPDATE rnd SET id = id + 1000 WHERE id = (SELECT min(id) FROM rnd);
BEGIN;
DELETE FROM rnd;
ROLLBACK;

-- the same number of changes per operation as test_decoding
WITH ours AS (
    SELECT data::jsonb ->> 'op' AS op, count(*) AS n
    FROM pg_logical_slot_peek_changes('rnd_ours', NULL, NULL) GROUP BY 1),
theirs AS (
    SELECT lower(substring(data FROM '^table public\.rnd: ([A-Z]+):')) AS op, count(*) AS n
    FROM pg_logical_slot_peek_changes('rnd_td', NULL, NULL)
    WHERE data LIKE 'table public.rnd:%' GROUP BY 1)
SELECT op, ours.n = theirs.n AS same_count, ours.n > 0 AS some
FROM ours FULL JOIN theirs USING (op) ORDER BY op;

-- loading the stream as-is rebuilds the table
CREATE FUNCTION apply_change(r jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF r ->> 'op' IN ('update', 'delete') THEN
        DELETE FROM rnd_copy WHERE id = coalesce(r -> 'old' ->> 'id', r -> 'new' ->> 'id')::int;
    END IF;
    IF r ->> 'op' IN ('insert', 'update') THEN
        INSERT INTO rnd_copy SELECT * FROM jsonb_populate_record(NULL::rnd_copy, r -> 'new');
    END IF;
END
$$;
DO $$
DECLARE
    change record;
BEGIN
    FOR change IN SELECT data FROM pg_logical_slot_get_changes('rnd_ours', NULL, NULL, 'add-tables', 'public.rnd') LOOP
        PERFORM apply_change(change.data::jsonb);
    END LOOP;
END
$$;
SELECT (SELECT count(*) FROM rnd) > 100 AS enough_rows,
       (SELECT count(*) FROM (TABLE rnd EXCEPT ALL TABLE rnd_copy) AS d) AS missing_in_copy,
       (SELECT count(*) FROM (TABLE rnd_copy EXCEPT ALL TABLE rnd) AS d) AS extra_in_copy;

SELECT pg_drop_replication_slot('rnd_ours');
SELECT pg_drop_replication_slot('rnd_td');
DROP FUNCTION apply_change;
DROP TABLE rnd, rnd_copy;
