#!/usr/bin/perl
# A DNS server for t_proxy.sh that answers nothing and counts what it gets:
# one line "query" per datagram into /tmp/queries.
use strict;
use warnings;
use IO::Socket::INET;
$| = 1;
my $s = IO::Socket::INET->new(LocalPort => 53, Proto => 'udp') or die "bind: $!\n";
open my $ready, '>', '/tmp/ready';
close $ready;
my $b;
while ($s->recv($b, 4096)) {
	open my $f, '>>', '/tmp/queries' or die;
	print $f "query\n";
	close $f;
}
