# readscale_decoder through a real pg_recvlogical that is killed mid-stream and
# restarted: every committed row arrives (at least once), nothing rolled back
# does, and every line is one JSON object.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use JSON::PP;
use ReadScale::Pair qw(new_primary);

my $node = new_primary('decoder_restart');
$node->safe_psql('postgres', 'CREATE TABLE r (id int PRIMARY KEY, v text)');
$node->safe_psql('postgres',
	"SELECT 'init' FROM pg_create_logical_replication_slot('restart_slot', 'readscale_decoder')");

# 2000 committed transactions, so the subscriber is stopped while data is still flowing.
$node->safe_psql('postgres',
	"DO \$\$ BEGIN FOR i IN 1..2000 LOOP INSERT INTO r VALUES (i, 'first ' || i); COMMIT; END LOOP; END \$\$");

my $out1 = $node->basedir . '/recv1.ndjson';
my $out2 = $node->basedir . '/recv2.ndjson';
my @recv = ('pg_recvlogical', '-d', $node->connstr('postgres'), '-S', 'restart_slot', '--start',
	'-F', '0', '-s', '1', '-o', 'add-tables=public.r', '-o', 'include-xids');

# First subscriber: killed (no clean shutdown) once some lines have arrived.
my $h = IPC::Run::start([ @recv, '-f', $out1 ], '2>', \my $err1);
my $deadline = time + $PostgreSQL::Test::Utils::timeout_default;
until ((-s $out1 // 0) > 10_000 || time > $deadline)
{
	select(undef, undef, undef, 0.05);    # poll the file, not a timed assertion
}
ok((-s $out1 // 0) > 0, 'first subscriber received data');
$h->signal('KILL');
$h->finish;

# Meanwhile more work: committed rows, and a rolled-back transaction.
$node->safe_psql('postgres', "INSERT INTO r SELECT g, 'second ' || g FROM generate_series(2001, 2500) g");
$node->safe_psql('postgres', "BEGIN; INSERT INTO r VALUES (9999, 'rolled back'); ROLLBACK;");
my $endpos = $node->safe_psql('postgres', 'SELECT pg_current_wal_lsn()');

# Second subscriber: resumes from the slot's confirmed position up to endpos.
IPC::Run::run([ @recv, '--endpos', $endpos, '--no-loop', '-f', $out2 ], '2>', \my $err2);
is($?, 0, 'second subscriber ran to endpos') or diag($err2);

my (%seen, $bad_lines, $lines);
for my $file ($out1, $out2)
{
	for my $line (split /\n/, slurp_file($file))
	{
		$lines++;
		my $record = eval { decode_json($line) };
		if (!$record || $record->{op} ne 'insert' || !defined $record->{xid})
		{
			$bad_lines++;
			next;
		}
		$seen{ $record->{new}{id} }++;
	}
}
ok($lines > 0, 'lines were received');
is($bad_lines // 0, 0, 'every line is an insert record with its xid');
my @missing = grep { !$seen{$_} } 1 .. 2500;
is(scalar(@missing), 0, 'every committed row arrived') or diag("missing: @missing[0 .. 9]");
ok(!$seen{9999}, 'the rolled-back row never arrived');

$node->stop;
unlike(slurp_file($node->logfile), qr/terminated by signal/, 'no backend crashed');
done_testing();
