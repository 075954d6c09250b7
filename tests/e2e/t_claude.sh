# The real agent end to end: Claude Code (npm @anthropic-ai/claude-code 2.1.x)
# in a para container session, built from a project Dockerfile (the recipe in
# Dockerfile.claude), run as a non-root uid against a mock of the Messages API
# (mock-messages-api.js). The session's container is on an internal network
# of this test's own with the mock as the only other member, and names that
# are not containers there resolve nowhere (--dns 127.0.0.1): no route out.
#
# Run by `make test` (scripts/test.sh, stage e2e), or alone:
#   PARA_TEST_DIR=tests/e2e PARA=$PWD/build/para tests/integration/run.sh

E2E=$ROOT/tests/e2e
E2E_TIMEOUT=240
# the npm download is kept between runs (each test has a HOME of its own)
export PARA_E2E_CACHE=${PARA_E2E_CACHE:-/var/tmp/para-e2e}

need_e2e() {
	need_engine
	need_image "$DEBIAN_IMAGE"
	command -v npm >/dev/null || fail "npm is missing (scripts/bootstrap.sh --deps installs it)"
	command -v script >/dev/null || fail "script(1) is missing"
}

# The mock on a new internal network; sets $net, $mock, $mocklog.
start_mock() {
	local tag
	tag=para-e2e-mock:$(cat "$E2E/Dockerfile.mock" "$E2E/mock-messages-api.js" | sha256sum | cut -c1-16)
	if ! "$DOCKER" image inspect "$tag" >/dev/null 2>&1; then
		"$DOCKER" build -q -t "$tag" -f "$E2E/Dockerfile.mock" "$E2E" >"$TEST_TMP/mock-build.log" 2>&1 ||
			fail "mock image: $(tail -5 "$TEST_TMP/mock-build.log")"
	fi
	net=para-e2e-$TEST_RUN_ID-$RANDOM
	mock=para-e2e-mock-$TEST_RUN_ID-$RANDOM
	# no address on the host's side either: an internal network's gateway is the host
	"$DOCKER" network create --internal -o com.docker.network.bridge.inhibit_ipv4=true \
		--label "dev.para.test-run=$TEST_RUN_ID" "$net" >/dev/null ||
		fail "network $net"
	mocklog=$TEST_TMP/mocklog
	mkdir -p "$mocklog" && chmod 777 "$mocklog"
	"$DOCKER" run -d --name "$mock" --label "dev.para.test-run=$TEST_RUN_ID" --network "$net" --dns 127.0.0.1 \
		-v "$mocklog:/log" "$tag" node /mock/mock-messages-api.js --port 8080 --log /log/requests.jsonl \
		>/dev/null 2>"$TEST_TMP/mock-run.err" || fail "mock: $(cat "$TEST_TMP/mock-run.err")"
	for _ in $(seq 50); do
		"$DOCKER" logs "$mock" 2>&1 | grep -q 'listening on' && return 0
		sleep 0.2
	done
	fail "the mock did not start: $("$DOCKER" logs "$mock" 2>&1)"
}

stop_mock() {
	"$DOCKER" rm -f "$mock" >/dev/null 2>&1
	# the session's container leaves the network when it goes; wait for that
	for _ in $(seq 20); do "$DOCKER" network rm "$net" >/dev/null 2>&1 && return 0; sleep 0.5; done
}

# tool_results the mock received for file NAME (successful ones)
results_for() {
	jq -c "select(.body.tool_results != null) | .body.tool_results[] | select(.is_error == false)" \
		"$mocklog/requests.jsonl" 2>/dev/null | grep -c "$1"
}

# as the fixture user, in the repo, with a time limit: sets $out, $rc
user_run() { run as_fixture_user timeout "$E2E_TIMEOUT" "$@"; }

test_claude_code_in_a_container_session() {
	need_e2e
	art=$("$E2E/fetch-claude-code.sh") || fail "fetching Claude Code from npm failed"
	start_mock
	trap 'stop_mock; cleanup_engine_objects' EXIT
	fixture_user_repo
	as_fixture_user mkdir -p .para
	# copied as root: the checkout may sit in a folder only root can enter
	cp "$E2E/Dockerfile.claude" .para/Dockerfile && chown 4711:4711 .para/Dockerfile
	ln "$art" .para/claude-code.tar 2>/dev/null || cp "$art" .para/claude-code.tar
	echo ".para/claude-code.tar" >>.git/info/exclude
	cat >"$TEST_TMP/config.json" <<JSON
{ "agent": { "command": ["claude", "-p", "--permission-mode", "acceptEdits"], "prompt": "arg" },
  "docker": {
    "docker_args": ["--network=$net", "--dns=127.0.0.1"],
    "env": { "ANTHROPIC_BASE_URL": "http://$mock:8080", "ANTHROPIC_API_KEY": "test-key",
             "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1", "DISABLE_AUTOUPDATER": "1" } } }
JSON
	as_fixture_user cp "$TEST_TMP/config.json" .para/config.json
	as_fixture_user git add .para/Dockerfile .para/config.json
	as_fixture_user git commit -qm "claude code" || fail "commit"
	user_run "$PARA" trust
	assert_eq 0 "$rc" "trust: $out"

	# start: builds the image, runs claude -p with no terminal (stdin /dev/null)
	user_run "$PARA" start -c s1 -p "write hello.txt" </dev/null
	assert_eq 0 "$rc" "start: $out"
	wt=.para/worktrees/s1
	assert_eq "hello.txt from claude" "$(cat "$wt/hello.txt" 2>/dev/null)" "hello.txt written by claude"
	assert_eq 4711 "$(stat -c %u "$wt/hello.txt")" "owner of hello.txt"
	assert_eq 1 "$(results_for hello.txt)" "tool_results for hello.txt in the mock's log"

	# the container reaches nothing but the mock
	cname=$(jq -r .container.name "$wt/../../state/s1.json")
	assert_eq "$net" "$("$DOCKER" inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}' "$cname" | xargs)" \
		"the session container's networks"
	assert_eq true "$("$DOCKER" network inspect -f '{{.Internal}}' "$net")" "the network is internal"
	user_run "$PARA" exec s1 -- sh -c 'getent hosts api.anthropic.com || echo unresolved'
	assert_eq unresolved "$out" "api.anthropic.com from the container"

	# resume with a terminal (script gives para a pty): claude gets one too
	user_run script -qec "'$PARA' resume s1 -p 'write second.txt'" /dev/null
	assert_eq 0 "$rc" "resume under a terminal: $out"
	assert_eq "second.txt from claude" "$(cat "$wt/second.txt" 2>/dev/null)" "second.txt written under a tty"
	assert_eq 4711 "$(stat -c %u "$wt/second.txt")" "owner of second.txt"
	assert_eq 1 "$(results_for second.txt)" "tool_results for second.txt"

	# exec: the agent's own CLI, and piped input
	user_run "$PARA" exec s1 -- claude --version
	assert_eq 0 "$rc" "exec claude --version: $out"
	assert_contains "$out" "Claude Code"
	run bash -c "echo piped | setpriv --reuid 4711 --regid 4711 --init-groups env HOME='$TEST_TMP/u4711' '$PARA' exec s1 -- sh -c 'cat >third.txt'"
	assert_eq 0 "$rc" "exec with piped stdin: $out"
	assert_eq piped "$(cat "$wt/third.txt")"

	# finish commits what claude wrote, as the user
	user_run "$PARA" finish "claude wrote these" s1
	assert_eq 0 "$rc" "finish: $out"
	files=$(as_fixture_user git show --name-only --format= para/s1 | sort | xargs)
	assert_eq "hello.txt second.txt third.txt" "$files" "files in the finished commit"
	assert_eq "hello.txt from claude" "$(as_fixture_user git show para/s1:hello.txt)"
	assert_eq "claude wrote these" "$(as_fixture_user git log -1 --format=%s para/s1)"
	assert_no_file "$wt"
	[ -z "$(repo_containers)" ] || fail "container left after finish"
}
