# Resource limits: docker.resources, a profile's resources, --memory and the
# other flags, each seen by the engine; bad values refused before anything.

res_repo() {
	need_engine
	need_image "$BUSYBOX_IMAGE"
	mkrepo
	CLEAN_REPOS+=("$REPO")
	trap cleanup_engine_objects EXIT
}

user_config() { # docker-object-json
	mkdir -p "$XDG_CONFIG_HOME/para"
	printf '{"agent": {"command": ["true"]}, "docker": {"default_image": "%s", %s}}\n' "$BUSYBOX_IMAGE" "$1" \
		>"$XDG_CONFIG_HOME/para/config.json"
}

host_config() { # session go-template-field
	"$DOCKER" inspect -f "{{.HostConfig.$2}}" "$(jq -r .container.name ".para/state/$1.json")"
}

test_each_layer_sets_the_limits() {
	res_repo
	user_config '"resources": {"memory": "64m", "cpus": 1, "pids_limit": 200, "shm_size": "16m"},
		"profiles": {"base": {"resources": {"memory": "96m"}}, "p": {"extends": "base"}}'
	expect_rc 0 "$PARA" start -c --detach u
	assert_eq 67108864 "$(host_config u Memory)" "user config memory"
	assert_eq 1000000000 "$(host_config u NanoCpus)" "user config cpus"
	assert_eq 200 "$(host_config u PidsLimit)" "user config pids_limit"
	assert_eq 16777216 "$(host_config u ShmSize)" "user config shm_size"
	expect_rc 0 "$PARA" start -c --detach p --docker-profile p
	assert_eq 100663296 "$(host_config p Memory)" "the profile's memory, through extends"
	assert_eq 1000000000 "$(host_config p NanoCpus)" "cpus the profile leaves to the config"
	expect_rc 0 "$PARA" start -c --detach f --docker-profile p --memory 1.5g --cpus 0.5 --pids-limit 64 \
		--shm-size 32m
	assert_eq 1610612736 "$(host_config f Memory)" "--memory"
	assert_eq 500000000 "$(host_config f NanoCpus)" "--cpus"
	assert_eq 64 "$(host_config f PidsLimit)" "--pids-limit"
	assert_eq 33554432 "$(host_config f ShmSize)" "--shm-size"
	expect_rc 0 "$PARA" start -c --dry-run --json d --memory 2g
	assert_eq 2g "$(jq -r .container.memory <<<"$out")" "dry run"
}

test_bad_values_create_nothing() {
	res_repo
	user_config '"resources": {}'
	before=$(disk_snapshot)
	while read -r flag value want; do
		expect_rc 2 "$PARA" start -c --detach s "$flag" "$value"
		assert_one_line "$out"
		assert_contains "$out" "$flag is '$value'; give $want"
	done <<'EOT'
--memory 2x a size
--memory 1m a size of at least 6m
--memory -1g a size
--cpus 0.001 a number of CPUs
--cpus 1.5.1 a number of CPUs
--cpus 1.0000000001 a number of CPUs
--pids-limit many an integer
--shm-size 0 a size
--gpus some all, a count
EOT
	user_config '"resources": {"memory": "1k"}'
	expect_rc 4 "$PARA" start -c --detach s
	assert_contains "$out" "'docker.resources.memory' is '1k'; give a size of at least 6m"
	user_config '"profiles": {"p": {"resources": {"cpus": []}}}'
	expect_rc 4 "$PARA" start -c --detach s --docker-profile p
	assert_contains "$out" "'docker.profiles.p.resources.cpus' must be a string, a number or null"
	assert_eq "$before" "$(disk_snapshot)" "disk after the refusals"
	[ -z "$(repo_containers)" ] || fail "a container was made"
}

# Profiles: list and show (resolved, each key with the profile and file
# that set it); extends is a name or a list; a cycle or an unknown parent is
# exit 4 naming the chain, before anything is made.
test_profiles_list_show_and_extends() {
	res_repo
	user_config '"default_profile": "py", "profiles": {
		"base": {"resources": {"memory": "96m"}, "env_vars": {"A": "base"}},
		"extra": {"resources": {"cpus": "0.5"}, "env_vars": {"B": "extra"}},
		"py": {"extends": ["base", "extra"], "env_vars": {"A": "py"}},
		"offline": {"extends": "py", "network": {"mode": "none"}}}'
	expect_rc 0 "$PARA" profile list
	assert_line "$out" "* py extends [\"base\",\"extra\"]  ($XDG_CONFIG_HOME/para/config.json)"
	assert_line "$out" "  base  ($XDG_CONFIG_HOME/para/config.json)"
	expect_rc 0 "$PARA" profile show py --json
	assert_eq "py py" "$(jq -r '."env_vars.A" | "\(.profile) \(.value)"' <<<"$out")" "the child's own key"
	assert_eq "extra extra" "$(jq -r '."env_vars.B" | "\(.profile) \(.value)"' <<<"$out")" "a parent's key"
	assert_eq "base 96m" "$(jq -r '."resources.memory" | "\(.profile) \(.value)"' <<<"$out")" "the first parent's"
	assert_eq "extra 0.5" "$(jq -r '."resources.cpus" | "\(.profile) \(.value)"' <<<"$out")" "the second's"
	# the default profile, through its parents, reaches the container
	expect_rc 0 "$PARA" start -c --detach s
	assert_eq 100663296 "$(host_config s Memory)" "memory from the first parent"
	assert_eq py "$("$PARA" exec -q s -- sh -c 'echo $A' 2>&1)" "the child's variable"
	[ "$(host_config s NetworkMode)" != none ] || fail "network none without the profile's"
	# a profile's network.mode is the container's
	expect_rc 0 "$PARA" start -c --detach o --docker-profile offline
	assert_eq none "$(host_config o NetworkMode)" "the profile's network.mode"
	before=$(disk_snapshot)
	expect_rc 4 "$PARA" start -c --detach t --docker-profile zzz
	assert_one_line "$out"
	assert_contains "$out" "no profile named 'zzz'"
	# a cycle or a missing parent anywhere makes the file invalid: exit 4
	# naming the chain and where it is, for every command
	u=$XDG_CONFIG_HOME/para/config.json
	user_config '"profiles": {"ok": {},
		"loop1": {"extends": "loop2"}, "loop2": {"extends": ["base", "loop1"]}, "base": {}}'
	for cmd in "start -c --detach t --docker-profile ok" "profile list" "config show"; do
		expect_rc 4 "$PARA" $cmd
		assert_one_line "$out"
		assert_contains "$out" "$u:2:44: profiles extend in a cycle: loop1 → loop2 → loop1"
	done
	user_config '"profiles": {"orphan": {"extends": "nope"}}'
	expect_rc 4 "$PARA" start -c --detach t
	assert_contains "$out" "$u:1:114: profile 'orphan' extends 'nope', which does not exist"
	assert_eq "$before" "$(disk_snapshot)" "disk after the refusals"
	user_config '"profiles": {"p": {}}'
	expect_rc 2 "$PARA" profile show
	expect_rc 2 "$PARA" profile show a b
}
