# Shared helpers for the integration tests: real para binary, real git, real engine.
# A test file defines functions named test_*; run.sh runs each in its own
# subshell with a fresh temp dir and cleans up what it made.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PARA=${PARA:-$ROOT/build/para}
DOCKER=${PARA_CONTAINER_RUNTIME:-docker}
BUSYBOX_IMAGE=${PARA_TEST_BUSYBOX_IMAGE:-para-test-busybox:latest}
DEBIAN_IMAGE=${PARA_TEST_DEBIAN_IMAGE:-para-test-debian:bookworm}
AGENTS=$ROOT/tests/integration/agents

fail() {
	echo "    FAIL: $*" >&2
	exit 1
}

assert_eq() { # expected actual [what]
	[ "$1" = "$2" ] || fail "${3:-value}: expected '$1', got '$2'"
}

assert_contains() { # haystack needle [what]
	case "$1" in *"$2"*) ;; *) fail "${3:-output} does not contain '$2': $1" ;; esac
}

assert_not_contains() {
	case "$1" in *"$2"*) fail "${3:-output} contains '$2': $1" ;; esac
}

assert_file() { [ -e "$1" ] || fail "missing file $1"; }
assert_no_file() { [ ! -e "$1" ] || fail "unexpected file $1"; }

# run CMD...: sets $out (stdout+stderr), $rc
run() {
	out=$("$@" 2>&1)
	rc=$?
}

# expect_rc N CMD...
expect_rc() {
	local want=$1
	shift
	run "$@"
	[ "$rc" = "$want" ] || fail "'$*' exited $rc, expected $want; output: $out"
}

# An error is one line: "para: error: ..." or a usage line.
assert_one_line() {
	local n
	n=$(printf '%s\n' "$1" | grep -c .)
	[ "$n" = 1 ] || fail "expected a one-line message, got $n lines: $1"
}

# A fresh repo with one commit; cd into it; config points the agent at a script.
mkrepo() {
	local dir=${1:-$TEST_TMP/repo}
	mkdir -p "$dir"
	cd "$dir" || fail "cd $dir"
	git init -q -b main .
	git config user.email test@example.com
	git config user.name "Para Test"
	echo "hello" >README.md
	git add README.md
	git commit -q -m "initial"
	REPO=$(pwd -P)
}

# Point agent.command at one of tests/integration/agents (or any argv as JSON).
# The test made this repository, so it trusts it (agent.command needs trust).
set_agent() { # json-array [prompt-mode]
	mkdir -p .para
	printf '{"agent": {"command": %s, "prompt": "%s"}}\n' "$1" "${2:-arg}" >.para/config.json
	git add .para/config.json && git commit -q -m "para config"
	trust_repo
}

# Trust the current repository's .para/config.json as it is now.
trust_repo() {
	local o
	o=$("$PARA" trust 2>&1) || fail "para trust: $o"
}

# A snapshot of everything para could have changed: files, refs, worktrees.
disk_snapshot() {
	(
		cd "$REPO" || exit 1
		find . -path ./.git -prune -o -print | LC_ALL=C sort
		git for-each-ref --format='%(refname) %(objectname)'
		git worktree list --porcelain
		git status --porcelain
	)
}

engine_ok() { timeout 10 "$DOCKER" info >/dev/null 2>&1; }

need_engine() {
	engine_ok || { echo "    SKIP: no container engine" >&2; exit 77; }
}

need_image() {
	"$DOCKER" image inspect "$1" >/dev/null 2>&1 || { echo "    SKIP: image $1 missing (scripts/bootstrap.sh --images)" >&2; exit 77; }
}

# Containers labelled for the current test repo.
repo_containers() {
	"$DOCKER" ps -a --filter "label=dev.para.repo=$REPO" --format '{{.Names}}'
}

cleanup_engine_objects() {
	engine_ok || return 0
	local ids
	ids=$("$DOCKER" ps -aq --filter "label=dev.para.test-run=$TEST_RUN_ID" 2>/dev/null)
	[ -z "$ids" ] || "$DOCKER" rm -f $ids >/dev/null 2>&1
	for r in "${CLEAN_REPOS[@]:-}"; do
		[ -n "$r" ] || continue
		ids=$("$DOCKER" ps -aq --filter "label=dev.para.repo=$r" 2>/dev/null)
		[ -z "$ids" ] || "$DOCKER" rm -f $ids >/dev/null 2>&1
	done
	return 0
}

# assert_line TEXT LINE [what]: LINE is one whole line of TEXT
assert_line() {
	grep -qxF -- "$2" <<<"$1" || fail "${3:-output} has no line '$2': $1"
}

# The fixture user (uid 4711, made by bootstrap --test-fixtures) runs CMD...
as_fixture_user() {
	setpriv --reuid 4711 --regid 4711 --init-groups env HOME="$TEST_TMP/u4711" XDG_CONFIG_HOME="$TEST_TMP/u4711/.config" "$@"
}

# A repo in $TEST_TMP/repo owned by the fixture user, who runs its own copy
# of para (the build may sit in a folder only root can enter); cd into it.
fixture_user_repo() {
	[ "$(id -u)" = 0 ] && id para-test >/dev/null 2>&1 || { echo "    SKIP: needs root and user para-test (bootstrap --test-fixtures)" >&2; exit 77; }
	mkdir -p "$TEST_TMP/u4711/.config/para" && chown -R 4711:4711 "$TEST_TMP" && chmod 755 "$TEST_TMP"
	install -m 755 "$PARA" "$TEST_TMP/para" && PARA=$TEST_TMP/para
	as_fixture_user bash -c '
		set -e
		cd "$TEST_TMP" && git init -q -b main repo && cd repo
		git config user.email t@example.com && git config user.name T
		echo hi >README.md && git add -A && git commit -qm init' || fail "repo setup"
	cd "$TEST_TMP/repo" && REPO=$(pwd -P)
	CLEAN_REPOS+=("$REPO")
}
