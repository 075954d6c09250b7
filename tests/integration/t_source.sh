# Properties of the source tree itself.

# Only src/cli/ prints: the core reports through util/report.h, and the
# fatal out-of-memory line is cli/'s too (xalloc_on_oom).
test_only_cli_writes_to_stdout_or_stderr() {
	cd "$ROOT" || fail "cd $ROOT"
	local pat='\b(printf|vprintf|puts|putchar|perror|warn|warnx|err|errx)\s*\(|\b(stdout|stderr|STDOUT_FILENO|STDERR_FILENO)\b|write\s*\(\s*[12]\s*,'
	# comments and string literals (an Engine API query's "stdout=1") may
	# name them; code may not
	hits=$(grep -nE "$pat" $(find src -name '*.c' -o -name '*.h' | grep -v '^src/cli/') |
		sed -E 's@"([^"\\]|\\.)*"@""@g; s@/\*.*(\*/|$)@@; s@//.*$@@; s@^([^:]+:[0-9]+:)\s*\*.*@\1@' |
		grep -E "$pat")
	assert_eq "" "$hits" "output below src/cli"
	# and the check finds what it looks for
	echo 'static void f(void) { fprintf(stderr, "x"); }' >"$TEST_TMP/probe.c"
	grep -qE "$pat" "$TEST_TMP/probe.c" || fail "the pattern misses fprintf(stderr"
	sed -E 's@"([^"\\]|\\.)*"@""@g' "$TEST_TMP/probe.c" | grep -qE "$pat" || fail "stripping strings hides fprintf(stderr"
}

# No function in src/ runs over 60 lines (between its braces).
test_no_function_over_60_lines() {
	cd "$ROOT" || fail "cd $ROOT"
	long=$(awk '
		FNR == 1 { start = 0 }
		/^[A-Za-z_].*\(/ { sig = $0 }
		/^\{$/ { start = FNR; name = sig }
		/^\}$/ && start { n = FNR - start - 1; if (n > 60) printf "%s:%d: %d lines: %s\n", FILENAME, start, n, name; start = 0 }
	' $(find src -name '*.c'))
	assert_eq "" "$long" "functions over 60 lines"
	# and the check sees a long one
	{ echo "static void f(void)"; echo "{"; for i in $(seq 61); do echo "	x();"; done; echo "}"; } >"$TEST_TMP/long.c"
	[ -n "$(awk '/^\{$/ { s = FNR } /^\}$/ && s { if (FNR - s - 1 > 60) print "long" }' "$TEST_TMP/long.c")" ] ||
		fail "the check misses a 61-line function"
}
