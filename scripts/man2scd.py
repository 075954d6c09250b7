#!/usr/bin/env python3
"""man2scd.py: convert the hand-written troff page man/para.1 into scdoc.

    scripts/man2scd.py [INPUT [OUTPUT]]     convert (default: man/para.1 ->
                                            man/para.1.scd; OUTPUT - is stdout)
    scripts/man2scd.py --check [INPUT [OUTPUT]]
                                            convert, then render both pages
                                            with scdoc and man -l and compare
                                            their word sequences

The input may use the man(7) macros .TH .SH .SS .PP .LP .P .TP .IP .RS .RE
.br .sp .nf/.fi .EX/.EE .B .I .SM .SB .BR .RB .IR .RI .BI .IB and .ft, the
layout-only requests .PD .ad .na .hy .nh .ne (ignored), comments, and the
escapes \\f (R I B P BI, 1-4, [..] and (xx forms), \\- \\e \\\\ \\& \\| \\^ \\%
\\c \\(xx \\[name] \\[uXXXX] \\*(lq and the like, \\  \\~ \\0 (as plain spaces)
and \\s (dropped, with a warning).  Anything else (other strings, registers,
conditionals, .de, .UR, tbl, ...) stops the conversion with the line it is
on: nothing is silently dropped.

Mapping: .TH -> the NAME(S) "source" "manual" preamble (scdoc has no date
field: it writes the build date, or SOURCE_DATE_EPOCH's); .SH/.SS -> "# " /
"## "; .PP -> a blank line; .TP/.IP -> the tag on its own line, the
paragraph under it indented by one tab (scdoc turns that into .RS 4/.RE);
.RS/.RE -> one more/less tab; .br -> "++"; .nf/.EX -> a ``` block (fonts
inside one are lost, with a warning); bold -> *..*, italic -> _.._ (bold
italic, which scdoc cannot nest, becomes bold, with a warning). Text is
re-wrapped to 80 columns (a tab counted as 8). Every character scdoc would
read as markup is escaped: \\ * _ always, + before +, and # - ; [ | ] ` at
the start of a line. scdoc opens or closes _ only next to a character that
is not a letter or digit, so where italic touches a word the neighbouring
letters are escaped (\\N\\A\\M\\E_..._) to keep it.
"""
import argparse
import datetime
import difflib
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WIDTH = 80
TABWIDTH = 8


class ConvertError(Exception):
    pass


FONTS = {
    'R': 'R', '1': 'R', 'I': 'I', '2': 'I', 'B': 'B', '3': 'B',
    'BI': 'BI', 'IB': 'BI', '4': 'BI',
    'C': 'R', 'CW': 'R', 'CR': 'R', 'CB': 'B', 'CI': 'I', 'CBI': 'BI',
    'P': 'P', '': 'P',
}

SPECIAL = {
    'em': '\u2014', 'en': '\u2013', 'hy': '-', 'mi': '\u2212',
    'dq': '"', 'aq': "'", 'lq': '\u201c', 'rq': '\u201d', 'oq': '\u2018',
    'cq': '\u2019', 'Fo': '\u00ab', 'Fc': '\u00bb', 'fo': '\u2039',
    'fc': '\u203a', 'ga': '`', 'ha': '^', 'ti': '~', 'rs': '\\', 'sl': '/',
    'ba': '|', 'lB': '[', 'rB': ']', 'lC': '{', 'rC': '}', 'la': '\u27e8',
    'ra': '\u27e9', 'bu': '\u2022', 'co': '\u00a9', 'rg': '\u00ae',
    'tm': '\u2122', 'mu': '\u00d7', 'di': '\u00f7', 'de': '\u00b0',
    '+-': '\u00b1', '<=': '\u2264', '>=': '\u2265', '!=': '\u2260',
    '->': '\u2192', '<-': '\u2190', 'rA': '\u21d2', 'lA': '\u21d0',
    'sc': '\u00a7', 'ps': '\u00b6', 'dg': '\u2020', 'pc': '\u00b7',
    'ss': '\u00df', 'at': '@', 'sh': '#', 'Do': '$', 'eu': '\u20ac',
}
STRINGS = {'lq': '\u201c', 'rq': '\u201d', 'R': '\u00ae', 'Tm': '\u2122',
           'Aq': "'", 'Dq': '"'}

# Requests that only change layout: ignored, they hold no words.
IGNORED = {'PD', 'ad', 'na', 'hy', 'nh', 'ne', 'ns', 'rs', 'hw', 'ss'}


def is_alnumish(c):
    """True when scdoc's isalnum() could call c a letter or digit (it is
    ASCII-only; anything past 0x7f is treated as 'maybe' to be safe)."""
    return ord(c) > 0x7f or (c.isascii() and c.isalnum())


# ----------------------------------------------------------------- troff side

class Inline:
    """Turns troff text (one line or one macro argument) into a list of
    (char, font) pairs; keeps the current/previous font between calls."""

    def __init__(self, conv):
        self.conv = conv
        self.cur = 'R'
        self.prev = 'R'

    def set_font(self, f):
        if f == 'BI':
            self.conv.warn('bold italic: scdoc cannot nest * and _, '
                           'it becomes bold')
        if f == 'P':
            self.cur, self.prev = self.prev, self.cur
        else:
            self.prev, self.cur = self.cur, f

    def parse(self, s):
        """Return (chars, joined): joined is True when the text ends in \\c."""
        out = []
        i, n = 0, len(s)
        conv = self.conv
        while i < n:
            c = s[i]
            if c != '\\':
                if c == '\t':
                    conv.warn('tab in text taken as a space')
                    c = ' '
                out.append((c, self.cur))
                i += 1
                continue
            if i + 1 >= n:
                raise conv.error('backslash at the end of a line '
                                 '(line continuation) is not supported')
            e = s[i + 1]
            i += 2
            if e == 'f':
                name, i = self._name(s, i)
                if name not in FONTS:
                    raise conv.error(f'unknown font \\f{name}')
                self.set_font(FONTS[name])
            elif e == '(':
                if i + 2 > n:
                    raise conv.error('truncated \\( escape')
                out.append((self._special(s[i:i + 2]), self.cur))
                i += 2
            elif e == '[':
                j = s.find(']', i)
                if j < 0:
                    raise conv.error('unterminated \\[ escape')
                out.append((self._special(s[i:j]), self.cur))
                i = j + 1
            elif e == '*':
                name, i = self._name(s, i)
                if name not in STRINGS:
                    raise conv.error(f'unknown string \\*{name}')
                for ch in STRINGS[name]:
                    out.append((ch, self.cur))
            elif e in '-':
                out.append(('-', self.cur))
            elif e in 'e\\':
                out.append(('\\', self.cur))
            elif e in '.':
                out.append(('.', self.cur))
            elif e == "'":
                out.append(('\u00b4', self.cur))
            elif e == '`':
                out.append(('`', self.cur))
            elif e in '&|^%:)':
                pass                            # zero-width
            elif e in ' ~0':
                conv.warn(f'unbreakable space \\{e} becomes a plain space')
                out.append((' ', self.cur))
            elif e == 'c':
                if i != n:
                    raise conv.error('\\c only supported at the end of a line')
                return out, True
            elif e == '"':
                break                           # comment to end of line
            elif e == 's':
                m = re.match(r'[-+]?(\d+|\(\d\d|\[\d+\])', s[i:])
                if not m:
                    raise conv.error('malformed \\s escape')
                conv.warn('size change \\s dropped')
                i += m.end()
            else:
                raise conv.error(f'unsupported escape \\{e}')
        return out, False

    def _name(self, s, i):
        if i >= len(s):
            raise self.conv.error('truncated escape')
        if s[i] == '(':
            return s[i + 1:i + 3], i + 3
        if s[i] == '[':
            j = s.find(']', i)
            if j < 0:
                raise self.conv.error('unterminated [ in escape')
            return s[i + 1:j], j + 1
        return s[i], i + 1

    def _special(self, name):
        if name in SPECIAL:
            return SPECIAL[name]
        m = re.fullmatch(r'u([0-9A-Fa-f]{4,6})', name)
        if m:
            return chr(int(m.group(1), 16))
        raise self.conv.error(f'unknown special character \\({name}')


def split_args(s):
    """man(7) argument splitting: blanks separate, "..." groups ("" is a
    quote inside), an escape is kept whole (so '\\ ' does not split)."""
    args, i, n = [], 0, len(s)
    while True:
        while i < n and s[i] in ' \t':
            i += 1
        if i >= n:
            return args
        a = []
        if s[i] == '"':
            i += 1
            while i < n:
                if s[i] == '"':
                    if i + 1 < n and s[i + 1] == '"':
                        a.append('"')
                        i += 2
                        continue
                    i += 1
                    break
                if s[i] == '\\' and i + 1 < n:
                    a.append(s[i:i + 2])
                    i += 2
                    continue
                a.append(s[i])
                i += 1
        else:
            while i < n and s[i] not in ' \t':
                if s[i] == '\\' and i + 1 < n:
                    a.append(s[i:i + 2])
                    i += 2
                    continue
                a.append(s[i])
                i += 1
        args.append(''.join(a))


class Converter:
    """Reads troff lines, builds a list of output items:
        ('blank',) ('heading', level, text) ('block', indent, chars)
        ('comment', indent, text) ('literal', indent, lines)
    chars are (char, font) pairs; ('\\n', None) is a hard line break."""

    def __init__(self, path, lines):
        self.path = path
        self.lines = lines
        self.lineno = 0
        self.warnings = []
        self.items = []
        self.preamble = None
        self.pre_comments = []
        self.block = None           # [indent, chars]
        self.base = 0               # .RS depth
        self.in_tp = False          # text goes under a tag (one more tab)
        self.pending_term = False   # the next text line is a .TP tag
        self.rs_stack = []
        self.next_font = None       # .B/.I without arguments
        self.inline = Inline(self)

    def error(self, msg):
        return ConvertError(f'{self.path}:{self.lineno}: {msg}')

    def warn(self, msg):
        self.warnings.append(f'{self.path}:{self.lineno}: warning: {msg}')

    # ---- output building
    def level(self):
        return self.base + (1 if self.in_tp else 0)

    def flush(self):
        if self.block:
            chars = self.block[1]
            while chars and chars[-1][0] in ' \n':
                chars.pop()
            if any(c not in ' \n' for c, _ in chars):
                self.items.append(('block', self.block[0], chars))
        self.block = None

    def para_break(self):
        self.flush()
        self.items.append(('blank',))

    def text(self, chars, joined=False):
        """One input line's worth of text (a text line or a font macro)."""
        if self.pending_term:
            self.flush()
            self.block = [self.base, []]
        elif self.block is None or self.block[0] != self.level():
            self.flush()
            self.block = [self.level(), []]
        self.block[1].extend(chars)
        if not joined:
            self.block[1].append((' ', None))
        if self.pending_term and not joined:
            self.flush()
            self.pending_term = False
            self.in_tp = True

    def hard_break(self):
        if self.block and self.block[1]:
            while self.block[1] and self.block[1][-1][0] == ' ':
                self.block[1].pop()
            self.block[1].append(('\n', None))

    def comment(self, text):
        text = text.strip()
        if not text:
            return
        if self.preamble is None:
            self.pre_comments.append(text)
            return
        self.flush()
        self.items.append(('comment', self.level(), text))

    # ---- font macros
    def font_text(self, font, s):
        self.inline.set_font(font)
        chars, joined = self.inline.parse(s)
        self.inline.cur, self.inline.prev = 'R', font
        return chars, joined

    def alternate(self, fonts, args):
        chars = []
        for k, a in enumerate(args):
            self.inline.cur = fonts[k % 2]
            self.inline.prev = fonts[(k + 1) % 2]
            c, _ = self.inline.parse(a)
            chars.extend(c)
        self.inline.cur, self.inline.prev = 'R', 'R'
        return chars

    # ---- driver
    def run(self):
        i = 0
        lines = self.lines
        while i < len(lines):
            self.lineno = i + 1
            line = lines[i].rstrip('\n')
            i += 1
            if line.startswith(('.\\"', "'\\\"")):
                self.comment(line[3:])
                continue
            if line.startswith('\\"'):
                self.comment(line[2:])
                continue
            if line[:1] in ('.', "'"):
                m = re.match(r"[.'][ \t]*(\S*)[ \t]*(.*)$", line)
                name, rest = m.group(1), m.group(2)
                if name in ('nf', 'EX'):
                    i = self.nofill(i, 'fi' if name == 'nf' else 'EE')
                    continue
                if name in ('SH', 'SS') and not rest.strip():
                    if i >= len(lines):
                        raise self.error(f'.{name} at the end of the file')
                    rest = lines[i].rstrip('\n')
                    i += 1
                self.request(name, rest)
                continue
            if not line.strip():
                self.para_break()       # a blank line: .sp, the indent stays
                continue
            if line[0] in ' \t':
                self.warn('text line starting with blanks: taken as a line '
                          'break, its leading blanks dropped')
                self.hard_break()
                line = line.lstrip(' \t')
            if self.next_font:
                chars, joined = self.font_text(self.next_font, line)
                self.next_font = None
            else:
                chars, joined = self.inline.parse(line)
            self.text(chars, joined)
        self.flush()
        if self.preamble is None:
            raise ConvertError(f'{self.path}: no .TH line')
        return self

    def nofill(self, i, end):
        start = self.lineno
        out = []
        lines = self.lines
        while True:
            if i >= len(lines):
                self.lineno = start
                raise self.error(f'.nf/.EX without .{end}')
            self.lineno = i + 1
            line = lines[i].rstrip('\n')
            i += 1
            if re.match(r"[.'][ \t]*" + end + r'\b', line):
                break
            if line.startswith(('.\\"', "'\\\"")):
                continue
            if line[:1] in ('.', "'"):
                m = re.match(r"[.'][ \t]*(\S*)[ \t]*(.*)$", line)
                if m.group(1) in ('ft', 'PD', 'sp', 'br'):
                    if m.group(1) == 'sp':
                        out.append('')
                    continue
                if m.group(1) in ('B', 'I', 'BR', 'RB', 'IR', 'RI', 'BI',
                                  'IB', 'SB', 'SM'):
                    self.warn(f'.{m.group(1)} inside .nf/.EX: the font is '
                              'lost in a scdoc literal block')
                    line = ''.join(split_args(m.group(2)))
                else:
                    raise self.error(f'request .{m.group(1)} inside .nf/.EX '
                                     'is not supported')
            chars, _ = self.inline.parse(line)
            if any(f not in ('R', None) for c, f in chars if c != ' '):
                self.warn('font change inside .nf/.EX: lost in a scdoc '
                          'literal block')
            text = ''.join(c for c, _ in chars)
            if text.startswith("'"):
                raise self.error("a literal line starting with ' would be a "
                                 'roff control line in scdoc output')
            out.append(text)
        self.flush()
        self.items.append(('literal', self.level(), out))
        return i

    def request(self, name, rest):
        args = split_args(rest)
        if name == 'TH':
            if self.preamble is not None:
                raise self.error('second .TH')
            if len(args) < 2:
                raise self.error('.TH needs a title and a section')
            title, sect = args[0], args[1]
            if not re.fullmatch(r'[A-Za-z0-9_.-]+', title):
                raise self.error(f'scdoc cannot take the title {title!r}')
            if not re.fullmatch(r'[0-9]', sect):
                raise self.error(f'scdoc takes a one-digit section, not '
                                 f'{sect!r}')
            extras = [a for a in args[3:5]]
            for e in extras:
                if '"' in e or '\\' in e:
                    raise self.error(f'.TH field {e!r} has a quote or an '
                                     'escape')
            self.preamble = (title, sect, args[2] if len(args) > 2 else '',
                             extras)
            if self.preamble[2]:
                self.warn(f'.TH date {self.preamble[2]!r} is dropped: scdoc '
                          'writes the build date (SOURCE_DATE_EPOCH if set)')
            return
        if self.preamble is None:
            raise self.error(f'.{name} before .TH')
        if name in ('SH', 'SS'):
            chars, _ = Inline(self).parse(' '.join(args))
            text = ''.join(c for c, _ in chars).strip()
            if not text:
                raise self.error(f'empty .{name}')
            self.para_break()
            self.items.append(('heading', 1 if name == 'SH' else 2, text))
            if self.rs_stack:
                self.warn(f'.{name} inside .RS: the indentation is reset')
            self.base, self.in_tp, self.pending_term = 0, False, False
            self.rs_stack = []
            self.inline.cur, self.inline.prev = 'R', 'R'
        elif name in ('PP', 'LP', 'P'):
            self.para_break()
            self.in_tp = self.pending_term = False
        elif name == 'TP':
            self.para_break()
            self.in_tp = False
            self.pending_term = True
        elif name == 'IP':
            self.para_break()
            self.in_tp = False
            if args and args[0]:
                chars, _ = Inline(self).parse(args[0])
                self.pending_term = True
                self.text(chars)
            self.in_tp = True
            self.pending_term = False
        elif name == 'HP':
            self.warn('.HP taken as .PP')
            self.para_break()
            self.in_tp = self.pending_term = False
        elif name == 'RS':
            self.flush()
            self.rs_stack.append((self.base, self.in_tp))
            self.base += 1
            self.in_tp = False
        elif name == 'RE':
            if not self.rs_stack:
                raise self.error('.RE without .RS')
            self.flush()
            self.base, self.in_tp = self.rs_stack.pop()
        elif name == 'br':
            self.hard_break()
        elif name == 'sp':
            self.para_break()
        elif name == 'ft':
            f = args[0] if args else 'P'
            if f not in FONTS:
                raise self.error(f'unknown font {f}')
            self.inline.set_font(FONTS[f])
        elif name in ('B', 'I', 'SB', 'SM'):
            font = {'B': 'B', 'I': 'I', 'SB': 'B', 'SM': 'R'}[name]
            if name == 'SM':
                self.warn('.SM: small text becomes normal text')
            if not args:
                self.next_font = font
                return
            chars, joined = self.font_text(font, ' '.join(args))
            self.text(chars, joined)
        elif name in ('BR', 'RB', 'IR', 'RI', 'BI', 'IB'):
            if not args:
                raise self.error(f'.{name} without arguments')
            self.text(self.alternate((name[0], name[1]), args))
        elif name in IGNORED:
            pass
        elif name == '':
            pass                                # a lone "." is a no-op
        else:
            raise self.error(f'request .{name} is not supported')


# ----------------------------------------------------------------- scdoc side

def font_of(f):
    if f == 'BI':
        return 'B'
    return f or 'R'


def render_line(chars, hard_break=False):
    """scdoc source for one output line.  chars: (char, font) with fonts
    R/B/I; spaces carry the font of the span they sit in.  Simulates
    scdoc's parse_text: `last` is the last character written unescaped on
    this line (' ' at its start); '_' opens or closes only when `last` is
    not a letter/digit, or (closing) when the next source character is
    not."""
    toks = []   # [text, kind, ch]: kind c (sets last), e (escaped), f (markup)

    def last():
        for t in reversed(toks):
            if t[1] == 'c':
                return t[2]
        return ' '

    def make_last_safe():
        for t in reversed(toks):
            if t[1] == 'c':
                if not is_alnumish(t[2]):
                    return
                t[0], t[1] = '\\' + t[2], 'e'

    open_f = 'R'
    escape_next = False
    n = len(chars)
    for k, (ch, f) in enumerate(chars):
        if f != open_f:
            if open_f == 'B':
                toks.append(['*', 'f', None])
            elif open_f == 'I':
                toks.append(['_', 'f', None])
                # closes only if last or next is not a letter/digit
                if is_alnumish(last()) and f == 'R':
                    escape_next = True
            if f == 'B':
                toks.append(['*', 'f', None])
            elif f == 'I':
                if is_alnumish(last()):
                    make_last_safe()
                toks.append(['_', 'f', None])
            open_f = f
        nxt = chars[k + 1][0] if k + 1 < n else None
        at_start = not toks
        if ch in '\\*_':
            toks.append(['\\' + ch, 'e', ch])
        elif ch == '+' and (nxt == '+' or (nxt is None and hard_break)):
            toks.append(['\\+', 'e', ch])
        elif at_start and ch in '#-;[|]`':
            toks.append(['\\' + ch, 'e', ch])
        elif at_start and ch == '.' and nxt == ' ':
            raise ConvertError('internal: a line would start with ". "')
        elif at_start and ch in ".'":
            toks.append([ch, 'f', ch])          # scdoc writes \&. / \&'
        elif escape_next and is_alnumish(ch):
            toks.append(['\\' + ch, 'e', ch])
        else:
            toks.append([ch, 'c', ch])
        escape_next = False
    if open_f == 'B':
        toks.append(['*', 'f', None])
    elif open_f == 'I':
        toks.append(['_', 'f', None])
    s = ''.join(t[0] for t in toks)
    return s + ('++' if hard_break else '')


def words_of(chars):
    """Split one hard-break-free run into words and gaps.  Returns a list
    of (gap, word): gap is the number of spaces before the word (0 for the
    first), word a list of (char, font)."""
    out, word, gap, gapfont = [], [], 0, set()
    for c, f in chars:
        if c == ' ':
            if word:
                out.append(((gap, gapfont), word))
                word, gap, gapfont = [], 0, set()
            gap += 1
            gapfont.add(font_of(f) if f else None)
        else:
            word.append((c, font_of(f)))
    if word:
        out.append(((gap, gapfont), word))
    if out:
        out[0] = ((0, set()), out[0][1])
    return [(g, fs, w) for (g, fs), w in out]


def join_words(ws):
    chars = []
    for k, (gap, gapfont, word) in enumerate(ws):
        if k:
            # a space stays inside a span when it had the span's font in the
            # troff (.B "config show"); a line end is a roman space
            f = word[0][1]
            if ws[k - 1][2][-1][1] != f or gapfont != {f}:
                f = 'R'
            chars.extend([(' ', f)] * gap)
        chars.extend(word)
    return chars


def wrap_block(indent, chars):
    width = WIDTH - TABWIDTH * indent
    runs, cur = [], []
    for c, f in chars:
        if c == '\n':
            runs.append(cur)
            cur = []
        else:
            cur.append((c, f))
    runs.append(cur)
    out = []
    for r, run in enumerate(runs):
        ws = words_of(run)
        hard = r < len(runs) - 1
        lines, line = [], []
        for gap, gapfont, word in ws:
            if line:
                trial = line + [(gap, gapfont, word)]
                fits = len(render_line(join_words(trial))) <= width
                # never start a line with a lone "." (scdoc: a list), and
                # keep runs of several spaces (they are not a break)
                breakable = gap == 1 and ''.join(c for c, _ in word) != '.'
                if fits or not breakable:
                    line = trial
                    continue
                lines.append(line)
                line = [(0, set(), word)]
            else:
                line = [(0, set(), word)]
        if line:
            lines.append(line)
        for k, ln in enumerate(lines):
            out.append(render_line(join_words(ln),
                                   hard and k == len(lines) - 1))
    return ['\t' * indent + s for s in out]


def render(conv):
    title, sect, _date, extras = conv.preamble
    head = f'{title}({sect})' + ''.join(f' "{e}"' for e in extras)
    out = [head]
    for c in conv.pre_comments:
        out.append('; ' + c)
    out.append('')

    def blank():
        if out[-1] != '':
            out.append('')

    prev = 0

    def put(ln):
        # scdoc: indentation grows by one tab at a time (blank lines and the
        # inside of a literal block do not count)
        nonlocal prev
        ind = len(ln) - len(ln.lstrip('\t'))
        if ind > prev + 1:
            raise ConvertError(f'output line {len(out) + 1}: indentation '
                               f'jumps from {prev} to {ind} tabs, which scdoc '
                               'refuses')
        prev = ind
        out.append(ln)

    for it in conv.items:
        kind = it[0]
        if kind == 'blank':
            blank()
        elif kind == 'heading':
            blank()
            if '\\' in it[2]:
                raise ConvertError(f'heading {it[2]!r}: scdoc copies '
                                   'headings raw, a backslash would reach roff')
            put('#' * it[1] + ' ' + it[2])
            out.append('')
        elif kind == 'block':
            for ln in wrap_block(it[1], it[2]):
                put(ln)
        elif kind == 'comment':
            put('\t' * it[1] + '; ' + it[2])
        elif kind == 'literal':
            ind = '\t' * it[1]
            put(ind + '```')
            for ln in it[2]:
                ln = ln.replace('\\', '\\\\').replace('```', '\\`\\`\\`')
                out.append(ind + ln if ln else '')
            out.append(ind + '```')
    while out and out[-1] == '':
        out.pop()
    return '\n'.join(out) + '\n'


def convert(path):
    with open(path, encoding='utf-8') as f:
        lines = f.readlines()
    conv = Converter(os.path.relpath(path), lines).run()
    return render(conv), conv


# ----------------------------------------------------------------- --check

def page_words(path, env):
    txt = subprocess.run(['man', '-l', path], env=env, check=True,
                         capture_output=True).stdout
    txt = subprocess.run(['col', '-b'], input=txt, check=True,
                         capture_output=True).stdout.decode('utf-8')
    # undo line-end breaks: a hyphenation point (U+2010) is dropped, an
    # explicit hyphen inside a word is kept
    txt = re.sub(r'(?<=\w)\u2010\n\s*', '', txt)
    txt = re.sub(r'(?<=\w)-\n\s*', '-', txt)
    return txt.split()


def check(src, scd_text, conv):
    env = dict(os.environ, MANWIDTH='80',
               LC_ALL=os.environ.get('LC_ALL') or 'C.UTF-8')
    env.pop('MAN_KEEP_FORMATTING', None)
    date = conv.preamble[2]
    try:
        d = datetime.datetime.strptime(date, '%Y-%m-%d')
        env['SOURCE_DATE_EPOCH'] = str(int(
            d.replace(tzinfo=datetime.timezone.utc).timestamp()))
        print(f'check: SOURCE_DATE_EPOCH set to the .TH date {date}')
    except ValueError:
        print(f'check: .TH date {date!r} is not YYYY-MM-DD: dates will differ')
    with tempfile.TemporaryDirectory() as tmp:
        scd = os.path.join(tmp, 'page.scd')
        out = os.path.join(tmp, 'page.1')
        with open(scd, 'w', encoding='utf-8') as f:
            f.write(scd_text)
        with open(scd, 'rb') as fi, open(out, 'wb') as fo:
            r = subprocess.run(['scdoc'], stdin=fi, stdout=fo, env=env,
                               stderr=subprocess.PIPE)
        if r.returncode:
            print('check: scdoc failed: ' + r.stderr.decode().strip())
            return False
        a = page_words(src, env)
        b = page_words(out, env)
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    ndiff = 0
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == 'equal':
            continue
        ndiff += max(i2 - i1, j2 - j1)
        ctx = ' '.join(a[max(0, i1 - 3):i1])
        print(f'check: {op} after "...{ctx}": troff {a[i1:i2]} -> '
              f'scdoc {b[j1:j2]}')
    print(f'check: {len(a)} words in the troff page, {len(b)} in the scdoc '
          f'page, {ndiff} differ')
    return ndiff == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--check', action='store_true',
                    help='render both pages and compare their words')
    ap.add_argument('input', nargs='?',
                    default=os.path.join(ROOT, 'man', 'para.1'))
    ap.add_argument('output', nargs='?')
    args = ap.parse_args()
    output = args.output or args.input + '.scd'
    try:
        text, conv = convert(args.input)
    except ConvertError as e:
        sys.exit(f'man2scd: {e}')
    for w in conv.warnings:
        print(w, file=sys.stderr)
    if output == '-':
        sys.stdout.write(text)
    else:
        tmp = output + '.tmp'
        with open(tmp, 'w', encoding='utf-8') as f:
            f.write(text)
        os.replace(tmp, output)
    if args.check and not check(args.input, text, conv):
        sys.exit(1)


if __name__ == '__main__':
    main()
