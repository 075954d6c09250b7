#!/usr/bin/env bash
# Fetch Claude Code from the npm registry once and keep it as a tar that a
# Docker build context can take (see Dockerfile.claude). Prints the tar's
# path on stdout and nothing else; progress goes to stderr.
#
# Usage: fetch-claude-code.sh [--cache DIR] [--version SPEC] [--platform P] [--refresh]
#   --cache DIR     PARA_E2E_CACHE            default ${XDG_CACHE_HOME:-$HOME/.cache}/para-e2e
#   --version SPEC  PARA_E2E_CLAUDE_VERSION   npm version or range, default 2.1 (latest 2.1.x)
#   --platform P    PARA_E2E_CLAUDE_PLATFORM  linux-x64 (default) or linux-arm64, glibc
#   --refresh       PARA_E2E_CLAUDE_REFRESH=1 ask the registry again what SPEC means now
#
# Once SPEC has been resolved and its tar built, later runs make no network
# call: they print the cached path. The tar is laid out like an
# `npm install -g --prefix /usr/local`, so `ADD <tar> /usr/local/` gives
# /usr/local/bin/claude.
#
# What 2.1.x ships: @anthropic-ai/claude-code is a small wrapper whose
# bin/claude.exe is a stub; the real program is a native executable in an
# optional dependency per platform (@anthropic-ai/claude-code-linux-x64 etc.),
# which the wrapper's postinstall hard-links over the stub. Here npm is told
# the target platform (--os/--cpu/--libc, npm >= 10) so the host's own
# platform does not matter, scripts are not run, and this script places the
# binary itself. Needs: npm, node, tar (GNU), and flock if present.

set -euo pipefail

PKG=@anthropic-ai/claude-code
cache=${PARA_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/para-e2e}
spec=${PARA_E2E_CLAUDE_VERSION:-2.1}
platform=${PARA_E2E_CLAUDE_PLATFORM:-linux-x64}
refresh=${PARA_E2E_CLAUDE_REFRESH:-0}

die() { echo "fetch-claude-code: $*" >&2; exit 1; }
say() { echo "fetch-claude-code: $*" >&2; }

while [ $# -gt 0 ]; do
	case $1 in
	--cache) cache=${2:?--cache needs a value}; shift 2 ;;
	--version) spec=${2:?--version needs a value}; shift 2 ;;
	--platform) platform=${2:?--platform needs a value}; shift 2 ;;
	--refresh) refresh=1; shift ;;
	-h|--help) sed -n '2,/^$/s/^# \{0,1\}//p' "$0" >&2; exit 0 ;;
	*) die "unknown argument: $1" ;;
	esac
done

case $platform in
linux-x64) cpu=x64 elf_machine=62 ;;
linux-arm64) cpu=arm64 elf_machine=183 ;;
*) die "unsupported platform '$platform' (linux-x64 or linux-arm64)" ;;
esac
case $spec in
*[!A-Za-z0-9.^~*x-]*) die "odd version spec '$spec'" ;;
esac

mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
pointer=$cache/resolved-$spec-$platform

cached_artifact() {
	local v
	[ -s "$pointer" ] || return 1
	v=$(cat "$pointer")
	[ -s "$cache/claude-code-$v-$platform.tar" ] || return 1
	echo "$cache/claude-code-$v-$platform.tar"
}

# Fast path: no npm, no network.
if [ "$refresh" != 1 ] && cached_artifact; then
	exit 0
fi

command -v npm >/dev/null || die "npm not found"
command -v node >/dev/null || die "node not found"

# One fetch at a time per cache directory.
if command -v flock >/dev/null; then
	exec 9>"$cache/.lock"
	flock 9
	if [ "$refresh" != 1 ] && cached_artifact; then
		exit 0
	fi
fi

# Resolve SPEC to one version. Not left to `npm install`: npm prefers versions
# whose "engines" the host's node satisfies, and 2.1.198+ declare node >= 22,
# so on node 20 "2.1" would quietly install 2.1.197. The native binary does
# not use node at all.
if [[ $spec =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
	version=$spec
else
	say "asking the registry what $PKG@$spec is"
	version=$(npm view "$PKG@$spec" version --json |
		node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{let v=JSON.parse(s||"null");if(Array.isArray(v))v=v[v.length-1];if(typeof v!=="string"){process.exit(1)}console.log(v)})') ||
		die "no version of $PKG matches '$spec'"
fi
artifact=$cache/claude-code-$version-$platform.tar

if [ ! -s "$artifact" ]; then
	say "installing $PKG@$version for $platform"
	stage=$(mktemp -d "$cache/.stage.XXXXXX")
	trap 'rm -rf "$stage"' EXIT
	start=$SECONDS
	# A throwaway npm cache: the tar below is the only copy kept.
	npm install --global --prefix "$stage/prefix" --cache "$stage/npm-cache" \
		--ignore-scripts --no-audit --no-fund --loglevel=warn \
		--os=linux --cpu="$cpu" --libc=glibc \
		"$PKG@$version" >&2
	pkgdir=$stage/prefix/lib/node_modules/$PKG
	native=$pkgdir/node_modules/$PKG-$platform/claude
	[ -f "$native" ] || die "npm did not install $PKG-$platform (optional dependency)"
	# What the package's postinstall would do: put the native binary where
	# the "bin" entry points (bin/claude.exe; a shell stub until then).
	ln -f "$native" "$pkgdir/bin/claude.exe"
	chmod 755 "$pkgdir/bin/claude.exe"
	[ -L "$stage/prefix/bin/claude" ] || die "npm made no bin/claude link"

	# ELF, 64-bit, little-endian, for the right machine.
	magic=$(od -An -tx1 -N5 "$native" | tr -d ' \n')
	machine=$(od -An -tu2 -j18 -N2 "$native" | tr -d ' \n')
	if [ "$magic" != 7f454c4602 ] || [ "$machine" != "$elf_machine" ]; then
		die "$native is not a 64-bit ELF for $platform"
	fi
	# Run it where the host can.
	if [ "$(uname -sm)" = "Linux $(case $cpu in x64) echo x86_64 ;; arm64) echo aarch64 ;; esac)" ]; then
		got=$(HOME=$stage "$stage/prefix/bin/claude" --version 2>&1) ||
			die "claude --version failed: $got"
		case $got in "$version "*) ;; *) die "claude --version said '$got', wanted $version" ;; esac
		say "claude --version: $got"
	fi

	tar -C "$stage/prefix" --sort=name --owner=0 --group=0 --numeric-owner \
		--mtime=@0 -cf "$stage/out.tar" bin lib
	mv "$stage/out.tar" "$artifact"
	say "built $artifact in $((SECONDS - start)) s"
fi

echo "$version" >"$pointer.tmp"
mv "$pointer.tmp" "$pointer"
echo "$artifact"
