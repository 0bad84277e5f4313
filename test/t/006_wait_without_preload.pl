# Without shared_preload_libraries the wait still works, by per-backend
# polling with backoff (19: woken by core's WaitForLSN, which needs no preload), and says so; gate_stats is empty (no shared memory).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use ReadScale::Pair qw(new_primary new_standby);
use ReadScale::Waiters qw(start_waiter expected_wake_mode);

my $primary = new_primary('primary');
my $standby = new_standby($primary, 'standby', "shared_preload_libraries = ''\n");
$primary->safe_psql('postgres', 'CREATE TABLE t (id int PRIMARY KEY)');
$primary->wait_for_catchup($standby, 'replay');

my $wake_mode = expected_wake_mode($standby, 0);
is($standby->safe_psql('postgres', 'SELECT readscale.wait_mode()'), $wake_mode, "wait_mode says $wake_mode");
is($standby->safe_psql('postgres', 'SELECT count(*) FROM readscale.gate_stats'), '0', 'gate_stats is empty');

$standby->safe_psql('postgres', 'SELECT pg_wal_replay_pause()');
$primary->safe_psql('postgres', 'INSERT INTO t VALUES (1)');
my $token = $primary->safe_psql('postgres', 'SELECT readscale.current_token()');
my $waiter = start_waiter($standby,
	"SELECT readscale.wait_for_lsn('$token', '60s', fail_fast => false); SELECT count(*) FROM t WHERE id = 1");
ok($standby->poll_query_until('postgres', "SELECT count(*) = 1 FROM pg_stat_activity WHERE (wait_event_type = 'Extension' OR wait_event = 'WaitForWalReplay')"),
	'the polling waiter waits while replay is paused');
$standby->safe_psql('postgres', 'SELECT pg_wal_replay_resume()');
is($waiter->query_safe(''), "success\n1", 'after resume the polling wait succeeds and the row is visible');
$waiter->quit;

$primary->stop;
$standby->stop;
unlike(slurp_file($_->logfile), qr/terminated by signal/, $_->name . ' log shows no crash') for ($primary, $standby);
done_testing();
