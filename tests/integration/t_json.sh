# --json, colour and -q/-v: what every command prints for programs and
# terminals.
# - Every --json document has the shape docs/json.md gives it: the tables
#   there are read here and each is checked against real output (a host
#   session, a container session, an isolated one and an archive present), so
#   the file and the output cannot drift; config show --json also against
#   docs/config.md's key table.
# - No secret value reaches a --json document without --reveal.
# - Colour and cursor control only on a terminal (a pty from script(1)),
#   never with NO_COLOR set and not empty, never into a pipe; a progress line
#   likewise.
# - -q and -v are taken by every command and mean the same in each.

DOC=$ROOT/docs/json.md
CONFIG_DOC=$ROOT/docs/config.md
SECRET_A=sekrit-docker-env-4f1c
SECRET_B=sekrit-cli-e-93ab
SECRET_C=sekrit-env-file-77d0
SECRET_D=sekrit-dotenv-5e21

json_repo() {
	need_engine
	need_image "$BUSYBOX_IMAGE"
	mkrepo
	CLEAN_REPOS+=("$REPO")
	mkdir -p .para
	cat >.para/config.json <<JSON
{
  "agent": {"command": ["true"]},
  "docker": {
    "default_image": "$BUSYBOX_IMAGE",
    "dockerfile": null,
    "env": {"MY_TOKEN": "$SECRET_A", "PLAIN_VALUE": "plain"},
    "default_profile": "child",
    "profiles": {
      "base": {"env_vars": {"FROM_BASE": "b"}, "resources": {"memory": "64m"}},
      "extra": {"env_vars": {"FROM_EXTRA": "e"}},
      "child": {"extends": "base", "env_vars": {"FROM_CHILD": "c"}},
      "both": {"extends": ["child", "extra"]}
    }
  }
}
JSON
	git add -A && git commit -q -m "para config" && trust_repo
}

# shape_check DOC FILE: every table of docs/json.md for document DOC (list,
# status, env…) against the JSON in FILE; each table's count of objects
# checked is added to $TEST_TMP/coverage.
shape_check() {
	python3 - "$DOC" "$1" "$2" "$TEST_TMP/coverage" <<'PY' || fail "$1 --json does not match docs/json.md (the lines above); its start: $(head -c 300 "$2" | tr -s "\n " "  ")"
import json, re, sys

doc_path, want_doc, data_path, cov_path = sys.argv[1:5]

def tables(text):
    """{id: (pairs, with_id, rows)} from '<!-- shape ID: DOC PATH[; DOC PATH] [with ID] -->' + a table."""
    out, lines = {}, text.split("\n")
    for i, line in enumerate(lines):
        m = re.match(r"<!-- shape (\w+): (.*?)(?: with (\w+))? -->$", line.strip())
        if not m:
            continue
        rows, j = [], i + 1
        while j < len(lines) and lines[j].startswith("|"):
            cells = [c.strip() for c in lines[j].strip().strip("|").split("|")]
            rows.append(cells)
            j += 1
        body = [r for r in rows[2:]]
        if not body:
            sys.exit("docs/json.md: shape %s has no table" % m.group(1))
        pairs = [p.split() for p in m.group(2).split(";")]
        out[m.group(1)] = (pairs, m.group(3), body)
    return out

def parse_rows(sid, rows):
    keys = {}
    for cells in rows:
        if len(cells) != 3:
            sys.exit("docs/json.md: shape %s: a row that is not key | type | null when: %s" % (sid, cells))
        km = re.fullmatch(r"`([a-z0-9_]+)`", cells[0])
        if not km:
            sys.exit("docs/json.md: shape %s: key %r is not one `snake_case` word" % (sid, cells[0]))
        alts = [a.strip() for a in cells[1].split(" or ")]
        never = cells[2].startswith("never")
        # the table says the same twice: the type has null iff "null when" is not "never"
        if never == ("null" in alts):
            sys.exit("docs/json.md: shape %s: `%s` has type %r but null when %r" % (sid, km.group(1), cells[1], cells[2]))
        keys[km.group(1)] = alts
    return keys

def singular(t):
    if t.startswith("arrays of "):
        return "array of " + t[len("arrays of "):]
    return t[:-1] if t.endswith("s") else t

def is_type(v, t):
    if t == "any":
        return True
    if t == "null":
        return v is None
    if t == "string":
        return isinstance(v, str)
    if t == "boolean":
        return isinstance(v, bool)
    if t == "integer":
        return isinstance(v, int) and not isinstance(v, bool)
    if t == "number":
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    if t == "object":
        return isinstance(v, dict)
    if t == "array":
        return isinstance(v, list)
    if t.startswith("array of "):
        return isinstance(v, list) and all(is_type(e, singular(t[len("array of "):])) for e in v)
    if t.startswith("object of "):
        return isinstance(v, dict) and all(is_type(e, singular(t[len("object of "):])) for e in v.values())
    sys.exit("docs/json.md: unknown type %r" % t)

def resolve(root, path):
    """The values at path: '.' the root, '[]' each element, '*' each value, 'k' a key."""
    toks = re.findall(r"\[\]|\*|[a-z0-9_]+", path)
    want = list if toks[:1] == ["[]"] else dict
    if not isinstance(root, want):
        sys.exit("%s: the document is %s, docs/json.md says %s" % (want_doc, type(root).__name__, want.__name__))
    cur = [root]
    for t in toks:
        nxt = []
        for v in cur:
            if v is None:
                continue
            if t == "[]":
                nxt.extend(v)
            elif t == "*":
                nxt.extend(v.values())
            else:
                nxt.append(v[t])
        cur = nxt
    return [v for v in cur if v is not None]

text = open(doc_path).read()
shapes = tables(text)
raw = open(data_path).read()
data = json.loads(raw)
errors = []
# one format for every document: two-space indent, sorted keys, one newline
if raw != json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n":
    errors.append("not in the documents' one format (indent 2, sorted keys, a newline)")
cov = open(cov_path, "a")
for sid, (pairs, with_id, rows) in shapes.items():
    keys = parse_rows(sid, rows)
    if with_id:
        keys = dict(parse_rows(with_id, shapes[with_id][2]), **keys)
    for doc, path in pairs:
        if doc != want_doc:
            continue
        objs = resolve(data, path)
        cov.write("%s %s %s %d\n" % (sid, doc, path, len(objs)))
        for o in objs:
            if not isinstance(o, dict):
                errors.append("%s %s: %r is not an object" % (doc, path, o))
                continue
            for k in sorted(set(o) - set(keys)):
                errors.append("%s %s: key %r is not in docs/json.md (shape %s)" % (doc, path, k, sid))
            for k in sorted(set(keys) - set(o)):
                errors.append("%s %s: documented key %r is missing (shape %s)" % (doc, path, k, sid))
            for k in sorted(set(keys) & set(o)):
                if not any(is_type(o[k], t) for t in keys[k]):
                    errors.append("%s %s: %s = %r is not %s" % (doc, path, k, o[k], " or ".join(keys[k])))
for e in errors:
    print("    " + e, file=sys.stderr)
sys.exit(1 if errors else 0)
PY
}

# Every table of docs/json.md saw at least one object.
shape_coverage() {
	python3 - "$DOC" "$TEST_TMP/coverage" <<'PY' || fail "docs/json.md tables no output was checked against"
import re, sys
doc, cov = sys.argv[1:3]
want = set()
for m in re.finditer(r"<!-- shape (\w+): (.*?)(?: with \w+)? -->", open(doc).read()):
    for p in m.group(2).split(";"):
        want.add((m.group(1),) + tuple(p.split()))
seen = set()
for line in open(cov):
    sid, d, path, n = line.split()
    if int(n) > 0:
        seen.add((sid, d, path))
missing = sorted(want - seen)
for m in missing:
    print("    never checked: shape %s (%s %s)" % m, file=sys.stderr)
sys.exit(1 if missing else 0)
PY
}

# config show --json against docs/config.md's key table: every key there is
# in the output with its type, and the output has no key the table lacks.
config_doc_check() {
	python3 - "$CONFIG_DOC" "$1" <<'PY' || fail "config show --json does not match docs/config.md (the lines above)"
import json, re, sys
doc, data = sys.argv[1], json.load(open(sys.argv[2]))
table, in_keys = {}, False
for line in open(doc):
    if line.startswith("## "):
        in_keys = line.strip() == "## Keys"
    m = re.match(r"\| `([a-z_.]+)` \|(.*)", line) if in_keys else None
    if m:
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", m.group(2))]
        table[m.group(1)] = cells[0]
if len(table) < 20:
    sys.exit("docs/config.md: found only %d keys in its Keys table" % len(table))

def ok(v, t):
    if "`" in t:  # one of some words: a string
        return isinstance(v, str) or (v is None and "null" in t)
    alts = [a.strip() for a in re.split(r",|\bor\b", t) if a.strip()]
    for a in alts:
        a = a.split()[0]
        if (a == "null" and v is None) or (a == "string" and isinstance(v, str)) or \
           (a == "bool" and isinstance(v, bool)) or \
           (a == "int" and isinstance(v, int) and not isinstance(v, bool)) or \
           (a == "number" and isinstance(v, (int, float)) and not isinstance(v, bool)) or \
           (a == "list" and isinstance(v, list)) or (a == "object" and isinstance(v, dict)):
            return True
    return False

errors = []
for key, t in table.items():
    cur = data
    for part in key.split("."):
        if not isinstance(cur, dict) or part not in cur:
            errors.append("%s (docs/config.md) is not in config show --json" % key)
            break
        cur = cur[part]
    else:
        if not ok(cur, t):
            errors.append("%s = %r is not %s" % (key, cur, t))

def walk(v, path):
    if path in table:
        return
    if isinstance(v, dict) and v:
        for k, sub in v.items():
            walk(sub, path + "." + k if path else k)
    else:
        errors.append("%s is in config show --json but not in docs/config.md" % path)
walk(data, "")
for e in errors:
    print("    " + e, file=sys.stderr)
sys.exit(1 if errors else 0)
PY
}

# json_of FILE CMD...: CMD's stdout into FILE; it must succeed
json_of() {
	local f=$1
	shift
	"$@" >"$f" 2>"$TEST_TMP/stderr" || fail "'$*' failed: $(cat "$TEST_TMP/stderr")"
}

test_every_documented_shape_matches_real_output() {
	json_repo
	printf 'FROM %s\nRUN true\n' "$BUSYBOX_IMAGE" >.para/Dockerfile
	git add -A && git commit -q -m Dockerfile
	expect_rc 0 "$PARA" config set docker.dockerfile .para/Dockerfile --project
	git commit -qam "dockerfile on" && trust_repo
	expect_rc 0 "$PARA" image build
	expect_rc 0 "$PARA" start --detach host1
	expect_rc 0 "$PARA" start --detach gone
	echo work >"$(pwd)/.para/worktrees/gone/w.txt"
	expect_rc 0 "$PARA" cancel -f gone
	expect_rc 0 "$PARA" start -c --detach box
	expect_rc 0 "$PARA" start -c --detach iso --allow-domains example.test
	: >"$TEST_TMP/coverage"
	t0=$(date +%s)

	json_of "$TEST_TMP/list.json" "$PARA" list -a --json
	shape_check list "$TEST_TMP/list.json"
	assert_eq '{"box":"running","gone":null,"host1":null,"iso":"running"}' \
		"$(jq -S -c 'map({(.name): .container_state}) | add' "$TEST_TMP/list.json")" "container states"
	assert_eq "false false false true" "$(jq -r '[.[].archived | tostring] | join(" ")' "$TEST_TMP/list.json")" "archives last"
	# timestamps are seconds (not ms, not a string), and the archive's is its own
	jq -e --argjson t "$t0" '[.[] | select(.archived | not) | .created] | all(. <= $t and . > $t - 3600)' \
		"$TEST_TMP/list.json" >/dev/null || fail "created is not Unix seconds: $(cat "$TEST_TMP/list.json")"
	jq -e --argjson t "$t0" '.[-1].archived_at <= $t and .[-1].archived_at > $t - 3600 and .[-1].archived' \
		"$TEST_TMP/list.json" >/dev/null || fail "archived_at is not Unix seconds"
	for s in host1 box iso; do
		json_of "$TEST_TMP/status-$s.json" "$PARA" status "$s" --json
		shape_check status "$TEST_TMP/status-$s.json"
	done
	assert_eq "null null" "$(jq -r '"\(.engine_reachable) \(.isolation)"' "$TEST_TMP/status-host1.json")"
	assert_eq "true true 0" \
		"$(jq -r '"\(.engine_reachable) \(.isolation.allow | index("example.test") != null) \(.isolation.denied)"' \
			"$TEST_TMP/status-iso.json")"

	json_of "$TEST_TMP/config.json" "$PARA" config show --json
	shape_check config-show "$TEST_TMP/config.json"
	config_doc_check "$TEST_TMP/config.json"
	json_of "$TEST_TMP/origin.json" "$PARA" config show --origin --json
	shape_check config-show-origin "$TEST_TMP/origin.json"
	assert_eq "\"plain\" $REPO/.para/config.json" \
		"$(jq -r '."docker.env.PLAIN_VALUE" | "\(.value | tojson) \(.origin)"' "$TEST_TMP/origin.json")"

	json_of "$TEST_TMP/profiles.json" "$PARA" profile list --json
	shape_check profile-list "$TEST_TMP/profiles.json"
	assert_eq '{"base":null,"both":["child","extra"],"child":["base"],"extra":null}' \
		"$(jq -S -c 'map({(.name): .extends}) | add' "$TEST_TMP/profiles.json")" "extends, always a list"
	json_of "$TEST_TMP/profile.json" "$PARA" profile show both --json
	shape_check profile-show "$TEST_TMP/profile.json"
	assert_eq "base 64m $REPO/.para/config.json" \
		"$(jq -r '."resources.memory" | "\(.profile) \(.value) \(.origin)"' "$TEST_TMP/profile.json")"

	json_of "$TEST_TMP/env.json" "$PARA" env --json
	shape_check env "$TEST_TMP/env.json"
	json_of "$TEST_TMP/env-box.json" "$PARA" env box --json
	shape_check env "$TEST_TMP/env-box.json"

	json_of "$TEST_TMP/auth.json" "$PARA" auth status --json
	shape_check auth-status "$TEST_TMP/auth.json"
	jq -e '.used_by | length > 0' "$TEST_TMP/auth.json" >/dev/null ||
		fail "auth status --json: the container session's home volume has no user: $(cat "$TEST_TMP/auth.json")"

	json_of "$TEST_TMP/images.json" "$PARA" image list --json
	shape_check image-list "$TEST_TMP/images.json"
	jq -e --argjson t "$t0" 'length == 1 and .[0].current and .[0].size > 0 and .[0].created <= $t and .[0].created > $t - 3600' \
		"$TEST_TMP/images.json" >/dev/null || fail "image list --json: $(cat "$TEST_TMP/images.json")"
	assert_eq "$("$DOCKER" image inspect -f '{{.Size}}' "$(jq -r '.[0].image' "$TEST_TMP/images.json")")" \
		"$(jq -r '.[0].size' "$TEST_TMP/images.json")" "size in bytes"

	json_of "$TEST_TMP/plan-host.json" "$PARA" start --dry-run --json planh
	shape_check start-dry-run "$TEST_TMP/plan-host.json"
	assert_eq "planh null" "$(jq -r '"\(.name) \(.container)"' "$TEST_TMP/plan-host.json")"
	json_of "$TEST_TMP/plan-box.json" "$PARA" start -c --dry-run --json planc --mount "vol-$TEST_RUN_ID:/v" \
		--allow-domains example.test --memory 128m
	shape_check start-dry-run "$TEST_TMP/plan-box.json"
	assert_eq "128m volume" "$(jq -r '"\(.container.memory) \(.container.mounts[] | select(.dst == "/v") | .type)"' \
		"$TEST_TMP/plan-box.json")"
	# no profile and no isolation: those objects are null, not left out
	json_of "$TEST_TMP/plan-plain.json" "$PARA" start -c --dry-run --json planp --docker-image "$BUSYBOX_IMAGE"
	shape_check start-dry-run "$TEST_TMP/plan-plain.json"
	assert_eq null "$(jq -r .container.isolation "$TEST_TMP/plan-plain.json")"

	shape_coverage
	# a failing command prints no document at all
	run "$PARA" status nosuch --json
	assert_eq 1 "$rc"
	assert_eq "" "$("$PARA" status nosuch --json 2>/dev/null)" "stdout of a failed --json"
	for s in box iso host1; do expect_rc 0 "$PARA" cancel -f "$s"; done
}

# The secrets of every source (a secret name in docker.env, -e, an env file,
# the project's .env) reach no --json document unmasked, and --reveal shows
# them (so this test would see them if they were there).
test_secrets_never_in_json_without_reveal() {
	json_repo
	printf 'FILE_VALUE=%s\n' "$SECRET_C" >"$TEST_TMP/secret.env"
	printf 'DOTENV_VALUE=%s\n' "$SECRET_D" >.env
	echo .env >>.git/info/exclude
	secrets="$SECRET_A $SECRET_B $SECRET_C $SECRET_D"
	with_secrets() { env MY_API_KEY="$SECRET_B" "$PARA" "$@"; }
	expect_rc 0 with_secrets start -c --detach sec -e MY_API_KEY --env-file "$TEST_TMP/secret.env"
	for cmd in "env --json" "env sec --json" "start -c --dry-run --json other"; do
		run with_secrets $cmd -e MY_API_KEY --env-file "$TEST_TMP/secret.env"
		assert_eq 0 "$rc" "para $cmd: $out"
		for s in $secrets; do assert_not_contains "$out" "$s" "para $cmd"; done
		path=.
		case "$cmd" in start*) path=.container.env ;; esac
		for k in MY_TOKEN MY_API_KEY FILE_VALUE DOTENV_VALUE; do
			assert_eq '"********" true' \
				"$(jq -r "$path"' | .[] | select(.key == "'$k'") | "\(.value | tojson) \(.secret)"' <<<"$out")" \
				"$k in para $cmd"
		done
		# with --reveal they are there: the check above would have seen them
		run with_secrets $cmd --reveal -e MY_API_KEY --env-file "$TEST_TMP/secret.env"
		for s in $secrets; do assert_contains "$out" "$s" "para $cmd --reveal"; done
	done
	for cmd in "status sec --json" "list --json" "list -a --json"; do
		run with_secrets $cmd
		assert_eq 0 "$rc" "para $cmd: $out"
		for s in $secrets; do assert_not_contains "$out" "$s" "para $cmd"; done
	done
	# the text output masks the very same variables
	run with_secrets env sec
	for s in $secrets; do assert_not_contains "$out" "$s" "para env sec"; done
	assert_eq 4 "$(grep -cE "^(MY_TOKEN|MY_API_KEY|FILE_VALUE|DOTENV_VALUE)=\*{8}"$'\t' <<<"$out")" "masked in para env: $out"
	expect_rc 0 "$PARA" cancel -f sec
}

# pty CMD...: run CMD on a terminal (script(1)); sets $out (what the
# terminal got) and $rc
pty() {
	out=$(TERM=${PTY_TERM:-xterm} script -qec "$(printf '%q ' "$@")" /dev/null </dev/null 2>&1)
	rc=$?
}

has_esc() { [[ "$1" == *$'\033'* ]]; }
has_sgr() { [[ "$1" =~ $'\033'\[[0-9\;]*m ]]; }

test_colour_only_on_a_terminal_and_never_with_no_color() {
	json_repo
	# an error (red), a warning (yellow) and doctor's ok (green), on a terminal
	pty env -u NO_COLOR "$PARA" status nosuch
	assert_eq 1 "$rc"
	has_sgr "$out" || fail "no colour on a terminal: $(od -c <<<"$out" | head)"
	assert_contains "$out" $'\033[1;31mpara: error:\033[0m no session'
	pty env -u NO_COLOR "$PARA" doctor
	assert_contains "$out" $'\033[32mok  \033[0m'
	printf '{"docker": {"pulll": "never"}}\n' >"$TEST_TMP/unknown.json"
	pty env -u NO_COLOR "$PARA" config validate "$TEST_TMP/unknown.json"
	assert_contains "$out" $'\033[1;33mpara: warning:\033[0m'
	# NO_COLOR set and not empty: none at all, whatever its value
	for v in 1 0 no false; do
		for cmd in "status nosuch" "doctor" "config validate $TEST_TMP/unknown.json"; do
			pty env NO_COLOR="$v" "$PARA" $cmd
			has_esc "$out" && fail "NO_COLOR=$v para $cmd wrote an escape code: $(od -c <<<"$out" | head)"
		done
	done
	# NO_COLOR present but empty is not set (no-color.org)
	pty env NO_COLOR= "$PARA" status nosuch
	has_sgr "$out" || fail "NO_COLOR= (empty) turned colour off"
	# TERM=dumb: no escape codes either
	PTY_TERM=dumb pty env -u NO_COLOR "$PARA" status nosuch
	has_esc "$out" && fail "TERM=dumb got an escape code"
	# into a pipe or a file: never, colour asked for or not
	for cmd in "status nosuch" "doctor" "config validate $TEST_TMP/unknown.json"; do
		out=$(env -u NO_COLOR TERM=xterm "$PARA" $cmd 2>&1 | cat)
		has_esc "$out" && fail "para $cmd into a pipe wrote an escape code"
		env -u NO_COLOR TERM=xterm "$PARA" $cmd >"$TEST_TMP/o" 2>"$TEST_TMP/e"
		has_esc "$(cat "$TEST_TMP/o" "$TEST_TMP/e")" && fail "para $cmd into a file wrote an escape code"
	done
	# stdout a terminal, stderr a pipe: the error (stderr) gets none
	out=$(TERM=xterm script -qec "env -u NO_COLOR $PARA status nosuch 2>$TEST_TMP/err.txt" /dev/null </dev/null)
	has_esc "$(cat "$TEST_TMP/err.txt")" && fail "stderr into a file got colour because stdout is a terminal"
	assert_contains "$(cat "$TEST_TMP/err.txt")" "para: error: "
}

# A build's live status line ("\r\033[K") is a terminal's only: plain Step
# lines into a pipe, nothing with -q; NO_COLOR keeps the line (it is not
# colour) but no colour comes with it.
test_progress_line_only_on_a_terminal() {
	json_repo
	printf 'FROM %s\nRUN true\nRUN true\n' "$BUSYBOX_IMAGE" >.para/Dockerfile
	expect_rc 0 "$PARA" config set docker.dockerfile .para/Dockerfile --project
	git add -A && git commit -q -m Dockerfile && trust_repo
	pty env -u NO_COLOR "$PARA" image build --force
	assert_eq 0 "$rc" "build on a terminal: $out"
	assert_contains "$out" $'\r\033[Kpara: building ' "the live line on a terminal"
	assert_not_contains "$out" "para: build: Step" "plain step lines on a terminal"
	pty env NO_COLOR=1 "$PARA" image build --force
	assert_contains "$out" $'\r\033[Kpara: building ' "the live line with NO_COLOR"
	has_sgr "$out" && fail "colour with NO_COLOR=1: $(od -c <<<"$out" | head)"
	out=$(env -u NO_COLOR TERM=xterm "$PARA" image build --force 2>&1 | cat)
	has_esc "$out" && fail "a build into a pipe wrote an escape code: $(od -c <<<"$out" | head)"
	assert_contains "$out" "para: build: Step 2/5"
	pty env -u NO_COLOR "$PARA" image build --force -q
	has_esc "$out" && fail "-q on a terminal wrote a progress line"
	assert_not_contains "$out" "para: build"
	# TERM=dumb is no terminal for a live line: plain lines there
	PTY_TERM=dumb pty env -u NO_COLOR "$PARA" image build --force
	has_esc "$out" && fail "TERM=dumb got a live line"
	assert_contains "$out" "para: build: Step 2/5"
}

# Every command takes -q and -v; -v is the engine trace wherever the engine
# is used, -q drops the notes on stderr (and list -q is names only).
test_quiet_and_verbose_mean_the_same_everywhere() {
	json_repo
	expect_rc 0 "$PARA" start -c --detach box
	expect_rc 0 "$PARA" start --detach host1
	# @: where the flag goes (before a command's own words)
	while read -r cmd; do
		for flag in -q -v --quiet --verbose; do
			run "$PARA" ${cmd/@/$flag}
			[ "$rc" != 2 ] || fail "para ${cmd/@/$flag} is a usage error: $out"
		done
	done <<'EOT'
list @
status @ box
logs @ box
env @ box
doctor @
config show @
config path @
config validate @
profile list @
profile show @ child
image list @
image prune @ --dry-run
trust @ --show
clean @ --dry-run
exec @ box -- true
exec @ host1 -- true
help @ list
version @
image build @
image bootstrap @ -h
resume @ -h
shell @ -h
dispatch @ -h
config unset @ -h
config edit @ -h
config init @ -h
untrust @ -h
trust @
EOT
	# -v: each engine command, and their count
	for cmd in "list @" "status @ box" "logs @ box" "env @ box" "image list @" "exec @ box -- true" "doctor @"; do
		run "$PARA" ${cmd/@/-v}
		assert_contains "$out" "para: engine: " "para ${cmd/@/-v}"
		run "$PARA" ${cmd/@/}
		assert_not_contains "$out" "para: engine: " "para ${cmd/@/}"
	done
	# -q: a command's notes go, its result stays
	run "$PARA" start --detach -q quiet1
	assert_eq "" "$out" "start -q"
	run "$PARA" finish -q "done" quiet1
	assert_not_contains "$out" "para: "
	assert_contains "$out" "finished quiet1"
	run "$PARA" clean
	assert_contains "$out" "nothing to clean"
	run "$PARA" clean -q
	assert_eq "" "$out" "clean -q"
	run "$PARA" image prune -q
	assert_eq "" "$out" "image prune -q"
	run "$PARA" config set -q docker.pull never
	assert_eq "" "$out" "config set -q"
	expect_rc 0 "$PARA" start --detach -q quiet2
	expect_rc 0 "$PARA" cancel -f -q quiet2
	run "$PARA" recover -q quiet2
	assert_eq 0 "$rc" "recover -q: $out"
	assert_not_contains "$out" "para: " "recover -q"
	# list: -q is names only, and -q does not change --json
	assert_eq "$(printf 'box\nhost1\nquiet2')" "$("$PARA" list -q 2>&1)" "list -q"
	assert_eq "$("$PARA" list --json 2>/dev/null | jq -c '[.[].name]')" \
		"$("$PARA" list -q --json 2>/dev/null | jq -c '[.[].name]')" "list -q --json"
	# warnings and errors stay with -q
	run "$PARA" status -q nosuch
	assert_contains "$out" "para: error: "
	for s in box host1 quiet2; do expect_rc 0 "$PARA" cancel -f "$s"; done
}

# A path that is not UTF-8 (git takes any bytes) still makes a JSON
# document: the byte becomes U+FFFD, and no key goes missing. (A session
# cannot be started there yet: its state file is JSON too.)
test_json_strings_are_utf8_even_when_paths_are_not() {
	mkrepo "$TEST_TMP/caf"$'\xe9'"/repo"
	: >"$TEST_TMP/coverage"
	json_of "$TEST_TMP/plan.json" "$PARA" start --dry-run --json t
	shape_check start-dry-run "$TEST_TMP/plan.json"
	want=${REPO//$'\xe9'/$'\xef\xbf\xbd'}
	assert_eq "$want $want/.para/worktrees/t" "$(jq -r '"\(.repo) \(.worktree)"' "$TEST_TMP/plan.json")" \
		"the paths, the byte as U+FFFD"
	assert_eq "$want/.para/worktrees/t" "$(jq -r '.commands[0][6]' "$TEST_TMP/plan.json")" "in the git command too"
}
