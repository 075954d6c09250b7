# Edges where work could be lost or a run could go wrong: bad names and
# values on their way to the engine, huge inputs, help words in the wrong
# place, failed builds, signals mid-hash, a clone with nothing beside it.

# The tree as it is now (committed or not), without the build folders.
copy_source() { # dest
	mkdir -p "$1"
	(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard) |
		(cd "$ROOT" && tar --null --ignore-failed-read -T - -cf - 2>/dev/null) | tar -xf - -C "$1"
}

# A user's clone has no ../shared beside it: the unit tests that read
# conformance vectors must still find them, and nothing may point there.
test_clone_stands_alone() {
	command -v meson >/dev/null || { echo "    SKIP: no meson" >&2; exit 77; }
	copy_source "$TEST_TMP/clone"
	assert_no_file "$TEST_TMP/shared"
	refs=$(cd "$TEST_TMP/clone" && grep -rlF -- "../shared" . | grep -v '^./tests/integration/t_edges.sh$')
	assert_eq "" "$refs" "files that point at ../shared"
	cd "$TEST_TMP/clone" || fail "cd clone"
	run meson setup -Dbench=false "$TEST_TMP/b"
	assert_eq 0 "$rc" "meson setup: $out"
	run ninja -C "$TEST_TMP/b" tests/unit/test_dotenv tests/unit/test_dockerignore
	assert_eq 0 "$rc" "ninja: $out"
	run meson test -C "$TEST_TMP/b" --no-rebuild --print-errorlogs test_dotenv test_dockerignore
	assert_eq 0 "$rc" "the conformance tests in a clone: $out"
}

# A signal while para hashes a huge build context stops it within a second,
# with nothing left behind (it used to read the whole context first).
test_sigterm_during_context_hash() {
	need_engine
	need_image "$BUSYBOX_IMAGE"
	mkrepo
	mkdir -p .para
	printf 'FROM %s\nCOPY big /big\n' "$BUSYBOX_IMAGE" >.para/Dockerfile
	echo '{"agent": {"command": ["true"]}}' >.para/config.json
	git add -A && git commit -q -m "huge context"
	trust_repo
	truncate -s 200G .para/big # sparse: minutes of reading, no disk
	"$PARA" start -c hashing --detach >"$TEST_TMP/out.txt" 2>&1 &
	pid=$!
	sleep 1.5
	kill -0 $pid 2>/dev/null || fail "para ended before the signal: $(cat "$TEST_TMP/out.txt")"
	t0=$(date +%s%N)
	kill -TERM $pid
	wait $pid
	rc=$?
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	[ "$ms" -lt 1000 ] || fail "para took ${ms} ms to stop after SIGTERM"
	assert_eq 143 "$rc" "exit status after SIGTERM: $(cat "$TEST_TMP/out.txt")"
	assert_contains "$(cat "$TEST_TMP/out.txt")" "interrupted"
	assert_no_file .para/state/hashing.json
	assert_no_file .para/worktrees/hashing
	git rev-parse -q --verify para/hashing >/dev/null && fail "branch para/hashing left"
	return 0
}

# A para waiting for another one's lock still stops on SIGTERM, at once, and
# has made nothing; once the lock is free, the same start goes through.
test_sigterm_while_waiting_for_a_lock() {
	mkrepo
	set_agent '["true"]' arg
	mkdir -p .para/state
	# -o: the lock is flock's own, gone when it is killed (sleep keeps no fd)
	flock -o .para/state/.lock sleep 30 >/dev/null 2>&1 &
	holder=$!
	sleep 0.3
	"$PARA" start waiting --detach >"$TEST_TMP/out.txt" 2>&1 &
	pid=$!
	sleep 1
	kill -0 $pid 2>/dev/null || fail "para did not wait for the lock: $(cat "$TEST_TMP/out.txt")"
	t0=$(date +%s%N)
	kill -TERM $pid
	wait $pid
	rc=$?
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	kill $holder
	wait $holder 2>/dev/null
	[ "$ms" -lt 1000 ] || fail "para took ${ms} ms to stop after SIGTERM"
	assert_eq 143 "$rc" "exit status after SIGTERM: $(cat "$TEST_TMP/out.txt")"
	assert_contains "$(cat "$TEST_TMP/out.txt")" "interrupted while waiting for another para"
	assert_no_file .para/state/waiting.json
	assert_no_file .para/worktrees/waiting
	expect_rc 0 "$PARA" start waiting --detach
}

edge_repo() { # extra-json-for-docker
	need_engine
	need_image "$BUSYBOX_IMAGE"
	mkrepo
	mkdir -p .para
	cat >.para/config.json <<JSON
{ "agent": { "command": ["sh", "-c", "env | sort >agent-env.txt"] },
  "docker": { "default_image": "$BUSYBOX_IMAGE" $1 } }
JSON
	git add -A && git commit -q -m config
	trust_repo
	CLEAN_REPOS+=("$REPO")
	trap cleanup_engine_objects EXIT
}

# A name the engine would refuse is para's one-line error (exit 4) that never
# shows the value; nothing is created.
test_bad_variable_names_are_config_errors() {
	edge_repo ', "env": { " SPACED": "sekrit-value-1" }'
	before=$(disk_snapshot)
	expect_rc 4 "$PARA" start -c x --detach
	assert_one_line "$out"
	assert_contains "$out" "docker.env: ' SPACED' is not a variable name"
	assert_not_contains "$out" "sekrit-value-1"
	sed -i 's/" SPACED"/""/' .para/config.json && git commit -qam empty && trust_repo
	expect_rc 4 "$PARA" start -c x --detach
	assert_contains "$out" "docker.env: '' is not a variable name"
	assert_not_contains "$out" "sekrit-value-1"
	sed -i 's/"env": { "": "sekrit-value-1" }/"profiles": { "p": { "env_vars": { "A B": "sekrit-value-2" } } }/' .para/config.json
	git commit -qam profile && trust_repo
	before=$(disk_snapshot)
	expect_rc 4 "$PARA" start -c x --detach --docker-profile p
	assert_one_line "$out"
	assert_contains "$out" "profile p env_vars: 'A B' is not a variable name"
	assert_not_contains "$out" "sekrit-value-2"
	expect_rc 4 env PARA_DOCKER_ENV="OK=1,=sekrit-value-3" "$PARA" start -c x --detach
	assert_contains "$out" "PARA_DOCKER_ENV: '' is not a variable name"
	assert_not_contains "$out" "sekrit-value-3"
	expect_rc 4 "$PARA" env --docker-profile p
	assert_eq "$before" "$(disk_snapshot)" "disk after refused starts"
	[ -z "$(repo_containers)" ] || fail "container created"
}

# `=value` names no variable: docker's own env-file reader refuses it, and so
# does para, at its file and line.
test_env_file_line_without_a_name_is_an_error() {
	edge_repo ''
	printf 'A=1\n=sekrit-value-4\nB=2\n' >"$TEST_TMP/e.env"
	before=$(disk_snapshot)
	expect_rc 1 "$PARA" start -c x --detach --env-file "$TEST_TMP/e.env"
	assert_one_line "$out"
	assert_contains "$out" "$TEST_TMP/e.env:2: no variable name before '='"
	assert_not_contains "$out" "sekrit-value-4"
	printf '=v\n' >.env
	expect_rc 1 "$PARA" env
	assert_contains "$out" "$REPO/.env:1: no variable name"
	rm .env
	assert_eq "$before" "$(disk_snapshot)" "disk after refused starts"
}

# Values past the env-file reader's 64 KiB line reach the container whole
# (in the engine CLI's environment); past what one exec carries, refused.
test_long_values_reach_the_container_or_are_refused() {
	big=$(head -c 70000 /dev/zero | tr '\0' x)
	edge_repo ', "env": { "BIG": "'"$big"'" }'
	expect_rc 0 "$PARA" start -c long --detach
	run "$PARA" exec long -- sh -c 'printf "%s" "$BIG" | wc -c'
	assert_eq 0 "$rc" "exec: $out"
	assert_eq 70000 "$(tr -d ' ' <<<"$out")" "length of BIG in the container"
	# the value never reaches a command line
	ps -eo args | grep -q "BIG=x\{40\}" && fail "the value is on a command line"
	expect_rc 0 "$PARA" cancel -f long
	huge=$(head -c 200000 /dev/zero | tr '\0' y)
	printf 'HUGE=%s\n' "$huge" >"$TEST_TMP/huge.env"
	before=$(disk_snapshot)
	run "$PARA" start -c x --detach --env-file "$TEST_TMP/huge.env"
	assert_eq 4 "$rc" "start with a 200000-byte --env-file value: ${out:0:300}"
	assert_one_line "$out"
	assert_contains "$out" "HUGE (--env-file $TEST_TMP/huge.env): the value is 200000 bytes"
	assert_not_contains "$out" "yyyy"
	# (a value that long cannot even be an argument of para; from a config file it can)
	printf '{ "agent": { "command": ["true"] }, "docker": { "default_image": "%s", "env": { "HUGE": "%s" } } }\n' \
		"$BUSYBOX_IMAGE" "$huge" >.para/config.json # printf is a builtin: no exec limit
	git commit -qam huge && trust_repo
	before=$(disk_snapshot)
	run "$PARA" start -c x --detach
	assert_eq 4 "$rc" "start with a 200000-byte docker.env value: ${out:0:300}"
	assert_contains "$out" "HUGE (docker.env): the value is 200000 bytes"
	assert_not_contains "$out" "yyyy"
	assert_eq "$before" "$(disk_snapshot)" "disk after refused starts"
}

# A 100k-line .env resolves in linear time (it took 22 s for `para env` and
# 44 s for `start -c`). Its 2 MB cannot be a process's environment in the
# container, so start refuses it up front; a 20k-line one arrives whole.
test_huge_dotenv_is_linear() {
	edge_repo ''
	seq 1 100000 | sed 's/.*/VAR_&=value_&/' >.env
	t0=$(date +%s%N)
	run "$PARA" env --json
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	assert_eq 0 "$rc" "para env: ${out:0:300}"
	assert_eq 100000 "$(jq '[.[] | select(.key | startswith("VAR_"))] | length' <<<"$out")" "variables in para env"
	[ "$ms" -lt 3000 ] || fail "para env took $ms ms for 100k lines"
	before=$(disk_snapshot)
	t0=$(date +%s%N)
	expect_rc 4 "$PARA" start -c big -p go
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	assert_one_line "$out"
	assert_contains "$out" "the container's environment is"
	[ "$ms" -lt 3000 ] || fail "refusing took $ms ms"
	assert_eq "$before" "$(disk_snapshot)" "disk after a refused start"
	[ -z "$(repo_containers)" ] || fail "container created"
	seq 1 20000 | sed 's/.*/VAR_&=value_&/' >.env
	t0=$(date +%s%N)
	expect_rc 0 "$PARA" start -c big -p go
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	[ "$ms" -lt 20000 ] || fail "start -c took $ms ms for 20k lines"
	assert_line "$(cat .para/worktrees/big/agent-env.txt)" "VAR_20000=value_20000"
	assert_line "$(cat .para/worktrees/big/agent-env.txt)" "VAR_1=value_1"
	expect_rc 0 "$PARA" cancel -f big
}

# A prompt longer than one argument can be is refused before anything exists.
test_prompt_over_the_argument_limit_is_refused_first() {
	mkrepo
	set_agent '["true"]' arg
	head -c 200000 /dev/zero | tr '\0' p >"$TEST_TMP/prompt.txt"
	before=$(disk_snapshot)
	expect_rc 2 "$PARA" start x -f "$TEST_TMP/prompt.txt"
	assert_one_line "$out"
	assert_contains "$out" "the prompt is 200000 bytes"
	assert_contains "$out" "agent.prompt"
	assert_eq "$before" "$(disk_snapshot)" "disk after a refused start"
	# through stdin it is fine
	set_agent '["sh", "-c", "wc -c >got.txt"]' stdin
	expect_rc 0 "$PARA" start y -f "$TEST_TMP/prompt.txt"
	assert_eq 200000 "$(tr -d ' ' <.para/worktrees/y/got.txt)"
	expect_rc 0 "$PARA" cancel -f y
}

# --help is para's only where para reads options: not as an option's value,
# not among the words of a command or a prompt.
test_help_words_in_values_are_not_para_help() {
	mkrepo
	set_agent '["sh", "-c", "printf %s \"$1\" >got.txt", "agent"]' arg
	expect_rc 0 "$PARA" start h1 -p --help
	assert_eq "--help" "$(cat .para/worktrees/h1/got.txt)" "the prompt the agent got"
	run "$PARA" exec h1 -- printf '%s\n' --help
	assert_eq "--help" "$out" "exec with --"
	run "$PARA" exec h1 printf '%s\n' -h
	assert_eq "-h" "$out" "exec without --"
	expect_rc 0 "$PARA" dispatch h2 explain --help
	assert_eq "explain --help" "$(cat .para/worktrees/h2/got.txt)" "dispatch prompt words"
	# and where para reads options it is help
	expect_rc 0 "$PARA" start --help
	assert_contains "$out" "usage: para start"
	expect_rc 0 "$PARA" exec --help
	assert_contains "$out" "usage: para exec"
	# after the session's name the words are the command's
	run "$PARA" exec h1 --help
	assert_contains "$out" "cannot run '--help'"
	expect_rc 0 "$PARA" clean -n --help
	assert_contains "$out" "usage: para clean"
	[ ! -e .para/worktrees/--help ] || fail "a session named --help"
}

# Out-of-range numbers are usage errors (a signed overflow before).
test_clean_archived_out_of_range() {
	mkrepo
	expect_rc 2 "$PARA" clean --archived 999999999999999999
	assert_one_line "$out"
	expect_rc 2 "$PARA" clean --archived 99999999999999999999999
	assert_one_line "$out"
}

# A failed build leaves no intermediate container behind.
test_failed_build_leaves_no_container() {
	need_engine
	need_image "$BUSYBOX_IMAGE"
	mkrepo
	mkdir -p .para
	# the failing step names this run, so its container is told from any other
	marker="para-failed-step-$$-$RANDOM"
	printf 'FROM %s\nRUN echo one >/one\nRUN echo %s && exit 3\n' "$BUSYBOX_IMAGE" "$marker" >.para/Dockerfile
	echo '{"agent": {"command": ["true"]}}' >.para/config.json
	git add -A && git commit -q -m "failing build"
	trust_repo
	expect_rc 1 "$PARA" start -c fb --detach
	assert_contains "$out" "$marker"
	left=$("$DOCKER" ps -a --no-trunc --format '{{.ID}} {{.Command}}' | grep -F "$marker")
	[ -z "$left" ] && return 0
	"$DOCKER" rm -f "${left%% *}" >/dev/null 2>&1
	fail "the failed step's container was left: $left"
}

# .dockerignore work is bounded: a big ordinary file is fast, an absurd one
# is refused at once with a clear message.
test_dockerignore_work_is_bounded() {
	need_engine
	need_image "$BUSYBOX_IMAGE"
	mkrepo
	mkdir -p .para/ctx
	printf 'FROM %s\n' "$BUSYBOX_IMAGE" >.para/Dockerfile
	echo '{"agent": {"command": ["true"]}}' >.para/config.json
	for i in $(seq 300); do echo "$i" >".para/ctx/file-$i"; done
	git add -A && git commit -q -m ctx
	trust_repo
	python3 -c "print(('[a-z]' * 13000 + '\n') * 2, end='')" >.para/.dockerignore
	expect_rc 0 "$PARA" image build
	# the image is there now: what is left is hashing the context, patterns and all
	t0=$(date +%s%N)
	expect_rc 0 "$PARA" image build
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	assert_contains "$out" "up to date"
	[ "$ms" -lt 5000 ] || fail "two long patterns over 300 files took $ms ms (115 s before)"
	python3 -c "print(('[a-z]' * 13000 + '\n') * 100, end='')" >.para/.dockerignore
	t0=$(date +%s%N)
	expect_rc 4 "$PARA" image build
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	assert_one_line "$out"
	assert_contains "$out" ".dockerignore': line 81: the patterns are too complex"
	[ "$ms" -lt 5000 ] || fail "refusing took $ms ms"
	"$DOCKER" rmi -f $("$DOCKER" image ls -q --filter "label=dev.para.repo=$REPO") >/dev/null 2>&1
	return 0
}
