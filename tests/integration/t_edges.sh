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
