# The two outcomes of a drop that races with the world, made deterministic
# without test-only code: a guard pass lists the slots, then its first audit
# INSERT waits on a lock another session holds on readscale.slot_guard_log.
# While it waits, a real pg_recvlogical takes one listed slot and another
# session drops a second one. When the lock goes, the pass acts on its stale
# listing: PostgreSQL's own slot acquire refuses the active slot (55006,
# "skipped: became active") and the vanished one fails ("failed: ...", 42704).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use ReadScale::Pair qw(new_primary);

my $node = new_primary('slot_race');
my $q = sub { $node->safe_psql('postgres', $_[0]) };
$q->('CREATE TABLE t (id int)');
for my $slot (qw(race_a_first race_b_reconnects race_c_gone))
{
	$q->("SELECT 'init' FROM pg_create_logical_replication_slot('$slot', 'test_decoding')");
}
$q->('INSERT INTO t SELECT generate_series(1, 100)');
# All critical and droppable, except race_a_first (protected): it sorts first, so its audit row is where the pass waits.
$q->("INSERT INTO readscale.slot_policy (slot_name_pattern, critical_bytes, action, protected)"
	  . " VALUES ('race\\_%', 0, 'drop', false), ('race_a_first', 0, 'drop', true)");

my $locker = $node->background_psql('postgres');
$locker->query_safe('BEGIN; LOCK TABLE readscale.slot_guard_log IN SHARE MODE');
my $guard = $node->background_psql('postgres');
$guard->query_until(qr/started/, "\\echo started\nSELECT count(*) FROM readscale.slot_guard_run(false);\n");
ok($node->poll_query_until('postgres',
		"SELECT count(*) = 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
		  . " AND query LIKE '%slot_guard_run(false)%'"),
	'the pass has listed the slots and waits on its first audit row');

my $out = $node->basedir . '/race_b.txt';
my $recv = IPC::Run::start(
	[ 'pg_recvlogical', '-d', $node->connstr('postgres'), '-S', 'race_b_reconnects', '--start', '-F', '1', '-f', $out ],
	'2>', \my $recv_err);
ok($node->poll_query_until('postgres', "SELECT active FROM pg_replication_slots WHERE slot_name = 'race_b_reconnects'"),
	'a consumer reconnected to race_b_reconnects meanwhile');
$q->("SELECT pg_drop_replication_slot('race_c_gone')");
$locker->query_safe('COMMIT');
$guard->quit;
$locker->quit;

is($q->("SELECT string_agg(slot_name || ': ' || verdict || ' ' || action || ' ' || outcome, E'\\n' ORDER BY slot_name)"
		  . " FROM readscale.slot_guard_log WHERE NOT dry_run"),
	"race_a_first: critical warn skipped: protected\n"
	  . "race_b_reconnects: critical drop skipped: became active\n"
	  . "race_c_gone: critical drop failed: replication slot \"race_c_gone\" does not exist",
	'the active slot is skipped, the vanished one failed, and the pass went on');
is($q->("SELECT string_agg(slot_name || ' ' || active, ',' ORDER BY slot_name) FROM pg_replication_slots"),
	'race_a_first false,race_b_reconnects true', 'the reconnected slot is still there, still active');
$q->('INSERT INTO t VALUES (-42)');
my $deadline = time + $PostgreSQL::Test::Utils::timeout_default;
until ((-f $out && slurp_file($out) =~ /id\[integer\]:-42/) || time > $deadline)
{
	select(undef, undef, undef, 0.1);    # polls the file; not a timed assertion
}
like(-f $out ? slurp_file($out) : '', qr/id\[integer\]:-42/, 'and its consumer keeps streaming');

# Without the race, a pass sees it active from the start.
is($q->("SELECT outcome FROM readscale.slot_guard_run(false) WHERE slot_name = 'race_b_reconnects'"),
	'skipped: active', 'the next pass skips it as active');

$recv->signal('TERM');
$recv->finish;
$node->stop;
done_testing();
