# Lag SLA checks on a real primary + hot standby: standby_lag says ok, a paused
# replay with WAL piling up moves the verdict to critical under a small policy,
# local_lag and assert_fresh (SQLSTATE 55R02) on the standby, recovery after
# resume, metrics() accepted by promtool, failover_candidates, config_audit.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use ReadScale::Pair qw(new_primary new_standby);

my $primary = new_primary('lag_primary');
my $standby = new_standby($primary, 'lag_standby');

# Caught up and streaming: ok under the GUC defaults, no policy row.
ok($primary->poll_query_until('postgres',
		"SELECT verdict = 'ok' AND policy IS NULL AND replay_lag IS NOT NULL FROM readscale.standby_lag WHERE application_name = 'lag_standby'"),
	'caught-up standby is ok, with a time lag (0 when idle), under the defaults');
is($primary->safe_psql('postgres', "SELECT scope || ' ' || application_name || ' ' || verdict FROM readscale.check_lag()"),
	'standby lag_standby ok', 'check_lag on the primary: one standby row');
is($primary->safe_psql('postgres', 'SELECT rank, application_name FROM readscale.failover_candidates'),
	'1|lag_standby', 'failover_candidates ranks the standby first');
is($standby->safe_psql('postgres', "SELECT scope || ' ' || verdict FROM readscale.check_lag()"),
	'local ok', 'check_lag on the standby: one local row');
is($standby->safe_psql('postgres', "SELECT count(*) FROM readscale.standby_lag"), '0',
	'standby_lag on a standby without cascading standbys is empty');

# A policy for this standby: 1 kB is critical.
$primary->safe_psql('postgres',
	"INSERT INTO readscale.lag_policy (application_name_pattern, warning_bytes, critical_bytes) VALUES ('lag\\_%', 0, 1024), ('%', NULL, NULL)");

# Staleness is known only once the standby has replayed a commit since it started:
# let it replay the policy insert before pausing (a loaded machine could pause first).
$primary->wait_for_catchup($standby, 'replay');

# Pause replay on the standby, then write WAL on the primary.
$standby->safe_psql('postgres', 'SELECT pg_wal_replay_pause()');
ok($standby->poll_query_until('postgres', "SELECT pg_get_wal_replay_pause_state() = 'paused'"), 'replay paused');
$primary->safe_psql('postgres', 'CREATE TABLE lagging AS SELECT g AS id, repeat(\'x\', 100) AS v FROM generate_series(1, 10000) g');
my $written = $primary->lsn('insert');

ok($primary->poll_query_until('postgres',
		"SELECT verdict = 'critical' FROM readscale.standby_lag WHERE application_name = 'lag_standby'"),
	'verdict moves to critical while replay is paused');
my $row = $primary->safe_psql('postgres',
	"SELECT policy, state, apply_bytes > 0, total_lag_bytes > 1024, reason FROM readscale.standby_lag WHERE application_name = 'lag_standby'");
my ($policy, $state, $apply, $total, $reason) = split /\|/, $row;
is($policy, 'lag\\_%', 'the most specific policy applied');
is($state, 'streaming', 'still streaming');
is($apply, 't', 'the lag is apply lag (flushed, not replayed)');
is($total, 't', 'total lag above the critical threshold');
like($reason, qr/exceeds the critical threshold 1024 bytes/, 'reason names the threshold');

# local_lag on the standby, once the WAL has arrived.
ok($standby->poll_query_until('postgres', "SELECT receive_lsn >= '$written'::pg_lsn FROM readscale.local_lag"),
	'standby received the WAL');
is($standby->safe_psql('postgres',
		'SELECT receive_replay_bytes > 0, replay_paused, wal_receiver_streaming, wal_receiver_status, staleness > interval \'0\', since_last_message IS NOT NULL FROM readscale.local_lag'),
	't|t|t|streaming|t|t', 'local_lag: bytes behind, paused, streaming, stale');

# assert_fresh: 55R02 while paused, with detail and hint.
my ($ret, $stdout, $stderr) = $standby->psql('postgres', "SELECT readscale.assert_fresh('1 ms')",
	extra_params => [ '-v', 'VERBOSITY=sqlstate' ]);
isnt($ret, 0, 'assert_fresh fails while replay is paused');
like($stderr, qr/55R02/, 'with SQLSTATE 55R02');
($ret, $stdout, $stderr) = $standby->psql('postgres', "SELECT readscale.assert_fresh('1 ms')");
like($stderr, qr/ERROR:  standby data is .* stale, more than the allowed 1 ms/, 'message says how stale');
like($stderr, qr/DETAIL:  Unreplayed WAL: \d+ (bytes|kB|MB)\./, 'detail gives the unreplayed WAL');
like($stderr, qr/HINT:  Read from the primary/, 'hint says what to do');
($ret, $stdout, $stderr) = $standby->psql('postgres',
	"SET readscale.lag_critical_bytes = '1kB'; SELECT readscale.assert_fresh()",
	extra_params => [ '-v', 'VERBOSITY=sqlstate' ]);
like($stderr, qr/55R02/, 'assert_fresh() without max_staleness uses readscale.lag_critical_bytes');
is($standby->safe_psql('postgres', "SELECT readscale.assert_fresh('1 day')::text = ''"), 't',
	'a generous max_staleness passes while paused');
($ret, $stdout, $stderr) = $standby->psql('postgres', "SELECT readscale.assert_fresh(max_staleness => '1 ms')");
like($stderr, qr/stale, more than the allowed 1 ms/, 'assert_fresh(max_staleness => ...) fails while paused');
($ret, $stdout, $stderr) = $standby->psql('postgres', "SELECT readscale.assert_fresh(max_lag => '1 ms')");
like($stderr, qr/stale, more than the allowed 1 ms/, 'its 0.1 name max_lag still works');

# Metrics on both nodes, accepted by promtool.
my $metrics = $primary->safe_psql('postgres', 'SELECT readscale.metrics()');
like($metrics, qr/^readscale_standby_verdict\{application_name="lag_standby"\} 2$/m, 'metrics: critical verdict gauge');
like($metrics, qr/^readscale_standby_lag_bytes\{application_name="lag_standby",kind="apply"\} [1-9]\d*$/m,
	'metrics: apply bytes');
my $standby_metrics = $standby->safe_psql('postgres', 'SELECT readscale.metrics()');
like($standby_metrics, qr/^readscale_wal_receiver_up 1$/m, 'metrics: WAL receiver up');
like($standby_metrics, qr/^readscale_local_replay_paused 1$/m, 'metrics: replay paused');
for my $text ($metrics, $standby_metrics)
{
	my ($out, $err);
	my $ok = IPC::Run::run([ 'promtool', 'check', 'metrics' ], '<', \"$text\n", '>', \$out, '2>', \$err);
	ok($ok, 'promtool check metrics passes') or diag("$out$err");
}

# Resume: the standby catches up, assert_fresh passes, the verdict returns to ok.
$standby->safe_psql('postgres', 'SELECT pg_wal_replay_resume()');
$primary->wait_for_catchup($standby, 'replay');
ok($standby->poll_query_until('postgres', "SELECT readscale.assert_fresh('1 ms')::text = ''"),
	'assert_fresh passes after resume');
ok($primary->poll_query_until('postgres',
		"SELECT verdict = 'ok' FROM readscale.standby_lag WHERE application_name = 'lag_standby'"),
	'verdict back to ok after resume');
ok($standby->poll_query_until('postgres', "SELECT NOT replay_paused AND staleness = interval '0' FROM readscale.local_lag"),
	'local_lag: not paused, staleness 0 once caught up');

# config_audit: standby-only findings, and a synchronous standby name that is not connected.
is($standby->safe_psql('postgres',
		"SELECT string_agg(setting, ',' ORDER BY setting) FROM readscale.config_audit() WHERE setting IN ('default_transaction_read_only', 'hot_standby_feedback')"),
	'default_transaction_read_only', 'standby audit: read-only default flagged, feedback (on) not');
$primary->safe_psql('postgres', "ALTER SYSTEM SET synchronous_standby_names = 'FIRST 1 (lag_standby, ghost)'; SELECT pg_reload_conf()");
ok($primary->poll_query_until('postgres',
		"SELECT string_agg(finding, ';') LIKE '%\"ghost\"%' AND string_agg(finding, ';') NOT LIKE '%\"lag_standby\"%' FROM readscale.config_audit() WHERE setting = 'synchronous_standby_names'"),
	'audit names the absent synchronous standby only');
$primary->safe_psql('postgres', "ALTER SYSTEM RESET synchronous_standby_names; SELECT pg_reload_conf()");

$primary->stop;
$standby->stop;
for my $node ($primary, $standby)
{
	unlike(slurp_file($node->logfile), qr/terminated by signal/, $node->name . ' log shows no crash');
}

done_testing();
