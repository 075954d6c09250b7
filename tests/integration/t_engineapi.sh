# The Engine API path: para makes a session's container by asking the
# daemon's socket itself (create, attach, start) and removes it the same way;
# the docker CLI makes the very same container when the API is not used
# (PARA_ENGINE_API=0, a docker context, DOCKER_HOST not unix://).

api_repo() {
	need_engine
	need_image "$BUSYBOX_IMAGE"
	mkrepo
	CLEAN_REPOS+=("$REPO")
	CLEAN_VOLUMES=() CLEAN_IMAGES=()
	mkdir -p "$XDG_CONFIG_HOME/para"
	printf '{"agent": {"command": ["true"]}, "docker": {"default_image": "%s"}}\n' "$BUSYBOX_IMAGE" \
		>"$XDG_CONFIG_HOME/para/config.json"
	trap 'cleanup_engine_objects; api_cleanup' EXIT
}

api_cleanup() {
	for v in "${CLEAN_VOLUMES[@]:-}"; do
		[ -n "$v" ] && "$DOCKER" volume rm -f "$v" >/dev/null 2>&1
	done
	for i in "${CLEAN_IMAGES[@]:-}"; do
		[ -n "$i" ] && "$DOCKER" image rm -f "$i" >/dev/null 2>&1
	done
	"$DOCKER" context rm -f "para-it-$TEST_RUN_ID" >/dev/null 2>&1
	return 0
}

# All the engine keeps of how one container was made, in a stable form:
# only what differs between any two containers may go (its hostname, the
# run label saying which para run made it, an anonymous volume's name),
# and the order of the variables (each name is there once).
container_shape() { # container
	"$DOCKER" inspect "$1" | jq -S '.[0] | {
		Config: (.Config | del(.Hostname) | .Labels |= del(."dev.para.run") | .Env |= sort),
		HostConfig,
		Mounts: (.Mounts | map(if .Type == "volume" and (.Name | test("^[0-9a-f]{64}$")) then del(.Name, .Source)
			else . end) | sort_by(.Destination))}'
}

test_api_and_cli_make_the_same_container() {
	api_repo
	vol="para-it-api-$TEST_RUN_ID"
	CLEAN_VOLUMES+=("$vol")
	mkdir -p "$TEST_TMP/host"
	echo hostfile >"$TEST_TMP/host/f"
	mkdir -p "$XDG_CONFIG_HOME/para"
	printf '{"agent": {"command": ["true"]}, "docker": {"default_image": "%s", "mounts": ["%s:/cache:nocopy", "%s:/ro:ro", "/anon"], "resources": {"memory": "96m", "cpus": 0.5, "pids_limit": 77, "shm_size": "32m"}}}\n' \
		"$BUSYBOX_IMAGE" "$vol" "$TEST_TMP/host" >"$XDG_CONFIG_HOME/para/config.json"
	export API_TOKEN=tok-123 PLAIN='with spaces = and "quotes"' MULTI=$'line one\nline two'
	args=(-e API_TOKEN -e PLAIN -e MULTI -e 'EMPTY=')
	expect_rc 0 "$PARA" start -c --detach -v "${args[@]}" same
	assert_contains "$out" "POST /v1.41/containers/create"
	c=$(jq -r .container.name .para/state/same.json)
	api=$(container_shape "$c")
	api_vol=$("$DOCKER" volume inspect -f '{{json .Labels}}' "$vol")
	# what the agent sees: every value as given, the mounts as asked
	expect_rc 0 "$PARA" exec same -- sh -c 'printf "%s|%s|%s|%s|" "$API_TOKEN" "$PLAIN" "$MULTI" "${EMPTY-unset}"; cat /ro/f'
	assert_eq "tok-123|with spaces = and \"quotes\"|line one
line two||hostfile" "$out"
	expect_rc 0 "$PARA" cancel -f same
	"$DOCKER" volume rm "$vol" >/dev/null
	PARA_ENGINE_API=0 expect_rc 0 "$PARA" start -c --detach -v "${args[@]}" same
	assert_contains "$out" "para: engine: docker run "
	assert_not_contains "$out" "POST /v1.41"
	cli=$(container_shape "$c")
	cli_vol=$("$DOCKER" volume inspect -f '{{json .Labels}}' "$vol")
	[ "$api" = "$cli" ] || { diff <(echo "$api") <(echo "$cli"); fail "the API's container differs from the CLI's"; }
	assert_eq "$cli_vol" "$api_vol" "the labels of a volume the start made"
	assert_eq 100663296 "$(jq .HostConfig.Memory <<<"$api")" "the memory limit"
	assert_eq '"MULTI=line one\nline two"' "$(jq '.Config.Env[] | select(startswith("MULTI="))' <<<"$api")" \
		"a value of two lines"
	expect_rc 0 "$PARA" cancel -f same
}

# contexts and DOCKER_HOST still decide where the engine is: only the
# default socket is asked directly; a socket that answers nothing is left
# to the CLI, which finds the engine unreachable (exit 3), nothing left behind
test_contexts_and_docker_host_choose_the_path() {
	api_repo
	expect_rc 0 "$PARA" start -c --detach first
	ctx="para-it-$TEST_RUN_ID"
	"$DOCKER" context create "$ctx" --docker host=unix:///var/run/docker.sock >/dev/null ||
		fail "cannot make a docker context"
	run "$PARA" doctor
	assert_contains "$out" "engine API     unix:///var/run/docker.sock, v1."
	DOCKER_CONTEXT=$ctx run "$PARA" doctor
	assert_contains "$out" "engine API     not used: the engine CLI runs every call"
	DOCKER_CONTEXT=$ctx expect_rc 0 "$PARA" start -c --detach -v viactx
	assert_contains "$out" "para: engine: docker run "
	assert_not_contains "$out" "/v1.41/"
	DOCKER_CONTEXT=$ctx expect_rc 0 "$PARA" cancel -f -v viactx
	assert_contains "$out" "para: engine: docker rm "
	"$DOCKER" context use "$ctx" >/dev/null
	expect_rc 0 "$PARA" start -c --detach -v usedctx
	assert_contains "$out" "para: engine: docker run "
	"$DOCKER" context use default >/dev/null
	expect_rc 0 "$PARA" cancel -f usedctx
	DOCKER_HOST=unix:///var/run/docker.sock expect_rc 0 "$PARA" start -c --detach -v byhost
	assert_contains "$out" "POST /v1.41/containers/create"
	DOCKER_HOST=unix:///var/run/docker.sock expect_rc 0 "$PARA" cancel -f -v byhost
	assert_contains "$out" "DELETE /v1.41/containers/"
	before=$(disk_snapshot)
	DOCKER_HOST="unix://$TEST_TMP/nothing.sock" run "$PARA" start -c --detach dead
	assert_eq 3 "$rc" "start against a dead socket: $out"
	assert_one_line "$out"
	assert_contains "$out" "container engine not reachable"
	assert_contains "$out" "$TEST_TMP/nothing.sock"
	assert_eq "$before" "$(disk_snapshot)" "disk after the dead socket"
	[ -z "$("$DOCKER" ps -aq --filter "label=dev.para.session=dead" --filter "label=dev.para.repo=$REPO")" ] ||
		fail "a container was left"
	DOCKER_HOST="unix://$TEST_TMP/nothing.sock" run "$PARA" cancel -f first
	assert_eq 3 "$rc" "cancel against a dead socket: $out"
	assert_contains "$out" "not reachable"
	[ -d .para/worktrees/first ] || fail "a cancel that reached no engine removed the worktree"
	expect_rc 0 "$PARA" cancel -f first
	"$DOCKER" context rm -f "$ctx" >/dev/null
}

# A keep-alive that stops before it is ready, over the API: the start fails
# with its last words, and nothing is left
test_api_start_of_a_container_that_stops() {
	api_repo
	img=para-it-stops-$TEST_RUN_ID:1
	CLEAN_IMAGES+=("$img")
	printf 'FROM %s\nRUN rm /bin/sh && printf "#!/bin/busybox ash\\necho broken image >&2\\nexit 7\\n" >/bin/sh && chmod +x /bin/sh\n' \
		"$BUSYBOX_IMAGE" | "$DOCKER" build -q -t "$img" - >/dev/null || fail "cannot build the test image"
	expect_rc 0 "$PARA" start -c --detach ok
	before=$(disk_snapshot)
	run "$PARA" start -c --detach -v --docker-image "$img" stops
	assert_eq 1 "$rc" "$out"
	assert_contains "$out" "POST /v1.41/containers/create"
	assert_contains "$out" "stopped as soon as it started: broken image"
	assert_eq "$before" "$(disk_snapshot)" "disk after the failed start"
	[ -z "$("$DOCKER" ps -aq --filter "label=dev.para.session=stops" --filter "label=dev.para.repo=$REPO")" ] ||
		fail "a container was left"
	expect_rc 0 "$PARA" cancel -f ok
}

# An exec without a terminal goes through the API: its stdout and stderr
# apart, its exit code, stdin passed on whole and ended; the CLI's exec
# (PARA_ENGINE_API=0) gives the very same
test_exec_through_the_api_is_the_clis() {
	api_repo
	expect_rc 0 "$PARA" start -c --detach x
	head -c 3000000 /dev/urandom >"$TEST_TMP/in.bin"
	want=$(sha256sum <"$TEST_TMP/in.bin" | cut -d' ' -f1)
	for api in 1 0; do
		PARA_ENGINE_API=$api "$PARA" exec -v x -- sh -c 'echo to-out; echo to-err >&2; exit 7' \
			>"$TEST_TMP/out" 2>"$TEST_TMP/err" </dev/null
		assert_eq 7 "$?" "the command's exit code (api=$api)"
		assert_eq to-out "$(cat "$TEST_TMP/out")" "stdout (api=$api)"
		assert_eq to-err "$(grep -v '^para: engine' "$TEST_TMP/err")" "stderr (api=$api)"
		if [ $api = 1 ]; then
			assert_contains "$(cat "$TEST_TMP/err")" "POST /v1.41/containers/$(jq -r .container.name .para/state/x.json)/exec"
		else
			assert_contains "$(cat "$TEST_TMP/err")" "para: engine: docker exec "
		fi
		got=$(PARA_ENGINE_API=$api "$PARA" exec x -- sh -c 'cat | sha256sum' <"$TEST_TMP/in.bin" | cut -d' ' -f1)
		assert_eq "$want" "$got" "3 MB through stdin (api=$api)"
		n=$(PARA_ENGINE_API=$api "$PARA" exec x -- sh -c 'head -c 4000000 /dev/zero' </dev/null | wc -c)
		assert_eq 4000000 "$n" "4 MB out (api=$api)"
		# stdin that never ends does not hold the exec once its command is done
		PARA_ENGINE_API=$api timeout 20 "$PARA" exec x -- true < <(sleep 60)
		assert_eq 0 "$?" "an exec whose stdin stays open (api=$api)"
		run env PARA_ENGINE_API=$api "$PARA" exec x -- no-such-command </dev/null
		assert_eq 127 "$rc" "a command not there (api=$api): $out"
	done
	expect_rc 0 "$PARA" cancel -f x
}
