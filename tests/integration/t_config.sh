# The config commands: set/unset (typed by the schema, the rest of the file
# kept), show --json reading back what set wrote, edit through $EDITOR (an
# invalid edit kept aside, the file unchanged), init (a commented starting
# point that validates and changes nothing), validate; and a broken config
# (bad JSON, wrong type, unknown profile, a cycle in extends) stopping a start
# with one FILE:LINE:COLUMN line and nothing made.

USER_CFG() { echo "$XDG_CONFIG_HOME/para/config.json"; }

cfg_repo() {
	mkrepo
	CLEAN_REPOS+=("$REPO")
}

show_json() { # KEY: its value in the merged config, as compact JSON
	run "$PARA" config show --json
	[ "$rc" = 0 ] || fail "config show --json: $out"
	jq -c --arg k "$1" 'getpath($k | split("."))' <<<"$out"
}

test_set_then_show_round_trips_every_type() {
	cfg_repo
	while read -r key word want; do
		expect_rc 0 "$PARA" config set "$key" "$word"
		assert_eq "$want" "$(show_json "$key")" "$key after 'config set $key $word'"
	done <<'EOT'
git.branch_prefix work "work"
git.branch_prefix 123 "123"
docker.auto_env_file false false
docker.allow_custom_images true true
docker.resources.pids_limit 77 77
docker.resources.pids_limit -1 -1
docker.resources.cpus 1.5 1.5
docker.resources.cpus 2 2
docker.resources.memory 512m "512m"
ide.command null null
docker.default_env_file .env.team ".env.team"
agent.command ["claude","-p"] ["claude","-p"]
docker.env {"A":"1"} {"A":"1"}
docker.env.B two "two"
EOT
	assert_eq '{"A":"1","B":"two"}' "$(show_json docker.env)"
	# what set wrote is JSON any tool reads, and the user file is where it went
	jq -e '.docker.resources.cpus == 2 and .git.branch_prefix == "123"' "$(USER_CFG)" >/dev/null ||
		fail "user file: $(cat "$(USER_CFG)")"
	# --project writes the repository's file; show --origin names it
	expect_rc 0 "$PARA" config set docker.pull never --project
	assert_eq '{"docker":{"pull":"never"}}' "$(jq -c . .para/config.json)"
	run "$PARA" config show --origin
	assert_line "$out" "docker.pull = \"never\"  ($REPO/.para/config.json)"
	assert_line "$out" "docker.resources.cpus = 2  ($(USER_CFG))"
	# unset: the key goes, the default comes back
	expect_rc 0 "$PARA" config unset docker.resources.cpus
	assert_eq null "$(show_json docker.resources.cpus)"
	expect_rc 1 "$PARA" config unset docker.resources.cpus
	assert_one_line "$out"
	assert_contains "$out" "'docker.resources.cpus' is not set in $(USER_CFG)"
}

test_set_keeps_order_comments_and_layout() {
	cfg_repo
	mkdir -p "$(dirname "$(USER_CFG)")"
	cat >"$(USER_CFG)" <<'JSON'
{
    "git": {"branch_prefix": "me"},
    "docker": {
        "user": "host",
        "pull": "missing",
        "env": {"Z": "1", "A": "2"}
    },
    "agent": {"prompt": "arg"}
}
JSON
	cp "$(USER_CFG)" "$TEST_TMP/before.json"
	expect_rc 0 "$PARA" config set docker.pull always
	run diff "$TEST_TMP/before.json" "$(USER_CFG)"
	assert_eq '5c5
<         "pull": "missing",
---
>         "pull": "always",' "$out" "the only change"
	# a new key goes at the end of its object, indented like its neighbours
	expect_rc 0 "$PARA" config set docker.network.mode none
	assert_eq 'git docker agent' "$(jq -r 'keys_unsorted | join(" ")' "$(USER_CFG)")" "top-level order"
	assert_eq 'user pull env network' "$(jq -r '.docker | keys_unsorted | join(" ")' "$(USER_CFG)")"
	assert_eq 'Z A' "$(jq -r '.docker.env | keys_unsorted | join(" ")' "$(USER_CFG)")"
	grep -qx '        "network": {' "$(USER_CFG)" || fail "indentation: $(cat "$(USER_CFG)")"
	# unset takes its line and nothing else
	expect_rc 0 "$PARA" config unset docker.network
	expect_rc 0 "$PARA" config set docker.pull missing
	run diff "$TEST_TMP/before.json" "$(USER_CFG)"
	assert_eq 0 "$rc" "set then unset gave the file back: $out"
	# comments are kept too
	printf '// team settings\n{\n  "docker": { // engine\n    "pull": "never"\n  }\n}\n' >"$(USER_CFG)"
	expect_rc 0 "$PARA" config set docker.runtime docker
	assert_eq '// team settings
{
  "docker": { // engine
    "pull": "never",
    "runtime": "docker"
  }
}' "$(cat "$(USER_CFG)")"
	expect_rc 0 "$PARA" config validate
}

test_set_refusals_change_nothing() {
	cfg_repo
	expect_rc 0 "$PARA" config set docker.pull never
	cp "$(USER_CFG)" "$TEST_TMP/before.json"
	while read -r rc_want key word needle; do
		expect_rc "$rc_want" "$PARA" config set "$key" "$word"
		assert_one_line "$out"
		assert_contains "$out" "$needle"
		cmp -s "$TEST_TMP/before.json" "$(USER_CFG)" || fail "'config set $key $word' changed the file"
	done <<'EOT'
4 docker.resources.pids_limit many takes a whole number or null, not 'many'
4 docker.allow_custom_images yes takes true or false
4 docker.pull sometimes use one of 'missing', 'never', 'always'
4 docker.resources.memory 1k give a size of at least 6m
4 docker.pulll never did you mean 'docker.pull'?
4 agent.command claude takes a list of strings
4 docker.default_profile nope there is no such profile
2 docker..pull x is not a key
EOT
	expect_rc 2 "$PARA" config set docker.pull
	assert_contains "$out" "usage: para config set KEY VALUE"
	# a project file that is a symlink is never written through
	mkdir -p .para
	echo '{}' >"$TEST_TMP/elsewhere.json"
	ln -s "$TEST_TMP/elsewhere.json" .para/config.json
	expect_rc 1 "$PARA" config set docker.pull always --project
	assert_one_line "$out"
	assert_contains "$out" "symlink"
	assert_eq '{}' "$(cat "$TEST_TMP/elsewhere.json")"
	rm .para/config.json
	# outside a repository there is no --project
	cd "$TEST_TMP" && expect_rc 1 "$PARA" config set docker.pull always --project
	assert_contains "$out" "git repository"
}

test_edit_takes_a_valid_edit_and_keeps_an_invalid_one() {
	cfg_repo
	expect_rc 0 "$PARA" config set docker.pull never
	cp "$(USER_CFG)" "$TEST_TMP/before.json"
	# an editor that changes a value
	printf '#!/bin/sh\nsed -i "s/never/always/" "$1"\n' >"$TEST_TMP/ed-ok" && chmod +x "$TEST_TMP/ed-ok"
	EDITOR="$TEST_TMP/ed-ok" expect_rc 0 "$PARA" config edit
	assert_eq '"always"' "$(show_json docker.pull)"
	# VISUAL wins over EDITOR; an edit that breaks the file is refused and kept
	printf '#!/bin/sh\nprintf "{\\n  \\"docker\\": {\\"pull\\": 7}\\n}\\n" >"$1"\n' >"$TEST_TMP/ed-bad"
	chmod +x "$TEST_TMP/ed-bad"
	cp "$(USER_CFG)" "$TEST_TMP/before.json"
	VISUAL="$TEST_TMP/ed-bad" EDITOR="$TEST_TMP/ed-ok" expect_rc 4 "$PARA" config edit
	assert_one_line "$out"
	assert_contains "$out" "$(USER_CFG):2:22: 'docker.pull' must be a string"
	cmp -s "$TEST_TMP/before.json" "$(USER_CFG)" || fail "an invalid edit changed the file"
	kept=$(sed -n 's/.*your edit is kept in \([^ ]*\).*/\1/p' <<<"$out")
	assert_contains "$(cat "$kept")" '"pull": 7' "the kept edit"
	rm -rf "$(dirname "$kept")"
	# an editor that fails changes nothing and leaves nothing behind
	before_tmp=$(ls "$TEST_TMP/tmp" 2>/dev/null)
	mkdir -p "$TEST_TMP/tmp"
	TMPDIR="$TEST_TMP/tmp" EDITOR=false expect_rc 1 "$PARA" config edit
	assert_contains "$out" "the editor 'false' exited with 1"
	assert_eq "" "$(ls "$TEST_TMP/tmp")" "copies left behind"
	cmp -s "$TEST_TMP/before.json" "$(USER_CFG)" || fail "a failed editor changed the file"
	# an editor command with arguments runs as sh would run it
	EDITOR="sed -i s/always/missing/" expect_rc 0 "$PARA" config edit
	assert_eq '"missing"' "$(show_json docker.pull)"
	# no file yet: the editor starts from init's template; no change writes nothing
	rm "$(USER_CFG)"
	EDITOR=true expect_rc 0 "$PARA" config edit
	assert_contains "$out" "no change"
	assert_no_file "$(USER_CFG)"
	printf '#!/bin/sh\nsed -i "s|// \\"pull\\": \\"missing\\",|\\"pull\\": \\"always\\",|" "$1"\n' >"$TEST_TMP/ed-on"
	chmod +x "$TEST_TMP/ed-on"
	EDITOR="$TEST_TMP/ed-on" expect_rc 0 "$PARA" config edit
	assert_eq '"always"' "$(show_json docker.pull)"
	assert_contains "$(cat "$(USER_CFG)")" "// \"runtime\": \"docker\","
}

test_init_writes_a_starting_point_that_changes_nothing() {
	cfg_repo
	run "$PARA" config show --json
	defaults=$out
	expect_rc 0 "$PARA" config init
	assert_eq "$(USER_CFG)" "$out"
	assert_contains "$(cat "$(USER_CFG)")" '// "forward_env": ['
	expect_rc 0 "$PARA" config validate
	assert_eq "ok: $(USER_CFG)" "$out"
	run "$PARA" config show --json
	assert_eq "$defaults" "$out" "the merged config with init's file"
	expect_rc 1 "$PARA" config init
	assert_one_line "$out"
	assert_contains "$out" "exists; 'para config edit' changes it"
	# the project's: valid, changes nothing, needs no trust
	expect_rc 0 "$PARA" config init --project
	assert_eq "$REPO/.para/config.json" "$out"
	expect_rc 0 "$PARA" config validate
	assert_eq "ok: $(USER_CFG)
ok: $REPO/.para/config.json" "$out"
	git add .para/config.json && git commit -qm init
	expect_rc 0 "$PARA" list
	assert_not_contains "$out" "trust"
	# every key of init's file is documented in docs/config.md
	for key in $(sed -n 's|^ *// "\([a-z_]*\)": [^{].*|\1|p' "$(USER_CFG)" | sort -u); do
		grep -q "\`[a-z_.]*$key\`" "$ROOT/docs/config.md" || fail "docs/config.md does not document $key"
	done
}

test_validate_names_file_line_and_column() {
	cfg_repo
	expect_rc 0 "$PARA" config validate
	assert_eq "ok: no config files; the defaults are in effect" "$out"
	mkdir -p .para
	printf '{\n  "docker": {\n    "pull": "never"\n    "user": "host"\n  }\n}\n' >.para/config.json
	expect_rc 4 "$PARA" config validate
	assert_one_line "$out"
	assert_contains "$out" "$REPO/.para/config.json:4:11: '}' expected near '\"user\"'"
	printf '{"docker": {"pull": "never"}}\n' >.para/config.json
	# FILE: over the others, as PARA_CONFIG would be
	printf '{\n  "agnt": {},\n  "docker": {"pull": 3}\n}\n' >"$TEST_TMP/other.json"
	expect_rc 4 "$PARA" config validate "$TEST_TMP/other.json"
	assert_contains "$out" "$TEST_TMP/other.json:2:3: unknown key 'agnt' (did you mean 'agent'?)"
	assert_contains "$out" "$TEST_TMP/other.json:3:22: 'docker.pull' must be a string"
	expect_rc 4 "$PARA" config validate "$TEST_TMP/missing.json"
	assert_contains "$out" "cannot read config '$TEST_TMP/missing.json'"
}

# A broken config stops a start before anything exists: exit 4, one line
# naming FILE:LINE:COLUMN, no state, branch, worktree or container.
test_broken_config_creates_nothing() {
	need_engine
	need_image "$BUSYBOX_IMAGE"
	cfg_repo
	trap cleanup_engine_objects EXIT
	mkdir -p "$(dirname "$(USER_CFG)")"
	before=$(disk_snapshot)
	u=$(USER_CFG)
	while IFS='|' read -r text want; do
		printf '%b' "$text" >"$u"
		expect_rc 4 "$PARA" start -c --detach s
		assert_one_line "$out"
		assert_contains "$out" "$u:$want"
		[ "$before" = "$(disk_snapshot)" ] || fail "a broken config ($want) changed the disk"
		[ -z "$(repo_containers)" ] || fail "a container was made"
	done <<'EOT'
{\n  "docker": {\n    "pull": "never",,\n  }\n}\n|3:22: string or '}' expected near ','
{"docker": {\n  "default_image": 7}}\n|2:20: 'docker.default_image' must be a string
{"docker": {\n  "default_profile": "nope", "profiles": {}}}\n|2:3: docker.default_profile is 'nope', and there is no such profile
{"docker": {"profiles": {\n  "a": {"extends": "b"},\n  "b": {"extends": "a"}}}}\n|3:9: profiles extend in a cycle: a → b → a
{"docker": {"profiles": {\n  "a": {"extends": "zz"}}}}\n|2:9: profile 'a' extends 'zz', which does not exist
EOT
	# an unknown --docker-profile is the command line's: no file to name
	printf '{"agent": {"command": ["true"]}, "docker": {"default_image": "%s"}}\n' "$BUSYBOX_IMAGE" >"$u"
	expect_rc 4 "$PARA" start -c --detach s --docker-profile nope
	assert_one_line "$out"
	assert_contains "$out" "no profile named 'nope'"
	[ "$before" = "$(disk_snapshot)" ] || fail "an unknown --docker-profile changed the disk"
}
