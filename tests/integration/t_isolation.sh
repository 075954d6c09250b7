# Network isolation, seen from a session: the agent reaches the allowlist
# through para's egress proxy and nothing else, by no route (direct TCP and
# UDP, another resolver, the host); a dead proxy is no egress, resume brings
# it back; finish, cancel and clean leave no proxy or network behind. Every
# target is a container of this test's own, on a network of its own.

iso_repo() {
	need_engine
	need_image "$DEBIAN_IMAGE"
	need_image "$BUSYBOX_IMAGE"
	mkrepo
	CLEAN_REPOS+=("$REPO")
	trap 'cleanup_engine_objects; remove_targets' EXIT
	egr=para-it-egr-$TEST_RUN_ID-$RANDOM
	"$DOCKER" network create --label "dev.para.test-run=$TEST_RUN_ID" "$egr" >/dev/null || fail "network $egr"
	for t in allowed blocked; do
		"$DOCKER" run -d --name "$egr-$t" --label "dev.para.test-run=$TEST_RUN_ID" --network "$egr" \
			--network-alias "$t.test" "$BUSYBOX_IMAGE" sh -c "mkdir -p /www && echo $t >/www/index.html &&
			exec httpd -f -p 80 -h /www" >/dev/null || fail "target $t"
	done
	# a UDP listener that writes down whatever reaches it
	"$DOCKER" run -d --name "$egr-udp" --label "dev.para.test-run=$TEST_RUN_ID" --network "$egr" \
		"$BUSYBOX_IMAGE" sh -c 'nc -u -l -p 53 >/tmp/got; sleep 600' >/dev/null || fail "udp target"
	allowed_ip=$(target_ip allowed)
	blocked_ip=$(target_ip blocked)
	udp_ip=$(target_ip udp)
	mkdir -p "$XDG_CONFIG_HOME/para"
	printf '{"agent": {"command": ["true"]}, "docker": {"default_image": "%s", "network": {"egress": "%s"}}}\n' \
		"$DEBIAN_IMAGE" "$egr" >"$XDG_CONFIG_HOME/para/config.json"
}

target_ip() { "$DOCKER" inspect -f "{{(index .NetworkSettings.Networks \"$egr\").IPAddress}}" "$egr-$1"; }

remove_targets() {
	"$DOCKER" rm -f "$egr-allowed" "$egr-blocked" "$egr-udp" >/dev/null 2>&1
	"$DOCKER" network rm "$egr" >/dev/null 2>&1
	return 0
}

# in the session's container, as its user: sets $out, $rc
in_box() { run "$PARA" exec -q "$1" -- sh -c "$2"; }

test_only_the_allowlist_gets_out() {
	iso_repo
	# the host's side of the egress network: allowed by name, refused as
	# the engine host's own address
	egr_gw=$("$DOCKER" network inspect -f '{{range .IPAM.Config}}{{.Gateway}}{{end}}' "$egr")
	expect_rc 0 "$PARA" start -c --detach s --allow-domains "allowed.test,$egr_gw:18999"
	# through the proxy para set for it
	in_box s 'curl -sS --max-time 10 http://allowed.test/'
	assert_eq allowed "$out" "allowed host through HTTP_PROXY"
	in_box s 'curl -s --max-time 10 -o /dev/null -w "%{http_code}" http://blocked.test/'
	assert_eq 403 "$out" "blocked host"
	in_box s 'curl -s --max-time 10 -o /dev/null -w "%{http_code}" http://169.254.169.254/latest/meta-data/'
	assert_eq 403 "$out" "the metadata address"
	in_box s "curl -s --max-time 10 -w ' %{http_code}' -H 'Host: allowed.test' http://$blocked_ip/"
	case "$out" in *blocked*|*allowed\ 200*) fail "a blocked address with an allowed Host header: $out" ;; esac
	case "$out" in *\ 400|*\ 403) ;; *) fail "a blocked address with an allowed Host header: $out" ;; esac
	# no proxy variables: an allowed name still works (its name is the
	# proxy's address), nothing else does
	in_box s 'env -u HTTP_PROXY -u http_proxy curl -sS --max-time 10 http://allowed.test/'
	assert_eq allowed "$out" "allowed host without HTTP_PROXY"
	in_box s 'env -u HTTP_PROXY -u http_proxy curl -s --max-time 5 http://blocked.test/; echo " rc=$?"'
	assert_contains "$out" "rc=6" "a blocked name does not resolve"
	# around the proxy: straight to the targets' addresses, TCP and UDP
	in_box s "curl -s --noproxy '*' --max-time 5 http://$allowed_ip/; echo \" rc=\$?\""
	assert_not_contains "$out" "allowed" "direct TCP to an allowed target's address"
	in_box s "echo leak >/dev/udp/$udp_ip/53; sleep 1; echo leak >/dev/udp/$udp_ip/53"
	sleep 1
	assert_eq "" "$("$DOCKER" exec "$egr-udp" cat /tmp/got)" "UDP that reached the target"
	# another resolver: a lookup of a name that is not allowed gets no answer
	in_box s 'getent hosts leak-check.test || echo unresolved'
	assert_eq unresolved "$out"
	in_box s "getent hosts github.com >/dev/null && echo resolved"
	assert_eq resolved "$out" "a default-allowlisted name resolves (to the proxy)"
	# the host: not through the network's gateway either
	busybox nc -l -p 18999 -e echo HOSTREACHED >/dev/null 2>&1 &
	local nc_pid=$!
	gw=$("$DOCKER" network inspect -f '{{range .IPAM.Config}}{{.Gateway}}{{end}}' "$(jq -r .container.network .para/state/s.json)")
	in_box s "for ip in $gw 172.17.0.1; do curl -s --noproxy '*' --max-time 3 http://\$ip:18999/; done; echo done"
	assert_not_contains "$out" HOSTREACHED "the host from the isolated network"
	in_box s "curl -s --max-time 5 -w ' %{http_code}' http://$egr_gw:18999/"
	kill "$nc_pid" 2>/dev/null
	assert_not_contains "$out" HOSTREACHED "the host through the proxy"
	assert_contains "$out" " 403" "the engine host's address through the proxy"
	# no capability was added to either container
	cname=$(jq -r .container.name .para/state/s.json)
	assert_eq "[]" "$("$DOCKER" inspect -f '{{json .HostConfig.CapAdd}}' "$cname" | sed 's/null/[]/')" "agent CapAdd"
	assert_eq '["ALL"]' "$("$DOCKER" inspect -f '{{json .HostConfig.CapDrop}}' "$cname-egress")" "proxy CapDrop"
	assert_eq "true" "$("$DOCKER" network inspect -f '{{.Internal}}' "$cname-net")" "the session's network is internal"
	# what was denied, in status and in the proxy's log
	expect_rc 0 "$PARA" status s
	assert_contains "$out" "network:    isolated, egress through $egr"
	assert_contains "$out" "allowed.test"
	denied=$(sed -n 's/^denied: *//p' <<<"$out")
	[ "${denied:-0}" -ge 4 ] || fail "status counts $denied denials: $out"
	assert_contains "$out" "$egr_gw:18999" "the last denials"
	run "$PARA" status s --json
	assert_eq "$denied" "$(jq -r .isolation.denied <<<"$out")" "status --json denied"
	expect_rc 0 "$PARA" logs s --network
	assert_contains "$out" "allow"
	grep -q ' deny .* blocked.test:80 ' <<<"$out" || fail "no denial of blocked.test in the proxy's log: $out"
	# cancel takes the proxy and the network with it
	expect_rc 0 "$PARA" cancel -f s
	assert_eq "" "$("$DOCKER" ps -a -q --filter "name=$cname-egress")" "proxy after cancel"
	assert_eq "" "$("$DOCKER" network ls -q --filter "name=$cname-net")" "network after cancel"
}

test_dead_proxy_is_no_egress_and_resume_restores_it() {
	iso_repo
	expect_rc 0 "$PARA" start -c --detach s --allow-domains allowed.test
	cname=$(jq -r .container.name .para/state/s.json)
	"$DOCKER" kill "$cname-egress" >/dev/null || fail "kill the proxy"
	# straight into the container (para exec would bring the proxy back)
	run "$DOCKER" exec "$cname" sh -c 'curl -sS --max-time 5 http://allowed.test/; echo " rc=$?"'
	assert_not_contains "$out" "allowed " "egress with the proxy dead"
	run "$DOCKER" exec "$cname" sh -c "curl -s --noproxy '*' --max-time 5 http://$allowed_ip/; echo \" rc=\$?\""
	assert_not_contains "$out" "allowed " "direct egress with the proxy dead"
	expect_rc 0 "$PARA" resume s
	run "$DOCKER" exec "$cname" curl -sS --max-time 10 http://allowed.test/
	assert_eq allowed "$out" "egress after resume"
	# a proxy removed outright comes back with the same address
	"$DOCKER" rm -f "$cname-egress" >/dev/null
	expect_rc 0 "$PARA" resume s
	run "$DOCKER" exec "$cname" curl -sS --max-time 10 http://allowed.test/
	assert_eq allowed "$out" "egress after the proxy was re-created"
	expect_rc 0 "$PARA" finish "done" s
	assert_eq "" "$("$DOCKER" ps -a -q --filter "name=$cname")" "containers after finish"
	assert_eq "" "$("$DOCKER" network ls -q --filter "name=$cname-net")" "network after finish"
}

test_clean_removes_an_orphan_proxy_and_network() {
	iso_repo
	expect_rc 0 "$PARA" start -c --detach o --allow-domains allowed.test
	cname=$(jq -r .container.name .para/state/o.json)
	rm .para/state/o.json # the session is gone; what it made is not
	expect_rc 0 "$PARA" clean --containers
	assert_contains "$out" "remove container $cname-egress"
	assert_contains "$out" "remove network $cname-net"
	assert_eq "" "$("$DOCKER" ps -a -q --filter "label=dev.para.repo=$REPO")" "containers after clean"
	assert_eq "" "$("$DOCKER" network ls -q --filter "label=dev.para.repo=$REPO")" "networks after clean"
}

test_bad_allowlists_create_nothing() {
	iso_repo
	before=$(disk_snapshot)
	for entry in 'a..b' '*' 'x.*.org' 'host:0' 'host:99999' '[::1' 'a b'; do
		expect_rc 2 "$PARA" start -c --detach s --allow-domains "$entry"
		assert_one_line "$out"
		assert_contains "$out" "--allow-domains"
	done
	printf '{"agent": {"command": ["true"]}, "docker": {"default_image": "%s",
		"network": {"isolation": true, "allowed_domains": ["ok.test", "bad..name"]}}}\n' "$DEBIAN_IMAGE" \
		>"$XDG_CONFIG_HOME/para/config.json"
	expect_rc 4 "$PARA" start -c --detach s
	assert_one_line "$out"
	assert_contains "$out" "docker.network.allowed_domains"
	printf '{"agent": {"command": ["true"]}, "docker": {"default_image": "%s",
		"network": {"isolation": true, "mode": "host"}}}\n' "$DEBIAN_IMAGE" >"$XDG_CONFIG_HOME/para/config.json"
	expect_rc 4 "$PARA" start -c --detach s
	assert_contains "$out" "network isolation needs the network mode bridge"
	# a proxy that cannot run FROM scratch: the start rolls back, the
	# network it made included
	printf '{"agent": {"command": ["true"]}, "docker": {"default_image": "%s", "network": {"egress": "%s"}}}\n' \
		"$DEBIAN_IMAGE" "$egr" >"$XDG_CONFIG_HOME/para/config.json"
	PARA_PROXY_BIN=$(type -P true) expect_rc 1 "$PARA" start -c --detach s --allow-domains allowed.test
	assert_contains "$out" "is not a static binary"
	# rolled back: no session, branch, worktree, container or network (para's
	# own empty folders under .para may stay, as after any rolled-back start)
	assert_no_file .para/state/s.json
	assert_no_file .para/worktrees/s
	assert_eq "" "$(git branch --list 'para/*')" "branches"
	assert_eq "" "$("$DOCKER" ps -a -q --filter "label=dev.para.repo=$REPO")" "containers"
	assert_eq "" "$("$DOCKER" network ls -q --filter "label=dev.para.repo=$REPO")" "networks"
}
