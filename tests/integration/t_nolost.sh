# No path loses work, rolls back what para did not make, or reports a dead
# session as ready. Each test_* names the case it covers.

# The agent and the image come from the user's config: no project file.
nl_repo() {
	mkrepo "${1:-$TEST_TMP/repo}"
	mkdir -p "$XDG_CONFIG_HOME/para"
	printf '{"agent": {"command": ["true"]}, "docker": {"default_image": "%s"}}\n' "$DEBIAN_IMAGE" \
		>"$XDG_CONFIG_HOME/para/config.json"
	CLEAN_REPOS+=("$REPO")
}

wt() { echo "$REPO/.para/worktrees/$1"; }
archive_of() { git -C "$REPO" for-each-ref --format='%(refname)' "refs/heads/para/archived/*/$1" | tail -1; }
# Is commit $1 reachable from ref $2?
reaches() { git -C "$REPO" merge-base --is-ancestor "$1" "$2"; }

# 1. A detached HEAD: cancel keeps its commits, finish refuses.
test_detached_head_cancel_keeps_commits_finish_refuses() {
	nl_repo
	expect_rc 0 "$PARA" start --detach d
	(cd "$(wt d)" && echo one >a && git add a && git commit -qm one && echo two >b && git add b &&
		git commit -qm two && git checkout -q --detach HEAD~1) || fail setup
	lost=$(git rev-parse para/d)
	before=$(disk_snapshot)
	expect_rc 1 "$PARA" finish "msg" d
	assert_one_line "$out"
	assert_contains "$out" "not on its branch"
	assert_eq "$before" "$(disk_snapshot)" "disk after the refused finish"
	# commit three on the detached HEAD, then go back to the branch and reset it away
	(cd "$(wt d)" && echo three >c && git add c && git commit -qm three) || fail setup
	detached=$(git -C "$(wt d)" rev-parse HEAD)
	expect_rc 0 "$PARA" cancel -f d
	a=$(archive_of d)
	reaches "$lost" "$a" || fail "the branch's commit is not in the archive"
	reaches "$detached" "$a" || fail "the detached HEAD's commit is not in the archive"
	# recover brings HEAD's line back and keeps the archive that holds the rest
	expect_rc 0 "$PARA" recover d
	assert_contains "$out" "is kept"
	assert_eq "$detached" "$(git rev-parse para/d)" "recovered branch = the HEAD the session was at"
	reaches "$lost" "$a" || fail "archive dropped though it holds commits"
	expect_rc 0 "$PARA" cancel -f d
}

test_reset_away_commits_are_archived() {
	nl_repo
	expect_rc 0 "$PARA" start --detach r
	(cd "$(wt r)" && echo one >a && git add a && git commit -qm one && git reset -q --hard HEAD~1) || fail setup
	gone=$(git -C "$(wt r)" rev-parse HEAD@{1})
	expect_rc 0 "$PARA" cancel -f r
	reaches "$gone" "$(archive_of r)" || fail "a commit reached in the reflog is lost"
}

test_container_detached_head_and_reset_are_archived() {
	need_engine
	need_image "$DEBIAN_IMAGE"
	nl_repo
	expect_rc 0 "$PARA" start -c --detach cd
	expect_rc 0 "$PARA" exec cd -- sh -c 'echo a >a && git add a && git commit -qm a && echo b >b && git add b &&
		git commit -qm b && git reset -q --hard HEAD~1 && git checkout -q --detach && echo c >c && git add c &&
		git commit -qm c && git rev-parse HEAD HEAD@{2}'
	detached=$(sed -n 1p <<<"$out")
	expect_rc 1 "$PARA" finish "msg" cd
	assert_contains "$out" "in the container"
	expect_rc 0 "$PARA" cancel -f cd
	a=$(archive_of cd)
	reaches "$detached" "$a" || fail "the container's detached HEAD is lost"
	[ "$(git -C "$REPO" log --format=%s "$a" | grep -c '^b$')" = 1 ] || fail "the commit reset away in the container is lost"
	[ -z "$(git for-each-ref refs/para/keep/)" ] || fail "temporary refs left behind"
}

# 2. Nested repositories and initialised submodules: refused, nothing changed.
test_nested_repo_and_submodule_refused_by_cancel_and_finish() {
	nl_repo
	mkrepo "$TEST_TMP/subrepo"
	cd "$TEST_TMP/repo" && REPO=$(pwd -P)
	expect_rc 0 "$PARA" start --detach n
	(cd "$(wt n)" && git init -q inner && echo x >inner/x && git -C inner add x &&
		git -C inner -c user.email=a@b -c user.name=a commit -qm x && git add inner && git commit -qm "gitlink") ||
		fail setup
	before=$(disk_snapshot)
	expect_rc 1 "$PARA" cancel -f n
	assert_one_line "$out"
	assert_contains "$out" "'inner'"
	expect_rc 1 "$PARA" finish "m" n
	assert_one_line "$out"
	assert_contains "$out" "'inner'"
	assert_eq "$before" "$(disk_snapshot)" "disk after the refusals"
	assert_eq x "$(cat "$(wt n)/inner/x")"
	rm -rf "$(wt n)/inner"
	expect_rc 0 "$PARA" cancel -f n
	# an initialised submodule
	expect_rc 0 "$PARA" start --detach m
	(cd "$(wt m)" && git -c protocol.file.allow=always submodule add -q "$TEST_TMP/subrepo" sm &&
		git commit -qm sub && echo local >sm/local) || fail "submodule setup"
	before=$(disk_snapshot)
	expect_rc 1 "$PARA" cancel -f m
	assert_contains "$out" "'sm'"
	expect_rc 1 "$PARA" finish "m" m
	assert_contains "$out" "'sm'"
	assert_eq "$before" "$(disk_snapshot)" "disk after the refusals"
	assert_file "$(wt m)/sm/local"
}

# 3. clean never deletes a branch that is not para's.
test_clean_leaves_user_branch_worktree_alone() {
	nl_repo
	mkdir -p .para/worktrees
	git worktree add -q -b feature .para/worktrees/mine HEAD
	echo work >.para/worktrees/mine/w
	expect_rc 0 "$PARA" clean
	assert_contains "$out" "not para's"
	git rev-parse --verify -q refs/heads/feature >/dev/null || fail "clean deleted the user's branch"
	assert_file .para/worktrees/mine/w
	[ -z "$(git for-each-ref refs/heads/para/archived/)" ] || fail "clean archived the user's worktree"
}

# 4. A rollback removes no container this start did not create.
test_rollback_keeps_a_container_it_did_not_make() {
	need_engine
	need_image "$BUSYBOX_IMAGE"
	nl_repo
	name=$(jq -r .container.name <<<"$("$PARA" start -c x --dry-run --json --docker-image "$BUSYBOX_IMAGE" 2>/dev/null)")
	[ -n "$name" ] && [ "$name" != null ] || fail "no container name in the dry run"
	"$DOCKER" run -d --name "$name" --label "dev.para.test-run=$TEST_RUN_ID" --entrypoint sh "$BUSYBOX_IMAGE" \
		-c 'sleep 600' >/dev/null || fail "docker run"
	id=$("$DOCKER" inspect -f '{{.Id}}' "$name")
	expect_rc 1 "$PARA" start -c --detach x --docker-image "$BUSYBOX_IMAGE"
	assert_eq "$id" "$("$DOCKER" inspect -f '{{.Id}}' "$name" 2>/dev/null)" "the user's container"
	assert_no_file .para/state/x.json
	"$DOCKER" rm -f "$name" >/dev/null
}

# 5. finish and cancel race: exactly one wins.
test_finish_cancel_race_one_wins() {
	nl_repo
	for i in $(seq 1 20); do
		expect_rc 0 "$PARA" start --detach "r$i"
		echo "work $i" >"$(wt "r$i")/w"
		"$PARA" finish "m" "r$i" >"$TEST_TMP/f.out" 2>&1 &
		fp=$!
		"$PARA" cancel -f "r$i" >"$TEST_TMP/c.out" 2>&1 &
		cp=$!
		wait $fp
		frc=$?
		wait $cp
		crc=$?
		[ $((frc == 0)) -ne $((crc == 0)) ] ||
			fail "round $i: finish=$frc cancel=$crc: $(cat "$TEST_TMP/f.out" "$TEST_TMP/c.out")"
		loser=$([ $frc = 0 ] && cat "$TEST_TMP/c.out" || cat "$TEST_TMP/f.out")
		assert_one_line "$loser"
		case "$loser" in
		*"is being changed by another para"* | *"no session named 'r$i'"*) ;;
		*) fail "round $i: loser said: $loser" ;;
		esac
		if [ $frc = 0 ]; then
			assert_eq "work $i" "$(git show "para/r$i:w")" "finished work"
		else
			assert_eq "work $i" "$(git show "$(archive_of "r$i"):w")" "archived work"
		fi
		assert_no_file ".para/state/r$i.json"
	done
}

# 6. From a linked worktree, start branches from that worktree's HEAD.
test_start_from_linked_worktree_uses_its_head() {
	nl_repo
	git worktree add -q -b side "$TEST_TMP/side" HEAD
	(cd "$TEST_TMP/side" && echo s >s && git add s && git commit -qm side) || fail setup
	echo dirty >>README.md # the main checkout is dirty; the side worktree is not
	cd "$TEST_TMP/side" || fail cd
	expect_rc 0 "$PARA" start --detach fromside
	assert_eq "$(git -C "$TEST_TMP/side" rev-parse HEAD)" "$(git -C "$REPO" rev-parse para/fromside)" "start point"
	echo x >>s
	expect_rc 1 "$PARA" start --detach dirtyside
	assert_contains "$out" "$TEST_TMP/side"
	cd "$REPO" && git checkout -q README.md
}

# 7. A container that dies at once is not "ready".
test_container_that_dies_at_once_is_not_ready() {
	need_engine
	need_image "$BUSYBOX_IMAGE"
	nl_repo
	printf 'PATH=/nonexistent\n' >.env
	before=$(disk_snapshot)
	expect_rc 1 "$PARA" start -c --detach dies --docker-image "$BUSYBOX_IMAGE"
	assert_not_contains "$out" "ready"
	assert_contains "$out" "stopped as soon as it started"
	assert_contains "$out" "exec sh failed"
	assert_no_file .para/state/dies.json
	[ -z "$(repo_containers)" ] || fail "container left behind"
	rm .env
}

# 8. Re-creating a vanished container runs the start path's image checks.
test_recreate_applies_image_policy_and_pull_never() {
	need_engine
	need_image "$BUSYBOX_IMAGE"
	nl_repo
	"$DOCKER" tag "$BUSYBOX_IMAGE" "para-test-gone:$TEST_RUN_ID"
	expect_rc 0 "$PARA" start -c --detach g --docker-image "para-test-gone:$TEST_RUN_ID"
	c=$(jq -r .container.name .para/state/g.json)
	"$DOCKER" rm -f "$c" >/dev/null
	"$DOCKER" rmi "para-test-gone:$TEST_RUN_ID" >/dev/null
	printf '{"agent": {"command": ["true"]}, "docker": {"pull": "never"}}\n' >"$XDG_CONFIG_HOME/para/config.json"
	expect_rc 1 "$PARA" exec g -- true
	assert_contains "$out" "docker.pull is \"never\""
	printf '{"agent": {"command": ["true"]}, "docker": {"allowed_images": ["other/*"]}}\n' \
		>"$XDG_CONFIG_HOME/para/config.json"
	"$DOCKER" tag "$BUSYBOX_IMAGE" "para-test-gone:$TEST_RUN_ID"
	expect_rc 1 "$PARA" exec g -- true
	assert_contains "$out" "not in docker.allowed_images"
	[ -z "$(repo_containers)" ] || fail "a container was made"
	printf '{"agent": {"command": ["true"]}}\n' >"$XDG_CONFIG_HOME/para/config.json"
	expect_rc 0 "$PARA" exec g -- true
	expect_rc 0 "$PARA" cancel -f g
	"$DOCKER" rmi "para-test-gone:$TEST_RUN_ID" >/dev/null
}

# 11. A cancel killed after the branch went is completed by running it again;
# a killed cancel's index is swept by clean.
test_killed_cancel_runs_again_to_the_end() {
	nl_repo
	expect_rc 0 "$PARA" start --detach k
	echo precious >"$(wt k)/p"
	# what a cancel killed after deleting the branch leaves: state with its
	# archive recorded, the archive, no branch, no worktree
	a=refs/heads/para/archived/20260101T000000Z/k
	wip=$(cd "$(wt k)" && git add -A && git commit -qm wip && git rev-parse HEAD)
	git update-ref "$a" "$wip"
	jq --arg a "$a" '.archive = $a | .phase = "cancelling"' .para/state/k.json >k.json && mv k.json .para/state/k.json
	git worktree remove --force "$(wt k)"
	git branch -D para/k >/dev/null
	touch ".para/state/k.archive-index.$(dead_pid)"
	expect_rc 0 "$PARA" list
	expect_rc 0 "$PARA" clean
	assert_contains "$out" "run 'para cancel k' again"
	[ -z "$(ls .para/state | grep archive-index)" ] || fail "killed cancel's index not swept"
	expect_rc 0 "$PARA" cancel -f k
	assert_contains "$out" "para/archived/20260101T000000Z/k"
	assert_no_file .para/state/k.json
	assert_eq precious "$(git show "$a:p")"
}

# The moment the kill -9 test found: the archive written, the worktree
# removed, the branch not yet deleted. Run again, the archive keeps the work.
test_killed_cancel_after_worktree_removal_keeps_archive() {
	nl_repo
	expect_rc 0 "$PARA" start --detach k2
	echo precious >"$(wt k2)/p"
	a=refs/heads/para/archived/20260101T000000Z/k2
	wip=$(cd "$(wt k2)" && git add -A && git commit -qm wip && git rev-parse HEAD && git reset -q HEAD~1)
	git update-ref "$a" "$wip"
	jq --arg a "$a" '.archive = $a | .phase = "cancelling"' .para/state/k2.json >k.json && mv k.json .para/state/k2.json
	git worktree remove --force "$(wt k2)"
	expect_rc 0 "$PARA" cancel -f k2
	assert_eq precious "$(git show "$a:p")" "archived file"
	git rev-parse --verify -q refs/heads/para/k2 >/dev/null && fail "branch left"
	assert_no_file .para/state/k2.json
}

# A clean session's cancel removes the worktree first (git refuses when
# anything is uncommitted), then makes the archive and deletes the branch in
# one transaction. Killed in between, it left: state with its archive
# recorded, no worktree, the branch, no archive. clean leaves it to cancel,
# and cancel run again archives the branch under the recorded name.
test_killed_clean_cancel_between_worktree_removal_and_archive() {
	nl_repo
	expect_rc 0 "$PARA" start --detach k3
	(cd "$(wt k3)" && echo kept >kept.txt && git add kept.txt && git commit -qm kept) || fail setup
	local c a=refs/heads/para/archived/20260101T000000Z/k3
	c=$(git rev-parse para/k3)
	jq --arg a "$a" '.archive = $a | .phase = "cancelling"' .para/state/k3.json >k.json && mv k.json .para/state/k3.json
	git worktree remove "$(wt k3)" || fail "the worktree is not clean"
	expect_rc 0 "$PARA" list
	expect_rc 0 "$PARA" clean
	assert_contains "$out" "run 'para cancel k3' again"
	assert_eq "$c" "$(git rev-parse para/k3)" "branch after clean"
	expect_rc 0 "$PARA" cancel -f k3
	assert_contains "$out" "para/archived/20260101T000000Z/k3"
	assert_eq "$c" "$(git rev-parse "$a")" "archive"
	git rev-parse --verify -q refs/heads/para/k3 >/dev/null && fail "branch left"
	assert_no_file .para/state/k3.json
	expect_rc 0 "$PARA" recover k3
	assert_eq kept "$(cat "$(wt k3)/kept.txt")" "recovered file"
}

# The archive transaction refused after the worktree went (here: a broken ref
# holds the recorded archive name): cancel fails, the branch still holds every
# commit, and once the name is free cancel run again finishes.
test_refused_archive_transaction_keeps_the_branch() {
	nl_repo
	expect_rc 0 "$PARA" start --detach k4
	(cd "$(wt k4)" && echo kept >kept.txt && git add kept.txt && git commit -qm kept) || fail setup
	local c a=refs/heads/para/archived/20260101T000000Z/k4
	c=$(git rev-parse para/k4)
	jq --arg a "$a" '.archive = $a | .phase = "cancelling"' .para/state/k4.json >k.json && mv k.json .para/state/k4.json
	mkdir -p "$(dirname ".git/$a")" && echo 0123456789012345678901234567890123456789 >".git/$a"
	expect_rc 1 "$PARA" cancel -f k4
	assert_contains "$out" "nothing is lost"
	assert_eq "$c" "$(git rev-parse para/k4)" "branch after the refused cancel"
	assert_file .para/state/k4.json
	git update-ref -d "$a" || fail "cannot delete the broken ref"
	expect_rc 0 "$PARA" cancel -f k4
	assert_eq "$c" "$(git rev-parse "$a")" "archive"
	git rev-parse --verify -q refs/heads/para/k4 >/dev/null && fail "branch left"
	assert_no_file .para/state/k4.json
}

# Run again after the worktree went, cancel finds something at the recorded
# archive name that does not hold the branch (not this session's archive):
# both are kept, in a new archive commit there.
test_killed_cancel_recorded_name_holding_other_work_keeps_both() {
	nl_repo
	expect_rc 0 "$PARA" start --detach k5
	(cd "$(wt k5)" && echo mine >mine.txt && git add mine.txt && git commit -qm mine) || fail setup
	echo other >other.txt && git add other.txt && git commit -qm other
	local c o a=refs/heads/para/archived/20260101T000000Z/k5
	c=$(git rev-parse para/k5)
	o=$(git rev-parse HEAD)
	git update-ref "$a" "$o"
	jq --arg a "$a" '.archive = $a | .phase = "cancelling"' .para/state/k5.json >k.json && mv k.json .para/state/k5.json
	git worktree remove "$(wt k5)" || fail "the worktree is not clean"
	expect_rc 0 "$PARA" cancel -f k5
	reaches "$c" "$a" || fail "the branch's commit is lost"
	reaches "$o" "$a" || fail "what the archive held is lost"
	git rev-parse --verify -q refs/heads/para/k5 >/dev/null && fail "branch left"
	assert_no_file .para/state/k5.json
}

# The worktree's HEAD detached at a commit no reflog records (reflogs off):
# only HEAD reaches it, and the archive must too.
test_detached_commit_without_reflogs_is_archived() {
	nl_repo
	git config core.logAllRefUpdates false
	expect_rc 0 "$PARA" start --detach nr
	(cd "$(wt nr)" && git checkout -q --detach && echo d >d && git add d && git commit -qm detached) || fail setup
	local d
	d=$(git -C "$(wt nr)" rev-parse HEAD)
	[ -z "$(git -C "$(wt nr)" status --porcelain)" ] || fail "the worktree is not clean"
	expect_rc 0 "$PARA" cancel -f nr
	reaches "$d" "$(archive_of nr)" || fail "the detached HEAD's commit is lost"
}

dead_pid() {
	sh -c 'exit 0' &
	local p=$!
	wait "$p"
	echo "$p"
}

# A start killed after its agent committed in the container (the kill -9 test
# found it): clean brings the commit back and archives it with the session's
# changes, instead of waiting forever on the lock it holds itself.
test_clean_of_a_dead_start_with_agent_commits_does_not_hang() {
	need_engine
	need_image "$DEBIAN_IMAGE"
	nl_repo
	expect_rc 0 "$PARA" start -c --detach dz
	cname=$(jq -r .container.name .para/state/dz.json)
	# straight through the engine: para has not brought this commit back yet
	commit=$(docker exec -w /workspace "$cname" sh -c 'echo a >a && git add a && git commit -qm agent &&
		git rev-parse HEAD') || fail "no commit in the container"
	echo wip >"$(wt dz)/w"
	jq --argjson p "$(dead_pid)" '.phase = "creating" | .pid = $p' .para/state/dz.json >s.json &&
		mv s.json .para/state/dz.json
	run timeout 60 "$PARA" clean
	[ "$rc" != 124 ] || fail "para clean hung"
	assert_eq 0 "$rc" "clean: $out"
	a=$(archive_of dz)
	[ -n "$a" ] || fail "no archive: $out"
	reaches "$commit" "$a" || fail "the agent's commit is lost"
	assert_eq wip "$(git show "$a:w")"
	assert_no_file .para/state/dz.json
}

# A start killed after its worktree was made (empty: it is checked out while
# the container starts) and before that checkout: the worktree holds nothing
# of anyone's, so it counts no changes, clean removes the dead start as one
# with no work, and a cancel archives its HEAD, not a commit deleting every
# file.
test_worktree_never_checked_out_holds_no_work() {
	need_engine
	need_image "$DEBIAN_IMAGE"
	nl_repo
	echo keep >kept.txt && git add kept.txt && git commit -qm kept
	local base n
	base=$(git rev-parse HEAD)
	expect_rc 0 "$PARA" start -c --detach ds
	expect_rc 0 "$PARA" start -c --detach dc
	for n in ds dc; do # where such a start left it: no files, no index
		find "$(wt $n)" -mindepth 1 -maxdepth 1 ! -name .git -exec rm -rf {} +
		rm "$(sed 's/^gitdir: //' "$(wt $n)/.git")/index" || fail "no index to remove"
	done
	assert_eq '{"dc":0,"ds":0}' "$("$PARA" list --json | jq -S -c 'map({(.name): .changes}) | add')" "changes"
	jq --argjson p "$(dead_pid)" '.phase = "starting" | .pid = $p' .para/state/ds.json >s.json &&
		mv s.json .para/state/ds.json
	run "$PARA" clean
	assert_eq 0 "$rc" "clean: $out"
	assert_contains "$out" "'ds'"
	assert_not_contains "$out" "it has changes"
	assert_no_file .para/state/ds.json
	assert_eq "" "$(archive_of ds)" "an archive of the dead start"
	expect_rc 0 "$PARA" cancel -f dc
	a=$(archive_of dc)
	[ -n "$a" ] || fail "no archive of dc: $out"
	assert_eq "$base" "$(git rev-parse "$a")" "dc's archive is its HEAD"
	assert_eq keep "$(git show "$a:kept.txt")"
	assert_eq "$base" "$(git rev-parse main)" "main"
}
