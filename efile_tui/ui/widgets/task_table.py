"""The live task table: the columns of a ``TaskView`` on a ``VirtualTable``.

The table holds the view's list of visible keys and renders the rows in view from the
view's records, so a poll that changes 500 rows repaints the few of them on screen, and
100,000 rows cost one list. With many rows, sorting and filtering run in a thread
(``TaskView.order_job``); the keys keep being answered meanwhile and the table shows the
new order when it is ready.

Columns: widths are worked out here from the terminal width. The status column is wide
enough for every status word (a long form such as ``✓ complete (expired)`` gives way to a
short one, never to a cut word); the destination, label and error columns appear while any
visible task has one; a long source keeps its end, a long destination both ends.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from typing import ClassVar

from rich.cells import cell_len
from textual import work
from textual.binding import Binding, BindingType
from textual.message import Message

from efile_tui import glyphs
from efile_tui.core import words
from efile_tui.core.cancelplan import plan_cancel
from efile_tui.core.taskview import (
    CONTENT,
    OUTCOME_UNKNOWN,
    REJECTED,
    SORT_KEYS,
    SUBMITTING,
    TaskRow,
    TaskView,
)
from efile_tui.i18n import N_, _
from efile_tui.ui.format import human_size
from efile_tui.ui.messages import (
    CancelRequested,
    CopyText,
    DismissRequested,
    LabelRequested,
    ResolveRequested,
    TaskMarksCleared,
)
from efile_tui.ui.widgets.vtable import Cell, Column, VirtualTable

# Status symbols (widths are the same in the ASCII set, see efile_tui.glyphs).
STATUSES = ("waiting", "processing", "complete", "fail", "cancel", "unknown")
STATUS_GLYPH = {s: glyphs.UNICODE.of(s) for s in (*STATUSES, OUTCOME_UNKNOWN, REJECTED, SUBMITTING)}
# Status colours, by component class.
STATUS_CLASS = {
    "processing": "task-table--running",
    "complete": "task-table--ok",
    "fail": "task-table--bad",
    REJECTED: "task-table--bad",
    OUTCOME_UNKNOWN: "task-table--bad",
    "cancel": "task-table--cancel",
}
SERVER_STATUSES = ("waiting", "processing", "complete", "fail", "cancel", "unknown")
CANCELLING = N_("cancelling…")  # the ellipsis is one cell in either symbol set
CANCEL_LOST, CANCEL_LOST_SHORT = N_("cancel sent, answer lost"), N_("cancel lost")


def status_widths() -> tuple[int, int]:
    """The widest status cell in each form (short, long) in the language in use: every
    word fits, none is ever cut."""
    short = max(cell_len(f"{g} {words.status(s)}") for s, g in STATUS_GLYPH.items())
    short = max(short, cell_len(f"{STATUS_GLYPH['processing']} {_(CANCELLING)}"))
    long = max(
        short,
        *(cell_len(f"{STATUS_GLYPH[s]} {_expired(s)}") for s in SERVER_STATUSES),
    )
    return short, long


def _expired(status: str) -> str:
    return _("{status} (expired)").format(status=words.status(status))


WIDE = 120  # from this width on, expired rows also say what they were

FIXED = (("mark", " ", 1), ("id", N_("id"), 8), ("op", N_("op"), 6))
# Progress forms by column width: bar, percentage and count / percentage and count / bar
# and percentage (the same form on every row).
PROGRESS_BAR_COUNT, PROGRESS_WIDE, PROGRESS_NARROW = 24, 18, 10
# Shown while any visible task has one and the paths keep room, in this order of want.
OPTIONAL = (("label", N_("label"), 12), ("error", N_("error"), 24))
TIMES = (("submitted", N_("submitted"), 11), ("updated", N_("updated"), 8))
ORDER = "mark id op status progress label source target submitted updated error".split()
MIN_PATH_WIDTH = 28
MIN_NARROW_PATH = 12  # below this a narrow table drops the id, then the operation
DESTINATION_FROM = 100  # terminal width from which the destination column may show
BACKGROUND_FROM = 5000  # rows from which ordering runs in a thread


def status_text(row: TaskRow, room: int) -> str:
    """The status cell: glyph and word(s), in at most ``room`` cells, never cut."""
    glyph = glyphs.current().of(row.status)
    if row.cancel_lost:
        text = f"{glyph} {_(CANCEL_LOST)}"
        return text if cell_len(text) <= room else f"{glyph} {_(CANCEL_LOST_SHORT)}"
    if row.cancelling:
        return f"{glyph} {_(CANCELLING)}"
    if row.expired:
        text = f"{glyph} {_expired(row.status)}"
        return text if cell_len(text) <= room else f"{glyph} {words.status('expired')}"
    return f"{glyph} {words.status(row.status)}"


def progress_text(row: TaskRow, room: int = PROGRESS_WIDE) -> str:
    """A task's progress in at most ``room`` cells, in the same form on every row of a
    column (the form follows the room, not the row): from ``PROGRESS_BAR_COUNT`` cells bar,
    percentage and count (``▰▱▱▱▱   2% 436/20,000``), from ``PROGRESS_WIDE`` percentage and
    count (``  2% 436/20,000``), below that bar and percentage (``▰▱▱▱▱   2%``). A count
    is never cut: one that does not fit its row is left out (the details, Enter, show it);
    a task without a percentage shows its count or size when they fit."""
    pct = row.percent
    count = ""
    if row.total_num:
        count = f"{row.processed_num:,}/{row.total_num:,}"
    elif row.total_size:
        count = human_size(row.total_size)
    if pct is None:
        return count if cell_len(count) <= room else ""
    filled = round(pct / 20)
    g = glyphs.current()
    bar = g.bar_full * filled + g.bar_empty * (5 - filled)
    pct_text = f"{pct:3.0f}%"
    if room >= PROGRESS_BAR_COUNT:
        form = [bar, pct_text, count]
    elif room >= PROGRESS_WIDE:
        form = [pct_text, count]
    else:
        form = [bar, pct_text]
    for parts in (form, [p for p in form if p != count]):
        text = " ".join(p for p in parts if p)
        if cell_len(text) <= room:
            return text
    return pct_text.strip()


def task_columns(width: int, has: set[str]) -> list[Column]:
    """The columns for a table ``width`` cells wide; ``has``: optional columns with content."""
    short, long = status_widths()
    status = long if width >= WIDE else short
    chosen = [Column(k, _(label), w) for k, label, w in FIXED]
    chosen.append(Column("status", _("status"), status))
    progress = PROGRESS_WIDE if width >= DESTINATION_FROM else PROGRESS_NARROW
    chosen.append(Column("progress", _("progress"), progress))
    flex = ["source"]
    if "target" in has and width >= DESTINATION_FROM:
        flex.append("target")

    def room(extra: list[Column]) -> int:
        used = sum(c.width + 2 for c in [*chosen, *extra])
        return (width - used) // len(flex) - 2

    # A narrow table (60 columns) gives up the id, then the operation, before the path
    # shrinks below a readable width (the details, Enter, show both).
    for key in ("id", "op"):
        if room([]) < MIN_NARROW_PATH:
            chosen = [c for c in chosen if c.key != key]

    for key, label, w in [*OPTIONAL, *TIMES]:
        if (key in has or (key, label, w) in TIMES) and room([Column(key, label, w)]) >= (
            MIN_PATH_WIDTH
        ):
            chosen.append(Column(key, _(label), w))
    share = max(8, room([]))
    spare = max(0, width - sum(c.width + 2 for c in chosen) - len(flex) * (share + 2))
    chosen.append(Column("source", _("source"), share + spare, elide="start"))
    if "target" in flex:
        chosen.append(Column("target", _("destination"), share, elide="middle"))
    return sorted(chosen, key=lambda c: ORDER.index(c.key))


class TaskTable(VirtualTable):
    """The task rows of a ``TaskView``, with marks kept in the view by task id."""

    COMPONENT_CLASSES: ClassVar[set[str]] = VirtualTable.COMPONENT_CLASSES | {
        "task-table--running",
        "task-table--ok",
        "task-table--bad",
        "task-table--cancel",
    }
    DEFAULT_CSS = """
    TaskTable > .task-table--running { color: $warning; }
    TaskTable > .task-table--ok { color: $success; }
    TaskTable > .task-table--bad { color: $error; }
    TaskTable > .task-table--cancel { color: $text-muted; text-style: italic; }
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
            return status_text(row, column.width), STATUS_CLASS.get(row.status, "")
        if key == "mark":
            return (glyphs.current().mark if row.key in self.view.marks else " "), ""
        if key == "id":
            return (row.task_id or glyphs.current().dash)[:8], ""
        if key == "op":
            return row.operation, ""
        if key == "progress":
            return progress_text(row, column.width), ""
        if key == "submitted":
            return row.submitted_text[5:16], ""
        if key == "updated":
            return row.updated_text[11:19], ""
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
            self.post_message(CopyText(row.task_id, "task id"))

    def changed(self) -> None:
        """Tell the pane to redraw its info line."""
        self.post_message(self.Changed())


__all__ = ["TaskTable", "status_text", "task_columns"]
