#!/bin/sh
# Write libFuzzer seeds for fuzz_jsonc into DIR: config files with comments,
# trailing commas, and "a" / "a"."b" (the paths the target edits) present,
# missing, empty, duplicated or not objects.
# Usage: fuzz/seed-jsonc.sh DIR
set -eu
[ $# -ge 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
mkdir -p "$1"
i=0
for s in '{}' '' '// only a comment' '{"a": 1}' '{"a":{"b":2},"c":3}' '{"a": {}, "a": {"b": 1}}' \
	'{\n  "a": {\n    "b": true, // yes\n  },\n  "c": [1, 2,],\n}\n' \
	'// para\n{\n\t"x": "http://y/*z*/", /* note */\n\t"a": "s\\"//"\n}\n' \
	'{\r\n  "a": {\r\n    "b": null\r\n  }\r\n}\r\n' '{ "c" : 1 /* open' \
	'{\n  "d": {\n  },\n  "a": [ {"b": 1} ]\n}' \
	'{"\\u0061": {"\\u0062": 1}, "e": "\\ud83d\\ude00"}' \
	'{\n    "a": {"b": 1, "c": 2}, /* x\n    y */\n    "z": 0\n}'; do
	i=$((i + 1))
	printf '%b' "$s" >"$1/seed-$i"
done
echo "$i seeds in $1"
