# What pg_stat_activity shows for a backend waiting in the extension: on 17
# and 18 a wait event of its own per kind of wait (WaitEventExtensionNew),
# listed in pg_wait_events; on 15 and 16 every extension wait is "Extension"
# (wait_event_type "Extension" on 15-18). On 19 the waits sleep in core's
# WaitForLSN, so they show core's event: WaitForWalReplay (type IPC).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use ReadScale::Pair qw(new_primary new_standby);
use ReadScale::Waiters qw(start_waiter);

my $primary = new_primary('primary');
my $standby = new_standby($primary, 'standby');
$primary->safe_psql('postgres', 'CREATE TABLE t (id int PRIMARY KEY)');
$primary->wait_for_catchup($standby, 'replay');
my $version = $standby->safe_psql('postgres', 'SHOW server_version_num');
my $named = $version >= 170000 && $version < 190000;

# Replay held back by an apply delay shorter than the waits' timeouts (a paused replay would fail the gate fast).
$standby->append_conf('postgresql.conf', "recovery_min_apply_delay = '40s'");
$standby->reload;
my $lsn = $primary->safe_psql('postgres', 'INSERT INTO t VALUES (1); SELECT readscale.current_token()');
my $token = $primary->safe_psql('postgres', 'SELECT readscale.current_causal_token()');

# name => [ the waiting statement, what the session prints once the wait ends ]
my %waits = (
	ReadscaleWaitForLSN => [ "SELECT readscale.wait_for_lsn('$lsn', '60s', fail_fast => false)", 'success' ],
	ReadscaleWaitForToken => [ "SELECT readscale.wait_for_token('$token', '60s', fail_fast => false)", 'success' ],
	ReadscaleGate => [ "SET readscale.gate_timeout = '60s'; SET readscale.min_lsn = '$lsn'; SELECT count(*) FROM t",
		'1' ]);
my %sessions;
for my $name (sort keys %waits)
{
	my ($sql, $result) = @{ $waits{$name} };
	$sessions{$name} = start_waiter($standby, $sql);
	my ($prefix) = $sql =~ /(?:.*; )?((?:SELECT|SET) readscale\.\w+)/;
	my ($type, $shown) = $version >= 190000 ? ('IPC', 'WaitForWalReplay') : ('Extension', $named ? $name : 'Extension');
	ok($standby->poll_query_until('postgres',
			"SELECT count(*) = 1 FROM pg_stat_activity WHERE wait_event_type = '$type' "
			  . "AND wait_event = '$shown' AND query LIKE '$prefix%'"),
		"a waiting $prefix shows wait_event $type/$shown");
}
if ($named)
{
	is($standby->safe_psql('postgres',
			"SELECT string_agg(name, ',' ORDER BY name) FROM pg_wait_events WHERE name LIKE 'Readscale%'"),
		'ReadscaleGate,ReadscaleWaitForLSN,ReadscaleWaitForToken', 'pg_wait_events lists the three names (17+)');
}
else
{
	note($version >= 190000
		? 'PostgreSQL 19: the waits sleep in core\'s WaitForLSN and show its wait event'
		: 'PostgreSQL 15/16: no custom wait events (WaitEventExtensionNew is 17+); the waits show "Extension"');
}

$standby->adjust_conf('postgresql.conf', 'recovery_min_apply_delay', '0');
$standby->reload;
for my $name (sort keys %waits)
{
	is($sessions{$name}->query_safe(''), $waits{$name}[1], "$name ends when the delay is lifted");
	$sessions{$name}->quit;
}

$primary->stop;
$standby->stop;
unlike(slurp_file($_->logfile), qr/terminated by signal/, $_->name . ' log shows no crash') for ($primary, $standby);
done_testing();
