# sqlsmith's random SQL against a primary and a hot standby with pg_readscale
# created: no server crash, and every error raised by our code is a clean
# ERROR with a SQLSTATE outside class XX. Long suite only (scripts/test
# --long, needs the sqlsmith package): it runs for minutes.
#
# sqlsmith calls every function it finds in pg_proc with random arguments, so
# it runs as a non-superuser member of pg_monitor (slot_guard_run() and the
# monitoring functions included) on both nodes, then as a superuser on the
# primary without catalog relations. statement_timeout bounds every query,
# including wait_for_lsn() with huge timeouts. "Ours" is decided from the
# error's LOCATION (log_error_verbosity = verbose): our sources are .cpp/.hpp
# files, PostgreSQL's are .c.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use ReadScale::Pair qw(new_primary new_standby);

my $queries = $ENV{READSCALE_SQLSMITH_QUERIES} // 10000;
my $log_conf = <<'CONF';
log_line_prefix = '%m [%p] %e '
log_error_verbosity = verbose
log_min_error_statement = error
CONF

my $primary = new_primary('primary', $log_conf);
$primary->safe_psql('postgres', <<'SQL');
CREATE ROLE smith LOGIN IN ROLE pg_monitor;
CREATE ROLE smith_admin LOGIN SUPERUSER;
ALTER ROLE smith SET statement_timeout = '2s';
ALTER ROLE smith_admin SET statement_timeout = '2s';
CREATE DATABASE smith OWNER smith;
SQL
# Columns of our argument types, so sqlsmith finds values to pass to our functions.
$primary->safe_psql('smith', <<'SQL');
CREATE EXTENSION pg_readscale;
CREATE TABLE public.tokens (lsn pg_lsn, token text, max_lag interval, mode text, pattern text);
INSERT INTO public.tokens VALUES
    (pg_current_wal_lsn(), readscale.current_causal_token(), '100 ms', 'replay', 'standby%'),
    ('0/0', 'rs1:1:1:0/1', '1 day', 'flush', '\'),
    ('FFFFFFFF/FFFFFFFF', 'rs1:x', '-1 s', 'primary_flush', '%_%');
ALTER TABLE public.tokens OWNER TO smith;
SQL
my $standby = new_standby($primary, 'standby');

# Runs sqlsmith; returns the number of queries it sent.
sub smith
{
	my ($node, $role, $count, $seed, @extra) = @_;
	my ($out, $err) = ('', '');
	my $target = $node->connstr('smith') . " user=$role";
	my $ok = IPC::Run::run(
		[ 'sqlsmith', "--target=$target", "--max-queries=$count", "--seed=$seed", '--dump-all-queries', '--verbose', @extra ],
		'>', \$out, '2>', \$err, IPC::Run::timeout(1800));
	my @sent = grep { /\S/ } split /;\n/, $out;
	my $calls = grep { /readscale\.\w+\s*\(/ } @sent;
	my $objects = grep { /readscale\./ } @sent;
	note "sqlsmith on " . $node->name . " as $role: " . scalar(@sent)
	  . " queries, $objects using readscale objects, $calls calling readscale functions";
	note $1 if $err =~ /(error rate: [0-9.]+)/;
	return scalar(@sent);
}

# Errors in a server log: (crashes, all errors, our errors, our errors by SQLSTATE, bad ones).
sub scan_log
{
	my ($node) = @_;
	my @lines = split /\n/, slurp_file($node->logfile);
	my (%ours, @bad);
	my ($crashes, $errors) = (0, 0);
	for my $i (0 .. $#lines) {
		$crashes++ if $lines[$i] =~ /terminated by signal|was terminated by exception|PANIC:/;
		next unless $lines[$i] =~ /\[\d+\] (\S{5}) (ERROR|FATAL):\s+\S{5}: (.*)/;
		my ($state, $message) = ($1, $3);
		$errors++;
		# DETAIL, HINT, CONTEXT and QUERY lines come between the message and its LOCATION.
		my ($location, $j) = (undef, $i + 1);
		$j++ while $j <= $#lines && $lines[$j] =~ /\[\d+\] \S{5} (DETAIL|HINT|CONTEXT|QUERY):/;
		($location) = $lines[$j] =~ /LOCATION:\s+(.*)/ if $j <= $#lines;
		next unless defined $location && $location =~ /\.[ch]pp:\d+/;
		$ours{$state}++;
		push @bad, "$state $message ($location)" if $state =~ /^XX/ || $state eq '00000';
	}
	my $total = 0;
	$total += $_ for values %ours;
	return ($crashes, $errors, $total, \%ours, \@bad);
}

my $started = time;
my @runs = (
	[ $primary, 'smith', $queries, 1 ],
	[ $standby, 'smith', $queries, 2 ],
	[ $primary, 'smith_admin', int($queries / 5), 3, '--exclude-catalog' ],
);
for my $run (@runs) {
	my ($node, $role, $count, $seed, @extra) = @$run;
	my ($sent) = smith($node, $role, $count, $seed, @extra);
	cmp_ok($sent, '>=', $count, "sqlsmith sent $count queries to " . $node->name . " as $role");
}
note 'sqlsmith took ' . (time - $started) . ' s';

# Both nodes still serve queries, and the standby still replicates.
is($primary->safe_psql('postgres', 'SELECT readscale.node_role()'), 'primary', 'primary answers after sqlsmith');
$primary->safe_psql('postgres', 'CREATE TABLE after_smith (id int)');
$primary->wait_for_catchup($standby, 'replay');
is($standby->safe_psql('postgres', 'SELECT readscale.node_role()'), 'standby', 'standby answers and replicates');

for my $node ($primary, $standby) {
	my ($crashes, $errors, $ours, $by_state, $bad) = scan_log($node);
	note $node->name . ": $errors errors, $ours from pg_readscale ("
	  . join(', ', map { "$_: $by_state->{$_}" } sort keys %$by_state) . ')';
	is($crashes, 0, $node->name . ': no server process crashed');
	is(scalar(@$bad), 0, $node->name . ': every error from pg_readscale has a SQLSTATE outside class XX')
	  or diag join("\n", @$bad);
}

done_testing();
