#!/bin/sh
# Write one libFuzzer seed per dockerignore conformance vector into DIR, in
# the form fuzz_dockerignore.c reads: the .dockerignore text (a match
# vector's patterns, one a line), a NUL, then the path (a readall vector has
# its input and no path). Usage: fuzz/seed-dockerignore.sh DIR [CONFORMANCE_DIR]
set -eu
[ $# -ge 1 ] || { echo "usage: $0 DIR [CONFORMANCE_DIR]" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
vectors=${2:-${PARA_CONFORMANCE_DIR:-$root/tests/data}}/dockerignore.json
mkdir -p "$1"
python3 - "$vectors" "$1" <<'PY'
import json, os, sys
vectors, out = sys.argv[1], sys.argv[2]
with open(vectors, encoding="utf-8") as f:
    for i, v in enumerate(json.load(f)):
        if v["kind"] == "match":
            data = "\n".join(v["patterns"]).encode("utf-8") + b"\0" + v["path"].encode("utf-8")
        else:
            data = v["input"].encode("utf-8")
        with open(os.path.join(out, "vector-%03d" % i), "wb") as seed:
            seed.write(data)
print("%d seeds in %s" % (i + 1, out))
PY
