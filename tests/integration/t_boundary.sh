# The git boundary: an agent in a container changes its worktree and its own
# session branch, nothing else, and nothing it writes runs on the host.

# A repo with a Debian image (git inside) as the default, set in the user's
# config so no project file is involved.
boundary_repo() {
	need_engine
	need_image "$DEBIAN_IMAGE"
	mkrepo "${1:-$TEST_TMP/repo}"
	mkdir -p "$XDG_CONFIG_HOME/para"
	printf '{"docker": {"default_image": "%s"}}\n' "$DEBIAN_IMAGE" >"$XDG_CONFIG_HOME/para/config.json"
	CLEAN_REPOS+=("$REPO")
}

# The refs the test's user does not move, and the repository's config, hooks
# and info files.
host_git_fingerprint() {
	(
		cd "$REPO" || exit 1
		git for-each-ref --format='%(refname) %(objectname)' | grep -Ev '^refs/heads/(para/|main |user-branch )'
		find .git/config .git/hooks .git/info -type f | LC_ALL=C sort | xargs sha256sum
	)
}

# Every way the agent could leave a program for the host's git to run; each
# payload touches a marker named after its vector in $MARKS (a host folder
# the container cannot see: a marker means the host ran it).
plant_vectors() { # session
	"$PARA" exec "$1" -- env M="$MARKS" REPO="$REPO" sh -c '
		set -e
		cd /workspace
		gd=$(git rev-parse --git-dir)
		p() { printf "touch %s/%s; false" "$M" "$1"; }
		# the agent s own work first (its hostile config below would break its own git)
		echo agent >agent-commit.txt
		git add agent-commit.txt && git commit -qm "agent work"
		# a nested repository with its own hostile config, committed as a gitlink
		git init -q sub && git -C sub config core.fsmonitor "$(p nested-fsmonitor)"
		echo s >sub/s && git -C sub add s && git -C sub -c user.name=a -c user.email=a@b commit -qm sub
		git add sub && git commit -qm "nested"
		# other branches: loose and packed
		git update-ref refs/heads/main HEAD
		git update-ref refs/heads/other HEAD
		printf "%s refs/heads/main\n" "$(git rev-parse HEAD)" >>"$gd/packed-refs"
		git config core.fsmonitor "$(p fsmonitor)"
		git config core.pager "$(p pager)"
		git config core.editor "$(p editor)"
		git config core.sshCommand "$(p ssh)"
		git config core.askPass "$(p askpass)"
		git config alias.st "!$(p alias)"
		git config credential.helper "!$(p credential)"
		git config filter.x.clean "$(p filter-clean)"
		git config filter.x.smudge "$(p filter-smudge)"
		git config filter.x.process "$(p filter-process)"
		git config diff.x.textconv "$(p textconv)"
		git config diff.external "$(p diff-external)"
		git config merge.x.driver "$(p merge-driver)"
		mkdir -p "$gd/info" "$gd/hooks" /workspace/hooks
		printf "* filter=x diff=x merge=x\n" >"$gd/info/attributes"
		printf "[core]\n\tfsmonitor = %s\n" "$(p include)" >/workspace/evil.cfg
		git config include.path /workspace/evil.cfg
		git config "includeIf.gitdir:/.path" /workspace/evil.cfg
		git config extensions.worktreeConfig true
		printf "[core]\n\tfsmonitor = %s\n" "$(p worktree-config)" >"$gd/config.worktree"
		for h in post-checkout pre-commit post-commit reference-transaction post-index-change pre-auto-gc \
			commit-msg prepare-commit-msg post-rewrite pre-push post-merge; do
			printf "#!/bin/sh\ntouch %s/hook-%s\n" "$M" "$h" >"$gd/hooks/$h"
			printf "#!/bin/sh\ntouch %s/hookspath-%s\n" "$M" "$h" >"/workspace/hooks/$h"
			chmod +x "$gd/hooks/$h" "/workspace/hooks/$h"
		done
		git config core.hooksPath /workspace/hooks
		printf "*\n" >"$gd/info/exclude"
		echo untracked >hidden-by-exclude.txt
		set +e
		# the host paths: the repository git directory and the worktree .git file
		mkdir -p "$REPO/.git/hooks" 2>/dev/null &&
			printf "#!/bin/sh\ntouch %s/hostpath-hook\n" "$M" >"$REPO/.git/hooks/post-checkout" 2>/dev/null &&
			chmod +x "$REPO/.git/hooks/post-checkout" 2>/dev/null
		printf "[core]\n\tfsmonitor = %s\n" "$(p hostpath-config)" >>"$REPO/.git/config" 2>/dev/null
		printf "gitdir: /workspace/evilgit\n" >/workspace/.git 2>/dev/null && echo "DOTGIT-WRITABLE"
		true
	'
}


test_boundary_vectors_run_nothing_on_the_host() {
	boundary_repo
	MARKS=$TEST_TMP/marks
	mkdir -p "$MARKS"
	main_before=$(git rev-parse main)
	expect_rc 0 "$PARA" start -c --detach s
	dotgit_before=$(cat .para/worktrees/s/.git)
	fp_before=$(host_git_fingerprint)
	run plant_vectors s
	assert_eq 0 "$rc" "planting: $out"
	assert_not_contains "$out" "DOTGIT-WRITABLE"
	cat .para/worktrees/s/.git >"$TEST_TMP/dotgit"
	# para's own commands, and the user's own git in the main checkout
	expect_rc 0 "$PARA" list
	assert_contains "$out" "para/s"
	assert_eq "agent" "$(git show para/s:agent-commit.txt)" "the agent's commit is on its branch"
	expect_rc 0 "$PARA" status s
	# the agent's exclude file hides nothing from the host
	assert_contains "$out" "changes:    1"
	# counted in para's own process (libgit2) over all of the above, and
	# still nothing of the agent's ran
	run "$PARA" list -v
	assert_eq 0 "$rc" "list -v: $out"
	assert_not_contains "$out" "git status of"
	expect_rc 0 "$PARA" start --detach other
	git status >/dev/null
	echo change >>README.md
	git add README.md
	git commit -qm "user commit"
	git checkout -q -b user-branch && git checkout -q main
	main_after_user=$(git rev-parse main)
	assert_eq "$main_before" "$(git rev-parse main~1)" "main moved only by the user's own commit"
	# cancel refuses a nested repository (an archive would lose its files)
	expect_rc 1 "$PARA" cancel -f s
	assert_contains "$out" "'sub'"
	rm -rf .para/worktrees/s/sub
	expect_rc 0 "$PARA" cancel -f s
	archive=$(git for-each-ref --format='%(refname)' refs/heads/para/archived/)
	[ -n "$archive" ] || fail "no archive ref"
	git checkout -q --detach "$archive" && git checkout -q main
	git status >/dev/null
	expect_rc 0 "$PARA" cancel -f other
	left=$(ls -A "$MARKS")
	[ -z "$left" ] || fail "the host ran programs the container planted: $left"
	assert_eq "$main_after_user" "$(git rev-parse main)" "main"
	assert_no_file .git/refs/heads/other
	git rev-parse --verify -q refs/heads/other >/dev/null && fail "the agent created a branch on the host"
	assert_eq "$dotgit_before" "$(cat "$TEST_TMP/dotgit")" "the worktree's .git file as the host saw it"
	# the agent's commit reached its own branch, nothing else moved
	assert_eq "agent" "$(git show "$archive":agent-commit.txt)" "agent's commit archived"
	assert_eq "untracked" "$(git show "$archive":hidden-by-exclude.txt)" "file hidden by the agent's exclude archived"
	assert_eq "$fp_before" "$(host_git_fingerprint)" "the repository's git files and other refs"
}

test_boundary_container_sees_no_host_git_dir() {
	boundary_repo
	expect_rc 0 "$PARA" start -c --detach s
	run "$PARA" exec s -- cat "$REPO/.git/config"
	[ "$rc" != 0 ] || fail "the container can read the repository's git config: $out"
	run "$PARA" exec s -- sh -c "touch $REPO/.git/objects/x"
	[ "$rc" != 0 ] || fail "the container can write the repository's objects"
	run "$PARA" exec s -- sh -c 'echo x >/workspace/.git'
	[ "$rc" != 0 ] || fail "the container can rewrite the worktree's .git file"
	insp=$("$DOCKER" inspect "$(jq -r .container.name .para/state/s.json)")
	rw=$(jq -r '.[0].Mounts[] | select(.RW and .Type == "bind") | .Source' <<<"$insp" | LC_ALL=C sort | tr '\n' ' ')
	assert_eq "$REPO/.para/git/s $REPO/.para/worktrees/s " "$rw" "read-write bind mounts"
	# besides them, only the home volume (docker.home_volume) is writable
	vols=$(jq -r '.[0].Mounts[] | select(.RW and .Type != "bind") | "\(.Type) \(.Destination)"' <<<"$insp" | tr '\n' ' ')
	assert_eq "volume /home/para " "$vols" "read-write mounts that are not binds"
	expect_rc 0 "$PARA" cancel -f s
	assert_no_file .para/git/s
	assert_no_file .para/git/s.link
}

ugit() { as_fixture_user git "$@"; }

test_boundary_agent_workflows_as_host_uid() {
	need_engine
	need_image "$DEBIAN_IMAGE"
	fixture_user_repo
	printf '{"docker": {"default_image": "%s"}}\n' "$DEBIAN_IMAGE" >"$TEST_TMP/u4711/.config/para/config.json"
	chown 4711:4711 "$TEST_TMP/u4711/.config/para/config.json"
	run as_fixture_user "$PARA" start -c --detach w
	assert_eq 0 "$rc" "start: $out"
	run as_fixture_user "$PARA" exec w -- sh -c '
		set -e
		[ "$(id -u)" = 4711 ]
		echo a >a.txt && git add a.txt && git commit -qm "add a"
		echo b >>a.txt && git commit -q --amend -am "add a, amended"
		echo c >c.txt && git add c.txt && git commit -qm "fixup! add a, amended"
		GIT_SEQUENCE_EDITOR=: git rebase -q -i --autosquash main
		git log --format=%s main..HEAD
		echo tmp >a.txt && git stash -q && [ "$(cat a.txt)" = "a
b" ] && git stash pop -q
		git status --porcelain'
	assert_eq 0 "$rc" "inside: $out"
	assert_eq "add a, amended
 M a.txt" "$out" "the agent's history and status inside"
	# seen from the host: one rebased commit on main, the stash popped back
	run as_fixture_user "$PARA" list
	assert_eq 0 "$rc" "list: $out"
	assert_eq "add a, amended" "$(ugit log --format=%s main..para/w)" "session branch on the host"
	assert_eq "$(ugit rev-parse main)" "$(ugit rev-parse para/w~1)" "rebased onto the base"
	assert_eq "a
b" "$(ugit show para/w:a.txt)" "amended content"
	assert_eq "c" "$(ugit show para/w:c.txt)" "fixup squashed in"
	assert_eq "tmp" "$(cat .para/worktrees/w/a.txt)" "stash popped in the worktree"
	assert_eq " M a.txt" "$(ugit -C .para/worktrees/w status --porcelain)" "host view of the worktree"
	run as_fixture_user "$PARA" finish "finish it" w
	assert_eq 0 "$rc" "finish: $out"
	assert_eq "finish it
add a, amended" "$(ugit log --format=%s main..para/w)" "finished branch"
	assert_eq "tmp" "$(ugit show para/w:a.txt)" "uncommitted change committed by finish"
	[ -z "$(find .git -not -user 4711 | head -1)" ] || fail "files in .git not owned by the user: $(find .git -not -user 4711 | head -3)"
}

test_boundary_branch_moved_on_both_sides_keeps_both() {
	boundary_repo
	expect_rc 0 "$PARA" start -c --detach s
	# the user commits in the worktree on the host, the agent commits inside
	echo host >.para/worktrees/s/host.txt
	git -C .para/worktrees/s add host.txt && git -C .para/worktrees/s commit -qm "host side"
	host_tip=$(git rev-parse para/s)
	expect_rc 1 "$PARA" exec s -- sh -c 'echo agent >agent.txt && git add agent.txt && git commit -qm "agent side"'
	assert_contains "$out" "moved both on the host and in the container"
	assert_one_line "$(grep 'para: error' <<<"$out")"
	assert_eq "$host_tip" "$(git rev-parse para/s)" "the host's commit stays on the branch"
	assert_eq "agent side" "$(git log -1 --format=%s refs/para/sync/s)" "the agent's commit is kept"
	run "$PARA" list
	assert_contains "$out" "refs/para/sync/s"
	# resolved by the user: the host merges the agent's commit, the agent
	# takes the merge
	rm .para/worktrees/s/agent.txt
	git -C .para/worktrees/s merge -q --no-edit refs/para/sync/s
	expect_rc 0 "$PARA" exec s -- git reset -q --hard "$(git rev-parse para/s)"
	expect_rc 0 "$PARA" cancel -f s
	archive=$(git for-each-ref --format='%(refname)' refs/heads/para/archived/)
	assert_eq "agent" "$(git show "$archive":agent.txt)" "agent's work archived"
	assert_eq "host" "$(git show "$archive":host.txt)" "host's work archived"
}

test_boundary_older_session_is_upgraded_on_recreate() {
	boundary_repo
	expect_rc 0 "$PARA" start -c --detach s
	c=$(jq -r .container.name .para/state/s.json)
	# a session saved by an older para: the git directory mounted read-write
	jq --arg g "$REPO/.git" '.container.mounts = [.container.mounts[0], {src: $g, dst: $g, ro: false}] | del(.synced)' \
		.para/state/s.json >s.json && mv s.json .para/state/s.json
	"$DOCKER" rm -f "$c" >/dev/null
	rm -rf .para/git/s .para/git/s.link
	expect_rc 0 "$PARA" exec s -- sh -c 'echo x >x && git add x && git commit -qm "after upgrade" && git rev-parse --git-dir'
	assert_contains "$out" "/para/git"
	rw=$("$DOCKER" inspect "$c" | jq -r '.[0].Mounts[] | select(.RW and .Type == "bind") | .Source' | LC_ALL=C sort | tr '\n' ' ')
	assert_eq "$REPO/.para/git/s $REPO/.para/worktrees/s " "$rw" "read-write bind mounts after re-create"
	assert_eq "after upgrade" "$(git log -1 --format=%s para/s)" "commit brought back"
	expect_rc 0 "$PARA" cancel -f s
}

test_boundary_start_ignores_a_dead_sessions_git_dir() {
	boundary_repo
	# what a session of the same name left behind (its state long gone)
	old=$(git commit-tree -m stale "$(git rev-parse HEAD^{tree})")
	mkdir -p .para/git/s/refs/heads/para
	echo "$old" >.para/git/s/refs/heads/para/s
	expect_rc 0 "$PARA" start -c --detach s
	assert_eq "$(git rev-parse main)" "$(cat .para/git/s/refs/heads/para/s)" "the new session's own tip"
	expect_rc 0 "$PARA" list
	assert_eq "$(git rev-parse main)" "$(git rev-parse para/s)" "branch not moved to the dead session's commit"
	expect_rc 0 "$PARA" cancel -f s
}
