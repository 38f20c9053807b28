"""The task table's columns and cells, without the widget: which columns fit a width, and
each cell's text (status, progress) in the room its column has.

The status column is wide enough for every status word (a long form such as
``✓ complete (expired)`` gives way to a short one, never to a cut word); the progress column
has one form per width; the destination, label and error columns appear while any visible
task has one; a long source keeps its end, a long destination both ends.
"""

from __future__ import annotations

from rich.cells import cell_len

from efile_tui import glyphs
from efile_tui.core import taskrow, words
from efile_tui.core.taskrow import VANISHED, expired_words
from efile_tui.core.taskview import OUTCOME_UNKNOWN, REJECTED, SUBMITTING, TaskRow
from efile_tui.i18n import N_, _
from efile_tui.ui.format import human_size
from efile_tui.ui.widgets.vtable import Column

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
    VANISHED: "task-table--vanished",
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
        *(cell_len(f"{STATUS_GLYPH[s]} {expired_words(s)}") for s in SERVER_STATUSES),
    )
    return short, long


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
    return taskrow.status_text(row, room)  # expired and vanished rows: the legend's glyph


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
