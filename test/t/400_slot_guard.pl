# Slot-retention guard on a real primary + hot standby. On the primary, the
# background worker first only reports (dry run, the default), then, once
# readscale.slot_guard_dry_run is off, drops the abandoned logical slot its
# policy allows, keeps a protected one and never drops the active physical
# slot of the streaming standby. On the standby, retained bytes count from the
# replay position and a pattern policy never drops; a policy naming the slot
# exactly does.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use ReadScale::Pair qw(new_primary new_standby);

my $primary = new_primary('slot_primary',
	"readscale.slot_guard_database = 'postgres'\nreadscale.slot_guard_interval = '200ms'\n");
$primary->safe_psql('postgres', "SELECT 'init' FROM pg_create_physical_replication_slot('tmp_standby', true)");
my $standby = new_standby($primary, 'slot_standby', "primary_slot_name = 'tmp_standby'\n");

$primary->safe_psql('postgres', "SELECT 'init' FROM pg_create_logical_replication_slot('tmp_abandoned', 'test_decoding')");
$primary->safe_psql('postgres', "SELECT 'init' FROM pg_create_logical_replication_slot('tmp_kept', 'test_decoding')");
$primary->safe_psql('postgres',
	"INSERT INTO readscale.slot_policy (slot_name_pattern, critical_bytes, action, protected)"
	  . " VALUES ('tmp\\_%', 0, 'drop', false), ('tmp_kept', 0, 'drop', true)");
$primary->safe_psql('postgres', 'CREATE TABLE filler AS SELECT g FROM generate_series(1, 10000) g');

ok($primary->poll_query_until('postgres',
		"SELECT count(*) > 0 FROM readscale.slot_guard_log WHERE slot_name = 'tmp_abandoned' AND dry_run"
		  . " AND outcome = 'dry run: would drop'"),
	'the worker reports in a dry run');
is($primary->safe_psql('postgres', "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'tmp_abandoned'"),
	'1', 'a dry run drops nothing');

$primary->append_conf('postgresql.conf', "readscale.slot_guard_dry_run = off\n");
$primary->reload;
# The drop takes effect at once, its audit row at the pass's commit: wait for the row.
ok($primary->poll_query_until('postgres',
		"SELECT count(*) > 0 FROM readscale.slot_guard_log WHERE slot_name = 'tmp_abandoned' AND outcome = 'dropped'"),
	'the worker drops the abandoned slot once dry_run is off');
is($primary->safe_psql('postgres',
		"SELECT verdict || ' ' || action || ' ' || outcome FROM readscale.slot_guard_log"
		  . " WHERE slot_name = 'tmp_abandoned' AND NOT dry_run"),
	'critical drop dropped', 'the drop is logged');
is($primary->safe_psql('postgres', "SELECT string_agg(slot_name, ',' ORDER BY slot_name) FROM pg_replication_slots"),
	'tmp_kept,tmp_standby', 'protected and active slots stay');
ok($primary->poll_query_until('postgres',
		"SELECT count(*) > 0 FROM readscale.slot_guard_log WHERE slot_name = 'tmp_kept' AND NOT dry_run"
		  . " AND outcome = 'skipped: protected'"),
	'the protected slot is skipped');
is($primary->safe_psql('postgres',
		"SELECT count(*) FROM readscale.slot_guard_log WHERE slot_name = 'tmp_standby' AND NOT dry_run"
		  . " AND outcome NOT IN ('ok', 'skipped: active')"),
	'0', 'the active standby slot is only ever ok or skipped as active');
is($primary->safe_psql('postgres', "SELECT active FROM readscale.slot_retention WHERE slot_name = 'tmp_standby'"),
	't', 'slot_retention shows the standby slot active');

# On the standby: a physical slot reserved at the replay position.
$standby->safe_psql('postgres', "SELECT 'init' FROM pg_create_physical_replication_slot('tmp_on_standby', true)");
$primary->safe_psql('postgres', 'INSERT INTO filler SELECT g FROM generate_series(1, 10000) g');
$primary->wait_for_catchup($standby, 'replay');
ok($standby->poll_query_until('postgres',
		"SELECT retained_bytes > 0 AND verdict = 'critical' AND policy = 'tmp\\_%'"
		  . " FROM readscale.slot_retention WHERE slot_name = 'tmp_on_standby'"),
	'on the standby, retained bytes count from the replay position');
is($standby->safe_psql('postgres',
		"SELECT outcome FROM readscale.slot_guard_run(false) WHERE slot_name = 'tmp_on_standby'"),
	'skipped: on a standby, the policy does not name the slot', 'a pattern never drops on a standby');

$primary->safe_psql('postgres',
	"INSERT INTO readscale.slot_policy (slot_name_pattern, critical_bytes, action) VALUES ('tmp_on_standby', 0, 'drop')");
$primary->wait_for_catchup($standby, 'replay');
is($standby->safe_psql('postgres',
		"SELECT outcome FROM readscale.slot_guard_run(false) WHERE slot_name = 'tmp_on_standby'"),
	'dropped', 'a policy naming the slot exactly drops it on the standby');
is($standby->safe_psql('postgres', "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'tmp_on_standby'"),
	'0', 'and it is gone');

$standby->stop;
$primary->stop;
done_testing();
