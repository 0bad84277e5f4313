# Issue 15 point 2: a standby that disconnects stays in standby_lag,
# check_lag, failover_candidates and metrics() as "disconnected", critical
# (a lag_policy row can make it a warning), until it comes back or is
# forgotten (forget_standby(), readscale.forget_standby_after). Expected
# standbys: seen since startup, physical slots, synchronous_standby_names.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);
use ReadScale::Pair qw(new_primary new_standby);

my $primary = new_primary('roster_primary');
$primary->safe_psql('postgres', "SELECT 'init' FROM pg_create_physical_replication_slot('s2_slot')");
my $s1 = new_standby($primary, 's1');
my $s2 = new_standby($primary, 's2', "primary_slot_name = 's2_slot'\n");

sub row
{
	my ($name) = @_;
	return $primary->safe_psql('postgres',
		"SELECT state, verdict, disconnected_since IS NOT NULL, expected_by FROM readscale.standby_lag WHERE application_name = '$name'");
}

# Seen while connected (any look at standby_lag records them).
is($primary->safe_psql('postgres', "SELECT string_agg(application_name || ' ' || state || ' ' || verdict, ',' ORDER BY 1) FROM readscale.standby_lag"),
	's1 streaming ok,s2 streaming ok', 'both standbys streaming and ok');

# Stop s1: critical on the primary, timed from the moment pg_ctl stop returned.
$s1->stop;
my $stopped = time;
ok($primary->poll_query_until('postgres', "SELECT verdict = 'critical' AND state = 'disconnected' FROM readscale.standby_lag WHERE application_name = 's1'"),
	'stopped standby shows as disconnected and critical');
diag(sprintf('stopped standby critical on the primary %.2f s after pg_ctl stop returned', time - $stopped));
is(row('s1'), 'disconnected|critical|t|seen', 'disconnected_since is when it was last seen; expected because seen');
is($primary->safe_psql('postgres', "SELECT string_agg(application_name || ' ' || verdict, ',' ORDER BY 1) FROM readscale.check_lag()"),
	's1 critical,s2 ok', 'check_lag lists it as critical');
is($primary->safe_psql('postgres', 'SELECT string_agg(application_name, \',\' ORDER BY rank) FROM readscale.failover_candidates'),
	's2,s1', 'failover_candidates ranks it last');
my $metrics = $primary->safe_psql('postgres', 'SELECT readscale.metrics()');
like($metrics, qr/^readscale_standby_up\{application_name="s1"\} 0$/m, 'metrics: s1 down');
like($metrics, qr/^readscale_standby_up\{application_name="s2"\} 1$/m, 'metrics: s2 up');
like($metrics, qr/^readscale_standby_verdict\{application_name="s1"\} 2$/m, 'metrics: s1 critical');
my ($out, $err);
ok(IPC::Run::run([ 'promtool', 'check', 'metrics' ], '<', \"$metrics\n", '>', \$out, '2>', \$err),
	'promtool accepts the metrics with a disconnected standby') or diag("$out$err");

# s2 streams from a slot: one row, expected by both.
$s2->stop;
ok($primary->poll_query_until('postgres', "SELECT state = 'disconnected' FROM readscale.standby_lag WHERE application_name = 's2'"),
	'the slot standby shows as disconnected');
is(row('s2'), 'disconnected|critical|t|seen,slot', 'its inactive slot folds into its row');
is($primary->safe_psql('postgres', 'SELECT count(*) FROM readscale.standby_lag'), '2', 'no separate row for the slot');

# A policy row naming it exactly makes it a warning.
$primary->safe_psql('postgres', "INSERT INTO readscale.lag_policy (application_name_pattern, disconnected_is_critical) VALUES ('s2', false)");
is(row('s2'), 'disconnected|warning|t|seen,slot,lag_policy', 'disconnected_is_critical = false: warning');

# forget_standby: s1 was only seen, so it leaves; s2 stays expected by its policy,
# and its slot, no longer tied to a name, by itself.
is($primary->safe_psql('postgres', "SELECT readscale.forget_standby('s1')"), 't', 'forget_standby forgets s1');
is($primary->safe_psql('postgres', "SELECT count(*) FROM readscale.standby_lag WHERE application_name = 's1'"), '0', 's1 is gone');
is($primary->safe_psql('postgres', "SELECT readscale.forget_standby('s2')"), 't', 'forget_standby forgets s2 as seen');
is(row('s2'), 'disconnected|warning|f|lag_policy', 's2 still expected by its policy, last seen unknown');
is(row('s2_slot'), 'disconnected|critical|f|slot', 'its inactive slot stands for a standby of its own');

# Both come back: ok again.
$s1->start;
$s2->start;
ok($primary->poll_query_until('postgres',
		"SELECT string_agg(application_name || ' ' || state || ' ' || verdict, ',' ORDER BY 1) = 's1 streaming ok,s2 streaming ok' FROM readscale.standby_lag"),
	'restarted standbys return to streaming and ok');
$primary->safe_psql('postgres', 'DELETE FROM readscale.lag_policy');

# readscale.forget_standby_after forgets by time.
$primary->safe_psql('postgres', "ALTER SYSTEM SET readscale.forget_standby_after = '1s'; SELECT pg_reload_conf()");
$s1->stop;
ok($primary->poll_query_until('postgres', "SELECT count(*) = 0 FROM readscale.standby_lag WHERE application_name = 's1'"),
	'forget_standby_after: a standby unseen for longer is forgotten');
$primary->safe_psql('postgres', "ALTER SYSTEM RESET readscale.forget_standby_after; SELECT pg_reload_conf()");

# synchronous_standby_names names an expected standby.
$primary->safe_psql('postgres', "ALTER SYSTEM SET synchronous_standby_names = 'FIRST 1 (s2, ghost)'; SELECT pg_reload_conf()");
ok($primary->poll_query_until('postgres',
		"SELECT verdict = 'critical' AND expected_by = 'synchronous_standby_names' FROM readscale.standby_lag WHERE application_name = 'ghost'"),
	'a name in synchronous_standby_names that is not connected is critical');
$primary->safe_psql('postgres', "ALTER SYSTEM RESET synchronous_standby_names; SELECT pg_reload_conf()");

$s2->stop;
$primary->stop;
for my $node ($primary, $s1, $s2)
{
	unlike(slurp_file($node->logfile), qr/terminated by signal/, $node->name . ' log shows no crash');
}
done_testing();
