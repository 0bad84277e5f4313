# ReadScale::Waiters: psql sessions started in the background that run one
# script and finish, for tests with concurrent waiters.
package ReadScale::Waiters;

use strict;
use warnings;
use IPC::Run;
use Exporter 'import';

our @EXPORT_OK = qw(start_psql finish_psql);

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
