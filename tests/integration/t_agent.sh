# The agent in a container session gets what it would get on the host:
# a terminal when there is one, piped input when there is some, nothing
# otherwise; and a signal to para reaches it there, para waits for it and
# exits with its status (never 0 after an interrupt).

# A container session whose agent is tests' agent.sh (written by each test).
agent_repo() {
	need_engine
	need_image "$BUSYBOX_IMAGE"
	mkrepo
	mkdir -p .para
	cat >.para/config.json <<JSON
{ "agent": { "command": ["sh", "/workspace/agent.sh"] },
  "docker": { "default_image": "$BUSYBOX_IMAGE" } }
JSON
	git add -A && git commit -q -m config
	trust_repo
	CLEAN_REPOS+=("$REPO")
	expect_rc 0 "$PARA" start -c s --detach
}

# agent.sh in the session's worktree (it is /workspace/agent.sh in there)
write_agent() { cat >.para/worktrees/s/agent.sh; }

agent_still_running() { "$PARA" exec s ps 2>/dev/null | grep -v grep | grep -q "agent.sh"; }

test_piped_stdin_reaches_exec_and_shell() {
	agent_repo
	run bash -c "printf 'echo from-shell\nexit 3\n' | '$PARA' shell s"
	assert_eq 3 "$rc" "shell exit status: $out"
	assert_contains "$out" "from-shell"
	run bash -c "echo hello | '$PARA' exec s cat"
	assert_eq 0 "$rc" "exec: $out"
	assert_eq hello "$out"
	# a file on stdin is data too; /dev/null is nothing (no -i)
	echo "from-file" >"$TEST_TMP/in.txt"
	run "$PARA" exec s cat <"$TEST_TMP/in.txt"
	assert_eq from-file "$out"
	run "$PARA" exec s sh -c 'cat; echo done' </dev/null
	assert_eq done "$out"
}

# SIGTERM, SIGINT and SIGHUP to para (no terminal) reach the agent in the
# container; para waits for it and exits with its status.
test_signals_to_para_reach_the_agent() {
	agent_repo
	write_agent <<'SH'
trap 'echo "got $SIG" >>/workspace/got.txt; exit 7' TERM INT HUP
while :; do sleep 0.1; done
SH
	for sig in TERM INT HUP; do
		"$PARA" resume s </dev/null >"$TEST_TMP/out.txt" 2>&1 &
		pid=$!
		for _ in $(seq 50); do agent_still_running && break; sleep 0.1; done
		agent_still_running || fail "the agent never ran: $(cat "$TEST_TMP/out.txt")"
		kill -"$sig" $pid
		wait $pid
		rc=$?
		assert_eq 7 "$rc" "para's status after SIG$sig (the agent's): $(cat "$TEST_TMP/out.txt")"
		agent_still_running && fail "the agent still runs after SIG$sig"
	done
	assert_eq 3 "$(wc -l <.para/worktrees/s/got.txt)" "signals the agent got"
	# an agent that exits 0 when interrupted: para does not report success
	write_agent <<'SH'
trap 'exit 0' INT
while :; do sleep 0.1; done
SH
	"$PARA" resume s </dev/null >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 50); do agent_still_running && break; sleep 0.1; done
	kill -INT $pid
	wait $pid
	assert_eq 130 "$?" "para's status when the interrupted agent exits 0"
	# one that ignores signals: the third one kills it
	write_agent <<'SH'
trap '' INT TERM
while :; do sleep 0.1; done
SH
	"$PARA" exec s sh /workspace/agent.sh </dev/null >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 50); do agent_still_running && break; sleep 0.1; done
	for _ in 1 2 3; do kill -TERM $pid; sleep 0.5; done
	wait $pid
	assert_eq 137 "$?" "status after three signals"
	agent_still_running && fail "the agent survived three signals"
	return 0
}

# A terminal on stdin gives the agent one (-it), even with stdout piped; a
# Ctrl-C there reaches the agent, and para exits with its status.
test_terminal_stdin_with_piped_stdout() {
	command -v script >/dev/null || { echo "    SKIP: no script(1)" >&2; exit 77; }
	agent_repo
	write_agent <<'SH'
trap 'echo interrupted >>/workspace/got.txt; exit 5' INT
[ -t 0 ] && echo "stdin is a terminal" >/workspace/tty.txt
while :; do sleep 0.1; done
SH
	(sleep 3; printf '\003'; sleep 5) |
		SHELL=/bin/sh script -qec "{ '$PARA' resume s; echo \$? >'$TEST_TMP/rc'; } | cat" /dev/null >"$TEST_TMP/out.txt" 2>&1
	rc=$(cat "$TEST_TMP/rc" 2>/dev/null)
	assert_eq 5 "$rc" "status of 'para resume | cat' after a Ctrl-C: $(cat "$TEST_TMP/out.txt")"
	assert_eq "stdin is a terminal" "$(cat .para/worktrees/s/tty.txt 2>/dev/null)"
	assert_eq interrupted "$(cat .para/worktrees/s/got.txt 2>/dev/null)"
	agent_still_running && fail "the agent still runs after Ctrl-C"
	return 0
}

# A host session's agent that exits 0 when interrupted: para does not report
# success either.
test_host_agent_interrupted_is_not_success() {
	mkrepo
	set_agent '["sh", "-c", "trap \"exit 0\" INT TERM; : >started; while :; do sleep 0.1; done", "agent"]' arg
	"$PARA" start h -p go </dev/null >"$TEST_TMP/out.txt" 2>&1 &
	pid=$!
	for _ in $(seq 50); do [ -e .para/worktrees/h/started ] && break; sleep 0.1; done
	[ -e .para/worktrees/h/started ] || fail "the agent never ran: $(cat "$TEST_TMP/out.txt")"
	kill -TERM $pid
	wait $pid
	assert_eq 143 "$?" "para's status when the interrupted agent exits 0"
}

# The pid file the signal relay reads lives in the container, where the agent
# can rewrite it. A hostile one that puts shell text there gets it read as
# data (a quoted argument to kill, run in the container as the session's
# user): nothing runs, on the host or in there. All it spoils is its own
# signal path (the container is removed here).
test_hostile_pid_file_runs_nothing() {
	agent_repo
	write_agent <<'SH'
trap '' INT TERM
while :; do
	for f in /tmp/.para-exec-*; do
		printf '%s\n' '1; touch /workspace/pwned-by-pidfile $(touch /workspace/pwned-subst)' >"$f"
	done
	sleep 0.1
done
SH
	"$PARA" exec s sh /workspace/agent.sh </dev/null >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 50); do agent_still_running && break; sleep 0.1; done
	sleep 0.5 # the agent has rewritten the pid file
	for _ in 1 2 3; do kill -TERM $pid; sleep 0.5; done
	for _ in $(seq 20); do kill -0 $pid 2>/dev/null || break; sleep 0.5; done
	kill -KILL $pid 2>/dev/null
	wait $pid
	assert_no_file .para/worktrees/s/pwned-by-pidfile
	assert_no_file .para/worktrees/s/pwned-subst
	assert_no_file "$REPO/pwned-by-pidfile"
	"$DOCKER" rm -f "$(jq -r .container.name .para/state/s.json)" >/dev/null 2>&1
	return 0
}
