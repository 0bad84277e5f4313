# The primary's postmaster killed with SIGKILL and the standby promoted, while
# sessions wait on the standby and pg_recvlogical streams from the primary
# through readscale_decoder. What each client sees: fail-fast waits and the
# gate end at once with 55R01 (the WAL receiver stops streaming); waits
# without fail-fast go on until the promotion and then end with "not in
# recovery" (on_timeout => 'return') or ERROR 55000; pg_recvlogical --no-loop
# exits with an error, and without it retries every 5 s; what it received is
# a prefix, in commit order, of what the old primary committed, nothing
# uncommitted; the promoted standby has no logical slot (PostgreSQL 15 does
# not carry slots over), so the subscriber must start anew there.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use JSON::PP;
use ReadScale::Pair qw(new_primary new_standby);
use ReadScale::Faults qw(kill9_and_wait client_waiters waiting_sql);
use ReadScale::Waiters qw(start_waiter start_psql finish_psql);

my $primary = new_primary('fo_primary');
my $standby = new_standby($primary, 'fo_standby');
$primary->safe_psql('postgres', 'CREATE TABLE f (id int PRIMARY KEY, v text)');
$primary->safe_psql('postgres', "SELECT 'init' FROM pg_create_logical_replication_slot('fo_slot', 'readscale_decoder')");
$primary->safe_psql('postgres', "SELECT 'init' FROM pg_create_logical_replication_slot('fo_loop_slot', 'readscale_decoder')");
$primary->wait_for_catchup($standby, 'replay');

# One committed row per transaction, ids in commit order, until the postmaster dies
# (pg_sleep exits on postmaster death, so the orphaned backend stops writing).
my $writer = start_psql($primary,
	"DO \$\$ BEGIN FOR i IN 1..1000000 LOOP INSERT INTO f VALUES (i, 'committed'); COMMIT;"
	  . " PERFORM pg_sleep(0.002); END LOOP; END \$\$");
# An open transaction that never commits.
my $open = start_psql($primary,
	"BEGIN; INSERT INTO f SELECT -g, 'uncommitted' FROM generate_series(1, 1000) g; SELECT pg_sleep(600)");

my $stream = $primary->basedir . '/stream.ndjson';
my @recv = ('pg_recvlogical', '-d', $primary->connstr('postgres'), '--start', '-F', '0', '-s', '1',
	'-o', 'add-tables=public.f', '-o', 'include-xids');
my $recv = IPC::Run::start([ @recv, '-S', 'fo_slot', '--no-loop', '-f', $stream ], '2>', \my $recv_err);
my $loop_stream = $primary->basedir . '/looping.ndjson';
my $looping = IPC::Run::start([ @recv, '-S', 'fo_loop_slot', '-f', $loop_stream ], '2>', \my $loop_err);

my $far = $primary->safe_psql('postgres', 'SELECT pg_current_wal_lsn() + 1024 * 1024 * 1024');
my $returns = start_waiter($standby,
	"SELECT readscale.wait_for_lsn('$far', '120s', on_timeout => 'return', fail_fast => false)");
my $raises = start_psql($standby, "SELECT readscale.wait_for_lsn('$far', '120s', fail_fast => false)", 'verbose');
my $fast = start_psql($standby, "SELECT readscale.wait_for_lsn('$far', '120s')", 'verbose');
my $gated = start_psql($standby,
	"SET readscale.gate_timeout = '120s'; BEGIN; SET LOCAL readscale.min_lsn = '$far'; SELECT 1; COMMIT", 'verbose');
ok($standby->poll_query_until('postgres', waiting_sql(4)), 'four sessions wait on the standby');
my $deadline = time + $PostgreSQL::Test::Utils::timeout_default;
until (((-s $stream // 0) > 20_000 && (-s $loop_stream // 0) > 0) || time > $deadline)
{
	select(undef, undef, undef, 0.05);    # poll the file, not a timed assertion
}
ok((-s $stream // 0) > 0, 'pg_recvlogical is receiving committed rows');

ok(kill9_and_wait($primary), 'the primary postmaster is killed and its processes exit');
my ($status, $out, $err) = finish_psql($writer);
like($err, qr/server closed the connection unexpectedly/, 'the writer on the primary loses its connection');
finish_psql($open);

$recv->finish;
isnt($recv->result(0), 0, 'pg_recvlogical --no-loop exits with an error');
like($recv_err, qr/unexpected termination of replication stream|could not receive data from WAL stream/,
	'and says the replication stream ended');
note("pg_recvlogical --no-loop printed:\n$recv_err");
my $poll = time + $PostgreSQL::Test::Utils::timeout_default;
while ($loop_err !~ /waiting 5 seconds to try again/ && time < $poll && $looping->pumpable)
{
	$looping->pump_nb;
	select(undef, undef, undef, 0.05);
}
like($loop_err,
	qr/could not receive data from WAL stream: server closed the connection.*disconnected; waiting 5 seconds to try again/s,
	'without --no-loop pg_recvlogical reports the loss and keeps retrying');
$looping->kill_kill;
note("pg_recvlogical without --no-loop printed:\n$loop_err");

($status, $out, $err) = finish_psql($fast);
like($err, qr/ERROR:  55R01: .*\nDETAIL:  .*The WAL receiver is not streaming/,
	'a fail-fast wait ends with 55R01: the WAL receiver is not streaming');
($status, $out, $err) = finish_psql($gated);
like($err, qr/ERROR:  55R01: .*\nDETAIL:  .*The WAL receiver is not streaming/, 'so does the gate');
note("the gated session printed:\n$err");
is(client_waiters($standby), '2', 'waits without fail-fast go on');

$standby->promote;
is($returns->query_safe(''), 'not in recovery', 'promotion ends a wait with on_timeout => return as "not in recovery"');
$returns->quit;
($status, $out, $err) = finish_psql($raises);
like($err, qr/ERROR:  55000: recovery is not in progress\nDETAIL:  Recovery ended before replaying target LSN/,
	'and a raising wait with ERROR 55000');
my $token = $standby->safe_psql('postgres', 'INSERT INTO f VALUES (0, \'new primary\'); SELECT readscale.current_token()');
is($standby->safe_psql('postgres', "SELECT readscale.wait_for_lsn('$token', '1s')"), 'success',
	'the promoted node answers waits as a primary');

# What the subscriber received: committed rows 1..k in order, once each, nothing uncommitted.
my @ids;
my $bad = 0;
for my $line (split /\n/, slurp_file($stream))
{
	my $record = eval { decode_json($line) };
	if (!$record || $record->{op} ne 'insert' || !defined $record->{xid}) { $bad++; next; }
	push @ids, $record->{new}{id};
}
my $k = scalar @ids;
is($bad, 0, 'every line is an insert record with its xid');
ok($k > 0 && join(',', @ids) eq join(',', 1 .. $k), "the stream is rows 1..$k in commit order, each once");

IPC::Run::run([ 'pg_recvlogical', '-d', $standby->connstr('postgres'), '-S', 'fo_slot', '--start', '--no-loop',
		'-f', '/dev/null' ], '2>', \my $new_err);
like($new_err, qr/replication slot "fo_slot" does not exist/, 'the promoted standby has no copy of the logical slot');
my $on_new = $standby->safe_psql('postgres', "SELECT count(*) FROM f WHERE id BETWEEN 1 AND $k");
note("of the $k streamed rows the promoted standby has $on_new (replication was asynchronous)");

# The old primary, restarted on its own: everything streamed was committed there, nothing uncommitted survived.
$primary->start;
is($primary->safe_psql('postgres', "SELECT count(*) FROM f WHERE id BETWEEN 1 AND $k"), $k,
	'every streamed row is committed on the old primary');
is($primary->safe_psql('postgres', 'SELECT count(*) FROM f WHERE id < 0'), '0', 'the open transaction left nothing');

$primary->stop;
$standby->stop;
unlike(slurp_file($_->logfile), qr/terminated by signal/, $_->name . ' log shows no backend crash') for ($primary, $standby);
done_testing();
