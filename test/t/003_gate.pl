# The transparent gate (SET [LOCAL] readscale.min_lsn) on a real hot standby
# held 300 ms behind: READ COMMITTED and REPEATABLE READ see the write, a gate
# set after the snapshot or through set_config() refuses instead of answering
# from an old snapshot, and a read-your-writes loop never misses its write.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use ReadScale::Pair qw(new_primary new_standby);

my $primary = new_primary('primary');
my $standby = new_standby($primary, 'standby', "recovery_min_apply_delay = '300ms'\n");
$primary->safe_psql('postgres', 'CREATE TABLE t (id int PRIMARY KEY)');
$primary->wait_for_catchup($standby, 'replay');

sub write_row
{
	my ($id) = @_;
	return $primary->safe_psql('postgres', "INSERT INTO t VALUES ($id); SELECT readscale.current_token()");
}

my $token = write_row(1);
is($standby->safe_psql('postgres',
		"BEGIN; SET LOCAL readscale.min_lsn = '$token'; SELECT count(*) FROM t WHERE id = 1; COMMIT;"),
	'1', 'READ COMMITTED: SET LOCAL waits, then the write is visible');
is($standby->safe_psql('postgres', 'SHOW readscale.min_lsn'), '', 'SET LOCAL ends with the transaction');

$token = write_row(2);
is($standby->safe_psql('postgres',
		"BEGIN ISOLATION LEVEL REPEATABLE READ; SET LOCAL readscale.min_lsn = '$token'; "
		  . "SELECT count(*) FROM t WHERE id = 2; COMMIT;"),
	'1', 'REPEATABLE READ: the gate waits before the transaction snapshot');

$token = write_row(3);
my ($ret, $out, $err) = $standby->psql('postgres',
	"BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT 1; SET LOCAL readscale.min_lsn = '$token'; "
	  . "SELECT count(*) FROM t WHERE id = 3; COMMIT;",
	extra_params => [ '-v', 'ON_ERROR_STOP=1', '-v', 'VERBOSITY=verbose' ]);
like($err, qr/ERROR:  55000: cannot set "readscale.min_lsn" after the transaction's snapshot was taken/,
	'REPEATABLE READ after its snapshot: refused with SQLSTATE 55000');
unlike($out, qr/^0$/m, 'no stale answer was returned');

$token = write_row(4);
($ret, $out, $err) = $standby->psql('postgres',
	"SELECT set_config('readscale.min_lsn', '$token', false); SELECT count(*) FROM t WHERE id = 4;",
	extra_params => [ '-v', 'ON_ERROR_STOP=1', '-v', 'VERBOSITY=sqlstate' ]);
like($err, qr/55R01/, 'set_config() gate before replay: the next statement is refused with 55R01');
unlike($out, qr/^0$/m, 'and never answered from the old snapshot');

# gate_on_timeout = proceed with a short timeout: the statement runs (documented trade-off).
$token = write_row(5);
($ret, $out, $err) = $standby->psql('postgres',
	"SET readscale.gate_timeout = '1ms'; SET readscale.gate_on_timeout = 'warning'; "
	  . "SET readscale.min_lsn = '$token'; SELECT 'ran';",
	extra_params => [ '-v', 'VERBOSITY=default' ]);
like($err, qr/WARNING:  replica has not replayed LSN/, 'warning mode warns');
like($out, qr/ran/, 'and proceeds');

# Read-your-writes loop: write on the primary, read on the standby with the
# token, with no apply delay so reads race replay as they do in production.
$standby->safe_psql('postgres', "ALTER SYSTEM SET recovery_min_apply_delay = 0; SELECT pg_reload_conf()");
ok($standby->poll_query_until('postgres', "SELECT current_setting('recovery_min_apply_delay') = '0'"), 'delay off');
my $iterations = 1000;
my $script = '';
for my $i (1000 .. 999 + $iterations)
{
	$script .= "\\connect -reuse-previous=off 'port=" . $primary->port . " host=" . $primary->host . " dbname=postgres'\n";
	$script .= "INSERT INTO t VALUES ($i);\nSELECT readscale.current_token() AS tok \\gset\n";
	$script .= "\\connect -reuse-previous=off 'port=" . $standby->port . " host=" . $standby->host . " dbname=postgres'\n";
	$script .= "BEGIN;\nSET LOCAL readscale.min_lsn = :'tok';\n";
	$script .= "SELECT count(*) AS seen FROM t WHERE id = $i \\gset\nCOMMIT;\n\\echo :seen\n";
}
my $script_file = "${PostgreSQL::Test::Utils::tmp_check}/read_your_writes.sql";
append_to_file($script_file, $script);
my ($stdout, $stderr) = ('', '');
IPC::Run::run([ 'psql', '-XAtq', '-v', 'ON_ERROR_STOP=1', '-f', $script_file, '-d', $primary->connstr('postgres') ],
	'>', \$stdout, '2>', \$stderr);
my @seen = split /\n/, $stdout;
is(scalar(@seen), $iterations, "$iterations gated reads ran") or diag $stderr;
is(scalar(grep { $_ eq '1' } @seen), $iterations, 'every read saw its own write');

# Bounded staleness: quiet on an idle primary, fires with SQLSTATE 55R02 when replay is paused.
$primary->wait_for_catchup($standby, 'replay');
my $idle_since = $standby->safe_psql('postgres', 'SELECT clock_timestamp()');
ok($standby->poll_query_until('postgres', "SELECT clock_timestamp() - '$idle_since' > interval '1.5s'"),
	'the primary stays idle for longer than the bound');
is($standby->safe_psql('postgres', "SET readscale.max_staleness = '1s'; SELECT 'served'"), 'served',
	'an idle primary does not make the standby look stale');
$standby->safe_psql('postgres', 'SELECT pg_wal_replay_pause()');
write_row(2000);
ok($standby->poll_query_until('postgres',
		"SELECT pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn() AND now() - pg_last_xact_replay_timestamp() > interval '1.2s'"),
	'paused replay falls behind');
($ret, $out, $err) = $standby->psql('postgres', "SET readscale.max_staleness = '1s'; SELECT 'served'",
	extra_params => [ '-v', 'VERBOSITY=sqlstate' ]);
like($err, qr/55R02/, 'a stale standby refuses the read with 55R02');
isnt($out, 'served', 'and serves nothing');
$standby->safe_psql('postgres', 'SELECT pg_wal_replay_resume()');

$primary->stop;
$standby->stop;
unlike(slurp_file($_->logfile), qr/terminated by signal/, $_->name . ' log shows no crash') for ($primary, $standby);
done_testing();
