"""The path pane's table: a DataTable with file-manager keys and bulk row replacement.

The pane holds a sliding window of a folder's listing. When a page joins the window at one
end and another leaves it at the other, :meth:`PathTable.set_rows` swaps the rows in one
pass over the rows held (``DataTable.remove_row`` re-indexes the whole table for every
row), and :meth:`PathTable.follow` moves the view and the cursor with the rows they were
on, so nothing on screen jumps.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from itertools import zip_longest
from typing import ClassVar

from rich.text import Text
from textual._two_way_dict import TwoWayDict
from textual.binding import Binding, BindingType
from textual.coordinate import Coordinate
from textual.geometry import Size
from textual.widgets import DataTable
from textual.widgets.data_table import CellKey, ColumnKey, Row, RowKey

from efile_tui.api.models import FileEntry

MARK_GLYPH = "●"
WIDTHS = {"mark": 1, "type": 4, "size": 8, "modified": 16}  # the name column takes the rest
COLUMNS = (
    ("mark", ""),
    ("name", "Name"),
    ("type", "Type"),
    ("size", "Size"),
    ("modified", "Modified"),
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def size_text(n: int) -> str:
    """Bytes in at most 8 columns, binary units (``512 B``, ``99.9 KiB``, ``1023 MiB``)."""
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            if unit == "B":
                return f"{int(value)} B"
            return f"{value:.1f} {unit}" if value < 100 else f"{value:.0f} {unit}"
        value /= 1024
    return f"{n} B"  # pragma: no cover - the loop always returns


def visible(name: str) -> str:
    """A file name safe to show on one line (control characters become ``?``)."""
    return _CONTROL.sub("?", name)


def columns(narrow: bool) -> list[tuple[str, str]]:
    """(key, label) of the columns shown; a narrow pane hides type and modified."""
    return [c for c in COLUMNS if not (narrow and c[0] in ("type", "modified"))]


def cell_map(entry: FileEntry | None, marked: bool) -> dict[str, Text]:
    """The cells of an entry's row by column key (None: the ``..`` row)."""
    if entry is None:
        return {"mark": Text(" "), "name": Text("../"), "type": Text("dir")}
    suffix = "/" if entry.is_dir else "@" if entry.is_symlink else ""
    name = visible(entry.name) + suffix
    return {
        "mark": Text(MARK_GLYPH if marked else " "),
        "name": Text(name, style="bold" if marked else "", no_wrap=True, overflow="ellipsis"),
        "type": Text("link" if entry.is_symlink else "dir" if entry.is_dir else "file"),
        "size": Text("" if entry.is_dir else size_text(entry.size), justify="right"),
        "modified": Text((entry.modified or "")[:16]),
    }


def count_text(start: int, held: int, total: int | None) -> str:
    """How much of the folder is held: ``200 of 100,000 loaded``, ``5 entries``…"""
    if total is None:
        return "… entries"
    if start > 0:
        return f"{start + 1:,}–{start + held:,} of {total:,} loaded"
    if held < total:
        return f"{held:,} of {total:,} loaded"
    return f"{total:,} {'entry' if total == 1 else 'entries'}"


def earlier_map(count: int) -> dict[str, Text]:
    """The cells of the first row of a window that starts after ``count`` entries."""
    note = Text(f"↑ {count:,} earlier entries", style="italic", no_wrap=True)
    return {"mark": Text(" "), "name": note}


class PathTable(DataTable[object]):
    """DataTable with file-manager keys (Home/End = first/last row, Enter = open)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Open", id="path.open"),
        Binding("home", "scroll_top", "First", show=False),
        Binding("end", "scroll_bottom", "Last loaded", show=False),
    ]

    def __init__(self, *, id: str | None = None, to_top: Callable[[], bool] | None = None):
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        # Home asks this first; True means the owner fetches the folder's start itself.
        self.to_top = to_top

    def action_scroll_top(self) -> None:
        """Home: the first row, unless the owner has to fetch the folder's first page."""
        if self.to_top is None or not self.to_top():
            super().action_scroll_top()

    def reset(self, shown: Sequence[tuple[str, str]]) -> None:
        """Drop every row and column, then add these (key, label) columns."""
        self.clear(columns=True)
        for key, label in shown:
            head = Text(label, justify="right") if key == "size" else Text(label)
            self.add_column(head, key=key, width=WIDTHS.get(key, 20))

    def fit_name_column(self, width: int) -> None:
        """Give the name column whatever the other columns leave of ``width``."""
        shown = {key.value for key in self.columns}
        pad = 2 * self.cell_padding
        fixed = sum(w + pad for k, w in WIDTHS.items() if k in shown)
        gutter = self.styles.scrollbar_size_vertical
        self.set_column_width("name", max(8, width - fixed - gutter - pad))

    def set_column_width(self, key: str, width: int) -> None:
        """Give a column a fixed width (DataTable 8.2 has no public call for this)."""
        column = self.columns.get(ColumnKey(key))
        if column is None or (column.width == width and not column.auto_width):
            return
        column.width, column.auto_width = width, False
        # The same bookkeeping add_column does: new geometry, then drop cached renders.
        self._require_update_dimensions = True
        self._clear_caches()
        self.check_idle()
        self.refresh()

    def index_of(self, key: str) -> int | None:
        """The index of the row with this key (None when not held)."""
        return self._row_locations.get(RowKey(key))

    def focus_rows(self) -> tuple[int, int]:
        """First and last row the user is at: the view, and the cursor when near it.

        A cursor left far behind by the mouse wheel does not count, so a window of rows
        follows the view instead of bouncing between the two.
        """
        top = int(self.scroll_y)
        height = self.scrollable_content_region.height
        bottom, cursor = top + height, self.cursor_row
        if top - height <= cursor <= bottom + height:
            return min(top, cursor), max(bottom, cursor)
        return top, bottom

    def set_rows(
        self,
        keys: Sequence[str],
        cells: Callable[[str], Iterable[Text]],
        *,
        anchor: str | None = None,
    ) -> None:
        """Hold exactly the rows ``keys``, in that order; ``cells`` makes the missing ones.

        Rows already held keep their cells. The view and the cursor move as far as the row
        ``anchor`` (one held before and after) moved, so they stay on the same rows.
        """
        was = None if anchor is None else self.index_of(anchor)
        wanted = set(keys)
        # The same bookkeeping as DataTable.remove_row / add_row / sort, done once.
        for row_key in [k for k in self.rows if k.value not in wanted]:
            for column_key in self._data[row_key]:
                self._updated_cells.discard(CellKey(row_key, column_key))
            self._new_rows.discard(row_key)
            del self.rows[row_key]
            del self._data[row_key]
        columns = self.ordered_columns
        for key in keys:
            row_key = RowKey(key)
            if row_key in self.rows:
                continue
            values = zip_longest(columns, cells(key))
            self._data[row_key] = {column.key: cell for column, cell in values if column}
            self.rows[row_key] = Row(row_key, 1)
            self._new_rows.add(row_key)
        self._row_locations = TwoWayDict({RowKey(k): i for i, k in enumerate(keys)})
        self._require_update_dimensions = True
        self._update_count += 1
        self.check_idle()
        self.refresh(layout=True)
        now = None if anchor is None else self.index_of(anchor)
        self.follow(now - was if now is not None and was is not None else 0)

    def follow(self, shift: int) -> None:
        """Rows moved by ``shift`` places: move the view and the cursor with them.

        The cursor is set without its watcher, which would scroll it into view: a view
        moved away from the cursor with the mouse wheel stays where it is.
        """
        header = self.header_height if self.show_header else 0
        # Every row is one line high, so the height is known without a measuring pass.
        self.virtual_size = Size(self.virtual_size.width, self.row_count + header)
        if shift:
            y = max(0, min(self.scroll_y + shift, self.max_scroll_y))
            self.scroll_target_y = self.scroll_y = y
        last = max(0, self.row_count - 1)
        row, column = self.cursor_coordinate
        cursor = Coordinate(min(max(0, row + shift), last), column)
        self.set_reactive(DataTable.cursor_coordinate, cursor)
        hover_row, hover_column = self.hover_coordinate
        hover = Coordinate(min(hover_row, last), hover_column)
        self.set_reactive(DataTable.hover_coordinate, hover)
        self.refresh()
