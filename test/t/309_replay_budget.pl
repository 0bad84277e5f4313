# The replay budget (readscale.replay_budget, off by default) on an OLTP
# standby: a query holding a lock replay needs is cancelled once it has
# blocked replay for the budget (1 s), not before, and long before
# max_standby_streaming_delay (60 s); the client gets PostgreSQL's
# recovery-conflict error (SQLSTATE 40001, DETAIL naming the lock), the
# server log says why, pg_stat_database_conflicts counts it, replay catches
# up. An open cursor pinning a page VACUUM prunes is cancelled the same
# way. On an OLAP standby the budget does not apply.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use ReadScale::Pair qw(new_primary new_standby);

my $primary = new_primary('budget_primary');
my $standby = new_standby($primary, 'budget_standby',
	"hot_standby_feedback = off\nmax_standby_streaming_delay = 60s\nreadscale.replica_role = oltp\n"
	  . "readscale.replay_budget = 1s\n");
$primary->safe_psql('postgres', 'CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 20) g');
$primary->wait_for_catchup($standby, 'replay');

sub confl_lock
{
	return $standby->safe_psql('postgres', "SELECT confl_lock FROM pg_stat_database_conflicts WHERE datname = 'postgres'");
}

# A reader that holds t's lock inside a long statement.
sub start_reader
{
	my ($app) = @_;
	my $s = $standby->background_psql('postgres', on_error_stop => 0);
	$s->query_safe("SET application_name = '$app'");
	my $pid = $s->query_safe('SELECT pg_backend_pid()');
	$s->query_until(qr/started/, "BEGIN;\nSELECT count(*) FROM t;\n\\echo started\nSELECT pg_sleep(120);\n");
	return ($s, $pid);
}

my ($reader, $pid) = start_reader('stray_report');
my $before = confl_lock();
my $log_offset = -s $standby->logfile;
$primary->safe_psql('postgres', 'TRUNCATE t');
ok($standby->poll_query_until('postgres',
		"SELECT count(*) = 1 FROM readscale.replay_blockers WHERE blocker_pid = $pid AND conflict = 'lock'"),
	'the reader blocks replay');
$standby->wait_for_log(qr/readscale: cancelling the statement of pid $pid: it blocked replay for \d+ ms/, $log_offset);
my $log = slurp_file($standby->logfile, $log_offset);
my ($blocked_ms) = $log =~ /cancelling the statement of pid $pid: it blocked replay for (\d+) ms, over readscale.replay_budget \(1000 ms\)/;
cmp_ok($blocked_ms, '>=', 1000, 'cancelled after the budget, not before');
cmp_ok($blocked_ms, '<', 60000, 'cancelled before max_standby_streaming_delay');
like($log, qr/DETAIL:  replay blocked .* by pid $pid \(application 'stray_report'\) holding AccessShareLock on public\.t\./,
	'the log names the blocker');
$primary->wait_for_catchup($standby, 'replay');
pass('replay caught up');
is($reader->query('\echo :LAST_ERROR_SQLSTATE'), '40001', 'the client got SQLSTATE 40001');
like($reader->{stderr} . slurp_file($standby->logfile, $log_offset),
	qr/canceling statement due to conflict with recovery/, 'with the recovery-conflict message');
like(slurp_file($standby->logfile, $log_offset), qr/User was holding a relation lock for too long/,
	'whose detail names the lock');
$reader->query('ROLLBACK');
is($reader->query('SELECT 1'), '1', 'only the statement was cancelled: the session goes on');
# A session flushes its statistics once out of the (aborted) transaction.
ok($standby->poll_query_until('postgres',
		"SELECT confl_lock > $before FROM pg_stat_database_conflicts WHERE datname = 'postgres'"),
	'counted in pg_stat_database_conflicts');
$reader->quit;

# A buffer pin: an open cursor on the page VACUUM prunes on the primary.
$primary->safe_psql('postgres', 'INSERT INTO t SELECT generate_series(1, 20); DELETE FROM t WHERE id % 2 = 0');
$primary->wait_for_catchup($standby, 'replay');
my $cursor = $standby->background_psql('postgres', on_error_stop => 0);
$cursor->query_safe("SET application_name = 'cursor'");
my $cursor_pid = $cursor->query_safe('SELECT pg_backend_pid()');
$cursor->query_safe('BEGIN; DECLARE c CURSOR FOR SELECT * FROM t; FETCH 1 FROM c;');
$log_offset = -s $standby->logfile;
$primary->safe_psql('postgres', 'VACUUM (TRUNCATE false) t');
$standby->wait_for_log(qr/cancelling the statement of pid $cursor_pid: it blocked replay for \d+ ms/, $log_offset);
($blocked_ms) = slurp_file($standby->logfile, $log_offset) =~ /pid $cursor_pid: it blocked replay for (\d+) ms/;
cmp_ok($blocked_ms, '>=', 1000, 'buffer pin: cancelled after the budget, not before');
like(slurp_file($standby->logfile, $log_offset), qr/DETAIL:  replay blocked .* by a buffer pin on public\.t, possibly held by pid $cursor_pid/,
	'buffer pin: the log names the blocker');
$primary->wait_for_catchup($standby, 'replay');
pass('buffer pin: replay caught up');
eval { $cursor->quit };    # idle in a transaction, the session was ended

# OLAP: the budget does not apply; the reader keeps its lock past the budget.
$standby->safe_psql('postgres', "ALTER SYSTEM SET readscale.replica_role = 'olap'");
$standby->safe_psql('postgres', 'SELECT pg_reload_conf()');
ok($standby->poll_query_until('postgres', "SELECT current_setting('readscale.replica_role') = 'olap'"), 'now olap');
my ($olap_reader, $olap_pid) = start_reader('analytics');
$log_offset = -s $standby->logfile;
$primary->safe_psql('postgres', 'TRUNCATE t');
ok($standby->poll_query_until('postgres',
		"SELECT blocked_for > interval '2s' FROM readscale.replay_blockers WHERE blocker_pid = $olap_pid"),
	'an OLAP reader blocks replay past the budget');
unlike(slurp_file($standby->logfile, $log_offset), qr/cancelling the statement of pid $olap_pid/, 'and is not cancelled');
$standby->safe_psql('postgres', "SELECT pg_cancel_backend($olap_pid)");
$primary->wait_for_catchup($standby, 'replay');
pass('replay caught up once the reader was cancelled by hand');
$olap_reader->quit;

done_testing();
