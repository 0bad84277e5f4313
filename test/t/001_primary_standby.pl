# A real primary and hot standby: node roles, replication of a row, the
# token on both sides, and the decoder through a real pg_recvlogical.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use ReadScale::Pair qw(new_primary new_standby);

my $primary = new_primary('primary');
my $standby = new_standby($primary, 'standby');

is($primary->safe_psql('postgres', 'SELECT readscale.node_role()'), 'primary', 'primary says primary');
is($standby->safe_psql('postgres', 'SELECT readscale.node_role()'), 'standby', 'standby says standby');

# A row written on the primary becomes visible on the standby once the token is replayed.
$primary->safe_psql('postgres', 'CREATE TABLE t (id int PRIMARY KEY, v text)');
my $token = $primary->safe_psql('postgres',
	"INSERT INTO t VALUES (1, 'written on primary'); SELECT readscale.current_token()");
like($token, qr{^[0-9A-F]+/[0-9A-F]+$}, 'token is an LSN');
$primary->wait_for_catchup($standby, 'replay');
ok($standby->safe_psql('postgres', "SELECT pg_last_wal_replay_lsn() >= '$token'::pg_lsn") eq 't',
	'standby replayed past the token');
is($standby->safe_psql('postgres', 'SELECT v FROM t WHERE id = 1'), 'written on primary', 'row visible on standby');

# current_token() refuses to run on a standby, with SQLSTATE 55000 and a hint.
my ($ret, $stdout, $stderr) = $standby->psql('postgres', 'SELECT readscale.current_token()',
	extra_params => [ '-v', 'VERBOSITY=default', '-v', 'ON_ERROR_STOP=1' ]);
isnt($ret, 0, 'current_token fails on a standby');
like($stderr, qr/recovery is in progress/, 'error says why');
like($stderr, qr/HINT:.*on the primary/, 'hint says where to call it');
($ret, $stdout, $stderr) = $standby->psql('postgres', 'SELECT readscale.current_token()',
	extra_params => [ '-v', 'VERBOSITY=sqlstate' ]);
like($stderr, qr/55000/, 'SQLSTATE 55000');

# The decoder through a real pg_recvlogical, with a bare boolean option (-o include-xids).
$primary->safe_psql('postgres',
	"SELECT 'init' FROM pg_create_logical_replication_slot('recv', 'readscale_decoder')");
$primary->safe_psql('postgres', "INSERT INTO t VALUES (2, 'decoded')");
my $endpos = $primary->safe_psql('postgres', 'SELECT pg_current_wal_lsn()');
my ($out, $err);
IPC::Run::run(
	[
		'pg_recvlogical', '-d', $primary->connstr('postgres'), '-S', 'recv', '--start',
		'--endpos', $endpos, '--no-loop', '-f', '-', '-o', 'include-xids'
	],
	'>', \$out, '2>', \$err);
like($out, qr/^\{"op":"insert","schema":"public","table":"t","xid":\d+,"new":\{"id":2,"v":"decoded"\}\}$/m,
	'pg_recvlogical receives the insert with its xid');

# No server crashed.
$primary->stop;
$standby->stop;
for my $node ($primary, $standby)
{
	unlike(slurp_file($node->logfile), qr/terminated by signal/, $node->name . ' log shows no crash');
}

done_testing();
