#!/bin/sh
# Build the test image of para-proxy from a static binary, unless it exists:
#   proxy/image.sh BINARY   prints the tag, para-proxy-test:<hash of binary and Dockerfile>
# (para builds its own image from the binary; tests and benchmarks use this one.)
set -eu
[ $# = 1 ] || { echo "usage: $0 BINARY" >&2; exit 2; }
DOCKER=${PARA_CONTAINER_RUNTIME:-docker}
here=$(cd "$(dirname "$0")" && pwd)
if readelf -l "$1" 2>/dev/null | grep -q interpreter; then
	echo "$0: $1 is not static (FROM scratch has no loader)" >&2
	exit 1
fi
tag=para-proxy-test:$(cat "$1" "$here/Dockerfile" | sha256sum | cut -c1-16)
if ! "$DOCKER" image inspect "$tag" >/dev/null 2>&1; then
	ctx=$(mktemp -d)
	trap 'rm -rf "$ctx"' EXIT
	cp "$1" "$ctx/para-proxy" && cp "$here/Dockerfile" "$ctx/"
	"$DOCKER" build -q -t "$tag" "$ctx" >/dev/null 2>"$ctx/log" || { cat "$ctx/log" >&2; exit 1; }
fi
echo "$tag"
