"""The live task table: one row per task id, updated cell by cell, never rebuilt.

The table mirrors a ``TaskView`` (the UI-free model): ``sync()`` adds, removes and
updates only what differs, and restores the cursor to the same task after a re-sort.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.color import Color
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

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

    def __init__(self, view: TaskView, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self.view = view
        self._shown: dict[str, tuple[object, ...]] = {}
        self._order: list[str] = []
        self._anchor: str | None = None
        self._column_set: tuple[str, ...] = ()

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
        """Make the table show the view's visible rows; only differing cells are touched."""
        visible = self.view.visible_keys()
        wanted = set(visible)
        cursor = self.cursor_key
        for key in [k for k in self._shown if k not in wanted]:
            self.remove_row(key)
            del self._shown[key]
        check = self._shown.keys() if changed is None else [k for k in changed if k in self._shown]
        for key in list(check):
            self._update_row(key)
        for key in visible:
            if key not in self._shown:
                cells = self._cells(self.view.rows[key])
                self.add_row(*cells, key=key)
                self._shown[key] = cells
        if visible != self._order:
            rank = {k: i for i, k in enumerate(visible)}
            self.sort("mark", key=lambda cell: rank[cell.key])
            self._order = visible
            self._restore_cursor(cursor)

    def _restore_cursor(self, key: str | None) -> None:
        if key is not None and key in self._shown:
            self.move_cursor(row=self.get_row_index(key), animate=False, scroll=False)

    def _update_row(self, key: str) -> None:
        cells = self._cells(self.view.rows[key])
        old = self._shown[key]
        for (col, _, _), new, before in zip(self._visible_columns(), cells, old, strict=True):
            if _signature(new) != _signature(before):
                self.update_cell(key, col, new, update_width=False)
        self._shown[key] = cells

    def refresh_marks(self, keys: Iterable[str] | None = None) -> None:
        """Re-render rows whose mark changed (all shown rows when ``keys`` is None)."""
        for key in list(self._shown) if keys is None else keys:
            if key in self._shown:
                self._update_row(key)

    def _visible_columns(self) -> list[tuple[str, str, int | None]]:
        return [c for c in COLUMNS if ColumnKey(c[0]) in self.columns]

    def _cells(self, row: TaskRow) -> tuple[object, ...]:
        marked = row.key in self.view.marks
        # Marked rows: the glyph, bold text and a tinted background (never colour alone).
        base = f"bold on {self._mark_background()}" if marked else ""
        values: dict[str, object] = {
            "mark": KeyCell(row.key, Text("●" if marked else " ", style=base)),
            "id": Text((row.task_id or "—")[:8], style=base),
            "op": Text(row.operation[:6], style=base),
            "status": self._status_text(row, base),
            "progress": Text(_progress(row), style=base),
            "source": Text(shorten_left(row.source, self._width("source")), style=base),
            "target": Text(shorten_left(row.target, self._width("target")), style=base),
            "submitted": Text(row.submitted_text[5:16], style=base),
            "updated": Text(row.updated_text[11:19], style=base),
            "error": Text(row.error, style=base),
        }
        return tuple(values[c[0]] for c in self._visible_columns())

    def _mark_background(self) -> str:
        theme = self.app.current_theme
        tint = Color.parse(theme.accent or "#ffa62b")
        return tint.blend(Color.parse(theme.background or "#000000"), 0.7).hex

    def _width(self, key: str) -> int:
        column = self.columns.get(ColumnKey(key))
        return column.width if column else 20

    def _status_text(self, row: TaskRow, base: str) -> Text:
        theme = self.app.current_theme
        colour = {
            "processing": theme.warning,
            "complete": theme.success,
            "fail": theme.error,
            REJECTED: theme.error,
            OUTCOME_UNKNOWN: theme.error,
            "cancel": theme.accent,
        }.get(row.status)
        label = row.status
        if row.cancelling:
            label = "cancelling…"
        if row.expired:
            label = f"{row.status} (expired)"
        glyph = STATUS_GLYPH.get(row.status, "?")
        style = f"{base} {colour}" if colour else base
        return Text(f"{glyph} {label}", style=style.strip())

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
