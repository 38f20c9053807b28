"""The screen as a terminal shows it, cell by cell, read from the app's screenshot: for
checks of width (every line within the terminal) and of borders (in the same column)."""

from __future__ import annotations

import html
import re

from rich.cells import cell_len
from textual.app import App

_TEXT = re.compile(
    r'<text[^>]*\bx="([\d.]+)"[^>]*\btextLength="([\d.]+)"[^>]*-line-(\d+)\)"[^>]*>(.*?)</text>',
    re.S,
)
CHAR_WIDTH = 12.2  # Rich's SVG export: 0.61 × the 20 px font


def screen_cells(app: App[object]) -> list[dict[int, str]]:
    """Each screen line as ``{column: character}`` (a wide character at its first column;
    the column after it is left out)."""
    lines: list[dict[int, str]] = []
    for x, _length, line, raw in _TEXT.findall(app.export_screenshot()):
        row = int(line)
        while len(lines) <= row:
            lines.append({})
        col = round(float(x) / CHAR_WIDTH)
        for char in html.unescape(raw).replace("\xa0", " "):
            lines[row][col] = char
            col += cell_len(char)
    return lines


def screen_lines(app: App[object]) -> list[str]:
    """Each screen line as text (spaces between the drawn parts)."""
    out = []
    for cells in screen_cells(app):
        text, col = "", 0
        for start in sorted(cells):
            text += " " * max(0, start - col) + cells[start]
            col = max(col, start) + cell_len(cells[start])
        out.append(text.rstrip())
    return out


def line_width(cells: dict[int, str]) -> int:
    """How many cells a screen line reaches to (its last drawn character's end)."""
    return max((col + cell_len(char) for col, char in cells.items()), default=0)


BORDERS = set("│┃║╭╮╰╯┏┓┗┛┌┐└┘█")  # █: the sides of a dialog's thick border


def misaligned_borders(app: App[object]) -> list[str]:
    """Box edges that are not in line with the rest of their box.

    A box's side is a column of edge characters (sides and corners) at least three lines
    long; an edge character in a column where it is alone, or with one more below or
    above, is a border pushed out of place (a line that was too wide or too narrow).
    """
    runs: dict[int, list[list[int]]] = {}
    for row, cells in enumerate(screen_cells(app)):
        for col, char in cells.items():
            if char in BORDERS:
                column = runs.setdefault(col, [])
                if column and column[-1][-1] == row - 1:
                    column[-1].append(row)
                else:
                    column.append([row])
    return [
        f"column {col}: an edge on rows {run} only"
        for col, column in sorted(runs.items())
        for run in column
        if len(run) < 3
    ]


__all__ = ["line_width", "misaligned_borders", "screen_cells", "screen_lines"]
