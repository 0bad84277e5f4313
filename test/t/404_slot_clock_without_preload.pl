# Without shared_preload_libraries the inactivity clock is per session: each
# session starts its own at its first look and keeps it for its later looks
# (docs/slots.md). The shared clock with the preload is in 401. On 17+ the
# clock is the server's inactive_since, the same in every session.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('slot_no_preload');
$node->init(allows_streaming => 'logical');
$node->append_conf('postgresql.conf', "output_plugin_libraries = 'pgoutput, test_decoding'\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION pg_readscale');
$node->safe_psql('postgres', "SELECT 'init' FROM pg_create_logical_replication_slot('np_slot', 'test_decoding')");
my $since = "SELECT inactive_since FROM readscale.slot_retention WHERE slot_name = 'np_slot'";

my $session = $node->background_psql('postgres');
my $first = $session->query_safe($since);
isnt($first, '', 'the first look starts a clock');
is($session->query_safe($since), $first, 'the same session keeps it');
my $other = $node->safe_psql('postgres', $since);
my $major = int($node->safe_psql('postgres', 'SHOW server_version_num') / 10000);
if ($major >= 17)
{
	note("PostgreSQL $major records inactive_since itself: no per-session clock");
	is($other, $first, "on $major another session sees the server's inactive_since");
}
else
{
	is($node->safe_psql('postgres', "SELECT '$other'::timestamptz > '$first'::timestamptz"),
		't', 'another session starts its own, later');
}
is($session->query_safe($since), $first, 'which does not move the first one');
is($session->query_safe("SELECT verdict FROM readscale.slot_guard_run() WHERE slot_name = 'np_slot'"), 'ok',
	'the guard runs without the preload');
$session->quit;

$node->stop;
done_testing();
