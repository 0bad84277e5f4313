# readscale_decoder under DDL while a real pg_recvlogical streams: ALTER TABLE
# ADD COLUMN, DROP COLUMN and ALTER COLUMN TYPE between transactions and inside
# them (also inside a savepoint rolled back), once plainly and once with
# stream-changes and a tiny logical_decoding_work_mem so a large transaction
# with DDL in its middle is sent in blocks. Every change must arrive with the
# columns (and JSON types) of its own time, and neither stream may break.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use JSON::PP;
use ReadScale::Pair qw(new_primary);

my $node = new_primary('decoder_ddl', "logical_decoding_work_mem = '64kB'\n");
$node->safe_psql('postgres', 'CREATE TABLE d (id int PRIMARY KEY, a int)');
for my $slot ('ddl_plain', 'ddl_stream')
{
	$node->safe_psql('postgres',
		"SELECT 'init' FROM pg_create_logical_replication_slot('$slot', 'readscale_decoder')");
}

# Both subscribers run for the whole workload, started before any DDL;
# --no-loop: a broken connection ends pg_recvlogical instead of a retry.
my %out = map { $_ => $node->basedir . "/$_.ndjson" } ('ddl_plain', 'ddl_stream');
my %err;
my %recv;
for my $slot (keys %out)
{
	my @cmd = ('pg_recvlogical', '-d', $node->connstr('postgres'), '-S', $slot, '--start', '--no-loop',
		'-F', '0', '-s', '1', '-o', 'add-tables=public.d', '-f', $out{$slot});
	push @cmd, ('-o', 'stream-changes') if $slot eq 'ddl_stream';
	$recv{$slot} = IPC::Run::start(\@cmd, '2>', \$err{$slot});
}

my @workload = (
	"INSERT INTO d VALUES (1, 10)",
	# between transactions
	"ALTER TABLE d ADD COLUMN b text DEFAULT 'x'",
	"INSERT INTO d VALUES (2, 20, 'b2')",
	"UPDATE d SET a = 11 WHERE id = 1",
	# inside one transaction: the insert before the drop keeps a, the one after has none
	"BEGIN; INSERT INTO d VALUES (3, 30, 'b3'); ALTER TABLE d DROP COLUMN a; INSERT INTO d VALUES (4, 'b4'); COMMIT",
	# a type change rewrites the table; the rewrite itself is not a change to send
	"ALTER TABLE d ALTER COLUMN b DROP DEFAULT, ALTER COLUMN b TYPE int USING length(b)",
	"INSERT INTO d VALUES (5, 7)",
	"BEGIN; INSERT INTO d VALUES (6, 1); ALTER TABLE d ALTER COLUMN b TYPE text; INSERT INTO d VALUES (7, 'seven'); COMMIT",
	# a column dropped in a savepoint rolled back is still there
	"BEGIN; ALTER TABLE d ADD COLUMN c int; INSERT INTO d VALUES (8, 'e', 80); SAVEPOINT s; "
	  . "ALTER TABLE d DROP COLUMN c; ROLLBACK TO s; INSERT INTO d VALUES (9, 'n', 90); COMMIT",
	# a large transaction (streamed in blocks on ddl_stream) with DDL in its middle
	"BEGIN; INSERT INTO d SELECT g, 'big', g FROM generate_series(1000, 5999) g; "
	  . "ALTER TABLE d ADD COLUMN z bool DEFAULT true; "
	  . "INSERT INTO d SELECT g, 'big', g, false FROM generate_series(6000, 10999) g; COMMIT",
	"DELETE FROM d WHERE id = 2",
	"INSERT INTO d VALUES (99999, 'end', 0, true)");
$node->safe_psql('postgres', $_) for @workload;

# Wait (poll, no timed assertion) for the last row in both files.
my $deadline = time + $PostgreSQL::Test::Utils::timeout_default;
for my $slot (sort keys %out)
{
	until ((-e $out{$slot} && slurp_file($out{$slot}) =~ /"id":99999/) || time > $deadline)
	{
		select(undef, undef, undef, 0.1);
	}
	ok($recv{$slot}->pumpable, "$slot: pg_recvlogical still streaming after all the DDL")
	  or diag($err{$slot});
	$recv{$slot}->signal('INT');
	$recv{$slot}->finish;
}

# The columns (in order) and JSON kinds each row must arrive with.
my %expected = (
	1 => [ 'id,a', {} ],
	2 => [ 'id,a,b', { b => 'b2' } ],
	3 => [ 'id,a,b', { a => 30 } ],
	4 => [ 'id,b', { b => 'b4' } ],
	5 => [ 'id,b', { b => 7 } ],
	6 => [ 'id,b', { b => 1 } ],
	7 => [ 'id,b', { b => 'seven' } ],
	8 => [ 'id,b,c', { c => 80 } ],
	9 => [ 'id,b,c', { c => 90 } ],
	99999 => [ 'id,b,c,z', { z => JSON::PP::true } ]);
$expected{$_} = [ 'id,b,c', { b => 'big' } ] for 1000 .. 5999;
$expected{$_} = [ 'id,b,c,z', { z => JSON::PP::false } ] for 6000 .. 10999;

for my $slot (sort keys %out)
{
	my (%inserts, @problems, @updates, @deletes, $blocks);
	for my $line (split /\n/, slurp_file($out{$slot}))
	{
		my $r = eval { decode_json($line) };
		if (!$r) { push @problems, "not JSON: $line"; next; }
		$blocks++ if $r->{op} eq 'stream_start';
		next if $r->{op} =~ /^stream_/;
		push @updates, $r if $r->{op} eq 'update';
		push @deletes, $r if $r->{op} eq 'delete';
		next unless $r->{op} eq 'insert';
		# key order as sent: JSON::PP loses it, so read it from the text
		my ($new) = $line =~ /"new":\{(.*)\}\}$/;
		my $keys = join ',', $new =~ /"(\w+)":/g;
		my $id = $r->{new}{id};
		$inserts{$id}++;
		my $want = $expected{$id};
		if (!$want) { push @problems, "unexpected row $id"; next; }
		push @problems, "row $id has columns $keys, expected $want->[0]" if $keys ne $want->[0];
		for my $col (keys %{ $want->[1] })
		{
			my ($got, $exp) = ($r->{new}{$col}, $want->[1]{$col});
			# numbers must be JSON numbers and strings JSON strings: compare the encoded forms
			my ($g, $e) = map { JSON::PP->new->allow_nonref->encode($_) } ($got, $exp);
			push @problems, "row $id column $col is $g, expected $e" if $g ne $e;
		}
	}
	my @missing = grep { !$inserts{$_} } sort { $a <=> $b } keys %expected;
	is(scalar(@missing), 0, "$slot: every inserted row arrived") or diag("missing: @missing[0 .. 9]");
	is(join("\n", @problems), '', "$slot: every row has the columns and types of its time");
	is(scalar(@updates), 1, "$slot: one update");
	is(join(',', sort keys %{ $updates[0]{new} // {} }), 'a,b,id', "$slot: the update has the column added before it");
	is($updates[0]{new}{b}, 'x', "$slot: the added column's default is sent for an old row");
	is_deeply($deletes[0]{old}, { id => 2 }, "$slot: the delete after the DDL names its key");
	cmp_ok($blocks // 0, '>', 1, "$slot: large transaction sent in several blocks") if $slot eq 'ddl_stream';
}

$node->stop;
unlike(slurp_file($node->logfile), qr/terminated by signal/, 'no backend crashed');
done_testing();
