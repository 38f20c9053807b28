"""The symbols the TUI and the CLI draw, in a Unicode set and an ASCII set.

Every status symbol, mark, arrow and bar cell comes from :func:`current`, so one switch
(``use``) turns the whole program to plain ASCII: for the Linux console (``TERM=linux``),
``vt100``, and output encodings that cannot encode the Unicode set (GB2312, Latin-1, ASCII).

:data:`FALLBACK` maps each drawing character that may still be written (ours, and the
borders, scroll bars and button edges the TUI library draws) to one ASCII character of the
same width, so switching sets never moves a column. ``core.terminal`` applies it to the
output stream in ASCII mode and when a character cannot be encoded.

Plain data with no imports of ours: the settings (``config``), ``core``, the TUI and the
CLI all reach it downward.
"""

from __future__ import annotations

import codecs
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

AUTO, UNICODE_NAME, ASCII_NAME = "auto", "unicode", "ascii"
CHOICES = (AUTO, UNICODE_NAME, ASCII_NAME)
ASCII_TERMS = ("linux", "vt100", "vt102", "vt220", "dumb", "cons25")


@dataclass(frozen=True)
class Glyphs:
    """One set of symbols; every field is a single terminal cell wide."""

    name: str
    status: Mapping[str, str] = field(repr=False)  # status word -> symbol
    mark: str  # a marked row
    ellipsis: str  # where text was cut
    up: str  # ascending sort, "earlier entries", submitting
    down: str  # descending sort
    warn: str  # an error note
    ok: str  # a cancel that worked
    bad: str  # one that did not
    expired: str  # the service no longer knows the task
    bar_full: str  # progress bar cells
    bar_empty: str
    sep: str  # between parts of an info line
    dash: str  # an empty cell
    arrow: str  # source -> target

    def of(self, status: str) -> str:
        """The symbol for a status word (``?`` when unknown)."""
        return self.status.get(status, "?")


UNICODE = Glyphs(
    name=UNICODE_NAME,
    status={
        "waiting": "…",
        "processing": "▶",
        "complete": "✓",
        "fail": "✗",
        "cancel": "⊘",
        "outcome unknown": "?",
        "rejected": "✗",
        "submitting": "↑",
        "unknown": "?",
        "expired": "◌",
        "vanished": "∅",
    },
    mark="●",
    ellipsis="…",
    up="↑",
    down="↓",
    warn="⚠",
    ok="✓",
    bad="✗",
    expired="◌",
    bar_full="▰",
    bar_empty="▱",
    sep="·",
    dash="—",
    arrow="→",
)

ASCII = Glyphs(
    name=ASCII_NAME,
    status={
        "waiting": ".",
        "processing": ">",
        "complete": "+",
        "fail": "x",
        "cancel": "/",
        "outcome unknown": "?",
        "rejected": "x",
        "submitting": "^",
        "unknown": "?",
        "expired": "~",
        "vanished": "!",
    },
    mark="*",
    ellipsis="~",
    up="^",
    down="v",
    warn="!",
    ok="+",
    bad="x",
    expired="~",
    bar_full="#",
    bar_empty="-",
    sep="|",
    dash="-",
    arrow=">",
)

SETS = {UNICODE.name: UNICODE, ASCII.name: ASCII}


def _fallback_table() -> dict[int, str]:
    """Unicode drawing character -> one ASCII character of the same width."""
    table: dict[int, str] = {}
    for attr in ("mark", "ellipsis", "up", "down", "warn", "ok", "bad", "expired", "bar_full"):
        table[ord(getattr(UNICODE, attr))] = getattr(ASCII, attr)
    table[ord(UNICODE.bar_empty)] = ASCII.bar_empty
    table[ord(UNICODE.sep)] = ASCII.sep
    table[ord(UNICODE.dash)] = ASCII.dash
    table[ord(UNICODE.arrow)] = ASCII.arrow
    for word, symbol in UNICODE.status.items():
        table[ord(symbol)] = ASCII.status[word]
    # Box drawing (U+2500-257F): lines, corners and joints, named by their strokes.
    for code in range(0x2500, 0x2580):
        words = set(unicodedata.name(chr(code), "").split())
        across = "HORIZONTAL" in words or bool(words & {"LEFT", "RIGHT"})
        down = "VERTICAL" in words or bool(words & {"UP", "DOWN"})
        table[code] = "+" if across == down else ("-" if across else "|")
    # Block elements (U+2580-259F): edges of buttons, inputs and scroll bars.
    for code in range(0x2580, 0x25A0):
        table[code] = " "
    table.update({0x2581: "_", 0x2582: "_", 0x2594: "-", 0x2588: "#", 0x2589: "#"})
    table.update({0x258A: "|", 0x258B: "|", 0x258C: "|", 0x258D: "|", 0x258E: "|"})
    table.update({0x258F: "|", 0x2590: "|", 0x2595: "|", 0x2591: ":", 0x2592: ":", 0x2593: "#"})
    # Other punctuation and shapes the screens use.
    table.update(
        {
            0x2013: "-",  # –
            0x2018: "'",
            0x2019: "'",
            0x201C: '"',
            0x201D: '"',
            0x2022: "*",  # •
            0x2190: "<",  # ←
            0x2192: ">",  # →
            0x21B5: "<",  # ↵
            0x25B2: "^",  # ▲
            0x25BC: "v",  # ▼
            0x25C0: "<",  # ◀
            0x25CF: "*",  # ●
            0x25CB: "o",  # ○
            0x25C9: "*",  # ◉
            0x2714: "+",  # ✔
            0x2716: "x",  # ✖
            0x00D7: "x",  # ×
            0x00B7: "|",  # ·
        }
    )
    return table


FALLBACK: dict[int, str] = _fallback_table()

_active: Glyphs = UNICODE


def current() -> Glyphs:
    """The set in use."""
    return _active


def use(glyphs: Glyphs) -> None:
    """Switch the whole program to ``glyphs`` (before any screen is drawn)."""
    global _active
    _active = glyphs


def encodes(encoding: str, glyphs: Glyphs = UNICODE) -> bool:
    """True when ``encoding`` can write every symbol of ``glyphs`` (and box borders)."""
    sample = "".join(glyphs.status.values()) + "".join(
        getattr(glyphs, a) for a in ("mark", "ellipsis", "up", "down", "warn", "bar_full")
    )
    try:
        (sample + glyphs.bar_empty + glyphs.sep + "╭─╮│").encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def choose(choice: str, *, encoding: str, term: str | None) -> tuple[Glyphs, str]:
    """The set for ``choice`` (auto | unicode | ascii) and the reason, for ``doctor``.

    Auto picks ASCII on the Linux console and other old terminals, and when the output
    encoding is not UTF-8 (a GB2312 or Latin-1 stream cannot encode the symbols, and
    terminals set to GBK/GB18030 draw box characters two cells wide).
    """
    if choice == ASCII_NAME:
        return ASCII, "ASCII symbols chosen by setting"
    if choice == UNICODE_NAME:
        return UNICODE, "Unicode symbols chosen by setting"
    base = (term or "").split("-")[0]
    if base in ASCII_TERMS:
        return ASCII, f"ASCII symbols: TERM={term} cannot show the Unicode ones"
    if not encodes(encoding):
        return ASCII, f"ASCII symbols: the output encoding {encoding} lacks the Unicode ones"
    if _norm(encoding) != "utf-8":
        return ASCII, f"ASCII symbols: the output encoding is {encoding}, not UTF-8"
    return UNICODE, "Unicode symbols"


def _norm(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return encoding.lower()


__all__ = [
    "ASCII",
    "CHOICES",
    "FALLBACK",
    "UNICODE",
    "Glyphs",
    "choose",
    "current",
    "encodes",
    "use",
]
