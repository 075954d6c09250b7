#!/bin/sh
# Write libFuzzer seeds for fuzz_proxy_dns into DIR: queries and answers.
# Usage: fuzz/seed-proxy_dns.sh DIR
set -eu
[ $# -ge 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
mkdir -p "$1"
# a.test A query; AAAA query with EDNS; an answer with a CNAME chain
printf '\022\064\001\000\000\001\000\000\000\000\000\000\001a\004test\000\000\001\000\001' >"$1/seed-1"
printf '\022\064\001\000\000\001\000\000\000\000\000\001\001a\004test\000\000\034\000\001\000\000\051\020\000\000\000\000\000\000' >"$1/seed-2"
printf '\022\064\201\200\000\001\000\002\000\000\000\000\001a\004test\000\000\001\000\001\300\014\000\005\000\001\000\000\000\074\000\006\003cdn\300\016\300\050\000\001\000\001\000\000\000\074\000\004\001\002\003\004' >"$1/seed-3"
echo "3 seeds in $1"
