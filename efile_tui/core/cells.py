"""Text in terminal cells: widths, padding and elision that never cut a wide character.

Every column of the TUI and the CLI is measured in terminal cells, not characters: a CJK
character or an emoji takes two. These functions are pure (no terminal, no Textual):

- :func:`width` — how many cells a text takes;
- :func:`pad` — a text padded to a column's width, never cut;
- :func:`head` / :func:`tail` — the longest start / end of a text that fits a number of
  cells (a wide character that would straddle the edge is left out whole);
- :func:`elide` — a text shortened to a width with ``…`` at the end, the start or the middle;
- :func:`wrap` — a text in lines of at most a number of cells (Chinese breaks anywhere);
- :func:`elide_apart` — many paths shortened in the middle only as far as they stay
  distinguishable: the part where two of them differ is kept.

Texts are expected to be clean already (``core.text.clean``): no control characters.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise
from typing import Literal

from rich.cells import cell_len

Where = Literal["end", "start", "middle"]
ELLIPSIS = "…"  # one cell; the ASCII glyph set passes its own
SEP = "/"


def width(text: str) -> int:
    """Terminal cells taken by ``text`` (wide characters count two)."""
    return cell_len(text)


def pad(text: str, cells: int, *, justify: Literal["left", "right"] = "left") -> str:
    """``text`` padded with spaces to ``cells`` cells; a longer text is returned whole."""
    gap = " " * max(0, cells - width(text))
    return gap + text if justify == "right" else text + gap


def head(text: str, cells: int) -> str:
    """The longest start of ``text`` that fits in ``cells`` cells."""
    if width(text) <= cells:
        return text
    used = 0
    for i, char in enumerate(text):
        used += cell_len(char)
        if used > cells:
            return text[:i]
    return text


def tail(text: str, cells: int) -> str:
    """The longest end of ``text`` that fits in ``cells`` cells."""
    return head(text[::-1], cells)[::-1]


def elide(text: str, cells: int, where: Where = "end", *, ellipsis: str = ELLIPSIS) -> str:
    """``text`` in at most ``cells`` cells, shortened with ``ellipsis`` at ``where``.

    ``end``: ``/public/home/de…``; ``start``: ``…/run-7/out``; ``middle``: ``/public…7/out``.
    A wide character at the cut is left out whole (the result may be a cell short).
    """
    if width(text) <= cells:
        return text
    room = cells - width(ellipsis)
    if room < 0:
        return head(ellipsis, cells)
    if where == "start":
        return ellipsis + tail(text, room)
    if where == "middle":
        front = head(text, room // 2)
        return front + ellipsis + tail(text, room - width(front))
    return head(text, room) + ellipsis


def wrap(text: str, cells: int) -> list[str]:
    """``text`` in lines of at most ``cells`` cells: broken at spaces, or before any wide
    character (Chinese has no spaces); a word longer than a line is cut at the cell limit."""
    lines: list[str] = []
    line = ""
    for token in re.findall(r"\s+|[^\s\u1100-\U0010ffff]+|\S", text):
        if width(line + token) <= cells:
            line += token
            continue
        if line.strip():
            lines.append(line.rstrip())
        line = "" if token.isspace() else token
        while width(line) > cells:
            part = head(line, max(cells, 2))
            lines.append(part)
            line = line[len(part) :]
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _common_suffix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(reversed(a), reversed(b), strict=False):
        if x != y:
            break
        n += 1
    return n


def _needed_tails(texts: Sequence[str]) -> list[int]:
    """For each text, how many characters of its end tell it apart from every other text
    (its longest common end with a neighbour, plus one), or its whole length."""
    order = sorted(range(len(texts)), key=lambda i: texts[i][::-1])
    need = [1] * len(texts)
    for a, b in pairwise(order):
        if texts[a] == texts[b]:
            continue  # the same text twice: nothing can tell them apart
        common = _common_suffix(texts[a], texts[b])
        need[a] = max(need[a], common + 1)
        need[b] = max(need[b], common + 1)
    return [min(n, len(t)) for n, t in zip(need, texts, strict=True)]


def _widen_to_component(text: str, keep: int) -> int:
    """``keep`` end characters of ``text``, widened to start at a path component."""
    start = len(text) - keep
    if start <= 0 or text[start - 1] == SEP or text[start] == SEP:
        return keep
    found = text.rfind(SEP, 0, start)
    return len(text) - (found + 1) if found >= 0 else len(text)


def _root(text: str) -> str:
    """The first component of a path with its slashes (``/public/``), or ""."""
    cut = text.find(SEP, 1)
    return text[: cut + 1] if cut > 0 else ""


def _two_cuts(text: str, need: int, cells: int, ellipsis: str) -> str:
    """``…e/o…un-0032``: the characters where ``text`` differs from another (``need``
    from its end) and as much of its end as fits, in ``cells`` cells with two ellipses."""
    room = cells - 2 * width(ellipsis)
    start = len(text) - need
    differs = head(text[start:], max(1, room // 3))
    end = tail(text[start + len(differs) :], room - width(differs))
    return ellipsis + differs + ellipsis + end


def elide_apart(
    texts: Sequence[str], cells: int, *, ellipsis: str = ELLIPSIS, strict: bool = False
) -> list[str]:
    """Each text in about ``cells`` cells, its middle elided, while they stay apart.

    The end of a path (its name) is kept, and as much more of its end as tells it apart
    from the others — from the start of the path component where they differ
    (``…/proj-climate/run-0032`` beside ``…/proj-cfd/run-0032``). A text is made longer
    than ``cells`` rather than the same as another. When every shortened text has room,
    each keeps its first component (``/public/…``); the rest of the room goes to more of
    the end. Texts that fit are kept whole; texts that were the same stay the same.

    ``strict`` (a column of fixed width): never wider than ``cells``; a text whose
    differing end does not fit keeps the characters where it differs between two
    ellipses (``…e/o…un-0032``).
    """
    out = list(texts)
    long = [i for i, t in enumerate(texts) if width(t) > cells]
    if not long:
        return out
    needs = _needed_tails(texts)
    dots = width(ellipsis)
    ends: dict[int, str] = {}
    for i in long:
        text = texts[i]
        keep = _widen_to_component(text, needs[i])
        if width(text[len(text) - keep :]) + dots > cells:
            keep = needs[i]  # the component does not fit: just the differing end
        ends[i] = text[len(text) - keep :]
    # The first component shows on every shortened row or on none (rows line up).
    with_root = all(
        0 < width(_root(texts[i])) <= (cells - dots - width(ends[i])) // 2 for i in long
    )
    for i in long:
        text, end = texts[i], ends[i]
        if strict and width(end) + dots > cells:
            out[i] = (
                _two_cuts(text, needs[i], cells, ellipsis) if cells > 2 * dots else tail(end, cells)
            )
            continue
        front = _root(text) if with_root else ""
        end = tail(text[len(front) :], max(width(end), cells - dots - width(front)))
        out[i] = text if len(front) + len(end) >= len(text) else front + ellipsis + end
    return out


__all__ = ["ELLIPSIS", "elide", "elide_apart", "head", "pad", "tail", "width", "wrap"]
