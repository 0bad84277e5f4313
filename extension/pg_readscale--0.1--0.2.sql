-- pg_readscale 0.1 -> 0.2
-- 0.1 is released: its script never changes. Every change since goes here, and
-- CREATE EXTENSION of 0.2 runs 0.1 then this file, so a fresh install and an
-- upgraded one run the same statements.
\echo Use "ALTER EXTENSION pg_readscale UPDATE TO '0.2'" to load this file. \quit

-- == reads (gate, waits) ==


-- == lag, metrics, health ==


-- == slot guard ==


-- == hardening ==

