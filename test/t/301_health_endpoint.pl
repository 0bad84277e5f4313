# The opt-in HTTP health endpoint (readscale.http_listen) on a real primary and
# hot standby: Patroni-style routes, HEAD, hostile requests, the read timeout,
# /replica?max_lag= flipping to 503 while replay is paused and back after.
use strict;
use warnings;
use IO::Socket::INET;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);
use ReadScale::Pair qw(new_primary new_standby);

my $primary_port = PostgreSQL::Test::Cluster::get_free_port();
my $standby_port = PostgreSQL::Test::Cluster::get_free_port();
my $primary = new_primary('health_primary', "readscale.http_listen = '$primary_port'\n");
my $standby = new_standby($primary, 'health_standby', "readscale.http_listen = '127.0.0.1:$standby_port'\n");

# Staleness is unknown until the standby has replayed a commit: give it one.
$primary->safe_psql('postgres', 'CREATE TABLE warm_up (i int)');
$primary->wait_for_catchup($standby, 'replay');

# Sends raw bytes, returns (status, body) of the answer, or (0, '') when nobody listens.
sub http_raw
{
	my ($port, $request) = @_;
	my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Proto => 'tcp')
	  or return (0, '');
	print $sock $request;
	local $/;
	my $answer = <$sock> // '';
	close $sock;
	my ($status) = $answer =~ m{^HTTP/1\.1 (\d{3}) };
	my (undef, $body) = split /\r\n\r\n/, $answer, 2;
	return ($status // 0, $body // '', $answer);
}

sub http_get { my ($port, $path) = @_; return http_raw($port, "GET $path HTTP/1.1\r\nHost: x\r\n\r\n"); }

# Polls until GET $path answers $want (the worker starts once the node is consistent).
sub poll_http
{
	my ($port, $path, $want) = @_;
	for (1 .. 10 * $PostgreSQL::Test::Utils::timeout_default)
	{
		my ($status) = http_get($port, $path);
		return 1 if $status == $want;
		usleep(100_000);
	}
	return 0;
}

ok(poll_http($primary_port, '/health', 200), 'primary endpoint answers /health');
ok(poll_http($standby_port, '/health', 200), 'standby endpoint answers /health');
is((http_get($primary_port, '/primary'))[0], 200, 'primary: /primary 200');
is((http_get($primary_port, '/master'))[0], 200, 'primary: Patroni alias /master 200');
is((http_get($primary_port, '/replica'))[0], 503, 'primary: /replica 503');
is((http_get($primary_port, '/read-only'))[0], 200, 'primary: /read-only 200');
is((http_get($standby_port, '/primary'))[0], 503, 'standby: /primary 503');
ok(poll_http($standby_port, '/replica', 200), 'standby: /replica 200');
is((http_get($standby_port, '/replica?max_lag=1h&lag=16MB'))[0], 200, 'standby: /replica within limits 200');
is((http_get($standby_port, '/nowhere'))[0], 404, 'unknown path 404');
is((http_get($standby_port, '/replica?max_lag=soon'))[0], 400, 'bad max_lag 400');

my ($status, $body) = http_get($primary_port, '/metrics');
like($body, qr/^readscale_in_recovery 0$/m, 'primary /metrics');
($status, $body) = http_get($standby_port, '/metrics');
like($body, qr/^readscale_wal_receiver_up 1$/m, 'standby /metrics: receiver up');
my ($out, $err);
ok(IPC::Run::run([ 'promtool', 'check', 'metrics' ], '<', \$body, '>', \$out, '2>', \$err),
	'promtool accepts /metrics') or diag("$out$err");
($status, $body) = http_get($standby_port, '/status');
like($body, qr/^\{"role":"standby","wal_receiver_streaming":true,/, '/status is JSON');

# HEAD: headers only.
my (undef, $head_body, $raw) = http_raw($primary_port, "HEAD /primary HTTP/1.1\r\n\r\n");
is($head_body, '', 'HEAD has no body');
like($raw, qr/Content-Length: 8\r\n/, 'HEAD keeps the Content-Length of GET');

# Hostile or unsupported requests.
is((http_raw($primary_port, "POST /primary HTTP/1.1\r\nContent-Length: 0\r\n\r\n"))[0], 405, 'POST 405');
is((http_raw($primary_port, "GET /primary HTTP/1.1\r\nContent-Length: 4\r\n\r\nbody"))[0], 413, 'body 413');
is((http_raw($primary_port, "GET /" . ('a' x 2000) . " HTTP/1.1\r\n\r\n"))[0], 414, 'long target 414');
is((http_raw($primary_port, "GET / HTTP/1.1\r\nX: " . ('v' x 5000) . "\r\n\r\n"))[0], 431, 'huge head 431');
is((http_raw($primary_port, "\x00\x01garbage\r\n\r\n"))[0], 400, 'garbage 400');
is((http_raw($primary_port, "GET /health HTTP/1.1\r\n"))[0], 408, 'incomplete request times out with 408');

# A full connection table: the oldest idle connection is evicted (503 busy) for the new one, which is served.
my @idle;
for (1 .. 256)
{
	push @idle, IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $primary_port, Proto => 'tcp');
}
($status, $body) = http_get($primary_port, '/health');
is($status, 200, 'table full of idle connections: a new /health is still served');
my $evicted = do { local $/; my $s = $idle[0]; <$s> // '' };
like($evicted, qr{^HTTP/1\.1 503 .*busy\n$}s, 'the oldest idle connection was evicted with 503 busy');
close $_ for @idle;
ok(poll_http($primary_port, '/health', 200), 'served again once the idle connections are gone');

# Paused replay with WAL waiting: /replica?max_lag=1ms says 503, /replica alone 503 (paused).
$standby->safe_psql('postgres', 'SELECT pg_wal_replay_pause()');
ok($standby->poll_query_until('postgres', "SELECT pg_get_wal_replay_pause_state() = 'paused'"), 'replay paused');
$primary->safe_psql('postgres', 'CREATE TABLE h AS SELECT g FROM generate_series(1, 1000) g');
my $written = $primary->lsn('insert');
ok($standby->poll_query_until('postgres', "SELECT pg_last_wal_receive_lsn() >= '$written'::pg_lsn"), 'WAL received');
($status, $body) = http_get($standby_port, '/replica?max_lag=1ms');
is($status, 503, 'paused standby: /replica?max_lag=1ms 503');
like($body, qr/replay is paused/, 'reason given');
$standby->safe_psql('postgres', 'SELECT pg_wal_replay_resume()');
$primary->wait_for_catchup($standby, 'replay');
ok(poll_http($standby_port, '/replica?max_lag=1ms', 200), 'caught up again: /replica?max_lag=1ms 200');

# Promotion: the old standby's endpoint now answers /primary 200 and /replica 503.
$primary->stop;
$standby->promote;
ok(poll_http($standby_port, '/primary', 200), 'promoted standby: /primary 200');
is((http_get($standby_port, '/replica'))[0], 503, 'promoted standby: /replica 503');

# A listen address already in use: the worker reports why (53000) instead of serving.
my $taken_port = PostgreSQL::Test::Cluster::get_free_port();
my $squatter = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $taken_port, Listen => 1, ReuseAddr => 1)
  or die "cannot listen on $taken_port: $!";
$standby->append_conf('postgresql.conf', "readscale.http_listen = '$taken_port'\n");
my $log_offset = -s $standby->logfile;
$standby->restart;
ok($standby->wait_for_log(qr/could not listen on "$taken_port": Address already in use/, $log_offset),
	'address in use is reported in the server log');
close $squatter;

$standby->stop;
for my $node ($primary, $standby)
{
	unlike(slurp_file($node->logfile), qr/terminated by signal/, $node->name . ' log shows no crash');
}

done_testing();
