#!/bin/sh
# Write libFuzzer seeds for fuzz_volspec into DIR: one per volume-spec
# conformance vector (its input, the raw spec), plus a few --mount specs that
# reach the options the vectors do not. Usage:
# fuzz/seed-volspec.sh DIR [CONFORMANCE_DIR]
set -eu
[ $# -ge 1 ] || { echo "usage: $0 DIR [CONFORMANCE_DIR]" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
vectors=${2:-${PARA_CONFORMANCE_DIR:-$root/tests/data}}/volume-spec.json
mkdir -p "$1"
python3 - "$vectors" "$1" <<'PY'
import json, os, sys
vectors, out = sys.argv[1], sys.argv[2]
extra = [
    'type=bind,src=/a,dst=/b,bind-propagation=rshared,bind-recursive=readonly,ro,bind-create-src',
    'type=volume,src=v,dst=/b,volume-subpath=a/b,volume-driver=local,volume-opt=o=1,volume-label=l=x',
    'type=tmpfs,dst=/t,tmpfs-size=1.5Gib,tmpfs-mode=1777',
    'type=image,src=alpine:3,dst=/i,image-subpath=etc',
    '"type=bind","src=/a,""b""",dst=/c\r\nnext',
    '/a/./b//:/c/../d/:ro,Z,rslave,cached',
    'vol:/x:nocopy,rw,z',
]
n = 0
with open(vectors, encoding="utf-8") as f:
    specs = [v["input"] for v in json.load(f)] + extra
for n, spec in enumerate(specs, 1):
    with open(os.path.join(out, "seed-%03d" % n), "wb") as seed:
        seed.write(spec.encode("utf-8"))
print("%d seeds in %s" % (n, out))
PY
