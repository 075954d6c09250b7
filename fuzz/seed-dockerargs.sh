#!/bin/sh
# Write libFuzzer seeds for fuzz_dockerargs into DIR: docker_args word lists,
# NUL-separated. Usage: fuzz/seed-dockerargs.sh DIR
set -eu
[ $# -ge 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
mkdir -p "$1"
i=0
for s in '--privileged' '--memory\0002g' '-itv\000/:/x' '-dv/:/x' '--mount\000type=bind,src=/,dst=/h' \
	'--mount\000type=volume,dst=/h,volume-opt=device=/' '--security-opt\000seccomp=unconfined' \
	'--label\000--privileged' '--network=container:x' '-v\000~/.ssh:/k' '--cap-add=ALL' '--volumes-from\000c'; do
	i=$((i + 1))
	printf -- "$s" >"$1/seed-$i"
done
echo "$i seeds in $1"
