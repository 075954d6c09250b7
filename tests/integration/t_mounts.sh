# Mounts: docker.mounts, profile volumes, PARA_DOCKER_MOUNTS and --mount,
# each seen inside a real container; refusals before anything exists.

mounts_repo() {
	need_engine
	need_image "$BUSYBOX_IMAGE"
	mkrepo
	CLEAN_REPOS+=("$REPO")
	trap 'cleanup_engine_objects; mounts_cleanup' EXIT
	mkdir -p "$TEST_TMP/host"
}

mounts_cleanup() {
	for v in "${CLEAN_VOLUMES[@]:-}"; do
		[ -n "$v" ] && "$DOCKER" volume rm -f "$v" >/dev/null 2>&1
	done
	return 0
}

user_config() { # docker-object-json
	mkdir -p "$XDG_CONFIG_HOME/para"
	printf '{"agent": {"command": ["true"]}, "docker": {"default_image": "%s", %s}}\n' "$BUSYBOX_IMAGE" "$1" \
		>"$XDG_CONFIG_HOME/para/config.json"
}

# What a file holds inside session $1's container.
inside() { # session path
	"$PARA" exec -q "$1" -- cat "$2" 2>&1
}

# Every layer, observed inside the container. Config files replace each
# other's docker.mounts (lists replace), the profile (through its extends
# chain), PARA_DOCKER_MOUNTS and --mount add theirs; a higher layer at the
# same target replaces a lower one.
test_each_layer_reaches_the_container() {
	mounts_repo
	for l in user project paraconf env profile cli top; do
		mkdir -p "$TEST_TMP/host/$l" && echo "$l" >"$TEST_TMP/host/$l/who"
	done
	user_config "\"mounts\": [\"$TEST_TMP/host/user:/m/user\", \"$TEST_TMP/host/user:/m/top\"],
		\"profiles\": {\"base\": {\"volumes\": [\"$TEST_TMP/host/profile:/m/profile\"]},
			       \"p\": {\"extends\": \"base\"}}"
	expect_rc 0 "$PARA" start -c --detach u
	assert_eq user "$(inside u /m/user/who)" "the user config's mount"
	# the project's list replaces the user's; its ./ is the repository's
	mkdir -p .para sub && echo project >sub/who
	echo '{"docker": {"mounts": ["./sub:/m/project:ro"]}}' >.para/config.json
	git add -A && git commit -q -m mounts
	expect_rc 0 "$PARA" start -c --detach pr
	assert_eq project "$(inside pr /m/project/who)" "the project's mount"
	assert_contains "$(inside pr /m/user/who)" "No such file" "the user's list, replaced"
	printf '{"docker": {"mounts": ["%s:/m/paraconf"]}}\n' "$TEST_TMP/host/paraconf" >"$TEST_TMP/pc.json"
	PARA_CONFIG="$TEST_TMP/pc.json" expect_rc 0 "$PARA" start -c --detach pc
	assert_eq paraconf "$(inside pc /m/paraconf/who)" "PARA_CONFIG's mount"
	assert_contains "$(inside pc /m/project/who)" "No such file" "the project's list, replaced"
	# profile (from its parent), PARA_DOCKER_MOUNTS and --mount add to the files'
	PARA_DOCKER_MOUNTS="$TEST_TMP/host/env:/m/env,$TEST_TMP/host/top:/m/top" \
		expect_rc 0 "$PARA" start -c --detach s --docker-profile p --mount "$TEST_TMP/host/cli:/m/cli"
	for l in project env profile cli top; do
		assert_eq "$l" "$(inside s /m/$l/who)" "/m/$l in the container"
	done
	# the engine got binds, the project's read-only
	"$DOCKER" inspect --format '{{range .Mounts}}{{.Destination}} {{.Type}} {{.RW}}{{"\n"}}{{end}}' \
		"$(jq -r .container.name .para/state/s.json)" >"$TEST_TMP/mounts"
	assert_line "$(cat "$TEST_TMP/mounts")" "/m/project bind false"
	assert_line "$(cat "$TEST_TMP/mounts")" "/m/cli bind true"
	# a re-created container gets the same mounts
	"$DOCKER" rm -f "$(jq -r .container.name .para/state/s.json)" >/dev/null
	assert_eq cli "$(inside s /m/cli/who)" "after a re-create"
}

test_read_only_mount_refuses_writes() {
	mounts_repo
	user_config '"mounts": []'
	echo keep >"$TEST_TMP/host/f"
	expect_rc 0 "$PARA" start -c --detach s --mount "$TEST_TMP/host:/ro:ro" --mount "$TEST_TMP/host:/rw"
	run "$PARA" exec s -- sh -c 'echo changed >/ro/f'
	[ "$rc" != 0 ] || fail "a write to a :ro mount succeeded"
	assert_eq keep "$(cat "$TEST_TMP/host/f")"
	expect_rc 0 "$PARA" exec s -- sh -c 'echo new >/rw/g'
	assert_eq new "$(cat "$TEST_TMP/host/g")" "a write through the read-write mount"
}

test_named_volume_persists_across_sessions() {
	mounts_repo
	vol="para-test-cache-$TEST_RUN_ID"
	CLEAN_VOLUMES+=("$vol")
	user_config "\"mounts\": [\"$vol:/cache\"]"
	expect_rc 0 "$PARA" start -c --detach a
	expect_rc 0 "$PARA" exec a -- sh -c 'echo from-a >/cache/x'
	expect_rc 0 "$PARA" cancel -f a
	"$DOCKER" volume inspect "$vol" >/dev/null 2>&1 || fail "the volume went with the session"
	assert_eq "$REPO" "$("$DOCKER" volume inspect --format '{{index .Labels "dev.para.repo"}}' "$vol")" "volume label"
	expect_rc 0 "$PARA" start -c --detach b
	assert_eq from-a "$(inside b /cache/x)" "the second session's view of the volume"
}

# One line, exit 4 (config) or 2 (--mount), nothing made: no state, branch,
# worktree or container.
test_refused_mounts_create_nothing() {
	mounts_repo
	mkdir -p "$HOME/.ssh" "$HOME/.aws" "$HOME/code"
	user_config '"mounts": []'
	git commit -q --allow-empty -m base
	before=$(disk_snapshot)
	while read -r rc spec want; do
		spec=${spec//@TMP@/$TEST_TMP}
		spec=${spec//@HOME@/$HOME}
		expect_rc "$rc" "$PARA" start -c --detach s --mount "$spec"
		assert_one_line "$out"
		assert_contains "$out" "$want" "refusal of $spec"
		assert_eq "$before" "$(disk_snapshot)" "disk after refusing $spec"
		[ -z "$(repo_containers)" ] || fail "a container was made for $spec"
	done <<'EOT'
2 @TMP@/no/such/dir:/x does not exist
2 ~/.ssh:/keys rule: dangerous-mount
2 @HOME@/.aws:/aws rule: dangerous-mount
2 ~:/home-of-host rule: dangerous-mount
2 /:/host rule: dangerous-mount
2 /var/run/docker.sock:/var/run/docker.sock rule: engine-socket
2 @TMP@/host:/workspace one of para's own
2 @TMP@/host:/workspace/sub one of para's own
2 @TMP@/host:/para cover or sit inside one of para's own
2 @TMP@/host:relative invalid mount
2 @TMP@/host:/x:bogus invalid mount
2 @TMP@/host:/x:z SELinux
EOT
	# the same from config: exit 4, named by its key
	user_config "\"mounts\": [\"$TEST_TMP/no/such:/x\"]"
	expect_rc 4 "$PARA" start -c --detach s
	assert_one_line "$out"
	assert_contains "$out" "docker.mounts: mount"
	user_config '"mounts": []'
	PARA_DOCKER_MOUNTS="~/.ssh:/k" expect_rc 4 "$PARA" start -c --detach s
	assert_contains "$out" "PARA_DOCKER_MOUNTS"
	assert_eq "$before" "$(disk_snapshot)" "disk after the config refusals"
	# allowed by the user's own choice
	user_config '"mounts": ["~/code:/code"], "allow_dangerous_mounts": true'
	expect_rc 0 "$PARA" start -c --dry-run s --mount "~/.ssh:/keys:ro"
	assert_contains "$out" '{"Type":"bind","Source":"'"$HOME/.ssh"'","Target":"/keys","ReadOnly":true}'
	PARA_ENGINE_API=0 run "$PARA" start -c --dry-run s --mount "~/.ssh:/keys:ro"
	assert_contains "$out" "source=$HOME/.ssh,target=/keys,readonly"
}

# A project's mount of a path outside the repository widens what the
# container may touch: refused until 'para trust'.
test_project_mount_outside_the_repo_needs_trust() {
	mounts_repo
	user_config '"mounts": []'
	echo secret >"$TEST_TMP/host/s"
	mkdir -p .para
	printf '{"docker": {"mounts": ["%s:/outside"]}}\n' "$TEST_TMP/host" >.para/config.json
	git add -A && git commit -q -m "outside mount"
	before=$(disk_snapshot)
	expect_rc 4 "$PARA" start -c --detach s
	assert_contains "$out" "para trust"
	assert_eq "$before" "$(disk_snapshot)" "disk after the untrusted mount"
	trust_repo
	expect_rc 0 "$PARA" start -c --detach s
	assert_eq secret "$(inside s /outside/s)"
}

test_dry_run_json_shows_the_mounts() {
	mounts_repo
	user_config '"mounts": ["cache-'"$TEST_RUN_ID"':/cache:nocopy"]'
	expect_rc 0 "$PARA" start -c --dry-run --json s --mount "$TEST_TMP/host:/h:ro"
	assert_eq "$TEST_TMP/host /h true" "$(jq -r '.container.mounts[] | select(.dst == "/h") | "\(.src) \(.dst) \(.ro)"' <<<"$out")"
	assert_eq "volume true" "$(jq -r '.container.mounts[] | select(.dst == "/cache") | "\(.type) \(.nocopy)"' <<<"$out")"
	[ -z "$("$DOCKER" volume ls -q --filter "name=cache-$TEST_RUN_ID")" ] || fail "a dry run made a volume"
}

# The git boundary holds whatever the mounts say: the repository's git
# directory and .para (where a hook or another session's git directory
# would reach the host) are never shared, by any layer, through any
# symlink, even with docker.allow_dangerous_mounts.
test_git_dir_and_para_are_never_mounted() {
	mounts_repo
	user_config '"mounts": [], "allow_dangerous_mounts": true'
	mkdir -p .para
	ln -s "$REPO/.git" "$TEST_TMP/gitlink"
	before=$(disk_snapshot)
	for spec in "$REPO/.git:/g" "./.git/hooks:/h" ".:/r" "$REPO/.para:/p" "$TEST_TMP/gitlink:/l" "..:/up"; do
		expect_rc 2 "$PARA" start -c --detach s --mount "$spec"
		assert_one_line "$out"
		assert_contains "$out" "git directory or .para" "refusal of $spec"
	done
	assert_eq "$before" "$(disk_snapshot)" "disk after the refusals"
	[ -z "$(repo_containers)" ] || fail "a container was made"
}

# A clone's own config: mounting the repository itself (with its .git) is
# refused outright; a setup script that a symlink takes out of the
# repository needs 'para trust'.
test_untrusted_clone_cannot_widen_through_mounts_or_setup() {
	mounts_repo
	user_config '"mounts": []'
	mkdir -p .para
	echo '{"docker": {"mounts": [".:/repo"]}}' >.para/config.json
	git add -A && git commit -q -m "mount the repo"
	before=$(disk_snapshot)
	expect_rc 4 "$PARA" start -c --detach s
	assert_one_line "$out"
	assert_contains "$out" "docker.mounts: mount '.:/repo' would share the repository's git directory"
	git rm -q .para/config.json && git commit -q -m "no config"
	echo "host secret" >"$TEST_TMP/secret"
	mkdir -p .para # git rm took the folder with its last file
	ln -s "$TEST_TMP/secret" .para/setup.sh || fail "no symlink"
	git add -A && git commit -q -m "setup from outside"
	before=$(disk_snapshot)
	expect_rc 4 "$PARA" start -c --detach s
	assert_contains "$out" "para trust"
	assert_eq "$before" "$(disk_snapshot)" "disk after the refusals"
	[ -z "$(repo_containers)" ] || fail "a container was made"
}
