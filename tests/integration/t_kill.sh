# kill -9 (0-400 ms in) at random moments of start -c, finish, cancel and recover; then
# list, clean, and the same command again. Every file the test wrote into a
# worktree must still be in a worktree, on a branch or in an archive, and the
# command run again finishes the job or says what it will not do.

kill_repo() {
	need_engine
	need_image "$BUSYBOX_IMAGE"
	mkrepo
	mkdir -p "$XDG_CONFIG_HOME/para"
	printf '{"agent": {"command": ["true"]}, "docker": {"default_image": "%s"}}\n' "$BUSYBOX_IMAGE" \
		>"$XDG_CONFIG_HOME/para/config.json"
	CLEAN_REPOS+=("$REPO")
	WRITTEN=()
	KILLED=0
}

# Run para in the background and kill -9 it after a random 0-180 ms (a
# start, finish or cancel of a container session takes about 150-300 ms).
kill_at_random() {
	"$PARA" "$@" >/dev/null 2>&1 </dev/null &
	local pid=$!
	sleep "$(printf '0.%03d' $((RANDOM % 180)))"
	kill -9 "$pid" 2>/dev/null && KILLED=$((KILLED + 1))
	wait "$pid" 2>/dev/null
	return 0
}

# A file with unique content in session $1's worktree.
write_work() {
	local c="work-$1-$RANDOM$RANDOM"
	echo "$c" >"$REPO/.para/worktrees/$1/$c.txt" || fail "cannot write into $1"
	WRITTEN+=("$c")
}

# Every file written is in a worktree, or in the tree of some ref's tip.
check_nothing_lost() { # round
	local tips c
	tips=$(git -C "$REPO" for-each-ref --format='%(objectname)')
	for c in "${WRITTEN[@]}"; do
		[ -n "$(find "$REPO/.para/worktrees" -name "$c.txt" 2>/dev/null | head -1)" ] && continue
		# shellcheck disable=SC2086
		[ -n "$(git -C "$REPO" grep -l -F "$c" $tips -- "$c.txt" 2>/dev/null | head -1)" ] && continue
		fail "round $1: '$c.txt' is in no worktree, branch or archive"
	done
}

# The command run again: done, or a one-line reason it will not.
rerun() { # round what-is-acceptable... -- command...
	local round=$1 ok=()
	shift
	while [ "$1" != "--" ]; do ok+=("$1"); shift; done
	shift
	run "$PARA" "$@" </dev/null
	[ "$rc" = 0 ] && { echo "round $round: re-run done"; return 0; }
	echo "round $round: re-run: $out"
	local o
	for o in "${ok[@]}"; do
		case "$out" in *"$o"*) assert_one_line "$(grep -v '^para: warning' <<<"$out" | grep -v '^para: [a-z].*; it was rolled back')"; return 0 ;; esac
	done
	fail "round $round: 'para $*' again exited $rc: $out"
}

test_kill9_at_random_moments_loses_nothing() {
	kill_repo
	local i cmd n
	for i in $(seq 1 50); do
		n="k$i"
		case $((i % 4)) in
		0)
			kill_at_random start -c --detach "$n"
			;;
		1)
			expect_rc 0 "$PARA" start -c --detach "$n"
			write_work "$n"
			kill_at_random finish "msg $i" "$n"
			;;
		2)
			expect_rc 0 "$PARA" start -c --detach "$n"
			write_work "$n"
			kill_at_random cancel -f "$n"
			;;
		3)
			expect_rc 0 "$PARA" start -c --detach "$n"
			write_work "$n"
			expect_rc 0 "$PARA" cancel -f "$n"
			kill_at_random recover "$n"
			;;
		esac
		check_nothing_lost "$i (after the kill)"
		run "$PARA" list
		[ "$rc" = 0 ] || fail "round $i: list after the kill: $out"
		run "$PARA" clean
		[ "$rc" = 0 ] || fail "round $i: clean after the kill: $out"
		check_nothing_lost "$i (after clean)"
		case $((i % 4)) in
		0) rerun "$i" "already exists" -- start -c --detach "$n" ;;
		1) rerun "$i" "no session named '$n'" "no sessions" "is missing" -- finish "msg $i" "$n" ;;
		2) rerun "$i" "no session named '$n'" "no sessions" -- cancel -f "$n" ;;
		3) rerun "$i" "exists already" "no archived session named '$n'" -- recover "$n" ;;
		esac
		check_nothing_lost "$i (after the re-run)"
		# tidy up: no session is left for the next round
		if [ -f "$REPO/.para/state/$n.json" ]; then
			run "$PARA" cancel -f "$n" </dev/null
			[ "$rc" = 0 ] || fail "round $i: final cancel: $out"
		fi
		check_nothing_lost "$i (at the end)"
	done
	expect_rc 0 "$PARA" clean --containers
	[ -z "$(repo_containers)" ] || fail "containers left: $(repo_containers)"
	# the kills must have hit running commands, or this tested nothing
	echo "killed mid-way: $KILLED of 50"
	[ "$KILLED" -ge 25 ] || fail "only $KILLED of 50 kills hit a running para"
}
