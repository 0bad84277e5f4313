# Faults with SIGKILL on a real primary + hot standby, both running the slot
# guard worker. (1) The standby's postmaster is killed while five sessions wait
# in wait_for_lsn and one in the gate: each client loses its connection (no
# ERROR, no SQLSTATE: the backend exits when it sees the postmaster gone); after
# the restart (crash recovery) waits work and are released, and the guard
# worker is back and acts. (2) The primary's postmaster is killed and
# restarted while standby sessions wait: fail-fast waiters, none of them the
# watcher, end at once with 55R01 (the WAL receiver is not streaming), the
# others keep waiting and are released once the restarted primary writes; its
# guard writes new audit rows.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use ReadScale::Pair qw(new_primary new_standby);
use ReadScale::Faults qw(kill9_and_wait client_waiters waiting_sql);
use ReadScale::Waiters qw(start_waiter start_psql finish_psql expected_wake_mode);

my $guard = "readscale.slot_guard_database = 'postgres'\nreadscale.slot_guard_interval = '200ms'\n";
my $primary = new_primary('kill_primary', $guard);
$primary->safe_psql('postgres', "SELECT 'init' FROM pg_create_physical_replication_slot('kill_standby_slot')");
my $standby = new_standby($primary, 'kill_standby',
	"${guard}readscale.slot_guard_dry_run = off\nprimary_slot_name = 'kill_standby_slot'\n");
$primary->safe_psql('postgres', 'CREATE TABLE t (id int)');
# The standby's worker may drop exactly this slot (a pattern never drops there).
$primary->safe_psql('postgres',
	"INSERT INTO readscale.slot_policy (slot_name_pattern, critical_bytes, action) VALUES ('kill_local_slot', 0, 'drop')");
$primary->wait_for_catchup($standby, 'replay');

my $guard_pid_sql = "SELECT pid FROM pg_stat_activity WHERE backend_type = 'pg_readscale slot guard'";
ok($standby->poll_query_until('postgres', "SELECT count(*) = 1 FROM ($guard_pid_sql) g"),
	'the slot guard worker runs on the standby');
my $old_guard_pid = $standby->safe_psql('postgres', $guard_pid_sql);

# A target 1 GB past the primary's position: nothing reaches it during the test.
sub far_target
{
	return $primary->safe_psql('postgres', 'SELECT pg_current_wal_lsn() + 1024 * 1024 * 1024');
}

# --- (1) the standby's postmaster killed while six sessions wait
my $far = far_target();
my @waiters = map { start_psql($standby, "SELECT readscale.wait_for_lsn('$far', '120s', fail_fast => false)") } 1 .. 5;
push @waiters, start_psql($standby,
	"SET readscale.gate_timeout = '120s'; BEGIN; SET LOCAL readscale.min_lsn = '$far'; SELECT 1; COMMIT");
ok($standby->poll_query_until('postgres', waiting_sql(6)),
	'five wait_for_lsn sessions and one gated SET are waiting');

ok(kill9_and_wait($standby), 'the standby postmaster is killed and its processes exit');
my $lost = 0;
my $stderr_seen = '';
for my $waiter (@waiters)
{
	my ($status, $out, $err) = finish_psql($waiter);
	$stderr_seen = $err;
	$lost++ if $status == 2 && $out eq '' && $err =~ /server closed the connection unexpectedly/
	  && $err !~ /ERROR/;
}
is($lost, 6, 'every waiter loses its connection (psql exit 2), with no ERROR and no result');
note("what a waiter's psql printed:\n$stderr_seen");

$standby->start;
ok($standby->wait_for_log(qr/database system was interrupted while in recovery/), 'it ran crash recovery');
is($standby->safe_psql('postgres', 'SELECT readscale.wait_mode()'), expected_wake_mode($standby, 1),
	'waits are woken as before the crash');

# A new wait on a target just ahead of the primary is released by the next write.
my $near = $primary->safe_psql('postgres', 'SELECT pg_current_wal_lsn() + 65536');
my $after = start_waiter($standby, "SELECT readscale.wait_for_lsn('$near', '120s', fail_fast => false)");
ok($standby->poll_query_until('postgres', waiting_sql(1)), 'a new waiter waits');
$primary->safe_psql('postgres', 'INSERT INTO t SELECT g FROM generate_series(1, 5000) g');
is($after->query_safe(''), 'success', 'after the restart a wait is released by replay');
$after->quit;
my $token = $primary->safe_psql('postgres', 'INSERT INTO t VALUES (-1); SELECT readscale.current_token()');
is($standby->safe_psql('postgres', "SELECT readscale.wait_for_lsn('$token', '30s'); SELECT count(*) FROM t WHERE id = -1"),
	"success\n1", 'and read-your-writes holds');

# The guard worker is a new process, and it acts: a slot named by a drop policy goes.
ok($standby->poll_query_until('postgres', "SELECT count(*) = 1 AND min(pid) <> $old_guard_pid FROM ($guard_pid_sql) g"),
	'a new guard worker runs after the restart');
$standby->safe_psql('postgres', "SELECT 'init' FROM pg_create_physical_replication_slot('kill_local_slot', true)");
$primary->safe_psql('postgres', 'INSERT INTO t SELECT g FROM generate_series(1, 5000) g');
ok($standby->poll_query_until('postgres',
		"SELECT NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = 'kill_local_slot')"),
	'the guard worker drops the slot its policy names');

# --- (2) the primary's postmaster killed and restarted while standby sessions wait
$near = $primary->safe_psql('postgres', 'SELECT pg_current_wal_lsn() + 65536');
# The patient waiters register first, so the watcher is one of them and the
# two fail-fast waiters are not: only the watcher's wake-up can end their waits.
my @patient = map { start_waiter($standby, "SELECT readscale.wait_for_lsn('$near', '600s', fail_fast => false)") } 1 .. 3;
ok($standby->poll_query_until('postgres', waiting_sql(3)), 'three waiters without fail-fast wait');
my @hasty = map { start_psql($standby, "SELECT readscale.wait_for_lsn('$near', '600s')", 'verbose') } 1 .. 2;
ok($standby->poll_query_until('postgres', waiting_sql(5)), 'two fail-fast waiters wait behind them');

ok(kill9_and_wait($primary), 'the primary postmaster is killed and its processes exit');
for my $hasty (@hasty)
{
	my ($status, $out, $err) = finish_psql($hasty);
	like($err, qr/ERROR:  55R01: replica has not replayed LSN/, 'a fail-fast waiter (not the watcher) ends with 55R01');
	like($err, qr/DETAIL:  .*The WAL receiver is not streaming and has received only up to/,
		'the detail says the WAL receiver is not streaming');
}
ok($standby->poll_query_until('postgres',
		"SELECT verdict = 'critical' AND NOT wal_receiver_streaming FROM readscale.local_lag"),
	'local_lag: not streaming, critical');
is(client_waiters($standby), '3', 'waiters without fail-fast go on waiting');

$primary->start;
my $restarted_at = $primary->safe_psql('postgres', 'SELECT pg_postmaster_start_time()');
$primary->safe_psql('postgres', 'INSERT INTO t SELECT g FROM generate_series(1, 5000) g');
my $released = 0;
for my $waiter (@patient)
{
	my ($result, $failed) = $waiter->query('');
	$released++ if !$failed && $result eq 'success';
	$waiter->quit;
}
is($released, 3, 'they are released once the restarted primary writes');
ok($primary->poll_query_until('postgres',
		"SELECT count(*) > 0 FROM readscale.slot_guard_log WHERE at > '$restarted_at' AND slot_name = 'kill_standby_slot'"),
	'the primary guard worker writes new audit rows after the restart');

$standby->stop;
$primary->stop;
unlike(slurp_file($_->logfile), qr/terminated by signal/, $_->name . ' log shows no backend crash') for ($primary, $standby);
done_testing();
