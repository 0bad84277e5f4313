# The slot guard worker over a slot's life on a real primary: a physical slot
# (warn only), a logical slot consumed throughout by a live pg_recvlogical, a
# protected inactive logical slot, and a logical slot whose consumer goes away.
# WAL grows until verdicts move ok -> warning -> critical; the dry run logs and
# drops nothing; with dry_run off only the abandoned slot is dropped, once its
# shared inactivity clock has passed max_inactive; the live consumer keeps
# receiving changes; after a server restart the clocks start again and the
# worker still acts.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use ReadScale::Pair qw(new_primary);

my $node = new_primary('slot_life',
	"readscale.slot_guard_database = 'postgres'\nreadscale.slot_guard_interval = '200ms'\n");
my $q = sub { $node->safe_psql('postgres', $_[0]) };
my $poll = sub { $node->poll_query_until('postgres', $_[0]) };
my $log_has = sub {
	my ($slot, $where) = @_;
	return "SELECT count(*) > 0 FROM readscale.slot_guard_log WHERE slot_name = '$slot' AND $where";
};

$q->('CREATE TABLE t (id int, note text)');
$q->('CHECKPOINT');    # the physical slot reserves from this redo point
$q->("SELECT 'init' FROM pg_create_physical_replication_slot('phys_reserved', true)");
for my $slot (qw(cdc_live tmp_abandoned tmp_protected))
{
	$q->("SELECT 'init' FROM pg_create_logical_replication_slot('$slot', 'test_decoding')");
}
$q->("INSERT INTO readscale.slot_policy (slot_name_pattern, warning_bytes, critical_bytes, max_inactive, action,"
	  . " protected) VALUES ('phys_reserved', 1048576, 8388608, NULL, 'warn', false),"
	  . " ('cdc_live', 0, 0, '1 hour', 'drop', false), ('tmp\\_%', 1048576, 8388608, '3s', 'drop', false),"
	  . " ('tmp_protected', 1048576, 8388608, NULL, 'drop', true)");

# Live consumers: cdc_live for the whole test (reconnects by itself after the
# restart; its max_inactive covers that gap), tmp_abandoned until it goes away.
my @recv = ('pg_recvlogical', '-d', $node->connstr('postgres'), '--start', '-F', '1', '-s', '1');
my $live_out = $node->basedir . '/cdc_live.txt';
my $live = IPC::Run::start([ @recv, '-S', 'cdc_live', '-f', $live_out ], '2>', \my $live_err);
my $gone = IPC::Run::start([ @recv, '-S', 'tmp_abandoned', '--no-loop', '-f', '/dev/null' ], '2>', \my $gone_err);
ok($poll->("SELECT count(*) = 2 FROM pg_replication_slots WHERE active AND slot_name IN ('cdc_live', 'tmp_abandoned')"),
	'both consumers stream');

sub received
{
	my ($marker) = @_;
	my $deadline = time + $PostgreSQL::Test::Utils::timeout_default;
	until ((-f $live_out && slurp_file($live_out) =~ /\Q$marker\E/) || time > $deadline)
	{
		select(undef, undef, undef, 0.1);    # polls the file; not a timed assertion
	}
	return -f $live_out && slurp_file($live_out) =~ /\Q$marker\E/;
}

# ok -> warning -> critical, by retained bytes.
my $verdicts = "SELECT string_agg(slot_name || '=' || verdict, ',' ORDER BY slot_name) FROM readscale.slot_retention"
  . " WHERE slot_name IN ('phys_reserved', 'tmp_protected')";
is($q->($verdicts), 'phys_reserved=ok,tmp_protected=ok', 'fresh slots are ok');
$q->("INSERT INTO t SELECT g, repeat('x', 100) FROM generate_series(1, 10000) g");
is($q->($verdicts), 'phys_reserved=warning,tmp_protected=warning', 'over 1 MB of WAL: warning');
for (1 .. 10)
{
	last if $q->($verdicts) eq 'phys_reserved=critical,tmp_protected=critical';
	$q->("SELECT pg_switch_wal(); INSERT INTO t VALUES (0, 'filler')");
}
is($q->($verdicts), 'phys_reserved=critical,tmp_protected=critical', 'over 8 MB of WAL: critical');

# The consumer of tmp_abandoned goes away; its shared clock starts at the first look after that.
my $before_kill = $q->('SELECT clock_timestamp()');
$gone->signal('KILL');
$gone->finish;
ok($poll->("SELECT NOT active FROM pg_replication_slots WHERE slot_name = 'tmp_abandoned'"), 'consumer gone');
ok($poll->($log_has->('tmp_abandoned', "dry_run AND outcome = 'dry run: would drop'")),
	'the dry run reports the drop once max_inactive has passed');
is($q->($log_has->('tmp_abandoned', "dry_run AND outcome = 'skipped: inactive for less than max_inactive'"
		  . " AND at >= '$before_kill'")),
	't', 'before that, the inactivity clock held it back');
is($q->($log_has->('tmp_abandoned', "dry_run AND outcome = 'dry run: would drop' AND inactive_for < '3s'")),
	'f', 'never reported droppable before 3 s of inactivity');
is($q->("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'tmp_abandoned'"), '1', 'a dry run drops nothing');
my $warning = 'WARNING:  replication slot "tmp_abandoned" is critical\n.*'
  . "DETAIL:  The slot guard's outcome: dry run: would drop\\.";
ok($node->log_contains(qr/$warning/), 'the worker logs a WARNING with the outcome');
is($q->("SELECT inactive_since >= '$before_kill' AND inactive_since < backend_start"
		  . " FROM readscale.slot_retention, pg_stat_activity WHERE slot_name = 'tmp_abandoned' AND pid = pg_backend_pid()"),
	't', 'a new session sees the clock the worker started (shared memory)');

# For real: only the abandoned slot goes.
$node->append_conf('postgresql.conf', "readscale.slot_guard_dry_run = off\n");
$node->reload;
# A drop takes effect at once, its audit row at the pass's commit: wait for the row.
ok($poll->($log_has->('tmp_abandoned', "outcome = 'dropped'")), 'the worker drops the abandoned slot');
is($q->("SELECT verdict || ' ' || action || ' ' || outcome || ' ' || (inactive_for >= '3s')"
		  . " FROM readscale.slot_guard_log WHERE slot_name = 'tmp_abandoned' AND NOT dry_run AND outcome = 'dropped'"),
	'critical drop dropped true', 'logged, after max_inactive');
ok($poll->($log_has->('cdc_live', "NOT dry_run AND verdict = 'critical' AND outcome = 'skipped: active'")),
	'the live critical slot is skipped as active');
ok($poll->($log_has->('tmp_protected', "NOT dry_run AND outcome = 'skipped: protected'")), 'the protected one too');
ok($poll->($log_has->('phys_reserved', "NOT dry_run AND verdict = 'critical' AND outcome = 'warned'")),
	'the physical one is warned about');
is($q->("SELECT string_agg(slot_name, ',' ORDER BY slot_name) FROM pg_replication_slots"),
	'cdc_live,phys_reserved,tmp_protected', 'active, protected and warn-only slots survive');
$q->("INSERT INTO t VALUES (1, 'after the drop')");
ok(received('after the drop'), 'pg_recvlogical still streams after the drop');

# Across a restart: a slot inactive for longer than max_inactive before it is
# seen afresh after startup, so the worker waits max_inactive again, then drops it.
$node->append_conf('postgresql.conf', "readscale.slot_guard_dry_run = on\n");
$node->reload;
my $reloaded = $q->('SELECT clock_timestamp()');
ok($poll->("SELECT count(*) > 0 FROM readscale.slot_guard_log WHERE dry_run AND at > '$reloaded'"), 'back to dry run');
$q->("SELECT 'init' FROM pg_create_logical_replication_slot('tmp_restart', 'test_decoding')");
ok($poll->($log_has->('tmp_restart', "outcome = 'dry run: would drop'")), 'droppable before the restart');
$node->append_conf('postgresql.conf', "readscale.slot_guard_dry_run = off\n");
$node->restart;
ok($poll->($log_has->('tmp_restart', "outcome = 'dropped'")), 'after the restart the worker drops it');
# Critical before the restart only by inactivity (it retains little WAL): ok again at the first look after it.
is($q->("SELECT verdict || ' ' || outcome || ' ' || (at > pg_postmaster_start_time()) FROM readscale.slot_guard_log"
		  . " WHERE slot_name = 'tmp_restart' AND NOT dry_run ORDER BY at LIMIT 1"),
	'ok ok true', 'its clock started again at startup');
is($q->("SELECT at > pg_postmaster_start_time() AND inactive_for >= '3s' FROM readscale.slot_guard_log"
		  . " WHERE slot_name = 'tmp_restart' AND outcome = 'dropped'"),
	't', 'and the drop came max_inactive later');
is($q->("SELECT string_agg(slot_name, ',' ORDER BY slot_name) FROM pg_replication_slots"),
	'cdc_live,phys_reserved,tmp_protected', 'the others survive the restart');
$q->("INSERT INTO t VALUES (2, 'after the restart')");
ok(received('after the restart'), 'pg_recvlogical reconnected and streams after the restart');

$live->signal('TERM');
$live->finish;
$node->stop;
done_testing();
