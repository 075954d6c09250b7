# para-proxy, the egress proxy of isolated sessions, standalone in a
# topology of its own: an egress network with two busybox httpd servers
# (allowed.test, blocked.test), a TLS server (tls.test) and a logging DNS
# server, and an --internal network where a client sits with the proxy.
# Nothing leaves the machine: every address is a container of this test.

PX_DIR=$ROOT/tests/integration/proxy
LBL="dev.para.test-run=$TEST_RUN_ID"
PX_NETS=()

# The image of the static proxy binary: $PARA_PROXY, else the one beside
# $PARA, else build/'s (proxy/image.sh builds it once per binary).
proxy_image() {
	local b
	for b in "${PARA_PROXY:-}" "$(dirname "$PARA")/proxy/para-proxy" "$ROOT/build/proxy/para-proxy"; do
		[ -n "$b" ] && [ -x "$b" ] || continue
		PROXY_IMAGE=$("$ROOT/proxy/image.sh" "$b" 2>/dev/null) && return 0
	done
	echo "    SKIP: no static para-proxy binary (ninja -C build)" >&2
	exit 77
}

px_cleanup() {
	cleanup_engine_objects
	local n
	for n in "${PX_NETS[@]:-}"; do
		[ -n "$n" ] && "$DOCKER" network rm "$n" >/dev/null 2>&1
	done
	return 0
}

ip_on() { # container network
	"$DOCKER" inspect -f "{{(index .NetworkSettings.Networks \"$2\").IPAddress}}" "$1"
}

# The internal network on a free 10.x.y.0/24; PX_SUBNET is its x.y.
make_internal_net() {
	local i
	for i in 1 2 3 4 5 6; do
		PX_SUBNET="$((RANDOM % 200 + 20)).$((RANDOM % 250))"
		if "$DOCKER" network create --internal --label "$LBL" --subnet "10.$PX_SUBNET.0/24" "$PX-int" >/dev/null 2>&1; then
			PX_NETS+=("$PX-int")
			return 0
		fi
	done
	fail "no free subnet for the internal network"
}

httpd_on_egress() { # name alias
	"$DOCKER" run -d --name "$PX-$1" --label "$LBL" --network "$PX-egress" --network-alias "$2" \
		"$BUSYBOX_IMAGE" sh -c "mkdir -p /www && echo 'this is $2' >/www/index.html &&
			dd if=/dev/zero of=/www/big bs=1k count=2048 2>/dev/null && exec httpd -f -p 80 -h /www" >/dev/null ||
		fail "httpd $2"
}

# A proxy container NAME on both networks at 10.PX_SUBNET.HOST, with ARGS.
start_proxy() { # name host args...
	local name=$1 host=$2
	shift 2
	"$DOCKER" create --name "$PX-$name" --label "$LBL" --network "$PX-egress" "$PROXY_IMAGE" "$@" >/dev/null ||
		fail "create proxy $name"
	"$DOCKER" network connect --ip "10.$PX_SUBNET.$host" "$PX-int" "$PX-$name" || fail "connect proxy $name"
	"$DOCKER" start "$PX-$name" >/dev/null || fail "start proxy $name"
}

# The whole topology; PIP is the proxy's internal address, PIP2 the one of
# a second proxy whose upstream DNS is the logging server.
topology() { # extra proxy args...
	need_engine
	need_image "$BUSYBOX_IMAGE"
	need_image "$DEBIAN_IMAGE"
	proxy_image
	PX=ptest$$
	trap px_cleanup EXIT
	"$DOCKER" network create --label "$LBL" "$PX-egress" >/dev/null || fail "egress network"
	PX_NETS+=("$PX-egress")
	make_internal_net
	httpd_on_egress allowed allowed.test
	httpd_on_egress blocked blocked.test
	"$DOCKER" run -d --name "$PX-tls" --label "$LBL" --network "$PX-egress" --network-alias tls.test \
		"$DEBIAN_IMAGE" sh -c 'cd /tmp && openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=tls.test \
			-keyout k.pem -out c.pem -days 1 2>/dev/null && exec openssl s_server -quiet -www -accept 443 \
			-cert c.pem -key k.pem' >/dev/null || fail "tls server"
	"$DOCKER" run -d --name "$PX-dnslog" --label "$LBL" --network "$PX-egress" \
		-v "$PX_DIR/dnslog.pl:/dnslog.pl:ro" "$DEBIAN_IMAGE" perl /dnslog.pl >/dev/null || fail "dns logger"
	PIP=10.$PX_SUBNET.250
	PIP2=10.$PX_SUBNET.251
	local allow=(--allow allowed.test --allow tls.test --allow 169.254.169.254 --allow 127.0.0.1:3128
		--allow '[::ffff:169.254.169.254]' --allow '[::1]' --allow "*.wild.test:8443")
	start_proxy proxy 250 "${allow[@]}" --transparent --dns-answer "$PIP" --upstream-dns 127.0.0.11 "$@"
	start_proxy proxy2 251 "${allow[@]}" --dns-answer "$PIP2" \
		--upstream-dns "$(ip_on "$PX-dnslog" "$PX-egress")"
	"$DOCKER" run -d --name "$PX-client" --label "$LBL" --network "$PX-int" \
		-v "$PX_DIR:/px:ro" "$DEBIAN_IMAGE" sleep infinity >/dev/null || fail "client"
	local i
	for i in $(seq 50); do
		"$DOCKER" exec "$PX-tls" sh -c 'exec 3<>/dev/tcp/127.0.0.1/443' 2>/dev/null &&
			"$DOCKER" exec "$PX-dnslog" test -e /tmp/ready && break
		sleep 0.2
	done
	proxy_running
}

in_client() { "$DOCKER" exec "$PX-client" "$@"; }

proxy_running() {
	[ "$("$DOCKER" inspect -f '{{.State.Running}}' "$PX-proxy" 2>/dev/null)" = true ] ||
		fail "the proxy is not running: $("$DOCKER" logs "$PX-proxy" 2>&1 | tail -5)"
}

proxy_log() { "$DOCKER" logs "$PX-${1:-proxy}" 2>/dev/null; }

# The proxy is up and a good request through it works.
good_request() {
	proxy_running
	run in_client curl -s -m 10 -x "http://$PIP:3128" http://allowed.test/
	assert_eq "this is allowed.test" "$out" "a good request ${1:-}"
}

# The log line for a decision: the time, then exactly these fields.
assert_logged() { # fields-after-the-time [proxy]
	local log
	log=$(proxy_log "${2:-proxy}")
	grep -qE "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z $1\$" <<<"$log" ||
		fail "no log line '<time> $1' in: $log"
}

http_code() { # curl args...
	in_client curl -s -o /dev/null -m 10 -w '%{http_code}' "$@"
}

test_proxy_allows_and_denies() {
	topology
	CIP=$(ip_on "$PX-client" "$PX-int")
	good_request
	assert_logged "allow $CIP HTTP allowed.test:80 forwarded"
	# CONNECT to the TLS server: the page of openssl s_server -www comes through
	run in_client curl -sk -m 10 -x "http://$PIP:3128" https://tls.test/
	assert_contains "$out" "Ciphers" "https through CONNECT"
	assert_logged "allow $CIP CONNECT tls.test:443 tunnel"
	# a host not in the list: 403 and why, for HTTP and CONNECT
	run in_client curl -s -m 10 -x "http://$PIP:3128" http://blocked.test/
	assert_eq "para-proxy: blocked.test:80 is not in the allowlist" "$out" "403 body"
	assert_eq 403 "$(http_code -x "http://$PIP:3128" http://blocked.test/)" "blocked via HTTP"
	assert_logged "deny $CIP HTTP blocked.test:80 not-allowed"
	run in_client curl -s -m 10 -o /dev/null -w '%{http_connect}' -x "http://$PIP:3128" https://blocked.test/
	assert_eq 403 "$out" "blocked via CONNECT"
	assert_logged "deny $CIP CONNECT blocked.test:443 not-allowed"
	# listed, but never dialled: metadata, loopback, their mapped forms
	assert_eq 403 "$(http_code -x "http://$PIP:3128" http://169.254.169.254/latest/meta-data/)" "metadata"
	assert_logged "deny $CIP HTTP 169.254.169.254:80 address-link-local"
	run in_client curl -s -m 10 -o /dev/null -w '%{http_connect}' -x "http://$PIP:3128" https://127.0.0.1:3128/
	assert_eq 403 "$out" "loopback via CONNECT"
	assert_logged "deny $CIP CONNECT 127.0.0.1:3128 address-loopback"
	assert_eq 403 "$(http_code -x "http://$PIP:3128" 'http://[::ffff:169.254.169.254]/')" "mapped metadata"
	assert_logged "deny $CIP HTTP \\[::ffff:169.254.169.254\\]:80 address-link-local"
	assert_eq 403 "$(http_code -x "http://$PIP:3128" 'http://[::1]/')" "IPv6 loopback"
	# a blocked host's address with an allowed Host header; a Host that disagrees
	local bip
	bip=$(ip_on "$PX-blocked" "$PX-egress")
	assert_eq 400 "$(http_code -x "http://$PIP:3128" -H 'Host: allowed.test' "http://$bip/")" "blocked IP"
	assert_logged "deny $CIP HTTP $bip:80 host-mismatch"
	assert_eq 403 "$(http_code -x "http://$PIP:3128" "http://$bip/")" "blocked IP, no Host header"
	assert_logged "deny $CIP HTTP $bip:80 not-allowed"
	assert_eq 400 "$(http_code -x "http://$PIP:3128" -H 'Host: blocked.test' http://allowed.test/)" "Host mismatch"
	assert_logged "deny $CIP HTTP allowed.test:80 host-mismatch"
	assert_eq 411 "$(http_code -x "http://$PIP:3128" -H 'Transfer-Encoding: chunked' -d x http://allowed.test/)" "chunked"
	good_request "after the refusals"
}

test_proxy_checks_the_tunnel() {
	topology
	CIP=$(ip_on "$PX-client" "$PX-int")
	# CONNECT tls.test with the SNI of another name
	run in_client sh -c "openssl s_client -proxy $PIP:3128 -connect tls.test:443 -servername other.test </dev/null"
	assert_not_contains "$out" "BEGIN CERTIFICATE" "s_client with SNI other.test"
	assert_logged "deny $CIP CONNECT tls.test:443 sni-mismatch"
	# the same with the right SNI gets the server's certificate
	run in_client sh -c "openssl s_client -proxy $PIP:3128 -connect tls.test:443 -servername TLS.test </dev/null"
	assert_contains "$out" "CN = tls.test" "s_client with SNI tls.test"
	# no SNI for a name: refused
	run in_client sh -c "openssl s_client -proxy $PIP:3128 -connect tls.test:443 -noservername </dev/null"
	assert_logged "deny $CIP CONNECT tls.test:443 no-sni"
	# plain bytes in a tunnel: refused, nothing reaches the server
	run in_client bash -c "exec 3<>/dev/tcp/$PIP/3128; printf 'CONNECT allowed.test:80 HTTP/1.1\r\n\r\n' >&3
		IFS= read -r -t 5 line <&3; echo \"\$line\"; read -r -t 1 x <&3
		printf 'GET / HTTP/1.0\r\n\r\n' >&3; timeout 5 cat <&3"
	assert_contains "$out" "HTTP/1.1 200 Connection established" "CONNECT to port 80"
	assert_not_contains "$out" "this is allowed.test" "plain HTTP inside CONNECT"
	assert_logged "deny $CIP CONNECT allowed.test:80 not-tls"
	# a port the list does not name; a name under a wildcard that does not resolve
	run in_client curl -s -m 10 -o /dev/null -w '%{http_connect}' -x "http://$PIP:3128" https://allowed.test:8443/
	assert_eq 403 "$out" "CONNECT to another port"
	run in_client curl -s -m 10 -o /dev/null -w '%{http_connect}' -x "http://$PIP:3128" https://x.wild.test:8443/
	assert_eq 502 "$out" "CONNECT to a name that does not resolve"
	assert_logged "deny $CIP CONNECT x.wild.test:8443 no-address"
	good_request "after the tunnel checks"
}

test_proxy_transparent_and_dns_stub() {
	topology
	CIP=$(ip_on "$PX-client" "$PX-int")
	in_client sh -c "echo 'nameserver $PIP' >/etc/resolv.conf" || fail "resolv.conf"
	# the stub: allowlisted names are the proxy, others are REFUSED, UDP and TCP
	run in_client perl /px/dnsq.pl "$PIP" allowed.test A
	assert_eq "rcode=0 answers=$PIP/ttl60" "$out" "A allowed.test"
	assert_logged "allow $CIP DNS allowed.test:53 answer-A"
	run in_client perl /px/dnsq.pl "$PIP" ALLOWED.test AAAA tcp
	assert_eq "rcode=0 answers=" "$out" "AAAA allowed.test over TCP"
	run in_client perl /px/dnsq.pl "$PIP" a.wild.test A tcp
	assert_eq "rcode=0 answers=$PIP/ttl60" "$out" "a name under a wildcard entry with a port"
	run in_client perl /px/dnsq.pl "$PIP" blocked.test A
	assert_eq "rcode=5 answers=" "$out" "A blocked.test"
	assert_logged "deny $CIP DNS blocked.test:53 not-allowed"
	# transparent 80 and 443 for clients that ignore proxy settings
	run in_client curl -s -m 10 http://allowed.test/
	assert_eq "this is allowed.test" "$out" "transparent port 80"
	assert_logged "allow $CIP HTTP allowed.test:80 forwarded"
	run in_client curl -sk -m 10 https://tls.test/
	assert_contains "$out" "Ciphers" "transparent port 443"
	assert_logged "allow $CIP TLS tls.test:443 tunnel"
	run in_client curl -s -m 10 http://blocked.test/
	assert_eq 6 "$rc" "curl exit code for a name the stub refuses"
	# port 443 with an SNI the list does not have, port 80 with a Host it does not have
	run in_client sh -c "openssl s_client -connect $PIP:443 -servername blocked.test </dev/null"
	assert_logged "deny $CIP TLS blocked.test:443 not-allowed"
	assert_eq 403 "$(http_code -H 'Host: blocked.test' "http://$PIP/")" "port 80 with Host blocked.test"
	good_request "after the transparent checks"
}

test_proxy_dns_stub_never_asks_upstream() {
	topology
	local q name
	for name in blocked.test allowed.test tls.test nonexistent.example x.y.z; do
		for q in A AAAA MX; do
			in_client perl /px/dnsq.pl "$PIP2" "$name" $q >/dev/null || fail "no stub reply for $name $q"
			in_client perl /px/dnsq.pl "$PIP2" "$name" $q tcp >/dev/null || fail "no TCP stub reply for $name $q"
		done
	done
	run "$DOCKER" exec "$PX-dnslog" sh -c 'cat /tmp/queries 2>/dev/null | wc -l'
	assert_eq 0 "$out" "queries the logging upstream got from the stub"
	# and the logger does see the proxy's own lookups (so the 0 above means something)
	in_client curl -s -m 10 -o /dev/null -x "http://$PIP2:3128" http://allowed.test/
	run "$DOCKER" exec "$PX-dnslog" sh -c 'cat /tmp/queries 2>/dev/null | wc -l'
	[ "$out" -ge 2 ] || fail "the logging upstream saw no lookup for a proxied request ($out)"
	assert_logged "deny $(ip_on "$PX-client" "$PX-int") HTTP allowed.test:80 dns-timeout" proxy2
}

# MiB of the proxy container's memory use (docker stats: RSS plus kernel memory).
proxy_mem_mib() {
	"$DOCKER" stats --no-stream --format '{{.MemUsage}}' "$PX-proxy" |
		awk '{ v = $1; u = v; sub(/[0-9.]+/, "", u); sub(/[A-Za-z]+$/, "", v);
			m = (u == "GiB") ? v * 1024 : (u == "KiB") ? v / 1024 : (u == "B") ? v / 1048576 : v;
			printf "%d\n", m + 0.999 }'
}

PROXY_MEM_BOUND_MIB=${PROXY_MEM_BOUND_MIB:-64}

test_proxy_survives_abuse() {
	topology
	local i mem peak=0
	# 1,000 concurrent CONNECTs, held while a good request goes through
	"$DOCKER" exec -d "$PX-client" bash /px/conns.sh connect "$PIP" 1000 6
	for i in $(seq 150); do in_client test -e /tmp/connect.out && break; sleep 0.2; done
	run in_client cat /tmp/connect.out
	assert_eq "opened=1000 ok=1000" "$out" "1,000 concurrent CONNECTs"
	mem=$(proxy_mem_mib)
	peak=$mem
	good_request "with 1,000 tunnels open"
	echo "memory with 1,000 CONNECTs open: ${mem} MiB"
	for i in $(seq 100); do in_client test -e /tmp/connect.done && break; sleep 0.2; done
	# slow-loris clients: cut off by the handshake timeout with a 408
	"$DOCKER" exec -d "$PX-client" bash /px/conns.sh loris "$PIP" 200 12
	for i in $(seq 50); do in_client test -e /tmp/loris.started && break; sleep 0.2; done
	sleep 2
	good_request "while slow clients trickle"
	for i in $(seq 100); do in_client test -e /tmp/loris.out && break; sleep 0.2; done
	run in_client cat /tmp/loris.out
	assert_eq "opened=200 timeouts=200" "$out" "slow clients"
	mem=$(proxy_mem_mib)
	[ "$mem" -gt "$peak" ] && peak=$mem
	# a 1 MB header: 431 (or the connection cut), and nothing else
	in_client sh -c 'printf "X-Big: %s\n" "$(head -c 1000000 /dev/zero | tr "\0" a)" >/tmp/big-header'
	run http_code -x "http://$PIP:3128" -H @/tmp/big-header http://allowed.test/
	case $out in 431 | 000) ;; *) fail "1 MB header: HTTP $out" ;; esac
	assert_logged "deny $(ip_on "$PX-client" "$PX-int") HTTP -:0 header-too-large"
	good_request "after a 1 MB header"
	# random bytes at every port, TCP and UDP
	for port in 3128 80 443 53; do
		in_client bash /px/conns.sh junk "$PIP" $port 200000
	done
	in_client bash -c "head -c 400 /dev/urandom >/dev/udp/$PIP/53; head -c 12 /dev/zero >/dev/udp/$PIP/53"
	run in_client perl /px/dnsq.pl "$PIP" allowed.test A
	assert_eq "rcode=0 answers=$PIP/ttl60" "$out" "the stub after junk"
	good_request "after random bytes"
	mem=$(proxy_mem_mib)
	[ "$mem" -gt "$peak" ] && peak=$mem
	echo "peak memory seen: ${peak} MiB (bound ${PROXY_MEM_BOUND_MIB} MiB)"
	[ "$peak" -lt "$PROXY_MEM_BOUND_MIB" ] || fail "proxy memory ${peak} MiB over ${PROXY_MEM_BOUND_MIB} MiB"
	# and it stops on SIGTERM, cleanly
	"$DOCKER" stop -t 5 "$PX-proxy" >/dev/null
	assert_eq 0 "$("$DOCKER" inspect -f '{{.State.ExitCode}}' "$PX-proxy")" "exit code after SIGTERM"
}
