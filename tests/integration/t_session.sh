# Host-mode sessions (no containers): the real para binary against real git.
# Every test asserts what a user would see or lose: files, branches, worktrees,
# exit codes and the one line an error prints.

# ---------------------------------------------------------------- helpers

REC="$AGENTS/record.sh"

# A repo whose committed .para/config.json runs the recording agent.
repo_rec() { # [prompt-mode]
	mkrepo
	set_agent "[\"$REC\"]" "${1:-arg}"
}

# A repo with no .para at all; the agent comes from the user config, so a
# refused command can be checked for not having created .para.
repo_plain() {
	mkrepo
	mkdir -p "$XDG_CONFIG_HOME/para"
	printf '{"agent": {"command": ["%s"], "prompt": "arg"}}\n' "$REC" >"$XDG_CONFIG_HOME/para/config.json"
}

wt_of() { echo "$REPO/.para/worktrees/$1"; }

# The value of KEY=... that record.sh wrote in session NAME.
rec_get() { # name key
	sed -n "s/^$2=//p" "$(wt_of "$1")/agent-ran.txt" | tail -1
}

assert_unchanged() { # before-snapshot what
	local after
	after=$(disk_snapshot)
	[ "$1" = "$after" ] || fail "$2 changed the disk: $(diff <(printf '%s\n' "$1") <(printf '%s\n' "$after") | grep '^[<>]' | head -12 | tr '\n' '|')"
}

# refuse RC CMD...: exits RC with exactly one line that starts with "para",
# and nothing on disk (files, refs, worktrees, status) changed.
refuse() {
	local want=$1 before
	shift
	before=$(disk_snapshot)
	run "$@" </dev/null
	[ "$rc" = "$want" ] || fail "'$*' exited $rc, expected $want; output: $out"
	assert_one_line "$out"
	case "$out" in para*) ;; *) fail "'$*': message does not start with 'para': $out" ;; esac
	assert_unchanged "$before" "'$*'"
}

main_clean() { # the user's checkout shows nothing new or modified
	local s
	s=$(git -C "$REPO" status --porcelain)
	[ -z "$s" ] || fail "main checkout is not clean: $(echo "$s" | tr '\n' '|')"
}

state_names() { # sessions with a state file
	ls "$REPO/.para/state" 2>/dev/null | sed -n 's/\.json$//p'
}

# Every file and symlink under DIR (not .git): type, mode, content hash, path.
tree_listing() {
	(
		cd "$1" || exit 1
		find . -path ./.git -prune -o \( -type f -o -type l \) -print0 | LC_ALL=C sort -z |
			while IFS= read -r -d '' f; do
				if [ -L "$f" ]; then
					printf 'L %s -> %s\n' "$f" "$(readlink "$f")"
				else
					printf 'F %s %s %s\n' "$(stat -c %a "$f")" "$(sha256sum <"$f" | cut -d' ' -f1)" "$f"
				fi
			done
	)
}

git_worktree_count() { git -C "$REPO" worktree list --porcelain | grep -c '^worktree '; }

archive_refs() { git -C "$REPO" for-each-ref --format='%(refname:short)' "refs/heads/para/archived/"; }

dead_pid() {
	sh -c 'exit 0' &
	local p=$!
	wait "$p"
	echo "$p"
}

# ---------------------------------------------------------------- 1. start

test_start_runs_agent_in_worktree() {
	repo_rec
	local head wt
	head=$(git rev-parse HEAD)
	expect_rc 0 "$PARA" start feat -p "fix the login bug" </dev/null
	wt=$(wt_of feat)
	assert_file "$wt/agent-ran.txt"
	assert_eq "$wt" "$(rec_get feat pwd)" "agent's working directory"
	assert_eq "feat" "$(rec_get feat session)" "PARA_SESSION"
	assert_eq "1" "$(rec_get feat argc)" "agent argc"
	assert_eq "fix the login bug" "$(rec_get feat arg)" "last argument (the prompt)"
	assert_eq "para/feat" "$(git -C "$wt" symbolic-ref --short HEAD)" "worktree branch"
	assert_eq "$head" "$(git -C "$wt" rev-parse HEAD)" "session base"
	assert_eq "main" "$(git symbolic-ref --short HEAD)" "main checkout branch"
	assert_file .para/state/feat.json
	assert_eq "feat para/feat ready $wt" "$(jq -r '"\(.name) \(.branch) \(.phase) \(.worktree)"' .para/state/feat.json)" "state file"
	assert_file .para/.gitignore
	grep -qx 'state/' .para/.gitignore || fail ".para/.gitignore does not ignore state/"
	grep -qx 'worktrees/' .para/.gitignore || fail ".para/.gitignore does not ignore worktrees/"
	assert_no_file "$REPO/agent-output.txt"
	main_clean
}

test_start_prompt_from_file() {
	repo_rec
	printf 'first line of the prompt\nsecond line\n' >"$TEST_TMP/prompt.txt"
	expect_rc 0 "$PARA" start fromfile -f "$TEST_TMP/prompt.txt" </dev/null
	local f
	f=$(wt_of fromfile)/agent-ran.txt
	assert_eq "1" "$(rec_get fromfile argc)" "agent argc"
	grep -qx 'arg=first line of the prompt' "$f" || fail "prompt file's first line not passed: $(cat "$f")"
	grep -qx 'second line' "$f" || fail "prompt file's second line not passed: $(cat "$f")"
}

test_start_prompt_from_piped_stdin() {
	repo_rec
	run sh -c 'echo "the piped prompt" | "$0" start piped' "$PARA"
	assert_eq 0 "$rc" "exit code ($out)"
	assert_eq "1" "$(rec_get piped argc)" "agent argc"
	assert_eq "the piped prompt" "$(rec_get piped arg)" "prompt from stdin"
}

test_start_prompt_stdin_mode() {
	repo_rec stdin
	# the agent reads its stdin to EOF: a hang here means para never closed it
	run timeout 10 "$PARA" start viastdin -p "prompt on stdin" </dev/null
	[ "$rc" != 124 ] || fail "agent never saw EOF on its stdin (killed after 10s); output: $out"
	assert_eq 0 "$rc" "exit code ($out)"
	assert_eq "0" "$(rec_get viastdin argc)" "agent argc in stdin mode (prompt must not be an argument)"
	assert_eq "prompt on stdin" "$(rec_get viastdin stdin)" "agent's stdin"
}

test_start_skip_permissions_args() {
	mkrepo
	mkdir -p .para
	printf '{"agent": {"command": ["%s", "--model", "m1"], "skip_permissions_args": ["--yolo", "--no-ask"]}}\n' "$REC" >.para/config.json
	git add .para/config.json && git commit -q -m cfg
	trust_repo
	expect_rc 0 "$PARA" start plain -p "p1" </dev/null
	assert_eq "3" "$(rec_get plain argc)" "argc without -d"
	expect_rc 0 "$PARA" start danger -d -p "p2" </dev/null
	assert_eq "5" "$(rec_get danger argc)" "argc with -d"
	assert_eq "--model m1 --yolo --no-ask p2" "$(sed -n 's/^arg=//p' "$(wt_of danger)/agent-ran.txt" | tr '\n' ' ' | sed 's/ $//')" "argv with -d"
}

test_start_agent_exit_code_is_paras() {
	repo_rec
	AGENT_EXIT=42 expect_rc 42 "$PARA" start failing -p "x" </dev/null
	assert_file "$(wt_of failing)/agent-ran.txt"
	# the session (and its work) stays after the agent fails
	assert_file .para/state/failing.json
	AGENT_EXIT=0 expect_rc 0 "$PARA" start okay -p "x" </dev/null
}

# ---------------------------------------------------------------- 3. names, --detach

test_start_generated_name_and_detach() {
	repo_rec
	expect_rc 0 "$PARA" start --detach </dev/null
	expect_rc 0 "$PARA" start --detach </dev/null
	local names n
	names=$(state_names)
	assert_eq 2 "$(echo "$names" | grep -c .)" "number of sessions ($names)"
	for n in $names; do
		[[ "$n" =~ ^[a-z]+-[a-z]+$ ]] || fail "generated name '$n' is not adjective-noun"
		[[ "$n" =~ ^[a-z0-9][a-z0-9._-]{0,62}$ ]] || fail "generated name '$n' breaks the name rule"
		assert_file "$(wt_of "$n")"
		assert_eq "para/$n" "$(git -C "$(wt_of "$n")" symbolic-ref --short HEAD)" "branch of $n"
		assert_no_file "$(wt_of "$n")/agent-ran.txt"
	done
	expect_rc 0 "$PARA" start named --detach -p "ignored" </dev/null
	assert_file "$(wt_of named)"
	assert_no_file "$(wt_of named)/agent-ran.txt"
}

test_start_name_63_chars_is_valid() {
	repo_plain
	local n
	n=$(printf 'a%.0s' $(seq 63))
	expect_rc 0 "$PARA" start "$n" --detach </dev/null
	assert_file "$(wt_of "$n")"
}

# ---------------------------------------------------------------- 4. dispatch

test_dispatch_name_and_words() {
	repo_rec
	expect_rc 0 "$PARA" dispatch fix-login make the login work </dev/null
	assert_eq "fix-login" "$(rec_get fix-login session)" "session name"
	assert_eq "1" "$(rec_get fix-login argc)" "argc"
	assert_eq "make the login work" "$(rec_get fix-login arg)" "prompt"
}

test_dispatch_quoted_prompt_generates_name() {
	repo_rec
	expect_rc 0 "$PARA" dispatch "a prompt with spaces" </dev/null
	local n
	n=$(state_names)
	[[ "$n" =~ ^[a-z]+-[a-z]+$ ]] || fail "dispatch did not generate an adjective-noun name: '$n'"
	assert_eq "a prompt with spaces" "$(rec_get "$n" arg)" "prompt"
}

test_dispatch_without_prompt_is_usage_error() {
	repo_plain
	refuse 2 "$PARA" dispatch
	assert_no_file .para
}

# ---------------------------------------------------------------- 5. refusals

test_refuse_outside_git_repo() {
	mkdir -p "$TEST_TMP/plain"
	cd "$TEST_TMP/plain" || fail cd
	export GIT_CEILING_DIRECTORIES=$TEST_TMP
	mkdir -p "$XDG_CONFIG_HOME/para"
	printf '{"agent": {"command": ["%s"]}}\n' "$REC" >"$XDG_CONFIG_HOME/para/config.json"
	echo keep >file.txt
	expect_rc 1 "$PARA" start x -p y </dev/null
	assert_one_line "$out"
	assert_contains "$out" "not a git repository"
	assert_eq "./file.txt" "$(find . -mindepth 1)" "directory contents"
}

test_refuse_bare_repo() {
	git init -q --bare "$TEST_TMP/bare.git"
	cd "$TEST_TMP/bare.git" || fail cd
	local before
	before=$(find . | LC_ALL=C sort)
	expect_rc 1 "$PARA" start x -p y </dev/null
	assert_one_line "$out"
	assert_contains "$out" "bare"
	assert_eq "$before" "$(find . | LC_ALL=C sort)" "bare repository contents"
	assert_no_file .para
}

test_refuse_dirty_checkout() {
	repo_plain
	echo "local edit" >>README.md
	refuse 1 "$PARA" start x -p y
	assert_contains "$out" "uncommitted"
	assert_no_file .para
	# staged counts too
	git add README.md
	refuse 1 "$PARA" start x -p y
}

test_untracked_files_do_not_block() {
	repo_plain
	echo scratch >notes.txt
	expect_rc 0 "$PARA" start x -p y </dev/null
	assert_file "$(wt_of x)/agent-ran.txt"
	# the untracked file stays in the main checkout only
	assert_file notes.txt
	assert_no_file "$(wt_of x)/notes.txt"
}

test_allow_dirty_proceeds_without_the_edit() {
	repo_plain
	echo "local edit" >>README.md
	expect_rc 0 "$PARA" start x --allow-dirty -p y </dev/null
	assert_file "$(wt_of x)/agent-ran.txt"
	assert_eq "hello" "$(cat "$(wt_of x)/README.md")" "worktree README (branches from HEAD)"
	assert_eq "$(printf 'hello\nlocal edit')" "$(cat README.md)" "the user's edit"
}

test_refuse_existing_session_name() {
	repo_plain
	expect_rc 0 "$PARA" start taken --detach </dev/null
	echo "work" >"$(wt_of taken)/work.txt"
	refuse 1 "$PARA" start taken -p y
	assert_contains "$out" "already exists"
	assert_eq "work" "$(cat "$(wt_of taken)/work.txt")" "the existing session's work"
}

test_refuse_existing_branch() {
	repo_plain
	git branch para/taken
	refuse 1 "$PARA" start taken -p y
	assert_contains "$out" "para/taken"
	assert_no_file .para
}

test_refuse_existing_branch_with_para_dir() {
	repo_plain
	expect_rc 0 "$PARA" start other --detach </dev/null
	git branch para/taken
	refuse 1 "$PARA" start taken -p y
	assert_contains "$out" "para/taken"
}

# HEAD with no commit: refused before .para is made, and (once .para exists)
# under the lock with nothing new on disk.
test_refuse_repo_without_commit() {
	mkdir -p "$TEST_TMP/empty" && cd "$TEST_TMP/empty" || fail cd
	git init -q -b main .
	REPO=$(pwd -P)
	mkdir -p "$XDG_CONFIG_HOME/para"
	printf '{"agent": {"command": ["%s"], "prompt": "arg"}}\n' "$REC" >"$XDG_CONFIG_HOME/para/config.json"
	refuse 1 "$PARA" start x -p y
	assert_contains "$out" "no commit yet"
	assert_no_file .para
	repo_plain
	expect_rc 0 "$PARA" start other --detach </dev/null
	git checkout -q --orphan unborn
	refuse 1 "$PARA" start x --allow-dirty -p y
	assert_contains "$out" "no commit yet"
	assert_eq "other" "$(state_names)" "sessions"
}

test_refuse_invalid_names() {
	repo_plain
	local long n
	long=$(printf 'a%.0s' $(seq 64))
	for n in Bad a..b "$long" x.lock a/b "" "x y" trailing.; do
		refuse 2 "$PARA" start "$n" -p y
		assert_contains "$out" "a-z, 0-9" "message for name '$n'"
	done
	refuse 2 "$PARA" start -p y -- -x
	assert_contains "$out" "a-z, 0-9" "message for name '-x'"
	refuse 2 "$PARA" start -x -p y
	assert_no_file .para
}

test_refuse_missing_agent_binary() {
	repo_plain
	printf '{"agent": {"command": ["para-test-no-such-agent"]}}\n' >"$XDG_CONFIG_HOME/para/config.json"
	refuse 1 "$PARA" start x -p y
	assert_contains "$out" "para-test-no-such-agent"
	assert_no_file .para
}

test_refuse_unknown_option() {
	repo_plain
	refuse 2 "$PARA" start x --bogus -p y
	assert_contains "$out" "--bogus"
	refuse 2 "$PARA" start x -p
	assert_no_file .para
}

test_refuse_prompt_and_file() {
	repo_plain
	echo "p" >"$TEST_TMP/p.txt"
	refuse 2 "$PARA" start x -p y -f "$TEST_TMP/p.txt"
	assert_no_file .para
}

test_refuse_missing_prompt_file() {
	repo_plain
	refuse 1 "$PARA" start x -f "$TEST_TMP/no-such-prompt.txt"
	assert_contains "$out" "no-such-prompt.txt"
	assert_no_file .para
}

# ---------------------------------------------------------------- 6. race

# Two starts of the same name released at the same instant (both wait on a
# shared flock the test holds exclusively): one wins, one says why, and the
# disk has exactly one of everything. Odd rounds start in a fresh repo so
# the two also race to create .para itself.
test_race_two_starts_same_name() {
	local i n a wins loser_out
	for i in $(seq 1 10); do
		if [ $((i % 2)) = 1 ]; then
			repo_plain_at "$TEST_TMP/race$i"
		fi
		n=race-$i
		: >"$TEST_TMP/gate"
		exec 9>"$TEST_TMP/gate"
		flock -x 9
		for a in 1 2; do
			(
				exec 9>&-
				flock -s "$TEST_TMP/gate" "$PARA" start "$n" -p x --detach </dev/null >"$TEST_TMP/out$a" 2>&1
				echo $? >"$TEST_TMP/rc$a"
			) &
		done
		sleep 0.1
		flock -u 9
		exec 9>&-
		wait
		wins=0
		for a in 1 2; do
			if [ "$(cat "$TEST_TMP/rc$a")" = 0 ]; then
				wins=$((wins + 1))
			else
				loser_out=$(cat "$TEST_TMP/out$a")
			fi
		done
		assert_eq 1 "$wins" "round $i: successful starts ($(cat "$TEST_TMP/out1") / $(cat "$TEST_TMP/out2"))"
		assert_one_line "$loser_out"
		assert_contains "$loser_out" "para: error:"
		assert_file "$REPO/.para/worktrees/$n"
		# nothing extra: one worktree dir, one state file, one git worktree per session
		assert_eq "$(state_names | wc -l)" "$(find "$REPO/.para/worktrees" -mindepth 1 -maxdepth 1 | wc -l)" "round $i: worktree dirs vs sessions"
		assert_eq "$(($(state_names | wc -l) + 1))" "$(git_worktree_count)" "round $i: git worktrees vs sessions"
		assert_eq 1 "$(state_names | grep -cx "$n")" "round $i: state files"
		assert_eq 1 "$(git -C "$REPO" for-each-ref "refs/heads/para/$n" | grep -c .)" "round $i: branches"
		assert_eq 1 "$(git -C "$REPO" worktree list --porcelain | grep -cx "worktree $REPO/.para/worktrees/$n")" "round $i: git worktrees"
		assert_eq ready "$(jq -r .phase "$REPO/.para/state/$n.json")" "round $i: phase of the winner"
		assert_eq "" "$(find "$REPO/.para" -maxdepth 2 -name '*.tmp*')" "round $i: temp files left in .para"
	done
}

repo_plain_at() {
	mkrepo "$1"
	mkdir -p "$XDG_CONFIG_HOME/para"
	printf '{"agent": {"command": ["%s"], "prompt": "arg"}}\n' "$REC" >"$XDG_CONFIG_HOME/para/config.json"
}

# ---------------------------------------------------------------- 7. cancel / recover

# Set up the tracked files the work below changes.
commit_fixture_files() {
	echo "delete me" >keep.txt
	echo "echo tool" >tool.sh
	echo "original doc" >doc.txt
	echo "*.log" >.gitignore
	git add keep.txt tool.sh doc.txt .gitignore
	git commit -q -m "fixture files"
}

# Every kind of change a session can hold.
make_all_kinds_of_work() { # worktree
	(
		cd "$1" || exit 1
		echo "committed on the branch" >committed.txt
		git add committed.txt
		git commit -q -m "work committed on the branch"
		printf 'bin\000\001\002\377\000end\n' >data.bin
		mkdir -p new/deep/dir
		echo "nested" >new/deep/dir/file.txt
		echo "changed doc" >>doc.txt
		rm keep.txt
		chmod 755 tool.sh
		printf '#!/bin/sh\necho run\n' >run.sh
		chmod 755 run.sh
		ln -s doc.txt link-to-doc
		ln -s no/such/target dangling-link
		echo "spaces and unicode" >"my notes – ünïcødé 日本.txt"
		echo "ignored scratch" >scratch.log
	)
}

test_cancel_then_recover_restores_everything() {
	umask 022
	repo_rec
	commit_fixture_files
	expect_rc 0 "$PARA" start work --detach </dev/null
	local wt before_list before_status before_head after_list main_before
	wt=$(wt_of work)
	make_all_kinds_of_work "$wt"
	cp "$wt/data.bin" "$TEST_TMP/data.bin"
	before_list=$(tree_listing "$wt" | grep -v ' \./scratch\.log$')
	before_status=$(git -C "$wt" status --porcelain)
	before_head=$(git -C "$wt" rev-parse HEAD)
	main_before=$(git status --porcelain; git rev-parse HEAD)

	expect_rc 0 "$PARA" cancel work </dev/null
	assert_contains "$out" "para/archived/"
	assert_no_file "$wt"
	assert_no_file .para/state/work.json
	git rev-parse --verify -q refs/heads/para/work >/dev/null && fail "session branch still exists after cancel"
	assert_eq 1 "$(archive_refs | grep -c '/work$')" "archive refs"
	assert_eq "$main_before" "$(git status --porcelain; git rev-parse HEAD)" "main checkout after cancel"

	# between the two, list -a shows the archive, plain list does not
	run "$PARA" list -a
	assert_eq 0 "$rc" "list -a exit"
	echo "$out" | grep -E '^work .*archived' >/dev/null || fail "list -a does not show the archive: $out"
	assert_eq '["work"]' "$("$PARA" list -a --json | jq -c '[.[] | select(.archived) | .name]')" "list -a --json archived names"
	assert_not_contains "$("$PARA" list 2>/dev/null)" "work"

	expect_rc 0 "$PARA" recover work </dev/null
	assert_file "$wt"
	after_list=$(tree_listing "$wt")
	[ "$before_list" = "$after_list" ] || fail "recovered files differ: $(diff <(echo "$before_list") <(echo "$after_list") | grep '^[<>]' | tr '\n' '|')"
	cmp "$TEST_TMP/data.bin" "$wt/data.bin" || fail "binary file changed"
	assert_no_file "$wt/keep.txt"
	assert_eq 755 "$(stat -c %a "$wt/tool.sh")" "mode of the tracked file made executable"
	assert_eq 755 "$(stat -c %a "$wt/run.sh")" "mode of the new executable"
	assert_eq "doc.txt" "$(readlink "$wt/link-to-doc")" "symlink target"
	[ -L "$wt/dangling-link" ] || fail "dangling symlink not restored"
	# ignored files are not archived: cancel drops them (documented behaviour:
	# only what 'git add -A' would take is saved)
	assert_no_file "$wt/scratch.log"
	# the committed change stays committed, the rest is uncommitted again
	assert_eq "$before_head" "$(git -C "$wt" rev-parse HEAD)" "branch head after recover"
	assert_eq "para/work" "$(git -C "$wt" symbolic-ref --short HEAD)" "branch"
	assert_eq "$before_status" "$(git -C "$wt" status --porcelain)" "git status in the worktree"
	assert_eq "" "$(archive_refs)" "archive refs after recover"
	assert_eq '[]' "$("$PARA" list -a --json | jq -c '[.[] | select(.archived)]')" "archived entries after recover"
	assert_eq ready "$(jq -r .phase .para/state/work.json)" "phase after recover"
}

test_cancel_clean_session_and_recover() {
	repo_rec
	expect_rc 0 "$PARA" start idle --detach </dev/null
	local base
	base=$(git rev-parse HEAD)
	expect_rc 0 "$PARA" cancel idle </dev/null
	expect_rc 0 "$PARA" recover idle </dev/null
	assert_eq "$base" "$(git -C "$(wt_of idle)" rev-parse HEAD)" "recovered head"
	assert_eq "" "$(git -C "$(wt_of idle)" status --porcelain)" "recovered status"
	assert_eq "" "$(archive_refs)" "archive refs after recover"
}

# An archive name taken this second (another cancel of the same name) is
# never overwritten: the next one gets "-1", "-2", ...
test_cancel_never_overwrites_an_archive_of_the_same_second() {
	repo_rec
	expect_rc 0 "$PARA" start dup --detach </dev/null
	(cd "$(wt_of dup)" && echo mine >mine.txt && git add mine.txt && git commit -qm mine) || fail setup
	local mine decoy now i taken
	mine=$(git rev-parse para/dup)
	decoy=$(git rev-parse HEAD)
	# the name of this second and the next few ones, and their "-1", are taken
	now=$(date -u +%s)
	for i in 0 1 2 3 4 5; do
		taken=para/archived/$(date -u -d "@$((now + i))" +%Y%m%dT%H%M%SZ)
		git branch "$taken/dup" "$decoy" && git branch "$taken-1/dup" "$decoy" || fail setup
	done
	expect_rc 0 "$PARA" cancel -f dup </dev/null
	assert_contains "$out" "-2/dup"
	assert_eq 12 "$(archive_refs | grep -c -e '[0-9]Z/dup$' -e 'Z-1/dup$')" "archives taken before"
	assert_eq 12 "$(git for-each-ref --points-at "$decoy" 'refs/heads/para/archived/' | wc -l)" "archives left as they were"
	assert_eq "$mine" "$(git rev-parse "$(archive_refs | grep -- '-2/dup$')")" "the new archive"
	git rev-parse --verify -q refs/heads/para/dup >/dev/null && fail "branch left"
	assert_no_file .para/state/dup.json
}

test_recover_unknown_archive_fails() {
	repo_rec
	expect_rc 0 "$PARA" start s --detach </dev/null
	refuse 1 "$PARA" recover nothing-here
}

# ---------------------------------------------------------------- 8. finish

test_finish_commits_everything() {
	repo_rec
	expect_rc 0 "$PARA" start fin --detach </dev/null
	local wt base
	wt=$(wt_of fin)
	base=$(git rev-parse HEAD)
	echo "more" >>"$wt/README.md"
	mkdir -p "$wt/src"
	echo "new file" >"$wt/src/new.c"
	expect_rc 0 "$PARA" finish "Add the new parser" fin </dev/null
	assert_contains "$out" "para/fin"
	assert_eq "Add the new parser" "$(git log -1 --format=%B para/fin | sed '/^$/d')" "commit message"
	assert_eq "$base" "$(git rev-parse para/fin~1)" "commit parent"
	assert_eq "$(printf 'M\tREADME.md\nA\tsrc/new.c')" "$(git diff --name-status "$base" para/fin)" "committed changes"
	assert_eq "new file" "$(git show para/fin:src/new.c)" "committed content"
	assert_no_file "$wt"
	assert_no_file .para/state/fin.json
	assert_eq 1 "$(git_worktree_count)" "git worktree entries"
	assert_eq "main" "$(git symbolic-ref --short HEAD)" "main branch"
	main_clean
}

test_finish_renames_branch() {
	repo_rec
	expect_rc 0 "$PARA" start ren --detach </dev/null
	echo "x" >"$(wt_of ren)/x.txt"
	expect_rc 0 "$PARA" finish -b feature/x "Add x" </dev/null
	assert_contains "$out" "feature/x"
	assert_eq "Add x" "$(git log -1 --format=%s feature/x)" "message on renamed branch"
	assert_eq "x" "$(git show feature/x:x.txt)" "content on renamed branch"
	git rev-parse --verify -q refs/heads/para/ren >/dev/null && fail "para/ren still exists after -b"
	assert_no_file "$(wt_of ren)"
	assert_eq 1 "$(git_worktree_count)" "git worktree entries"
}

test_finish_to_existing_branch_changes_nothing() {
	repo_rec
	expect_rc 0 "$PARA" start ren --detach </dev/null
	echo "x" >"$(wt_of ren)/x.txt"
	git branch existing
	refuse 1 "$PARA" finish -b existing "Add x" ren
	assert_contains "$out" "existing"
	assert_eq "x" "$(cat "$(wt_of ren)/x.txt")" "uncommitted work"
}

test_finish_without_changes_keeps_base() {
	repo_rec
	expect_rc 0 "$PARA" start empty --detach </dev/null
	local base
	base=$(git rev-parse HEAD)
	expect_rc 0 "$PARA" finish "nothing here" empty </dev/null
	assert_contains "$out" "nothing to commit"
	assert_eq "$base" "$(git rev-parse para/empty)" "branch after finishing nothing"
	assert_no_file "$(wt_of empty)"
	assert_no_file .para/state/empty.json
}

test_finish_without_message_is_usage_error() {
	repo_rec
	expect_rc 0 "$PARA" start m --detach </dev/null
	refuse 2 "$PARA" finish
	refuse 2 "$PARA" finish ""
}

# ---------------------------------------------------------------- 9. from subdirectories

test_commands_from_subdirs_and_worktrees() {
	repo_rec
	local n
	for n in s1 s2 s3; do
		expect_rc 0 "$PARA" start "$n" --detach </dev/null
	done
	mkdir -p "$REPO/deep/sub"
	cd "$REPO/deep/sub" || fail cd
	run "$PARA" list -q
	assert_eq "$(printf 's1\ns2\ns3')" "$out" "list -q from a main subdirectory"
	run "$PARA" status s2
	assert_eq 0 "$rc" "status from a main subdirectory ($out)"
	assert_contains "$out" "para/s2"

	# inside a worktree (root and subdirectory) the session is inferred
	cd "$(wt_of s2)" || fail cd
	assert_eq "$(printf 's1\ns2\ns3')" "$("$PARA" list -q 2>&1)" "list -q inside a worktree"
	run "$PARA" status --json
	assert_eq 0 "$rc" "status inside a worktree ($out)"
	assert_eq s2 "$(echo "$out" | jq -r .name)" "session inferred from the worktree"
	mkdir -p "$(wt_of s3)/pkg/inner"
	echo "s3 work" >"$(wt_of s3)/pkg/inner/w.txt"
	cd "$(wt_of s3)/pkg/inner" || fail cd
	run "$PARA" status --json
	assert_eq s3 "$(echo "$out" | jq -r .name)" "session inferred from a worktree subdirectory"
	expect_rc 0 "$PARA" finish "s3 done" </dev/null
	cd "$REPO" || fail cd
	assert_eq "s3 done" "$(git log -1 --format=%s para/s3)" "s3 commit"
	assert_eq "s3 work" "$(git show para/s3:pkg/inner/w.txt)" "s3 content"
	assert_no_file "$(wt_of s3)"
	assert_file .para/state/s1.json
	assert_file .para/state/s2.json

	echo "s2 work" >"$(wt_of s2)/w2.txt"
	cd "$(wt_of s2)" || fail cd
	expect_rc 0 "$PARA" finish "s2 done" </dev/null
	cd "$REPO/deep/sub" || fail cd
	assert_eq "s2 done" "$(git log -1 --format=%s para/s2)" "s2 commit"
	echo "s1 work" >"$(wt_of s1)/w1.txt"
	expect_rc 0 "$PARA" finish "s1 done" s1 </dev/null
	assert_eq "s1 done" "$(git log -1 --format=%s para/s1)" "s1 commit"
	assert_eq "" "$(state_names)" "sessions left"
	assert_eq 1 "$(git_worktree_count)" "git worktree entries"
}

# ---------------------------------------------------------------- 10. list, status, exec, shell

test_list_forms() {
	repo_rec
	expect_rc 0 "$PARA" start alpha --detach </dev/null
	expect_rc 0 "$PARA" start beta --detach </dev/null
	echo a >"$(wt_of alpha)/a.txt"
	echo b >>"$(wt_of alpha)/README.md"
	run "$PARA" ls
	assert_eq 0 "$rc" "ls exit"
	echo "$out" | grep -Eq '^alpha +para/alpha +[0-9]+s +2 ' || fail "ls row of alpha: $out"
	echo "$out" | grep -Eq '^beta +para/beta +[0-9]+s +0 ' || fail "ls row of beta: $out"
	assert_eq "$(printf 'alpha\nbeta')" "$("$PARA" list -q 2>&1)" "list -q"
	"$PARA" list --json >"$TEST_TMP/l.json" 2>"$TEST_TMP/l.err" || fail "list --json failed"
	assert_eq "" "$(cat "$TEST_TMP/l.err")" "stderr of list --json"
	jq -e . "$TEST_TMP/l.json" >/dev/null || fail "list --json is not JSON: $(cat "$TEST_TMP/l.json")"
	assert_eq '[{"name":"alpha","branch":"para/alpha","changes":2},{"name":"beta","branch":"para/beta","changes":0}]' \
		"$(jq -c '[.[] | {name, branch, changes}]' "$TEST_TMP/l.json")" "list --json fields"
	assert_eq "0a" "$(tail -c1 "$TEST_TMP/l.json" | od -An -tx1 | tr -d ' ')" "last byte of list --json (a newline)"

	expect_rc 0 "$PARA" cancel beta </dev/null
	assert_eq "alpha" "$("$PARA" list -q 2>&1)" "list -q after cancel"
	assert_eq "$(printf 'alpha\nbeta')" "$("$PARA" list -a -q 2>&1)" "list -a -q"
	assert_eq '[{"name":"alpha","a":false},{"name":"beta","a":true}]' \
		"$("$PARA" list -a --json | jq -c '[.[] | {name, a: .archived}]')" "list -a --json"
	refuse 2 "$PARA" list --bogus
}

# The entries git status --porcelain --untracked-files=all lists in worktree W
# (one line each: no name here holds a newline).
git_changes() { git -C "$1" status --porcelain --untracked-files=all | wc -l; }

# list counts changes in-process (libgit2), not by a git per session: the
# count must be git's own, change for change, and git's again where
# libgit2 cannot read the repository (an extension it lacks, a split index).
test_list_changes_are_gits_count() {
	repo_rec
	mkdir -p lib && printf 'x\n' >lib/a.txt && printf 'y\n' >lib/b.txt && printf 'z\n' >run.sh
	printf '*.log\n' >.gitignore && git add -A && git commit -q -m files
	expect_rc 0 "$PARA" start mix --detach </dev/null
	expect_rc 0 "$PARA" start clean --detach </dev/null
	local w
	w=$(wt_of mix)
	echo more >>"$w/README.md"                     # modified
	echo new >"$w/staged.txt" && git -C "$w" add staged.txt
	git -C "$w" mv lib/a.txt lib/moved.txt         # a staged rename: one entry
	rm "$w/lib/b.txt"                              # deleted
	mkdir -p "$w/deep/er/est" && echo u >"$w/deep/er/est/u.txt" && echo v >"$w/deep/v.txt"
	echo ignored >"$w/x.log"                       # ignored by .gitignore
	echo excl >"$w/excluded.tmp" && echo 'excluded.tmp' >>"$REPO/.git/info/exclude"
	echo both >"$w/both.txt" && git -C "$w" add both.txt && echo again >>"$w/both.txt"
	chmod +x "$w/run.sh"                           # a mode change
	git init -q "$w/nested" && echo n >"$w/nested/n.txt"   # an untracked repository: one entry
	local want
	want=$(git_changes "$w")
	assert_eq 9 "$want" "git's own count (the test's premise)"
	assert_eq "[{\"name\":\"clean\",\"changes\":0},{\"name\":\"mix\",\"changes\":$want}]" \
		"$("$PARA" list --json | jq -c '[.[] | {name, changes}] | sort_by(.name)')" "list --json changes"
	run "$PARA" status mix
	assert_contains "$out" "changes:    $want" "status"
	run "$PARA" list -v
	assert_not_contains "$out" "git status of" "list -v (libgit2 counted them all)"
	local counts='[.[] | {name, changes}] | sort_by(.name) | map(.changes)'
	git config core.splitIndex true && git -C "$w" update-index --split-index
	assert_eq "$want" "$(git_changes "$w")" "git's count with a split index"
	assert_eq "[0,$want]" "$("$PARA" list --json | jq -c "$counts")" "list --json changes with a split index"
	run "$PARA" list -v
	assert_contains "$out" "para: git status of 'mix' (libgit2 cannot read its repository)" "list -v"
	git config core.splitIndex false && git -C "$w" update-index --no-split-index
	git config core.repositoryformatversion 1 && git config extensions.worktreeConfig true
	assert_eq "[0,$want]" "$("$PARA" list --json | jq -c "$counts")" "list --json changes with extensions.worktreeConfig"
	run "$PARA" list -v
	assert_contains "$out" "para: git status of 'clean'" "list -v with extensions.worktreeConfig"
	rm -rf "$w"
	assert_eq "[0,null]" "$("$PARA" list --json 2>/dev/null | jq -c "$counts")" "changes of a session whose worktree is gone"
}

test_list_in_repo_without_sessions() {
	repo_plain
	run "$PARA" list
	assert_eq 0 "$rc" "list exit"
	assert_one_line "$out"
	assert_eq "[]" "$("$PARA" list --json | jq -c .)" "list --json without sessions"
	assert_no_file .para
}

test_status_json() {
	repo_rec
	expect_rc 0 "$PARA" start st --detach </dev/null
	echo x >"$(wt_of st)/x.txt"
	"$PARA" status st --json >"$TEST_TMP/s.json" || fail "status --json failed"
	assert_eq "st|para/st|1|$(wt_of st)|ready|null" \
		"$(jq -r '"\(.name)|\(.branch)|\(.changes)|\(.worktree)|\(.phase)|\(.container_state)"' "$TEST_TMP/s.json")" "status --json"
	run "$PARA" status st
	assert_contains "$out" "host session"
	refuse 1 "$PARA" status nosuch
	assert_contains "$out" "nosuch"
}

test_exec_runs_in_worktree_with_its_exit_code() {
	repo_rec
	expect_rc 0 "$PARA" start ex --detach </dev/null
	expect_rc 7 "$PARA" exec ex -- sh -c 'pwd -P >exec-pwd.txt; echo "$PARA_SESSION" >>exec-pwd.txt; exit 7' </dev/null
	assert_eq "$(printf '%s\nex' "$(wt_of ex)")" "$(cat "$(wt_of ex)/exec-pwd.txt")" "exec's directory and PARA_SESSION"
	expect_rc 0 "$PARA" exec ex -- true </dev/null
	refuse 1 "$PARA" exec nosuch -- true
	refuse 2 "$PARA" exec ex --
}

test_shell_reads_commands_from_stdin() {
	repo_rec
	expect_rc 0 "$PARA" start sh1 --detach </dev/null
	run sh -c 'echo "pwd -P > where.txt; exit 3" | SHELL=/bin/sh "$0" shell sh1' "$PARA"
	assert_eq 3 "$rc" "shell exit code ($out)"
	assert_eq "$(wt_of sh1)" "$(cat "$(wt_of sh1)/where.txt")" "shell's directory"
}

# ---------------------------------------------------------------- 11. clean

# A state left by a start that died: phase "creating", a dead pid.
fake_dead_start() { # name [pid]
	local n=$1 pid=${2:-$(dead_pid)}
	mkdir -p "$REPO/.para/state" "$REPO/.para/worktrees"
	git -C "$REPO" worktree add -q -b "para/$n" "$REPO/.para/worktrees/$n" HEAD
	printf '{"name": "%s", "branch": "para/%s", "worktree": "%s", "base": "%s", "created": %s, "phase": "creating", "pid": %s}\n' \
		"$n" "$n" "$REPO/.para/worktrees/$n" "$(git -C "$REPO" rev-parse HEAD)" "$(date +%s)" "$pid" \
		>"$REPO/.para/state/$n.json"
}

test_clean_removes_dead_start() {
	repo_rec
	expect_rc 0 "$PARA" start live --detach </dev/null
	echo "live work" >"$(wt_of live)/live.txt"
	fake_dead_start dead
	fake_dead_start busy $$ # a start still running (its pid is alive) is left alone
	expect_rc 0 "$PARA" clean </dev/null
	assert_contains "$out" "dead"
	assert_no_file .para/state/dead.json
	assert_no_file "$(wt_of dead)"
	git rev-parse --verify -q refs/heads/para/dead >/dev/null && fail "branch of the dead start still exists"
	assert_eq 0 "$(git worktree list --porcelain | grep -c '/dead$')" "git worktree record of the dead start"
	assert_file .para/state/busy.json
	assert_file "$(wt_of busy)"
	assert_eq "live work" "$(cat "$(wt_of live)/live.txt")" "the live session's work"
	assert_file .para/state/live.json
	assert_eq "$(printf 'busy\nlive')" "$(state_names | sort)" "sessions after clean"
}

# A fresh clone of a repo that commits .para/config.json has .para but no
# .para/state: clean must work there.
test_clean_in_fresh_clone_with_committed_config() {
	repo_rec
	local before
	before=$(disk_snapshot)
	expect_rc 0 "$PARA" clean </dev/null
	assert_one_line "$out"
	assert_contains "$out" "nothing to clean"
	assert_unchanged "$before" "clean with nothing to clean"
}

test_clean_archives_orphan_worktree() {
	umask 022
	repo_rec
	# a worktree whose state file was lost
	expect_rc 0 "$PARA" start orphan --detach </dev/null
	rm .para/state/orphan.json
	local wt=$REPO/.para/worktrees/orphan before
	echo "edited" >>"$wt/README.md"
	mkdir -p "$wt/lost/and"
	printf 'found\000\n' >"$wt/lost/and/found.bin"
	before=$(tree_listing "$wt")
	expect_rc 0 "$PARA" clean </dev/null
	assert_contains "$out" "orphan"
	assert_no_file "$wt"
	assert_eq 1 "$(git_worktree_count)" "git worktree entries after clean"
	assert_eq 1 "$(archive_refs | grep -c '/orphan$')" "archive of the orphan"
	expect_rc 0 "$PARA" recover orphan </dev/null
	assert_eq "$before" "$(tree_listing "$wt")" "recovered orphan work"
}

# An orphan worktree with commits and nothing uncommitted: git removes it,
# its branch becomes the archive.
test_clean_archives_clean_orphan_worktree() {
	repo_rec
	expect_rc 0 "$PARA" start tidy --detach </dev/null
	rm .para/state/tidy.json
	local wt=$REPO/.para/worktrees/tidy c
	(cd "$wt" && echo done >done.txt && git add done.txt && git commit -qm done) || fail setup
	c=$(git rev-parse para/tidy)
	expect_rc 0 "$PARA" clean </dev/null
	assert_contains "$out" "tidy"
	assert_no_file "$wt"
	assert_eq 1 "$(git_worktree_count)" "git worktree entries after clean"
	git rev-parse --verify -q refs/heads/para/tidy >/dev/null && fail "branch left"
	assert_eq "$c" "$(git rev-parse "$(archive_refs | grep '/tidy$')")" "archive of the orphan"
	expect_rc 0 "$PARA" recover tidy </dev/null
	assert_eq done "$(cat "$wt/done.txt")" "recovered commit"
}

test_clean_dry_run_changes_nothing() {
	repo_rec
	expect_rc 0 "$PARA" start gone --detach </dev/null
	echo w >"$(wt_of gone)/w.txt"
	expect_rc 0 "$PARA" cancel gone </dev/null
	sleep 1
	fake_dead_start dead
	git worktree add -q -b para/orphan "$REPO/.para/worktrees/orphan" HEAD
	echo w >"$REPO/.para/worktrees/orphan/w.txt"
	local before
	before=$(disk_snapshot)
	expect_rc 0 "$PARA" clean --dry-run --archived 0 </dev/null
	assert_contains "$out" "would"
	assert_contains "$out" "dead"
	assert_contains "$out" "orphan"
	assert_contains "$out" "archived/"
	assert_unchanged "$before" "clean --dry-run"
}

test_clean_archived_deletes_archives() {
	repo_rec
	expect_rc 0 "$PARA" start old --detach </dev/null
	echo w >"$(wt_of old)/w.txt"
	expect_rc 0 "$PARA" cancel old </dev/null
	sleep 1
	expect_rc 0 "$PARA" clean --archived 1 </dev/null
	assert_eq 1 "$(archive_refs | grep -c '/old$')" "a fresh archive survives --archived 1"
	expect_rc 0 "$PARA" clean --archived 0 </dev/null
	assert_eq "" "$(archive_refs)" "archives after --archived 0"
	refuse 2 "$PARA" clean --archived soon
}

test_clean_with_nothing_to_do() {
	repo_rec
	expect_rc 0 "$PARA" start keep --detach </dev/null
	local before
	before=$(disk_snapshot)
	expect_rc 0 "$PARA" clean </dev/null
	assert_unchanged "$before" "clean with nothing to clean"
}

# ---------------------------------------------------------------- 12. help, usage

test_help_for_every_command() {
	local cmds c n=0
	cmds=$("$PARA" --help | sed -n '/^commands:/,/^$/p' | awk 'NF && !/commands:/ {print $1}')
	for c in $cmds ls; do
		n=$((n + 1))
		"$PARA" "$c" --help >"$TEST_TMP/h.out" 2>"$TEST_TMP/h.err"
		assert_eq 0 "$?" "'para $c --help' exit"
		assert_eq "usage: para" "$(head -c 11 "$TEST_TMP/h.out")" "start of 'para $c --help'"
		"$PARA" help "$c" >"$TEST_TMP/h2.out" 2>&1 || fail "'para help $c' failed"
		cmp -s "$TEST_TMP/h.out" "$TEST_TMP/h2.out" || fail "'para help $c' differs from 'para $c --help'"
	done
	[ "$n" -ge 15 ] || fail "only $n commands found in 'para --help': $cmds"
	assert_contains "$cmds" "recover"
	"$PARA" --help | head -1 | grep -q '^usage: para' || fail "para --help"
}

test_usage_errors_and_version() {
	mkdir -p "$TEST_TMP/x"
	cd "$TEST_TMP/x" || fail cd
	run "$PARA"
	assert_eq 2 "$rc" "exit of bare 'para'"
	assert_eq "" "$("$PARA" 2>/dev/null)" "stdout of bare 'para'"
	expect_rc 2 "$PARA" frobnicate
	assert_one_line "$out"
	assert_contains "$out" "frobnicate"
	expect_rc 0 "$PARA" version
	[[ "$out" =~ ^para\ [0-9]+\.[0-9]+ ]] || fail "version output: $out"
	assert_one_line "$out"
}

# Every command's options go through one parser: an unknown option and a
# missing value are one usage line (exit 2) naming the option and the
# command; -h/--help anywhere among the options is the command's help; each
# command takes only its own options.
test_option_errors_are_one_line_per_command() {
	repo_plain
	local before
	before=$(disk_snapshot)
	for cmd in start dispatch resume shell exec finish cancel clean list status env "image build" "image bootstrap"; do
		# shellcheck disable=SC2086 # "image build" is two words
		expect_rc 2 "$PARA" $cmd --no-such-option
		assert_one_line "$out"
		assert_contains "$out" "para $cmd: unknown option '--no-such-option'"
	done
	for args in "start -p" "start --docker-image" "resume -f" "exec -e" "env --env-file" "finish -b" \
		"clean --archived" "image bootstrap --tag"; do
		# shellcheck disable=SC2086
		expect_rc 2 "$PARA" $args
		assert_one_line "$out"
		assert_contains "$out" "option '${args##* }' needs a value"
	done
	# -p, -f and -d are resume's, not shell's or exec's; -n is not image build's
	expect_rc 2 "$PARA" shell -p hi
	assert_contains "$out" "para shell: unknown option '-p'"
	expect_rc 2 "$PARA" exec -d s -- true
	assert_contains "$out" "para exec: unknown option '-d'"
	expect_rc 2 "$PARA" image build -n
	assert_contains "$out" "unknown option '-n'"
	# a bad -e is refused while parsing, before anything is read
	expect_rc 2 "$PARA" env -e "BAD NAME=x"
	assert_one_line "$out"
	assert_contains "$out" "not a variable name"
	# help of a subcommand is its command's
	out=$("$PARA" image build -q --help) || fail "image build --help failed"
	assert_contains "$out" "usage: para image"
	out=$("$PARA" clean -n -h) || fail "clean -h failed"
	assert_contains "$out" "usage: para clean"
	assert_unchanged "$before" "bad options"
}

# ---------------------------------------------------------------- 13. config

test_invalid_config_json() {
	repo_plain
	mkdir -p .para
	printf '{\n  "agent": {\n    "command": ["x"]\n    "prompt": "arg"\n  }\n}\n' >.para/config.json
	local before
	before=$(disk_snapshot)
	expect_rc 4 "$PARA" start x -p y </dev/null
	assert_one_line "$out"
	[[ "$out" =~ \.para/config\.json:[0-9]+:[0-9]+ ]] || fail "no file:line:col in: $out"
	[[ "$out" =~ config\.json:4: ]] || fail "wrong line (the error is on line 4): $out"
	assert_unchanged "$before" "start with an invalid config"
	expect_rc 4 "$PARA" list
}

# config show --origin: each value with the file that set it, the last
# layer that set it winning; untouched keys are the defaults.
test_config_show_origin_names_each_file() {
	repo_plain
	mkdir -p "$XDG_CONFIG_HOME/para" .para
	echo '{"docker": {"default_image": "from-user", "resources": {"memory": "1g"}}}' \
		>"$XDG_CONFIG_HOME/para/config.json"
	echo '{"docker": {"resources": {"memory": "2g"}}, "git": {"branch_prefix": "proj"}}' >.para/config.json
	echo '{"git": {"branch_prefix": "env"}}' >"$TEST_TMP/pc.json"
	PARA_CONFIG="$TEST_TMP/pc.json" expect_rc 0 "$PARA" config show --origin
	assert_line "$out" "docker.default_image = \"from-user\"  ($XDG_CONFIG_HOME/para/config.json)"
	assert_line "$out" "docker.resources.memory = \"2g\"  ($REPO/.para/config.json)"
	assert_line "$out" "git.branch_prefix = \"env\"  ($TEST_TMP/pc.json)"
	assert_line "$out" "docker.resources.pids_limit = 4096  (default)"
	PARA_CONFIG="$TEST_TMP/pc.json" expect_rc 0 "$PARA" config show --origin --json
	assert_eq "$REPO/.para/config.json 2g" "$(jq -r '."docker.resources.memory" | "\(.origin) \(.value)"' <<<"$out")"
}

test_unknown_config_key_warns() {
	mkrepo
	mkdir -p .para
	printf '{"agent": {"command": ["%s"], "promt": "stdin"}}\n' "$REC" >.para/config.json
	git add .para/config.json && git commit -q -m cfg
	trust_repo
	expect_rc 0 "$PARA" start w -p "hello" </dev/null
	assert_eq 1 "$(echo "$out" | grep -c 'warning')" "warning lines: $out"
	echo "$out" | grep 'warning' | grep -q "agent.promt" || fail "warning does not name the key: $out"
	echo "$out" | grep 'warning' | grep -q "agent.prompt" || fail "warning does not name the nearest key: $out"
	assert_eq "hello" "$(rec_get w arg)" "agent ran with the prompt"
}
