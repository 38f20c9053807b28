"""The path pane's table: file-manager keys on a ``VirtualTable``, and the cells of a row.

The pane holds a sliding window of a folder's listing (``core.paging``); the table holds
the window's row keys and renders the rows in view from the pane's entries.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.cells import cell_len

from efile_tui import glyphs
from efile_tui.api.models import FileEntry
from efile_tui.i18n import N_, _
from efile_tui.ui.widgets.vtable import PAD, Cell, Column, VirtualTable

MARK_GLYPH = glyphs.UNICODE.mark  # the ASCII set draws "*"
WIDTHS = {"mark": 1, "type": 4, "size": 8, "modified": 16}  # the name column takes the rest
COLUMNS = (
    ("mark", ""),
    ("name", N_("Name")),
    ("type", N_("Type")),
    ("size", N_("Size")),
    ("modified", N_("Modified")),
)
TYPES = {"dir": N_("dir"), "file": N_("file"), "link": N_("link")}


def widths() -> dict[str, int]:
    """The fixed columns' widths in cells (the type column as wide as its words are in the
    language in use)."""
    return WIDTHS | {"type": max(WIDTHS["type"], *(cell_len(_(t)) for t in TYPES.values()))}


def size_text(n: int | None) -> str:
    """Bytes in at most 8 columns, binary units (``512 B``, ``99.9 KiB``, ``1023 MiB``)."""
    if n is None:
        return "?"  # the service sent no believable size
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            if unit == "B":
                return f"{int(value)} B"
            return f"{value:.1f} {unit}" if value < 100 else f"{value:.0f} {unit}"
        value /= 1024
    return f"{n} B"  # pragma: no cover - the loop always returns


def columns(narrow: bool) -> list[tuple[str, str]]:
    """(key, label) of the columns shown; a narrow pane hides type and modified."""
    return [
        (key, _(label) if label else label)
        for key, label in COLUMNS
        if not (narrow and key in ("type", "modified"))
    ]


def cell_map(entry: FileEntry | None, marked: bool) -> dict[str, Cell]:
    """The cells of an entry's row by column key (None: the ``..`` row)."""
    if entry is None:
        folder = TYPES["dir"]
        return {"mark": (" ", ""), "name": ("../", ""), "type": (_(folder), "")}
    suffix = "/" if entry.is_dir else "@" if entry.is_symlink else ""
    kind = "link" if entry.is_symlink else "dir" if entry.is_dir else "file"
    return {
        "mark": (glyphs.current().mark if marked else " ", ""),
        "name": (entry.name + suffix, ""),
        "type": (_(TYPES[kind]), ""),
        "size": ("" if entry.is_dir else size_text(entry.size), ""),
        "modified": ((entry.modified or "")[:16], ""),
    }


def earlier_map(count: int) -> dict[str, Cell]:
    """The cells of the first row of a window that starts after ``count`` entries."""
    text = _("{n} earlier entries").format(n=f"{count:,}")
    return {"mark": (" ", ""), "name": (f"{glyphs.current().up} {text}", "")}


class PathTable(VirtualTable):
    """The folder listing: file-manager keys (Home/End = first/last row, Enter = open).

    The rows are paths (plus the ``..`` and "earlier entries" rows); the pane that owns
    the table renders them (``cells``, ``marked``).
    """

    def __init__(
        self,
        *,
        cells: Callable[[str], Sequence[Cell]],
        marked: Callable[[str], bool],
        id: str | None = None,
        to_top: Callable[[], bool] | None = None,
        to_end: Callable[[], bool] | None = None,
    ) -> None:
        super().__init__(id=id)
        self.cells = cells
        self.marked = marked
        # Home/End ask these first; True means the owner fetches the folder's start/end.
        self.to_top = to_top
        self.to_end = to_end
        self.shown: list[tuple[str, str]] = []

    def on_resize(self) -> None:
        """Refit the name column to the new width."""
        self.show_columns(self.shown)

    def row_cells(self, key: str) -> Sequence[Cell]:
        """The cells of the row ``key``, from the pane."""
        return self.cells(key)

    def row_marked(self, key: str) -> bool:
        """Marked paths are drawn bold on a tinted background."""
        return self.marked(key)

    def action_first_row(self) -> None:
        """Home: the first row, unless the owner has to fetch the folder's first page."""
        if self.to_top is None or not self.to_top():
            super().action_first_row()

    def action_last_row(self) -> None:
        """End: the last row, unless the owner has to fetch the folder's last page."""
        if self.to_end is None or not self.to_end():
            super().action_last_row()

    def show_columns(self, shown: Sequence[tuple[str, str]]) -> None:
        """Show these (key, label) columns; the name column takes what the others leave."""
        self.shown = list(shown)
        width = self.scrollable_content_region.width
        sizes = widths()
        fixed = sum(sizes[k] + 2 * PAD for k, _label in shown if k in sizes)
        name = max(8, width - fixed - 2 * PAD)
        self.set_columns(
            [
                Column(
                    key,
                    _(label) if label else "",
                    sizes.get(key, name),
                    justify="right" if key == "size" else "left",
                )
                for key, label in shown
            ]
        )

    def focus_rows(self) -> tuple[int, int]:
        """First and last row the user is at: the view, and the cursor when near it.

        A cursor left far behind by the mouse wheel does not count, so a window of rows
        follows the view instead of bouncing between the two.
        """
        top, bottom = self.rows_in_view()
        height, cursor = bottom - top + 1, self.cursor_row
        if top - height <= cursor <= bottom + height:
            return min(top, cursor), max(bottom, cursor)
        return top, bottom
