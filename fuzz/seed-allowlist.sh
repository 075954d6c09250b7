#!/bin/sh
# Write libFuzzer seeds for fuzz_allowlist into DIR: "ENTRIES\nHOST\nPORT".
# Usage: fuzz/seed-allowlist.sh DIR
set -eu
[ $# -ge 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
mkdir -p "$1"
i=0
for s in 'api.example.com\napi.example.com\n443' '*.github.com:8443\nraw.GITHUB.com.\n8443' \
	'1.2.3.4:22\n1.2.3.4\n22' '[2001:db8::1]\n[2001:DB8::1]\n80' 'a.test, b.test ,c.test:1\nb.test\n80' \
	'a..b\nx\n1' '[::ffff:1.2.3.4]:443\n::ffff:1.2.3.4\n443' '*.\n.\n0' 'x:65536\nx\n65536'; do
	i=$((i + 1))
	printf "$s" >"$1/seed-$i"
done
echo "$i seeds in $1"
