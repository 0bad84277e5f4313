-- readscale_decoder loads as an output plugin and emits one line per change.
SET synchronous_commit = on;

CREATE TABLE decoder_probe (id int PRIMARY KEY, name text, score float8, ok bool, doc jsonb);

SELECT 'init' FROM pg_create_logical_replication_slot('decoder_slot', 'readscale_decoder');

INSERT INTO decoder_probe VALUES (1, 'a "quoted"\ name', 1.5, true, '{"k": [1, 2]}');
INSERT INTO decoder_probe VALUES (2, E'tab\there\nnewline', 'NaN', NULL, NULL);
UPDATE decoder_probe SET name = 'renamed' WHERE id = 1;
DELETE FROM decoder_probe WHERE id = 2;

SELECT data FROM pg_logical_slot_get_changes('decoder_slot', NULL, NULL);

-- begin and commit records, with the transaction id shown as a property
INSERT INTO decoder_probe VALUES (3, 'x', 0, false, '[]');
SELECT data::jsonb ->> 'op' AS op, (data::jsonb ? 'xid') AS has_xid
FROM pg_logical_slot_get_changes('decoder_slot', NULL, NULL,
    'include-transaction', 'true', 'include-xids', '1');

-- an aborted transaction emits nothing
BEGIN;
INSERT INTO decoder_probe VALUES (4, 'rolled back', 0, false, NULL);
ROLLBACK;
SELECT count(*) AS rows_from_aborted FROM pg_logical_slot_get_changes('decoder_slot', NULL, NULL);

-- option spellings of booleans (a bare option, meaning true, is tested with pg_recvlogical in TAP)
INSERT INTO decoder_probe VALUES (5, 'y', 0, true, NULL);
SELECT data::jsonb ? 'lsn' AS has_lsn
FROM pg_logical_slot_get_changes('decoder_slot', NULL, NULL, 'include-lsn', 'On');

-- with REPLICA IDENTITY FULL the old row is complete; by default it holds only the key
ALTER TABLE decoder_probe REPLICA IDENTITY FULL;
UPDATE decoder_probe SET name = 'z' WHERE id = 5;
SELECT data FROM pg_logical_slot_get_changes('decoder_slot', NULL, NULL);
ALTER TABLE decoder_probe REPLICA IDENTITY DEFAULT;

-- bad options are refused with the option's name and the accepted values
SELECT data FROM pg_logical_slot_peek_changes('decoder_slot', NULL, NULL, 'no-such-option', 'x');
\echo :LAST_ERROR_SQLSTATE
SELECT data FROM pg_logical_slot_peek_changes('decoder_slot', NULL, NULL, 'include-xids', 'maybe');
\echo :LAST_ERROR_SQLSTATE
SELECT data FROM pg_logical_slot_peek_changes('decoder_slot', NULL, NULL, 'format', 'xml');
\echo :LAST_ERROR_SQLSTATE
SELECT data FROM pg_logical_slot_peek_changes('decoder_slot', NULL, NULL, 'include-xids', '1', 'include-xids', '0');
\echo :LAST_ERROR_SQLSTATE

SELECT pg_drop_replication_slot('decoder_slot');
DROP TABLE decoder_probe;
