#!/usr/bin/env bash
# Plain-docker proof that Claude Code does a tool-use round trip against the
# mock Messages API, with no route out: both containers sit on an internal
# network that this script creates and removes.
#
#   tests/e2e/prove-docker.sh
#
# Steps: fetch Claude Code (cached), build para-e2e-claude:test from
# Dockerfile.claude, start the mock on a new --internal network, run
# `claude -p` as uid 1000 with a temp dir at /workspace, then check that
# hello.txt is there, owned by 1000:1000, with the expected bytes, and that
# the mock received a tool_result that is not an error. Everything it made
# (containers, network, temp dirs) is removed on exit; the image is kept.
#
# Env: PARA_E2E_IMAGE (default para-e2e-claude:test), PARA_E2E_CLAUDE_FLAGS
# (default "--permission-mode acceptEdits"), PARA_E2E_KEEP=1 keeps the temp
# dirs and prints where they are; PARA_E2E_CACHE etc. as fetch-claude-code.sh.

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
image=${PARA_E2E_IMAGE:-para-e2e-claude:test}
flags=${PARA_E2E_CLAUDE_FLAGS:---permission-mode acceptEdits}
uid=1000 gid=1000
port=8080
expect=$'hello from claude\n'

suffix=$(od -An -tx1 -N4 /dev/urandom | tr -d ' \n')
net=para-e2e-net-$suffix
mock=para-e2e-mock-$suffix
runner=para-e2e-claude-$suffix
tmp=$(mktemp -d /tmp/para-e2e.XXXXXX)

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }

cleanup() {
	docker rm -f "$runner" "$mock" >/dev/null 2>&1 || true
	docker network rm "$net" >/dev/null 2>&1 || true
	if [ "${PARA_E2E_KEEP:-0}" = 1 ]; then
		echo "kept $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT

t0=$SECONDS
art=$("$here/fetch-claude-code.sh")
mkdir "$tmp/ctx"
ln "$art" "$tmp/ctx/claude-code.tar" 2>/dev/null || cp "$art" "$tmp/ctx/claude-code.tar"
docker build -q -f "$here/Dockerfile.claude" -t "$image" "$tmp/ctx" >"$tmp/build.log" 2>&1 ||
	{ cat "$tmp/build.log"; exit 1; }
echo "image $image ready in $((SECONDS - t0)) s"

docker network create --internal "$net" >/dev/null
mkdir "$tmp/log" "$tmp/ws"
chown "$uid:$gid" "$tmp/ws"
# --dns 127.0.0.1: names that are not containers of this network go to the
# container's own loopback, where nothing answers. Without it docker's
# embedded DNS forwards them to the host's resolvers, internal network or not.
docker run -d --name "$mock" --network "$net" --dns 127.0.0.1 --user "$(id -u):$(id -g)" \
	-v "$here:/mock:ro" -v "$tmp/log:/log" \
	"$image" node /mock/mock-messages-api.js --port "$port" --log /log/requests.jsonl \
	>/dev/null 2>"$tmp/mock-run.err" || { cat "$tmp/mock-run.err"; exit 1; }
for _ in $(seq 50); do
	docker logs "$mock" 2>&1 | grep -q 'listening on' && break
	sleep 0.2
done
docker logs "$mock" 2>&1 | grep -q 'listening on' || { docker logs "$mock"; exit 1; }

t1=$SECONDS
set +e
# shellcheck disable=SC2086 # flags are words
docker run --name "$runner" --network "$net" --dns 127.0.0.1 --user "$uid:$gid" \
	--tmpfs "/home/e2e:rw,uid=$uid,gid=$gid,mode=0700" -e HOME=/home/e2e \
	-v "$tmp/ws:/workspace" -w /workspace \
	-e ANTHROPIC_BASE_URL="http://$mock:$port" -e ANTHROPIC_API_KEY=test-key \
	-e CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 -e DISABLE_AUTOUPDATER=1 \
	"$image" timeout 120 claude -p "write hello.txt" $flags >"$tmp/claude.out" 2>"$tmp/claude.err"
rc=$?
set -e
echo "claude ran in $((SECONDS - t1)) s, exit $rc; it said: $(tr '\n' ' ' <"$tmp/claude.out")"
grep -v 'Localhost DNS' "$tmp/claude.err" >&2 || true # docker's warning about --dns 127.0.0.1

if [ "$rc" = 0 ]; then ok "claude exit 0"; else bad "claude exit $rc"; fi
f=$tmp/ws/hello.txt
if [ -f "$f" ]; then
	ok "hello.txt exists"
	owner=$(stat -c %u:%g "$f")
	if [ "$owner" = "$uid:$gid" ]; then ok "hello.txt owned by $owner"; else bad "hello.txt owned by $owner"; fi
	if [ "$(cat "$f"; echo x)" = "${expect}x" ]; then
		ok "hello.txt content"
	else
		bad "hello.txt content: $(od -c "$f" | head -3)"
	fi
else
	bad "no hello.txt in /workspace"
fi
# The log is read by the mock's own node: the host need not have one.
summary=$(docker exec "$mock" node -e '
const lines = require("fs").readFileSync("/log/requests.jsonl", "utf8").trim().split("\n").map(JSON.parse);
const results = lines.flatMap((l) => (l.body && l.body.tool_results) || []);
console.log(JSON.stringify({
  requests: lines.map((l) => `${l.method} ${l.path}${l.query || ""}${l.body && l.body.stream ? " (stream)" : ""} -> ${(l.reply && l.reply.kind) || "-"}`),
  tool_results: results.length,
  ok_results: results.filter((r) => !r.is_error).length,
}));')
echo "mock log: $summary"
case $summary in
*'"ok_results":0'*) bad "mock got no successful tool_result" ;;
*'"ok_results":'*) ok "mock got a successful tool_result" ;;
*) bad "could not read mock log" ;;
esac

echo "e2e-docker: $passed passed, $failed failed"
[ "$failed" = 0 ]
