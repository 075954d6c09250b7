# Environment: the seven levels of SPEC §2.2 in a real container, and secrets
# that never reach a command line, an output or a file para writes.

env_repo() {
	need_engine
	need_image "$BUSYBOX_IMAGE"
	mkrepo
	cp "$AGENTS/printenv.sh" agent.sh
	CLEAN_REPOS+=("$REPO")
}

# config.json with a profile, docker.env, default_env_file, forward_env
write_config() { # extra-json-for-docker
	mkdir -p .para
	cat >.para/config.json <<JSON
{ "agent": { "command": ["/workspace/agent.sh"] },
  "docker": { "default_image": "$BUSYBOX_IMAGE" $1 } }
JSON
	git add -A && git commit -q -m config
	trust_repo
}

test_each_level_beats_the_next() {
	env_repo
	printf 'B2=l2\nB2F=first\n' >"$TEST_TMP/f2a.env"
	printf 'B1=l2\nB2F=second\n' >"$TEST_TMP/f2b.env"
	printf 'B4=l4-file\nB4W=file\n' >prof.env
	printf 'B5=l5-file\nB5W=file\n' >default.env
	printf 'B5=l6\nB6=l6\n' >.env
	write_config ', "profiles": { "p": { "env_vars": { "B3": "l4", "B4W": "vars" }, "env_file": "prof.env" } },
	  "default_profile": "p",
	  "env": { "B4": "l5", "B5W": "docker.env" },
	  "default_env_file": "default.env",
	  "forward_env": ["B6", "FWD_ONLY"]'
	run env B6=l7 FWD_ONLY=fwd PARA_DOCKER_ENV="B2=l3,B3=l3" \
		"$PARA" start -c lv -p x -e B1=l1 --env-file "$TEST_TMP/f2a.env" --env-file "$TEST_TMP/f2b.env"
	assert_eq 0 "$rc" "start: $out"
	got=$(cat .para/worktrees/lv/agent-env.txt)
	# level n beats level n+1, inside the container
	assert_line "$got" "B1=l1" "1 beats 2"
	assert_line "$got" "B2=l2" "2 beats 3"
	assert_line "$got" "B3=l3" "3 beats 4"
	assert_line "$got" "B4=l4-file" "4 beats 5"
	assert_line "$got" "B5=l5-file" "5 beats 6"
	assert_line "$got" "B6=l6" "6 beats 7"
	# within a level
	assert_line "$got" "B2F=second" "later --env-file wins"
	assert_line "$got" "B4W=vars" "profile env_vars beat profile env_file"
	assert_line "$got" "B5W=docker.env" "docker.env beats default_env_file"
	assert_line "$got" "FWD_ONLY=fwd" "forwarded"
	assert_line "$got" "GIT_AUTHOR_EMAIL=test@example.com" "git identity"
	# para env says the same, with the level each came from
	run env B6=l7 FWD_ONLY=fwd PARA_DOCKER_ENV="B2=l3,B3=l3" "$PARA" env --json --reveal -e B1=l1 \
		--env-file "$TEST_TMP/f2a.env" --env-file "$TEST_TMP/f2b.env"
	for pair in B1:1 B2:2 B3:3 B4:4 B5:5 B6:6 FWD_ONLY:7; do
		assert_eq "${pair#*:}" "$(jq -r ".[] | select(.key==\"${pair%%:*}\") | .level" <<<"$out")" "level of ${pair%%:*}"
	done
	expect_rc 0 "$PARA" cancel -f lv
}

test_no_forward_keys_turns_level_7_off() {
	env_repo
	write_config ', "forward_env": ["FWD_ME"]'
	expect_rc 0 env FWD_ME=yes "$PARA" start -c nf -p x --no-forward-keys
	got=$(cat .para/worktrees/nf/agent-env.txt)
	assert_not_contains "$got" "FWD_ME" "forwarded var with --no-forward-keys"
	assert_not_contains "$got" "GIT_AUTHOR_NAME" "git identity with --no-forward-keys"
	expect_rc 0 env FWD_ME=yes "$PARA" start -c f -p x
	assert_contains "$(cat .para/worktrees/f/agent-env.txt)" "FWD_ME=yes"
	# -e KEY takes the host value; absent on the host: not set, said with --verbose
	run env FROM_HOST=h "$PARA" exec -e FROM_HOST -e NOT_ON_HOST --verbose f -- sh -c 'echo "$FROM_HOST/${NOT_ON_HOST-unset}"'
	assert_eq 0 "$rc"
	assert_contains "$out" "h/unset"
	assert_contains "$out" "NOT_ON_HOST: not set on the host"
	expect_rc 0 "$PARA" cancel -f nf
	expect_rc 0 "$PARA" cancel -f f
}

secret() { head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

test_secrets_never_on_a_command_line_output_or_disk() {
	env_repo
	s1=S1$(secret) s2=S2$(secret) s3=S3$(secret) s4=S4$(secret) s5=S5$(secret) s6=S6$(secret) s7=S7$(secret)
	printf 'FILE_VALUE=%s\n' "$s2" >"$TEST_TMP/secret.env"
	printf 'DOTENV_VALUE=%s\n' "$s6" >.env
	write_config ', "profiles": { "p": { "env_vars": { "PROFILE_TOKEN": "'"$s4"'" } } }, "default_profile": "p"'
	# docker.env in the user config (a file the user wrote, not para)
	mkdir -p "$XDG_CONFIG_HOME/para"
	printf '{"docker": {"env": {"DB_PASSWORD": "%s"}}}\n' "$s5" >"$XDG_CONFIG_HOME/para/config.json"
	secrets="$s1 $s2 $s3 $s4 $s5 $s6 $s7"
	# the patterns live in a file: the scanner's own grep must not carry them
	printf '%s\n' $secrets >"$TEST_TMP/patterns"
	scan() { # every process's command line, over and over, until $1 exists
		local hits=0 rounds=0
		while [ ! -e "$1" ]; do
			cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\0' '\n' | grep -F -f "$TEST_TMP/patterns" && hits=1
			rounds=$((rounds + 1))
		done
		echo "scan-done hits=$hits rounds=$rounds"
	}
	scan "$TEST_TMP/stop" >"$TEST_TMP/scan.txt" 2>&1 &
	scanner=$!
	# level 1 as -e KEY (value from para's environment): a literal -e KEY=VALUE
	# would put it on para's command line by the user's own hand
	out=$(env AGENT_SLEEP=3 ANTHROPIC_API_KEY="$s7" PARA_DOCKER_ENV="MY_SECRET=$s3" MY_TOKEN="$s1" \
		"$PARA" start -c sec -p x -e AGENT_SLEEP=3 -e MY_TOKEN --env-file "$TEST_TMP/secret.env" --verbose 2>&1)
	rc=$?
	touch "$TEST_TMP/stop"
	wait $scanner
	assert_eq 0 "$rc" "start: $out"
	got=$(cat .para/worktrees/sec/agent-env.txt)
	for s in $secrets; do
		assert_contains "$got" "$s" "the agent's environment"   # the test can fail: they are really there
		assert_not_contains "$out" "$s" "para's output"
	done
	assert_contains "$(cat "$TEST_TMP/scan.txt")" "scan-done hits=0" "command lines of all processes"
	rounds=$(sed -n 's/.*rounds=//p' "$TEST_TMP/scan.txt")
	[ "${rounds:-0}" -ge 20 ] || fail "the scanner only looked $rounds times"
	# masked in dry runs, para env and status; shown with --reveal only
	for cmd in "env" "env --json" "start -c other --dry-run" "start -c other --dry-run --json" "status sec" "list --json"; do
		case "$cmd" in
		env* | start*) run env ANTHROPIC_API_KEY="$s7" PARA_DOCKER_ENV="MY_SECRET=$s3" MY_TOKEN="$s1" \
			"$PARA" $cmd -e MY_TOKEN --env-file "$TEST_TMP/secret.env" ;;
		*) run env ANTHROPIC_API_KEY="$s7" "$PARA" $cmd ;;
		esac
		assert_eq 0 "$rc" "para $cmd: $out"
		for s in $secrets; do assert_not_contains "$out" "$s" "output of para $cmd"; done
	done
	run env ANTHROPIC_API_KEY="$s7" "$PARA" env --reveal
	assert_contains "$out" "$s7" "para env --reveal"
	# nothing para wrote holds a secret
	hits=$(grep -rlF -e "$s1" -e "$s2" -e "$s3" -e "$s4" -e "$s5" -e "$s7" .para/state .para/logs .para/.gitignore 2>/dev/null)
	assert_eq "" "$hits" "files under .para holding secrets"
	expect_rc 0 "$PARA" cancel -f sec
}

test_bad_env_file_is_one_line_with_file_and_line() {
	env_repo
	write_config ''
	printf 'OK=1\nBAD="never closed\n' >"$TEST_TMP/bad.env"
	before=$(disk_snapshot)
	expect_rc 1 "$PARA" start -c x --env-file "$TEST_TMP/bad.env"
	assert_one_line "$out"
	assert_contains "$out" "$TEST_TMP/bad.env:2:"
	printf 'X="oops\n' >.env
	expect_rc 1 "$PARA" start -c x
	assert_contains "$out" "$REPO/.env:1:"
	rm .env
	expect_rc 2 "$PARA" start -c x -e "=novalue"
	assert_one_line "$out"
	expect_rc 2 "$PARA" start -c x --env-file "$TEST_TMP/missing.env"
	assert_one_line "$out"
	expect_rc 2 "$PARA" start x -e A=1
	assert_contains "$out" "need -c"
	assert_eq "$before" "$(disk_snapshot)" "disk after refused starts"
	[ -z "$(repo_containers)" ] || fail "container created"
}

test_recreated_container_resolves_env_again() {
	env_repo
	write_config ''
	printf 'FROM_FILE=v1\n' >"$TEST_TMP/e.env"
	expect_rc 0 env HOSTVAR=h1 "$PARA" start -c rc --detach -e LITERAL=lit -e HOSTVAR --env-file "$TEST_TMP/e.env"
	expect_rc 0 "$PARA" exec rc -- sh -c 'echo "$LITERAL $HOSTVAR $FROM_FILE"'
	assert_eq "lit h1 v1" "$out"
	# a running container keeps what it was created with
	expect_rc 0 env HOSTVAR=changed "$PARA" exec rc -- sh -c 'echo "$LITERAL $HOSTVAR"'
	assert_eq "lit h1" "$out"
	# exec -e adds for one command only
	expect_rc 0 "$PARA" exec -e LITERAL=once rc -- sh -c 'echo "$LITERAL"'
	assert_eq "once" "$out"
	"$DOCKER" rm -f "$(jq -r .container.name .para/state/rc.json)" >/dev/null
	printf 'FROM_FILE=v2\n' >"$TEST_TMP/e.env"
	run env HOSTVAR=h2 "$PARA" exec rc -- sh -c 'echo "${LITERAL-gone} $HOSTVAR $FROM_FILE"'
	assert_eq 0 "$rc" "exec after rm: $out"
	assert_contains "$out" "gone h2 v2"
	assert_contains "$out" "-e LITERAL was given as a literal value"
	# resume with new -e: replaces the saved ones, for this and later re-creations
	cp "$AGENTS/printenv.sh" .para/worktrees/rc/agent.sh
	expect_rc 0 "$PARA" resume rc -e LITERAL=again
	assert_contains "$(cat .para/worktrees/rc/agent-env.txt)" "LITERAL=again"
	expect_rc 0 "$PARA" cancel -f rc
}

test_container_variables_do_not_steer_the_engine_cli() {
	env_repo
	write_config ''
	# meant for the app in the container, not for para's own engine calls
	printf 'DOCKER_HOST=tcp://127.0.0.1:9\nLD_PRELOAD=/nonexistent/evil.so\nMULTI="line one\nline two"\n' >.env
	expect_rc 0 "$PARA" start -c st --detach
	expect_rc 0 "$PARA" exec st -- sh -c 'echo "$DOCKER_HOST|$LD_PRELOAD|$MULTI"'
	assert_eq "tcp://127.0.0.1:9|/nonexistent/evil.so|line one
line two" "$out"
	# a one-command variable the engine CLI would read is refused, not obeyed
	expect_rc 2 "$PARA" exec -e DOCKER_HOST=tcp://127.0.0.1:9 st -- true
	assert_one_line "$out"
	# a multi-line value for such a name cannot travel safely: refused at start
	printf 'DOCKER_CONFIG="a\nb"\n' >.env
	expect_rc 1 "$PARA" start -c st2 --detach
	assert_contains "$out" "DOCKER_CONFIG"
	rm .env
	expect_rc 0 "$PARA" cancel -f st
}

# The "no credentials" warning goes by what is passed, not by how: an env
# file with no key in it does not silence it; a key from anywhere does.
test_credentials_warning_needs_a_credential() {
	env_repo
	write_config ''
	printf 'FOO=bar\n' >"$TEST_TMP/plain.env"
	printf 'ANTHROPIC_API_KEY=sk-test\n' >"$TEST_TMP/key.env"
	run env -u ANTHROPIC_API_KEY "$PARA" start -c w1 --detach --env-file "$TEST_TMP/plain.env"
	assert_eq 0 "$rc" "$out"
	assert_contains "$out" "gets no credentials"
	run env -u ANTHROPIC_API_KEY "$PARA" start -c w2 --detach --env-file "$TEST_TMP/key.env"
	assert_eq 0 "$rc" "$out"
	assert_not_contains "$out" "gets no credentials"
	run env -u ANTHROPIC_API_KEY "$PARA" start -c w3 --detach -e CLAUDE_CODE_OAUTH_TOKEN=t
	assert_not_contains "$out" "gets no credentials"
	for s in w1 w2 w3; do expect_rc 0 "$PARA" cancel -f $s; done
}

# resume -e replaces only the saved -e (the --env-files stay), and para env
# NAME shows what the container has that this shell no longer gives.
test_resume_e_keeps_env_files_and_env_shows_the_container() {
	env_repo
	write_config ', "forward_env": ["FWD_TOKEN"]'
	printf 'FROM_FILE=v1\n' >"$TEST_TMP/e.env"
	expect_rc 0 env FWD_TOKEN=fwd-secret-1 "$PARA" start -c rs --detach --env-file "$TEST_TMP/e.env"
	run env -u FWD_TOKEN "$PARA" env rs --json --reveal
	assert_eq 0 "$rc" "para env rs: $out"
	assert_eq "fwd-secret-1" "$(jq -r '.[] | select(.key=="FWD_TOKEN") | .value' <<<"$out")" "FWD_TOKEN in para env"
	assert_contains "$(jq -r '.[] | select(.key=="FWD_TOKEN") | .source' <<<"$out")" "in the container"
	run env -u FWD_TOKEN "$PARA" env rs
	assert_not_contains "$out" "fwd-secret-1"
	# a vanished container is re-created from the saved inputs; -e alone keeps the file
	"$DOCKER" rm -f "$(jq -r .container.name .para/state/rs.json)" >/dev/null
	cp "$AGENTS/printenv.sh" .para/worktrees/rs/agent.sh
	expect_rc 0 "$PARA" resume rs -e ADDED=yes
	got=$(cat .para/worktrees/rs/agent-env.txt)
	assert_line "$got" "ADDED=yes"
	assert_line "$got" "FROM_FILE=v1" "the saved --env-file after resume -e"
	expect_rc 0 "$PARA" cancel -f rs
}
