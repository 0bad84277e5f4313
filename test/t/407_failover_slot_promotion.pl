# A real promotion with a failover slot synced to the standby (17+): the
# primary lists the standby's physical slot in synchronized_standby_slots, the
# standby runs the slot sync worker; a readscale_decoder slot created with
# failover => true is consumed by pg_recvlogical. failover_candidates says
# the synced standby is not ready until synchronized_standby_slots lists its
# slot, then ranks it first, a second standby without slot sync lower, and
# lists no logical walsender; the guard on the standby
# never tries to drop the synced slot; after the promotion pg_recvlogical goes
# on from the synced slot on the new primary and every committed change
# arrives (the stream is at-least-once: duplicates are counted and printed).
# On 19 the synced slot's slotsync_skip_reason is NULL. Skipped before 17.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use JSON::PP;
use Time::HiRes qw(time);
use ReadScale::Pair qw(new_primary new_standby);

my $primary = new_primary('fo_primary');
my $major = int($primary->safe_psql('postgres', 'SHOW server_version_num') / 10000);
if ($major < 17)
{
	is($primary->safe_psql('postgres',
			'SELECT count(*) FILTER (WHERE failover_slots_ready IS NOT NULL) FROM readscale.failover_candidates'),
		'0', "PostgreSQL $major has no failover slots: failover_slots_ready is NULL");
	$primary->stop;
	SKIP: { skip "failover slots and slot synchronization need PostgreSQL 17 (this is $major)", 1; }
	done_testing();
	exit 0;
}

$primary->safe_psql('postgres',
	"SELECT 'init' FROM pg_create_physical_replication_slot('sb1_slot');"
	  . " SELECT 'init' FROM pg_create_physical_replication_slot('sb2_slot');"
	  . ' CREATE TABLE t (id int PRIMARY KEY, v text)');
my $conninfo = sub {
	my ($name) = @_;
	return "primary_conninfo = 'port=" . $primary->port . " host=" . $primary->host
	  . " dbname=postgres application_name=$name'\n";
};
my $synced_standby = new_standby($primary, 'fo_synced',
	"primary_slot_name = 'sb1_slot'\nsync_replication_slots = on\n" . $conninfo->('fo_synced'));
my $plain_standby = new_standby($primary, 'fo_plain', "primary_slot_name = 'sb2_slot'\n" . $conninfo->('fo_plain'));
$primary->safe_psql('postgres',
	"SELECT 'init' FROM pg_create_logical_replication_slot('cdc', 'readscale_decoder', false, false, true)");

# Committed rows, one transaction each, from $from to $to on $node.
my $commit_rows = sub {
	my ($node, $from, $to) = @_;
	$node->safe_psql('postgres',
		"DO \$\$ BEGIN FOR i IN $from..$to LOOP INSERT INTO t VALUES (i, 'row ' || i); COMMIT; END LOOP; END \$\$");
};
$commit_rows->($primary, 1, 200);

my $out1 = $primary->basedir . '/before.ndjson';
my $out2 = $primary->basedir . '/after.ndjson';
my @recv = ('pg_recvlogical', '-S', 'cdc', '--start', '-F', '0', '-s', '1', '-o', 'add-tables=public.t');
my $recv1 = IPC::Run::start([ @recv, '-d', $primary->connstr('postgres'), '-f', $out1 ], '2>', \my $err1);

# The slot sync worker copies the slot once the primary's copy needs no older WAL or catalog rows than the
# standby keeps: pg_recvlogical moves it, a running-xacts record lets it pass.
my $started = time;
my $synced = 'f';
for (1 .. $PostgreSQL::Test::Utils::timeout_default)
{
	$primary->safe_psql('postgres', 'SELECT pg_log_standby_snapshot()');
	$synced = $synced_standby->safe_psql('postgres',
		"SELECT coalesce(bool_and(synced AND NOT temporary), false) FROM readscale.slot_retention WHERE slot_name = 'cdc'");
	last if $synced eq 't';
	sleep 1;
}
is($synced, 't', 'the failover slot is synced to the standby (and persistent)');
diag(sprintf('failover slot synced to the standby after %.1f s', time - $started));
is($synced_standby->safe_psql('postgres',
		"SELECT failover::text || ' ' || coalesce(slotsync_skip_reason, 'NULL') FROM readscale.slot_retention WHERE slot_name = 'cdc'"),
	'true NULL', 'slot_retention on the standby: failover, and no slotsync_skip_reason (NULL before 19)');
if ($major >= 19)
{
	is($synced_standby->safe_psql('postgres',
			"SELECT slotsync_skip_reason IS NULL FROM pg_replication_slots WHERE slot_name = 'cdc'"),
		't', "19: the server's slotsync_skip_reason is NULL on the synced slot too");
}

# The primary's view: synced, but consumers may get ahead of the standby until synchronized_standby_slots lists it.
ok($primary->poll_query_until('postgres',
		"SELECT failover_slots_ready IS FALSE AND failover_slots_reason LIKE '%not in synchronized_standby_slots%'"
		  . " FROM readscale.failover_candidates WHERE application_name = 'fo_synced'"),
	'not ready while its slot is not in synchronized_standby_slots')
  or diag($primary->safe_psql('postgres', 'SELECT * FROM readscale.failover_candidates'));
$primary->safe_psql('postgres', "ALTER SYSTEM SET synchronized_standby_slots = 'sb1_slot'");
$primary->reload;

# Ready once listed (and once its feedback carries the synced slot's catalog_xmin).
ok($primary->poll_query_until('postgres',
		"SELECT failover_slots_ready FROM readscale.failover_candidates WHERE application_name = 'fo_synced'"),
	'the primary sees the synced standby ready for its failover slots')
  or diag($primary->safe_psql('postgres', 'SELECT * FROM readscale.failover_candidates'));
is($primary->safe_psql('postgres',
		q{SELECT string_agg(rank || ' ' || application_name || ' ' || coalesce(failover_slots_ready::text, 'NULL'), ', '
		  ORDER BY rank) FROM readscale.failover_candidates}),
	'1 fo_synced true, 2 fo_plain false',
	'failover_candidates ranks the synced standby first, the other lower, and no logical walsender');
is($primary->safe_psql('postgres',
		"SELECT physical_slot || ' ' || failover_slots || ' ' || failover_slots_ahead || ' ' || (slot_sync_last_fetch IS NOT NULL)"
		  . " FROM readscale.failover_candidates WHERE application_name = 'fo_synced'"),
	'sb1_slot 1 0 true', 'its physical slot, one failover slot, none ahead of it, its slot sync worker seen');
diag($primary->safe_psql('postgres',
		'SELECT rank, application_name, physical_slot, failover_slots_ready, failover_slots_reason FROM readscale.failover_candidates'));
like($primary->safe_psql('postgres',
		"SELECT failover_slots_reason FROM readscale.failover_candidates WHERE application_name = 'fo_plain'"),
	qr/holds no logical slot/, 'the standby without slot sync holds no synced slot, as its feedback shows');

# The guard on the standby never tries to drop the synced slot, even under a drop policy naming it.
$primary->safe_psql('postgres',
	"INSERT INTO readscale.slot_policy (slot_name_pattern, critical_bytes, action, max_inactive) VALUES ('cdc', 0, 'drop', '1 day')");
$primary->wait_for_catchup($synced_standby, 'replay');
is($synced_standby->safe_psql('postgres',
		"SELECT verdict || ': ' || outcome FROM readscale.slot_guard_run(false) WHERE slot_name = 'cdc'"),
	'critical: skipped: synced from the primary', 'the guard on the standby never tries to drop a synced slot');
$primary->safe_psql('postgres', "DELETE FROM readscale.slot_policy WHERE slot_name_pattern = 'cdc'");

# More commits, received by the first subscriber; then it stops, the primary goes away, the standby is promoted.
$commit_rows->($primary, 201, 400);
my $last_before = $primary->safe_psql('postgres', 'SELECT pg_current_wal_lsn()');
my $deadline = time + $PostgreSQL::Test::Utils::timeout_default;
until ((-e $out1 && slurp_file($out1) =~ /"id":400\b/) || time > $deadline)
{
	select(undef, undef, undef, 0.1);    # poll the file
}
$primary->wait_for_catchup($synced_standby, 'replay');
$recv1->signal('TERM');
$recv1->finish;
$primary->stop;
$synced_standby->promote;
is($synced_standby->safe_psql('postgres', "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'cdc' AND failover"),
	'1', 'the promoted standby keeps the failover slot');
$commit_rows->($synced_standby, 401, 600);
my $endpos = $synced_standby->safe_psql('postgres', 'SELECT pg_current_wal_lsn()');
IPC::Run::run([ @recv, '-d', $synced_standby->connstr('postgres'), '--endpos', $endpos, '--no-loop', '-f', $out2 ],
	'2>', \my $err2);
is($?, 0, 'pg_recvlogical goes on from the synced slot on the new primary') or diag($err2);

my (%seen, $bad);
for my $file ($out1, $out2)
{
	for my $line (split /\n/, slurp_file($file))
	{
		my $record = eval { decode_json($line) };
		if (!$record || ($record->{op} // '') ne 'insert')
		{
			$bad++;
			next;
		}
		$seen{ $record->{new}{id} }++;
	}
}
is($bad // 0, 0, 'every line is an insert record');
my @missing = grep { !$seen{$_} } 1 .. 600;
is(scalar(@missing), 0, 'every change committed before and after the promotion arrived')
  or diag("missing: @missing[0 .. (@missing > 9 ? 9 : $#missing)]");
my $duplicates = grep { $seen{$_} > 1 } keys %seen;
diag("rows received twice across the promotion (at-least-once): $duplicates; last LSN before: $last_before");

$plain_standby->stop;
$synced_standby->stop;
done_testing();
