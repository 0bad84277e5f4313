-- readscale_decoder filters inside the server: tables, columns, actions, message prefixes.
SET synchronous_commit = on;
SET extra_float_digits = 0;

CREATE SCHEMA "sch.one";
CREATE TABLE public.users (id int PRIMARY KEY, email text, name text);
CREATE TABLE public.orders (id int PRIMARY KEY, total numeric);
CREATE TABLE "sch.one"."a,b" (id int PRIMARY KEY);
CREATE TABLE "sch.one".orders (id int PRIMARY KEY);

SELECT 'init' FROM pg_create_logical_replication_slot('filter_slot', 'readscale_decoder');

INSERT INTO public.users VALUES (1, 'a@example.com', 'Ann');
INSERT INTO public.orders VALUES (1, 12.50);
INSERT INTO "sch.one"."a,b" VALUES (1);
INSERT INTO "sch.one".orders VALUES (1);
UPDATE public.users SET name = 'Anna' WHERE id = 1;
DELETE FROM public.orders WHERE id = 1;

-- wildcard schema
SELECT data FROM pg_logical_slot_peek_changes('filter_slot', NULL, NULL, 'add-tables', '*.orders');
-- wildcard table, minus one excluded table
SELECT data FROM pg_logical_slot_peek_changes('filter_slot', NULL, NULL,
    'add-tables', 'public.*', 'filter-tables', 'public.orders');
-- quoted names holding a dot and a comma, and the same with backslashes
SELECT data FROM pg_logical_slot_peek_changes('filter_slot', NULL, NULL, 'add-tables', '"sch.one"."a,b"');
SELECT data FROM pg_logical_slot_peek_changes('filter_slot', NULL, NULL, 'add-tables', 'sch\.one.a\,b');
-- excluding a column, or sending only some
SELECT data FROM pg_logical_slot_peek_changes('filter_slot', NULL, NULL,
    'add-tables', 'public.users', 'filter-columns', 'public.users.email');
SELECT data FROM pg_logical_slot_peek_changes('filter_slot', NULL, NULL,
    'add-tables', 'public.users', 'add-columns', 'public.users.id, public.users.name');
-- operations
SELECT data FROM pg_logical_slot_peek_changes('filter_slot', NULL, NULL, 'actions', 'update,delete');
-- numeric as a string
SELECT data FROM pg_logical_slot_peek_changes('filter_slot', NULL, NULL,
    'add-tables', 'public.orders', 'actions', 'insert', 'numeric-as-string', '1');

-- transactions left empty by the filters send no begin or commit
SELECT data FROM pg_logical_slot_get_changes('filter_slot', NULL, NULL,
    'add-tables', 'public.users', 'include-transaction', '1');

-- a filtered-out table and a sent one in the same transaction, then DDL between changes:
-- the cached plan is rebuilt after the relcache invalidation
BEGIN;
INSERT INTO public.orders VALUES (2, 1);
INSERT INTO public.users VALUES (2, 'b@example.com', 'Bob');
ALTER TABLE public.users ADD COLUMN age int;
INSERT INTO public.users VALUES (3, 'c@example.com', 'Cy', 33);
ALTER TABLE public.users DROP COLUMN email;
INSERT INTO public.users VALUES (4, 'Di', 44);
COMMIT;
SELECT data FROM pg_logical_slot_get_changes('filter_slot', NULL, NULL, 'filter-tables', 'public.orders');

-- a schema renamed between changes: names and filter decisions follow it
CREATE SCHEMA before_rename;
CREATE TABLE before_rename.t (id int PRIMARY KEY);
SELECT count(*) AS rows_from_ddl FROM pg_logical_slot_get_changes('filter_slot', NULL, NULL);
INSERT INTO before_rename.t VALUES (1);
ALTER SCHEMA before_rename RENAME TO after_rename;
INSERT INTO after_rename.t VALUES (2);
SELECT data FROM pg_logical_slot_peek_changes('filter_slot', NULL, NULL);
SELECT data FROM pg_logical_slot_get_changes('filter_slot', NULL, NULL, 'add-tables', 'after_rename.*');
DROP SCHEMA after_rename CASCADE;

-- truncate, with its flags, filtered like other changes
CREATE TABLE public.parent (id int PRIMARY KEY);
CREATE TABLE public.child (id int REFERENCES public.parent);
CREATE TABLE public.seq_t (id serial);
SELECT count(*) AS rows_from_ddl FROM pg_logical_slot_get_changes('filter_slot', NULL, NULL);
TRUNCATE public.parent CASCADE;
TRUNCATE public.seq_t RESTART IDENTITY;
SELECT data FROM pg_logical_slot_peek_changes('filter_slot', NULL, NULL);
SELECT data FROM pg_logical_slot_peek_changes('filter_slot', NULL, NULL, 'filter-tables', 'public.child');
SELECT count(*) AS truncates_without_action
FROM pg_logical_slot_get_changes('filter_slot', NULL, NULL, 'actions', 'insert,update,delete');

-- logical messages, transactional or not, with prefix filters
SELECT 'm1' FROM pg_logical_emit_message(false, 'audit', E'plain "text"\n');
BEGIN;
SELECT 'm2' FROM pg_logical_emit_message(true, 'app', 'in a transaction');
SELECT 'm3' FROM pg_logical_emit_message(true, 'audit', '');
COMMIT;
SELECT data FROM pg_logical_slot_peek_changes('filter_slot', NULL, NULL);
SELECT data FROM pg_logical_slot_peek_changes('filter_slot', NULL, NULL, 'add-msg-prefixes', 'app');
SELECT data FROM pg_logical_slot_get_changes('filter_slot', NULL, NULL,
    'filter-msg-prefixes', 'app', 'include-transaction', '1');

-- a message in a rolled-back transaction is not sent; a non-transactional one is
BEGIN;
SELECT 'm4' FROM pg_logical_emit_message(true, 'app', 'rolled back');
SELECT 'm5' FROM pg_logical_emit_message(false, 'app', 'sent anyway');
ROLLBACK;
-- (a committed transaction flushes the WAL holding the non-transactional message)
INSERT INTO public.orders VALUES (9, 0);
SELECT data FROM pg_logical_slot_get_changes('filter_slot', NULL, NULL, 'filter-tables', 'public.orders');

-- bad filter values name the option and what it accepts
SELECT data FROM pg_logical_slot_peek_changes('filter_slot', NULL, NULL, 'add-tables', 'nodot');
\echo :LAST_ERROR_SQLSTATE
SELECT data FROM pg_logical_slot_peek_changes('filter_slot', NULL, NULL, 'filter-tables', '"open.t');
\echo :LAST_ERROR_SQLSTATE
SELECT data FROM pg_logical_slot_peek_changes('filter_slot', NULL, NULL, 'filter-columns', 'public.users');
\echo :LAST_ERROR_SQLSTATE
SELECT data FROM pg_logical_slot_peek_changes('filter_slot', NULL, NULL, 'add-columns', 'a.b.c.d');
\echo :LAST_ERROR_SQLSTATE
SELECT data FROM pg_logical_slot_peek_changes('filter_slot', NULL, NULL, 'actions', 'insert,upsert');
\echo :LAST_ERROR_SQLSTATE
SELECT data FROM pg_logical_slot_peek_changes('filter_slot', NULL, NULL, 'add-msg-prefixes', '');
\echo :LAST_ERROR_SQLSTATE
SELECT data FROM pg_logical_slot_peek_changes('filter_slot', NULL, NULL, 'filter-origins', '0');
\echo :LAST_ERROR_SQLSTATE
SELECT data FROM pg_logical_slot_peek_changes('filter_slot', NULL, NULL, 'numeric-as-string', 'perhaps');
\echo :LAST_ERROR_SQLSTATE
SELECT data FROM pg_logical_slot_peek_changes('filter_slot', NULL, NULL, 'include-origin', 'x');
\echo :LAST_ERROR_SQLSTATE
SELECT data FROM pg_logical_slot_peek_changes('filter_slot', NULL, NULL,
    'include-generated-columns', '2');
\echo :LAST_ERROR_SQLSTATE
SELECT data FROM pg_logical_slot_peek_changes('filter_slot', NULL, NULL,
    'add-tables', 'public.*', 'add-tables', 'x.*');
\echo :LAST_ERROR_SQLSTATE

SELECT pg_drop_replication_slot('filter_slot');
DROP TABLE public.users, public.orders, public.child, public.parent, public.seq_t;
DROP SCHEMA "sch.one" CASCADE;
