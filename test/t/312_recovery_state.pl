# Issue 14 point 5: local_lag's startup-process columns (replay_pause_state,
# replay_timeline, received_timeline, promote_triggered) on every major, equal
# to pg_stat_recovery where it exists (19); after a promotion, a standby that
# follows the new primary shows the new timeline. On 19, a WAL receiver stuck
# "connecting" (primary_conninfo names a port that accepts TCP and never
# answers) is a warning that turns critical past readscale.lag_critical, and
# metrics(), /status and /replica say so.
use strict;
use warnings;
use IO::Socket::IP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep time);
use ReadScale::Pair qw(new_primary new_standby);

my $http_port = PostgreSQL::Test::Cluster::get_free_port();
my $primary = new_primary('recstate_primary');
my $standby = new_standby($primary, 'recstate_standby', "readscale.http_listen = '$http_port'\n");
my $follower = new_standby($primary, 'recstate_follower');
my $major = $standby->safe_psql('postgres', 'SHOW server_version_num') / 10000;
my $has_view = $standby->safe_psql('postgres', "SELECT to_regclass('pg_catalog.pg_stat_recovery') IS NOT NULL") eq 't';
is($has_view ? 1 : 0, $major >= 19 ? 1 : 0, "pg_stat_recovery exists exactly from 19 (this is $major)");

my $cols = 'replay_pause_state, replay_timeline, received_timeline, promote_triggered';
is($standby->safe_psql('postgres', "SELECT $cols FROM readscale.local_lag"), 'not paused|1|1|f',
	'streaming standby: not paused, timeline 1, no promotion');
is($primary->safe_psql('postgres', "SELECT count(*) FROM readscale.local_lag"), '0', 'no row on a primary');
is($primary->safe_psql('postgres', "SELECT replay_pause_state IS NULL AND replay_timeline IS NULL AND promote_triggered IS NULL FROM readscale._recovery_state()"), 't',
	'_recovery_state() is NULL on a primary');

# Each pause state, and against core's own figures (19: the same row of pg_stat_recovery).
sub matches_core
{
	my ($what) = @_;
	my $core = $has_view
	  ? 'SELECT pause_state, last_replayed_tli, promote_triggered FROM pg_stat_recovery'
	  : 'SELECT pg_get_wal_replay_pause_state(), (SELECT timeline_id FROM pg_control_checkpoint()), false';
	is($standby->safe_psql('postgres', 'SELECT replay_pause_state, replay_timeline, promote_triggered FROM readscale.local_lag'),
		$standby->safe_psql('postgres', $core), "$what: as " . ($has_view ? 'pg_stat_recovery' : 'the server functions'));
}
matches_core('streaming');
$primary->safe_psql('postgres', 'CREATE ROLE recstate_monitor IN ROLE pg_monitor');
$primary->wait_for_catchup($standby, 'replay');
is($standby->safe_psql('postgres', "SET ROLE recstate_monitor; SELECT $cols FROM readscale.local_lag"),
	'not paused|1|1|f', 'a pg_monitor member reads the same');
$standby->safe_psql('postgres', 'SELECT pg_wal_replay_pause()');
ok($standby->poll_query_until('postgres', "SELECT replay_pause_state = 'paused' AND replay_paused FROM readscale.local_lag"),
	'paused replay shows as paused');
matches_core('paused');
$standby->safe_psql('postgres', 'SELECT pg_wal_replay_resume()');
ok($standby->poll_query_until('postgres', "SELECT replay_pause_state = 'not paused' FROM readscale.local_lag"), 'resumed');

SKIP:
{
	skip "connecting exists only on 19 (this is $major): the WAL receiver goes from starting to streaming", 10
	  if $major < 19;
	# Accepts TCP (the kernel completes the handshake into the backlog) and never answers.
	my $mute = IO::Socket::IP->new(LocalHost => '127.0.0.1', LocalPort => 0, Listen => 16)
	  or die "listen: $!";
	my $mute_port = $mute->sockport;
	$standby->safe_psql('postgres', "ALTER SYSTEM SET primary_conninfo = 'host=127.0.0.1 port=$mute_port user=postgres'");
	$standby->reload;
	my $since = time;
	ok($standby->poll_query_until('postgres', "SELECT wal_receiver_status = 'connecting' FROM readscale.local_lag"),
		'a primary that does not answer: the WAL receiver is connecting');
	diag(sprintf('connecting %.2f s after the reload', time - $since));
	my $row = $standby->safe_psql('postgres',
		"SELECT wal_receiver_streaming, verdict, reason FROM readscale.local_lag");
	like($row, qr/^f\|warning\|WAL receiver is "connecting" to the primary, not yet streaming/,
		'connecting: not streaming, a warning, not critical');
	my $metrics = $standby->safe_psql('postgres', 'SELECT readscale.metrics()');
	like($metrics, qr/^readscale_wal_receiver_up 0$/m, 'metrics: receiver not up');
	like($metrics, qr/^readscale_wal_receiver_connecting 1$/m, 'metrics: receiver connecting');
	my ($status, $body) = http_get($http_port, '/status');
	like($body, qr/"wal_receiver_streaming":false.*"wal_receiver_connecting":true/, '/status: connecting');
	is((http_get($http_port, '/replica?max_lag=1h'))[0], 200, '/replica within a limit that the silence is under: 200');

	# Stuck connecting: staleness counts from the last contact, and passes a 1 s critical threshold.
	$standby->safe_psql('postgres', "ALTER SYSTEM SET readscale.lag_critical = '1s'");
	$standby->reload;
	ok($standby->poll_query_until('postgres',
			"SELECT verdict = 'critical' AND staleness > interval '1s' AND reason LIKE 'WAL receiver is \"connecting\"%' FROM readscale.local_lag"),
		'still connecting past lag_critical: critical, and the reason says connecting');
	diag('stuck connecting: ' . $standby->safe_psql('postgres', 'SELECT staleness, since_last_message, reason FROM readscale.local_lag'));
	is((http_get($http_port, '/replica?max_lag=500ms'))[0], 503, '/replica refuses data older than the request allows');
	is((http_get($http_port, '/replica'))[0], 503, '/replica without limits: the critical threshold applies to connecting');
	$standby->safe_psql('postgres', 'ALTER SYSTEM RESET primary_conninfo');
	$standby->safe_psql('postgres', 'ALTER SYSTEM RESET readscale.lag_critical');
	$standby->reload;
	close $mute;
	ok($standby->poll_query_until('postgres', "SELECT wal_receiver_status = 'streaming' AND verdict = 'ok' FROM readscale.local_lag"),
		'back to streaming: ok');
}

# Timelines: promote the standby; the follower switches to it and to timeline 2.
# The old primary stops first, so both standbys hold the same WAL (its
# shutdown checkpoint included) and none is past the fork point.
$primary->wait_for_catchup($_, 'replay') for ($standby, $follower);
$primary->stop;
$standby->promote;
$follower->safe_psql('postgres',
	"ALTER SYSTEM SET primary_conninfo = 'port=" . $standby->port . ' host=' . $standby->host . "'");
$follower->reload;
$standby->safe_psql('postgres', 'CREATE TABLE after_promotion (i int)');
ok($follower->poll_query_until('postgres', "SELECT $cols FROM readscale.local_lag", 'not paused|2|2|f'),
	'the follower replays and receives timeline 2 from the promoted standby');
is($standby->safe_psql('postgres', 'SELECT count(*) FROM readscale.local_lag'), '0', 'the promoted standby has no row');

done_testing();

sub http_get
{
	my ($port, $path) = @_;
	my $sock = IO::Socket::IP->new(PeerHost => '127.0.0.1', PeerPort => $port, Proto => 'tcp',
		Timeout => $PostgreSQL::Test::Utils::timeout_default) or return (0, '');
	print $sock "GET $path HTTP/1.1\r\nHost: x\r\n\r\n";
	local $/;
	my $answer = <$sock> // '';
	close $sock;
	my ($status) = $answer =~ m{^HTTP/1\.1 (\d{3}) };
	my (undef, $body) = split /\r\n\r\n/, $answer, 2;
	return ($status // 0, $body // '');
}
