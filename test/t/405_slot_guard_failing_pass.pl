# A failing slot guard pass (here: the audit table renamed away) is logged and
# retried at the next interval by the same worker process: it neither exits
# nor makes the postmaster restart it, and it recovers once the table is back.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('slot_failing_pass');
$node->init(allows_streaming => 'logical');
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'pg_readscale'\nreadscale.slot_guard_database = 'postgres'\n"
	  . "readscale.slot_guard_interval = '100ms'\nmax_slot_wal_keep_size = '1GB'\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION pg_readscale');
$node->safe_psql('postgres', "SELECT 'init' FROM pg_create_physical_replication_slot('kept_slot', true)");

my $worker_pid = "SELECT pid FROM pg_stat_activity WHERE backend_type = 'pg_readscale slot guard'";
ok($node->poll_query_until('postgres', "SELECT count(*) > 0 FROM readscale.slot_guard_log"),
	'the worker writes audit rows');
is($node->safe_psql('postgres',
		"SELECT abs(keep_size_share - retained_bytes / 1073741824.0) < 1e-9 AND keep_size_share > 0"
		  . " FROM readscale.slot_retention WHERE slot_name = 'kept_slot'"),
	't', 'slot_retention gives the share of max_slot_wal_keep_size');

my $pid = $node->safe_psql('postgres', $worker_pid);
isnt($pid, '', 'the worker runs');

my $log_offset = -s $node->logfile;
$node->safe_psql('postgres', 'ALTER TABLE readscale.slot_guard_log RENAME TO slot_guard_log_away');
ok($node->poll_query_until('postgres',
		"SELECT count(*) >= 3 FROM regexp_matches(pg_read_file('" . $node->logfile . "', $log_offset, 1000000),"
		  . " 'relation \"readscale.slot_guard_log\" does not exist', 'g')"),
	'each failing pass is reported in the server log');
is($node->safe_psql('postgres', $worker_pid), $pid, 'the same worker process keeps running');

$node->safe_psql('postgres', 'ALTER TABLE readscale.slot_guard_log_away RENAME TO slot_guard_log');
my $rows = $node->safe_psql('postgres', 'SELECT count(*) FROM readscale.slot_guard_log');
ok($node->poll_query_until('postgres', "SELECT count(*) > $rows FROM readscale.slot_guard_log"),
	'passes succeed again once the table is back');
is($node->safe_psql('postgres', $worker_pid), $pid, 'still the same worker process');
unlike(slurp_file($node->logfile, $log_offset), qr/terminated by exit code|FATAL/,
	'the worker never exited');

$node->stop;
done_testing();
