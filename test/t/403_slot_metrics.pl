# Slot metrics: readscale.metrics() carries retained bytes, verdict and
# activity per replication slot, labelled slot_name and slot_type, in a text
# `promtool check metrics` accepts; the slot alert rules load, their promtool
# unit tests pass, and they use only series the extension emits.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use ReadScale::Pair qw(new_primary);

my $node = new_primary('slot_metrics');
$node->safe_psql('postgres', 'CREATE TABLE t (id int)');
$node->safe_psql('postgres', "SELECT 'init' FROM pg_create_physical_replication_slot('m_physical', true)");
$node->safe_psql('postgres', "SELECT 'init' FROM pg_create_logical_replication_slot('m_logical', 'test_decoding')");
$node->safe_psql('postgres', 'INSERT INTO t SELECT generate_series(1, 1000)');
$node->safe_psql('postgres',
	"INSERT INTO readscale.slot_policy (slot_name_pattern, warning_bytes, critical_bytes) VALUES ('m_logical', 0, 0)");

# As pg_monitor, the way an exporter scrapes.
$node->safe_psql('postgres', 'CREATE ROLE scraper LOGIN IN ROLE pg_monitor');
my $metrics = $node->safe_psql('postgres', 'SELECT readscale.metrics()', extra_params => [ '-U', 'scraper' ]) . "\n";
my ($out, $err);
ok(IPC::Run::run([ 'promtool', 'check', 'metrics' ], '<', \$metrics, '>', \$out, '2>', \$err),
	'promtool check metrics accepts metrics()') or diag("$out$err\n$metrics");
like($metrics, qr/^readscale_slot_retained_bytes\{slot_name="m_physical",slot_type="physical"\} [1-9][0-9]*$/m,
	'retained bytes of the physical slot');
like($metrics, qr/^readscale_slot_retained_bytes\{slot_name="m_logical",slot_type="logical"\} [1-9][0-9]*$/m,
	'retained bytes of the logical slot');
like($metrics, qr/^readscale_slot_verdict\{slot_name="m_logical",slot_type="logical"\} 2$/m, 'critical is 2');
like($metrics, qr/^readscale_slot_verdict\{slot_name="m_physical",slot_type="physical"\} 0$/m, 'ok is 0');
like($metrics, qr/^readscale_slot_active\{slot_name="m_logical",slot_type="logical"\} 0$/m, 'inactive is 0');
like($metrics, qr/^readscale_slot_inactive_seconds\{slot_name="m_logical",slot_type="logical"\} [0-9.]+$/m,
	'inactive seconds');
like($metrics, qr/^readscale_slot_disk_share_ratio\{slot_name="m_logical",slot_type="logical"\} [0-9.e-]+$/m,
	'disk share');

my $dir = "$ENV{READSCALE_SOURCE}/deploy/prometheus";
ok(IPC::Run::run([ 'promtool', 'check', 'rules', "$dir/readscale_slot_alerts.yml" ], '>', \$out, '2>', \$err),
	'promtool check rules') or diag("$out$err");
like($out, qr/SUCCESS: 4 rules found/, 'all four slot rules load');
ok(IPC::Run::run([ 'promtool', 'test', 'rules', "$dir/readscale_slot_alerts_test.yml" ], '>', \$out, '2>', \$err),
	'promtool test rules') or diag("$out$err");

# Every series the rules use is one the installed extension emits.
my $rules = slurp_file("$dir/readscale_slot_alerts.yml");
my %used = map { $_ => 1 } map { /\b(readscale_[a-z_]+)\b/g } grep { /^\s*expr:/ } split /\n/, $rules;
is(scalar(keys %used), 4, 'the rules use four slot series');
for my $series (sort keys %used)
{
	like($metrics, qr/^# TYPE \Q$series\E gauge$/m, "$series is emitted by readscale.metrics()");
}

$node->stop;
done_testing();
