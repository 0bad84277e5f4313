# The slot guard and slot_retention with what PostgreSQL 17-19 added to slots:
# an invalidated slot is critical, names its invalidation and is dropped under
# a drop policy without waiting for max_inactive (17+; on 15 and 16 only
# wal_status says "lost"); idle_replication_slot_timeout invalidates (18+); a
# temporary slot is ignored (every major); acts_first names the mechanism
# that acts first; a failover slot synced to a standby is never dropped there
# and is protected on the primary unless a policy names it; a slot listed in
# synchronized_standby_slots is never dropped and is critical when inactive or
# missing (17+); on 19 with wal_level = replica the last valid logical slot is
# kept unless a policy names it. Cases a major lacks print a skip.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use ReadScale::Pair qw(new_primary new_standby);

my $node = new_primary('slot_majors', "max_slot_wal_keep_size = '1MB'\n");
my $major = int($node->safe_psql('postgres', 'SHOW server_version_num') / 10000);
my $retention = sub {
	my ($slot, $columns) = @_;
	return $node->safe_psql('postgres', "SELECT $columns FROM readscale.slot_retention WHERE slot_name = '$slot'");
};
# Checkpoints until the query returns true (invalidation happens at checkpoints); false on timeout.
my $checkpoint_until = sub {
	my ($target, $query) = @_;
	for (1 .. $PostgreSQL::Test::Utils::timeout_default)
	{
		$target->safe_psql('postgres', 'CHECKPOINT');
		return 1 if $target->safe_psql('postgres', $query) eq 't';
		sleep 1;
	}
	return 0;
};
my $preview = sub {
	my ($target, $slot) = @_;
	return $target->safe_psql('postgres',
		"SELECT verdict || ': ' || outcome FROM readscale.slot_guard_preview() WHERE slot_name = '$slot'");
};

# Invalidation by max_slot_wal_keep_size: the keep size acts first, then the slot is lost.
$node->safe_psql('postgres', "SELECT 'init' FROM pg_create_physical_replication_slot('inv_wal', true)");
$node->safe_psql('postgres', 'CREATE TABLE churn (v text)');
$node->safe_psql('postgres',
	"INSERT INTO readscale.slot_policy (slot_name_pattern, action, max_inactive) VALUES ('inv_wal', 'drop', '1 day')");
is($retention->('inv_wal', 'acts_first'), 'max_slot_wal_keep_size',
	'the keep size acts first, before a drop policy with a day to wait');
for my $i (1 .. 3)
{
	$node->safe_psql('postgres', "INSERT INTO churn SELECT repeat('x', 100) FROM generate_series(1, 1000); SELECT pg_switch_wal()");
}
ok($checkpoint_until->($node, "SELECT wal_status = 'lost' FROM readscale.slot_retention WHERE slot_name = 'inv_wal'"),
	'the slot loses its WAL at a checkpoint');
is($retention->('inv_wal', 'verdict'), 'critical', 'a lost slot is critical');
if ($major >= 17)
{
	is($retention->('inv_wal', 'invalidation_reason || acts_first'), 'wal_removedguard',
		'invalidation_reason is wal_removed, and the guard acts next');
	like($retention->('inv_wal', 'reason'), qr/^invalidated \(wal_removed\)/, 'the reason names the invalidation');
	is($node->safe_psql('postgres',
			"SELECT outcome FROM readscale.slot_guard_run(false) WHERE slot_name = 'inv_wal'"),
		'dropped', 'an invalidated slot is dropped without waiting for max_inactive');
}
else
{
	note("PostgreSQL $major has no invalidation_reason: a lost slot waits for max_inactive");
	is($retention->('inv_wal', 'invalidation_reason IS NULL'), 't', 'invalidation_reason is NULL');
	is($preview->($node, 'inv_wal'), 'critical: skipped: inactive for less than max_inactive', 'the slot waits');
	SKIP: { skip "invalidation_reason needs PostgreSQL 17 (this is $major)", 2; }
}

# A temporary slot held by another session: critical under a drop policy, never touched.
my $holder = $node->background_psql('postgres');
$holder->query_safe("SELECT 'init' FROM pg_create_logical_replication_slot('temp_slot', 'test_decoding', true)");
$node->safe_psql('postgres', "INSERT INTO churn VALUES ('after the temporary slot')");
$node->safe_psql('postgres',
	"INSERT INTO readscale.slot_policy (slot_name_pattern, critical_bytes, action) VALUES ('temp_slot', 0, 'drop')");
is($node->safe_psql('postgres', "SELECT action || ': ' || outcome FROM readscale.slot_guard_run(false) WHERE slot_name = 'temp_slot'"),
	'none: skipped: temporary slot', 'the guard ignores a temporary slot');
is($retention->('temp_slot', 'temporary::text || acts_first'), 'truemax_slot_wal_keep_size',
	'only the keep size of core acts on it');
$holder->quit;

# idle_replication_slot_timeout (18+) invalidates an idle slot and leaves it; the guard drops it.
SKIP:
{
	skip "idle_replication_slot_timeout needs PostgreSQL 18 (this is $major)", 5 if $major < 18;
	$node->safe_psql('postgres',
		"ALTER SYSTEM SET max_slot_wal_keep_size = -1; ALTER SYSTEM SET idle_replication_slot_timeout = '1s'");
	$node->reload;
	$node->safe_psql('postgres', "SELECT 'init' FROM pg_create_physical_replication_slot('idle_slot', true)");
	$node->safe_psql('postgres',
		"INSERT INTO readscale.slot_policy (slot_name_pattern, action, max_inactive) VALUES ('idle_slot', 'warn', NULL)");
	is($retention->('idle_slot', 'acts_first'), 'idle_replication_slot_timeout', 'the idle timeout acts first');
	is($node->safe_psql('postgres', "SELECT severity FROM readscale.config_audit() WHERE setting = 'idle_replication_slot_timeout'"),
		'info', 'config_audit reports the idle timeout');
	ok($checkpoint_until->($node,
			"SELECT invalidation_reason = 'idle_timeout' FROM readscale.slot_retention WHERE slot_name = 'idle_slot'"),
		'the idle slot is invalidated at a checkpoint');
	like($retention->('idle_slot', "verdict || ': ' || reason"), qr/^critical: invalidated \(idle_timeout\)/,
		'critical, naming the idle timeout');
	$node->safe_psql('postgres',
		"UPDATE readscale.slot_policy SET action = 'drop', max_inactive = '1 day' WHERE slot_name_pattern = 'idle_slot'");
	is($node->safe_psql('postgres', "SELECT outcome FROM readscale.slot_guard_run(false) WHERE slot_name = 'idle_slot'"),
		'dropped', 'the guard drops what core invalidated');
}
if ($major < 18)
{
	is($node->safe_psql('postgres',
			"SELECT count(*) FROM readscale.config_audit() WHERE setting = 'idle_replication_slot_timeout'"),
		'0', "config_audit runs on $major and reports no idle timeout");
}

# 19 with wal_level = replica: the last valid logical slot keeps logical decoding on; only its exact name drops it.
SKIP:
{
	skip "logical decoding follows slots only on PostgreSQL 19 (this is $major)", 2 if $major < 19;
	$node->append_conf('postgresql.conf', "wal_level = replica\n");
	$node->restart;
	$node->safe_psql('postgres', "SELECT 'init' FROM pg_create_logical_replication_slot('last_logical', 'test_decoding')");
	$node->safe_psql('postgres', "INSERT INTO churn VALUES ('after the last logical slot')");
	$node->safe_psql('postgres',
		"INSERT INTO readscale.slot_policy (slot_name_pattern, critical_bytes, action) VALUES ('last%', 0, 'drop')");
	is($preview->($node, 'last_logical'), 'critical: skipped: last valid logical slot, dropping it turns logical decoding off',
		'the last valid logical slot is kept from a pattern');
	$node->safe_psql('postgres',
		"INSERT INTO readscale.slot_policy (slot_name_pattern, critical_bytes, action) VALUES ('last_logical', 0, 'drop')");
	is($preview->($node, 'last_logical'), 'critical: dry run: would drop', 'a policy naming it exactly may drop it');
}
$node->stop;

# Failover slots (17+): synced to a standby, never dropped there; protected on the primary unless named.
SKIP:
{
	skip "failover slots need PostgreSQL 17 (this is $major)", 9 if $major < 17;
	my $primary = new_primary('failover_primary');
	$primary->safe_psql('postgres', "SELECT 'init' FROM pg_create_physical_replication_slot('sb1_slot')");
	my $standby = new_standby($primary, 'failover_standby',
		"primary_slot_name = 'sb1_slot'\nsync_replication_slots = on\n"
		  . "primary_conninfo = 'port=" . $primary->port . " host=" . $primary->host
		  . " dbname=postgres application_name=failover_standby'\n");
	$primary->safe_psql('postgres',
		"SELECT 'init' FROM pg_create_logical_replication_slot('fo_slot', 'test_decoding', false, false, true)");
	# The slotsync worker copies the slot once the primary's copy needs no older WAL or catalog rows than the
	# standby keeps: consume it past a running-xacts record until it does.
	$primary->safe_psql('postgres', 'CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 1000)');
	my $synced = 'f';
	for (1 .. $PostgreSQL::Test::Utils::timeout_default)
	{
		$primary->safe_psql('postgres',
			"SELECT pg_log_standby_snapshot(); SELECT count(*) FROM pg_logical_slot_get_changes('fo_slot', NULL, NULL)");
		$synced = $standby->safe_psql('postgres',
			"SELECT coalesce(bool_and(synced AND NOT temporary), false) FROM readscale.slot_retention WHERE slot_name = 'fo_slot'");
		last if $synced eq 't';
		sleep 1;
	}
	is($synced, 't', 'the failover slot is synced to the standby');
	$primary->safe_psql('postgres', 'INSERT INTO t SELECT generate_series(1, 1000)');
	$primary->wait_for_catchup($standby, 'replay');

	# Logical walsenders wait for the slots synchronized_standby_slots lists; ghost_slot is gone.
	$primary->safe_psql('postgres', "SELECT 'init' FROM pg_create_physical_replication_slot('ghost_slot')");
	$primary->safe_psql('postgres', "ALTER SYSTEM SET synchronized_standby_slots = 'sb1_slot, ghost_slot'");
	$primary->reload;
	$primary->safe_psql('postgres', "SELECT pg_drop_replication_slot('ghost_slot')");
	$primary->safe_psql('postgres',
		"INSERT INTO readscale.slot_policy (slot_name_pattern, critical_bytes, action) VALUES ('fo%', 0, 'drop')");
	is($preview->($primary, 'fo_slot'), 'critical: skipped: failover slot, the policy does not name it',
		'a failover slot on the primary is protected from a pattern');
	is($preview->($primary, 'ghost_slot'),
		'critical: warned', 'a slot synchronized_standby_slots lists that does not exist is critical');
	$primary->safe_psql('postgres',
		"INSERT INTO readscale.slot_policy (slot_name_pattern, critical_bytes, action) VALUES ('fo_slot', 0, 'drop'),"
		  . " ('sb1_slot', 0, 'drop')");
	is($preview->($primary, 'fo_slot'), 'critical: dry run: would drop', 'a policy naming it exactly may drop it');
	$primary->wait_for_catchup($standby, 'replay');

	is($standby->safe_psql('postgres',
			"SELECT failover::text || synced::text FROM readscale.slot_retention WHERE slot_name = 'fo_slot'"),
		'truetrue', 'slot_retention shows failover and synced');
	is($standby->safe_psql('postgres',
			"SELECT verdict || ': ' || outcome FROM readscale.slot_guard_run(false) WHERE slot_name = 'fo_slot'"),
		'critical: skipped: synced from the primary', 'the guard never tries to drop a synced slot');
	is($standby->safe_psql('postgres', "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'fo_slot'"),
		'1', 'the synced slot is still there');

	$standby->stop;
	ok($primary->poll_query_until('postgres', "SELECT NOT active FROM pg_replication_slots WHERE slot_name = 'sb1_slot'"),
		'the standby is gone');
	is($preview->($primary, 'sb1_slot'), 'critical: skipped: listed in synchronized_standby_slots',
		'an inactive slot in synchronized_standby_slots is critical and never dropped');
	$primary->stop;
}

done_testing();
