# Completions, --help and the man page, all from the one command table: the
# scripts of 'para completion' load in real bash, zsh and fish and complete
# a session name and a profile name there (zsh with compinit, in a pty);
# every command and option of the table ('para __table') is in its --help,
# in the man page (man -l on the page the build made) and in what the bash
# completion offers; completing makes no engine call.

# A repository with two host sessions and a profile; the shells find para on PATH.
comp_repo() {
	mkrepo
	set_agent '["true"]'
	expect_rc 0 "$PARA" start alpha-one --detach
	expect_rc 0 "$PARA" start beta-two --detach
	mkdir -p "$XDG_CONFIG_HOME/para"
	cat >"$XDG_CONFIG_HOME/para/config.json" <<'JSON'
{ "docker": { "profiles": { "gpu-box": { "image": "para-test-debian:bookworm" }, "tiny": {} } } }
JSON
	BIN=$TEST_TMP/bin
	mkdir -p "$BIN"
	ln -sf "$PARA" "$BIN/para"
	export PATH="$BIN:$PATH"
}

# bash_complete WORD...: what the bash script completes for "para WORD..."
# (the last word being completed) in a real bash.
bash_complete() {
	bash --norc -c 'source <(para completion bash) || exit 9
		COMP_WORDS=(para "$@"); COMP_CWORD=$#; COMP_LINE="para $*"; COMP_POINT=${#COMP_LINE}
		_para para "${@: -1}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}"' bash "$@"
}

test_scripts_load_in_bash_zsh_and_fish() {
	comp_repo
	run bash --norc -c 'source <(para completion bash) && complete -p para'
	assert_eq 0 "$rc" "bash loads the script: $out"
	assert_eq "complete -F _para para" "$out" "complete -p para"
	run zsh -f -c 'autoload -U compinit && compinit -u -D && source <(para completion zsh) && print -r -- ${_comps[para]}'
	assert_eq 0 "$rc" "zsh loads the script: $out"
	assert_eq "_para" "$out" "zsh's completion function for para"
	run fish --no-config -c 'para completion fish | source; and complete -c para'
	assert_eq 0 "$rc" "fish loads the script: $out"
	assert_contains "$out" "__para_complete"
	expect_rc 2 "$PARA" completion tcsh
	assert_one_line "$out"
	assert_contains "$out" "say bash, zsh or fish"
	expect_rc 2 "$PARA" completion
	assert_one_line "$out"
}

test_bash_completes_sessions_profiles_options() {
	comp_repo
	run bash_complete resume ""
	assert_eq 0 "$rc" "bash completion: $out"
	assert_eq "alpha-one beta-two" "$(echo $out)" "sessions after 'para resume'"
	assert_eq "alpha-one" "$(bash_complete exec al)" "'para exec al'"
	assert_eq "gpu-box" "$(bash_complete start --docker-profile g)" "profiles after --docker-profile"
	assert_eq "gpu-box tiny" "$(echo $(bash_complete profile show ''))" "'para profile show'"
	assert_eq "para-test-debian:bookworm" "$(bash_complete start -c --docker-image para-test-d)" "images"
	assert_eq "--docker-image --docker-args --docker-profile" "$(echo $(bash_complete start --dock))" "options"
	assert_eq "status" "$(bash_complete stat)" "commands"
	assert_eq "build bootstrap" "$(echo $(bash_complete image b))" "subcommands"
	assert_eq "docker.network.mode" "$(bash_complete config set docker.network.mo)" "config keys"
	assert_eq "debootstrap busybox" "$(echo $(bash_complete image bootstrap --from ''))" "choices"
	# a file is asked for: the shell's own file completion
	: >"$REPO/prompt-file.txt"
	assert_eq "prompt-file.txt" "$(bash_complete start -f prompt-f)" "files after -f"
	# finish's session comes after its message
	assert_eq "beta-two" "$(bash_complete finish "the message" b)" "finish MESSAGE NAME"
	assert_eq "" "$(bash_complete finish b)" "finish's message is not a session"
	# after exec's --, the words are the command's
	assert_eq "" "$(bash_complete exec alpha-one -- al)" "after --"
}

test_fish_completes_sessions_and_profiles() {
	comp_repo
	run fish --no-config -c 'para completion fish | source; complete -C "para resume "'
	assert_eq 0 "$rc" "fish: $out"
	assert_contains "$out" "alpha-one"
	assert_contains "$out" "beta-two"
	run fish --no-config -c 'para completion fish | source; complete -C "para start --docker-profile gp"'
	assert_eq 0 "$rc" "fish: $out"
	assert_eq "gpu-box	profile" "$out" "fish: a profile, with its description"
}

# zsh, interactive in a pty with compinit: type "para resume al<TAB>" and see
# the line become "para resume alpha-one".
test_zsh_completes_in_a_pty() {
	comp_repo
	mkdir -p "$TEST_TMP/zdot"
	cat >"$TEST_TMP/zdot/.zshrc" <<'ZSH'
autoload -U compinit && compinit -u -D
source <(para completion zsh)
PS1='READY> '
ZSH
	cat >"$TEST_TMP/drive-zsh.py" <<'PY'
import os, pty, select, sys, time
def drive(line, want):
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp("zsh", ["zsh", "-i"])
    buf = b""
    def read_until(needle, secs):
        nonlocal buf
        end = time.time() + secs
        while time.time() < end and needle not in buf:
            r, _, _ = select.select([fd], [], [], 0.2)
            if r:
                try:
                    buf += os.read(fd, 4096)
                except OSError:
                    break
        return needle in buf
    ok = read_until(b"READY> ", 10)
    mark = len(buf)
    os.write(fd, line.encode())
    found = ok and read_until(want.encode(), 10)
    os.write(fd, b"\x03exit\n")
    time.sleep(0.2)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    sys.stdout.write(buf[mark:].decode(errors="replace"))
    return found
ok = drive(sys.argv[1], sys.argv[2])
sys.exit(0 if ok else 1)
PY
	run env ZDOTDIR="$TEST_TMP/zdot" TERM=xterm python3 "$TEST_TMP/drive-zsh.py" $'para resume al\t' "alpha-one"
	assert_eq 0 "$rc" "zsh completed 'para resume al<TAB>' to alpha-one; the pty showed: $out"
	run env ZDOTDIR="$TEST_TMP/zdot" TERM=xterm python3 "$TEST_TMP/drive-zsh.py" $'para start --docker-profile gp\t' "gpu-box"
	assert_eq 0 "$rc" "zsh completed the profile gpu-box; the pty showed: $out"
}

# Every command and option of the table: in --help, in the man page, and
# offered by the bash completion.
test_table_is_in_help_man_page_and_completions() {
	comp_repo
	local page
	page=$(dirname "$PARA")/para.1
	[ -f "$page" ] || fail "no man page built at $page"
	local man_text
	man_text=$(MANWIDTH=200 man -l "$page" 2>/dev/null | col -b)
	[ -n "$man_text" ] || fail "man -l $page rendered nothing"
	# the terms of COMMANDS (the lines the entries start with)
	local terms
	terms=$(awk '/^COMMANDS/ { f = 1; next } /^[A-Z]/ { f = 0 } f && /^ +[^ \t]/' <<<"$man_text")
	[ -n "$terms" ] || fail "no COMMANDS section in the man page"
	local rows=0 cmd long short help_text comps top
	while IFS=$'\t' read -r cmd long short; do
		rows=$((rows + 1))
		top=${cmd%% *}
		help_text=$("$PARA" "$top" --help 2>&1) || fail "'para $top --help' failed: $help_text"
		if [ -z "$long" ]; then
			# a command: its help names it, the man page has it as a heading or term
			grep -qF "usage: para $top" <<<"$help_text" || fail "'para $top --help' has no usage line"
			grep -qE "(^ *|[|/] )$cmd( |$)" <<<"$terms" || fail "the man page's COMMANDS have no entry for '$cmd'"
			# shellcheck disable=SC2086
			grep -qx -- "${cmd##* }" <<<"$(bash_complete $cmd)" || fail "completing '$cmd' does not offer it"
			continue
		fi
		grep -qF -- "$long" <<<"$help_text" || fail "'para $top --help' does not list $long (of $cmd)"
		[ -z "$short" ] || grep -qF -- "$short, $long" <<<"$help_text" ||
			fail "'para $top --help' does not list '$short, $long' (of $cmd)"
		grep -qF -- "$long" <<<"$man_text" || fail "the man page does not mention $long (of $cmd)"
		# shellcheck disable=SC2086
		comps=$(bash_complete $cmd --)
		grep -qx -- "$long" <<<"$comps" || fail "'para $cmd --<TAB>' does not offer $long: $(echo $comps)"
	done < <("$PARA" __table)
	[ "$rows" -gt 100 ] || fail "only $rows rows in 'para __table'"
	# the hidden helpers are in none of them
	assert_not_contains "$("$PARA" --help)" "__complete"
	assert_not_contains "$(bash_complete __)" "__complete"
	expect_rc 2 "$PARA" help __complete
}

# Completing reads .para and the config, never the engine: no engine CLI is
# run and no socket is opened.
test_completion_makes_no_engine_call() {
	comp_repo
	command -v strace >/dev/null || fail "strace is needed (scripts/bootstrap.sh --deps)"
	# LeakSanitizer cannot run under ptrace: an ASan build is traced without it
	local asan=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
	for words in "resume ''" "start --docker-image ''" "start --docker-profile ''" "recover ''" "status a"; do
		eval "ASAN_OPTIONS='$asan' strace -f -qq -e trace=execve,connect -o '$TEST_TMP/trace' '$PARA' __complete $words" >/dev/null 2>&1 ||
			fail "__complete $words failed"
		if grep -E 'execve\("[^"]*(docker|podman)"|connect\(.*(docker|podman)' "$TEST_TMP/trace"; then
			fail "'para __complete $words' called the engine"
		fi
	done
	# the same names as 'para list -q', which does ask the engine
	assert_eq "$("$PARA" list -q | tr '\n' ' ')" "$("$PARA" __complete resume '' | cut -f1 | tr '\n' ' ')" \
		"completion and list -q"
}
