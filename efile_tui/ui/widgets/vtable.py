"""A table that renders only the rows in view, on Textual's public Line API.

``VirtualTable`` holds nothing per row but its key: the rows are a list of keys, and each
line is rendered on demand (``render_line``) from ``row_cells(key)``, which subclasses
answer from their model. Showing 100,000 rows costs one list of keys; a row whose values
changed is repainted by refreshing its one line. Column widths are fixed and given by the
owner (``set_columns``); text is fitted to them by terminal cells, so wide (CJK) and emoji
characters are counted right, and every cell is shown literally (control characters made
visible, never markup).

Keys: arrows, PageUp/PageDown, Home/End, Enter (``RowSelected``). Mouse: the wheel
scrolls, a click moves the cursor, a click on the cursor row selects it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from efile_tui import glyphs
from efile_tui.core import cells
from efile_tui.core.text import clean
from efile_tui.i18n import N_

Elide = Literal["end", "start", "middle"]
PAD = 1  # blank cells either side of every column
HEADER = "virtual-table--header"


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its key, header label, width in cells, alignment and elision."""

    key: str
    label: str
    width: int
    justify: Literal["left", "right"] = "left"
    elide: Elide = "end"


# A cell: its text, and the name of a component class styling it ("" for none).
Cell = tuple[str, str]


def fit(text: str, width: int, *, justify: str = "left", elide: Elide = "end") -> str:
    """``text`` as exactly ``width`` terminal cells: padded, or shortened with ``…``.

    ``elide`` says where a long text loses its characters: at the end, at the start
    (``…/run-7/out``) or in the middle (``/public/ho…/out``).
    """
    if width <= 0:
        return ""
    short = cells.elide(text, width, elide, ellipsis=glyphs.current().ellipsis)
    return cells.pad(short, width, justify="right" if justify == "right" else "left")


class VirtualTable(ScrollView, can_focus=True):
    """A keyed table rendered line by line; subclasses supply ``row_cells``."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "virtual-table--header",
        "virtual-table--cursor",
        "virtual-table--marked",
    }
    DEFAULT_CSS = """
    VirtualTable {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-gutter: stable;
        & > .virtual-table--header { text-style: bold; background: $panel; color: $foreground; }
        &:ansi > .virtual-table--header { background: ansi_bright_blue; color: ansi_default; }
        & > .virtual-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .virtual-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .virtual-table--marked { text-style: bold; background: $accent 30%; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", N_("Up"), show=False),
        Binding("down", "cursor_down", N_("Down"), show=False),
        Binding("pageup", "page_up", N_("Page up"), show=False),
        Binding("pagedown", "page_down", N_("Page down"), show=False),
        Binding("home,ctrl+home", "first_row", N_("First"), show=False),
        Binding("end,ctrl+end", "last_row", N_("Last"), show=False),
        Binding("enter", "select_row", N_("Select"), show=False),
    ]

    @dataclass
    class RowHighlighted(Message):
        """The cursor moved to row ``row`` (key ``key``)."""

        table: VirtualTable
        row: int
        key: str | None

        @property
        def control(self) -> VirtualTable:
            """The table that sent this."""
            return self.table

    @dataclass
    class RowSelected(Message):
        """Enter (or a click on the cursor row) on row ``row`` (key ``key``)."""

        table: VirtualTable
        row: int
        key: str | None

        @property
        def control(self) -> VirtualTable:
            """The table that sent this."""
            return self.table

    def __init__(self, *, id: str | None = None, show_header: bool = True) -> None:
        super().__init__(id=id)
        self.show_header = show_header
        self.table_columns: tuple[Column, ...] = ()
        self.row_keys: Sequence[str] = ()
        self.cursor_row = 0
        self.pass_styles: dict[str, Style] | None = None  # styles of a rendering pass

    # -- what subclasses supply ---------------------------------------------------------

    def row_cells(self, key: str) -> Sequence[Cell]:
        """The cells of row ``key``, one per column, as (text, component class)."""
        return [("", "")] * len(self.table_columns)

    def row_marked(self, key: str) -> bool:
        """True when row ``key`` is drawn in the marked style."""
        return False

    # -- rows and columns -----------------------------------------------------------------

    @property
    def header_height(self) -> int:
        """Lines above the rows (the header row, when shown)."""
        return 1 if self.show_header else 0

    @property
    def row_count(self) -> int:
        """How many rows the table holds."""
        return len(self.row_keys)

    @property
    def cursor_key(self) -> str | None:
        """The key of the row under the cursor (None when the table is empty)."""
        return self.key_at(self.cursor_row)

    def key_at(self, row: int) -> str | None:
        """The key of row ``row`` (None outside the table)."""
        return self.row_keys[row] if 0 <= row < len(self.row_keys) else None

    def get_row_index(self, key: str) -> int:
        """The row of ``key``; KeyError when the table does not hold it."""
        index = self.index_of(key)
        if index is None:
            raise KeyError(key)
        return index

    def index_of(self, key: str) -> int | None:
        """The row of ``key``, or None."""
        try:
            return self.row_keys.index(key)  # one pass in C: ~1 ms for 100,000 rows
        except ValueError:
            return None

    def get_row_at(self, row: int) -> list[str]:
        """The texts of row ``row``'s cells (before fitting to the columns)."""
        return [text for text, _ in self.row_cells(self.row_keys[row])]

    def set_columns(self, columns: Sequence[Column]) -> None:
        """Show these columns (widths in cells, without the padding)."""
        columns = tuple(columns)
        if columns != self.table_columns:
            self.table_columns = columns
            self.update_virtual_size()
            self.refresh()

    def set_rows(self, keys: Sequence[str], *, keep: str | None = None, shift: int = 0) -> None:
        """Hold exactly the rows ``keys``, in that order.

        The cursor stays on the row ``keep`` when it is still held (else it keeps its row
        number, clamped); ``shift`` moves the view by that many rows with its rows (a page
        added above them), so nothing on screen jumps.
        """
        self.row_keys = keys
        self.update_virtual_size()
        row = self.index_of(keep) if keep is not None else None
        if shift:
            self.scroll_to(y=max(0, self.scroll_offset.y + shift), animate=False, immediate=True)
        self.move_cursor(self.cursor_row + shift if row is None else row, scroll=row is not None)
        self.refresh()

    def update_virtual_size(self) -> None:
        """The scrollable size: every row plus the header; as wide as the view."""
        width = sum(c.width + 2 * PAD for c in self.table_columns)
        self.virtual_size = Size(width, len(self.row_keys) + self.header_height)

    def refresh_rows(self, keys: Sequence[str] | None = None) -> None:
        """Repaint the rows ``keys`` (every row when None) that are in view."""
        if keys is None:
            self.refresh()
            return
        wanted = set(keys)
        top, bottom = self.rows_in_view()
        for row in range(top, min(bottom + 1, len(self.row_keys))):
            if self.row_keys[row] in wanted:
                self.repaint_line(row + self.header_height)

    def repaint_line(self, y: int) -> None:
        """Repaint line ``y`` of the content (the header is line 0 and never scrolls)."""
        self.refresh_line(y + int(self.scroll_offset.y) if y < self.header_height else y)

    # -- the cursor --------------------------------------------------------------------

    def move_cursor(self, row: int, *, scroll: bool = True) -> None:
        """Put the cursor on ``row`` (clamped) and scroll it into view."""
        row = max(0, min(row, len(self.row_keys) - 1))
        old, self.cursor_row = self.cursor_row, row
        if scroll:
            self.scroll_to_row(row)
        if old != row:
            self.repaint_line(old + self.header_height)
            self.repaint_line(row + self.header_height)
        self.post_message(self.RowHighlighted(self, row, self.key_at(row)))

    def scroll_to_row(self, row: int) -> None:
        """Scroll the least distance that shows ``row``."""
        top = int(self.scroll_offset.y)
        height = max(1, self.scrollable_content_region.height - self.header_height)
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False, immediate=True)

    def rows_in_view(self) -> tuple[int, int]:
        """First and last row index in view (the last may be past the end)."""
        top = int(self.scroll_offset.y)
        return top, top + max(1, self.scrollable_content_region.height - self.header_height) - 1

    def action_cursor_up(self) -> None:
        """Move the cursor up a row."""
        self.move_cursor(self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        """Move the cursor down a row."""
        self.move_cursor(self.cursor_row + 1)

    def action_page_up(self) -> None:
        """Move the cursor and the view up a page."""
        page = max(1, self.scrollable_content_region.height - self.header_height)
        self.scroll_to(y=max(0, self.scroll_offset.y - page), animate=False, immediate=True)
        self.move_cursor(self.cursor_row - page)

    def action_page_down(self) -> None:
        """Move the cursor and the view down a page."""
        page = max(1, self.scrollable_content_region.height - self.header_height)
        self.scroll_to(y=self.scroll_offset.y + page, animate=False, immediate=True)
        self.move_cursor(self.cursor_row + page)

    def action_first_row(self) -> None:
        """Go to the first row."""
        self.move_cursor(0)

    def action_last_row(self) -> None:
        """Go to the last row."""
        self.move_cursor(len(self.row_keys) - 1)

    def action_select_row(self) -> None:
        """Say that the cursor row was chosen (Enter)."""
        if self.row_keys:
            self.post_message(self.RowSelected(self, self.cursor_row, self.cursor_key))

    def on_click(self, event: events.Click) -> None:
        """A click moves the cursor to the row; a click on the cursor row selects it."""
        offset = event.get_content_offset(self)
        if offset is None or offset.y < self.header_height:
            return
        row = int(self.scroll_offset.y) + offset.y - self.header_height
        if 0 <= row < len(self.row_keys):
            if row == self.cursor_row:
                self.action_select_row()
            else:
                self.move_cursor(row)

    def on_focus(self) -> None:
        """The cursor row changes colour with focus."""
        self.refresh()

    def on_blur(self) -> None:
        """The cursor row changes colour with focus."""
        self.refresh()

    # -- rendering ----------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        """Render the lines in ``crop``; styles are looked up once per pass, not per line."""
        self.pass_styles = {}
        try:
            return super().render_lines(crop)
        finally:
            self.pass_styles = None

    def style_of(self, name: str) -> Style:
        """The widget's style (``""``) or a component class's partial style, cached for the
        rendering pass under way."""
        cache = self.pass_styles
        if cache is not None and name in cache:
            return cache[name]
        if name:
            style = self.get_component_rich_style(name, partial=name != HEADER)
        else:
            style = self.rich_style
        if cache is not None:
            cache[name] = style
        return style

    def render_line(self, y: int) -> Strip:
        """Line ``y`` of the view: the header, a row, or blank below the last row."""
        width = self.scrollable_content_region.width
        base = self.style_of("")
        if y < self.header_height:
            cells = [(c.label, "") for c in self.table_columns]
            return self.strip(cells, width, base + self.style_of(HEADER))
        row = int(self.scroll_offset.y) + y - self.header_height
        if row >= len(self.row_keys):
            return Strip.blank(width, base)
        key = self.row_keys[row]
        style = base
        if self.row_marked(key):
            style += self.style_of("virtual-table--marked")
        cursor = row == self.cursor_row
        if cursor:
            style += self.style_of("virtual-table--cursor")
        return self.strip(self.row_cells(key), width, style, cursor=cursor)

    def strip(
        self, cells: Sequence[Cell], width: int, style: Style, *, cursor: bool = False
    ) -> Strip:
        """One line of cells fitted to the columns, padded to ``width``; neighbouring cells
        of the same style make one segment."""
        segments = []
        pad = " " * PAD
        run: list[str] = []
        run_style = style
        used = 0
        for column, (text, klass) in zip(self.table_columns, cells, strict=False):
            cell_style = style + self.style_of(klass) if klass and not cursor else style
            if cell_style is not run_style and run:
                segments.append(Segment("".join(run), run_style))
                run = []
            run_style = cell_style
            run.append(
                pad
                + fit(clean(text), column.width, justify=column.justify, elide=column.elide)
                + pad
            )
            used += column.width + 2 * PAD
        if run:
            segments.append(Segment("".join(run), run_style))
        if used < width:
            segments.append(Segment(" " * (width - used), style))
            return Strip(segments, width)
        return Strip(segments, used).crop(0, width)


__all__ = ["Cell", "Column", "VirtualTable", "fit"]
