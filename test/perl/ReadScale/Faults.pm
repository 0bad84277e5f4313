# ReadScale::Faults: helpers for the fault tests (test/t/5xx_*.pl): kill a
# node's postmaster with SIGKILL and wait for its processes to go, and count
# the client sessions waiting in pg_readscale.
package ReadScale::Faults;

use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Time::HiRes qw(usleep);
use Exporter 'import';

our @EXPORT_OK = qw(kill9_and_wait client_waiters waiting_sql);

my $count_waiters = "SELECT count(*) FROM pg_stat_activity WHERE (wait_event_type = 'Extension' OR wait_event = 'WaitForWalReplay')"
  . " AND backend_type = 'client backend'";

sub client_waiters
{
	my ($node) = @_;
	return $node->safe_psql('postgres', $count_waiters);
}

# A query for poll_query_until: true once $n client backends wait.
sub waiting_sql
{
	my ($n) = @_;
	return "SELECT ($count_waiters) = $n";
}

# Kills $node's postmaster with SIGKILL and waits until it and every child
# (they exit on their own once they notice, WL_EXIT_ON_PM_DEATH) are gone:
# until then a new postmaster refuses to start (lock file, shared memory in
# use). Children are recognised by their process title, which carries the
# node's cluster_name. Returns 1 once all are gone.
sub kill9_and_wait
{
	my ($node) = @_;
	open my $pidfile, '<', $node->data_dir . '/postmaster.pid' or die "no postmaster.pid: $!";
	chomp(my $pid = <$pidfile>);
	close $pidfile;
	$node->kill9;
	my $title = 'postgres: ' . $node->name . ': ';
	for (1 .. 20 * $PostgreSQL::Test::Utils::timeout_default)
	{
		return 1 unless -e "/proc/$pid" || grep { index(_cmdline($_), $title) == 0 } glob('/proc/[0-9]*');
		usleep(50_000);
	}
	return 0;
}

sub _cmdline
{
	my ($dir) = @_;
	open my $fh, '<', "$dir/cmdline" or return '';
	local $/;
	return <$fh> // '';
}

1;
