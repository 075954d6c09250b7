# Configuration layers, each seen inside a real container: default › user
# config › project config › PARA_CONFIG › the profile's extends chain › the
# profile › CLI flags. One container per stack shows every level at once; the
# top layer is then taken away, one at a time, and the next one down shows
# through. config show --origin and profile show name the file of each key.

layers_repo() {
	need_engine
	need_image "$BUSYBOX_IMAGE"
	need_image "$DEBIAN_IMAGE"
	mkrepo
	CLEAN_REPOS+=("$REPO")
	trap cleanup_engine_objects EXIT
	UCFG=$XDG_CONFIG_HOME/para/config.json
	PCFG=$REPO/.para/config.json
	ECFG=$TEST_TMP/para-config.json
	mkdir -p "$XDG_CONFIG_HOME/para"
	# a folder per layer for the mounts, its name in "who"
	for l in user user-only para_config parent parent-only cli; do
		mkdir -p "$TEST_TMP/mnt/$l" && echo "$l" >"$TEST_TMP/mnt/$l/who"
	done
	for l in project project-only profile; do
		mkdir -p "$REPO/mnt/$l" && echo "$l" >"$REPO/mnt/$l/who"
	done
	git add mnt && git commit -q -m "mount sources"
}

# The user file: every variable, memory and cpus, two mounts, and the parent
# profile (its own image, env, resources and two volumes).
user_file() {
	cat >"$UCFG" <<JSON
{ "agent": { "command": ["true"] },
  "docker": { "default_image": "$BUSYBOX_IMAGE",
    "env": { "LA": "user", "LB": "user", "LC": "user", "LD": "user", "LE": "user", "LF": "user" },
    "resources": { "memory": "70m", "cpus": 1.5 },
    "mounts": ["$TEST_TMP/mnt/user:/m/shared", "$TEST_TMP/mnt/user-only:/m/u"],
    "profiles": { "parent": { "image": "$DEBIAN_IMAGE",
      "env_vars": { "LD": "parent", "LE": "parent", "LF": "parent" },
      "resources": { "memory": "100m", "shm_size": "48m" },
      "volumes": ["$TEST_TMP/mnt/parent:/m/shared", "$TEST_TMP/mnt/parent-only:/m/base"] } } } }
JSON
}

# The project file (committed, nothing in it widens: no trust needed): LB
# up, memory only (cpus stays the user's), mounts inside the repository,
# and the child profile.
project_file() {
	mkdir -p .para
	cat >"$PCFG" <<'JSON'
{ "docker": {
    "env": { "LB": "project", "LC": "project", "LD": "project", "LE": "project", "LF": "project" },
    "resources": { "memory": "80m" },
    "mounts": ["./mnt/project:/m/shared", "./mnt/project-only:/m/p"],
    "profiles": { "child": { "extends": "parent",
      "env_vars": { "LE": "profile", "LF": "profile" },
      "resources": { "memory": "110m" },
      "volumes": ["./mnt/profile:/m/shared"] } } } }
JSON
	git add .para/config.json && git commit -q -m "project config"
}

para_config_file() { # extra-json-for-docker
	cat >"$ECFG" <<JSON
{ "docker": { "env": { "LC": "para_config", "LD": "para_config", "LE": "para_config", "LF": "para_config" },
    "resources": { "memory": "90m" },
    "mounts": ["$TEST_TMP/mnt/para_config:/m/shared"] $1 } }
JSON
}

mib() { echo $(($1 * 1048576)); }

# What session $1's container sees: the six variables ("-" when unset; the
# busybox image has no printenv), who
# is mounted at each /m target, and the uid the agent runs as.
probe() { # session
	"$PARA" exec -q "$1" -- sh -c '
		for v in LA LB LC LD LE LF; do eval "printf \"%s=%s \" $v \"\${$v--}\""; done
		for d in shared u p base; do printf "%s:%s " $d "$(cat /m/$d/who 2>/dev/null || echo -)"; done
		id -u' 2>&1
}

# What the engine made: image, memory, cpus, shm size, pids limit.
engine_view() { # session
	"$DOCKER" inspect -f '{{.Config.Image}} {{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.ShmSize}}
{{- " "}}{{.HostConfig.PidsLimit}}' "$(jq -r .container.name ".para/state/$1.json")"
}

# start session $1 (more args: flags), check what it sees, then cancel it
stage() { # session probe-line engine-line [start-flags...]
	local s=$1 want_probe=$2 want_engine=$3
	shift 3
	expect_rc 0 "$PARA" start -c --detach -q "$s" "$@"
	assert_eq "$want_probe" "$(probe "$s")" "inside $s"
	assert_eq "$want_engine" "$(engine_view "$s")" "docker inspect of $s"
	expect_rc 0 "$PARA" cancel -f "$s"
}

# "value origin" of a dotted key in config show --origin --json
origin() { # key
	jq -r --arg k "$1" '.[$k] | "\(.value | tojson) \(.origin)"' <<<"$origins"
}

show_origins() {
	expect_rc 0 "$PARA" config show --origin --json
	origins=$out
	expect_rc 0 "$PARA" config show --origin
	text=$out
}

test_each_layer_wins_and_uncovers_the_next() {
	layers_repo
	user_file
	project_file
	para_config_file ', "default_profile": "child"'
	export PARA_CONFIG=$ECFG
	uid=$(id -u)
	mem70=$(mib 70) mem80=$(mib 80) mem90=$(mib 90) mem100=$(mib 100) mem110=$(mib 110) mem120=$(mib 120)
	shm48=$(mib 48) shm_docker=$(mib 64) cpus=1500000000

	# 1. everything: CLI flags over the default profile (child, from PARA_CONFIG)
	stage all \
		"LA=user LB=project LC=para_config LD=parent LE=profile LF=cli shared:cli u:- p:- base:- $uid" \
		"$BUSYBOX_IMAGE $mem120 $cpus $shm48 4096" \
		-e LF=cli --memory 120m --mount "$TEST_TMP/mnt/cli:/m/shared" --docker-image "$BUSYBOX_IMAGE"
	show_origins
	for kv in "LA user $UCFG" "LB project $PCFG" "LC para_config $ECFG" "LF para_config $ECFG"; do
		set -- $kv
		assert_eq "\"$2\" $3" "$(origin "docker.env.$1")" "origin of docker.env.$1"
		assert_line "$text" "docker.env.$1 = \"$2\"  ($3)" "config show --origin"
	done
	assert_eq "\"90m\" $ECFG" "$(origin docker.resources.memory)" "origin of memory"
	assert_eq "1.5 $UCFG" "$(origin docker.resources.cpus)" "origin of cpus"
	assert_eq "4096 default" "$(origin docker.resources.pids_limit)" "origin of pids_limit"
	assert_eq "null default" "$(origin docker.resources.shm_size)" "origin of shm_size"
	assert_eq "\"host\" default" "$(origin docker.user)" "origin of docker.user"
	assert_eq "\"child\" $ECFG" "$(origin docker.default_profile)" "origin of default_profile"
	assert_eq "\"$BUSYBOX_IMAGE\" $UCFG" "$(origin docker.default_image)" "origin of default_image"
	assert_eq "[\"$TEST_TMP/mnt/para_config:/m/shared\"] $ECFG" "$(origin docker.mounts)" "origin of mounts"
	assert_eq "\"parent\" $PCFG" "$(origin docker.profiles.child.extends)" "origin of child.extends"
	assert_eq "\"$DEBIAN_IMAGE\" $UCFG" "$(origin docker.profiles.parent.image)" "origin of parent.image"
	assert_line "$text" "docker.resources.memory = \"90m\"  ($ECFG)" "config show --origin"
	assert_line "$text" "docker.resources.pids_limit = 4096  (default)" "config show --origin"
	assert_line "$text" "docker.profiles.child.resources.memory = \"110m\"  ($PCFG)" "config show --origin"
	# the child as a start resolves it: the parent's image, the child's own
	# volumes (lists replace), objects merged along extends
	expect_rc 0 "$PARA" profile show child --json
	prof=$out
	pk() { jq -r --arg k "$1" '.[$k] | "\(.value | tojson) \(.profile) \(.origin)"' <<<"$prof"; }
	assert_eq "\"$DEBIAN_IMAGE\" parent $UCFG" "$(pk image)" "profile show: image"
	assert_eq "[\"./mnt/profile:/m/shared\"] child $PCFG" "$(pk volumes)" "profile show: volumes"
	# an object's keys each with the profile and file that set it
	assert_eq "\"parent\" parent $UCFG" "$(pk env_vars.LD)" "profile show: env_vars.LD"
	assert_eq "\"profile\" child $PCFG" "$(pk env_vars.LE)" "profile show: env_vars.LE"
	assert_eq "\"profile\" child $PCFG" "$(pk env_vars.LF)" "profile show: env_vars.LF"
	assert_eq "\"110m\" child $PCFG" "$(pk resources.memory)" "profile show: resources.memory"
	assert_eq "\"48m\" parent $UCFG" "$(pk resources.shm_size)" "profile show: resources.shm_size"
	expect_rc 0 "$PARA" profile show child
	assert_line "$out" "image = \"$DEBIAN_IMAGE\"  (profile parent, $UCFG)" "profile show"
	expect_rc 0 "$PARA" profile list
	assert_line "$out" "* child extends \"parent\"  ($PCFG)" "profile list"
	assert_line "$out" "  parent  ($UCFG)" "profile list"

	# 2. no CLI flags: the profile's values, and its parent's image
	stage prof \
		"LA=user LB=project LC=para_config LD=parent LE=profile LF=profile shared:profile u:- p:- base:- $uid" \
		"$DEBIAN_IMAGE $mem110 $cpus $shm48 4096"

	# 3. the parent alone (--docker-profile over docker.default_profile): its own volumes list
	stage par \
		"LA=user LB=project LC=para_config LD=parent LE=parent LF=parent shared:parent u:- p:- \
base:parent-only $uid" "$DEBIAN_IMAGE $mem100 $cpus $shm48 4096" --docker-profile parent

	# 4. no profile: PARA_CONFIG's values, the user's default_image, docker's shm size
	para_config_file ''
	stage pc \
		"LA=user LB=project LC=para_config LD=para_config LE=para_config LF=para_config \
shared:para_config u:- p:- base:- $uid" "$BUSYBOX_IMAGE $mem90 $cpus $shm_docker 4096"
	show_origins
	assert_eq "null default" "$(origin docker.default_profile)" "origin of default_profile without it"

	# 5. no PARA_CONFIG: the project's, and its whole mounts list
	unset PARA_CONFIG
	stage proj \
		"LA=user LB=project LC=project LD=project LE=project LF=project shared:project u:- \
p:project-only base:- $uid" "$BUSYBOX_IMAGE $mem80 $cpus $shm_docker 4096"
	show_origins
	assert_eq "\"project\" $PCFG" "$(origin docker.env.LF)" "origin of docker.env.LF without PARA_CONFIG"
	assert_eq "\"80m\" $PCFG" "$(origin docker.resources.memory)" "origin of memory without PARA_CONFIG"
	assert_eq "1.5 $UCFG" "$(origin docker.resources.cpus)" "origin of cpus without PARA_CONFIG"
	assert_eq '["./mnt/project:/m/shared","./mnt/project-only:/m/p"]'" $PCFG" "$(origin docker.mounts)" \
		"origin of mounts without PARA_CONFIG"

	# 6. no project file: the user's
	git rm -q .para/config.json && git commit -q -m "no project config"
	stage user \
		"LA=user LB=user LC=user LD=user LE=user LF=user shared:user u:user-only p:- base:- $uid" \
		"$BUSYBOX_IMAGE $mem70 $cpus $shm_docker 4096"
	show_origins
	assert_eq "\"user\" $UCFG" "$(origin docker.env.LB)" "origin of docker.env.LB without the project"
	assert_eq "\"70m\" $UCFG" "$(origin docker.resources.memory)" "origin of memory without the project"

	# 7. a user file that sets none of them: the built-in defaults
	printf '{"agent": {"command": ["true"]}, "docker": {"default_image": "%s"}}\n' "$BUSYBOX_IMAGE" >"$UCFG"
	stage none \
		"LA=- LB=- LC=- LD=- LE=- LF=- shared:- u:- p:- base:- $uid" \
		"$BUSYBOX_IMAGE 0 0 $shm_docker 4096"
	show_origins
	for kv in "docker.env {}" "docker.mounts []" "docker.resources.memory null" "docker.resources.cpus null" \
		"docker.resources.pids_limit 4096" "docker.profiles {}" "docker.user \"host\""; do
		set -- $kv
		assert_eq "$2 default" "$(origin "$1")" "origin of $1 with no file setting it"
		assert_line "$text" "$1 = $2  (default)" "config show --origin"
	done
	[ -z "$(repo_containers)" ] || fail "containers left: $(repo_containers)"
}

# A container that vanished is re-created with the profile the session was
# made with, also when docker.default_profile chose it (here in PARA_CONFIG,
# gone from the shell that re-creates it): the profile's variables with its
# mounts and memory, not its mounts and memory alone.
test_recreated_container_keeps_the_default_profile() {
	layers_repo
	user_file
	project_file
	para_config_file ', "default_profile": "child"'
	PARA_CONFIG=$ECFG expect_rc 0 "$PARA" start -c --detach -q re
	assert_eq "LA=user LB=project LC=para_config LD=parent LE=profile LF=profile shared:profile u:- p:- base:- \
$(id -u)" "$(probe re)" "inside re"
	"$DOCKER" rm -f "$(jq -r .container.name .para/state/re.json)" >/dev/null
	# docker.env is read again (PARA_CONFIG's LC is gone), the profile is kept
	assert_eq "LA=user LB=project LC=project LD=parent LE=profile LF=profile shared:profile u:- p:- base:- \
$(id -u)" "$(probe re)" "inside the re-created re"
	assert_eq "$DEBIAN_IMAGE $(mib 110) 1500000000 $(mib 48) 4096" "$(engine_view re)" "docker inspect of re"
	expect_rc 0 "$PARA" cancel -f re
}
