# docker_args: raw engine flags that remove confinement are refused, wherever
# they come from, unless docker.allow_dangerous_mounts is set in a trusted
# config; flags that confine nothing less are passed as they are.

dargs_repo() {
	need_engine
	need_image "$BUSYBOX_IMAGE"
	mkrepo
	CLEAN_REPOS+=("$REPO")
}

user_config() { # docker-object-json
	mkdir -p "$XDG_CONFIG_HOME/para"
	printf '{"agent": {"command": ["true"]}, "docker": %s}\n' "$1" >"$XDG_CONFIG_HOME/para/config.json"
}

test_dangerous_docker_args_refused_before_anything() {
	dargs_repo
	local sock=/var/run/docker.sock
	while read -r rule args; do
		user_config "{\"docker_args\": $args}"
		before=$(disk_snapshot)
		expect_rc 4 "$PARA" start -c --detach s --docker-image "$BUSYBOX_IMAGE"
		assert_one_line "$out"
		assert_contains "$out" "(rule: $rule)" "refusal of $args"
		assert_eq "$before" "$(disk_snapshot)" "disk after refusing $args"
		[ -z "$(repo_containers)" ] || fail "a container was made for $args"
		expect_rc 4 "$PARA" start -c s --dry-run --docker-image "$BUSYBOX_IMAGE"
		assert_contains "$out" "(rule: $rule)" "dry run of $args"
	done <<EOT
privileged ["--privileged"]
cap-add ["--cap-add", "SYS_ADMIN"]
dangerous-mount ["-v", "/:/host"]
engine-socket ["-v", "$sock:/s"]
host-namespace ["--network", "host"]
security-opt ["--security-opt", "seccomp=unconfined"]
dangerous-mount ["--mount", "type=bind,src=$HOME/.ssh,dst=/k"]
dangerous-mount ["-itv", "$HOME:/h"]
not-a-flag ["--memory", "64m", "sh"]
EOT
	assert_no_file .para/state/s.json
	git rev-parse --verify -q refs/heads/para/s >/dev/null && fail "branch made"
	true
}

test_allow_dangerous_mounts_lets_cap_add_through() {
	dargs_repo
	user_config '{"docker_args": ["--cap-add", "SYS_ADMIN"], "allow_dangerous_mounts": true}'
	expect_rc 0 "$PARA" start -c --detach s --docker-image "$BUSYBOX_IMAGE"
	expect_rc 0 "$PARA" exec s -- sh -c 'grep CapBnd /proc/self/status'
	# CAP_SYS_ADMIN is bit 21
	bnd=$((16#$(awk '{print $2}' <<<"$out")))
	[ $(((bnd >> 21) & 1)) = 1 ] || fail "no CAP_SYS_ADMIN in the bounding set: $out"
	expect_rc 0 "$PARA" cancel -f s
}

test_safe_docker_args_are_applied() {
	dargs_repo
	user_config '{"docker_args": ["--memory", "64m", "--label", "--privileged"]}'
	expect_rc 0 "$PARA" start -c --detach s --docker-image "$BUSYBOX_IMAGE"
	c=$(jq -r .container.name .para/state/s.json)
	assert_eq 67108864 "$("$DOCKER" inspect -f '{{.HostConfig.Memory}}' "$c")" "memory limit"
	assert_eq false "$("$DOCKER" inspect -f '{{.HostConfig.Privileged}}' "$c")" "not privileged"
	expect_rc 0 "$PARA" cancel -f s
}

# A repository's own docker_args need trust first, and even trusted ones are
# checked: trusting a repo is not allowing it to lift confinement.
test_project_docker_args_trusted_still_checked() {
	dargs_repo
	mkdir -p .para
	printf '{"docker": {"docker_args": ["--privileged"]}}\n' >.para/config.json
	git add -A && git commit -qm config
	expect_rc 4 "$PARA" start -c --detach s --docker-image "$BUSYBOX_IMAGE"
	assert_contains "$out" "para trust"
	expect_rc 0 "$PARA" trust
	expect_rc 4 "$PARA" start -c --detach s --docker-image "$BUSYBOX_IMAGE"
	assert_contains "$out" "(rule: privileged)"
	assert_no_file .para/state/s.json
}

# --docker-args and a profile's docker_args: split with no expansion, in
# order after docker.docker_args, checked like them, kept for a re-create.
test_docker_args_flag_and_profile_reach_the_engine() {
	dargs_repo
	user_config '{"docker_args": ["--label", "from=config"],
		"profiles": {"p": {"docker_args": ["--label", "from=profile", "--memory", "96m"]}}}'
	export PARA_TEST_SECRET=leaked
	expect_rc 0 "$PARA" start -c --detach s --docker-image "$BUSYBOX_IMAGE" --docker-profile p \
		--docker-args "--label 'spaced=a b' --label lit=\$PARA_TEST_SECRET" --docker-args '--memory 64m'
	c=$(jq -r .container.name .para/state/s.json)
	labels=$("$DOCKER" inspect -f '{{range $k, $v := .Config.Labels}}{{$k}}={{$v}}{{"\n"}}{{end}}' "$c")
	assert_line "$labels" "from=profile" # the same label later: the profile's replaces the config's
	assert_line "$labels" "spaced=a b"
	assert_line "$labels" 'lit=$PARA_TEST_SECRET'
	assert_not_contains "$labels" leaked
	# the flag comes last: its --memory wins over the profile's
	assert_eq 67108864 "$("$DOCKER" inspect -f '{{.HostConfig.Memory}}' "$c")" "memory limit"
	"$DOCKER" rm -f "$c" >/dev/null
	expect_rc 0 "$PARA" exec s -- true
	assert_eq 67108864 "$("$DOCKER" inspect -f '{{.HostConfig.Memory}}' "$c")" "memory after a re-create"
}

test_docker_args_flag_errors_create_nothing() {
	dargs_repo
	user_config '{}'
	before=$(disk_snapshot)
	expect_rc 2 "$PARA" start -c --detach s --docker-image "$BUSYBOX_IMAGE" --docker-args "--label 'open"
	assert_one_line "$out"
	assert_contains "$out" "--docker-args: unbalanced ' at position 9"
	expect_rc 2 "$PARA" start -c --detach s --docker-image "$BUSYBOX_IMAGE" --docker-args 'x\'
	assert_contains "$out" "trailing backslash"
	expect_rc 2 "$PARA" start -c --detach s --docker-image "$BUSYBOX_IMAGE" --docker-args '--privileged'
	assert_one_line "$out"
	assert_contains "$out" "(rule: privileged)"
	user_config '{"profiles": {"p": {"docker_args": ["--cap-add", "ALL"]}}}'
	expect_rc 4 "$PARA" start -c --detach s --docker-image "$BUSYBOX_IMAGE" --docker-profile p
	assert_contains "$out" "profile 'p' docker_args"
	assert_eq "$before" "$(disk_snapshot)" "disk after the refusals"
	[ -z "$(repo_containers)" ] || fail "a container was made"
}
