"""A corpus of hostile strings, shared by every test that shows untrusted text.

Each entry is something a service or a local file could send: Rich/Textual markup that would
run an action, open a link or crash the parser; every class of control character; bidi
tricks; invisible characters; wide text. Tests push them through a surface and assert with
:func:`raw_controls` that nothing reached the output raw.
"""

from __future__ import annotations

import re

MARKUP = [
    "[@click=app.quit]x[/]",
    "[@click=app.screenshot('f.svg','/tmp')]details[/]",
    "[link=https://evil.example/]harmless.txt[/link]",
    "[bold red]loud[/]",
    "unbalanced[/]",
    "[/bold]close-only",
    "[",
    "]",
    "[[double]]",
    "\\[escaped]",
    "[on red]open-only",
    "[b][i]nested[/b][/i]",
]
CONTROLS = [
    "nul\x00byte",
    "bell\x07",
    "back\x08space",
    "car\rriage",
    "new\nline",
    "tab\there",
    "\x1b[2J\x1b[Hclear",  # ESC/CSI: clear the screen
    "\x1b]0;pwned title\x07",  # OSC: set the window title
    "\x1b]52;c;cHduZWQ=\x07",  # OSC 52: write the clipboard
    "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\",  # OSC 8 hyperlink
    "\x1bP+q\x1b\\",  # DCS
    "\x9b2J",  # C1 CSI: clear the screen on 8-bit terminals
    "\x9d0;c1 title\x9c",  # C1 OSC / ST
    "\x85next-line",  # C1 NEL
    "del\x7fete",
    "\x1b[1A\x1b[2Koverwrite previous line",
]
BIDI = [
    "evil\u202etxt.exe",  # right-to-left override
    "\u202adir\u202c",  # LRE/PDF
    "\u2066isolate\u2069",  # LRI/PDI
    "\u2067rtl\u2069",
    "\u2068first\u2069",
    "\u061carabic-mark",
]
INVISIBLE = [
    "zero\u200bwidth",
    "joiner\u200d",
    "\ufeffbom",
    "word\u2060joiner",
    "soft\u00adhyphen",
    "line\u2028separator",
    "para\u2029separator",
    "tag\U000e0041s",
    "\u3164hangul-filler",
]
WIDE = [
    "数据文件夹/结果.csv",
    "😀🎉 emoji.txt",
    "👨\u200d👩\u200d👧 family",
    "ｆｕｌｌｗｉｄｔｈ",
    "e\u0301\u0301\u0301 combining",
]
CORPUS: list[str] = MARKUP + CONTROLS + BIDI + INVISIBLE + WIDE
# One string holding every class at once, for fields that are shown only once.
EVERYTHING = "".join(
    ["[@click=app.quit]x[/]", "unbalanced[/]", "[link=https://e.example]l[/link]"]
    + [c for c in CONTROLS if "\n" not in c]
    + BIDI[:2]
    + INVISIBLE[:3]
    + WIDE[:2]
)
# As file names: no slash (a closing tag loses it, an opening one stays live), no NUL.
NAMES: list[str] = list(
    dict.fromkeys(s.replace("/", "").replace("\x00", "") for s in CORPUS if s.strip("/\x00"))
)

# Bytes that must never be printed raw: C0 but tab/newline, DEL, C1, bidi, invisible.
_RAW = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff"
    "\U000e0000-\U000e007f]"
)


def raw_controls(text: str) -> list[str]:
    """The unsafe characters found in ``text`` (empty when it is safe to print)."""
    return sorted({m.group() for m in _RAW.finditer(text)})
