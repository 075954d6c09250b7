# The home volume (docker.home_volume) and para auth: a login written once by
# 'para auth setup' is the home of every later session's container, as the
# session's user; status never shows it; reset removes it; --commit copies it
# into para-authenticated:latest. Every volume and image a test makes goes
# with it (the volume names are the run's own).

TOKEN=TOKEN123
LOGIN='["sh", "-c", "mkdir -p $HOME/.agent && echo TOKEN123 > $HOME/.agent/creds"]'

# A repository whose user config points the login at $LOGIN (or $2), the
# sessions at busybox and the home at a volume of this test's own, as user
# $1 (default "host"); cd into it. Cleans up the volume, and para-empty when
# this test made it.
auth_repo() { # [docker.user] [login_command-json]
	need_engine
	need_image "$BUSYBOX_IMAGE"
	mkrepo
	CLEAN_REPOS+=("$REPO")
	VOL=para-it-home-$TEST_RUN_ID-$RANDOM
	write_user_config "${1:-host}" "${2:-$LOGIN}" "\"$VOL\""
	"$DOCKER" image inspect "para-empty:latest" >/dev/null 2>&1 && HAD_PROBE=1 || HAD_PROBE=0
	trap 'cleanup_engine_objects; auth_cleanup' EXIT
}

write_user_config() { # user login-json home_volume-json [agent-json]
	local agent='["true"]'
	[ -z "${4:-}" ] || agent=$4
	mkdir -p "$XDG_CONFIG_HOME/para"
	cat >"$XDG_CONFIG_HOME/para/config.json" <<JSON
{ "agent": { "command": $agent, "login_command": $2 },
  "docker": { "default_image": "$BUSYBOX_IMAGE", "user": "$1", "home_volume": $3 } }
JSON
}

auth_cleanup() {
	engine_ok || return 0
	[ -z "${VOL:-}" ] || "$DOCKER" volume rm -f "$VOL" >/dev/null 2>&1
	[ "${HAD_PROBE:-1}" = 1 ] || "$DOCKER" image rm "para-empty:latest" >/dev/null 2>&1
	return 0
}

# No auth container of this repository is left, running or not, nor a
# container --commit made (named after the auth container).
assert_no_auth_container() {
	local left
	left=$("$DOCKER" ps -a --filter "label=dev.para.role=auth" --filter "label=dev.para.repo=$REPO" --format '{{.Names}}')
	assert_eq "" "$left" "auth containers left behind"
	left=$("$DOCKER" ps -a --format '{{.Names}}' | grep -E '^para-auth-.*-commit$' || true)
	assert_eq "" "$left" "commit containers left behind"
}

vol_exists() { "$DOCKER" volume inspect "$1" >/dev/null 2>&1; }

test_login_is_the_home_of_later_sessions() {
	auth_repo
	# nothing there yet
	run "$PARA" auth status --json
	assert_eq 0 "$rc" "status: $out"
	assert_eq "$VOL false false 0" "$(jq -r '"\(.volume) \(.exists) \(.credentials) \(.files)"' <<<"$out")"
	vol_exists "$VOL" && fail "status made the volume"
	# the login, scripted: plain stdin, no terminal
	run "$PARA" auth setup </dev/null
	assert_eq 0 "$rc" "auth setup: $out"
	assert_contains "$out" "kept in the volume $VOL"
	assert_no_auth_container
	vol_exists "$VOL" || fail "no volume $VOL after setup"
	assert_eq "home $REPO $(id -u)" "$("$DOCKER" volume inspect -f \
		'{{index .Labels "dev.para.role"}} {{index .Labels "dev.para.origin"}} {{index .Labels "dev.para.uid"}}' "$VOL")" \
		"the volume's labels"
	assert_eq "" "$("$DOCKER" volume inspect -f '{{index .Labels "dev.para.repo"}}' "$VOL")" "a repository's label"
	# status says there is a login, never what it is
	run "$PARA" auth status
	assert_eq 0 "$rc" "status: $out"
	assert_line "$out" "credentials   yes (1 file)"
	assert_not_contains "$out" "$TOKEN"
	assert_not_contains "$out" "creds"
	run "$PARA" auth status --json
	assert_eq "$VOL true true 1" "$(jq -r '"\(.volume) \(.exists) \(.credentials) \(.files)"' <<<"$out")"
	assert_not_contains "$out" "$TOKEN"
	# a later session sees it, as the host's user, with HOME there, and no
	# credentials warning
	run env -u ANTHROPIC_API_KEY "$PARA" start -c s1 --detach
	assert_eq 0 "$rc" "start: $out"
	assert_not_contains "$out" "gets no credentials"
	run "$PARA" exec s1 -- sh -c 'id -u; echo "$HOME"; cat "$HOME/.agent/creds"'
	assert_eq 0 "$rc" "exec: $out"
	assert_eq "$(id -u)
/home/para
$TOKEN" "$out" "the session's user, home and login"
	run "$PARA" auth status --json
	assert_eq "s1 running" "$(jq -r '.used_by[] | "\(.session) \(.state)"' <<<"$out")" "used_by"
	# clean does not touch it (it holds logins)
	expect_rc 0 "$PARA" clean --containers
	vol_exists "$VOL" || fail "para clean removed the home volume"
	expect_rc 0 "$PARA" cancel -f s1
	vol_exists "$VOL" || fail "cancel removed the home volume"
	# reset: gone, and a later session has an empty home (and the warning)
	run "$PARA" auth reset
	assert_eq 0 "$rc" "reset: $out"
	assert_contains "$out" "removed $VOL"
	vol_exists "$VOL" && fail "reset left the volume"
	run env -u ANTHROPIC_API_KEY "$PARA" start -c s2 --detach
	assert_eq 0 "$rc" "start: $out"
	assert_contains "$out" "gets no credentials"
	assert_contains "$out" "para auth setup"
	run "$PARA" exec s2 -- sh -c 'ls -A "$HOME"; test -e "$HOME/.agent/creds" && echo still-there'
	assert_eq "" "$out" "the home after reset"
	run "$PARA" auth status --json
	assert_eq "true false 0" "$(jq -r '"\(.exists) \(.credentials) \(.files)"' <<<"$out")" "status after reset"
	expect_rc 0 "$PARA" cancel -f s2
}

# A uid of its own (tests run as root): the fresh volume becomes that uid's,
# so the login writes there, and its files are that uid's in the session.
test_login_as_a_mapped_uid_owns_its_files() {
	auth_repo "1234:1234"
	run "$PARA" auth setup </dev/null
	assert_eq 0 "$rc" "auth setup: $out"
	assert_no_auth_container
	assert_eq 1234 "$("$DOCKER" volume inspect -f '{{index .Labels "dev.para.uid"}}' "$VOL")" "the volume's uid label"
	expect_rc 0 "$PARA" start -c s --detach
	run "$PARA" exec s -- sh -c 'id -u; stat -c %u "$HOME" "$HOME/.agent/creds"; cat "$HOME/.agent/creds"; touch "$HOME/more" && echo writable'
	assert_eq 0 "$rc" "exec: $out"
	assert_eq "1234
1234
1234
$TOKEN
writable" "$out" "uid, owners of the home and the login, the login, a write"
	expect_rc 0 "$PARA" cancel -f s
}

# The container is re-created from the saved spec with the same volume,
# even after the config names another one.
test_recreated_container_keeps_its_volume() {
	auth_repo
	expect_rc 0 "$PARA" auth setup </dev/null
	expect_rc 0 "$PARA" start -c s --detach
	assert_eq "$VOL" "$(jq -r .container.home_volume .para/state/s.json)" "the saved spec's home volume"
	local other=para-it-home-$TEST_RUN_ID-other
	write_user_config host "$LOGIN" "\"$other\""
	"$DOCKER" rm -f "$(jq -r .container.name .para/state/s.json)" >/dev/null
	run "$PARA" exec s -- cat /home/para/.agent/creds
	assert_eq 0 "$rc" "exec after the container vanished: $out"
	assert_contains "$out" "re-creating it from the saved spec"
	assert_contains "$out" "$TOKEN"
	vol_exists "$other" && { "$DOCKER" volume rm -f "$other" >/dev/null; fail "the re-created container got the new volume"; }
	expect_rc 0 "$PARA" cancel -f s
}

# A saved spec from before the home volume (no home_volume key) still loads
# and is re-created as it was: no volume.
test_old_saved_spec_without_home_volume() {
	auth_repo
	expect_rc 0 "$PARA" start -c s --detach
	jq 'del(.container.home_volume)' .para/state/s.json >"$TEST_TMP/s.json" && cp "$TEST_TMP/s.json" .para/state/s.json
	"$DOCKER" rm -f "$(jq -r .container.name .para/state/s.json)" >/dev/null
	run "$PARA" exec s -- sh -c 'echo "$HOME"; ls -A /home/para'
	assert_eq 0 "$rc" "exec: $out"
	assert_contains "$out" "/home/para"
	local mounts
	mounts=$("$DOCKER" inspect -f '{{range .Mounts}}{{.Type}}:{{.Name}} {{end}}' "$(jq -r .container.name .para/state/s.json)")
	assert_not_contains "$mounts" "volume:" "mounts of the container re-created from an old spec"
	expect_rc 0 "$PARA" cancel -f s
}

test_commit_makes_the_authenticated_image() {
	auth_repo
	HAD_AUTH=$("$DOCKER" image inspect -f '{{.Id}}' para-authenticated:latest 2>/dev/null || true)
	trap 'cleanup_engine_objects; auth_cleanup; restore_authenticated "$HAD_AUTH"' EXIT
	run "$PARA" auth setup --commit </dev/null
	assert_eq 0 "$rc" "auth setup --commit: $out"
	assert_contains "$out" "para: warning: image para-authenticated:latest now holds the agent's login"
	assert_contains "$out" "never push it"
	assert_no_auth_container
	assert_eq "$TOKEN" "$("$DOCKER" run --rm para-authenticated:latest cat /home/para/.agent/creds)" \
		"the login in the image"
	assert_eq authenticated "$("$DOCKER" image inspect -f '{{index .Config.Labels "dev.para.role"}}' para-authenticated:latest)"
	# the image's own command is kept
	assert_eq "$("$DOCKER" image inspect -f '{{json .Config.Cmd}}' "$BUSYBOX_IMAGE")" \
		"$("$DOCKER" image inspect -f '{{json .Config.Cmd}}' para-authenticated:latest)" "the image's command"
	# the volume still holds it too
	vol_exists "$VOL" || fail "no volume after --commit"
}

# Put back the para-authenticated:latest there was before (or none).
restore_authenticated() { # id-before
	engine_ok || return 0
	local now
	now=$("$DOCKER" image inspect -f '{{.Id}}' para-authenticated:latest 2>/dev/null || true)
	[ -z "$now" ] || [ "$now" = "$1" ] || "$DOCKER" image rm -f "$now" >/dev/null 2>&1
	[ -z "$1" ] || "$DOCKER" tag "$1" para-authenticated:latest >/dev/null 2>&1
	return 0
}

test_setup_without_login_command() {
	auth_repo host '[]'
	run "$PARA" auth setup </dev/null
	assert_eq 4 "$rc" "setup without a login command: $out"
	assert_one_line "$out"
	assert_contains "$out" "set agent.login_command"
	assert_no_auth_container
	vol_exists "$VOL" && fail "a volume was made"
	return 0
}

test_failing_login_leaves_nothing_behind() {
	auth_repo host '["sh", "-c", "echo no way >&2; exit 7"]'
	run "$PARA" auth setup </dev/null
	assert_eq 7 "$rc" "a failing login's status: $out"
	assert_contains "$out" "no way"
	assert_no_auth_container
	# and one the image lacks: the engine's status for it
	write_user_config host '["no-such-login-cmd"]' "\"$VOL\""
	run "$PARA" auth setup </dev/null
	assert_eq 127 "$rc" "a missing login command: $out"
	assert_no_auth_container
	# an interrupt (Ctrl-C) while the login runs: its status, nothing left
	write_user_config host '["sh", "-c", "touch $HOME/started; exec sleep 30"]' "\"$VOL\""
	"$PARA" auth setup </dev/null >"$TEST_TMP/int.log" 2>&1 &
	local pid=$! name=""
	for _ in $(seq 100); do
		name=$("$DOCKER" ps --filter "label=dev.para.role=auth" --filter "label=dev.para.repo=$REPO" --format '{{.Names}}')
		[ -n "$name" ] && "$DOCKER" exec "$name" test -e /home/para/started 2>/dev/null && break
		sleep 0.1
	done
	[ -n "$name" ] || fail "the login never started: $(cat "$TEST_TMP/int.log")"
	kill -INT $pid
	wait $pid
	assert_eq 130 "$?" "para's status after Ctrl-C: $(cat "$TEST_TMP/int.log")"
	assert_no_auth_container
}

test_bad_home_volume_name() {
	auth_repo
	write_user_config host "$LOGIN" '"bad name!"'
	for cmd in "auth setup" "auth status" "auth reset" "start -c s --detach"; do
		run "$PARA" $cmd </dev/null
		assert_eq 4 "$rc" "$cmd with a bad volume name: $out"
		assert_one_line "$out"
		assert_contains "$out" "'docker.home_volume' is 'bad name!', not a volume name"
	done
	write_user_config host "$LOGIN" '"x"'
	expect_rc 4 "$PARA" auth status
	assert_one_line "$out"
	assert_eq "" "$("$DOCKER" volume ls -q --filter name=bad)" "volumes made"
	assert_eq "" "$(repo_containers)" "containers made"
	assert_no_auth_container
	[ ! -d .para/state ] || assert_eq "" "$(ls .para/state)" "sessions made"
}

# A project's .para/config.json that names a home volume (another one: it
# could be somebody's logins) is refused until 'para trust'; "none" only
# narrows and needs none.
test_project_home_volume_needs_trust() {
	auth_repo
	mkdir -p .para
	printf '{"docker": {"home_volume": "para-it-home-%s-theirs"}}\n' "$TEST_RUN_ID" >.para/config.json
	git add -A && git commit -q -m "project home volume"
	for cmd in "auth setup" "auth status" "auth reset" "start -c s --detach"; do
		run "$PARA" $cmd </dev/null
		assert_eq 4 "$rc" "$cmd with an untrusted home volume: $out"
		assert_one_line "$out"
		assert_contains "$out" "docker.home_volume"
		assert_contains "$out" "para trust"
	done
	vol_exists "para-it-home-$TEST_RUN_ID-theirs" && fail "the untrusted volume was made"
	assert_no_auth_container
	trust_repo
	run "$PARA" auth status --json
	assert_eq 0 "$rc" "status once trusted: $out"
	assert_eq "para-it-home-$TEST_RUN_ID-theirs" "$(jq -r .volume <<<"$out")"
	# "none" needs no trust
	"$PARA" untrust >/dev/null 2>&1
	printf '{"docker": {"home_volume": "none"}}\n' >.para/config.json
	git add -A && git commit -q -m "no home volume"
	run "$PARA" auth status --json
	assert_eq 0 "$rc" "status with none: $out"
	assert_eq "null false" "$(jq -r '"\(.volume) \(.exists)"' <<<"$out")"
	run "$PARA" auth setup </dev/null
	assert_eq 4 "$rc" "setup with none: $out"
	assert_one_line "$out"
	assert_contains "$out" "\"none\""
	# and a session then has no home volume at all
	expect_rc 0 "$PARA" start -c s --detach
	assert_eq null "$(jq -r .container.home_volume .para/state/s.json)"
	expect_rc 0 "$PARA" cancel -f s
}

# reset never stops a running agent, --force or not; a stopped container
# that holds the volume goes with --force, and is re-created fresh after.
test_reset_refuses_while_a_session_uses_it() {
	auth_repo
	expect_rc 0 "$PARA" auth setup </dev/null
	expect_rc 0 "$PARA" start -c s --detach
	local cname
	cname=$(jq -r .container.name .para/state/s.json)
	for force in "" --force; do
		run "$PARA" auth reset $force
		assert_eq 1 "$rc" "reset $force while s runs: $out"
		assert_one_line "$out"
		assert_contains "$out" "in use by the running container $cname (session s)"
		vol_exists "$VOL" || fail "reset $force removed the volume of a running session"
	done
	assert_eq running "$("$DOCKER" inspect -f '{{.State.Status}}' "$cname")"
	"$DOCKER" stop -t 1 "$cname" >/dev/null
	run "$PARA" auth reset
	assert_eq 1 "$rc" "reset with a stopped user: $out"
	assert_one_line "$out"
	assert_contains "$out" "held by the stopped container $cname"
	assert_contains "$out" "--force"
	vol_exists "$VOL" || fail "reset removed a volume a container holds"
	run "$PARA" auth reset --force
	assert_eq 0 "$rc" "reset --force: $out"
	vol_exists "$VOL" && fail "reset --force left the volume"
	run "$PARA" exec s -- sh -c 'ls -A /home/para'
	assert_eq 0 "$rc" "exec after reset: $out"
	assert_contains "$out" "re-creating it from the saved spec"
	assert_not_contains "$out" ".agent"
	expect_rc 0 "$PARA" cancel -f s
	# the fresh one the re-create made; then nothing to remove, which is no error
	expect_rc 0 "$PARA" auth reset
	assert_contains "$out" "removed $VOL"
	expect_rc 0 "$PARA" auth reset
	assert_contains "$out" "nothing to remove"
}

# The default name: para-home-<agent>-<uid>, the agent in the volume-name
# charset; no uid for the image's user. Asking makes nothing.
test_default_volume_name() {
	auth_repo
	local agent="it agent+$TEST_RUN_ID"
	write_user_config host "$LOGIN" null "[\"/opt/bin/$agent\", \"-x\"]"
	run "$PARA" auth status --json
	assert_eq 0 "$rc" "status: $out"
	assert_eq "para-home-it-agent-$TEST_RUN_ID-$(id -u)" "$(jq -r .volume <<<"$out")" "default name, host user"
	write_user_config "1234:1234" "$LOGIN" null "[\"/opt/bin/$agent\"]"
	run "$PARA" auth status --json
	assert_eq "para-home-it-agent-$TEST_RUN_ID-1234" "$(jq -r .volume <<<"$out")" "default name, UID:GID"
	write_user_config image "$LOGIN" null "[\"$agent\"]"
	run "$PARA" auth status --json
	assert_eq "para-home-it-agent-$TEST_RUN_ID" "$(jq -r .volume <<<"$out")" "default name, the image's user"
	assert_eq "" "$("$DOCKER" volume ls -q --filter "name=para-home-it-agent-$TEST_RUN_ID")" "volumes made"
	# a dry run shows the mount and makes nothing either
	write_user_config host "$LOGIN" null "[\"/opt/bin/$agent\"]"
	run "$PARA" start -c d --dry-run
	assert_eq 0 "$rc" "dry run: $out"
	assert_contains "$out" '{"Type":"volume","Source":"'"para-home-it-agent-$TEST_RUN_ID-$(id -u)"'","Target":"/home/para"'
	PARA_ENGINE_API=0 run "$PARA" start -c d --dry-run
	assert_contains "$out" "--mount=type=volume,source=para-home-it-agent-$TEST_RUN_ID-$(id -u),target=/home/para"
	assert_eq "" "$("$DOCKER" volume ls -q --filter "name=para-home-it-agent-$TEST_RUN_ID")" "volumes a dry run made"
}

# The login gets what it would get on the host: the data piped in (so a
# script can answer it), or a terminal when stdin is one.
test_setup_stdin_piped_or_a_terminal() {
	auth_repo host '["sh", "-c", "if [ -t 0 ] && [ -t 1 ]; then echo has-tty; else read t && mkdir -p $HOME/.agent && echo \"$t\" >$HOME/.agent/creds && echo piped; fi"]'
	run sh -c "echo PIPED-TOKEN | '$PARA' auth setup"
	assert_eq 0 "$rc" "setup with stdin piped: $out"
	assert_contains "$out" "piped"
	expect_rc 0 "$PARA" start -c s --detach
	run "$PARA" exec s -- cat /home/para/.agent/creds
	assert_eq PIPED-TOKEN "$out" "the login read from the pipe"
	expect_rc 0 "$PARA" cancel -f s
	command -v script >/dev/null || { echo "    SKIP: no script(1)" >&2; exit 77; }
	out=$(script -qec "'$PARA' auth setup" /dev/null </dev/null 2>&1)
	assert_contains "$out" "has-tty" "the login under a terminal"
	assert_no_auth_container
}

# Whether the home holds a login is the keep-alive's answer as it comes up
# (no engine call of its own); an image without find is read with docker
# cp instead, and gets the same answer.
test_credentials_answer_from_keepalive_or_cp() {
	auth_repo
	need_image "$DEBIAN_IMAGE"
	NOFIND=para-it-nofind-$TEST_RUN_ID:$RANDOM
	printf 'FROM %s\nRUN rm /usr/bin/find\n' "$DEBIAN_IMAGE" | "$DOCKER" build -q -t "$NOFIND" - >/dev/null ||
		fail "cannot build an image without find"
	trap 'cleanup_engine_objects; auth_cleanup; "$DOCKER" image rm -f "$NOFIND" >/dev/null 2>&1' EXIT
	# an empty home: the warning, and no docker cp to find that out
	run env -u ANTHROPIC_API_KEY "$PARA" start -c e1 --detach --verbose
	assert_eq 0 "$rc" "start: $out"
	assert_contains "$out" "gets no credentials"
	assert_not_contains "$out" "para: engine: docker cp"
	run env -u ANTHROPIC_API_KEY "$PARA" start -c n1 --detach --verbose --docker-image "$NOFIND"
	assert_eq 0 "$rc" "start without find: $out"
	assert_contains "$out" "gets no credentials"
	assert_contains "$out" "para: engine: docker cp"
	# a file in the home: no warning, either way
	expect_rc 0 "$PARA" exec e1 -- sh -c 'mkdir -p "$HOME/.agent" && echo t >"$HOME/.agent/login"'
	run env -u ANTHROPIC_API_KEY "$PARA" start -c e2 --detach --verbose
	assert_eq 0 "$rc" "start: $out"
	assert_not_contains "$out" "gets no credentials"
	assert_not_contains "$out" "para: engine: docker cp"
	run env -u ANTHROPIC_API_KEY "$PARA" start -c n2 --detach --docker-image "$NOFIND"
	assert_eq 0 "$rc" "start without find: $out"
	assert_not_contains "$out" "gets no credentials"
	for n in e1 n1 e2 n2; do expect_rc 0 "$PARA" cancel -f $n; done
}
