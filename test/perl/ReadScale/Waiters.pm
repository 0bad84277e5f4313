# ReadScale::Waiters: concurrent sessions for the TAP tests.
#
# start_waiter: PostgreSQL's BackgroundPsql, the one way to run a session in
# the background. Collect its result with $session->query_safe('') (the
# output of what it sent), or, after an ERROR, with
# $session->query('\echo :LAST_ERROR_SQLSTATE :LAST_ERROR_MESSAGE'); then quit.
#
# start_psql/finish_psql: only for what PG15's BackgroundPsql cannot collect,
# a session the server ends (shutdown, kill -9, failover: psql exits, and
# BackgroundPsql's next write to it dies with "ack Broken pipe") and an ERROR
# whose DETAIL a test asserts (psql exposes no DETAIL variable); both need
# psql's exit status and stderr, which BackgroundPsql does not return.
package ReadScale::Waiters;

use strict;
use warnings;
use IPC::Run;
use Exporter 'import';

our @EXPORT_OK = qw(start_waiter start_psql finish_psql expected_wake_mode);

# What readscale.wake_mode() says on $node: 19 sleeps in core's WaitForLSN (its wait
# event WaitForWalReplay); before, the redo hook when preloaded, else polling.
sub expected_wake_mode
{
	my ($node, $preloaded) = @_;
	return 'core' if $node->safe_psql('postgres', 'SHOW server_version_num') >= 190000;
	return $preloaded ? 'redo hook' : 'polling';
}

# A background session on $node that has sent $sql (still running); errors do not end it.
sub start_waiter
{
	my ($node, $sql) = @_;
	my $session = $node->background_psql('postgres', on_error_stop => 0);
	$session->query_until(qr/sent\n/, "\\echo sent\n$sql;\n");
	return $session;
}

# Starts psql running $sql against $node; returns a handle for finish_psql.
# $verbosity (default "default"): "verbose" shows errors as "ERROR:  55R01: ...".
sub start_psql
{
	my ($node, $sql, $verbosity) = @_;
	my %session = (stdout => '', stderr => '');
	$session{harness} = IPC::Run::start(
		[ 'psql', '-XAtq', '-v', 'ON_ERROR_STOP=1', '-v', 'VERBOSITY=' . ($verbosity // 'default'),
		  '-d', $node->connstr('postgres'), '-c', $sql ],
		'>', \$session{stdout}, '2>', \$session{stderr});
	return \%session;
}

# Waits for the session to end; returns (exit code, stdout, stderr).
sub finish_psql
{
	my ($session) = @_;
	$session->{harness}->finish;
	my $status = $session->{harness}->result(0);
	chomp(my $out = $session->{stdout});
	return ($status, $out, $session->{stderr});
}

1;
