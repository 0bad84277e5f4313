# Every route to readscale.min_lsn other than a top-level SET, on a real hot
# standby: set_config() at top level and inside functions (READ COMMITTED and
# REPEATABLE READ), a function's SET clause, SET in a DO block, connection
# options and ALTER ROLE ... SET. None may return rows from a snapshot older
# than min_lsn: the route either refuses with 55R01 or the statement sees the
# write.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use ReadScale::Pair qw(new_primary new_standby);

my $primary = new_primary('primary');
my $standby = new_standby($primary, 'standby');
my $far = $primary->safe_psql('postgres', "SELECT readscale.current_token() + 1024 * 1024 * 1024");
$primary->safe_psql('postgres', <<"SQL");
CREATE TABLE t (id int PRIMARY KEY);
CREATE FUNCTION gated_count(token text, wanted int) RETURNS bigint LANGUAGE plpgsql STABLE AS \$\$
BEGIN
    PERFORM set_config('readscale.min_lsn', token, true);
    RETURN (SELECT count(*) FROM t WHERE id = wanted);
END \$\$;
CREATE FUNCTION far_count() RETURNS bigint LANGUAGE sql SET readscale.min_lsn = '$far'
    AS 'SELECT count(*) FROM t';
CREATE ROLE gated LOGIN;
ALTER ROLE gated SET readscale.min_lsn = '$far';
SQL
$primary->wait_for_catchup($standby, 'replay');

# Runs $sql on the standby; returns (stdout, stderr) with SQLSTATEs in the messages.
sub on_standby
{
	my ($sql, %options) = @_;
	my ($ret, $out, $err) = $standby->psql($options{database} // 'postgres', $sql,
		extra_params => [ '-v', 'ON_ERROR_STOP=1', '-v', 'VERBOSITY=verbose', @{ $options{params} // [] } ]);
	return ($out, $err);
}

# Replay paused: the write is received but not visible.
$standby->safe_psql('postgres', 'SELECT pg_wal_replay_pause()');
my $token = $primary->safe_psql('postgres', "INSERT INTO t VALUES (1); SELECT readscale.current_token()");
ok($standby->poll_query_until('postgres', "SELECT pg_last_wal_receive_lsn() >= '$token'"), 'the write is received');

my ($out, $err) = on_standby("SELECT set_config('readscale.min_lsn', '$token', false)");
like($err, qr/55R01: cannot set "readscale.min_lsn" while a statement is running/,
	'set_config() at top level is refused with 55R01');
like($err, qr/HINT:  Use SET or SET LOCAL/, 'and the hint names SET');
($out, $err) = on_standby("SELECT set_config('readscale.min_lsn', '$token', false), count(*) FROM t WHERE id = 1");
unlike($out, qr/\|0$/m, 'a statement that sets the gate and reads never answers from its old snapshot');
like($err, qr/55R01/, 'it is refused instead');

for my $isolation ('READ COMMITTED', 'REPEATABLE READ')
{
	($out, $err) = on_standby("BEGIN ISOLATION LEVEL $isolation; SELECT gated_count('$token', 1); COMMIT;");
	like($err, qr/55R01/, "$isolation: set_config() inside a function that then reads is refused");
	unlike($out, qr/^0$/m, "$isolation: the function returns no stale count");
}
($out, $err) = on_standby('SELECT far_count()');
like($err, qr/55R01: cannot set "readscale.min_lsn" while a statement is running/,
	"a function's SET clause is refused when it raises the gate");
($out, $err) = on_standby("DO \$\$ BEGIN SET readscale.min_lsn = '$token'; END \$\$");
like($err, qr/55R01/, 'SET inside a DO block is refused');

# Connection options and ALTER ROLE ... SET apply at connection start, before
# any snapshot: the first statement is refused while replay is behind.
for my $isolation ('read\ committed', 'repeatable\ read')
{
	local $ENV{PGOPTIONS} = "-c readscale.min_lsn=$token -c default_transaction_isolation=$isolation";
	($out, $err) = on_standby('SELECT count(*) FROM t WHERE id = 1');
	like($err, qr/55R01: replica has not replayed LSN/, "connection option, $isolation, replay behind: refused");
	is($out, '', "connection option, $isolation: nothing answered");
}
($out, $err) = on_standby('SELECT 1', params => [ '-U', 'gated' ]);
like($err, qr/55R01: replica has not replayed LSN/, 'ALTER ROLE ... SET: the login works and the read is refused');

# Replay resumed: the same routes now read the write.
$standby->safe_psql('postgres', 'SELECT pg_wal_replay_resume()');
$primary->wait_for_catchup($standby, 'replay');
for my $isolation ('read\ committed', 'repeatable\ read')
{
	local $ENV{PGOPTIONS} = "-c readscale.min_lsn=$token -c default_transaction_isolation=$isolation";
	($out, $err) = on_standby('SELECT count(*) FROM t WHERE id = 1');
	is($out, '1', "connection option, $isolation, replay caught up: the write is visible") or diag $err;
}
# Replay passed the token before these statements took their snapshots: set_config() is sound now.
($out, $err) = on_standby("SELECT set_config('readscale.min_lsn', '$token', false), count(*) FROM t WHERE id = 1");
is($out, "$token|1", 'set_config() once replay has passed the value: allowed, and the read sees the write')
  or diag $err;
for my $isolation ('read committed', 'repeatable read')
{
	($out, $err) = on_standby("BEGIN ISOLATION LEVEL $isolation; SELECT gated_count('$token', 1); COMMIT");
	is($out, '1', "$isolation: set_config() inside a function, replay already past: the function reads the write")
	  or diag $err;
}
($out, $err) = on_standby(
	"SET readscale.min_lsn = '$token'; SELECT set_config('readscale.min_lsn', '$token', false), count(*) FROM t WHERE id = 1");
is($out, "$token|1", 'set_config() that does not raise the gate set by SET is allowed') or diag $err;
($out, $err) = on_standby(
	"SET readscale.min_lsn = '$token'; SELECT set_config('readscale.min_lsn', '', false) = ''; "
	  . "SELECT current_setting('readscale.min_lsn') = ''");
is($out, "t\nt", 'set_config() may clear the gate') or diag $err;

$primary->stop;
$standby->stop;
unlike(slurp_file($_->logfile), qr/terminated by signal/, $_->name . ' log shows no crash') for ($primary, $standby);
done_testing();
