# HAProxy in front of two hot standbys, health-checking each through the
# pg_readscale endpoint with `option httpchk GET /replica?max_lag=...`: a
# standby whose replay is paused is taken out of rotation, and comes back
# once it has caught up; a killed standby is taken out too.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);
use ReadScale::Pair qw(new_primary new_standby);

my $tcp = "listen_addresses = '127.0.0.1'\n";
my $primary = new_primary('ha_primary', $tcp);
my %http;
my @standbys;
for my $name ('ha_standby1', 'ha_standby2')
{
	$http{$name} = PostgreSQL::Test::Cluster::get_free_port();
	push @standbys, new_standby($primary, $name, "${tcp}readscale.http_listen = '$http{$name}'\n");
}

# Staleness is unknown until a standby has replayed a commit: give them one.
$primary->safe_psql('postgres', 'CREATE TABLE warm_up (i int)');
$primary->wait_for_catchup($_, 'replay') for @standbys;

my $proxy_port = PostgreSQL::Test::Cluster::get_free_port();
my $servers = join '', map {
	sprintf("    server %s 127.0.0.1:%d check port %d\n", $_->name, $_->port, $http{ $_->name })
} @standbys;
# deploy/haproxy/haproxy.cfg with this test's ports and a 100 ms check interval.
my $config = "$PostgreSQL::Test::Utils::tmp_check/haproxy.cfg";
my $deployed = PostgreSQL::Test::Utils::slurp_file("$ENV{READSCALE_SOURCE}/deploy/haproxy/haproxy.cfg");
$deployed =~ s/^\s*server .*\n//mg;
$deployed =~ s/^(\s*bind )\S+/${1}127.0.0.1:$proxy_port/m or die 'no bind line in deploy/haproxy/haproxy.cfg';
$deployed =~ s/\binter \S+/inter 100ms/ or die 'no inter in deploy/haproxy/haproxy.cfg';
PostgreSQL::Test::Utils::append_to_file($config, $deployed . $servers);
my ($out, $err) = ('', '');
my $haproxy_bin = -x '/usr/sbin/haproxy' ? '/usr/sbin/haproxy' : 'haproxy';
my $haproxy = IPC::Run::start([ $haproxy_bin, '-db', '-f', $config ], '>', \$out, '2>', \$err);

# The standby a new connection through HAProxy lands on ('' when refused).
sub via_proxy
{
	my ($o, $e) = ('', '');
	# connect_timeout: HAProxy 3.0 (trixie) can hold a connection made as a server dies with no answer.
	IPC::Run::run([ 'psql', '-XAtq', '-h', '127.0.0.1', '-p', $proxy_port, '-d', 'dbname=postgres connect_timeout=3', '-c',
			"SELECT current_setting('cluster_name')" ], '>', \$o, '2>', \$e);
	chomp $o;
	return $o;
}

# Polls until $n consecutive connections land only on standbys in @want (and each of them at least once).
sub poll_rotation
{
	my ($n, @want) = @_;
	my %allowed = map { $_ => 1 } @want;
	for (1 .. 10 * $PostgreSQL::Test::Utils::timeout_default)
	{
		my %seen;
		my $ok = 1;
		for (1 .. $n)
		{
			my $name = via_proxy();
			$ok = 0, last unless $allowed{$name};
			$seen{$name}++;
		}
		return 1 if $ok && keys %seen == @want;
		usleep(100_000);
	}
	return 0;
}

ok(poll_rotation(6, 'ha_standby1', 'ha_standby2'), 'both healthy standbys are in rotation');

# Pause replay on standby1 and write WAL: its /replica check fails, HAProxy takes it out.
my ($standby1, $standby2) = @standbys;
$standby1->safe_psql('postgres', 'SELECT pg_wal_replay_pause()');
$primary->safe_psql('postgres', 'CREATE TABLE ha AS SELECT g FROM generate_series(1, 1000) g');
ok(poll_rotation(6, 'ha_standby2'), 'paused standby is out of rotation; all reads go to standby2');

# Resume: standby1 catches up and comes back.
$standby1->safe_psql('postgres', 'SELECT pg_wal_replay_resume()');
$primary->wait_for_catchup($standby1, 'replay');
ok(poll_rotation(6, 'ha_standby1', 'ha_standby2'), 'caught-up standby is back in rotation');

# Kill standby2's postmaster with SIGKILL: its check fails and every read goes to standby1.
$standby2->kill9;
ok(poll_rotation(6, 'ha_standby1'), 'killed standby is out of rotation; all reads go to standby1');

$haproxy->kill_kill;
$_->stop for ($primary, $standby1);
for my $node ($primary, @standbys)
{
	unlike(slurp_file($node->logfile), qr/terminated by signal/, $node->name . ' log shows no crash');
}

done_testing();
