# Failover-aware tokens with a real promotion: a token taken before the
# failover still applies on the promoted standby; a token for a write the old
# primary made after the standby left its timeline is refused with 55R03
# instead of being answered as if the write were visible.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use ReadScale::Pair qw(new_primary new_standby);

my $primary = new_primary('primary');
my $standby = new_standby($primary, 'standby');
$primary->safe_psql('postgres', 'CREATE TABLE t (id int PRIMARY KEY)');
$primary->safe_psql('postgres', 'INSERT INTO t VALUES (1)');
my $before = $primary->safe_psql('postgres', 'SELECT readscale.current_causal_token()');
like($before, qr/^rs1:\d+:1:[0-9A-F]+\/[0-9A-F]+$/, 'causal token on timeline 1');
is($standby->safe_psql('postgres', "SELECT readscale.wait_for_token('$before', '10s')"), 'success',
	'the standby waits for the token and reaches it');

# Fail over: the standby is promoted to timeline 2 while the old primary keeps running (split brain).
$primary->wait_for_catchup($standby, 'replay');
$standby->promote;
$standby->poll_query_until('postgres', 'SELECT NOT pg_is_in_recovery()');
like($standby->safe_psql('postgres', 'SELECT readscale.current_causal_token()'), qr/^rs1:\d+:2:/,
	'the promoted node issues timeline 2 tokens');
is($standby->safe_psql('postgres', "SELECT readscale.wait_for_token('$before', '1s')"), 'success',
	'a token from before the failover still applies');

# The old primary goes on writing on timeline 1, past the switch point: that write is lost.
$primary->safe_psql('postgres', 'INSERT INTO t SELECT g FROM generate_series(2, 1000) g');
my $lost = $primary->safe_psql('postgres', 'SELECT readscale.current_causal_token()');
my ($ret, $out, $err) = $standby->psql('postgres', "SELECT readscale.wait_for_token('$lost', '1s')",
	extra_params => [ '-v', 'VERBOSITY=default' ]);
like($err, qr/does not apply to this server/, 'a token for a write lost in the failover is refused');
like($err, qr/left timeline 1 at .*lost in a failover/, 'the detail names the switch point');
($ret, $out, $err) = $standby->psql('postgres', "SELECT readscale.wait_for_token('$lost', '1s')",
	extra_params => [ '-v', 'VERBOSITY=sqlstate' ]);
like($err, qr/55R03/, 'SQLSTATE 55R03');
# Once the new primary's own WAL passes that LSN, a timeline-blind wait would say "success".
$standby->safe_psql('postgres', 'INSERT INTO t SELECT g FROM generate_series(5000, 8000) g');
is($standby->safe_psql('postgres', "SELECT readscale.wait_for_lsn(pg_lsn(split_part('$lost', ':', 4)), '1s', 'return')"),
	'success', 'the bare LSN of that token passes: what a timeline-blind wait gets wrong');
($ret, $out, $err) = $standby->psql('postgres', "SELECT readscale.wait_for_token('$lost', '1s')",
	extra_params => [ '-v', 'VERBOSITY=sqlstate' ]);
like($err, qr/55R03/, 'while the causal token is still refused');

# A token from the new timeline on the old primary (a newer timeline than its own) is refused there too.
my $newer = $standby->safe_psql('postgres', 'SELECT readscale.current_causal_token()');
($ret, $out, $err) = $primary->psql('postgres', "SELECT readscale.wait_for_token('$newer', '1s')",
	extra_params => [ '-v', 'VERBOSITY=sqlstate' ]);
like($err, qr/55R03/, 'the old primary refuses a token from the newer timeline');

$primary->stop;
$standby->stop;
unlike(slurp_file($_->logfile), qr/terminated by signal/, $_->name . ' log shows no crash') for ($primary, $standby);
done_testing();
