#!/usr/bin/perl
# delay_relay.pl DELAY_MS LISTEN_ADDR:PORT=TARGET_ADDR:PORT ...
#
# A TCP relay that holds every chunk DELAY_MS before passing it on, in both
# directions, keeping order; end of stream is delayed the same way. It stands
# in for `tc qdisc ... netem delay` on kernels built without sch_netem (the
# Firecracker kernel of this project's machines has no netem and no module
# loading). Per direction it adds DELAY_MS, as netem on one veth end does; a
# round trip through it costs 2 * DELAY_MS. Bandwidth is not limited and
# nothing is dropped or reordered. Prints "ready" once every listener is up.
use strict;
use warnings;
use IO::Select;
use IO::Socket::INET;
use Time::HiRes qw(time);

my $delay = shift(@ARGV) / 1000;
my (%target, %object, %peer, %queue, %eof_sent);
my $select = IO::Select->new;
$SIG{PIPE} = 'IGNORE';

for my $mapping (@ARGV)
{
	my ($listen, $to) = split /=/, $mapping;
	my ($host, $port) = split /:/, $listen;
	my $listener = IO::Socket::INET->new(LocalAddr => $host, LocalPort => $port, Listen => 128, ReuseAddr => 1)
	  or die "cannot listen on $listen: $!\n";
	$target{$listener} = $to;
	$select->add($listener);
}
$| = 1;
print "ready\n";

sub close_pair
{
	my ($socket) = @_;
	my @ends = ($socket, $peer{$socket} // ());
	for my $end (@ends)
	{
		$select->remove($end);
		delete $_->{$end} for (\%object, \%peer, \%queue, \%eof_sent);
		close $end;
	}
}

sub accept_from
{
	my ($listener) = @_;
	my $client = $listener->accept or return;
	my $server = IO::Socket::INET->new(PeerAddr => $target{$listener}, Proto => 'tcp');
	if (!$server)
	{
		close $client;
		return;
	}
	for my $end ([ $client, $server ], [ $server, $client ])
	{
		$end->[0]->blocking(0);
		$object{ $end->[0] } = $end->[0];
		$peer{ $end->[0] } = $end->[1];
		$queue{ $end->[0] } = [];
		$select->add($end->[0]);
	}
}

# Reads what arrived on $socket and queues it, due in $delay, for its peer.
sub read_from
{
	my ($socket) = @_;
	my $n = sysread($socket, my $buffer, 65536);
	return if !defined $n && $!{EAGAIN};
	my $to = $peer{$socket} or return;
	if (!$n)
	{
		$select->remove($socket);
		push @{ $queue{$to} }, [ time + $delay, undef ];
		return;
	}
	push @{ $queue{$to} }, [ time + $delay, $buffer ];
}

# Writes what is due to $socket; returns when its next chunk is due (or undef).
sub flush_to
{
	my ($socket, $now) = @_;
	my $chunks = $queue{$socket};
	while (@$chunks && $chunks->[0][0] <= $now)
	{
		my $data = $chunks->[0][1];
		if (!defined $data)
		{
			shift @$chunks;
			shutdown($socket, 1);
			$eof_sent{$socket} = 1;
			close_pair($socket) if $eof_sent{ $peer{$socket} // '' };
			return undef;
		}
		my $written = syswrite($socket, $data);
		if (!defined $written)
		{
			return $now + 0.002 if $!{EAGAIN};
			close_pair($socket);
			return undef;
		}
		if ($written < length $data)
		{
			substr($chunks->[0][1], 0, $written) = '';
			return $now + 0.002;
		}
		shift @$chunks;
	}
	return @$chunks ? $chunks->[0][0] : undef;
}

while (1)
{
	my $now = time;
	my $next = $now + 1;
	for my $key (keys %queue)
	{
		next unless $object{$key};
		my $due = flush_to($object{$key}, $now);
		$next = $due if defined $due && $due < $next;
	}
	my $wait = $next - time;
	for my $socket ($select->can_read($wait > 0 ? $wait : 0))
	{
		if ($target{$socket}) { accept_from($socket); }
		else { read_from($socket); }
	}
}
