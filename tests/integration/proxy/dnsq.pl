#!/usr/bin/perl
# A DNS query for t_proxy.sh: dnsq.pl SERVER NAME [TYPE] [udp|tcp]
# prints "rcode=N answers=IP,..." (or dies on no reply within 3 s).
use strict;
use warnings;
use IO::Socket::INET;
my ($srv, $name, $type, $proto) = @ARGV;
$type ||= 'A';
$proto ||= 'udp';
my %types = (A => 1, AAAA => 28, MX => 15, TXT => 16);
my $q = pack('n6', int(rand(65535)), 0x0100, 1, 0, 0, 0);
$q .= pack('C/a*', $_) for split /\./, $name;
$q .= pack('Cnn', 0, $types{$type} // 1, 1);
my $s = IO::Socket::INET->new(PeerAddr => $srv, PeerPort => 53, Proto => $proto, Timeout => 3)
	or die "socket: $!\n";
my $r = '';
if ($proto eq 'tcp') {
	print $s pack('n', length $q) . $q;
	my $l;
	read($s, $l, 2) == 2 or die "no reply\n";
	read($s, $r, unpack('n', $l));
} else {
	$s->send($q);
	my $rin = '';
	vec($rin, fileno($s), 1) = 1;
	select($rin, undef, undef, 3) or die "timeout\n";
	$s->recv($r, 4096);
}
my ($id, $flags, $qd, $an) = unpack('n4', $r);
my $o = 12;
while (my $l = ord substr($r, $o, 1)) { $o += $l + 1 }
$o += 5;
my @a;
for (1 .. $an) {
	$o += 2; # the name: a pointer to the question
	my ($ty, $cl, $ttl, $rl) = unpack('nnNn', substr($r, $o, 10));
	$o += 10;
	push @a, $ty == 1 ? join('.', unpack('C4', substr($r, $o, 4))) . "/ttl$ttl" : "type$ty";
	$o += $rl;
}
print 'rcode=', $flags & 15, ' answers=', join(',', @a), "\n";
