"""The one boundary for untrusted text: everything from the service or a local file.

File names, paths, messages, task ids, region and user names are data. Before any of them
reaches a terminal — a Textual widget, a CLI line on stdout or stderr — it goes through
:func:`clean`, which replaces every character that could act on the terminal or hide what
the text says with a visible stand-in:

- C0 controls (ESC, BEL, CR, backspace…) become the Unicode control pictures ``␛ ␇ ␍ ␈``;
  DEL becomes ``␡``; tab and newline are kept only where the caller asks for them.
- C1 controls (``\\x9b`` is a one-byte CSI) become ``\\x9b``-style escapes.
- Bidi overrides and isolates, zero-width and other invisible format characters, line and
  paragraph separators, and lone surrogates become ``\\u202e``-style escapes.

:func:`literal` builds a ``rich.text.Text`` that is never parsed as markup, so ``[@click=…]``,
``[link=…]`` and unbalanced ``[/]`` are shown as typed. :func:`json_dumps` writes JSON whose
strings escape the same characters, so ``--json`` output stays valid and inert.
"""

from __future__ import annotations

import json
import math
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # rich is imported on first use: the CLI's --version stays fast
    from rich.text import Text

# Characters that act on a terminal or hide text: Unicode categories Cc, Cf, Zl, Zp and Cs
# (surrogates), spelled out so the set does not depend on the Python version's Unicode
# database, plus the invisible Hangul fillers and the combining grapheme joiner.
_C0 = "\x00-\x08\x0b-\x1f"  # all of C0 but tab and newline
_OTHERS = (
    "\x7f-\x9f\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2"
    "\u115f\u1160\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ud800-\udfff"
    "\ufeff\uffa0\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e007f"
)
_UNSAFE = re.compile(f"[\t\n{_C0}{_OTHERS}]")
_UNSAFE_MULTILINE = re.compile(f"\r\n|[{_C0}{_OTHERS}]")
# What JSON leaves raw in its strings (it escapes C0 itself).
_JSON_UNSAFE = re.compile(f"[{_OTHERS}]")


def stand_in(char: str) -> str:
    """The visible replacement shown for one unsafe character."""
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ … ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _replace(match: re.Match[str]) -> str:
    found = match.group()
    return "\n" if found == "\r\n" else stand_in(found)


def clean(s: object, *, keep_newlines: bool = False) -> str:
    """``s`` as text that is safe to print and shows what it really contains.

    ``None`` becomes ``""``; anything else is ``str()``-ed first. With ``keep_newlines``, tab
    and newline are kept (``\\r\\n`` becomes ``\\n``); a lone carriage return never is.
    """
    if s is None:
        return ""
    text = s if isinstance(s, str) else str(s)
    pattern = _UNSAFE_MULTILINE if keep_newlines else _UNSAFE
    if pattern.search(text) is None:
        return text
    return pattern.sub(_replace, text)


def literal(
    s: object,
    style: str = "",
    *,
    keep_newlines: bool = False,
    no_wrap: bool | None = None,
    overflow: Any = None,
) -> Text:
    """``s`` cleaned, as a ``Text`` that is never parsed as markup (no actions, no links)."""
    from rich.text import Text

    return Text(
        clean(s, keep_newlines=keep_newlines), style=style, no_wrap=no_wrap, overflow=overflow
    )


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code > 0xFFFF:
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def _finite(value: Any) -> Any:
    """``value`` with non-finite floats (which JSON cannot hold) replaced by ``None``."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def json_dumps(data: Any, *, indent: int | None = None) -> str:
    """Valid JSON whose strings escape every character :func:`clean` would replace.

    Readable text (CJK, emoji) is kept as is; C0 controls are escaped by ``json`` itself, and
    DEL, C1, bidi, zero-width and separator characters are written as ``\\uXXXX`` escapes, so
    the output is inert on a terminal and decodes back to the original strings.
    """
    out = json.dumps(_finite(data), ensure_ascii=False, indent=indent, allow_nan=False)
    return _JSON_UNSAFE.sub(_json_escape, out)
