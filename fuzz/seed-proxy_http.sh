#!/bin/sh
# Write libFuzzer seeds for fuzz_proxy_http into DIR: request heads.
# Usage: fuzz/seed-proxy_http.sh DIR
set -eu
[ $# -ge 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
mkdir -p "$1"
i=0
for s in 'CONNECT api.example.com:443 HTTP/1.1\r\nHost: api.example.com:443\r\n\r\n' \
	'GET http://a.test/x?y HTTP/1.1\r\nHost: a.test\r\nConnection: keep-alive, X-A\r\nX-A: 1\r\n\r\n' \
	'POST http://[::1]:8080/ HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc' \
	'GET / HTTP/1.1\r\nHost: a.test:80\r\nProxy-Authorization: x\r\n\r\n' \
	'GET http://a.test/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n' \
	'GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n'; do
	i=$((i + 1))
	printf "$s" >"$1/seed-$i"
done
echo "$i seeds in $1"
