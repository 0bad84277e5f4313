# Replica roles (readscale.replica_role) on a real primary + hot standby:
# local_lag and the health endpoint show the role (/status, /replica?role=),
# config_audit() judges each role (an OLAP replica with hot_standby_feedback
# on; an OLTP replica whose max_standby_streaming_delay is above its lag SLA
# or -1), and on the primary standby_lag.xmin_age shows how far the standby's
# feedback xmin holds back vacuum while a standby snapshot is open.
use strict;
use warnings;
use IO::Socket::INET;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use ReadScale::Pair qw(new_primary new_standby);

my $http_port = PostgreSQL::Test::Cluster::get_free_port();
my $primary = new_primary('roles_primary');
my $standby = new_standby($primary, 'roles_standby',
	"readscale.replica_role = olap\nwal_receiver_status_interval = 1s\nreadscale.http_listen = '$http_port'\n");

sub http_get
{
	my ($path) = @_;
	my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $http_port, Proto => 'tcp') or return (0, '');
	print $sock "GET $path HTTP/1.1\r\nHost: x\r\n\r\n";
	local $/;
	my $answer = <$sock> // '';
	my ($status) = $answer =~ m{^HTTP/1\.1 (\d{3}) };
	return ($status // 0, (split /\r\n\r\n/, $answer, 2)[1] // '');
}

# Polls until GET $path answers $want (the worker starts once the node is consistent; a reload takes a moment).
sub poll_http
{
	my ($path, $want) = @_;
	for (1 .. 10 * $PostgreSQL::Test::Utils::timeout_default)
	{
		return 1 if (http_get($path))[0] == $want;
		select(undef, undef, undef, 0.1);
	}
	return 0;
}

sub audit
{
	my ($setting) = @_;
	return $standby->safe_psql('postgres',
		"SELECT severity || ': ' || finding FROM readscale.config_audit() WHERE setting = '$setting'");
}

sub set_on_standby
{
	my ($name, $value) = @_;
	$standby->safe_psql('postgres', "ALTER SYSTEM SET $name = '$value'");
	$standby->safe_psql('postgres', 'SELECT pg_reload_conf()');
	ok($standby->poll_query_until('postgres', "SELECT current_setting('$name') = '$value'"), "$name is $value");
}

is($standby->safe_psql('postgres', 'SELECT replica_role FROM readscale.local_lag'), 'olap', 'local_lag shows the role');
ok(poll_http('/status', 200), 'the endpoint answers');
like((http_get('/status'))[1], qr/"replica_role":"olap"/, '/status shows the role');
is_deeply([ http_get('/replica?role=olap') ], [ 200, "replica\n" ], '/replica?role=olap: 200');
is_deeply([ http_get('/replica?role=oltp') ], [ 503, "replica role is olap, not oltp\n" ],
	'/replica?role=oltp on an OLAP replica: 503 naming both roles');

like(audit('hot_standby_feedback'), qr/^warning: this OLAP replica has hot_standby_feedback on, so its long queries hold back vacuum on the primary/,
	'audit: an OLAP replica with hot_standby_feedback on bloats the primary');
is(audit('max_standby_streaming_delay'), '', 'no delay finding for an OLAP replica');

# The xmin the standby's open snapshot holds back, as the primary sees it.
my $reader = $standby->background_psql('postgres');
$reader->query_safe('BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM pg_class;');
$primary->safe_psql('postgres', 'CREATE TABLE burn (i int)');
$primary->safe_psql('postgres', "INSERT INTO burn VALUES ($_)") for 1 .. 5;
ok($primary->poll_query_until('postgres',
		"SELECT xmin_age >= 5 FROM readscale.standby_lag WHERE application_name = 'roles_standby'"),
	'standby_lag.xmin_age grows while the standby holds a snapshot');
$reader->query_safe('COMMIT');
$reader->quit;

# OLTP: the streaming delay must stay under the lag SLA (readscale.lag_warning, 10 s by default).
set_on_standby('readscale.replica_role', 'oltp');
like(audit('max_standby_streaming_delay'),
	qr/^warning: this OLTP replica's max_standby_streaming_delay \(30s\) is above its lag SLA \(readscale.lag_warning 10s\)/,
	'audit: an OLTP replica with the default 30 s delay');
is(audit('hot_standby_feedback'), '', 'no feedback finding for an OLTP replica');
set_on_standby('max_standby_streaming_delay', '-1');
like(audit('max_standby_streaming_delay'), qr/^critical: this OLTP replica's max_standby_streaming_delay is -1/,
	'audit: an OLTP replica that waits forever');
set_on_standby('max_standby_streaming_delay', '5s');
is(audit('max_standby_streaming_delay'), '', 'a delay under the SLA is no finding');
ok(poll_http('/replica?role=oltp', 200), 'the endpoint follows a reloaded role: /replica?role=oltp 200');

$standby->stop;
$primary->stop;
done_testing();
