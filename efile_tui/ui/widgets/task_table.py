"""The live task table: one row per task id, updated cell by cell.

The table mirrors a ``TaskView`` (the UI-free model): ``sync()`` adds, removes and
updates only what differs, and restores the cursor to the same task after a re-sort.

Kept cheap at 10,000 rows (``bench/table.py``):

- Rows out of sight are brought up to date only when they come into view (``render_lines``)
  or are read (``get_cell``, ``get_row``, ``get_column``); until then they are listed in
  ``_stale``. A poll that moves 500 progress bars updates the few rows on screen.
- A changed row repaints its own line, not the whole table (``update_cell`` repaints all).
- The DataTable's row order and line offsets, which it rebuilds from every row after any
  cell update, are kept until rows are added, removed or re-sorted.
- Hiding many rows at once empties the table and adds the rest back, instead of removing
  rows one by one (DataTable re-indexes every remaining row on each removal).

Every row is one line high, which keeps the line arithmetic above exact.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.color import Color
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, Row, RowKey

from efile_tui.core.taskview import (
    OUTCOME_UNKNOWN,
    REJECTED,
    SORT_KEYS,
    SUBMITTING,
    TaskRow,
    TaskView,
)
from efile_tui.ui.format import human_size, shorten_left
from efile_tui.ui.messages import CancelRequested, CopyText, DismissRequested

STATUS_GLYPH = {
    "waiting": "…",
    "processing": "▶",
    "complete": "✓",
    "fail": "✗",
    "cancel": "⊘",
    OUTCOME_UNKNOWN: "?",
    REJECTED: "✗",
    SUBMITTING: "↑",
    "unknown": "?",
}

# (key, label, width); None width = shares the space left over.
COLUMNS: list[tuple[str, str, int | None]] = [
    ("mark", " ", 1),
    ("id", "id", 8),
    ("op", "op", 6),
    ("status", "status", 15),
    ("progress", "progress", 18),
    ("source", "source", None),
    ("target", "target", None),
    ("submitted", "submitted", 11),
    ("updated", "updated", 8),
    ("error", "error", 24),
]
# Optional columns, most wanted first; each is shown only while the paths keep room.
OPTIONAL = ("target", "error", "submitted", "updated")
MIN_PATH_WIDTH = 28


@dataclass(frozen=True)
class _Look:
    """What the cells of every row depend on besides the row itself."""

    columns: tuple[str, ...]
    marked_style: str
    colours: dict[str, str | None]
    source_width: int
    target_width: int


@dataclass(frozen=True)
class KeyCell:
    """A renderable cell that also carries its row's key (used to order rows)."""

    key: str
    text: Text

    def __rich__(self) -> Text:
        return self.text


class TaskTable(DataTable[object]):
    """DataTable of tasks with marks kept in the view, keyed by task id."""

    BINDINGS = [
        Binding("space", "toggle_mark", "Mark"),
        Binding("shift+down", "mark_down", "Mark ↓", show=False),
        Binding("shift+up", "mark_up", "Mark ↑", show=False),
        Binding("v", "mark_range", "Range", show=False),
        Binding("a", "mark_all", "Mark all"),
        Binding("i", "invert_marks", "Invert", show=False),
        Binding("u", "clear_marks", "Unmark", show=False),
        Binding("c", "cancel_marked", "Cancel tasks"),
        Binding("s", "cycle_sort", "Sort"),
        Binding("S", "reverse_sort", "Reverse", show=False),
        Binding("y", "copy_id", "Copy id", show=False),
        Binding("x", "dismiss", "Dismiss", show=False),
        Binding("home", "scroll_top", "First", show=False),
        Binding("end", "scroll_bottom", "Last", show=False),
    ]

    # Set at class level: DataTable.__init__ already reads ordered_rows.
    _row_repaint_only = False
    # Row order and line offsets, valid for the row layout ``_layout_for`` (ordered_rows).
    _layout_for: object = None
    _ordered: list[Row] = []
    _offsets: list[tuple[RowKey, int]] | None = None

    def __init__(self, view: TaskView, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self.view = view
        # The cells of each shown row (the very objects the DataTable holds).
        self._shown: dict[str, tuple[object, ...]] = {}
        self._order: list[str] = []
        self._anchor: str | None = None
        self._column_set: tuple[str, ...] = ()
        # (theme name, marked-row style, status → colour), worked out once per theme.
        self._theme_look: tuple[str, str, dict[str, str | None]] = ("", "", {})
        # Shown rows whose cells are behind the view: rows out of sight are brought up to
        # date when they come into view (render_lines) or are read (get_cell, ...).
        self._stale: set[str] = set()

    def on_mount(self) -> None:
        self._build_columns(self._columns_for(self.size.width))

    @staticmethod
    def _columns_for(width: int) -> tuple[str, ...]:
        """The columns that fit ``width``: optional ones while paths keep enough room."""
        keys = [k for k, _, _ in COLUMNS if k not in OPTIONAL]

        def path_room(chosen: list[str]) -> int:
            fixed = sum((w or 0) + 2 for k, _, w in COLUMNS if k in chosen and w is not None)
            flex = sum(1 for k, _, w in COLUMNS if k in chosen and w is None)
            return (width - fixed - 2 * flex - 1) // max(1, flex)

        for extra in OPTIONAL:
            if path_room([*keys, extra]) >= MIN_PATH_WIDTH:
                keys.append(extra)
        return tuple(k for k, _, _ in COLUMNS if k in keys)

    def _build_columns(self, keys: tuple[str, ...]) -> None:
        self._column_set = keys
        for key, label, width in COLUMNS:
            if key in keys:
                self.add_column(label, key=key, width=width or 20)
        self._fit_columns()

    def on_resize(self) -> None:
        keys = self._columns_for(self.size.width)
        if self._column_set and keys != self._column_set:
            cursor = self.cursor_key
            self.clear(columns=True)
            self._shown.clear()
            self._stale.clear()
            self._order = []
            self._build_columns(keys)
            self.sync()
            self._restore_cursor(cursor)
        else:
            self._fit_columns()

    def _fit_columns(self) -> None:
        """Give the path columns the width the fixed columns leave free."""
        fixed = sum((w or 0) + 2 for k, _, w in COLUMNS if k in self.columns and w is not None)
        flex = [k for k, _, w in COLUMNS if w is None and k in self.columns]
        free = max(12 * len(flex), self.size.width - fixed - 2 * len(flex) - 1)
        for key in flex:
            self.columns[ColumnKey(key)].width = free // len(flex)
        self.refresh()

    # -- syncing with the view -----------------------------------------------------------

    @property
    def cursor_key(self) -> str | None:
        """The key (task id) of the row under the cursor."""
        if not self.row_count:
            return None
        try:
            row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        except Exception:
            return None
        return str(row_key.value) if row_key.value is not None else None

    def sync(self, changed: Iterable[str] | None = None) -> None:
        """Make the table show the view's visible rows; only differing cells are touched.

        ``changed``: keys whose rows may show something new (None: every row).
        """
        visible = self.view.visible_keys()
        # Same keys in the same order: no row comes, goes or moves (``_shown`` always holds
        # exactly the keys of ``_order``), so only the changed rows need a look.
        if visible != self._order:
            cursor = self.cursor_key
            wanted = set(visible)
            gone = [k for k in self._shown if k not in wanted]
            # DataTable re-indexes every remaining row on each remove_row: hiding 10,000
            # rows one by one takes a minute. Past a point, starting over is far cheaper.
            rebuild = len(gone) * len(self._shown) > 300 * len(visible)
            if rebuild:
                self.clear()
                self._shown.clear()
                self._stale.clear()
            for key in [] if rebuild else gone:
                self.remove_row(key)
                del self._shown[key]
                self._stale.discard(key)
            look = self._look()
            for key in visible:
                if key not in self._shown:
                    cells = self._cells(key, self._texts(self.view.rows[key], look))
                    self.add_row(*cells, key=key)
                    self._shown[key] = cells
            rank = {k: i for i, k in enumerate(visible)}
            self.sort("mark", key=lambda cell: rank[cell.key])
            self._order = visible
            self._restore_cursor(cursor, scroll=rebuild)
        self._stale.update(
            self._shown if changed is None else (k for k in changed if k in self._shown)
        )
        self._freshen_near_view()

    def _restore_cursor(self, key: str | None, *, scroll: bool = False) -> None:
        if key is not None and key in self._shown:
            self.move_cursor(row=self.get_row_index(key), animate=False, scroll=scroll)

    # -- bringing rows up to date: those in view now, the others when they come into view --

    def _freshen_near_view(self) -> None:
        """Bring the stale rows in view (and a page either side) up to date, repainted."""
        if not self._stale:
            return
        height = max(1, self.size.height)
        first = max(0, self.scroll_offset.y - height)
        last = self.scroll_offset.y + 2 * height  # row indices, a page of margin both sides
        if len(self._stale) <= last - first:
            keys = [k for k in self._stale if first <= self.get_row_index(k) <= last]
        else:
            keys = [k for row in self.ordered_rows[first : last + 1] if (k := row.key.value)]
            keys = [k for k in keys if k in self._stale]
        self._freshen(keys)

    def _freshen(self, keys: Iterable[str]) -> None:
        """Bring the stale rows among ``keys`` up to date and repaint those in view."""
        look = self._look()
        done = []
        for key in keys:
            if key in self._stale and key in self.view.rows:
                self._stale.discard(key)
                if self._update_row(key, look):
                    done.append(key)
        self._repaint_rows(done)

    def render_lines(self, crop: Region) -> list[Strip]:
        """Render, after bringing any stale row that scrolled into view up to date."""
        self._freshen_near_view()
        return super().render_lines(crop)

    def get_cell(self, row_key: RowKey | str, column_key: ColumnKey | str) -> object:
        """DataTable.get_cell, with the row brought up to date first."""
        self._freshen([_key_text(row_key)])
        return super().get_cell(row_key, column_key)

    def get_row(self, row_key: RowKey | str) -> list[object]:
        """DataTable.get_row, with the row brought up to date first."""
        self._freshen([_key_text(row_key)])
        return super().get_row(row_key)

    def get_column(self, column_key: ColumnKey | str) -> Iterable[object]:
        """DataTable.get_column, with every row brought up to date first."""
        self._freshen(list(self._stale))
        return super().get_column(column_key)

    def _update_row(self, key: str, look: _Look) -> bool:
        """Bring the cells of row ``key`` up to date; True when anything shown changed."""
        cells = list(self._shown[key])
        changed = False
        self._row_repaint_only = True  # see refresh(): the caller repaints this row's line
        try:
            texts = self._texts(self.view.rows[key], look)
            for i, (column, now) in enumerate(zip(self._column_set, texts, strict=True)):
                if now != _signature(cells[i]):
                    cells[i] = self._cell(key, column, *now)
                    self.update_cell(key, column, cells[i], update_width=False)
                    changed = True
        finally:
            self._row_repaint_only = False
        if changed:
            self._shown[key] = tuple(cells)
        return changed

    def _repaint_rows(self, keys: list[str]) -> None:
        """Repaint the lines of the rows ``keys`` that are scrolled into view."""
        if not keys:
            return
        # Rows are one line high: row i is line i of the rows, below the header.
        top = self.header_height if self.show_header else 0
        first = self.scroll_offset.y
        last = first + self.size.height - 1  # the lines in view, header included
        width = max(self.size.width, self.virtual_size.width)
        for key in keys:
            y = self.get_row_index(key) + top
            if first <= y <= last:
                super().refresh(Region(0, y - first, width, 1))

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> TaskTable:
        """Widget.refresh, except that the whole-table repaint ``update_cell`` asks for is
        skipped while ``_update_row`` repaints just the row it changed."""
        if self._row_repaint_only and not (regions or layout or recompose):
            return self
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    # -- row layout cache ----------------------------------------------------------------

    @property
    def ordered_rows(self) -> list[Row]:
        """The rows in display order, kept until rows are added, removed or re-sorted.

        DataTable rebuilds this list (and ``_y_offsets``) from every row after any cell
        update; a cell update cannot change it here. Adding a row changes the row count;
        removing, sorting and clearing install a new ``_row_locations`` mapping.
        """
        layout = self._row_locations
        if self._layout_for is not layout or len(self._ordered) != self.row_count:
            self._ordered = super().ordered_rows
            self._layout_for = layout
            self._offsets = None
        return self._ordered

    @property
    def _y_offsets(self) -> list[tuple[RowKey, int]]:
        """(row key, line within the row) per line, cached with ``ordered_rows``."""
        rows = self.ordered_rows
        if self._offsets is None:
            self._offsets = [(row.key, y) for row in rows for y in range(row.height)]
        return self._offsets

    def refresh_marks(self, keys: Iterable[str] | None = None) -> None:
        """Re-render rows whose mark changed (all shown rows when ``keys`` is None)."""
        self._stale.update(self._shown if keys is None else (k for k in keys if k in self._shown))
        self._freshen_near_view()

    def _look(self) -> _Look:
        """What every row's cells depend on besides the row: columns, widths, theme."""
        theme = self.app.current_theme
        if self._theme_look[0] != theme.name:
            tint = Color.parse(theme.accent or "#ffa62b")
            background = tint.blend(Color.parse(theme.background or "#000000"), 0.7).hex
            colours = {
                "processing": theme.warning,
                "complete": theme.success,
                "fail": theme.error,
                REJECTED: theme.error,
                OUTCOME_UNKNOWN: theme.error,
                "cancel": theme.accent,
            }
            # Marked rows: the glyph, bold text and a tinted background (never colour alone).
            self._theme_look = (theme.name, f"bold on {background}", colours)
        _, marked_style, colours = self._theme_look
        return _Look(
            self._column_set, marked_style, colours, self._width("source"), self._width("target")
        )

    def _texts(self, row: TaskRow, look: _Look) -> tuple[tuple[str, str], ...]:
        """What ``row`` shows in each visible column, as (text, style)."""
        marked = row.key in self.view.marks
        base = look.marked_style if marked else ""
        texts = {
            "mark": "●" if marked else " ",
            "id": (row.task_id or "—")[:8],
            "op": row.operation[:6],
            "progress": _progress(row),
            "source": shorten_left(row.source, look.source_width),
            "target": shorten_left(row.target, look.target_width),
            "submitted": row.submitted_text[5:16],
            "updated": row.updated_text[11:19],
            "error": row.error,
        }
        return tuple(
            _status_text(row, base, look.colours) if column == "status" else (texts[column], base)
            for column in look.columns
        )

    @staticmethod
    def _cell(key: str, column: str, text: str, style: str) -> object:
        """The DataTable cell for one (text, style); the mark cell also carries the key."""
        cell = Text(text, style=style)
        return KeyCell(key, cell) if column == "mark" else cell

    def _cells(self, key: str, shown: tuple[tuple[str, str], ...]) -> tuple[object, ...]:
        return tuple(
            self._cell(key, column, text, style)
            for column, (text, style) in zip(self._column_set, shown, strict=True)
        )

    def _width(self, key: str) -> int:
        column = self.columns.get(ColumnKey(key))
        return column.width if column else 20

    # -- actions ---------------------------------------------------------------------

    def _visible(self) -> list[str]:
        return self._order

    def action_toggle_mark(self) -> None:
        """Mark or unmark the task under the cursor, then move down."""
        key = self.cursor_key
        if key is None:
            return
        self.view.toggle_mark(key)
        self._anchor = key
        self.refresh_marks([key])
        self.action_cursor_down()
        self._changed()

    def _mark_and_move(self, step: int) -> None:
        key = self.cursor_key
        if key is None:
            return
        self.view.mark([key])
        self._anchor = self._anchor or key
        self.refresh_marks([key])
        self.move_cursor(row=self.cursor_row + step)
        self._changed()

    def action_mark_down(self) -> None:
        """Mark the current row and move down (range marking)."""
        self._mark_and_move(1)

    def action_mark_up(self) -> None:
        """Mark the current row and move up (range marking)."""
        self._mark_and_move(-1)

    def action_mark_range(self) -> None:
        """Mark every row between the last marked one and the cursor."""
        key = self.cursor_key
        if key is None:
            return
        order = self._visible()
        start = order.index(self._anchor) if self._anchor in order else self.cursor_row
        lo, hi = sorted((start, self.cursor_row))
        keys = order[lo : hi + 1]
        self.view.mark(keys)
        self.refresh_marks(keys)
        self._changed()

    def action_mark_all(self) -> None:
        """Mark every task that matches the filter."""
        keys = self._visible()
        self.view.mark(keys)
        self.refresh_marks(keys)
        self._changed()

    def action_invert_marks(self) -> None:
        """Invert the marks of the tasks that match the filter."""
        keys = self._visible()
        self.view.invert(keys)
        self.refresh_marks(keys)
        self._changed()

    def action_clear_marks(self) -> None:
        """Unmark every task, including those hidden by the filter."""
        keys = list(self.view.marks)
        self.view.clear_marks()
        self.refresh_marks(keys)
        self._changed()

    def action_cancel_marked(self) -> None:
        """Ask to cancel the marked tasks (or the one under the cursor)."""
        ids = self.view.cancellable_marked()
        if not self.view.marks:
            key = self.cursor_key
            row = self.view.rows.get(key) if key else None
            ids = [row.task_id] if row and row.cancellable and row.task_id else []
        self.post_message(CancelRequested(ids))

    def action_cycle_sort(self) -> None:
        """Sort by the next column (submitted → status → operation → source → …)."""
        i = SORT_KEYS.index(self.view.sort_key)
        self.view.sort_key = SORT_KEYS[(i + 1) % len(SORT_KEYS)]
        self.sync()
        self._changed()

    def action_reverse_sort(self) -> None:
        """Reverse the sort order."""
        self.view.reverse = not self.view.reverse
        self.sync()
        self._changed()

    def action_dismiss(self) -> None:
        """Hide the marked finished rows (or the one under the cursor), e.g. a checked
        "outcome unknown"; running tasks stay."""
        keys = list(self.view.marks) or ([self.cursor_key] if self.cursor_key else [])
        keys = [k for k in keys if self.view.rows[k].is_final or not self.view.rows[k].task_id]
        if keys:
            self.post_message(DismissRequested(keys))

    def action_copy_id(self) -> None:
        """Copy the task id under the cursor."""
        key = self.cursor_key
        row = self.view.rows.get(key) if key else None
        if row and row.task_id:
            self.post_message(CopyText(row.task_id, "task id"))

    def _changed(self) -> None:
        self.post_message(self.Changed())

    class Changed(Message):
        """Marks or sort changed: the info line should be redrawn."""


def _signature(cell: object) -> tuple[str, str]:
    """What a cell shows: text and style (rich's Text equality ignores the style)."""
    text = cell.text if isinstance(cell, KeyCell) else cell
    if isinstance(text, Text):
        return text.plain, str(text.style)
    return str(text), ""


def _key_text(key: RowKey | str) -> str:
    return key if isinstance(key, str) else str(key.value)


def _status_text(row: TaskRow, base: str, colours: dict[str, str | None]) -> tuple[str, str]:
    """The status cell: glyph and label, coloured by status on top of ``base``."""
    colour = colours.get(row.status)
    label = row.status
    if row.cancelling:
        label = "cancelling…"
    if row.expired:
        label = f"{row.status} (expired)"
    glyph = STATUS_GLYPH.get(row.status, "?")
    style = f"{base} {colour}" if colour else base
    return f"{glyph} {label}", style.strip()


def _progress(row: TaskRow) -> str:
    pct = row.percent
    parts = []
    if pct is not None:
        filled = round(pct / 20)
        parts.append("▰" * filled + "▱" * (5 - filled) + f" {pct:3.0f}%")
    if row.total_num:
        parts.append(f"{row.processed_num}/{row.total_num}")
    elif row.total_size:
        parts.append(human_size(row.total_size))
    return " ".join(parts)


__all__ = ["KeyCell", "RowKey", "TaskTable"]
