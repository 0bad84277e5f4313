# Slowloris against the health endpoint: 1,000 connections that send their
# request one byte at a time (or nothing) and reconnect when dropped. New
# /health requests are still answered 200, the worker's memory stays bounded,
# and once the slow clients are gone everything is normal. No timing
# assertion: clients only have the generous default timeout.
use strict;
use warnings;
use IO::Handle;
use IO::Socket::INET;
use POSIX ();
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);
use ReadScale::Pair qw(new_primary);

my $port = PostgreSQL::Test::Cluster::get_free_port();
my $node = new_primary('slowloris', "readscale.http_listen = '$port'\n");

sub http_get
{
	my ($path) = @_;
	my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Proto => 'tcp',
		Timeout => $PostgreSQL::Test::Utils::timeout_default) or return 0;
	$sock->timeout($PostgreSQL::Test::Utils::timeout_default);
	print $sock "GET $path HTTP/1.1\r\nHost: x\r\n\r\n";
	local $/;
	my $answer = <$sock> // '';
	close $sock;
	return $answer =~ m{^HTTP/1\.1 (\d{3}) } ? $1 : 0;
}

sub poll_health
{
	for (1 .. 10 * $PostgreSQL::Test::Utils::timeout_default)
	{
		return 1 if http_get('/health') == 200;
		usleep(100_000);
	}
	return 0;
}

sub worker_rss_kb
{
	my $pid = $node->safe_psql('postgres',
		"SELECT pid FROM pg_stat_activity WHERE backend_type = 'pg_readscale health endpoint'");
	my ($rss) = slurp_file("/proc/$pid/status") =~ /^VmRSS:\s+(\d+) kB/m;
	return ($pid, $rss);
}

# A child holding $count slow connections: half trickle "GET /health ..." one byte per round, half send nothing;
# a dropped one is reconnected. Writes "ready\n" once all are open; runs until killed.
sub slow_clients
{
	my ($count, $ready) = @_;
	$SIG{PIPE} = 'IGNORE';
	my $request = "GET /health HTTP/1.1\r\nHost: slow\r\n\r\n";
	my @socks;
	my @sent;
	my $open = sub {
		my ($i) = @_;
		$socks[$i] = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Proto => 'tcp', Blocking => 0);
		$sent[$i] = 0;
	};
	$open->($_) for 0 .. $count - 1;
	print $ready "ready\n";
	$ready->flush;
	while (1)
	{
		for my $i (0 .. $count - 1)
		{
			next if $i % 2;    # silent ones
			$open->($i) if !$socks[$i] || !defined(send($socks[$i], substr($request, $sent[$i] % (length($request) - 2), 1), 0));
			$sent[$i]++;
		}
		usleep(200_000);
	}
}

ok(poll_health(), 'endpoint up');
my ($pid_before, $rss_before) = worker_rss_kb();
ok($rss_before > 0, "worker RSS before: $rss_before kB");

# A silent connection opened before the attack: the table fills up behind it, so it is evicted with 503 busy.
my $first = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Proto => 'tcp') or die "connect: $!";
$first->timeout($PostgreSQL::Test::Utils::timeout_default);

my @children;
for (1 .. 2)    # two processes of 500: each stays below the default 1024 open files
{
	pipe(my $reader, my $writer) or die "pipe: $!";
	my $child = fork // die "fork: $!";
	if ($child == 0)
	{
		close $reader;
		slow_clients(500, $writer);
		POSIX::_exit(0);
	}
	close $writer;
	my $line = <$reader>;
	is($line, "ready\n", "slow client process $_ has its 500 connections open");
	push @children, $child;
}

my $served = 0;
for (1 .. 20)
{
	$served++ if http_get('/health') == 200;
	usleep(100_000);
}
is($served, 20, 'under 1,000 slow connections, every new /health is answered 200');
my $evicted = do { local $/; <$first> // '' };
like($evicted, qr{^HTTP/1\.1 503 .*busy\n$}s, 'the table was full: the oldest silent connection was evicted');
is(http_get('/primary'), 200, 'and /primary');
my ($pid_during, $rss_during) = worker_rss_kb();
is($pid_during, $pid_before, 'the worker did not restart');
cmp_ok($rss_during, '<', $rss_before + 16 * 1024, "worker RSS stays bounded under attack ($rss_during kB)");

kill 'KILL', @children;
waitpid($_, 0) for @children;
ok(poll_health(), 'after the slow clients are gone: /health 200');
is(http_get('/metrics'), 200, 'after the slow clients are gone: /metrics 200');
my ($pid_after, $rss_after) = worker_rss_kb();
is($pid_after, $pid_before, 'same worker throughout');
note("worker RSS kB: before $rss_before, during $rss_during, after $rss_after");

$node->stop;
unlike(slurp_file($node->logfile), qr/terminated by signal/, 'log shows no crash');
done_testing();
