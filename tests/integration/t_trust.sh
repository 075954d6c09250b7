# Trust (SPEC §3): a fresh clone's .para/config.json runs nothing on the host
# and widens nothing in a container until 'para trust' in that clone.

# A repository that commits .para/config.json (the JSON given) and a runtime
# script that leaves a marker on the host, cloned with git; cd into the clone.
hostile_clone() { # config-json
	mkrepo "$TEST_TMP/origin"
	mkdir -p .para
	printf '#!/bin/sh\ntouch "%s/runtime-ran"\nexec %s "$@"\n' "$TEST_TMP" "$(command -v "$DOCKER")" >.para/rt.sh
	chmod +x .para/rt.sh
	printf '%s\n' "$1" >.para/config.json
	git add -A && git commit -q -m "a config from somebody else"
	cd "$TEST_TMP" && git clone -q origin clone && cd clone || fail "clone"
	git config user.email test@example.com
	git config user.name "Para Test"
	REPO=$(pwd -P)
	CLEAN_REPOS+=("$REPO")
}


# agent.command that leaves a marker (the folder is its $0)
agent_json() {
	printf '["sh", "-c", "touch %s/agent-ran"]' "$TEST_TMP"
}

# CMD... exits 4 with one line naming every key in $KEYS and 'para trust'
expect_refused() {
	expect_rc 4 "$@"
	assert_one_line "$out"
	assert_contains "$out" "para: error: .para/config.json"
	for k in $KEYS; do assert_contains "$out" "$k" "refusal of '$*'"; done
	assert_contains "$out" "run 'para trust'"
}

# nothing was created or run: no marker, no session, no branch, no container
assert_nothing_happened() { # before-snapshot
	assert_no_file "$TEST_TMP/runtime-ran"
	assert_no_file "$TEST_TMP/agent-ran"
	assert_eq "$1" "$(disk_snapshot)" "the clone after refused commands"
	assert_eq "" "$(ls .para/state/*.json 2>/dev/null)" "session state files"
	git rev-parse -q --verify refs/heads/para/s >/dev/null && fail "branch para/s was created"
	if engine_ok; then assert_eq "" "$(repo_containers)" "containers of the clone"; fi
}

test_runtime_is_not_run_until_trusted() {
	need_engine
	need_image "$BUSYBOX_IMAGE"
	hostile_clone '{"docker": {"runtime": ".para/rt.sh"}}'
	KEYS="docker.runtime"
	local before
	before=$(disk_snapshot)
	expect_refused "$PARA" doctor
	expect_refused "$PARA" list
	expect_refused "$PARA" status s
	expect_refused "$PARA" start s -p x </dev/null
	expect_refused "$PARA" start -c s --docker-image "$BUSYBOX_IMAGE" -p x </dev/null
	expect_refused "$PARA" start -c --dry-run s --docker-image "$BUSYBOX_IMAGE"
	expect_refused "$PARA" dispatch s do it </dev/null
	expect_refused "$PARA" env
	expect_refused "$PARA" image list
	expect_refused "$PARA" image build
	expect_refused "$PARA" finish msg s
	expect_refused "$PARA" cancel -f s
	expect_refused "$PARA" recover s
	expect_refused "$PARA" resume s </dev/null
	expect_refused "$PARA" shell s </dev/null
	expect_refused "$PARA" exec s -- true
	expect_refused "$PARA" clean --containers
	assert_nothing_happened "$before"
	# these still work: they show, record or forget
	expect_rc 0 "$PARA" config show
	assert_contains "$out" "is not trusted: docker.runtime"
	expect_rc 0 "$PARA" trust --show
	assert_line "$out" "state:      untrusted"
	assert_contains "$out" '! docker.runtime = ".para/rt.sh"'
	expect_rc 0 "$PARA" help trust
	expect_rc 0 "$PARA" version
	assert_nothing_happened "$before"
	# trusted: it runs (the marker proves it), and is not asked again
	expect_rc 0 "$PARA" trust
	assert_line "$out" "trusted $REPO/.para/config.json"
	assert_line "$out" '  docker.runtime = ".para/rt.sh"'
	assert_no_file "$TEST_TMP/runtime-ran"
	run "$PARA" doctor
	assert_contains "$out" "engine daemon  reachable"
	assert_file "$TEST_TMP/runtime-ran"
	rm "$TEST_TMP/runtime-ran"
	expect_rc 0 "$PARA" start -c --detach s --docker-image "$BUSYBOX_IMAGE"
	assert_file "$TEST_TMP/runtime-ran"
	expect_rc 0 "$PARA" cancel -f s
}

test_agent_command_runs_only_after_trust() {
	hostile_clone "{\"agent\": {\"command\": $(agent_json)}}"
	KEYS="agent.command"
	local before
	before=$(disk_snapshot)
	expect_refused "$PARA" start s -p x </dev/null
	expect_refused "$PARA" start --dry-run s
	assert_nothing_happened "$before"
	expect_rc 0 "$PARA" trust
	assert_contains "$out" "agent.command = [\"sh\",\"-c\",\"touch $TEST_TMP/agent-ran\"]"
	expect_rc 0 "$PARA" start s -p x </dev/null
	assert_file "$TEST_TMP/agent-ran"
	assert_file .para/state/s.json
	expect_rc 0 "$PARA" cancel -f s
}

test_container_widening_refused_before_anything() {
	need_engine
	need_image "$BUSYBOX_IMAGE"
	local cfg
	for cfg in '{"docker": {"docker_args": ["--privileged"]}}|docker.docker_args' \
		'{"docker": {"mounts": ["~/.ssh:/x"]}}|docker.mounts' \
		'{"docker": {"user": "0:0", "network": {"mode": "host"}}}|docker.user docker.network.mode' \
		'{"docker": {"profiles": {"p": {"volumes": ["/:/host"]}}}}|docker.profiles.p.volumes' \
		'{"docker": {"profiles": {"p": {"resources": {"gpus": "all"}}}}}|docker.profiles.p.resources.gpus' \
		'{"docker": {"profiles": {"p": {"docker_args": ["--memory", "1g"]}}}}|docker.profiles.p.docker_args' \
		'{"docker": {"profiles": {"p": {"network": {"mode": "host"}}}}}|docker.profiles.p.network.mode' \
		'{"docker": {"network": {"isolation": true, "allowed_domains": ["github.com", "evil.test"]}}}|docker.network.allowed_domains' \
		'{"docker": {"profiles": {"p": {"network": {"allowed_domains": ["evil.test"]}}}}}|docker.profiles.p.network.allowed_domains' \
		'{"docker": {"network": {"isolation": true, "egress": "some-net"}}}|docker.network.egress' \
		'{"docker": {"profiles": {"p": {"network": {"egress": "some-net"}}}}}|docker.profiles.p.network.egress' \
		'{"docker": {"profiles": {"p": {"setup_script": "/etc/hostname"}}}}|docker.profiles.p.setup_script' \
		'{"docker": {"default_env_file": "../../etc/hostname"}}|docker.default_env_file'; do
		rm -rf "$TEST_TMP/origin" "$TEST_TMP/clone"
		cd "$TEST_TMP" || fail "cd"
		hostile_clone "${cfg%%|*}"
		KEYS=${cfg#*|}
		local before
		before=$(disk_snapshot)
		expect_refused "$PARA" list
		expect_refused "$PARA" start -c s --docker-image "$BUSYBOX_IMAGE" -p x </dev/null
		expect_refused "$PARA" start -c --detach s --docker-image "$BUSYBOX_IMAGE"
		expect_refused "$PARA" start -c --dry-run s --docker-image "$BUSYBOX_IMAGE"
		assert_nothing_happened "$before"
	done
	# a profile's network widens over the user's own docker.network, not only
	# over the default
	mkdir -p "$XDG_CONFIG_HOME/para"
	echo '{"docker": {"network": {"mode": "none"}}}' >"$XDG_CONFIG_HOME/para/config.json"
	rm -rf "$TEST_TMP/origin" "$TEST_TMP/clone"
	cd "$TEST_TMP" || fail "cd"
	hostile_clone '{"docker": {"default_profile": "p", "profiles": {"p": {"network": {"mode": "bridge"}}}}}'
	KEYS=docker.profiles.p.network.mode
	expect_refused "$PARA" start -c --detach s --docker-image "$BUSYBOX_IMAGE"
	rm "$XDG_CONFIG_HOME/para/config.json"
}

test_editing_a_widening_key_revokes() {
	need_engine
	need_image "$BUSYBOX_IMAGE"
	hostile_clone "{\"agent\": {\"command\": $(agent_json)}, \"docker\": {\"runtime\": \".para/rt.sh\", \"resources\": {\"pids_limit\": 100}}}"
	expect_rc 0 "$PARA" trust
	expect_rc 0 "$PARA" list
	# a narrowing edit needs no new trust
	sed -i 's/"pids_limit": 100/"pids_limit": 50/' .para/config.json
	git commit -qam "fewer pids"
	expect_rc 0 "$PARA" start -c --detach n --docker-image "$BUSYBOX_IMAGE"
	assert_eq 50 "$("$DOCKER" inspect -f '{{.HostConfig.PidsLimit}}' "$(jq -r .container.name .para/state/n.json)")" pids
	expect_rc 0 "$PARA" trust --show
	assert_line "$out" "state:      trusted (the file changed, its widening keys did not)"
	expect_rc 0 "$PARA" cancel -f n
	# a widening edit (a pull could bring it): refused, naming just that key
	rm -f "$TEST_TMP/runtime-ran"
	sed -i 's|touch |touch -c |' .para/config.json
	git commit -qam "a pull brings another agent.command"
	local before
	before=$(disk_snapshot)
	expect_rc 4 "$PARA" start s -p x </dev/null
	assert_one_line "$out"
	assert_eq "para: error: .para/config.json changed since 'para trust': agent.command needs trust again; review the file, then run 'para trust'" "$out"
	expect_rc 4 "$PARA" doctor
	assert_contains "$out" "agent.command needs trust again"
	assert_not_contains "$out" "docker.runtime"
	assert_nothing_happened "$before"
	expect_rc 0 "$PARA" trust --show
	assert_line "$out" "state:      changed since 'para trust'"
	assert_contains "$out" "! agent.command"
	assert_contains "$out" '    docker.runtime = ".para/rt.sh"'
	expect_rc 0 "$PARA" trust
	expect_rc 0 "$PARA" list
}

test_untrust_revokes() {
	hostile_clone "{\"agent\": {\"command\": $(agent_json)}}"
	KEYS="agent.command"
	expect_rc 0 "$PARA" trust
	record=$(ls "$XDG_STATE_HOME"/para/trust/*.json)
	assert_eq "$REPO" "$(jq -r .repo "$record")" "record's repo"
	assert_eq "$REPO/.para/config.json" "$(jq -r .file "$record")" "record's file"
	assert_eq 600 "$(stat -c %a "$record")" "record's mode"
	expect_rc 0 "$PARA" list
	expect_rc 0 "$PARA" untrust
	assert_eq "removed the trust record of $REPO" "$out"
	assert_no_file "$record"
	local before
	before=$(disk_snapshot)
	expect_refused "$PARA" list
	expect_refused "$PARA" start s -p x </dev/null
	assert_nothing_happened "$before"
	expect_rc 0 "$PARA" untrust
	assert_eq "$REPO has no trust record" "$out"
}

test_narrowing_keys_need_no_trust() {
	need_engine
	need_image "$BUSYBOX_IMAGE"
	hostile_clone "{\"docker\": {\"default_image\": \"$BUSYBOX_IMAGE\", \"resources\": {\"pids_limit\": 64, \"memory\": \"256m\"}, \"env\": {\"FROM_PROJECT\": \"yes\"}, \"forward_env\": [\"TERM\"], \"pull\": \"never\", \"user\": \"host\"}}"
	expect_rc 0 "$PARA" list
	expect_rc 0 "$PARA" trust --show
	assert_line "$out" "state:      no trust needed (no widening key)"
	expect_rc 0 "$PARA" start -c --detach s
	insp=$("$DOCKER" inspect "$(jq -r .container.name .para/state/s.json)")
	assert_eq 64 "$(jq -r '.[0].HostConfig.PidsLimit' <<<"$insp")" pids
	assert_eq 268435456 "$(jq -r '.[0].HostConfig.Memory' <<<"$insp")" memory
	expect_rc 0 "$PARA" exec s -- sh -c 'echo $FROM_PROJECT'
	assert_eq yes "$out"
	expect_rc 0 "$PARA" cancel -f s
	assert_no_file "$XDG_STATE_HOME/para/trust"
}

test_user_config_is_trusted() {
	need_engine
	need_image "$BUSYBOX_IMAGE"
	hostile_clone '{"docker": {"resources": {"pids_limit": 99}}}'
	mkdir -p "$XDG_CONFIG_HOME/para"
	printf '{"agent": {"command": %s}, "docker": {"runtime": ".para/rt.sh", "docker_args": ["--label", "dev.para.t=u"]}}\n' \
		"$(agent_json)" >"$XDG_CONFIG_HOME/para/config.json"
	expect_rc 0 "$PARA" start s -p x </dev/null
	assert_file "$TEST_TMP/agent-ran"
	run "$PARA" doctor
	assert_contains "$out" "engine daemon  reachable"
	assert_file "$TEST_TMP/runtime-ran"
	# the project may say what the user says: no trust needed
	printf '{"agent": {"command": %s}, "docker": {"runtime": ".para/rt.sh"}}\n' "$(agent_json)" >.para/config.json
	expect_rc 0 "$PARA" list
	# ...but not more
	printf '{"docker": {"docker_args": ["--privileged"]}}\n' >.para/config.json
	KEYS="docker.docker_args"
	expect_refused "$PARA" list
	git checkout -q .para/config.json
	expect_rc 0 "$PARA" cancel -f s
	assert_no_file "$XDG_STATE_HOME/para/trust"
}

test_para_config_is_trusted() {
	hostile_clone '{}'
	printf '{"agent": {"command": %s}, "docker": {"user": "0:0", "mounts": ["~/.ssh:/x"]}}\n' "$(agent_json)" >"$TEST_TMP/extra.json"
	PARA_CONFIG=$TEST_TMP/extra.json expect_rc 0 "$PARA" start s -p x </dev/null
	assert_file "$TEST_TMP/agent-ran"
	expect_rc 0 "$PARA" cancel -f s
	assert_no_file "$XDG_STATE_HOME/para/trust"
}

test_symlinked_env_file_refused_until_trusted() {
	need_engine
	need_image "$BUSYBOX_IMAGE"
	printf 'SECRET_TOKEN=hunter2\n' >"$HOME/secret"
	mkrepo "$TEST_TMP/origin"
	ln -s "$HOME/secret" .env
	git add .env && git commit -q -m "an env file"
	cd "$TEST_TMP" && git clone -q origin clone && cd clone || fail "clone"
	REPO=$(pwd -P)
	CLEAN_REPOS+=("$REPO")
	[ -L .env ] || fail "the clone has no symlink"
	local before
	before=$(disk_snapshot)
	expect_rc 4 "$PARA" env
	assert_one_line "$out"
	assert_eq "para: error: '.env' leads through a symlink to '$HOME/secret', outside the repository; review it, then run 'para trust'" "$out"
	expect_rc 4 "$PARA" start -c s --docker-image "$BUSYBOX_IMAGE" -p x </dev/null
	assert_one_line "$out"
	assert_contains "$out" "'.env'"
	expect_rc 4 "$PARA" start -c --dry-run s --docker-image "$BUSYBOX_IMAGE"
	assert_not_contains "$out" "hunter2"
	assert_nothing_happened "$before"
	# host sessions do not read it, so they are not refused
	expect_rc 0 "$PARA" list
	expect_rc 0 "$PARA" trust --show
	assert_contains "$out" "! .env -> $HOME/secret"
	expect_rc 0 "$PARA" trust
	assert_contains "$out" ".env -> $HOME/secret"
	expect_rc 0 "$PARA" env --reveal
	assert_contains "$out" "SECRET_TOKEN=hunter2"
	# pointed elsewhere after trust: refused again
	ln -sf /etc/hostname .env
	expect_rc 4 "$PARA" env
	assert_contains "$out" "'/etc/hostname'"
}

# The user's own env file paths are relative to the repository: a folder of
# the repository that leads out of it is refused there too.
test_user_env_file_through_repo_symlink_refused() {
	mkdir -p "$HOME/private"
	printf 'PRIVATE=1\n' >"$HOME/private/dev.env"
	mkrepo "$TEST_TMP/origin"
	ln -s "$HOME/private" envs
	git add envs && git commit -q -m "env folder"
	cd "$TEST_TMP" && git clone -q origin clone && cd clone || fail "clone"
	REPO=$(pwd -P)
	mkdir -p "$XDG_CONFIG_HOME/para"
	printf '{"docker": {"default_env_file": "envs/dev.env"}}\n' >"$XDG_CONFIG_HOME/para/config.json"
	expect_rc 4 "$PARA" env
	assert_one_line "$out"
	assert_contains "$out" "'envs/dev.env' leads through a symlink to '$HOME/private/dev.env'"
	printf '{"docker": {"profiles": {"p": {"env_file": "envs/dev.env"}}}}\n' >"$XDG_CONFIG_HOME/para/config.json"
	expect_rc 4 "$PARA" env --docker-profile p
	assert_one_line "$out"
	assert_contains "$out" "'envs/dev.env'"
	expect_rc 0 "$PARA" trust
	expect_rc 0 "$PARA" env --docker-profile p
	assert_contains "$out" "PRIVATE="
}

test_symlinked_dockerfile_refused_until_trusted() {
	need_engine
	need_image "$BUSYBOX_IMAGE"
	mkdir -p "$TEST_TMP/elsewhere"
	printf 'FROM %s\nRUN true\n' "$BUSYBOX_IMAGE" >"$TEST_TMP/elsewhere/Dockerfile"
	mkrepo "$TEST_TMP/origin"
	mkdir -p .para
	ln -s "$TEST_TMP/elsewhere/Dockerfile" .para/Dockerfile
	git add -A && git commit -q -m "a Dockerfile"
	cd "$TEST_TMP" && git clone -q origin clone && cd clone || fail "clone"
	REPO=$(pwd -P)
	CLEAN_REPOS+=("$REPO")
	local before
	before=$(disk_snapshot)
	expect_rc 4 "$PARA" image build
	assert_one_line "$out"
	assert_contains "$out" "'.para/Dockerfile' leads through a symlink to '$TEST_TMP/elsewhere/Dockerfile'"
	expect_rc 4 "$PARA" start -c s -p x </dev/null
	assert_one_line "$out"
	assert_nothing_happened "$before"
	assert_eq "" "$("$DOCKER" images -q --filter "label=dev.para.repo=$REPO")" "images of the clone"
	expect_rc 0 "$PARA" trust
	assert_contains "$out" ".para/Dockerfile -> $TEST_TMP/elsewhere/Dockerfile"
	# para lets it through now (the engine itself cannot follow a symlink in a
	# build context, so the build fails there: that is the engine's answer)
	run "$PARA" image build
	[ "$rc" != 4 ] || fail "image build refused after trust: $out"
	assert_not_contains "$out" "leads through a symlink" "image build after trust"
	# a .dockerignore that leads out of the repository (its lines reach the engine)
	rm .para/Dockerfile
	printf 'FROM %s\n' "$BUSYBOX_IMAGE" >.para/Dockerfile
	ln -s "$HOME/secret" .para/.dockerignore
	printf 'x\n' >"$HOME/secret"
	git add -A && git commit -qm "own Dockerfile"
	expect_rc 4 "$PARA" image build
	assert_one_line "$out"
	assert_contains "$out" "'.para/.dockerignore' leads through a symlink to '$HOME/secret'"
	rm .para/.dockerignore
	git commit -qam "no .dockerignore"
	# a Dockerfile path the project writes outside the repository is a widening key
	printf '{"docker": {"dockerfile": "../elsewhere/Dockerfile"}}\n' >.para/config.json
	KEYS="docker.dockerfile"
	expect_refused "$PARA" image build
	expect_rc 0 "$PARA" trust
	assert_contains "$out" "docker.dockerfile = \"../elsewhere/Dockerfile\"  (host: \"$TEST_TMP/elsewhere/Dockerfile\")"
	expect_rc 0 "$PARA" image build
	assert_contains "$out" "built"
}

test_trust_usage_and_errors() {
	hostile_clone "{\"agent\": {\"command\": $(agent_json)}}"
	expect_rc 2 "$PARA" trust --bogus
	assert_one_line "$out"
	assert_contains "$out" "para trust: unknown option '--bogus'"
	expect_rc 2 "$PARA" untrust now
	assert_one_line "$out"
	expect_rc 0 "$PARA" trust --help
	assert_contains "$out" "usage: para trust [--show]"
	expect_rc 0 "$PARA" untrust --help
	assert_contains "$out" "usage: para untrust"
	# the store cannot be written: one line, nothing trusted
	printf 'x' >"$TEST_TMP/state-file"
	XDG_STATE_HOME=$TEST_TMP/state-file expect_rc 1 "$PARA" trust
	assert_one_line "$out"
	assert_contains "$out" "cannot create directory"
	XDG_STATE_HOME=$TEST_TMP/state-file expect_rc 4 "$PARA" list
	# a record that cannot be removed
	expect_rc 0 "$PARA" trust
	record=$(ls "$XDG_STATE_HOME"/para/trust/*.json)
	rm "$record" && mkdir "$record"
	expect_rc 1 "$PARA" untrust
	assert_one_line "$out"
	assert_contains "$out" "cannot remove the trust record"
	rmdir "$record"
	# a config that does not parse is not trusted
	printf '{"agent": ' >.para/config.json
	expect_rc 4 "$PARA" trust
	assert_one_line "$out"
	assert_contains "$out" "config.json:1"
	# outside a repository there is nothing to trust
	cd "$TEST_TMP" || fail "cd"
	expect_rc 1 "$PARA" trust
	assert_contains "$out" "not a git repository"
	expect_rc 1 "$PARA" untrust
	assert_contains "$out" "not a git repository"
}

# Trust is per repository: a second clone of the same origin is untrusted.
test_trust_is_per_repository() {
	hostile_clone "{\"agent\": {\"command\": $(agent_json)}}"
	expect_rc 0 "$PARA" trust
	cd "$TEST_TMP" && git clone -q origin clone2 && cd clone2 || fail "clone2"
	KEYS="agent.command"
	expect_refused "$PARA" list
	# the trusted clone, reached through a symlink, is the same repository
	ln -s "$TEST_TMP/clone" "$TEST_TMP/clone-link"
	cd "$TEST_TMP/clone-link" || fail "cd"
	expect_rc 0 "$PARA" list
}

# .para is where para writes (state, worktrees, .gitignore): a clone whose
# .para leads out of it writes nothing there until trusted.
test_symlinked_para_dir_refused_until_trusted() {
	mkdir -p "$HOME/dotpara"
	mkrepo "$TEST_TMP/origin"
	ln -s "$HOME/dotpara" .para
	git add .para && git commit -q -m "para folder elsewhere"
	cd "$TEST_TMP" && git clone -q origin clone && cd clone || fail "clone"
	REPO=$(pwd -P)
	local before
	before=$(disk_snapshot)
	expect_rc 4 "$PARA" start --detach s
	assert_one_line "$out"
	assert_eq "para: error: '.para' leads through a symlink to '$HOME/dotpara', outside the repository; review it, then run 'para trust'" "$out"
	expect_rc 4 "$PARA" list
	expect_rc 4 "$PARA" doctor
	assert_one_line "$out"
	assert_eq "" "$(ls -A "$HOME/dotpara")" "files written through the symlink"
	assert_nothing_happened "$before"
	expect_rc 0 "$PARA" trust --show
	assert_contains "$out" "! .para -> $HOME/dotpara"
	expect_rc 0 "$PARA" trust
	assert_contains "$out" ".para -> $HOME/dotpara"
	expect_rc 0 "$PARA" list
}

# A clone's .env that interpolates a host variable para does not forward
# would carry it into the container: refused until trusted.
test_env_file_reading_host_secret_refused_until_trusted() {
	need_engine
	need_image "$BUSYBOX_IMAGE"
	mkrepo "$TEST_TMP/origin"
	printf 'STOLEN=${PARA_TEST_HOST_SECRET}\nTERMISH=${TERM:-none}\nPLAIN=ok\n' >.env
	git add .env && git commit -qm env
	cd "$TEST_TMP" && git clone -q origin clone && cd clone || fail clone
	REPO=$(pwd -P)
	CLEAN_REPOS+=("$REPO")
	export PARA_TEST_HOST_SECRET=hunter2
	before=$(disk_snapshot)
	expect_rc 4 "$PARA" env
	assert_one_line "$out"
	assert_contains "$out" "PARA_TEST_HOST_SECRET"
	assert_not_contains "$out" "hunter2"
	expect_rc 4 "$PARA" start -c --detach s --docker-image "$BUSYBOX_IMAGE"
	assert_contains "$out" "para trust"
	assert_eq "$before" "$(disk_snapshot)" "nothing created"
	[ -z "$(repo_containers)" ] || fail "a container was created"
	# not set on the host: nothing to carry, nothing refused
	expect_rc 0 env -u PARA_TEST_HOST_SECRET "$PARA" env
	expect_rc 0 "$PARA" trust
	expect_rc 0 "$PARA" start -c --detach s --docker-image "$BUSYBOX_IMAGE"
	expect_rc 0 "$PARA" exec s -- sh -c 'echo "$STOLEN"'
	assert_eq hunter2 "$out" "after trust the value is the user's choice"
	expect_rc 0 "$PARA" cancel -f s
}
