# Safety edges found in review: work that an archive cannot hold, renames git
# refuses late, and starts that died in any phase.

safety_repo() {
	mkrepo
	set_agent '["true"]'
}

test_cancel_refuses_nested_repository() {
	safety_repo
	expect_rc 0 "$PARA" start --detach s1
	(cd .para/worktrees/s1 && git init -q sub && cd sub && echo a >a && git add a &&
		git -c user.email=a@b -c user.name=n commit -qm a && echo dirty >b) || fail "nested repo setup"
	before=$(disk_snapshot)
	expect_rc 1 "$PARA" cancel -f s1
	assert_one_line "$out"
	assert_contains "$out" "'sub'"
	assert_eq "$before" "$(disk_snapshot)" "disk after the refused cancel"
	assert_eq dirty "$(cat .para/worktrees/s1/sub/b)"
	# clean must not lose it either
	mv .para/state/s1.json "$TEST_TMP/s1.json"
	run "$PARA" clean
	assert_file .para/worktrees/s1/sub/b
	mv "$TEST_TMP/s1.json" .para/state/s1.json
	rm -rf .para/worktrees/s1/sub
	expect_rc 0 "$PARA" cancel -f s1
}

test_finish_rename_refused_late_keeps_session() {
	safety_repo
	git branch master
	expect_rc 0 "$PARA" start --detach f1
	echo work >.para/worktrees/f1/w.txt
	# a valid name that git still cannot create (master is a branch, not a folder)
	expect_rc 1 "$PARA" finish "msg" f1 -b master/foo
	assert_one_line "$out"
	assert_file .para/worktrees/f1/w.txt
	assert_file .para/state/f1.json
	# the commit happened and the session is intact: finish again works
	expect_rc 0 "$PARA" finish "msg" f1 -b feature/ok
	assert_eq msg "$(git log -1 --format=%s feature/ok)"
	assert_no_file .para/worktrees/f1
}

test_clean_removes_sessions_that_died_in_any_phase() {
	safety_repo
	for phase in building starting; do
		expect_rc 0 "$PARA" start --detach "d-$phase"
		jq --arg p "$phase" '.phase = $p | .pid = 999999' ".para/state/d-$phase.json" >"$TEST_TMP/s.json"
		mv "$TEST_TMP/s.json" ".para/state/d-$phase.json"
	done
	run "$PARA" list --json
	assert_eq "error error" "$(jq -r '[.[] | .container_state] | join(" ")' <<<"$out")" "dead starts show as errors"
	expect_rc 0 "$PARA" clean
	assert_contains "$out" "remove the unfinished session 'd-building'"
	assert_no_file .para/state/d-building.json
	assert_no_file .para/worktrees/d-starting
	run "$PARA" list -q
	assert_eq "" "$out"
}

test_recover_keeps_archive_until_session_saved() {
	safety_repo
	expect_rc 0 "$PARA" start --detach r1
	echo keep >.para/worktrees/r1/k.txt
	expect_rc 0 "$PARA" cancel -f r1
	ref=$(git for-each-ref --format='%(refname)' 'refs/heads/para/archived/')
	# make saving the recovered session fail: the state folder is read-only
	[ "$(id -u)" != 0 ] || { chattr +i .para/state 2>/dev/null || { echo "    SKIP: cannot make the state dir read-only as root" >&2; exit 77; }; }
	[ "$(id -u)" = 0 ] || chmod a-w .para/state
	run "$PARA" recover r1
	chattr -i .para/state 2>/dev/null; chmod u+w .para/state
	[ "$rc" != 0 ] || fail "recover succeeded with a read-only state dir"
	git rev-parse -q --verify "$ref" >/dev/null || fail "the archive was dropped although recover failed"
	expect_rc 0 "$PARA" recover r1
	assert_eq keep "$(cat .para/worktrees/r1/k.txt)"
	git rev-parse -q --verify "$ref" >/dev/null && fail "archive kept after a successful recover"
	expect_rc 0 "$PARA" cancel -f r1
}
