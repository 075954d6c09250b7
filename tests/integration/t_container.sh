# Container sessions against the real engine with locally built images.

# A repo whose agent is record.sh, committed at /workspace/agent.sh.
container_repo() { # [dir]
	need_engine
	need_image "$BUSYBOX_IMAGE"
	mkrepo "${1:-$TEST_TMP/repo}"
	cp "$AGENTS/record.sh" agent.sh
	mkdir -p .para
	printf '{"agent": {"command": ["/workspace/agent.sh"]}, "docker": {"default_image": "%s"}}\n' \
		"$BUSYBOX_IMAGE" >.para/config.json
	git add -A && git commit -q -m "agent and config"
	trust_repo
	CLEAN_REPOS+=("$REPO")
}

cname() { jq -r .container.name "$REPO/.para/state/$1.json"; }

test_container_contract() {
	container_repo
	expect_rc 0 "$PARA" start -c box -p "hello there"
	assert_file .para/worktrees/box/agent-ran.txt
	ran=$(cat .para/worktrees/box/agent-ran.txt)
	assert_contains "$ran" "pwd=/workspace"
	assert_contains "$ran" "session=box"
	assert_contains "$ran" "workspace=/workspace"
	assert_contains "$ran" "arg=hello there"
	c=$(cname box)
	case "$c" in para-repo-??????-box) ;; *) fail "container name $c" ;; esac
	insp=$("$DOCKER" inspect "$c")
	assert_eq "box" "$(jq -r '.[0].Config.Labels["dev.para.session"]' <<<"$insp")" label-session
	assert_eq "$REPO" "$(jq -r '.[0].Config.Labels["dev.para.repo"]' <<<"$insp")" label-repo
	[ -n "$(jq -r '.[0].Config.Labels["dev.para.spec"]' <<<"$insp")" ] || fail "no spec label"
	[ -n "$(jq -r '.[0].Config.Labels["dev.para.version"]' <<<"$insp")" ] || fail "no version label"
	assert_eq true "$(jq -r '.[0].HostConfig.Init' <<<"$insp")" init
	assert_contains "$(jq -c '.[0].HostConfig.SecurityOpt' <<<"$insp")" "no-new-privileges"
	assert_eq 4096 "$(jq -r '.[0].HostConfig.PidsLimit' <<<"$insp")" pids-limit
	assert_contains "$(jq -c '.[0].HostConfig.ExtraHosts' <<<"$insp")" "host.docker.internal:host-gateway"
	expect_rc 0 "$PARA" exec box -- id -u
	assert_eq "$(id -u)" "$out" "uid inside = host uid"
	# the agent's identity: uid:gid, a passwd entry on an image without useradd, writable HOME
	printf '{"agent": {"command": ["/workspace/agent.sh"]}, "docker": {"default_image": "%s", "user": "4711:4711"}}\n' \
		"$BUSYBOX_IMAGE" >.para/config.json
	git commit -qam "user"
	trust_repo # docker.user other than "host" needs trust
	expect_rc 0 "$PARA" start -c --detach box2
	run "$PARA" exec box2 -- sh -c 'id -u; id -g; id -un; echo $HOME; touch $HOME/w && echo home-ok; command -v useradd || echo no-useradd'
	assert_eq 0 "$rc" exec-rc
	assert_eq "4711
4711
para
/home/para
home-ok
no-useradd" "$out" identity
	# files it creates belong to that uid on the host
	chmod 777 .para/worktrees/box2
	expect_rc 0 "$PARA" exec box2 -- touch /workspace/made-inside
	assert_eq "4711:4711" "$(stat -c %u:%g .para/worktrees/box2/made-inside)" owner
	expect_rc 0 "$PARA" cancel -f box2
	# exit codes pass through
	expect_rc 7 "$PARA" exec box -- sh -c 'exit 7'
	expect_rc 0 "$PARA" cancel -f box
	[ -z "$(repo_containers)" ] || fail "container left after cancel"
}

test_container_host_user_owns_files_and_commits() {
	need_engine
	need_image "$DEBIAN_IMAGE"
	fixture_user_repo
	run as_fixture_user "$PARA" start -c --docker-image "$DEBIAN_IMAGE" --detach work
	assert_eq 0 "$rc" "start as uid 4711: $out"
	run as_fixture_user "$PARA" exec work -- sh -c 'id -u; echo data >new.txt; git add new.txt; git -c user.email=a@b -c user.name=Agent commit -qm "made inside"; git status --porcelain | wc -l'
	assert_eq 0 "$rc" "exec: $out"
	assert_eq "4711
0" "$out" "uid and clean tree inside"
	assert_eq "4711" "$(stat -c %u .para/worktrees/work/new.txt)" "owner of new.txt"
	assert_eq "made inside" "$(as_fixture_user git log -1 --format=%s para/work)" "commit on the host branch"
	# objects written inside belong to the user too: git on the host can gc/commit
	[ -z "$(find .git -not -user 4711 | head -1)" ] || fail "files in .git not owned by the user: $(find .git -not -user 4711 | head -3)"
	run as_fixture_user "$PARA" cancel -f work
	assert_eq 0 "$rc" "cancel: $out"
}

test_container_resume_after_kill_and_rm() {
	container_repo
	expect_rc 0 "$PARA" start -c --detach k
	echo "precious" >.para/worktrees/k/work.txt
	c=$(cname k)
	"$DOCKER" kill "$c" >/dev/null
	run "$PARA" list
	assert_contains "$out" "exited"
	expect_rc 0 "$PARA" resume k -p "again"
	assert_contains "$(cat .para/worktrees/k/agent-ran.txt)" "arg=again"
	assert_eq running "$("$DOCKER" inspect -f '{{.State.Status}}' "$c")" state-after-resume
	"$DOCKER" rm -f "$c" >/dev/null
	run "$PARA" status k
	assert_contains "$out" "missing"
	expect_rc 0 "$PARA" resume k -p "third"
	assert_contains "$(cat .para/worktrees/k/agent-ran.txt)" "arg=third"
	assert_eq "precious" "$(cat .para/worktrees/k/work.txt)" worktree-intact
	assert_eq running "$("$DOCKER" inspect -f '{{.State.Status}}' "$c")" state-after-recreate
	expect_rc 0 "$PARA" exec k -- cat /workspace/work.txt
	assert_eq precious "$out"
	expect_rc 0 "$PARA" finish "done" k
	[ -z "$(repo_containers)" ] || fail "finish left the container"
	assert_eq done "$(git log -1 --format=%s para/k)"
}

test_engine_unreachable_exit_3() {
	container_repo
	expect_rc 0 "$PARA" start -c --detach live
	dead="unix://$TEST_TMP/no-daemon.sock"
	before=$(disk_snapshot)
	for cmd in "start -c --detach new" "finish msg live" "cancel -f live" "exec live -- true" "resume live" "shell live" "clean --containers"; do
		run env DOCKER_HOST="$dead" "$PARA" $cmd
		assert_eq 3 "$rc" "exit code of '$cmd' ($out)"
		assert_one_line "$out"
		assert_contains "$out" "not reachable"
	done
	assert_eq "$before" "$(disk_snapshot)" "disk after failed commands"
	# listing still works and says the state is unknown
	run env DOCKER_HOST="$dead" "$PARA" list
	assert_eq 0 "$rc" "list rc"
	assert_contains "$out" "unknown"
	# host sessions do not need the engine
	expect_rc 0 env DOCKER_HOST="$dead" "$PARA" start --detach hosted
	expect_rc 0 env DOCKER_HOST="$dead" "$PARA" cancel -f hosted
	expect_rc 0 "$PARA" cancel -f live
}

test_missing_image_creates_nothing() {
	container_repo
	before=$(disk_snapshot)
	expect_rc 1 "$PARA" start -c --docker-image localhost:1/para-test-no-such-image:1 x
	assert_one_line "$out"
	assert_contains "$out" "localhost:1/para-test-no-such-image:1"
	assert_eq "$before" "$(disk_snapshot)" "disk after missing image"
	[ -z "$(repo_containers)" ] || fail "a container was created"
	# once para has its folders, the run finds the image missing (no look
	# before it), and what the start made is rolled back all the same
	expect_rc 0 "$PARA" start -c --detach y
	expect_rc 0 "$PARA" cancel -f y
	before=$(disk_snapshot)
	run "$PARA" start -c --verbose --docker-image localhost:1/para-test-no-such-image:1 x
	assert_eq 1 "$rc"
	assert_contains "$out" "para: engine: POST /v1.41/containers/create?name="
	assert_contains "$out" "image 'localhost:1/para-test-no-such-image:1' (from --docker-image) not found"
	assert_eq "$before" "$(disk_snapshot)" "disk after missing image, later"
	[ -z "$(repo_containers)" ] || fail "a container was created"
	# the CLI's run says it its own way (exit 125): the same outcome
	PARA_ENGINE_API=0 run "$PARA" start -c --verbose --docker-image localhost:1/para-test-no-such-image:1 x
	assert_eq 1 "$rc"
	assert_contains "$out" "para: engine: docker run "
	assert_contains "$out" "image 'localhost:1/para-test-no-such-image:1' (from --docker-image) not found"
	assert_eq "$before" "$(disk_snapshot)" "disk after missing image, by the CLI"
	[ -z "$(repo_containers)" ] || fail "a container was created by the CLI"
}

# The worktree's files are checked out while the container starts (the run
# is begun on an empty worktree): when the start returns, they are all
# there, as on the branch, and the agent's git sees them as checked out.
test_worktree_checked_out_while_the_container_starts() {
	container_repo
	need_image "$DEBIAN_IMAGE"
	mkdir -p src/a src/b && for i in $(seq 1 50); do echo "$i" >"src/a/f$i" && echo "$i" >"src/b/g$i"; done
	printf '#!/bin/sh\necho run\n' >tool.sh && chmod +x tool.sh && ln -s src/a/f1 link
	git add -A && git commit -q -m files
	expect_rc 0 "$PARA" start -c --detach --docker-image "$DEBIAN_IMAGE" s
	local wt=$REPO/.para/worktrees/s
	assert_eq "" "$(git -C "$wt" status --porcelain)" "the host's status of the new worktree"
	assert_eq "$(git ls-tree -r HEAD | sort)" "$(git -C "$wt" ls-tree -r HEAD | sort)" "its tree"
	assert_eq "src/a/f1" "$(readlink "$wt/link")" "a symlink"
	[ -x "$wt/tool.sh" ] || fail "tool.sh lost its x bit"
	run "$PARA" exec s -- git status --porcelain
	assert_eq 0 "$rc" "git status in the container: $out"
	assert_eq "" "$out" "the agent's status of its worktree (its index is the checked-out one)"
	run "$PARA" exec s -- sh -c 'git diff --quiet && git diff --cached --quiet && echo same'
	assert_eq "same" "$out" "the agent's index and worktree"
	expect_rc 0 "$PARA" cancel -f s
}

# An env file the CLI's stdin pipe cannot hold at once (over 64 KiB) is fed
# to it as it reads: every value still reaches the container.
test_env_file_larger_than_a_pipe_reaches_the_container() {
	container_repo
	for i in $(seq 1 1500); do printf 'BIG_%d=%0100d\n' "$i" "$i"; done >"$TEST_TMP/big.env"
	[ "$(wc -c <"$TEST_TMP/big.env")" -gt 131072 ] || fail "the env file is not large enough"
	expect_rc 0 "$PARA" start -c --detach --env-file "$TEST_TMP/big.env" s
	run "$PARA" exec s -- sh -c 'env | grep -c "^BIG_"; printf "%s\n" "$BIG_1500"'
	assert_eq "$(printf '1500\n%0100d' 1500)" "$out" "the variables in the container"
	expect_rc 0 "$PARA" cancel -f s
}

# A checkout that fails once the run is begun rolls back the container too.
test_checkout_failing_while_the_container_starts_leaves_nothing() {
	container_repo
	printf 'data\n' >a.dat && printf '*.dat filter=boom\n' >.gitattributes
	git add -A && git commit -q -m "filtered file"
	expect_rc 0 "$PARA" start -c --detach first && expect_rc 0 "$PARA" cancel -f first # para's folders made
	git config filter.boom.clean cat && git config filter.boom.smudge false && git config filter.boom.required true
	before=$(disk_snapshot)
	run "$PARA" start -c --detach s
	assert_eq 1 "$rc" "exit of the start: $out"
	assert_one_line "$out"
	assert_contains "$out" "git reset failed"
	assert_contains "$out" "boom"
	assert_eq "$before" "$(disk_snapshot)" "disk after the failed checkout"
	[ -z "$(repo_containers)" ] || fail "a container was left: $(repo_containers)"
	git rev-parse --verify --quiet refs/heads/para/s >/dev/null && fail "the branch was left"
	assert_eq 1 "$(git worktree list | wc -l)" "git worktree entries"
	# the run was begun before the checkout failed, and its container removed
	run "$PARA" start -c --detach -v s
	assert_eq 1 "$rc" "exit of the verbose start"
	assert_contains "$out" "para: engine: POST /v1.41/containers/create?name=para-repo-"
	assert_contains "$out" "para: engine: DELETE /v1.41/containers/para-repo-"
	assert_eq "$before" "$(disk_snapshot)" "disk after the second failed checkout"
	[ -z "$(repo_containers)" ] || fail "a container was left: $(repo_containers)"
}

test_sigint_during_start_leaves_nothing_half_made() {
	container_repo
	for d in 0.02 0.1 0.2 0.3 0.45 0.6 0.8 1.2; do
		n="s${d/./}"
		"$PARA" start -c --detach "$n" >/dev/null 2>&1 &
		pid=$!
		sleep "$d"
		kill -INT $pid 2>/dev/null
		wait $pid
		rc=$?
		if [ $rc = 0 ]; then
			# finished before the signal: a whole session
			assert_eq ready "$(jq -r .phase .para/state/$n.json)" "phase of $n"
			[ -d .para/worktrees/$n ] || fail "$n: no worktree"
			assert_eq running "$("$DOCKER" inspect -f '{{.State.Status}}' "$(cname $n)")" "$n container"
			"$PARA" cancel -f "$n" >/dev/null 2>&1 || fail "cancel $n"
			git branch -D $(git for-each-ref --format='%(refname:short)' "refs/heads/para/archived/*/$n") >/dev/null
		else
			assert_eq 130 "$rc" "exit code after SIGINT ($n)"
			assert_no_file .para/state/$n.json
			assert_no_file .para/worktrees/$n
			git rev-parse --verify -q "para/$n" >/dev/null && fail "$n: branch left"
			[ -z "$("$DOCKER" ps -aq --filter "name=-$n\$")" ] || fail "$n: container left"
		fi
	done
	[ -z "$(git worktree list --porcelain | grep worktrees/)" ] || fail "git still lists worktrees"
}

test_two_repos_same_session_name() {
	container_repo "$TEST_TMP/a/repo"
	a=$REPO
	expect_rc 0 "$PARA" start -c --detach same
	container_repo "$TEST_TMP/b/repo"
	b=$REPO
	expect_rc 0 "$PARA" start -c --detach same
	ca=$(jq -r .container.name "$a/.para/state/same.json")
	cb=$(jq -r .container.name "$b/.para/state/same.json")
	[ "$ca" != "$cb" ] || fail "both repos use container $ca"
	assert_eq running "$("$DOCKER" inspect -f '{{.State.Status}}' "$ca")"
	assert_eq running "$("$DOCKER" inspect -f '{{.State.Status}}' "$cb")"
	echo a >"$a/.para/worktrees/same/a.txt"
	expect_rc 0 "$PARA" exec same -- ls /workspace
	assert_not_contains "$out" "a.txt" "repo b's container sees repo a's file"
	expect_rc 0 "$PARA" cancel -f same
	cd "$a" && expect_rc 0 "$PARA" cancel -f same
}

test_list_uses_one_engine_call() {
	container_repo
	for n in one two three; do expect_rc 0 "$PARA" start -c --detach $n; done
	expect_rc 0 "$PARA" start --detach hostonly
	"$DOCKER" stop -t 0 "$(cname two)" >/dev/null
	run "$PARA" list --verbose
	assert_eq 0 "$rc"
	assert_contains "$out" "para: engine: 1 CLI call"
	assert_eq 1 "$(grep -c '^one .*running$' <<<"$out")" "one running"
	assert_eq 1 "$(grep -c '^two .*exited$' <<<"$out")" "two exited"
	run "$PARA" list --json
	assert_eq "running" "$(jq -r '.[] | select(.name=="three") | .container_state' <<<"$out")"
	assert_eq null "$(jq -r '.[] | select(.name=="hostonly") | .container_state' <<<"$out")"
	run "$PARA" status two --json
	assert_eq exited "$(jq -r .container_state <<<"$out")"
	assert_eq true "$(jq -r .engine_reachable <<<"$out")"
	[ "$(jq -r .spec_hash <<<"$out")" != null ] || fail "no spec hash in status"
	for n in one two three hostonly; do expect_rc 0 "$PARA" cancel -f $n; done
}

# A start asks the engine one thing: the run, attached until the keep-alive
# says it is ready; the image is looked for only when that run fails, and
# a missing one then leaves nothing behind.
test_start_is_one_engine_call() {
	container_repo
	# the first start in a repository looks for the image before it makes
	# para's folders; later ones leave that to the run: create, attach and
	# start, asked of the Engine API over its socket (no CLI run at all)
	run "$PARA" start -c --detach --verbose zero
	assert_eq 0 "$rc" "start: $out"
	assert_contains "$out" "para: engine: docker image inspect"
	assert_contains "$out" "para: engine: 1 CLI call, 4 API requests"
	run "$PARA" start -c --detach --verbose one
	assert_eq 0 "$rc" "start: $out"
	assert_contains "$out" "para: engine: 4 API requests"
	assert_not_contains "$out" "image inspect"
	assert_contains "$out" "para: engine: POST /v1.41/containers/create?name=$(cname one)"
	assert_contains "$out" "para: engine: POST /v1.41/containers/$(cname one)/attach?stream=1&stdout=1&stderr=1"
	assert_contains "$out" "para: engine: POST /v1.41/containers/$(cname one)/start"
	assert_eq running "$("$DOCKER" inspect -f '{{.State.Status}}' "$(cname one)")" "the container after para let go"
	run "$PARA" exec one -- cat /run/para-ready
	assert_eq 0 "$rc" "ready file: $out"
	run "$PARA" start -c --dry-run two
	assert_contains "$out" "POST /v1.41/containers/create?name=para-repo-"
	# with the API turned off, the same start is one CLI run
	PARA_ENGINE_API=0 run "$PARA" start -c --detach --verbose three
	assert_eq 0 "$rc" "start: $out"
	assert_contains "$out" "para: engine: 1 CLI call"
	assert_contains "$out" "para: engine: docker run --sig-proxy=false --pull=never "
	assert_eq running "$("$DOCKER" inspect -f '{{.State.Status}}' "$(cname three)")" "the container after the CLI let go"
	PARA_ENGINE_API=0 run "$PARA" start -c --dry-run two
	assert_contains "$out" "docker run --sig-proxy=false --pull=never"
	expect_rc 0 "$PARA" cancel -f three
	# a missing image: the run says so, pull "never" refuses, nothing is left
	mkdir -p "$XDG_CONFIG_HOME/para"
	echo '{"docker": {"pull": "never"}}' >"$XDG_CONFIG_HOME/para/config.json"
	run "$PARA" start -c --detach --verbose --docker-image para-test-absent:1 gone
	assert_eq 1 "$rc"
	assert_contains "$out" "image 'para-test-absent:1' (from --docker-image) not found, and docker.pull is \"never\""
	assert_not_contains "$out" "para: engine: docker pull"
	assert_no_file .para/state/gone.json
	assert_no_file .para/worktrees/gone
	git rev-parse -q --verify refs/heads/para/gone >/dev/null && fail "the branch of a failed start is left"
	[ -z "$("$DOCKER" ps -aq --filter "label=dev.para.repo=$REPO" --filter "label=dev.para.session=gone")" ] ||
		fail "a container of a failed start is left"
	expect_rc 0 "$PARA" cancel -f one
	expect_rc 0 "$PARA" cancel -f zero
}

# What para reads of a new container (its output until the ready mark) is
# bounded: an image whose sh prints on and on, without a newline, is killed
# at 1 MiB and the start rolled back, not waited for or buffered whole.
test_start_bounds_what_it_reads_of_a_flooding_image() {
	container_repo
	FLOOD=para-it-flood-$TEST_RUN_ID:$RANDOM
	printf 'FROM %s\nRUN mkdir /x && cp /bin/busybox /x/busybox && rm /bin/sh && printf "#!/x/busybox sh\\nexec /x/busybox cat /dev/zero\\n" >/bin/sh && /x/busybox chmod +x /bin/sh\n' \
		"$BUSYBOX_IMAGE" | "$DOCKER" build -q -t "$FLOOD" - >/dev/null || fail "cannot build the flooding image"
	trap 'cleanup_engine_objects; "$DOCKER" image rm -f "$FLOOD" >/dev/null 2>&1' EXIT
	expect_rc 0 "$PARA" start -c --detach first
	expect_rc 0 "$PARA" cancel -f first
	run timeout 60 "$PARA" start -c --detach --docker-image "$FLOOD" flood
	assert_eq 1 "$rc"
	assert_contains "$out" "printed more than 1024 KiB before it was ready"
	assert_one_line "$(grep -v '^para: warning' <<<"$out")"
	assert_no_file .para/state/flood.json
	assert_no_file .para/worktrees/flood
	[ -z "$(repo_containers)" ] || fail "the flooding container is left: $(repo_containers)"
}

# exec on a running session asks the engine nothing but the exec; a status
# of 1 is the command's; a stopped or removed container is still brought back
test_exec_hot_path_one_call_and_recovery() {
	container_repo
	expect_rc 0 "$PARA" start -c --detach hot
	# no CLI at all: the ping, the exec's create and start, its exit code
	run "$PARA" exec --verbose hot -- true
	assert_eq 0 "$rc"
	assert_contains "$out" "para: engine: 4 API requests"
	assert_eq 1 "$(grep -c "^para: engine: POST /v1.41/containers/$(cname hot)/exec\$" <<<"$out")" "one exec"
	PARA_ENGINE_API=0 run "$PARA" exec --verbose hot -- true
	assert_eq 0 "$rc"
	assert_contains "$out" "para: engine: 1 CLI call"
	assert_eq 1 "$(grep -c '^para: engine: docker exec ' <<<"$out")" "one exec by the CLI"
	run "$PARA" exec hot -- sh -c 'echo "Error: mine" >&2; exit 1'
	assert_eq 1 "$rc"
	assert_contains "$out" "Error: mine"
	"$DOCKER" stop -t 0 "$(cname hot)" >/dev/null
	run "$PARA" exec hot -- echo back
	assert_eq 0 "$rc"
	assert_contains "$out" "starting container '$(cname hot)' (was exited)"
	assert_contains "$out" "back"
	assert_not_contains "$out" "Error response"
	"$DOCKER" rm -f "$(cname hot)" >/dev/null
	run "$PARA" exec hot -- echo again
	assert_eq 0 "$rc"
	assert_contains "$out" "is gone; re-creating it from the saved spec"
	assert_contains "$out" "again"
	assert_not_contains "$out" "No such container"
	run "$PARA" exec --verbose hot -- true
	assert_contains "$out" "para: engine: 4 API requests"
	expect_rc 0 "$PARA" cancel -f hot
}

test_clean_containers_removes_orphans_only() {
	container_repo
	expect_rc 0 "$PARA" start -c --detach owned
	"$DOCKER" run -d --name "para-orphan-$TEST_RUN_ID-$$" --label "dev.para.repo=$REPO" \
		--label dev.para.session=ghost --label "dev.para.test-run=$TEST_RUN_ID" \
		--entrypoint sh "$BUSYBOX_IMAGE" -c 'sleep 600' >/dev/null
	run "$PARA" clean --containers --dry-run
	assert_eq 0 "$rc"
	assert_contains "$out" "would remove container para-orphan-"
	assert_not_contains "$out" "$(cname owned)"
	assert_eq 2 "$(repo_containers | wc -l)" "containers after dry run"
	expect_rc 0 "$PARA" clean --containers
	assert_eq "$(cname owned)" "$(repo_containers)" "only the owned container remains"
	expect_rc 0 "$PARA" cancel -f owned
}

test_dry_run_prints_plan_creates_nothing() {
	container_repo
	before=$(disk_snapshot)
	export PLAN_TOKEN=s3cr3t-value
	expect_rc 0 "$PARA" start -c --dry-run -e PLAN_TOKEN -e PLAN_NOTE=shown plan -p "the prompt"
	assert_contains "$out" "POST /v1.41/containers/create?name=para-repo-"
	assert_contains "$out" '"Init":true'
	assert_contains "$out" '"PLAN_NOTE=shown"'
	assert_contains "$out" '"PLAN_TOKEN=********"'
	assert_not_contains "$out" "s3cr3t-value"
	assert_contains "$out" "git worktree add"
	assert_contains "$out" "exec"
	run "$PARA" start -c --dry-run --json -e PLAN_TOKEN plan -p "the prompt" </dev/null
	assert_eq 0 "$rc"
	assert_not_contains "$out" "s3cr3t-value"
	assert_eq "plan" "$(jq -r .name <<<"$out")"
	pc=$(jq -r .container.name <<<"$out")
	# the Engine API's three requests: the create (its body the container),
	# the attach that reads the ready mark, the start
	assert_eq "POST /v1.41/containers/create?name=$pc" "$(jq -r '.commands[1][0:2] | join(" ")' <<<"$out")"
	assert_eq "para-test-busybox:latest true /workspace" \
		"$(jq -r '.commands[1][2] | fromjson | "\(.Image) \(.HostConfig.Init) \(.WorkingDir)"' <<<"$out")"
	assert_eq "POST /v1.41/containers/$pc/attach?stream=1&stdout=1&stderr=1" \
		"$(jq -r '.commands[2] | join(" ")' <<<"$out")"
	assert_eq "POST /v1.41/containers/$pc/start" "$(jq -r '.commands[3] | join(" ")' <<<"$out")"
	# the plan is what start runs: git branches from the very commit, and the
	# exec records the agent's pid as the real one does
	assert_eq "worktree add --quiet --no-checkout -b para/plan $REPO/.para/worktrees/plan $(git rev-parse HEAD)" \
		"$(jq -r '.commands[0][1:] | join(" ")' <<<"$out")" "the plan's git command"
	# the worktree's files are checked out while the container starts
	assert_eq "git reset --hard --quiet --no-recurse-submodules" "$(jq -r '.commands[4] | join(" ")' <<<"$out")"
	assert_contains "$(jq -r '.commands[5] | join(" ")' <<<"$out")" "echo \$\$ >/tmp/.para-exec-"
	# the agent's exec (no terminal here): its create, start and exit code
	assert_eq "POST /v1.41/containers/$pc/exec" "$(jq -r '.commands[5][0:2] | join(" ")' <<<"$out")"
	assert_eq "POST /v1.41/exec/<id>/start" "$(jq -r '.commands[6][0:2] | join(" ")' <<<"$out")"
	assert_eq "GET /v1.41/exec/<id>/json" "$(jq -r '.commands[7] | join(" ")' <<<"$out")"
	# with the CLI making it: its one run
	PARA_ENGINE_API=0 run "$PARA" start -c --dry-run plan -p "the prompt"
	assert_contains "$out" "docker run --sig-proxy=false --pull=never --name para-repo-"
	assert_contains "$out" "--init"
	PARA_ENGINE_API=0 run "$PARA" start -c --dry-run --json plan -p "the prompt"
	assert_eq "docker run" "$(jq -r '.commands[1][0:2] | join(" ")' <<<"$out")"
	assert_eq "git reset --hard --quiet --no-recurse-submodules" "$(jq -r '.commands[2] | join(" ")' <<<"$out")"
	assert_contains "$(jq -r '.commands[3] | join(" ")' <<<"$out")" "echo \$\$ >/tmp/.para-exec-"
	assert_eq "$before" "$(disk_snapshot)" "disk after dry run"
	[ -z "$(repo_containers)" ] || fail "dry run created a container"
}

test_doctor_reports_engine_and_image() {
	container_repo
	expect_rc 0 "$PARA" doctor
	assert_contains "$out" "engine daemon"
	assert_contains "$out" "$BUSYBOX_IMAGE"
	run env DOCKER_HOST="unix://$TEST_TMP/none.sock" "$PARA" doctor
	assert_eq 1 "$rc" "doctor rc without daemon"
	assert_contains "$out" "FAIL engine daemon"
	assert_contains "$out" "fix:"
	printf '{"docker": {"default_image": "para-test-absent:0"}}' >"$TEST_TMP/cfg.json"
	run env PARA_CONFIG="$TEST_TMP/cfg.json" "$PARA" doctor
	assert_eq 1 "$rc"
	assert_contains "$out" "FAIL image"
	assert_contains "$out" "para-test-absent:0 (from docker.default_image) is not on this engine"
	# a project Dockerfile is what start uses: doctor checks that, not the default
	mkdir -p .para
	printf 'FROM %s\n' "$BUSYBOX_IMAGE" >.para/Dockerfile
	git add -A && git commit -qm dockerfile && trust_repo
	run env PARA_CONFIG="$TEST_TMP/cfg.json" "$PARA" doctor
	assert_eq 0 "$rc" "doctor with a project Dockerfile: $out"
	assert_contains "$out" "(from project Dockerfile .para/Dockerfile; not built yet"
	assert_not_contains "$out" "FAIL"
}

test_terminal_gets_a_tty_and_pipes_do_not() {
	container_repo
	command -v script >/dev/null || { echo "    SKIP: no script(1)" >&2; exit 77; }
	expect_rc 0 "$PARA" start -c --detach t
	# under a terminal (script gives para a pty) the command inside gets one too
	out=$(script -qec "$PARA exec t -- sh -c 'test -t 0 && test -t 1 && echo has-tty'" /dev/null </dev/null 2>&1)
	assert_contains "$out" "has-tty"
	# without one, output streams and stdin is not a terminal
	run "$PARA" exec t -- sh -c 'test -t 1 || echo no-tty'
	assert_eq "no-tty" "$out"
	expect_rc 0 "$PARA" cancel -f t
}

# A second, private dockerd that this test really stops: the engine going
# away under existing sessions, not just a wrong address. It runs in a network
# namespace of its own, so it never touches the host's (or the main daemon's)
# interfaces.
test_daemon_really_stopped_exit_3() {
	need_engine
	need_image "$BUSYBOX_IMAGE"
	[ "$(id -u)" = 0 ] && command -v dockerd >/dev/null && command -v unshare >/dev/null ||
		{ echo "    SKIP: needs root, dockerd and unshare" >&2; exit 77; }
	d=$TEST_TMP/d
	host_had_docker0=$(ip link show docker0 2>/dev/null)
	mkdir -p "$d/root" "$d/exec"
	sock="unix://$d/docker.sock"
	unshare --net sh -c 'ip link set lo up 2>/dev/null; exec "$@"' sh \
		dockerd --data-root "$d/root" --exec-root "$d/exec" --pidfile "$d/pid" --host "$sock" \
		--bridge none --iptables=false --ip6tables=false --ip-masq=false >"$d/log" 2>&1 &
	dpid=$!
	trap 'kill $dpid 2>/dev/null; wait $dpid 2>/dev/null; cleanup_engine_objects' EXIT
	for _ in $(seq 100); do DOCKER_HOST=$sock "$DOCKER" info >/dev/null 2>&1 && break; sleep 0.2; done
	DOCKER_HOST=$sock "$DOCKER" info >/dev/null 2>&1 || fail "private dockerd did not start: $(tail -5 "$d/log")"
	"$DOCKER" save "$BUSYBOX_IMAGE" | DOCKER_HOST=$sock "$DOCKER" load >/dev/null || fail "image load"
	export DOCKER_HOST=$sock
	container_repo
	printf '{"agent": {"command": ["/workspace/agent.sh"]}, "docker": {"default_image": "%s", "network": {"mode": "none"}}}\n' \
		"$BUSYBOX_IMAGE" >.para/config.json
	git commit -qam "no network on the private daemon"
	expect_rc 0 "$PARA" start -c --detach live
	kill $dpid
	wait $dpid 2>/dev/null
	ip link show docker0 >/dev/null 2>&1 || [ -z "$host_had_docker0" ] || fail "the host lost docker0"
	before=$(disk_snapshot)
	state_before=$(cat .para/state/live.json)
	for cmd in "start -c --detach new" "resume live" "exec live -- true" "finish msg live" "cancel -f live"; do
		run "$PARA" $cmd
		assert_eq 3 "$rc" "exit code of '$cmd' with the daemon stopped ($out)"
		assert_one_line "$out"
	done
	assert_eq "$before" "$(disk_snapshot)" "disk after commands against a stopped daemon"
	assert_eq "$state_before" "$(cat .para/state/live.json)" "session state"
	expect_rc 0 "$PARA" start --detach on-host
	expect_rc 0 "$PARA" cancel -f on-host
}
