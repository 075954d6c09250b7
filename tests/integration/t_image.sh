# Images: the priority chain, policy, pulls (only ever to loopback), and
# project Dockerfiles built under a content-hash tag.

image_repo() {
	need_engine
	need_image "$BUSYBOX_IMAGE"
	mkrepo
	cp "$AGENTS/record.sh" agent.sh
	mkdir -p .para
	printf 'FROM %s\nCOPY data.txt /data.txt\nRUN echo built >/built\n' "$BUSYBOX_IMAGE" >.para/Dockerfile
	echo "one" >.para/data.txt
	echo "$TEST_TMP" >.para/unique.txt  # a context no earlier run built
	printf 'ignored.log\n' >.para/.dockerignore
	echo '{"agent": {"command": ["/workspace/agent.sh"]}}' >.para/config.json
	git add -A && git commit -q -m "project image"
	trust_repo
	CLEAN_REPOS+=("$REPO")
}

images_of_repo() { "$DOCKER" image ls -q --filter "label=dev.para.repo=$REPO" | sort -u; }
remove_repo_images() { local ids; ids=$(images_of_repo); [ -z "$ids" ] || "$DOCKER" rmi -f $ids >/dev/null 2>&1; }

# start -c --detach with the engine trace; sets $builds (engine build calls)
start_traced() { # name
	run "$PARA" start -c --detach --verbose "$1"
	[ "$rc" = 0 ] || fail "start $1: $out"
	builds=$(grep -c '^para: engine: docker build' <<<"$out")
}

test_context_hash_decides_rebuilds() {
	image_repo
	trap 'remove_repo_images; cleanup_engine_objects' EXIT
	start_traced a
	assert_eq 1 "$builds" "first start builds"
	tag_a=$(jq -r .container.image .para/state/a.json)
	case "$tag_a" in para-repo:????????????????) ;; *) fail "tag $tag_a" ;; esac
	expect_rc 0 "$PARA" exec a -- cat /data.txt /built
	assert_eq "one
built" "$out"
	# same inputs: no build call at all
	start_traced b
	assert_eq 0 "$builds" "unchanged context"
	assert_eq "$tag_a" "$(jq -r .container.image .para/state/b.json)"
	# a file .dockerignore matches, and an mtime-only change: no build
	echo noise >.para/ignored.log
	touch -d '2001-01-01' .para/data.txt
	[ -z "$(git status --porcelain --untracked-files=no)" ] || fail "mtime changed git status"
	start_traced c
	assert_eq 0 "$builds" "ignored file / mtime only"
	# para's own config.json is not part of the context: editing it builds nothing
	jq '.agent.prompt = "stdin"' .para/config.json >"$TEST_TMP/c.json" && cp "$TEST_TMP/c.json" .para/config.json
	git commit -qam "config edit" && trust_repo
	start_traced c2
	assert_eq 0 "$builds" "config.json edited"
	assert_eq "$tag_a" "$(jq -r .container.image .para/state/c2.json)"
	# one byte in a context file: new tag, rebuild, and the new content inside
	echo "onf" >.para/data.txt
	git commit -qam "one byte"
	start_traced d
	assert_eq 1 "$builds" "one byte changed"
	tag_d=$(jq -r .container.image .para/state/d.json)
	[ "$tag_d" != "$tag_a" ] || fail "same tag after a content change"
	expect_rc 0 "$PARA" exec d -- cat /data.txt
	assert_eq "onf" "$out"
	# image list marks the current one; prune keeps it
	run "$PARA" image list
	assert_contains "$out" "* $tag_d"
	assert_contains "$out" "  $tag_a"
	for s in a b c c2 d; do expect_rc 0 "$PARA" cancel -f $s; done
	expect_rc 0 "$PARA" image prune
	assert_contains "$out" "removing $tag_a"
	run "$PARA" image list --json
	assert_eq "$tag_d" "$(jq -r '.[].image' <<<"$out")" "images left after prune"
	# --build forces, para image build is a no-op when current
	run "$PARA" image build
	assert_contains "$out" "up to date"
	run "$PARA" start -c --detach --verbose --build e
	assert_eq 1 "$(grep -c '^para: engine: docker build' <<<"$out")" "--build forces"
	expect_rc 0 "$PARA" cancel -f e
}

test_build_args_target_and_multistage() {
	image_repo
	trap 'remove_repo_images; cleanup_engine_objects' EXIT
	printf 'FROM %s AS base\nARG FLAVOR=plain\nRUN echo "$FLAVOR" >/flavor\nFROM base AS final\nRUN echo final >/stage\nFROM base AS other\nRUN echo other >/stage\n' \
		"$BUSYBOX_IMAGE" >.para/Dockerfile
	echo '{"agent": {"command": ["/workspace/agent.sh"]}, "docker": {"build": {"args": {"FLAVOR": "salty"}, "target": "other"}}}' >.para/config.json
	git commit -qam multistage
	start_traced m
	expect_rc 0 "$PARA" exec m -- cat /flavor /stage
	assert_eq "salty
other" "$out"
	echo '{"agent": {"command": ["/workspace/agent.sh"]}, "docker": {"build": {"args": {"FLAVOR": "sweet"}, "target": "final"}}}' >.para/config.json
	git commit -qam "other args"
	start_traced n
	assert_eq 1 "$builds" "changed args and target rebuild"
	expect_rc 0 "$PARA" exec n -- cat /flavor /stage
	assert_eq "sweet
final" "$out"
	expect_rc 0 "$PARA" cancel -f m
	expect_rc 0 "$PARA" cancel -f n
}

test_failing_build_starts_nothing_then_fixed_works() {
	image_repo
	trap 'remove_repo_images; cleanup_engine_objects' EXIT
	printf 'FROM %s\nRUN echo step two\nRUN echo about to fail && exit 3\nRUN echo never\n' "$BUSYBOX_IMAGE" >.para/Dockerfile
	git commit -qam broken
	# what may remain: the build log, and para's own (empty) folders
	snap() { disk_snapshot | grep -v -e '^\./\.para/logs' -e '^\./\.para/\.gitignore$' \
		-e '^\./\.para/state$' -e '^\./\.para/state/\.lock$' -e '^\./\.para/worktrees$'; }
	before=$(snap)
	run "$PARA" start -c broken -p x
	[ "$rc" != 0 ] || fail "a failing build started a session"
	assert_contains "$out" "about to fail" "last lines of the build"
	assert_contains "$out" "full log: $REPO/.para/logs/build-"
	assert_contains "$out" "Step 3/"
	log=$(ls .para/logs/build-*.log | head -1)
	assert_contains "$(cat "$log")" "Step 1/"
	assert_eq "$before" "$(snap)" "disk besides the build log"
	[ -z "$(repo_containers)" ] || fail "a container was created"
	assert_no_file .para/state/broken.json
	printf 'FROM %s\nRUN echo fixed\n' "$BUSYBOX_IMAGE" >.para/Dockerfile
	git commit -qam fixed
	expect_rc 0 "$PARA" start -c broken -p x
	assert_file .para/worktrees/broken/agent-ran.txt
	expect_rc 0 "$PARA" cancel -f broken
}

test_sigint_during_build_leaves_no_session() {
	image_repo
	trap 'remove_repo_images; cleanup_engine_objects' EXIT
	printf 'FROM %s\nRUN sleep 30\n' "$BUSYBOX_IMAGE" >.para/Dockerfile
	git commit -qam slow
	"$PARA" start -c slow --detach >"$TEST_TMP/out.txt" 2>&1 &
	pid=$!
	for _ in $(seq 50); do grep -q "Step 2/" "$TEST_TMP/out.txt" && break; sleep 0.2; done
	grep -q "Step 2/" "$TEST_TMP/out.txt" || fail "the build never reached step 2: $(cat "$TEST_TMP/out.txt")"
	# meanwhile the session is there, building
	run "$PARA" list --json
	assert_eq building "$(jq -r '.[] | select(.name=="slow") | .container_state' <<<"$out")" "list during the build"
	# with its worktree whole (checked out before the build), and no changes
	assert_eq 0 "$(jq -r '.[] | select(.name=="slow") | .changes' <<<"$out")" "changes during the build"
	assert_eq "$(git ls-files | sort)" "$(git -C .para/worktrees/slow ls-files | sort)" "files during the build"
	assert_file .para/worktrees/slow/.para/Dockerfile
	t0=$(date +%s)
	kill -INT $pid
	wait $pid
	rc=$?
	[ $(( $(date +%s) - t0 )) -lt 15 ] || fail "para did not stop the build promptly"
	assert_eq 130 "$rc" "exit code after SIGINT"
	assert_no_file .para/state/slow.json
	assert_no_file .para/worktrees/slow
	git rev-parse -q --verify para/slow >/dev/null && fail "branch left"
	[ -z "$(repo_containers)" ] || fail "container left"
}

test_custom_image_policy_refuses_before_anything() {
	image_repo
	rm .para/Dockerfile
	echo '{"agent": {"command": ["/workspace/agent.sh"]}, "docker": {"allow_custom_images": false, "default_image": "'"$BUSYBOX_IMAGE"'"}}' >.para/config.json
	git add -A && git commit -qm policy
	before=$(disk_snapshot)
	expect_rc 1 "$PARA" start -c x --docker-image "$DEBIAN_IMAGE"
	assert_one_line "$out"
	assert_contains "$out" "allow_custom_images"
	echo '{"agent": {"command": ["/workspace/agent.sh"]}, "docker": {"allowed_images": ["para-test-busybox:*"], "default_image": "'"$DEBIAN_IMAGE"'"}}' >.para/config.json
	expect_rc 1 "$PARA" start -c y
	assert_one_line "$out"
	assert_contains "$out" "docker.allowed_images"
	git checkout -q .para/config.json
	assert_eq "$before" "$(disk_snapshot)" "disk after refusals"
	# the allowed one works
	expect_rc 0 "$PARA" start -c --detach z
	expect_rc 0 "$PARA" cancel -f z
}

test_missing_image_pull_policies() {
	image_repo
	rm .para/Dockerfile
	git add -A && git commit -qm "no dockerfile"
	before=$(disk_snapshot)
	# never: no pull; the error names the image and how to build one
	echo '{"docker": {"pull": "never", "default_image": "para-test-absent:9"}}' >"$TEST_TMP/never.json"
	run env PARA_CONFIG="$TEST_TMP/never.json" "$PARA" start -c x --verbose
	assert_eq 1 "$rc"
	assert_contains "$out" "para-test-absent:9"
	assert_contains "$out" "para image"
	assert_not_contains "$out" "docker pull" "engine trace under pull never"
	# missing (the default): a pull is tried — here of a loopback registry that is not there
	run "$PARA" start -c x --docker-image localhost:1/para-test-absent:9 --verbose
	assert_eq 1 "$rc"
	assert_contains "$out" "para: engine: docker pull localhost:1/para-test-absent:9"
	assert_contains "$out" "pulling it failed"
	assert_eq "$before" "$(disk_snapshot)" "disk after missing images"
	# the profile's image sits between --docker-image and the Dockerfile
	echo '{"agent": {"command": ["/workspace/agent.sh"]}, "docker": {"default_image": "para-test-absent:9", "profiles": {"bb": {"image": "'"$BUSYBOX_IMAGE"'"}}}}' >.para/config.json
	git commit -qam profile
	expect_rc 0 "$PARA" start -c --detach --docker-profile bb prof
	assert_eq "$BUSYBOX_IMAGE" "$(jq -r .container.image .para/state/prof.json)"
	expect_rc 0 "$PARA" cancel -f prof
}

test_image_bootstrap_busybox() {
	need_engine
	[ -x /bin/busybox ] || { echo "    SKIP: no /bin/busybox" >&2; exit 77; }
	tag="para-test-boot-$TEST_RUN_ID:bb"
	trap '"$DOCKER" rmi -f "$tag" >/dev/null 2>&1' EXIT
	expect_rc 0 "$PARA" image bootstrap --from busybox --tag "$tag"
	run "$DOCKER" run --rm "$tag" sh -c 'echo ok; command -v useradd || echo no-useradd'
	assert_eq "ok
no-useradd" "$out"
	expect_rc 2 "$PARA" image bootstrap --from floppy
	assert_one_line "$out"
}

test_image_bootstrap_debootstrap() {
	need_engine
	[ "$(id -u)" = 0 ] && command -v debootstrap >/dev/null || { echo "    SKIP: needs root and debootstrap" >&2; exit 77; }
	[ -z "${PARA_TEST_SKIP_SLOW:-}" ] || { echo "    SKIP: PARA_TEST_SKIP_SLOW" >&2; exit 77; }
	tag="para-test-boot-$TEST_RUN_ID:deb"
	trap '"$DOCKER" rmi -f "$tag" >/dev/null 2>&1' EXIT
	expect_rc 0 "$PARA" image bootstrap --from debootstrap --suite bookworm --tag "$tag" \
		--mirror "${PARA_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
	run "$DOCKER" run --rm "$tag" sh -c 'git --version && . /etc/os-release && echo "$VERSION_CODENAME"'
	assert_eq 0 "$rc" "$out"
	assert_contains "$out" "git version"
	assert_contains "$out" "bookworm"
	# and a session runs on it
	mkrepo
	CLEAN_REPOS+=("$REPO")
	expect_rc 0 "$PARA" start -c --docker-image "$tag" --detach s
	expect_rc 0 "$PARA" exec s -- git status --short
	expect_rc 0 "$PARA" cancel -f s
}

# prune: by image ID; keeps the current image, any a container uses (the
# engine would refuse it) and another's tag; removes untagged ones.
test_prune_keeps_used_images_and_removes_by_id() {
	image_repo
	trap 'remove_repo_images; "$DOCKER" rmi -f "$usertag" >/dev/null 2>&1; cleanup_engine_objects' EXIT
	usertag="para-user-tag-$$:keep"
	build_as() { # content -> prints the tag
		echo "$1" >.para/data.txt
		git commit -qam "$1"
		"$PARA" image build -q >/dev/null 2>&1 || fail "build $1"
		"$PARA" image list --json | jq -r '.[] | select(.current) | .image'
	}
	old=$(build_as old)
	tagged=$(build_as tagged)
	"$DOCKER" tag "$tagged" "$usertag"
	used=$(build_as used)
	expect_rc 0 "$PARA" start -c user --detach
	cur=$(build_as current)
	# an untagged image of this repository (what a rebuilt tag leaves)
	printf 'FROM %s\nRUN echo untagged-%s >/u\n' "$BUSYBOX_IMAGE" "$$" |
		"$DOCKER" build -q --label "dev.para.repo=$REPO" - >"$TEST_TMP/untagged.id" 2>&1 || fail "untagged build"
	untagged=$(tail -1 "$TEST_TMP/untagged.id")
	run "$PARA" image prune --dry-run
	assert_eq 0 "$rc" "prune --dry-run: $out"
	assert_contains "$out" "would remove $old"
	assert_contains "$out" "keeping $used (a container uses it)"
	"$DOCKER" image inspect "$old" >/dev/null 2>&1 || fail "--dry-run removed something"
	run "$PARA" image prune
	assert_eq 0 "$rc" "prune: $out"
	assert_not_contains "$out" "<none>"
	assert_not_contains "$out" "error"
	"$DOCKER" image inspect "$old" >/dev/null 2>&1 && fail "old image kept"
	"$DOCKER" image inspect "$untagged" >/dev/null 2>&1 && fail "untagged image kept"
	"$DOCKER" image inspect "$tagged" >/dev/null 2>&1 && fail "para's tag of the user-tagged image kept"
	"$DOCKER" image inspect "$usertag" >/dev/null 2>&1 || fail "the user's tag went"
	"$DOCKER" image inspect "$used" >/dev/null 2>&1 || fail "the image a container uses went"
	"$DOCKER" image inspect "$cur" >/dev/null 2>&1 || fail "the current image went"
	expect_rc 0 "$PARA" cancel -f user
	run "$PARA" image prune
	assert_contains "$out" "removing $used"
	"$DOCKER" image inspect "$cur" >/dev/null 2>&1 || fail "the current image went"
}

# libarchive is loaded only when a tar stream is made: without it (here a
# stand-in of that name that holds none of its functions, found first on
# LD_LIBRARY_PATH) every other command runs, and a build says what is
# missing in one line and makes nothing
test_build_without_libarchive_says_so() {
	command -v cc >/dev/null || { echo "    SKIP: no C compiler" >&2; exit 77; }
	image_repo
	trap 'remove_repo_images; cleanup_engine_objects' EXIT
	mkdir -p "$TEST_TMP/fakelib"
	echo 'int para_test_not_libarchive;' >"$TEST_TMP/fakelib/x.c"
	cc -shared -fPIC -o "$TEST_TMP/fakelib/libarchive.so.13" "$TEST_TMP/fakelib/x.c" || fail "cannot build the stand-in"
	expect_rc 0 "$PARA" image build
	images=$(images_of_repo)
	[ -n "$images" ] || fail "no image built"
	LD_LIBRARY_PATH=$TEST_TMP/fakelib expect_rc 0 "$PARA" list
	LD_LIBRARY_PATH=$TEST_TMP/fakelib expect_rc 0 "$PARA" image build
	assert_contains "$out" "up to date" "a build that is not needed needs no libarchive"
	before=$(disk_snapshot)
	LD_LIBRARY_PATH=$TEST_TMP/fakelib run "$PARA" image build --force
	assert_eq 1 "$rc" "image build without libarchive: $out"
	assert_one_line "$out"
	assert_contains "$out" "cannot load libarchive.so.13 (libarchive)"
	assert_contains "$out" "apt-get install libarchive13"
	assert_eq "$images" "$(images_of_repo)" "the images after the refused build"
	assert_eq "$before" "$(disk_snapshot)" "disk after the refused build"
	expect_rc 0 "$PARA" image build --force
}
