#!/bin/sh
# Write one libFuzzer seed per dotenv conformance vector into DIR:
# a flag byte (1 = interpolation, as fuzz_dotenv.c reads it) then the input.
# Usage: fuzz/seed-dotenv.sh DIR [CONFORMANCE_DIR]
set -eu
[ $# -ge 1 ] || { echo "usage: $0 DIR [CONFORMANCE_DIR]" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
vectors=${2:-${PARA_CONFORMANCE_DIR:-$root/tests/data}}/dotenv.json
mkdir -p "$1"
python3 - "$vectors" "$1" <<'PY'
import json, os, sys
vectors, out = sys.argv[1], sys.argv[2]
with open(vectors, encoding="utf-8") as f:
    for i, v in enumerate(json.load(f)):
        flag = b"\x01" if v.get("interpolation", True) else b"\x00"
        with open(os.path.join(out, "vector-%03d" % i), "wb") as seed:
            seed.write(flag + v["input"].encode("utf-8"))
print("%d seeds in %s" % (i + 1, out))
PY
