#!/bin/bash
# Robustness loads for t_proxy.sh, run inside the client container.
#   conns.sh connect PROXY N HOLD   N concurrent CONNECTs held HOLD s; /tmp/connect.out: ok=COUNT
#   conns.sh loris PROXY N SECS     N slow clients, a header byte every 0.5 s; /tmp/loris.out
#   conns.sh junk PROXY PORT BYTES  random bytes to PROXY:PORT
mode=$1 proxy=$2
trap "" PIPE # the proxy cuts slow clients off: writes then fail, quietly
case $mode in
connect)
	fds=()
	for i in $(seq "$3"); do
		exec {fd}<>"/dev/tcp/$proxy/3128" || break
		printf 'CONNECT allowed.test:80 HTTP/1.1\r\nHost: allowed.test:80\r\n\r\n' >&"$fd"
		fds+=("$fd")
	done
	ok=0
	for fd in "${fds[@]}"; do
		IFS= read -r -t 20 -u "$fd" line && [[ $line == "HTTP/1.1 200 "* ]] && ok=$((ok + 1))
	done
	echo "opened=${#fds[@]} ok=$ok" >/tmp/connect.tmp && mv /tmp/connect.tmp /tmp/connect.out
	sleep "$4"
	for fd in "${fds[@]}"; do exec {fd}>&-; done
	touch /tmp/connect.done
	;;
loris)
	fds=()
	for i in $(seq "$3"); do
		exec {fd}<>"/dev/tcp/$proxy/3128" || break
		printf 'GET http://allowed.test/ HTTP/1.1\r\nHost: allowed.test\r\nX-Slow: ' >&"$fd"
		fds+=("$fd")
	done
	touch /tmp/loris.started
	end=$((SECONDS + $4))
	while [ $SECONDS -lt $end ]; do
		for fd in "${fds[@]}"; do printf 'a' >&"$fd" 2>/dev/null; done
		sleep 0.5
	done
	timeouts=0
	for fd in "${fds[@]}"; do
		IFS= read -r -t 2 -u "$fd" line && [[ $line == "HTTP/1.1 408 "* ]] && timeouts=$((timeouts + 1))
	done
	echo "opened=${#fds[@]} timeouts=$timeouts" >/tmp/loris.out
	;;
junk)
	exec {fd}<>"/dev/tcp/$proxy/$3" || exit 1
	head -c "$4" /dev/urandom >&"$fd" 2>/dev/null
	timeout 5 cat <&"$fd" >/dev/null 2>&1
	;;
esac
