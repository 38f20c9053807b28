"""The one column formatter of the CLI's tables: cells padded by display width.

Widths are terminal cells, not characters: a CJK name takes two cells a character, so
padding by ``len`` would push every later column of its line out of step. A table is
either laid out at once (:func:`table`: each column as wide as its widest cell) or line by
line as results arrive (:func:`line` with fixed widths, e.g. ``watch``); a cell wider than
its column pushes the rest of its line along, never cut. The last column is not padded.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from efile_tui.core.cells import width as cell_len
from efile_tui.core.text import clean

GAP = "  "


def line(cells: Sequence[object], widths: Sequence[int], *, right: Collection[int] = ()) -> str:
    """One line: cell ``i`` padded to ``widths[i]`` cells (``right``: aligned right);
    cells beyond ``widths`` and the last one are not padded; trailing empty cells dropped.
    Every cell is made literal (control characters visible)."""
    texts = [clean(c) for c in cells]
    while texts and not texts[-1]:
        texts.pop()
    out = []
    for i, text in enumerate(texts):
        width = widths[i] if i < len(widths) and i < len(texts) - 1 else 0
        pad = " " * max(0, width - cell_len(text))
        out.append(pad + text if i in right else text + pad)
    return GAP.join(out)


def table(
    rows: Sequence[Sequence[object]],
    *,
    right: Collection[int] = (),
    minimum: Sequence[int] = (),
) -> list[str]:
    """The rows as lines, each column as wide as its widest cell (at least ``minimum``)."""
    cleaned = [[clean(c) for c in row] for row in rows]
    count = max((len(r) for r in cleaned), default=0)
    widths = [minimum[i] if i < len(minimum) else 0 for i in range(count)]
    for row in cleaned:
        for i, text in enumerate(row[:-1]):
            widths[i] = max(widths[i], cell_len(text))
    return [line(row, widths, right=right) for row in cleaned]


__all__ = ["GAP", "line", "table"]
