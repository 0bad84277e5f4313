-- batch-bytes: change lines of one transaction share an output message,
-- joined by '\n'; the lines are those of the unbatched stream, in order.
SET synchronous_commit = on;

CREATE TABLE batch_probe (id int PRIMARY KEY, note text);
CREATE TABLE batch_other (id int PRIMARY KEY);

SELECT 'init' FROM pg_create_logical_replication_slot('batch_slot', 'readscale_decoder');

INSERT INTO batch_probe VALUES (1, 'one'), (2, 'two');
INSERT INTO batch_probe SELECT g, repeat('x', 40) || g FROM generate_series(3, 502) g;
BEGIN;
UPDATE batch_probe SET note = 'updated' WHERE id <= 10;
SELECT 'msg' FROM pg_logical_emit_message(true, 'batch', 'transactional');
SELECT 'msg' FROM pg_logical_emit_message(false, 'batch', 'not transactional');
DELETE FROM batch_probe WHERE id BETWEEN 11 AND 20;
INSERT INTO batch_other VALUES (1);
TRUNCATE batch_other;
COMMIT;
-- one line longer than the smallest batch
INSERT INTO batch_probe VALUES (1000, repeat('y', 3000));
SELECT 'msg' FROM pg_logical_emit_message(false, 'batch', 'between transactions');
INSERT INTO batch_probe VALUES (1001, 'last');

-- the same range decoded with and without batching: the same lines, in the same order
CREATE TEMP TABLE unbatched AS
SELECT n, lsn, data FROM pg_logical_slot_peek_changes('batch_slot', NULL, NULL,
    'include-xids', '1', 'include-lsn', '1') WITH ORDINALITY AS t(lsn, xid, data, n);
CREATE TEMP TABLE batched AS
SELECT n, lsn, data FROM pg_logical_slot_peek_changes('batch_slot', NULL, NULL,
    'include-xids', '1', 'include-lsn', '1', 'batch-bytes', '1024') WITH ORDINALITY AS t(lsn, xid, data, n);
SELECT (SELECT count(*) FROM unbatched) AS unbatched_messages,
       (SELECT count(*) FROM batched) < 100 AS fewer_batched_messages,
       (SELECT string_agg(data, E'\n' ORDER BY n) FROM unbatched) =
       (SELECT string_agg(data, E'\n' ORDER BY n) FROM batched) AS same_text;

CREATE TEMP VIEW batched_lines AS
SELECT b.n, b.lsn, b.data AS message, l.line, l.i, count(*) OVER (PARTITION BY b.n) AS lines
FROM batched b, regexp_split_to_table(b.data, E'\n') WITH ORDINALITY AS l(line, i);

-- per transaction: the unbatched lines of each transaction joined equal its batched messages joined
SELECT count(*) AS transactions,
       bool_and(u.text = b.text) AS same_per_transaction
FROM (SELECT data::jsonb ->> 'xid' AS xid, string_agg(data, E'\n' ORDER BY n) AS text
      FROM unbatched WHERE data::jsonb ? 'xid' GROUP BY 1) u
JOIN (SELECT line::jsonb ->> 'xid' AS xid, string_agg(line, E'\n' ORDER BY n, i) AS text
      FROM batched_lines WHERE line::jsonb ? 'xid' GROUP BY 1) b USING (xid);

-- a message never mixes transactions, and a non-transactional message stands alone
SELECT count(*) AS mixed FROM batched_lines
GROUP BY n HAVING count(DISTINCT coalesce(line::jsonb ->> 'xid', 'none')) > 1;
SELECT lines, line::jsonb ->> 'content' AS content FROM batched_lines
WHERE line::jsonb ->> 'transactional' = 'false' ORDER BY n;

-- each message is at most 1024 bytes unless it is one longer line; its LSN is its last line's
SELECT count(*) FILTER (WHERE octet_length(data) > 1024) AS over_limit,
       count(*) FILTER (WHERE octet_length(data) > 1024 AND strpos(data, E'\n') > 0) AS over_limit_with_two_lines,
       count(*) FILTER (WHERE strpos(data, E'\n') > 0) AS with_several_lines
FROM batched;
SELECT count(*) AS messages, bool_and(lsn = (line::jsonb ->> 'lsn')::pg_lsn) AS lsn_of_last_line
FROM batched_lines WHERE i = lines;

-- the 502-row transaction is split at 1024 bytes, and fits one message of 64kB
SELECT count(DISTINCT n) > 10 AS big_transaction_split FROM batched_lines
WHERE line::jsonb ->> 'xid' = (SELECT line::jsonb ->> 'xid' FROM batched_lines WHERE line LIKE '%"id":502,%');
SELECT count(*) AS messages, max(octet_length(data)) > 20000 AS one_large
FROM pg_logical_slot_peek_changes('batch_slot', NULL, NULL, 'batch-bytes', '65536');

-- begin and commit records are messages of their own
SELECT count(*) FILTER (WHERE CASE WHEN strpos(data, E'\n') = 0 THEN data::jsonb ->> 'op' IN ('begin', 'commit') END)
           AS begin_commit_messages,
       count(*) FILTER (WHERE strpos(data, E'\n') > 0 AND data ~ '"op":"(begin|commit)"') AS mixed_with_begin_commit,
       (SELECT string_agg(data, E'\n' ORDER BY n) FROM pg_logical_slot_peek_changes('batch_slot', NULL, NULL,
            'include-transaction', '1') WITH ORDINALITY AS u(lsn, xid, data, n)) =
       string_agg(data, E'\n' ORDER BY n) AS same_text
FROM pg_logical_slot_peek_changes('batch_slot', NULL, NULL,
    'include-transaction', '1', 'batch-bytes', '2048') WITH ORDINALITY AS t(lsn, xid, data, n);

SELECT count(*) > 0 AS consumed FROM pg_logical_slot_get_changes('batch_slot', NULL, NULL);

-- a streamed transaction: lines batched per stream block, the same text
SET logical_decoding_work_mem = '64kB';
INSERT INTO batch_probe SELECT g, repeat('s', 30) FROM generate_series(2000, 6999) g;
SELECT count(*) FILTER (WHERE data::jsonb ->> 'op' = 'stream_start') > 1 AS several_blocks,
       (SELECT string_agg(data, E'\n' ORDER BY n) FROM pg_logical_slot_peek_changes('batch_slot', NULL, NULL,
            'stream-changes', '1') WITH ORDINALITY AS u(lsn, xid, data, n)) =
       (SELECT string_agg(data, E'\n' ORDER BY n) FROM pg_logical_slot_peek_changes('batch_slot', NULL, NULL,
            'stream-changes', '1', 'batch-bytes', '4096') WITH ORDINALITY AS b(lsn, xid, data, n)) AS same_text
FROM pg_logical_slot_peek_changes('batch_slot', NULL, NULL, 'stream-changes', '1');
SELECT count(*) AS mixed_with_stream_records
FROM pg_logical_slot_peek_changes('batch_slot', NULL, NULL, 'stream-changes', '1', 'batch-bytes', '4096')
WHERE strpos(data, E'\n') > 0 AND data ~ '"op":"stream_';
RESET logical_decoding_work_mem;

-- bad values name the option and the accepted values
\set VERBOSITY default
SELECT data FROM pg_logical_slot_peek_changes('batch_slot', NULL, NULL, 'batch-bytes', '-1');
\echo :LAST_ERROR_SQLSTATE
SELECT data FROM pg_logical_slot_peek_changes('batch_slot', NULL, NULL, 'batch-bytes', '1.5');
SELECT data FROM pg_logical_slot_peek_changes('batch_slot', NULL, NULL, 'batch-bytes', '1023');
SELECT data FROM pg_logical_slot_peek_changes('batch_slot', NULL, NULL, 'batch-bytes', '16777217');
SELECT data FROM pg_logical_slot_peek_changes('batch_slot', NULL, NULL, 'batch-bytes', '');
SELECT data FROM pg_logical_slot_peek_changes('batch_slot', NULL, NULL, 'format', 'wal2json-v2', 'batch-bytes', '4096');
\echo :LAST_ERROR_SQLSTATE
-- wal2json-v2 sends numeric as numbers: numeric-as-string would be silently ignored
SELECT data FROM pg_logical_slot_peek_changes('batch_slot', NULL, NULL, 'format', 'wal2json-v2', 'numeric-as-string', 'on');
\echo :LAST_ERROR_SQLSTATE
-- 0 is today's behaviour, in both formats
SELECT count(*) FROM pg_logical_slot_peek_changes('batch_slot', NULL, NULL, 'format', 'wal2json-v2', 'batch-bytes', '0');

SELECT 'dropped' FROM pg_drop_replication_slot('batch_slot');
DROP TABLE batch_probe, batch_other;
