# wait_for_lsn on a real hot standby: reached, timeout with SQLSTATE 55R01 and
# a fail-fast reason while replay is paused, release on resume, 100 concurrent
# waiters none released early, fail-fast waiters that are not the watcher
# ending when replay is paused, cancel and statement_timeout, the page-header
# fencepost, and promotion during the waits of several sessions.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use ReadScale::Pair qw(new_primary new_standby);
use ReadScale::Waiters qw(start_waiter start_psql finish_psql expected_wake_mode);
use ReadScale::Faults qw(client_waiters waiting_sql);

my $primary = new_primary('primary', "max_connections = 150\n");
my $standby = new_standby($primary, 'standby', "max_connections = 150\n");
$primary->safe_psql('postgres', 'CREATE TABLE t (id int PRIMARY KEY)');
$primary->wait_for_catchup($standby, 'replay');
my $wake_mode = expected_wake_mode($standby, 1);
is($standby->safe_psql('postgres', 'SELECT readscale.wait_mode()'), $wake_mode, "waiters are woken by: $wake_mode");

sub write_row
{
	my ($id) = @_;
	return $primary->safe_psql('postgres', "INSERT INTO t VALUES ($id); SELECT readscale.current_token()");
}

# Reached: the row is visible to the next statement.
my $token = write_row(1);
is($standby->safe_psql('postgres',
		"SELECT readscale.wait_for_lsn('$token', '10s'); SELECT count(*) FROM t WHERE id = 1"),
	"success\n1", 'wait returns success and the write is visible');

# Paused replay: fail fast with the reason, or wait out the timeout when asked not to fail fast.
$standby->safe_psql('postgres', 'SELECT pg_wal_replay_pause()');
$token = write_row(2);
my ($ret, $out, $err) = $standby->psql('postgres', "SELECT readscale.wait_for_lsn('$token', '5s')",
	extra_params => [ '-v', 'VERBOSITY=default' ]);
# The message prints the LSN as the server prints pg_lsn (zero-padded on 19): compare values, not texts.
my ($named) = $err =~ qr{replica has not replayed LSN ([0-9A-F]+/[0-9A-F]+) within 5000 ms};
is($standby->safe_psql('postgres', "SELECT '$named'::pg_lsn = '$token'::pg_lsn, '$named' = '$named'::pg_lsn::text"),
	't|t', 'timeout error names the LSN, as the server prints it');
like($err, qr/DETAIL:.*Replay is paused/, 'detail gives the fail-fast reason');
($ret, $out, $err) = $standby->psql('postgres', "SELECT readscale.wait_for_lsn('$token', '5s')",
	extra_params => [ '-v', 'VERBOSITY=sqlstate' ]);
like($err, qr/55R01/, 'SQLSTATE 55R01');
is($standby->safe_psql('postgres',
		"SELECT readscale.wait_for_lsn('$token', '200ms', on_timeout => 'return', fail_fast => false)"),
	'timeout', 'without fail-fast the wait runs to its timeout and returns the status');
is($standby->safe_psql('postgres', "SELECT readscale.is_caught_up('$token')"), 'f', 'not caught up while paused');

# 100 concurrent waiters on 100 different targets, all waiting while paused.
my @sessions;
for my $id (101 .. 200)
{
	my $row_token = write_row($id);
	push @sessions, start_waiter($standby,
		"SELECT readscale.wait_for_lsn('$row_token', '120s', fail_fast => false); SELECT count(*) FROM t WHERE id = $id");
}
ok($standby->poll_query_until('postgres',
		"SELECT count(*) = 100 FROM pg_stat_activity WHERE (wait_event_type = 'Extension' OR wait_event = 'WaitForWalReplay')"),
	'100 sessions are waiting');
is($standby->safe_psql('postgres', 'SELECT count(*) FROM t WHERE id > 100'), '0', 'none of their rows is visible yet');

# A waiter can be cancelled; statement_timeout ends a wait too.
my $cancelled = start_waiter($standby, "SELECT readscale.wait_for_lsn('$token', '120s', fail_fast => false)");
ok($standby->poll_query_until('postgres',
		"SELECT count(*) = 101 FROM pg_stat_activity WHERE (wait_event_type = 'Extension' OR wait_event = 'WaitForWalReplay')"), 'one more waiter');
$standby->safe_psql('postgres',
	"SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE (wait_event_type = 'Extension' OR wait_event = 'WaitForWalReplay') AND query LIKE '%(''$token'', ''120s''%'");
like($cancelled->query('\echo :LAST_ERROR_MESSAGE'), qr/canceling statement due to user request/,
	'pg_cancel_backend ends a wait');
$cancelled->quit;
($ret, $out, $err) = $standby->psql('postgres',
	"SET statement_timeout = '100ms'; SELECT readscale.wait_for_lsn('$token', '60s', fail_fast => false)");
like($err, qr/canceling statement due to statement timeout/, 'statement_timeout ends a wait');

$standby->safe_psql('postgres', 'SELECT pg_wal_replay_resume()');
my $released = 0;
for my $session (@sessions)
{
	my ($result, $failed) = $session->query('');
	$released++ if !$failed && $result eq "success\n1";
	$session->quit;
}
is($released, 100, 'all 100 waiters released on resume, each seeing its own row');
my $stats = $standby->safe_psql('postgres', 'SELECT waits >= 100, reached >= 100, cancelled >= 2 FROM readscale.gate_stats');
is($stats, 't|t|t', 'gate_stats counted the waits');

# Fail fast when the waiter is not the watcher: only the watcher wakes on a
# timer, so it must wake the others when replay is paused. The watcher (the
# first to register, fail_fast => false) is waiting before the two fail-fast
# waiters start; their timeout is long enough that only fail-fast can end them.
# Without the watcher's wake-up this failed with PG_TEST_TIMEOUT_DEFAULT=20; with
# the default timeout it would pass late, as a PostgreSQL timer (not ours) set
# the sleeping waiters' latches after 60 s in that run.
my $far = $primary->safe_psql('postgres', 'SELECT readscale.current_token() + 1024 * 1024 * 1024');
my $watcher = start_waiter($standby, "SELECT readscale.wait_for_lsn('$far', '600s', fail_fast => false)");
ok($standby->poll_query_until('postgres', waiting_sql(1)), 'the watcher waits first');
my @hasty = map { start_psql($standby, "SELECT readscale.wait_for_lsn('$far'::pg_lsn + $_, '600s')", 'verbose') } 1 .. 2;
ok($standby->poll_query_until('postgres', waiting_sql(3)), 'two fail-fast waiters wait behind it');
$standby->safe_psql('postgres', 'SELECT pg_wal_replay_pause()');
ok($standby->poll_query_until('postgres', waiting_sql(1)), 'pausing replay ends both fail-fast waits');
for my $session (@hasty)
{
	($ret, $out, $err) = finish_psql($session);
	like($err, qr/ERROR:  55R01: replica has not replayed LSN .* within 600000 ms\nDETAIL:  .*Replay is paused/,
		'a fail-fast waiter that is not the watcher ends with 55R01 and the reason');
}
is(client_waiters($standby), '1', 'the watcher (no fail-fast) goes on waiting');
$standby->safe_psql('postgres', 'SELECT pg_wal_replay_resume()');
$standby->safe_psql('postgres',
	"SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE (wait_event_type = 'Extension' OR wait_event = 'WaitForWalReplay') AND backend_type = 'client backend'");
like($watcher->query('\echo :LAST_ERROR_MESSAGE'), qr/canceling statement due to user request/, 'the watcher is cancelled');
$watcher->quit;

# Fencepost: the replayed LSN itself is caught up, one byte more is not.
$primary->wait_for_catchup($standby, 'replay');
my $replayed = $standby->safe_psql('postgres', 'SELECT pg_last_wal_replay_lsn()');
is($standby->safe_psql('postgres',
		"SELECT readscale.is_caught_up('$replayed'), readscale.is_caught_up('$replayed'::pg_lsn + 100000)"),
	't|f', 'fencepost at the replayed LSN');

# Page header: after a WAL switch replay stops exactly at the next segment's start S.
# A target inside S's long page header (S + 40) counts as reached; S + 41 does not.
my $segment_start = $primary->safe_psql('postgres',
	"SELECT pg_switch_wal(); SELECT pg_walfile_name_offset(pg_current_wal_lsn())");
$primary->wait_for_catchup($standby, 'replay');
my ($at, $header_end, $past) = split /\|/, $standby->safe_psql('postgres',
	"SELECT pg_last_wal_replay_lsn(), readscale.is_caught_up(pg_last_wal_replay_lsn() + 40), "
	  . "readscale.is_caught_up(pg_last_wal_replay_lsn() + 41)");
SKIP:
{
	my $at_boundary = $standby->safe_psql('postgres', "SELECT ('$at'::pg_lsn - '0/0') % (16 * 1024 * 1024) = 0");
	skip 'more WAL arrived after the switch', 2 unless $at_boundary eq 't';
	is($header_end, 't', 'a target inside the page header is reached at the page boundary');
	is($past, 'f', 'the first byte after the header is not');
}

# A fast shutdown ends a wait at once; after the restart the registry works again.
$token = $primary->safe_psql('postgres', "SELECT readscale.current_token() + 1024 * 1024 * 1024");
my $shutdown_waiter = start_psql($standby, "SELECT readscale.wait_for_lsn('$token', '120s', fail_fast => false)");
ok($standby->poll_query_until('postgres', "SELECT count(*) = 1 FROM pg_stat_activity WHERE (wait_event_type = 'Extension' OR wait_event = 'WaitForWalReplay')"),
	'a waiter waits before the restart');
$standby->restart;
($ret, $out, $err) = finish_psql($shutdown_waiter);
like($err, qr/terminating connection due to administrator command/, 'fast shutdown ends the wait');
$token = write_row(400);
is($standby->safe_psql('postgres', "SELECT readscale.wait_for_lsn('$token', '10s'); SELECT readscale.wait_mode()"),
	"success\n$wake_mode", "after the restart waits are woken by: $wake_mode");

# Promotion during a wait: every waiter learns the server is no longer in
# recovery. Only one of them (the watcher) re-checks on a timer; the others
# sleep until it wakes them. (Promotion replays all WAL received, so the
# targets lie beyond anything written.)
$token = $primary->safe_psql('postgres', "SELECT readscale.current_token() + 1024 * 1024 * 1024");
my @promoted_waiters = map {
	start_waiter($standby,
		"SELECT readscale.wait_for_lsn('$token'::pg_lsn + $_, '120s', on_timeout => 'return', fail_fast => false)")
} (1 .. 3);
ok($standby->poll_query_until('postgres', "SELECT count(*) = 3 FROM pg_stat_activity WHERE (wait_event_type = 'Extension' OR wait_event = 'WaitForWalReplay')"),
	'three waiters wait before promotion');
$standby->promote;
for my $waiter (@promoted_waiters)
{
	is($waiter->query_safe(''), 'not in recovery', 'promotion ends each wait with "not in recovery"');
	$waiter->quit;
}

$primary->stop;
$standby->stop;
unlike(slurp_file($_->logfile), qr/terminated by signal/, $_->name . ' log shows no crash') for ($primary, $standby);

done_testing();
