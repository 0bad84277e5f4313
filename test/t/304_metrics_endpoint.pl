# The health endpoint's /metrics is readscale.metrics(): on a primary with a
# standby and on that standby, the series (names and labels) served over HTTP
# equal those of SELECT readscale.metrics(), and promtool accepts both. With
# every client connection slot taken, /health, /primary, /replica and
# /metrics still answer (the worker is not a client backend). Without the
# extension in readscale.http_database, /metrics falls back to the node's
# gauges; that part listens on [::1] when the host has IPv6 loopback. A metrics() query slower than the
# worker's statement_timeout is cancelled and answered with the gauges too.
use strict;
use warnings;
use IO::Socket::IP;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);
use ReadScale::Pair qw(new_primary new_standby);

my $primary_port = PostgreSQL::Test::Cluster::get_free_port();
my $standby_port = PostgreSQL::Test::Cluster::get_free_port();
my $primary = new_primary('metrics_primary',
	"readscale.http_listen = '$primary_port'\nmax_connections = 8\nsuperuser_reserved_connections = 0\n");
my $standby = new_standby($primary, 'metrics_standby', "readscale.http_listen = '$standby_port'\n");
$primary->safe_psql('postgres', 'CREATE TABLE warm_up (i int)');
$primary->wait_for_catchup($standby, 'replay');

sub http_get
{
	my ($port, $path, $host) = @_;
	my $sock = IO::Socket::IP->new(PeerHost => $host // '127.0.0.1', PeerPort => $port, Proto => 'tcp',
		Timeout => $PostgreSQL::Test::Utils::timeout_default) or return (0, '');
	print $sock "GET $path HTTP/1.1\r\nHost: x\r\n\r\n";
	local $/;
	my $answer = <$sock> // '';
	close $sock;
	my ($status) = $answer =~ m{^HTTP/1\.1 (\d{3}) };
	my (undef, $body) = split /\r\n\r\n/, $answer, 2;
	return ($status // 0, $body // '');
}

sub poll_http
{
	my ($port, $path, $want, $host) = @_;
	for (1 .. 10 * $PostgreSQL::Test::Utils::timeout_default)
	{
		return 1 if (http_get($port, $path, $host))[0] == $want;
		usleep(100_000);
	}
	return 0;
}

# "name{labels}" of every sample line, sorted.
sub series
{
	my ($text) = @_;
	return join "\n", sort map { /^([a-z_]+(?:\{[^}]*\})?) / ? $1 : "unparsed: $_" } grep { !/^#/ && /\S/ } split /\n/, $text;
}

sub promtool_ok
{
	my ($text, $what) = @_;
	my ($out, $err);
	ok(IPC::Run::run([ 'promtool', 'check', 'metrics' ], '<', \$text, '>', \$out, '2>', \$err),
		"promtool accepts $what") or diag("$out$err");
}

# Series can appear or go between the two reads while a standby connects; poll until they agree.
sub compare_series
{
	my ($node, $port, $what) = @_;
	my ($http, $sql) = ('', '');
	for (1 .. 5 * $PostgreSQL::Test::Utils::timeout_default)
	{
		my ($status, $body) = http_get($port, '/metrics');
		$http = $body if $status == 200;
		$sql = $node->safe_psql('postgres', 'SELECT readscale.metrics()');
		last if series($http) eq series($sql);
		usleep(200_000);
	}
	is(series($http), series($sql), "$what: /metrics serves the series of readscale.metrics()");
	promtool_ok($http, "$what /metrics");
	promtool_ok($sql, "$what readscale.metrics()");
	return $http;
}

ok(poll_http($primary_port, '/health', 200), 'primary endpoint up');
ok(poll_http($standby_port, '/health', 200), 'standby endpoint up');
ok($primary->poll_query_until('postgres', "SELECT count(*) = 1 FROM readscale.standby_lag WHERE flush_lag IS NOT NULL"),
	'the standby shows in standby_lag');

my $text = compare_series($primary, $primary_port, 'primary');
like($text, qr/^readscale_standby_lag_bytes\{application_name="metrics_standby",kind="apply"\} \d+$/m,
	'per-standby byte lag with its application_name');
like($text, qr/^readscale_standby_verdict\{application_name="metrics_standby"\} 0$/m, 'per-standby verdict');
like($text, qr/^readscale_gate_waits_total \d+$/m, 'gate counters');
$text = compare_series($standby, $standby_port, 'standby');
like($text, qr/^readscale_wal_receiver_up 1$/m, 'standby: local series');

# A /metrics query slower than the worker's statement_timeout (2 s) is cancelled: the scraper gets the
# node's own gauges instead of waiting for it. The stand-in metrics section sleeps 60 s.
my $gate_section = $primary->safe_psql('postgres', q{SELECT pg_get_functiondef('readscale._metrics_gate()'::regprocedure)});
$primary->safe_psql('postgres', q{CREATE OR REPLACE FUNCTION readscale._metrics_gate() RETURNS text
	LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$ SELECT pg_sleep(60)::text $$});
usleep(1_100_000);    # past the one-second answer cache
my $log_offset = -s $primary->logfile;
my ($status, $body) = http_get($primary_port, '/metrics');
is($status, 200, 'slow metrics(): /metrics 200');
like($body, qr/^readscale_in_recovery 0$/m, 'slow metrics(): the node gauges');
unlike($body, qr/readscale_standby_verdict/, 'slow metrics(): no SQL sections, the query was cancelled');
ok($primary->wait_for_log(qr/canceling statement due to statement timeout/, $log_offset),
	'slow metrics(): the server log names the statement timeout');
$primary->safe_psql('postgres', $gate_section);

# Every client slot taken (max_connections = 8, none reserved): sleeping sessions until a new one is refused.
my @sessions;
my $full = 0;
for (1 .. 30)
{
	my ($in, $out, $err) = ('', '', '');
	push @sessions, IPC::Run::start([ 'psql', '-XAtq', '-d', $primary->connstr('postgres'), '-c', 'SELECT pg_sleep(600)' ],
		'<', \$in, '>', \$out, '2>', \$err);
	usleep(300_000);
	my ($ret, $stdout, $stderr) = $primary->psql('postgres', 'SELECT 1');
	if ($stderr =~ /too many clients already/) { $full = 1; last; }
}
ok($full, 'max_connections exhausted: a new session is refused');
is((http_get($primary_port, '/health'))[0], 200, 'connections exhausted: /health 200');
is((http_get($primary_port, '/primary'))[0], 200, 'connections exhausted: /primary 200');
is((http_get($primary_port, '/replica'))[0], 503, 'connections exhausted: /replica answers (503 on a primary)');
($status, $body) = http_get($primary_port, '/metrics');
is($status, 200, 'connections exhausted: /metrics 200');
like($body, qr/^readscale_standby_verdict\{application_name="metrics_standby"\} /m,
	'connections exhausted: /metrics still has the per-standby series');
$_->kill_kill for @sessions;

# pg_readscale not installed in readscale.http_database: the node's own gauges, no error to the scraper.
# The endpoint listens on IPv6 loopback this time, where the host has one.
my $ipv6 = IO::Socket::IP->new(LocalHost => '::1', LocalPort => 0, Listen => 1) ? 1 : 0;
my $host = $ipv6 ? '::1' : '127.0.0.1';
my $listen = $ipv6 ? "[::1]:$standby_port" : $standby_port;
$standby->append_conf('postgresql.conf', "readscale.http_database = 'template1'\nreadscale.http_listen = '$listen'\n");
$standby->restart;
ok(poll_http($standby_port, '/health', 200, $host), "standby endpoint up on $listen with http_database = template1");
SKIP:
{
	skip 'no IPv6 loopback on this host', 1 unless $ipv6;
	is((http_get($standby_port, '/health'))[0], 0, 'listening on [::1] only: nothing on 127.0.0.1');
}
($status, $body) = http_get($standby_port, '/metrics', $host);
is($status, 200, 'fallback /metrics 200');
like($body, qr/^readscale_wal_receiver_up 1$/m, 'fallback /metrics has the node gauges');
unlike($body, qr/readscale_gate_waits_total/, 'fallback /metrics has no SQL sections');
promtool_ok($body, 'the fallback /metrics');

$standby->stop;
$primary->stop;
for my $node ($primary, $standby)
{
	unlike(slurp_file($node->logfile), qr/terminated by signal/, $node->name . ' log shows no crash');
}

done_testing();
