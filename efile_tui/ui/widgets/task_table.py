"""The live task table: the columns of a ``TaskView`` on a ``VirtualTable``.

The table holds the view's list of visible keys and renders the rows in view from the
view's records, so a poll that changes 500 rows repaints the few of them on screen, and
100,000 rows cost one list. With many rows, sorting and filtering run in a thread
(``TaskView.order_job``); the keys keep being answered meanwhile and the table shows the
new order when it is ready.

The columns and the text of each cell are chosen in ``task_columns``; the sources of the
rows in view are fitted here, together, so that rows ending alike stay apart.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from typing import ClassVar

from textual import work
from textual.binding import Binding, BindingType
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip

from efile_tui import glyphs
from efile_tui.core import words
from efile_tui.core.cancelplan import plan_cancel
from efile_tui.core.cells import elide_apart
from efile_tui.core.taskrow import display_status
from efile_tui.core.taskview import (
    CONTENT,
    SORT_KEYS,
    TaskRow,
    TaskView,
)
from efile_tui.core.text import clean
from efile_tui.i18n import N_, _
from efile_tui.ui.messages import (
    CancelRequested,
    CopyText,
    DismissRequested,
    LabelRequested,
    ResolveRequested,
    TaskMarksCleared,
)
from efile_tui.ui.widgets.task_columns import (
    BACKGROUND_FROM,
    STATUS_CLASS,
    progress_text,
    status_text,
    task_columns,
)
from efile_tui.ui.widgets.vtable import Cell, Column, VirtualTable


class TaskTable(VirtualTable):
    """The task rows of a ``TaskView``, with marks kept in the view by task id."""

    COMPONENT_CLASSES: ClassVar[set[str]] = VirtualTable.COMPONENT_CLASSES | {
        "task-table--running",
        "task-table--ok",
        "task-table--bad",
        "task-table--cancel",
        "task-table--vanished",
    }
    DEFAULT_CSS = """
    TaskTable > .task-table--running { color: $warning; }
    TaskTable > .task-table--ok { color: $success; }
    TaskTable > .task-table--bad { color: $error; }
    TaskTable > .task-table--cancel { color: $text-muted; text-style: italic; }
    TaskTable > .task-table--vanished { color: $accent; text-style: bold; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_mark", N_("Mark")),
        Binding("shift+down", "mark_down", N_("Mark ↓"), show=False),
        Binding("shift+up", "mark_up", N_("Mark ↑"), show=False),
        Binding("v", "mark_range", N_("Range"), show=False),
        Binding("a", "mark_all", N_("Mark all")),
        Binding("i", "invert_marks", N_("Invert"), show=False),
        Binding("u", "clear_marks", N_("Unmark"), show=False),
        Binding("c", "cancel_marked", N_("Cancel tasks")),
        Binding("s", "cycle_sort", N_("Sort")),
        Binding("S", "reverse_sort", N_("Reverse"), show=False),
        Binding("y", "copy_id", N_("Copy id"), show=False),
        Binding("x", "dismiss", N_("Dismiss"), show=False),
        Binding("l", "label", N_("Label"), show=False),
        Binding("R", "resolve", N_("Resolve unknown"), show=False),
    ]

    class Changed(Message):
        """Marks, sort or the rows shown changed: the info line should be redrawn."""

    def __init__(self, view: TaskView, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view = view
        self.mark_anchor: str | None = None
        self.has: set[str] = set()
        self.shown_sources: dict[str, str] = {}  # this rendering pass's fitted sources

    def render_lines(self, crop: Region) -> list[Strip]:
        """Render the lines in ``crop``, the sources fitted for all the rows in view."""
        self.shown_sources = self.sources_in_view()
        try:
            return super().render_lines(crop)
        finally:
            self.shown_sources = {}

    def sources_in_view(self) -> dict[str, str]:
        """The sources of the rows in view fitted to their column, each elided in the middle
        only as far as the rows stay apart (``…/proj-climate/run-0032`` beside
        ``…/proj-cfd/run-0032``, never both ``…/run-0032``)."""
        column = next((c for c in self.table_columns if c.key == "source"), None)
        if column is None:
            return {}
        first, last = self.rows_in_view()
        keys = self.row_keys[first : last + 1]
        rows = self.view.rows
        texts = [clean(rows[k].source) if k in rows else "" for k in keys]
        ellipsis = glyphs.current().ellipsis
        fitted = elide_apart(texts, column.width, ellipsis=ellipsis, strict=True)
        return dict(zip(keys, fitted, strict=True))

    # -- rows ------------------------------------------------------------------------------

    def row_marked(self, key: str) -> bool:
        """Marked rows are drawn bold on a tinted background (and show the glyph)."""
        return key in self.view.marks

    def row_cells(self, key: str) -> Sequence[Cell]:
        """The cells of one task row, from the view."""
        row = self.view.rows.get(key)
        if row is None:
            return [("", "")] * len(self.table_columns)
        return [self.cell(row, column) for column in self.table_columns]

    def cell(self, row: TaskRow, column: Column) -> Cell:
        """One cell of ``row``: (text, component class)."""
        key = column.key
        if key == "status":
            return status_text(row, column.width), STATUS_CLASS.get(display_status(row), "")
        if key == "mark":
            return (glyphs.current().mark if row.key in self.view.marks else " "), ""
        if key == "id":
            return (row.task_id or glyphs.current().dash)[:8], ""
        if key == "op":
            return words.operation(row.operation), ""
        if key == "progress":
            return progress_text(row, column.width), ""
        if key == "submitted":
            return row.submitted_text[5:16], ""
        if key == "updated":
            return row.updated_text[11:19], ""
        if key == "source" and row.key in self.shown_sources:
            return self.shown_sources[row.key], ""
        texts = {"source": row.source, "target": row.target, "label": row.label}
        return texts.get(key, row.error), ""

    def cell_text(self, key: str, column: str) -> str:
        """What row ``key`` shows in ``column`` (before fitting to the width)."""
        row = self.view.rows[key]
        found = next((c for c in self.table_columns if c.key == column), None)
        return self.cell(row, found or Column(column, column, 80))[0]

    def on_mount(self) -> None:
        self.fit_columns()

    def on_resize(self) -> None:
        self.fit_columns()

    def fit_columns(self) -> None:
        """Choose the columns and widths for the current width and visible rows."""
        if self.view.order_ready():
            self.has |= self.view.visible_order()[1]
        self.set_columns(task_columns(self.scrollable_content_region.width, set(self.has)))

    # -- syncing with the view ----------------------------------------------------------

    def sync(self, changed: Iterable[str] | None = None) -> None:
        """Show the view's visible rows; repaint ``changed`` rows (None: every row)."""
        view = self.view
        keys = None if changed is None else list(changed)
        if view.order_is_cheap() or len(view.rows) < BACKGROUND_FROM:
            self.show_order(view.visible_keys())
        else:
            self.reorder()
        if keys is not None and self.brings_content(keys):
            self.fit_columns()
        self.refresh_rows(keys)

    def brings_content(self, keys: list[str]) -> bool:
        """True when a row of ``keys`` has a destination, label or error and the table
        shows no column for it yet."""
        missing = set(CONTENT) - self.has
        rows = self.view.rows
        return bool(missing) and any(
            (row := rows.get(k)) is not None
            and (
                ("target" in missing and row.target)
                or ("label" in missing and row.label)
                or ("error" in missing and row.error)
            )
            for k in keys
        )

    def show_order(self, keys: list[str]) -> None:
        """Hold ``keys`` (the cursor stays on its task) and refit the columns."""
        if keys is not self.row_keys:
            self.set_rows(keys, keep=self.cursor_key)
            self.has = set(self.view.visible_order()[1])
            self.fit_columns()
            self.post_message(self.Changed())

    @work(group="order", exclusive=True, exit_on_error=False)
    async def reorder(self) -> None:
        """Sort and filter in a thread, then show the result (unless outdated)."""
        view = self.view
        while not view.order_ready():
            job = view.order_job()
            view.install(await asyncio.to_thread(job.run))
        self.show_order(view.visible_keys())

    def refresh_marks(self, keys: Iterable[str] | None = None) -> None:
        """Repaint rows whose mark changed (every row when ``keys`` is None)."""
        self.refresh_rows(None if keys is None else list(keys))

    # -- actions ---------------------------------------------------------------------

    def action_toggle_mark(self) -> None:
        """Mark or unmark the task under the cursor, then move down."""
        key = self.cursor_key
        if key is None:
            return
        self.view.toggle_mark(key)
        self.mark_anchor = key
        self.refresh_marks([key])
        self.action_cursor_down()
        self.changed()

    def mark_and_move(self, step: int) -> None:
        """Mark the cursor row and move ``step`` rows."""
        key = self.cursor_key
        if key is None:
            return
        self.view.mark([key])
        self.mark_anchor = self.mark_anchor or key
        self.refresh_marks([key])
        self.move_cursor(self.cursor_row + step)
        self.changed()

    def action_mark_down(self) -> None:
        """Mark the current row and move down (range marking)."""
        self.mark_and_move(1)

    def action_mark_up(self) -> None:
        """Mark the current row and move up (range marking)."""
        self.mark_and_move(-1)

    def action_mark_range(self) -> None:
        """Mark every row between the last marked one and the cursor."""
        if self.cursor_key is None:
            return
        start = self.index_of(self.mark_anchor) if self.mark_anchor is not None else None
        lo, hi = sorted((self.cursor_row if start is None else start, self.cursor_row))
        keys = self.row_keys[lo : hi + 1]
        self.view.mark(keys)
        self.refresh_marks(keys)
        self.changed()

    def action_mark_all(self) -> None:
        """Mark every task that matches the filter."""
        self.view.mark(self.row_keys)
        self.refresh_marks()
        self.changed()

    def action_invert_marks(self) -> None:
        """Invert the marks of the tasks that match the filter."""
        self.view.invert(self.row_keys)
        self.refresh_marks()
        self.changed()

    def action_clear_marks(self) -> None:
        """Unmark every task, including those hidden by the filter; the screen says how
        many (and how many were hidden) and ``z`` marks them again."""
        keys = frozenset(self.view.marks)
        hidden = self.view.hidden_marked(self.row_keys)
        self.view.clear_marks()
        self.refresh_marks()
        self.changed()
        self.post_message(TaskMarksCleared(keys, hidden))

    def restore_marks(self, keys: Iterable[str]) -> None:
        """Mark these tasks again (undo of a clear); rows gone since stay unmarked."""
        self.view.mark(keys)
        self.refresh_marks()
        self.changed()

    def action_cancel_marked(self) -> None:
        """Ask to cancel the marked tasks (or the one under the cursor)."""
        self.post_message(CancelRequested(plan_cancel(self.view, self.cursor_key)))

    def action_cycle_sort(self) -> None:
        """Sort by the next column (submitted → status → operation → source → …)."""
        i = SORT_KEYS.index(self.view.sort_key)
        self.view.sort_key = SORT_KEYS[(i + 1) % len(SORT_KEYS)]
        self.sync()
        self.changed()

    def action_reverse_sort(self) -> None:
        """Reverse the sort order."""
        self.view.reverse = not self.view.reverse
        self.sync()
        self.changed()

    def action_dismiss(self) -> None:
        """Hide the marked finished rows (or the one under the cursor), e.g. a checked
        "outcome unknown"; running tasks stay."""
        keys = list(self.view.marks) or ([self.cursor_key] if self.cursor_key else [])
        rows = self.view.rows
        keys = [k for k in keys if k in rows and (rows[k].is_final or not rows[k].task_id)]
        if keys:
            self.post_message(DismissRequested(keys))

    def action_label(self) -> None:
        """Label the marked rows (or the one under the cursor)."""
        keys = [k for k in self.view.marks if k in self.view.rows]
        if not keys and self.cursor_key:
            keys = [self.cursor_key]
        if keys:
            self.post_message(LabelRequested(sorted(keys)))

    def action_resolve(self) -> None:
        """Check the paths of the marked "outcome unknown" rows (or the one under the cursor)."""
        keys = [k for k in self.view.marks if k in self.view.rows] or [self.cursor_key or ""]
        keys = [k for k in keys if k.startswith("local:") and k in self.view.rows]
        self.post_message(ResolveRequested(sorted(keys)))

    def action_copy_id(self) -> None:
        """Copy the task id under the cursor."""
        key = self.cursor_key
        row = self.view.rows.get(key) if key else None
        if row and row.task_id:
            self.post_message(CopyText(row.task_id, _("task id")))

    def changed(self) -> None:
        """Tell the pane to redraw its info line."""
        self.post_message(self.Changed())


__all__ = ["TaskTable"]
