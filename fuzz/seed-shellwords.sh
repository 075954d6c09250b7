#!/bin/sh
# Write libFuzzer seeds for fuzz_shellwords into DIR: --docker-args strings.
# Usage: fuzz/seed-shellwords.sh DIR
set -eu
[ $# -ge 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
mkdir -p "$1"
i=0
for s in '--memory 2g' "--label 'a b'" '--label "c \"d\""' "'it'\\''s'" 'a\\ b' '"$HOME" `id` $(x)' \
	"'open" '"open' 'trail\\' "a'b'\"c\"d" '-e X=1\t-e Y=2'; do
	i=$((i + 1))
	printf '%s' "$s" >"$1/seed-$i"
done
echo "$i seeds in $1"
