#!/usr/bin/env bash
# Run integration tests: tests/integration/run.sh [FILE-PATTERN [TEST-PATTERN]]
# (PARA_TEST_DIR=tests/e2e runs the end-to-end tests with the same harness.)
# Each test_* function runs in its own subshell and temp dir; containers of
# its repos are removed afterwards even when it fails. Exit 77 = skipped.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
file_pat=${1:-}
test_pat=${2:-}
passed=0 failed=0 skipped=0
failures=()
export TEST_RUN_ID="t$$"

# PARA_TEST_DIR: another folder of t_*.sh files using these helpers (tests/e2e)
for f in "${PARA_TEST_DIR:-$HERE}"/t_*.sh; do
	[ -z "$file_pat" ] || [[ "$(basename "$f")" == *$file_pat* ]] || continue
	tests=$(bash -c "source '$HERE/lib.sh'; source '$f'; declare -F" | awk '{print $3}' | grep '^test_' )
	for t in $tests; do
		[ -z "$test_pat" ] || [[ "$t" == *$test_pat* ]] || continue
		tmp=$(mktemp -d /tmp/para-it.XXXXXX)
		start=$(date +%s.%N)
		(
			export TEST_TMP=$tmp
			export HOME=$tmp/home XDG_CONFIG_HOME=$tmp/home/.config XDG_STATE_HOME=$tmp/home/.local/state
			mkdir -p "$HOME"
			CLEAN_REPOS=()
			source "$HERE/lib.sh"
			source "$f"
			trap 'cleanup_engine_objects' EXIT
			cd "$tmp" || exit 1
			set +e
			"$t"
		) >"$tmp.log" 2>&1
		rc=$?
		dur=$(printf '%.1f' "$(echo "$(date +%s.%N) - $start" | bc)")
		name="$(basename "$f" .sh):$t"
		if [ $rc = 0 ]; then
			passed=$((passed + 1))
			echo "ok   $name (${dur}s)"
		elif [ $rc = 77 ]; then
			skipped=$((skipped + 1))
			echo "skip $name: $(grep SKIP "$tmp.log" | head -1 | sed 's/^ *SKIP: //')"
		else
			failed=$((failed + 1))
			failures+=("$name")
			echo "FAIL $name (${dur}s)"
			sed 's/^/    /' "$tmp.log" | tail -25
		fi
		# containers of any repo under this test's temp dir
		if timeout 10 ${PARA_CONTAINER_RUNTIME:-docker} info >/dev/null 2>&1; then
			left=$(${PARA_CONTAINER_RUNTIME:-docker} ps -a --format '{{.Names}} {{.Label "dev.para.repo"}}' | awk -v t="$tmp" 'index($2, t) == 1 {print $1}')
			if [ -n "$left" ]; then
				echo "FAIL $name left containers behind: $left"
				${PARA_CONTAINER_RUNTIME:-docker} rm -f $left >/dev/null 2>&1
				[ $rc = 0 ] && { passed=$((passed - 1)); failed=$((failed + 1)); failures+=("$name (leak)"); }
			fi
		fi
		# images a test built for its repos go with it
		if timeout 10 ${PARA_CONTAINER_RUNTIME:-docker} info >/dev/null 2>&1; then
			ids=$(${PARA_CONTAINER_RUNTIME:-docker} images -q --filter label=dev.para.repo | sort -u)
			imgs=$([ -z "$ids" ] || ${PARA_CONTAINER_RUNTIME:-docker} image inspect \
				-f '{{.Id}} {{index .Config.Labels "dev.para.repo"}}' $ids | awk -v t="$tmp" 'index($2, t) == 1 {print $1}')
			[ -z "$imgs" ] || ${PARA_CONTAINER_RUNTIME:-docker} rmi -f $imgs >/dev/null 2>&1
		fi
		# home volumes its sessions made (labelled with the repository that made them)
		if timeout 10 ${PARA_CONTAINER_RUNTIME:-docker} info >/dev/null 2>&1; then
			vols=$(${PARA_CONTAINER_RUNTIME:-docker} volume ls --filter label=dev.para.role=home \
				--format '{{.Name}} {{.Label "dev.para.origin"}}' | awk -v t="$tmp" 'index($2, t) == 1 {print $1}')
			[ -z "$vols" ] || ${PARA_CONTAINER_RUNTIME:-docker} volume rm -f $vols >/dev/null 2>&1
		fi
		rm -rf "$tmp" "$tmp.log" 2>/dev/null || { chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp" "$tmp.log"; }
	done
done

echo
[ ${#failures[@]} = 0 ] || printf 'failed: %s\n' "${failures[@]}"
echo "integration: $passed passed, $failed failed, $skipped skipped"
[ $failed = 0 ]
