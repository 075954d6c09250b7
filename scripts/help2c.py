#!/usr/bin/env python3
"""help2c.py HELP_TXT: write on stdout the C table of para's help texts.

HELP_TXT holds one section a command: a line "== NAME", then the text
printed as it is. Lines starting with '#' before the first section are
comments; blank lines that end a section are not part of it.
"""
import sys


def sections(lines):
    name, body = None, []
    for n, line in enumerate(lines, 1):
        if line.startswith("== "):
            if name:
                yield name, body
            name, body = line[3:].strip(), []
        elif name:
            body.append(line)
        elif line.strip() and not line.startswith("#"):
            sys.exit(f"{sys.argv[1]}:{n}: text before the first '== NAME'")
    if name:
        yield name, body


def c_string(line):
    return '"' + line.replace("\\", "\\\\").replace('"', '\\"') + '\\n"'


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        lines = f.read().split("\n")
    print("/* Generated from src/cli/help.txt by scripts/help2c.py: edit that file. */")
    print("#include <stddef.h>\n")
    print('#include "cli/cli.h"\n')
    print("const struct help_text help_texts[] = {")
    for name, body in sections(lines):
        while body and not body[-1].strip():
            body.pop()
        print(f'\t{{ "{name}",')
        print("\n".join("\t  " + c_string(line) for line in body) + " },")
    print("\t{ NULL, NULL },")
    print("};")


if __name__ == "__main__":
    main()
