# PostgreSQL 19's WAIT FOR LSN and the gate: after WAIT FOR LSN 'x' (replay
# mode) in a session, the gate counts x as verified. Shown where it matters: a
# gate set by connection options before x was replayed cannot prove a
# REPEATABLE READ transaction's snapshot on its own (55R01), but can after a
# WAIT FOR LSN in that transaction; and a later SET readscale.min_lsn = 'x'
# needs no wait (gate_stats.waits unchanged), except after a flush-mode WAIT.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use ReadScale::Pair qw(new_primary new_standby);
use ReadScale::Waiters qw(start_waiter);

my $primary = new_primary('primary');
if ($primary->safe_psql('postgres', 'SHOW server_version_num') < 190000)
{
	plan skip_all => 'WAIT FOR LSN is PostgreSQL 19+';
}
my $standby = new_standby($primary, 'standby');
$primary->safe_psql('postgres', 'CREATE TABLE t (id int PRIMARY KEY)');
$primary->wait_for_catchup($standby, 'replay');

# Two sessions connect with the gate in their options and begin REPEATABLE READ
# transactions while x is not replayed yet: neither the connection nor BEGIN can verify x.
$standby->safe_psql('postgres', 'SELECT pg_wal_replay_pause()');
my $x = $primary->safe_psql('postgres', 'INSERT INTO t VALUES (1); SELECT readscale.current_token()');
my ($control, $waiter);
{
	local $ENV{PGOPTIONS} = "-c readscale.min_lsn=$x";
	$control = start_waiter($standby, 'BEGIN ISOLATION LEVEL REPEATABLE READ');
	$waiter = start_waiter($standby,
		"BEGIN ISOLATION LEVEL REPEATABLE READ; WAIT FOR LSN '$x' WITH (TIMEOUT '60s'); SELECT count(*) FROM t; COMMIT");
}
ok($standby->poll_query_until('postgres',
		"SELECT count(*) = 1 FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'WAIT FOR LSN%'"),
	'WAIT FOR LSN waits while replay is paused');
$standby->safe_psql('postgres', 'SELECT pg_wal_replay_resume()');
$primary->wait_for_catchup($standby, 'replay');

is($waiter->query_safe(''), "success\n1",
	'after WAIT FOR LSN x the gate counts x as verified: the REPEATABLE READ read runs and sees the row');
$control->query('SELECT count(*) FROM t');
like($control->query('\echo :LAST_ERROR_SQLSTATE'), qr/55R01/,
	'without WAIT FOR the same read is refused (55R01): nothing proved the snapshot new enough');
$control->quit;
$waiter->quit;

# SET readscale.min_lsn = x after WAIT FOR LSN x: already verified, no wait counted.
sub waits_after
{
	my ($sql) = @_;
	$standby->safe_psql('postgres', $sql);
	return $standby->safe_psql('postgres', 'SELECT waits FROM readscale.gate_stats');
}
my $before = waits_after('SELECT 1');
is(waits_after("WAIT FOR LSN '$x'; SET readscale.min_lsn = '$x'"), $before,
	'SET readscale.min_lsn after WAIT FOR LSN in the same session does not wait again');
is(waits_after("WAIT FOR LSN '$x' WITH (MODE 'standby_replay'); SET readscale.min_lsn = '$x'"), $before,
	'the same with MODE standby_replay named');
is(waits_after("WAIT FOR LSN '$x' WITH (MODE 'standby_flush'); SET readscale.min_lsn = '$x'"), $before + 1,
	'a flush-mode WAIT does not count (flushed is not visible): the SET checks replay itself');
is(waits_after("SET readscale.min_lsn = '$x'"), $before + 2, 'a SET alone checks replay itself');

$primary->stop;
$standby->stop;
unlike(slurp_file($_->logfile), qr/terminated by signal/, $_->name . ' log shows no crash') for ($primary, $standby);
done_testing();
