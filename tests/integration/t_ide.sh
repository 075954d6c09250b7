# para open and start --ide: the IDE (ide.command) on a session, launched
# detached. The IDE is a recording script: what it was given is what a real
# editor would have been given.

# make_ide PATH [SLEEP]: an executable at PATH that records, in $IDE_REC, its
# argv (one a line), its cwd, its stdin, its session id and its pid, then
# sleeps SLEEP seconds as that pid. The argv file is written last.
IDE_REC=
make_ide() {
	IDE_REC=$TEST_TMP/ide-rec
	mkdir -p "$(dirname "$1")"
	cat >"$1" <<EOF
#!/bin/sh
d='$IDE_REC'
mkdir -p "\$d"
pwd -P >"\$d/cwd"
readlink /proc/self/fd/0 >"\$d/stdin"
cut -d')' -f2 /proc/\$\$/stat | awk '{print \$4}' >"\$d/sid"
echo \$\$ >"\$d/pid"
for a in "\$@"; do printf '%s\n' "\$a"; done >"\$d/argv.tmp"
mv "\$d/argv.tmp" "\$d/argv"
exec sleep ${2:-0}
EOF
	chmod +x "$1"
}

# The user's ide.command (the user's config needs no trust).
set_ide() { # command-string
	mkdir -p "$XDG_CONFIG_HOME/para"
	jq -n --arg c "$1" '{ide: {command: $c}}' >"$XDG_CONFIG_HOME/para/config.json"
}

# A repo (cd into it) whose user config runs the recording IDE.
ide_repo() { # [repo-dir]
	mkrepo "${1:-$TEST_TMP/repo}"
	make_ide "$TEST_TMP/bin/ide"
	set_ide "$TEST_TMP/bin/ide"
}

# Wait for the IDE's record (it runs detached) and print its argv.
ide_argv() {
	local i
	for i in $(seq 100); do
		[ -e "$IDE_REC/argv" ] && { cat "$IDE_REC/argv"; return 0; }
		sleep 0.05
	done
	fail "the IDE was not launched (no $IDE_REC/argv)"
}

ide_reset() { rm -rf "$IDE_REC"; }

# The IDE ran nowhere: a refused command launches nothing (given a moment).
assert_ide_not_launched() {
	sleep 1
	assert_no_file "$IDE_REC/argv"
}

cname() { jq -r .container.name "$REPO/.para/state/$1.json"; }

# The container a folder URI names: vscode-remote://attached-container+HEX/workspace
uri_json() { # uri
	local hex=${1#vscode-remote://attached-container+}
	[ "$hex" != "$1" ] || fail "not an attached-container URI: $1"
	hex=${hex%/workspace}
	case "$hex" in *[!0-9a-f]*) fail "not lowercase hex: $hex" ;; esac
	printf '%s' "$hex" | xxd -r -p
}

container_ide_repo() {
	need_engine
	need_image "$BUSYBOX_IMAGE"
	ide_repo
	mkdir -p .para
	printf '{"agent": {"command": ["true"]}, "docker": {"default_image": "%s"}}\n' "$BUSYBOX_IMAGE" >.para/config.json
	git add -A && git commit -q -m "config"
	trust_repo
	CLEAN_REPOS+=("$REPO")
}

# ---------------------------------------------------------------- the argv

test_open_host_session_gets_the_worktree() {
	ide_repo
	expect_rc 0 "$PARA" start --detach s
	wt=$REPO/.para/worktrees/s
	expect_rc 0 "$PARA" open s
	assert_eq "$wt" "$(ide_argv)" "argv of the IDE"
	assert_eq "$wt" "$(cat "$IDE_REC/cwd")" "cwd of the IDE"
	assert_contains "$out" "para: opened 's' in $TEST_TMP/bin/ide"
	assert_file "$REPO/.para/logs/ide-s.log"
	# without a name: the only session; and from inside its worktree
	ide_reset
	expect_rc 0 "$PARA" open
	assert_eq "$wt" "$(ide_argv)" "argv of 'para open' (the only session)"
	expect_rc 0 "$PARA" start --detach t
	ide_reset
	(cd "$REPO/.para/worktrees/t/" && "$PARA" open -q) || fail "para open inside worktree t"
	assert_eq "$REPO/.para/worktrees/t" "$(ide_argv)" "argv of 'para open' inside worktree t"
	# -q: nothing on stdout or stderr
	ide_reset
	run "$PARA" open -q s
	assert_eq "0:" "$rc:$out" "para open -q"
	ide_argv >/dev/null
	# nothing para tracks changed: the log is in .para/logs (ignored)
	assert_eq "" "$(git status --porcelain)" "git status of the checkout"
}

test_open_container_session_attaches_to_its_container() {
	container_ide_repo
	expect_rc 0 "$PARA" start -c --detach box
	c=$(cname box)
	"$DOCKER" stop -t 0 "$c" >/dev/null || fail "docker stop"
	expect_rc 0 "$PARA" open box
	argv=$(ide_argv)
	assert_eq 2 "$(printf '%s\n' "$argv" | wc -l)" "argc of the IDE: $argv"
	assert_eq "--folder-uri" "$(sed -n 1p <<<"$argv")" "argv[1]"
	uri=$(sed -n 2p <<<"$argv")
	case "$uri" in vscode-remote://attached-container+*/workspace) ;; *) fail "folder URI: $uri" ;; esac
	assert_eq "{\"containerName\":\"/$c\"}" "$(uri_json "$uri")" "the JSON in the URI"
	assert_eq "$(cname box)" "$(jq -r .containerName <<<"$(uri_json "$uri")" | cut -c2-)" "container named"
	assert_eq "$REPO/.para/worktrees/box" "$(cat "$IDE_REC/cwd")" "cwd of the IDE"
	# the stopped container was started before the IDE was launched
	assert_eq running "$("$DOCKER" inspect -f '{{.State.Status}}' "$c")" "container state after open"
	assert_contains "$out" "starting container '$c'"
	# an engine that does not answer: exit 3, and no IDE
	ide_reset
	expect_rc 3 env DOCKER_HOST=unix://$TEST_TMP/no-engine.sock "$PARA" open box
	assert_one_line "$out"
	assert_ide_not_launched
	expect_rc 0 "$PARA" cancel -f box
}

test_start_ide_launches_the_ide() {
	ide_repo
	# --detach: the session, then the IDE
	expect_rc 0 "$PARA" start --ide --detach s
	assert_eq "$REPO/.para/worktrees/s" "$(ide_argv)" "argv after start --ide --detach"
	assert_contains "$out" "session 's' ready"
	assert_contains "$out" "para: opened 's'"
	# with the agent: the IDE opens, and the agent runs in the foreground
	ide_reset
	mkdir -p "$XDG_CONFIG_HOME/para"
	jq -n --arg c "$TEST_TMP/bin/ide" --arg a "$AGENTS/record.sh" \
		'{ide: {command: $c}, agent: {command: [$a]}}' >"$XDG_CONFIG_HOME/para/config.json"
	expect_rc 0 "$PARA" start --ide a -p "do it"
	assert_eq "$REPO/.para/worktrees/a" "$(ide_argv)" "argv after start --ide"
	assert_contains "$(cat "$REPO/.para/worktrees/a/agent-ran.txt")" "arg=do it"
	# dispatch shares start's options
	ide_reset
	expect_rc 0 "$PARA" dispatch --ide --detach d "some prompt"
	assert_eq "$REPO/.para/worktrees/d" "$(ide_argv)" "argv after dispatch --ide"
}

test_start_ide_container_session() {
	container_ide_repo
	expect_rc 0 "$PARA" start -c --ide --detach box
	argv=$(ide_argv)
	assert_eq "--folder-uri" "$(sed -n 1p <<<"$argv")" "argv[1]"
	assert_eq "{\"containerName\":\"/$(cname box)\"}" "$(uri_json "$(sed -n 2p <<<"$argv")")" "the JSON in the URI"
	assert_eq 2 "$(printf '%s\n' "$argv" | wc -l)" "argc of the IDE"
	expect_rc 0 "$PARA" cancel -f box
}

test_ide_command_with_spaces() {
	mkrepo "$TEST_TMP/my repo"
	make_ide "$TEST_TMP/my tools/the ide"
	set_ide "'$TEST_TMP/my tools/the ide' --profile \"two words\" -n"
	expect_rc 0 "$PARA" start --detach s
	expect_rc 0 "$PARA" open s
	assert_eq "--profile
two words
-n
$REPO/.para/worktrees/s" "$(ide_argv)" "argv of the IDE"
	# no expansion at all: $HOME stays as written
	ide_reset
	set_ide "'$TEST_TMP/my tools/the ide' \$HOME"
	expect_rc 0 "$PARA" open s
	assert_eq "\$HOME
$REPO/.para/worktrees/s" "$(ide_argv)" "argv with \$HOME"
}

# ---------------------------------------------------------------- failures

test_no_ide_configured() {
	mkrepo
	make_ide "$TEST_TMP/bin/ide"
	expect_rc 0 "$PARA" start --detach s
	# the default is no IDE at all
	expect_rc 0 "$PARA" config show --json
	assert_eq null "$(jq -c .ide.command <<<"$out")" "default ide.command"
	expect_rc 4 "$PARA" open s
	assert_eq "para: error: no IDE configured; set ide.command (e.g. code, cursor)" "$out"
	# an empty one is none too
	set_ide "  "
	expect_rc 4 "$PARA" open s
	assert_eq "para: error: no IDE configured; set ide.command (e.g. code, cursor)" "$out"
	# one that does not split: the config's error
	set_ide "'$TEST_TMP/bin/ide"
	expect_rc 4 "$PARA" open s
	assert_one_line "$out"
	assert_contains "$out" "para: error: ide.command: unbalanced '"
	# start --ide without one creates nothing
	set_ide ""
	before=$(disk_snapshot)
	expect_rc 4 "$PARA" start --ide --detach t
	assert_eq "para: error: no IDE configured; set ide.command (e.g. code, cursor)" "$out"
	assert_eq "$before" "$(disk_snapshot)" "the repo after a refused start --ide"
	assert_ide_not_launched
}

test_ide_command_not_found() {
	ide_repo
	expect_rc 0 "$PARA" start --detach s
	set_ide "no-such-ide-$$ --new-window"
	expect_rc 1 "$PARA" open s
	assert_eq "para: error: IDE command 'no-such-ide-$$' not found; install it, or set ide.command" "$out"
	set_ide "$TEST_TMP/nowhere/ide"
	expect_rc 1 "$PARA" open s
	assert_eq "para: error: IDE command '$TEST_TMP/nowhere/ide' not found; install it, or set ide.command" "$out"
	# a file that is not executable cannot be run either
	touch "$TEST_TMP/plain"
	set_ide "$TEST_TMP/plain"
	expect_rc 1 "$PARA" open s
	assert_one_line "$out"
	# start --ide checks it before anything is made
	before=$(disk_snapshot)
	set_ide "no-such-ide-$$"
	expect_rc 1 "$PARA" start --ide --detach t
	assert_one_line "$out"
	assert_contains "$out" "IDE command 'no-such-ide-$$' not found"
	assert_eq "$before" "$(disk_snapshot)" "the repo after a refused start --ide"
	assert_ide_not_launched
}

test_open_unknown_session_and_usage() {
	ide_repo
	expect_rc 1 "$PARA" open nope
	assert_eq "para: error: no session named 'nope'; 'para list' shows the sessions of this repository" "$out"
	expect_rc 1 "$PARA" open
	assert_one_line "$out"
	assert_contains "$out" "no sessions in this repository"
	expect_rc 0 "$PARA" start --detach a
	expect_rc 0 "$PARA" start --detach b
	expect_rc 2 "$PARA" open
	assert_contains "$out" "2 sessions exist; say which one"
	expect_rc 2 "$PARA" open a b
	assert_eq "para open: too many arguments (see 'para open --help')" "$out"
	expect_rc 2 "$PARA" open --bogus
	assert_one_line "$out"
	expect_rc 2 "$PARA" open ../x
	assert_one_line "$out"
	expect_rc 0 "$PARA" open --help
	assert_contains "$out" "usage: para open [NAME]"
	assert_ide_not_launched
}

test_untrusted_project_ide_command_refused() {
	ide_repo
	expect_rc 0 "$PARA" start --detach s
	# the user's IDE is fine; a project's own is a program run on the host
	make_ide "$REPO/.para/ide.sh"
	printf '{"ide": {"command": ".para/ide.sh"}}\n' >.para/config.json
	git add -f .para/config.json .para/ide.sh && git commit -q -m "the project's IDE"
	expect_rc 4 "$PARA" open s
	assert_one_line "$out"
	assert_contains "$out" "para: error: .para/config.json"
	assert_contains "$out" "ide.command"
	assert_contains "$out" "run 'para trust'"
	before=$(disk_snapshot)
	expect_rc 4 "$PARA" start --ide --detach t
	assert_contains "$out" "ide.command"
	assert_eq "$before" "$(disk_snapshot)" "the repo after a refused start --ide"
	assert_ide_not_launched
	# trusted: it runs
	printf '{"ide": {"command": "%s/.para/ide.sh --from-project"}}\n' "$REPO" >.para/config.json
	git commit -qam "absolute"
	expect_rc 4 "$PARA" open s
	trust_repo
	expect_rc 0 "$PARA" open s
	assert_eq "--from-project
$REPO/.para/worktrees/s" "$(ide_argv)" "argv of the trusted project's IDE"
	# null in the project needs no trust: it only takes the IDE away
	printf '{"ide": {"command": null}}\n' >.para/config.json
	git commit -qam "none"
	expect_rc 4 "$PARA" open s
	assert_eq "para: error: no IDE configured; set ide.command (e.g. code, cursor)" "$out"
}

# ---------------------------------------------------------------- detached

test_open_does_not_wait_for_the_ide() {
	mkrepo
	make_ide "$TEST_TMP/bin/ide" 30
	set_ide "$TEST_TMP/bin/ide"
	expect_rc 0 "$PARA" start --detach s
	t0=$(date +%s%N)
	# $(…) waits for every holder of the pipe: the IDE must not keep it
	run "$PARA" open s
	t1=$(date +%s%N)
	assert_eq 0 "$rc" "para open: $out"
	ide_argv >/dev/null
	pid=$(cat "$IDE_REC/pid")
	kill -0 "$pid" 2>/dev/null || fail "the IDE is not running"
	ms=$(((t1 - t0) / 1000000))
	[ "$ms" -lt 2000 ] || fail "para open took $ms ms with an IDE that runs 30 s"
	# detached: stdin /dev/null, a session of its own, not para's child
	assert_eq /dev/null "$(cat "$IDE_REC/stdin")" "the IDE's stdin"
	mysid=$(cut -d')' -f2 /proc/$$/stat | awk '{print $4}')
	[ "$(cat "$IDE_REC/sid")" != "$mysid" ] || fail "the IDE is in the caller's session"
	ppid=$(cut -d')' -f2 "/proc/$pid/stat" | awk '{print $2}')
	[ "$ppid" != "$$" ] || fail "the IDE is the test shell's child"
	# start --ide --detach returns at once too
	ide_reset
	t0=$(date +%s%N)
	run "$PARA" start --ide --detach t
	t1=$(date +%s%N)
	assert_eq 0 "$rc" "start --ide: $out"
	ms=$(((t1 - t0) / 1000000))
	[ "$ms" -lt 4000 ] || fail "start --ide --detach took $ms ms"
	ide_argv >/dev/null
	pid2=$(cat "$IDE_REC/pid")
	kill "$pid" "$pid2" 2>/dev/null
}
