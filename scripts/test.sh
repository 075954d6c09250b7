#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls 'make test', which is this).
#
#   scripts/test.sh [--only STAGE]...
#
# Stages, in order: build (gcc, warnings are errors), clang (warnings are
# errors), unit (cmocka), sanitize (unit tests under ASan+UBSan), valgrind
# (unit tests), fuzz (libFuzzer targets, FUZZ_SECONDS each, default 60),
# integration (the real binary against real git and the real engine),
# integration-asan (the same suite driving the ASan+UBSan build of para; any
# sanitizer report fails it), e2e (Claude Code itself in a para container
# session against a mock Messages API: tests/e2e).
# Installs what is missing first; starts dockerd when no engine answers and
# stops it at the end only if this run started it.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
only=()
while [ $# -gt 0 ]; do
	case "$1" in
	--only) only+=("$2"); shift 2 ;;
	-h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "test: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
want() { [ ${#only[@]} = 0 ] && return 0; local s; for s in "${only[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1; }

BOOT_DIR=${PARA_BOOTSTRAP_DIR:-/var/tmp/para-bootstrap}
pid_before=$(cat "$BOOT_DIR/dockerd.pid" 2>/dev/null || true)
steps=(--deps --engine)
[ "$(id -u)" = 0 ] && steps+=(--test-fixtures)
steps+=(--images)
scripts/bootstrap.sh "${steps[@]}" || { echo "test: bootstrap failed" >&2; exit 1; }
pid_after=$(cat "$BOOT_DIR/dockerd.pid" 2>/dev/null || true)
stop_engine() {
	if [ -n "$pid_after" ] && [ "$pid_after" != "$pid_before" ]; then
		scripts/engine-stop.sh -q || true
	fi
}
trap stop_engine EXIT

results=()
status=0
stage() { # name command...
	local name=$1; shift
	want "$name" || return 0
	echo "=== $name"
	local t0=$SECONDS
	if "$@"; then
		results+=("ok   $name ($((SECONDS - t0))s)")
	else
		results+=("FAIL $name ($((SECONDS - t0))s)")
		status=1
	fi
}

setup() { # dir [meson options...]
	local dir=$1; shift
	[ -f "$dir/build.ninja" ] || meson setup "$dir" "$@" >/dev/null || return 1
	ninja -C "$dir" >/dev/null || ninja -C "$dir"
}

s_build() { setup build; }
s_clang() { CC=clang setup build-clang; }
s_unit() { setup build && meson test -C build --suite unit --print-errorlogs; }
s_sanitize() {
	setup build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dbench=false &&
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
			meson test -C build-asan --suite unit --print-errorlogs
}
s_valgrind() {
	setup build && meson test -C build --suite unit --print-errorlogs \
		--wrap='valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite -q'
}
s_fuzz() {
	CC=clang setup build-fuzz -Dfuzz=true -Dtests=false -Dbench=false \
		-Db_sanitize=address,undefined -Db_lundef=false || return 1
	local t rc=0 secs=${FUZZ_SECONDS:-60}
	for t in build-fuzz/fuzz/fuzz_*; do
		[ -f "$t" ] && [ -x "$t" ] || continue
		local name corpus
		name=$(basename "$t")
		corpus=$(mktemp -d)
		[ -x "fuzz/seed-${name#fuzz_}.sh" ] && "fuzz/seed-${name#fuzz_}.sh" "$corpus" >/dev/null 2>&1
		echo "fuzz: $name for ${secs}s"
		UBSAN_OPTIONS=halt_on_error=1 "$t" -max_total_time="$secs" -print_final_stats=0 \
			-artifact_prefix=build-fuzz/ "$corpus" 2>build-fuzz/$name.log || { rc=1; tail -30 build-fuzz/$name.log; }
		grep -E '^(Done|#[0-9]+ *DONE)' build-fuzz/$name.log | tail -1
		rm -rf "$corpus"
	done
	return $rc
}
s_integration() { setup build && PARA=$ROOT/build/para tests/integration/run.sh; }
s_e2e() { setup build && PARA_TEST_DIR=$ROOT/tests/e2e PARA=$ROOT/build/para tests/integration/run.sh; }
s_integration_asan() {
	# the egress proxy goes into an image FROM scratch: the static one of
	# build/ (a sanitizer build of it is dynamic)
	setup build && setup build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dbench=false || return 1
	local logs rc=0
	logs=$(mktemp -d /tmp/para-asan.XXXXXX) && chmod 1777 "$logs"
	# ASan's reports go to files (the tests read para's output), and any file
	# fails the stage; UBSan cannot log to a file beside ASan, so it aborts
	# para (exit 134), which no test expects
	# tests/lsan.supp: a leak of libgit2's, not para's (the file says which)
	ASAN_OPTIONS=detect_leaks=1:log_path=$logs/asan \
		LSAN_OPTIONS=suppressions=$ROOT/tests/lsan.supp:print_suppressions=0 \
		UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1 \
		PARA_PROXY_BIN=$ROOT/build/proxy/para-proxy PARA=$ROOT/build-asan/para tests/integration/run.sh || rc=1
	# a report says "ERROR:"; a para killed (kill -9 tests) while its leak
	# check stops the world leaves only a "Unable to get registers" note
	local reports
	reports=$(grep -l "ERROR:" "$logs"/* 2>/dev/null)
	if [ -n "$reports" ]; then
		echo "integration-asan: sanitizer reports:"
		head -60 $reports
		rc=1
	fi
	rm -rf "$logs"
	return $rc
}

stage build s_build
stage clang s_clang
stage unit s_unit
stage sanitize s_sanitize
stage valgrind s_valgrind
stage fuzz s_fuzz
stage integration s_integration
stage integration-asan s_integration_asan
stage e2e s_e2e

echo
printf '%s\n' "${results[@]}"
exit $status
