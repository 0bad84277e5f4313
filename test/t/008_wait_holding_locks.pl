# A standby wait that would sleep while the session holds a heavyweight lock
# is refused with 55R04 (PostgreSQL 19's rule for WAIT FOR LSN, on every
# major): replay may need the lock, and would then wait for the session while
# the session waits for replay. Covered: a relation lock held in the fast path,
# an advisory lock (in the shared lock table), wait_for_token and the gate;
# allowed: a target already replayed, a zero timeout, and waits without locks.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use ReadScale::Pair qw(new_primary new_standby);

my $primary = new_primary('primary');
my $standby = new_standby($primary, 'standby');
$primary->safe_psql('postgres', 'CREATE TABLE t (id int PRIMARY KEY)');
$primary->wait_for_catchup($standby, 'replay');
my $replayed = $primary->safe_psql('postgres', 'INSERT INTO t VALUES (1); SELECT readscale.current_token()');
my $replayed_token = $primary->safe_psql('postgres', 'SELECT readscale.current_causal_token()');
$primary->wait_for_catchup($standby, 'replay');

# A target the standby has not replayed: replay is paused after the write is received.
$standby->safe_psql('postgres', 'SELECT pg_wal_replay_pause()');
my $future = $primary->safe_psql('postgres', 'INSERT INTO t VALUES (2); SELECT readscale.current_token()');
my $future_token = $primary->safe_psql('postgres', 'SELECT readscale.current_causal_token()');

# Runs sql on the standby; returns (stdout, stderr) with the SQLSTATE in each message.
sub run_standby
{
	my ($sql) = @_;
	my ($ret, $out, $err) = $standby->psql('postgres', $sql, extra_params => [ '-v', 'VERBOSITY=verbose' ]);
	return ($out, $err);
}

my ($out, $err) = run_standby("BEGIN; LOCK TABLE t IN ACCESS SHARE MODE; SELECT readscale.wait_for_lsn('$future', '10s')");
like($err, qr/ERROR:  55R04: cannot wait for LSN [0-9A-F\/]+ while this session holds locks/,
	'wait_for_lsn after LOCK TABLE is refused with 55R04');
like($err, qr/DETAIL:  This session holds a lock on relation \d+ of database \d+\. Replay may need it/,
	'the detail names the lock (a fast-path relation lock)');
like($err, qr/HINT:  Wait before taking locks, e\.g\. as the first statement of the transaction\./,
	'the hint says to wait first');

($out, $err) = run_standby("BEGIN; SELECT count(*) FROM t; SELECT readscale.wait_for_lsn('$future', '10s')");
like($err, qr/ERROR:  55R04/, 'the lock a read took earlier in the transaction refuses the wait');

($out, $err) = run_standby("SELECT pg_advisory_lock(7); SELECT readscale.wait_for_lsn('$future', '10s')");
like($err, qr/ERROR:  55R04.*\n.*DETAIL:  This session holds a lock on advisory lock/,
	'a session-level advisory lock (shared lock table) refuses the wait');

($out, $err) = run_standby("BEGIN; LOCK TABLE t IN ACCESS SHARE MODE; SELECT readscale.wait_for_token('$future_token', '10s')");
like($err, qr/ERROR:  55R04/, 'wait_for_token is refused too');

($out, $err) = run_standby("BEGIN; LOCK TABLE t IN ROW SHARE MODE; SET LOCAL readscale.min_lsn = '$future'");
like($err, qr/ERROR:  55R04/, 'the gate is refused too, whatever gate_on_timeout says');
($out, $err) = run_standby("SET readscale.gate_on_timeout = proceed; BEGIN; LOCK TABLE t IN ACCESS SHARE MODE; SET LOCAL readscale.min_lsn = '$future'");
like($err, qr/ERROR:  55R04/, 'gate_on_timeout = proceed does not turn the refusal into a run');

# Allowed: nothing would sleep, or nothing is held.
is($standby->safe_psql('postgres',
		"BEGIN; LOCK TABLE t IN ACCESS SHARE MODE; SELECT readscale.wait_for_lsn('$replayed', '10s'); "
		  . "SELECT readscale.wait_for_token('$replayed_token', '10s'); SET LOCAL readscale.min_lsn = '$replayed'; "
		  . "SELECT count(*) FROM t; COMMIT"),
	"success\nsuccess\n1", 'with locks held, a target already replayed succeeds (function, token and gate)');
is($standby->safe_psql('postgres',
		"BEGIN; LOCK TABLE t IN ACCESS SHARE MODE; SELECT readscale.wait_for_lsn('$future', '0', on_timeout => 'return'); COMMIT"),
	'timeout', 'a zero timeout only checks, so it is allowed with locks held');
is($standby->safe_psql('postgres',
		"SELECT readscale.wait_for_lsn('$future', '200ms', on_timeout => 'return', fail_fast => false)"),
	'timeout', 'without locks the same wait runs (and times out while paused)');
$standby->safe_psql('postgres', 'SELECT pg_wal_replay_resume()');
is($standby->safe_psql('postgres',
		"BEGIN; SELECT readscale.wait_for_lsn('$future', '30s'); SELECT count(*) FROM t; COMMIT"),
	"success\n2", 'waiting first and reading after is the pattern that works');

$primary->stop;
$standby->stop;
unlike(slurp_file($_->logfile), qr/terminated by signal/, $_->name . ' log shows no crash') for ($primary, $standby);
done_testing();
