# The README's first command: `make demo` (scripts/demo.sh) runs para's main
# job end to end and leaves the branch it promises.

test_demo_runs_end_to_end() {
	need_engine
	need_image para-demo:latest
	run "$ROOT/scripts/demo.sh" "$TEST_TMP/demo"
	assert_eq 0 "$rc" "scripts/demo.sh: $out"
	cd "$TEST_TMP/demo/repo" || fail "no demo repository"
	REPO=$(pwd -P)
	CLEAN_REPOS+=("$REPO")
	assert_contains "$out" "finished fix-add: branch para/fix-add"
	assert_eq "def add(a, b):
    return a + b" "$(git show para/fix-add:calc.py)" "calc.py on the branch"
	assert_eq "Fixed add(): it subtracted." "$(git show para/fix-add:NOTES.md)"
	assert_eq "Fix add()" "$(git log -1 --format=%s para/fix-add)"
}
