# Issue 14 point 5: metrics() exports pg_stat_replication_slots for the
# readscale_decoder slots: one slot spills a transaction larger than
# logical_decoding_work_mem, another streams it (stream-changes); every sample
# equals the view's column, the spill and stream figures are not zero, slots
# of other plugins are left out, mem_exceeded_count's family exists exactly
# where the view has the column (19), and promtool accepts the text.
use strict;
use warnings;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use ReadScale::Pair qw(new_primary);

my $node = new_primary('decstats', "logical_decoding_work_mem = '64kB'\n");
$node->safe_psql('postgres', q{
	SELECT 'init' FROM pg_create_logical_replication_slot('spill_slot', 'readscale_decoder');
	SELECT 'init' FROM pg_create_logical_replication_slot('stream_slot', 'readscale_decoder');
	SELECT 'init' FROM pg_create_logical_replication_slot('other_plugin', 'test_decoding');
	CREATE TABLE big (i int, pad text);
	INSERT INTO big SELECT g, repeat('x', 100) FROM generate_series(1, 20000) g;
});
$node->safe_psql('postgres', q{
	SELECT count(*) FROM pg_logical_slot_get_changes('spill_slot', NULL, NULL);
	SELECT count(*) FROM pg_logical_slot_get_changes('stream_slot', NULL, NULL, 'stream-changes', '1');
	SELECT count(*) FROM pg_logical_slot_get_changes('other_plugin', NULL, NULL);
});

my %column = (
	spilled_transactions => 'spill_txns', spills => 'spill_count', spilled_bytes => 'spill_bytes',
	streamed_transactions => 'stream_txns', streams => 'stream_count', streamed_bytes => 'stream_bytes',
	memory_exceeded => 'mem_exceeded_count', transactions => 'total_txns', bytes => 'total_bytes');
my $has_mem = $node->safe_psql('postgres',
	"SELECT count(*) FROM pg_attribute WHERE attrelid = 'pg_stat_replication_slots'::regclass AND attname = 'mem_exceeded_count'");
my $metrics = $node->safe_psql('postgres', 'SELECT readscale.metrics()');
my %sample;
for (split /\n/, $metrics)
{
	$sample{$1}{$2} = $3 if /^readscale_decoding_([a-z_]+)_total\{slot_name="((?:[^"\\]|\\.)*)"\} (\d+)$/;
}
is(join(',', sort keys %sample), join(',', sort grep { $has_mem || $_ ne 'memory_exceeded' } keys %column),
	'one counter family per pg_stat_replication_slots column ' . ($has_mem ? 'with' : 'without') . ' mem_exceeded_count');
is(scalar(() = $metrics =~ /^# TYPE readscale_decoding_memory_exceeded_total counter$/mg), $has_mem + 0,
	'memory_exceeded family present exactly where the column is');
unlike($metrics, qr/^readscale_decoding_\w+\{slot_name="other_plugin"\}/m, 'a test_decoding slot is left out');

for my $slot ('spill_slot', 'stream_slot')
{
	for my $family (sort keys %sample)
	{
		my $truth = $node->safe_psql('postgres',
			"SELECT $column{$family} FROM pg_stat_replication_slots WHERE slot_name = '$slot'");
		is($sample{$family}{$slot}, $truth, "$slot: readscale_decoding_${family}_total = $column{$family}");
	}
	diag("$slot: " . $node->safe_psql('postgres',
		"SELECT format('spill_txns %s spill_count %s spill_bytes %s stream_txns %s stream_count %s stream_bytes %s total_txns %s total_bytes %s',"
		  . " spill_txns, spill_count, spill_bytes, stream_txns, stream_count, stream_bytes, total_txns, total_bytes)"
		  . " FROM pg_stat_replication_slots WHERE slot_name = '$slot'"));
}
cmp_ok($sample{spilled_bytes}{spill_slot}, '>', 0, 'the big transaction spilled');
cmp_ok($sample{spilled_transactions}{spill_slot}, '>', 0, 'one spilled transaction at least');
cmp_ok($sample{streamed_bytes}{stream_slot}, '>', 0, 'with stream-changes it streamed');
cmp_ok($sample{streamed_transactions}{stream_slot}, '>', 0, 'one streamed transaction at least');
cmp_ok($sample{bytes}{stream_slot}, '>', 0, 'decoded bytes counted');
cmp_ok($sample{memory_exceeded}{spill_slot}, '>', 0, 'memory exceeded counted (19)') if $has_mem;

my ($out, $err);
ok(IPC::Run::run([ 'promtool', 'check', 'metrics' ], '<', \$metrics, '>', \$out, '2>', \$err),
	'promtool accepts metrics() with decoding statistics') or diag("$out$err");

done_testing();
