# readscale_decoder through a real pg_recvlogical that is killed mid-stream and
# restarted: every committed row arrives (at least once), nothing rolled back
# does, and every line is one JSON object. Then batch-bytes: the same WAL
# through pg_recvlogical with and without it gives byte-identical files.
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

# batch-bytes: pg_recvlogical writes each message and a newline, so packing
# the lines of a transaction into messages must not change the file. Two
# slots made at the same point read the same WAL: small and large
# transactions, a non-transactional message between transactional lines,
# truncate, a rolled-back transaction, and a transaction streamed in blocks.
# One slot per run: pg_recvlogical confirms what it received.
my @labels = ('default', 'streamed');
for my $slot (map { ("plain_$_", "batched_$_") } @labels)
{
	$node->safe_psql('postgres',
		"SELECT 'init' FROM pg_create_logical_replication_slot('$slot', 'readscale_decoder')");
}
$node->safe_psql('postgres', q{
	CREATE TABLE b (id int PRIMARY KEY, v text);
	INSERT INTO b SELECT g, repeat('x', g % 300) FROM generate_series(1, 20000) g;
	DO $$ BEGIN FOR i IN 1..200 LOOP UPDATE b SET v = 'u' || i WHERE id = i; COMMIT; END LOOP; END $$;
	BEGIN;
	DELETE FROM b WHERE id <= 100;
	SELECT pg_logical_emit_message(true, 'p', 'in the transaction');
	SELECT pg_logical_emit_message(false, 'p', 'outside it');
	INSERT INTO b VALUES (0, repeat('y', 100000));
	COMMIT;
	BEGIN; INSERT INTO b VALUES (-1, 'rolled back'); ROLLBACK;
	TRUNCATE b;
	INSERT INTO b SELECT g, 'streamed' FROM generate_series(1, 5000) g;});
my $batch_end = $node->safe_psql('postgres', 'SELECT pg_current_wal_lsn()');
my $small_work_mem = $node->connstr('postgres') . " options='-c logical_decoding_work_mem=64kB'";
my %files;
for my $case ([ 'plain' ], [ 'batched', '-o', 'batch-bytes=65536' ])
{
	my ($name, @options) = @$case;
	for my $mode ([ 'default' ], [ 'streamed', '-o', 'stream-changes', '-o', 'include-transaction', '-o', 'include-lsn' ])
	{
		my ($label, @mode_options) = @$mode;
		my $file = $node->basedir . "/$name-$label.ndjson";
		IPC::Run::run(
			[
				'pg_recvlogical', '-d', $small_work_mem, '-S', "${name}_$label", '--start', '--endpos', $batch_end,
				'--no-loop', '-F', '0', '-f', $file, @options, @mode_options
			],
			'2>', \my $err);
		is($?, 0, "pg_recvlogical $name $label ran") or diag($err);
		$files{"$name-$label"} = slurp_file($file);
	}
}
ok(length($files{'plain-default'}) > 1_000_000, 'the stream holds the workload');
like($files{'plain-streamed'}, qr/"op":"stream_start"/, 'the large transaction was streamed');
for my $label (@labels)
{
	ok($files{"plain-$label"} eq $files{"batched-$label"}, "$label: byte-identical with batch-bytes=65536");
}

$node->stop;
unlike(slurp_file($node->logfile), qr/terminated by signal/, 'no backend crashed');
done_testing();
