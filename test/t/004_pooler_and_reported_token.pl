# The gate through a real PgBouncer in transaction pooling mode (SET LOCAL
# leaves nothing behind on the pooled server connection), and the reported
# readscale.last_commit_lsn arriving with a commit's response (libpq client).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use ReadScale::Pair qw(new_primary new_standby);

my $primary = new_primary('primary');
my $standby = new_standby($primary, 'standby', "recovery_min_apply_delay = '200ms'\n");
$primary->safe_psql('postgres', 'CREATE TABLE t (id int PRIMARY KEY)');
$primary->wait_for_catchup($standby, 'replay');

# The token reaches the client with the commit's response (ParameterStatus), no second query.
my $client = "${PostgreSQL::Test::Utils::tmp_check}/last_commit_token";
my $pg_include = `pg_config --includedir`;
chomp $pg_include;
system_or_bail('g++', '-std=c++17', '-O1', '-o', $client, "$ENV{READSCALE_SOURCE}/test/clients/last_commit_token.cpp",
	"-I$pg_include", '-lpq');
my ($stdout, $stderr) = ('', '');
IPC::Run::run([ $client, $primary->connstr('postgres') ], '>', \$stdout, '2>', \$stderr);
chomp $stdout;
my ($before, $after, $covered) = split /\|/, $stdout;
is($before, '', 'reported as empty before the session writes');
like($after, qr{^[0-9A-F]+/[0-9A-F]+$}, 'the commit response carried readscale.last_commit_lsn');
is($covered, 't', 'current_token() covers the reported commit end');
is($standby->safe_psql('postgres', "SELECT readscale.wait_for_lsn('$after', '10s')"), 'success',
	'the reported token works on the standby');

# PgBouncer in transaction pooling mode in front of the standby, one server connection.
my $bouncer_port = PostgreSQL::Test::Cluster::get_free_port();
my $bouncer_dir = "${PostgreSQL::Test::Utils::tmp_check}/pgbouncer";
mkdir $bouncer_dir;
append_to_file("$bouncer_dir/pgbouncer.ini", <<"INI");
[databases]
standby = host=@{[ $standby->host ]} port=@{[ $standby->port ]} dbname=postgres user=@{[ scalar getpwuid($<) ]}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $bouncer_port
unix_socket_dir =
auth_type = any
pool_mode = transaction
default_pool_size = 1
max_client_conn = 20
logfile = $bouncer_dir/pgbouncer.log
pidfile = $bouncer_dir/pgbouncer.pid
INI
my $bouncer = IPC::Run::start([ '/usr/sbin/pgbouncer', "$bouncer_dir/pgbouncer.ini" ]);
my $through = "host=127.0.0.1 port=$bouncer_port dbname=standby user=" . getpwuid($<);
my $ready = 0;
for (1 .. 100)
{
	last if ($ready = (system("psql -XAtq -d '$through' -c 'SELECT 1' >/dev/null 2>&1") == 0));
	select(undef, undef, undef, 0.1);
}
ok($ready, 'pgbouncer accepts connections');

sub through_bouncer
{
	my ($sql) = @_;
	my ($out, $err) = ('', '');
	IPC::Run::run([ 'psql', '-XAtq', '-v', 'ON_ERROR_STOP=1', '-d', $through, '-c', $sql ], '>', \$out, '2>', \$err);
	chomp $out;
	return ($out, $err);
}

my $token = $primary->safe_psql('postgres', "INSERT INTO t VALUES (1); SELECT readscale.current_token()");
my ($out, $err) = through_bouncer(
	"BEGIN; SET LOCAL readscale.min_lsn = '$token'; SELECT count(*) FROM t WHERE id = 1; COMMIT;");
is($out, '1', 'through PgBouncer: SET LOCAL waits and the write is visible') or diag $err;
($out, $err) = through_bouncer("SHOW readscale.min_lsn");
is($out, '', 'the pooled server connection keeps no gate after the transaction');

$token = $primary->safe_psql('postgres', "INSERT INTO t VALUES (2); SELECT readscale.current_token()");
($out, $err) = through_bouncer(
	"BEGIN; SET LOCAL readscale.gate_timeout = '1ms'; SET LOCAL readscale.min_lsn = '$token'; SELECT 'stale'; COMMIT;");
like($err, qr/replica has not replayed LSN/, 'through PgBouncer: a gate that times out refuses the transaction');
isnt($out, 'stale', 'and returns nothing');

$bouncer->kill_kill;
$primary->stop;
$standby->stop;
unlike(slurp_file($_->logfile), qr/terminated by signal/, $_->name . ' log shows no crash') for ($primary, $standby);
done_testing();
