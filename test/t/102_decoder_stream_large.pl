# readscale_decoder with stream-changes through a real pg_recvlogical: a
# transaction of a million rows is sent in blocks while it is decoded, within
# logical_decoding_work_mem (streamed, never spilled to disk), and arrives whole.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use ReadScale::Pair qw(new_primary);

my $rows = 1_000_000;
my $node = new_primary('decoder_stream', "logical_decoding_work_mem = '1MB'\n");
$node->safe_psql('postgres', 'CREATE TABLE big (id int PRIMARY KEY, v text)');
$node->safe_psql('postgres',
	"SELECT 'init' FROM pg_create_logical_replication_slot('big_slot', 'readscale_decoder')");
$node->safe_psql('postgres', "INSERT INTO big SELECT g, 'row ' || g FROM generate_series(1, $rows) g");
my $endpos = $node->safe_psql('postgres', 'SELECT pg_current_wal_lsn()');

my $out = $node->basedir . '/big.ndjson';
IPC::Run::run(
	[
		'pg_recvlogical', '-d', $node->connstr('postgres'), '-S', 'big_slot', '--start',
		'--endpos', $endpos, '--no-loop', '-f', $out, '-o', 'stream-changes'
	],
	'2>', \my $err);
is($?, 0, 'pg_recvlogical ran to endpos') or diag($err);

my ($inserts, $starts, $stops, $commits) = (0, 0, 0, 0);
open(my $fh, '<', $out) or die "cannot open $out: $!";
while (my $line = <$fh>)
{
	if ($line =~ /^\{"op":"insert","schema":"public","table":"big","xid":\d+,"new":/) { $inserts++; }
	elsif ($line =~ /^\{"op":"stream_start","xid":\d+\}$/) { $starts++; }
	elsif ($line =~ /^\{"op":"stream_stop","xid":\d+\}$/) { $stops++; }
	elsif ($line =~ /^\{"op":"stream_commit","xid":\d+\}$/) { $commits++; }
}
close($fh);
is($inserts, $rows, 'every row arrived');
cmp_ok($starts, '>', 1, 'sent in several stream blocks');
is($stops, $starts, 'every block is closed');
is($commits, 1, 'one stream_commit');
is($node->safe_psql('postgres',
		"SELECT stream_txns > 0 AND spill_txns = 0 FROM pg_stat_replication_slots WHERE slot_name = 'big_slot'"),
	't', 'streamed within logical_decoding_work_mem, nothing spilled to disk');

$node->stop;
unlike(slurp_file($node->logfile), qr/terminated by signal/, 'no backend crashed');
done_testing();
