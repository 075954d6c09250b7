#!/usr/bin/env bash
# para's main job, end to end: a demo repository, a session whose agent runs
# in a container (image built locally by the bootstrap), finish, and the
# branch it leaves. Installs what is missing first.
#
#   scripts/demo.sh [DIR]     (default: a new temp dir; kept for you to look at)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
scripts/bootstrap.sh --deps --engine --images -q
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build para >/dev/null
PARA=$ROOT/build/para
IMAGE=${PARA_DEMO_IMAGE:-para-demo:latest}

DIR=${1:-$(mktemp -d /tmp/para-demo.XXXXXX)}
mkdir -p "$DIR"
cd "$DIR"
# bold only on a terminal, never with NO_COLOR set and not empty (as para itself)
say() {
	if [ -t 1 ] && [ -z "${NO_COLOR:-}" ] && [ "${TERM:-}" != dumb ]; then
		printf '\n\033[1m$ %s\033[0m\n' "$*"
	else
		printf '\n$ %s\n' "$*"
	fi
}

git init -q -b main repo && cd repo
git config user.email demo@example.com
git config user.name "para demo"
printf 'def add(a, b):\n    return a - b\n' >calc.py
mkdir -p .para
# The scripted agent: reads its prompt, fixes the bug, writes a note.
cat >.para/agent.sh <<'AGENT'
#!/bin/sh
echo "agent: running as $(id -un) in $(pwd) on $(git rev-parse --abbrev-ref HEAD)"
echo "agent: prompt: $1"
sed -i 's/return a - b/return a + b/' calc.py
printf 'Fixed add(): it subtracted.\n' >NOTES.md
git status --short
AGENT
chmod +x .para/agent.sh
cat >.para/config.json <<JSON
{
  "agent": { "command": ["/workspace/.para/agent.sh"] },
  "docker": { "default_image": "$IMAGE" }
}
JSON
git add -A && git commit -q -m "calc with a bug"

# You wrote .para/config.json yourself: trust it (a cloned repository's
# config does not run anything until you do)
say para trust
"$PARA" trust
say para start -c fix-add -p "fix the add function"
"$PARA" start -c fix-add -p "fix the add function"
say para list
"$PARA" list
say para finish "Fix add()" fix-add
"$PARA" finish "Fix add()" fix-add
say git log --stat -1 para/fix-add
git --no-pager log --stat -1 para/fix-add
say git diff main para/fix-add -- calc.py
git --no-pager diff main para/fix-add -- calc.py
echo
echo "demo repository kept in $DIR/repo"
