-- readscale.http_listen: off by default, needs a restart, validated by the core parser.
SHOW readscale.http_listen;
SELECT context FROM pg_settings WHERE name = 'readscale.http_listen';
SET readscale.http_listen = '8008';
\echo :LAST_ERROR_SQLSTATE
ALTER SYSTEM SET readscale.http_listen = 'localhost:8008';
\echo :LAST_ERROR_SQLSTATE
ALTER SYSTEM SET readscale.http_listen = '127.0.0.1:70000';
\echo :LAST_ERROR_SQLSTATE
ALTER SYSTEM SET readscale.http_listen = '127.0.0.1:8008';
ALTER SYSTEM SET readscale.http_listen = '[::1]:8008';
ALTER SYSTEM SET readscale.http_listen = '[::1]';
\echo :LAST_ERROR_SQLSTATE
ALTER SYSTEM SET readscale.http_listen = '[1::2::3]:8008';
\echo :LAST_ERROR_SQLSTATE
ALTER SYSTEM RESET readscale.http_listen;
-- The database /metrics runs readscale.metrics() in: postgres, fixed at start.
SELECT setting, context FROM pg_settings WHERE name = 'readscale.http_database';
-- The worker is not running: it is opt-in.
SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_readscale health endpoint';
