# Setup scripts: run once in a new container as the session's user with its
# environment, output shown and logged; a failure is the start's exit code
# and leaves nothing behind.

setup_repo() {
	need_engine
	need_image "$BUSYBOX_IMAGE"
	mkrepo
	CLEAN_REPOS+=("$REPO")
	trap cleanup_engine_objects EXIT
	mkdir -p "$XDG_CONFIG_HOME/para" .para
	printf '{"agent": {"command": ["true"]}, "docker": {"default_image": "%s"}}\n' "$BUSYBOX_IMAGE" \
		>"$XDG_CONFIG_HOME/para/config.json"
}

# A script that says which one it is and counts its runs in the worktree.
script() { # file label
	printf 'echo "setup %s for $PARA_SESSION, FOO=$FOO, in $(pwd)"\necho run >>/workspace/.setup-runs\n' "$2" >"$1"
}

test_setup_script_runs_once_with_the_session_env() {
	setup_repo
	script .para/setup.sh project
	expect_rc 0 "$PARA" start -c --detach s -e FOO=bar
	assert_contains "$out" "| setup project for s, FOO=bar, in /workspace"
	assert_contains "$(cat .para/logs/setup-s.log)" "setup project for s, FOO=bar"
	assert_eq 1 "$(grep -c run .para/worktrees/s/.setup-runs)" "runs after start"
	expect_rc 0 "$PARA" resume s
	assert_eq 1 "$(grep -c run .para/worktrees/s/.setup-runs)" "runs after resume: the container was there"
	"$DOCKER" rm -f "$(jq -r .container.name .para/state/s.json)" >/dev/null
	expect_rc 0 "$PARA" resume s
	assert_eq 2 "$(grep -c run .para/worktrees/s/.setup-runs)" "runs after a re-create: a new container"
}

test_setup_script_choice_order() {
	setup_repo
	script "$TEST_TMP/flag.sh" flag
	script .para/setup-docker.sh setup-docker
	script .para/setup.sh setup
	script conf.sh config
	printf '{"docker": {"setup_script": "conf.sh"}}\n' >.para/config.json
	git add .para/config.json conf.sh && git commit -q -m scripts # .para/setup*.sh stay untracked
	expect_rc 0 "$PARA" start -c --dry-run a --setup-script "$TEST_TMP/flag.sh"
	assert_contains "$out" "setup:     $TEST_TMP/flag.sh"
	expect_rc 0 "$PARA" start -c --detach a --setup-script "$TEST_TMP/flag.sh"
	assert_contains "$out" "| setup flag"
	expect_rc 0 "$PARA" start -c --detach b
	assert_contains "$out" "| setup setup-docker"
	rm .para/setup-docker.sh
	expect_rc 0 "$PARA" start -c --dry-run --json c
	assert_eq "$REPO/.para/setup.sh" "$(jq -r .container.setup_script <<<"$out")"
	rm .para/setup.sh
	expect_rc 0 "$PARA" start -c --detach d
	assert_contains "$out" "| setup config"
	# the profile's setup_script goes over the repository's files and the config's
	script .para/setup-docker.sh setup-docker
	script prof.sh profile
	printf '{"docker": {"setup_script": "conf.sh", "profiles": {"p": {"setup_script": "prof.sh"}}}}\n' \
		>.para/config.json
	git add .para/config.json prof.sh && git commit -q -m "profile script"
	expect_rc 0 "$PARA" start -c --detach e --docker-profile p
	assert_contains "$out" "| setup profile"
	expect_rc 0 "$PARA" start -c --detach f
	assert_contains "$out" "| setup setup-docker"
	rm .para/setup-docker.sh
	# a host session runs no setup script
	expect_rc 0 "$PARA" start --detach h
	assert_not_contains "$out" "setup config"
}

test_failing_setup_script_leaves_nothing() {
	setup_repo
	printf 'echo "installing"\necho "broken" >&2\nexit 7\n' >.para/setup.sh
	git add -A && git commit -q -m "broken setup"
	before=$(disk_snapshot)
	expect_rc 7 "$PARA" start -c --detach s
	assert_contains "$out" "| broken"
	assert_contains "$out" "the setup script $REPO/.para/setup.sh failed with exit code 7"
	assert_contains "$(cat .para/logs/setup-s.log)" "installing"
	assert_no_file .para/state/s.json
	assert_no_file .para/worktrees/s
	git rev-parse -q --verify para/s >/dev/null && fail "branch para/s left"
	[ -z "$(repo_containers)" ] || fail "a container was left"
	# a named script that is not there: nothing is made at all
	expect_rc 2 "$PARA" start -c --detach s --setup-script "$TEST_TMP/nope.sh"
	assert_one_line "$out"
	assert_contains "$out" "the setup script '$TEST_TMP/nope.sh' is not a file"
	git rm -q .para/setup.sh && git commit -q -m "no setup.sh"
	printf '{"docker": {"setup_script": "missing.sh"}}\n' >.para/config.json
	expect_rc 4 "$PARA" start -c --detach s
	assert_contains "$out" "missing.sh' is not a file"
	rm .para/config.json
	assert_no_file .para/state/s.json
	[ -z "$(repo_containers)" ] || fail "a container was made"
}
