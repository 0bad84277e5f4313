-- Lag SLA: GUC defaults, the verdict function, policies and their constraints.
SET extra_float_digits = 0;

-- Defaults of the GUCs, and their units.
SELECT name, setting, unit, context FROM pg_settings WHERE name LIKE 'readscale.lag%' ORDER BY name;

-- The verdict function under the GUC defaults (10 s / 60 s, 16 MB / 256 MB).
SELECT * FROM readscale._lag_verdict('streaming', 0, '0', NULL, NULL, NULL, NULL, NULL);
SELECT * FROM readscale._lag_verdict('streaming', 0, '11 s', NULL, NULL, NULL, NULL, NULL);
SELECT * FROM readscale._lag_verdict('streaming', 300000000, '1 s', NULL, NULL, NULL, NULL, NULL);
SELECT * FROM readscale._lag_verdict('streaming', 100, NULL, NULL, NULL, NULL, NULL, NULL);
SELECT * FROM readscale._lag_verdict('catchup', 0, '0', NULL, NULL, NULL, NULL, NULL);
SELECT * FROM readscale._lag_verdict('catchup', 0, '0', NULL, NULL, NULL, NULL, false);
-- Explicit thresholds win over the GUCs; changing a GUC changes the default.
SELECT * FROM readscale._lag_verdict('streaming', 2048, '0', '1 min', '2 min', 1000, 4000, true);
-- Absurd intervals saturate instead of overflowing into a negative lag.
SELECT verdict FROM readscale._lag_verdict('streaming', 0, '178000000 years', NULL, NULL, NULL, NULL, NULL);
SELECT verdict FROM readscale._lag_verdict('streaming', 0, '-178000000 years', NULL, NULL, NULL, NULL, NULL);
SET readscale.lag_warning = '100ms';
SELECT * FROM readscale._lag_verdict('streaming', 0, '200 ms', NULL, NULL, NULL, NULL, NULL);
SET readscale.lag_warning = -1;
SELECT * FROM readscale._lag_verdict('streaming', 0, '20 s', NULL, NULL, NULL, NULL, NULL);
RESET readscale.lag_warning;
SET readscale.lag_critical_bytes = '1kB';
SHOW readscale.lag_critical_bytes;
RESET readscale.lag_critical_bytes;
-- Byte thresholds count kB, so realistic sizes beyond 2 GB fit.
SHOW readscale.lag_warning_bytes;
SET readscale.lag_critical_bytes = '64GB';
SHOW readscale.lag_critical_bytes;
SELECT verdict, reason FROM readscale._lag_verdict('streaming', 60 * 1073741824::bigint, '0', NULL, NULL, -1, NULL, NULL);
SELECT verdict, reason FROM readscale._lag_verdict('streaming', 65 * 1073741824::bigint, '0', NULL, NULL, -1, NULL, NULL);
SET readscale.lag_critical_bytes = '1TB';
SHOW readscale.lag_critical_bytes;
SET readscale.lag_critical_bytes = -1;
SHOW readscale.lag_critical_bytes;
SET readscale.lag_critical_bytes = '2TB';
\echo :LAST_ERROR_SQLSTATE
\i test/psql/set_out_of_range.sql
SELECT pg_temp.set_out_of_range('readscale.lag_critical_bytes', '-2kB');
SET readscale.lag_critical_bytes = '64 parsecs';
\echo :LAST_ERROR_SQLSTATE
RESET readscale.lag_critical_bytes;
-- Bad GUC values.
SELECT pg_temp.set_out_of_range('readscale.lag_warning', '-2');
SET readscale.lag_warning_bytes = 'lots';
\echo :LAST_ERROR_SQLSTATE
SET readscale.no_such_setting = 1;
\echo :LAST_ERROR_SQLSTATE

-- Valid policies: LIKE patterns, escapes included. Which one applies to a
-- standby is core's most_specific_match() (test/unit/lag_verdict_test.cpp);
-- TAP 300 shows it in standby_lag.policy.
INSERT INTO readscale.lag_policy (application_name_pattern, warning_lag, critical_lag, warning_bytes, critical_bytes)
VALUES ('%', '5 s', '30 s', NULL, NULL),
       ('replica%', '1 s', '5 s', 1024, 8192),
       ('replica_', NULL, NULL, NULL, NULL),
       ('replica1', '100 ms', '1 s', 0, 0),
       ('batch\_%', NULL, NULL, NULL, NULL);
SELECT application_name_pattern FROM readscale.lag_policy ORDER BY 1;

-- The 0.1 test helpers are not part of 0.2.
SELECT count(*) AS test_helpers FROM pg_proc
WHERE pronamespace = 'readscale'::regnamespace AND proname IN ('_match_policy', '_effective_lag');

-- Bad policy rows are rejected by their constraints (23514) or keys (23505, 23502).
INSERT INTO readscale.lag_policy (application_name_pattern) VALUES ('');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO readscale.lag_policy (application_name_pattern) VALUES ('dangling\');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO readscale.lag_policy (application_name_pattern, warning_lag) VALUES ('neg', '-1 s');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO readscale.lag_policy (application_name_pattern, critical_bytes) VALUES ('neg', -1);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO readscale.lag_policy (application_name_pattern, warning_lag, critical_lag) VALUES ('order', '10 s', '1 s');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO readscale.lag_policy (application_name_pattern, warning_bytes, critical_bytes) VALUES ('order', 10, 1);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO readscale.lag_policy (application_name_pattern) VALUES ('%');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO readscale.lag_policy (application_name_pattern) VALUES (NULL);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO readscale.lag_policy (application_name_pattern, non_streaming_is_critical) VALUES ('x', NULL);
\echo :LAST_ERROR_SQLSTATE

DELETE FROM readscale.lag_policy;
