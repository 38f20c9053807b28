"""Cancel confirmation and the per-task result sheet."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Label, Static

from efile_tui import glyphs
from efile_tui.api.models import CancelResult
from efile_tui.core import words
from efile_tui.core.cancelplan import CancelPlan
from efile_tui.core.cells import elide_apart, width
from efile_tui.core.taskview import TaskRow
from efile_tui.core.text import clean, literal
from efile_tui.i18n import N_, _, ngettext
from efile_tui.ui.messages import CopyText
from efile_tui.ui.widgets.keybar import KeyBar

HIDDEN_NAMED = 10  # hidden ids named in the confirmation
MODAL_CSS = """
{name} {{
    align: center middle;
}}
{name} > Vertical {{
    width: 90%;
    max-width: 120;
    height: auto;
    max-height: 90%;
    border: thick $error 60%;
    background: $surface;
    padding: 0 1;
}}
{name} .title {{
    text-style: bold;
    width: 100%;
    padding: 0 0 1 0;
}}
{name} DataTable {{
    height: auto;
    max-height: 16;
}}
{name} .note {{
    color: $warning;
}}
{name} Horizontal {{
    height: auto;
    align-horizontal: right;
    padding: 1 0 0 0;
}}
{name} Button {{
    margin: 0 0 0 2;
}}
"""


def shown_sources(ids: Sequence[str], rows: Mapping[str, TaskRow], width: int) -> list[str]:
    """The tasks' sources in about ``width`` cells, their middles elided only as far as
    they stay apart (two sources ending alike keep the part where they differ)."""
    texts = [clean(rows[t].source) if t in rows else "" for t in ids]
    return elide_apart(texts, width, ellipsis=glyphs.current().ellipsis)


class ConfirmCancelScreen(ModalScreen[bool]):
    """ "Cancel N tasks?" listing each task; focus starts on Back."""

    DEFAULT_CSS = MODAL_CSS.format(name="ConfirmCancelScreen")
    BINDINGS = [Binding("escape", "dismiss(False)", N_("Back"))]

    def __init__(self, plan: CancelPlan, rows: Mapping[str, TaskRow]) -> None:
        super().__init__()
        self.plan = plan
        self.task_ids = list(plan.send)
        self.rows = rows

    def compose(self) -> ComposeResult:
        n = len(self.task_ids)
        with Vertical():
            yield Label(
                ngettext("Cancel %(n)d task?", "Cancel %(n)d tasks?", n) % {"n": n},
                classes="title",
            )
            table: DataTable[Text] = DataTable(cursor_type="none", id="cancel-list")
            # The paths are what is being decided: they get the width; ids are shown as in
            # the task table (first 8 characters) unless the dialog is wide.
            inner = min(120, self.app.size.width * 9 // 10) - 4
            id_width = 32 if inner >= 110 else 8
            g = glyphs.current()
            ops, states = [], []
            for tid in self.task_ids:
                row = self.rows.get(tid)
                ops.append(words.operation(row.operation) if row else "?")
                states.append(f"{g.of(row.status)} {words.status(row.status)}" if row else "?")
            heads = [_("task id"), _("op"), _("status"), _("source")]
            # Each column takes what its widest cell needs (and two cells of padding); the
            # source gets the rest.
            used = sum(
                max(map(width, [h, *c])) + 2 for h, c in ((heads[1], ops), (heads[2], states))
            )
            path_width = max(12, inner - max(id_width, width(heads[0])) - 2 - used - 2)
            table.add_columns(*heads)
            sources = shown_sources(self.task_ids, self.rows, path_width)
            for tid, op, state, source in zip(self.task_ids, ops, states, sources, strict=True):
                table.add_row(literal(tid[:id_width]), literal(op), literal(state), literal(source))
            yield table
            for note in notes(self.plan):
                yield Static(note, classes="note", markup=False)
            yield Static(_("Work already done stays done: deleted files are not restored."))
            with Horizontal():
                yield Button(_("Back"), id="back", variant="primary")
                yield Button(
                    ngettext("Cancel %(n)d task", "Cancel %(n)d tasks", n) % {"n": n},
                    id="confirm",
                    variant="error",
                )
        yield KeyBar(dialog=True)

    def on_mount(self) -> None:
        self.query_one("#back", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm")


def notes(plan: CancelPlan) -> list[str]:
    """What the confirmation says besides the list: marks that ended, tasks hidden."""
    lines = []
    if plan.ended:
        lines.append(
            ngettext(
                "%(n)d marked task already ended: not sent.",
                "%(n)d marked tasks already ended: not sent.",
                plan.ended,
            )
            % {"n": plan.ended}
        )
    if plan.hidden:
        shown = ", ".join(plan.hidden[:HIDDEN_NAMED])
        extra = len(plan.hidden) - HIDDEN_NAMED
        more = _(" and {n} more").format(n=extra) if extra > 0 else ""
        lines.append(
            _("{n} of these are hidden by the filter: {ids}{more}.").format(
                n=len(plan.hidden), ids=shown, more=more
            )
        )
    return lines


@dataclass(frozen=True)
class ResultAction:
    """What the user chose on the result sheet: close, or retry these ids."""

    retry: tuple[str, ...] = ()


class CancelResultsScreen(ModalScreen[ResultAction]):
    """One line per task with the service's answer; retry failed ones, copy ids."""

    DEFAULT_CSS = MODAL_CSS.format(name="CancelResultsScreen")
    BINDINGS = [
        Binding("escape", "close", N_("Close")),
        Binding("r", "retry", N_("Retry lost")),
        Binding("y", "copy", N_("Copy ids")),
    ]

    def __init__(self, results: Sequence[CancelResult], rows: Mapping[str, TaskRow]) -> None:
        super().__init__()
        self.results = list(results)
        self.rows = rows

    @property
    def failed_ids(self) -> list[str]:
        """Ids whose cancel was sent but not answered (worth retrying: cancelling twice
        does no harm); a refusal is the service's answer and is not retried."""
        return [r.task_id for r in self.results if r.lost]

    def compose(self) -> ComposeResult:
        ok = sum(r.result for r in self.results)
        with Vertical():
            yield Label(
                _("Cancel results: {ok} of {n} cancelled").format(ok=ok, n=len(self.results)),
                classes="title",
            )
            table: DataTable[str | Text] = DataTable(cursor_type="row", id="results")
            table.add_columns("", _("task id"), _("answer"), _("source"))
            sources = shown_sources([r.task_id for r in self.results], self.rows, 40)
            for r, source in zip(self.results, sources, strict=True):
                answer = words.verdict(r.verdict) + (f": {r.error}" if r.error else "")
                table.add_row(
                    "✓" if r.result else "✗",
                    literal(r.task_id),
                    literal(answer),
                    literal(source),
                    key=r.task_id,
                )
            yield table
            if self.failed_ids:
                yield Static(
                    _(
                        "{n} answer(s) lost (the cancel may have been done); "
                        "press r to send them again."
                    ).format(n=len(self.failed_ids)),
                    classes="note",
                )
            with Horizontal():
                yield Button(_("Copy ids"), id="copy")
                yield Button(_("Retry lost"), id="retry", disabled=not self.failed_ids)
                yield Button(_("Close"), id="close", variant="primary")
        yield KeyBar(dialog=True)

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        {"copy": self.action_copy, "retry": self.action_retry}.get(
            event.button.id or "", self.action_close
        )()

    def action_close(self) -> None:
        """Close the sheet."""
        self.dismiss(ResultAction())

    def action_retry(self) -> None:
        """Close and send the failed ids again."""
        if self.failed_ids:
            self.dismiss(ResultAction(retry=tuple(self.failed_ids)))

    def action_copy(self) -> None:
        """Copy every id on the sheet, one per line."""
        self.post_message(CopyText("\n".join(r.task_id for r in self.results), _("task ids")))
