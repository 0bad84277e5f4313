-- readscale_decoder transactions: subtransactions, replica identities, origins,
-- two-phase commit and streaming of large in-progress transactions.
SET synchronous_commit = on;

CREATE TABLE txn_probe (id int PRIMARY KEY, u int NOT NULL, v text);
CREATE UNIQUE INDEX txn_probe_u ON txn_probe (u);
SELECT 'init' FROM pg_create_logical_replication_slot('txn_slot', 'readscale_decoder');

-- a rolled-back subtransaction's rows are not sent
BEGIN;
INSERT INTO txn_probe VALUES (1, 10, 'kept');
SAVEPOINT s1;
INSERT INTO txn_probe VALUES (2, 20, 'rolled back');
ROLLBACK TO s1;
INSERT INTO txn_probe VALUES (3, 30, 'kept too');
COMMIT;
SELECT data FROM pg_logical_slot_get_changes('txn_slot', NULL, NULL);

-- the old row under each replica identity
UPDATE txn_probe SET id = 4 WHERE id = 3;
ALTER TABLE txn_probe REPLICA IDENTITY USING INDEX txn_probe_u;
UPDATE txn_probe SET u = 40 WHERE id = 4;
ALTER TABLE txn_probe REPLICA IDENTITY FULL;
UPDATE txn_probe SET v = 'full' WHERE id = 4;
ALTER TABLE txn_probe REPLICA IDENTITY NOTHING;
UPDATE txn_probe SET v = 'nothing' WHERE id = 4;
DELETE FROM txn_probe WHERE id = 4;
ALTER TABLE txn_probe REPLICA IDENTITY DEFAULT;
DELETE FROM txn_probe WHERE id = 1;
SELECT data FROM pg_logical_slot_get_changes('txn_slot', NULL, NULL);

-- changes replayed under a replication origin: shown with include-origin, dropped by filter-origins
SELECT 'origin' FROM pg_replication_origin_create('upstream');
SELECT 'setup' FROM pg_replication_origin_session_setup('upstream');
INSERT INTO txn_probe VALUES (5, 50, 'replicated');
SELECT pg_replication_origin_session_reset();
INSERT INTO txn_probe VALUES (6, 60, 'local');
SELECT data::jsonb -> 'new' ->> 'v' AS v,
       (data::jsonb ->> 'origin')::int = (SELECT roident FROM pg_replication_origin WHERE roname = 'upstream') AS from_upstream
FROM pg_logical_slot_peek_changes('txn_slot', NULL, NULL, 'include-origin', '1');
SELECT data::jsonb -> 'new' ->> 'v' AS v
FROM pg_logical_slot_peek_changes('txn_slot', NULL, NULL, 'filter-origins',
    (SELECT roident::text FROM pg_replication_origin WHERE roname = 'upstream'));
SELECT count(*) AS consumed FROM pg_logical_slot_get_changes('txn_slot', NULL, NULL);
SELECT pg_replication_origin_drop('upstream');

-- two-phase: changes at PREPARE, the outcome later
SELECT 'init' FROM pg_create_logical_replication_slot('txn_2pc_slot', 'readscale_decoder', false, true);
BEGIN;
INSERT INTO txn_probe VALUES (7, 70, 'prepared');
PREPARE TRANSACTION 'gid "one"';
SELECT data FROM pg_logical_slot_get_changes('txn_2pc_slot', NULL, NULL, 'include-transaction', '1');
COMMIT PREPARED 'gid "one"';
BEGIN;
INSERT INTO txn_probe VALUES (8, 80, 'never');
PREPARE TRANSACTION 'gid two';
ROLLBACK PREPARED 'gid two';
BEGIN;
DELETE FROM txn_probe WHERE id = 6;
PREPARE TRANSACTION 'gid three';
SELECT data FROM pg_logical_slot_get_changes('txn_2pc_slot', NULL, NULL, 'add-tables', 'other.*');
COMMIT PREPARED 'gid three';
SELECT data FROM pg_logical_slot_get_changes('txn_2pc_slot', NULL, NULL);
SELECT pg_drop_replication_slot('txn_2pc_slot');

-- streaming: a transaction larger than logical_decoding_work_mem is sent in blocks before its commit
SET logical_decoding_work_mem = '64kB';
BEGIN;
INSERT INTO txn_probe SELECT g, g + 100000, 'streamed ' || g FROM generate_series(100, 2099) g;
SAVEPOINT s2;
INSERT INTO txn_probe SELECT g, g + 100000, 'aborted ' || g FROM generate_series(3000, 4999) g;
ROLLBACK TO s2;
INSERT INTO txn_probe VALUES (9, 90, 'last');
COMMIT;
BEGIN;
INSERT INTO txn_probe SELECT g, g + 100000, 'whole transaction aborted' FROM generate_series(6000, 7999) g;
ROLLBACK;
INSERT INTO txn_probe VALUES (10, 100, 'small');
CREATE TEMP TABLE streamed AS
SELECT ordinality AS n, data::jsonb AS j
FROM pg_logical_slot_get_changes('txn_slot', NULL, NULL, 'stream-changes', '1') WITH ORDINALITY;
SELECT j ->> 'op' AS op, count(*) > 0 AS present FROM streamed GROUP BY 1 ORDER BY 1;
-- what a consumer applies: inserts not discarded by a stream_abort for their transaction or subtransaction
SELECT split_part(c.j -> 'new' ->> 'v', ' ', 1) AS kind, c.j ? 'subxid' AS sub, count(*) AS applied_inserts
FROM streamed c
WHERE c.j ->> 'op' = 'insert'
  AND NOT EXISTS (SELECT 1 FROM streamed a
                  WHERE a.j ->> 'op' = 'stream_abort' AND a.j ->> 'xid' = c.j ->> 'xid'
                    AND (a.j ->> 'subxid' IS NULL OR a.j ->> 'subxid' = c.j ->> 'subxid'))
GROUP BY 1, 2 ORDER BY 1, 2;
-- every record of a stream block names its transaction; blocks open and close in turn
SELECT bool_and(j ? 'xid') AS stream_records_have_xid
FROM streamed s
WHERE s.n > (SELECT min(n) FROM streamed WHERE j ->> 'op' = 'stream_start')
  AND s.n < (SELECT max(n) FROM streamed WHERE j ->> 'op' IN ('stream_commit', 'stream_abort'));
SELECT count(*) FILTER (WHERE j ->> 'op' = 'stream_start') = count(*) FILTER (WHERE j ->> 'op' = 'stream_stop')
       AS blocks_balanced
FROM streamed;
SELECT count(*) AS stream_commits FROM streamed WHERE j ->> 'op' = 'stream_commit';
-- a small transaction is not streamed: an ordinary record, no xid
SELECT j FROM streamed WHERE j -> 'new' ->> 'v' = 'small';
-- streamed, not spilled to disk (at least the committed transaction: from 18 on the wholly
-- aborted one is skipped, being known aborted before it is decoded)
SELECT stream_txns >= 1 AS streamed, spill_txns = 0 AS nothing_spilled
FROM pg_stat_replication_slots WHERE slot_name = 'txn_slot';
RESET logical_decoding_work_mem;

SELECT pg_drop_replication_slot('txn_slot');
DROP TABLE txn_probe;
