-- readscale_decoder publication-names with publish_via_partition_root (PostgreSQL 13+):
-- changes to a partition are sent as the topmost published ancestor's, as pgoutput does.
SET synchronous_commit = on;

-- two levels; pr_us has its columns in another order (rows are converted to the root's)
CREATE TABLE pr (id int, region text, v int, PRIMARY KEY (id, region)) PARTITION BY LIST (region);
CREATE TABLE pr_eu PARTITION OF pr FOR VALUES IN ('eu');
CREATE TABLE pr_us (v int, region text, id int, PRIMARY KEY (id, region));
ALTER TABLE pr ATTACH PARTITION pr_us FOR VALUES IN ('us');
CREATE TABLE pr_asia PARTITION OF pr FOR VALUES IN ('asia') PARTITION BY RANGE (id);
CREATE TABLE pr_asia_low PARTITION OF pr_asia FOR VALUES FROM (0) TO (100);
CREATE PUBLICATION pub_via_root FOR TABLE pr WITH (publish_via_partition_root = true);
CREATE PUBLICATION pub_as_leaves FOR TABLE pr;
CREATE PUBLICATION pub_mid_root FOR TABLE pr_asia WITH (publish_via_partition_root = true);
CREATE PUBLICATION pub_root_cols FOR TABLE pr (id, v) WITH (publish_via_partition_root = true, publish = 'insert');
CREATE PUBLICATION pub_root_rows FOR TABLE pr WHERE (v > 10) WITH (publish_via_partition_root = true, publish = 'insert');
SELECT 'init' FROM pg_create_logical_replication_slot('pr_slot', 'readscale_decoder');
SELECT 'init' FROM pg_create_logical_replication_slot('pr_pgoutput', 'pgoutput');

INSERT INTO pr VALUES (1, 'eu', 5), (2, 'us', 20), (3, 'asia', 30);
UPDATE pr SET v = v + 1 WHERE id = 2;
UPDATE pr SET region = 'eu' WHERE id = 3;   -- moves between partitions: a delete and an insert
DELETE FROM pr WHERE id = 1;
TRUNCATE pr_eu;
TRUNCATE pr;

-- sent as the root, converted to its column order; truncate names the root only
SELECT data FROM pg_logical_slot_peek_changes('pr_slot', NULL, NULL, 'publication-names', 'pub_via_root');
-- without publish_via_partition_root: sent as the partitions, the partitioned tables themselves never
SELECT data FROM pg_logical_slot_peek_changes('pr_slot', NULL, NULL, 'publication-names', 'pub_as_leaves');
-- the topmost ancestor across publications wins: pr, not pr_asia
SELECT data FROM pg_logical_slot_peek_changes('pr_slot', NULL, NULL,
    'publication-names', 'pub_mid_root,pub_via_root', 'actions', 'insert');
-- a middle level published through its own publication
SELECT data FROM pg_logical_slot_peek_changes('pr_slot', NULL, NULL,
    'publication-names', 'pub_mid_root', 'actions', 'insert,update,delete');
-- the root's column list and row filter apply to the partitions' rows
SELECT data FROM pg_logical_slot_peek_changes('pr_slot', NULL, NULL, 'publication-names', 'pub_root_cols');
SELECT data FROM pg_logical_slot_peek_changes('pr_slot', NULL, NULL,
    'publication-names', 'pub_root_rows', 'actions', 'insert,update,delete');
-- table filters match the name sent
SELECT count(*) AS sent_as_root FROM pg_logical_slot_peek_changes('pr_slot', NULL, NULL,
    'publication-names', 'pub_via_root', 'add-tables', 'public.pr');
SELECT count(*) AS sent_as_partition FROM pg_logical_slot_peek_changes('pr_slot', NULL, NULL,
    'publication-names', 'pub_via_root', 'add-tables', 'public.pr_us');
-- wal2json-v2 format names the root too
SELECT data FROM pg_logical_slot_peek_changes('pr_slot', NULL, NULL, 'publication-names', 'pub_via_root',
    'format', 'wal2json-v2', 'include-transaction', 'false', 'include-types', 'false', 'actions', 'insert');

-- Differential check against pgoutput over the same WAL: operation and relation of every
-- I/U/D message (relation OID in bytes 1-4) against op and table of every record.
CREATE FUNCTION pr_compare(pubs text) RETURNS TABLE (readscale text, same_as_pgoutput boolean)
LANGUAGE sql AS $$
    WITH pgoutput AS (
        SELECT string_agg(chr(get_byte(data, 0)) || ':' || ((get_byte(data, 1)::bigint << 24 |
            get_byte(data, 2) << 16 | get_byte(data, 3) << 8 | get_byte(data, 4))::oid::regclass)::text, ' ' ORDER BY n) AS ops
        FROM pg_logical_slot_peek_binary_changes('pr_pgoutput', NULL, NULL, 'proto_version', '1',
            'publication_names', pubs) WITH ORDINALITY AS c(lsn, xid, data, n)
        WHERE chr(get_byte(data, 0)) IN ('I', 'U', 'D')
    ), ours AS (
        SELECT string_agg(upper(left(data::json->>'op', 1)) || ':' || (data::json->>'table'), ' ' ORDER BY n) AS ops
        FROM pg_logical_slot_peek_changes('pr_slot', NULL, NULL, 'publication-names', pubs,
            'actions', 'insert,update,delete') WITH ORDINALITY AS c(lsn, xid, data, n)
    )
    SELECT ours.ops, ours.ops = pgoutput.ops FROM ours, pgoutput
$$;
SELECT pubs, c.* FROM unnest(ARRAY['pub_via_root', 'pub_as_leaves', 'pub_mid_root', 'pub_as_leaves,pub_mid_root',
    'pub_root_rows']) AS pubs, pr_compare(pubs) AS c;

-- a root renamed between two changes: the partitions' records follow the new name
SELECT count(*) > 0 AS consumed FROM pg_logical_slot_get_changes('pr_slot', NULL, NULL);
INSERT INTO pr VALUES (10, 'us', 1);
ALTER TABLE pr RENAME TO pr_renamed;
INSERT INTO pr_renamed VALUES (11, 'us', 2);
SELECT data FROM pg_logical_slot_get_changes('pr_slot', NULL, NULL, 'publication-names', 'pub_via_root');

SELECT pg_drop_replication_slot('pr_slot');
SELECT pg_drop_replication_slot('pr_pgoutput');
DROP FUNCTION pr_compare(text);
DROP PUBLICATION pub_via_root, pub_as_leaves, pub_mid_root, pub_root_cols, pub_root_rows;
DROP TABLE pr_renamed;
