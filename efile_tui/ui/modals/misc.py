"""Id import, text viewer and the audit-log screen (the help is ``modals.help``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Input, Label, Static

from efile_tui.core import words
from efile_tui.core.text import clean, literal
from efile_tui.core.validate import InputError, check_task_ids, decode_lines, read_ids
from efile_tui.i18n import N_, _, shown
from efile_tui.ui.messages import CopyText
from efile_tui.ui.widgets.keybar import KeyBar

MODAL_BOX = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 90%; max-width: 110; height: 90%;
    border: thick $primary 60%; background: $surface; padding: 0 1;
}}
{name} .title {{ text-style: bold; }}
{name} Horizontal {{ height: auto; align-horizontal: right; }}
{name} Button {{ margin: 0 0 0 2; }}
"""


class TextScreen(ModalScreen[None]):
    """A scrollable, copyable block of text (error details, task details, copy fallback)."""

    DEFAULT_CSS = MODAL_BOX.format(name="TextScreen")
    BINDINGS = [Binding("escape", "dismiss", N_("Close")), Binding("y", "copy", N_("Copy"))]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text = clean(title)
        self.text = clean(text, keep_newlines=True)

    def compose(self) -> ComposeResult:
        from textual.widgets import TextArea

        with Vertical():
            yield Label(literal(self.title_text))
            yield TextArea(self.text, read_only=True, id="text")
            with Horizontal():
                yield Button(_("Copy"), id="copy")
                yield Button(_("Close"), variant="primary", id="close")
        yield KeyBar(dialog=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "copy":
            self.action_copy()
        else:
            self.dismiss()

    def action_copy(self) -> None:
        """Copy the text to the clipboard."""
        self.post_message(CopyText(self.text, self.title_text))


class ImportIdsScreen(ModalScreen[list[str] | None]):
    """Paste task ids (or name a file of ids) to track tasks started elsewhere."""

    DEFAULT_CSS = (
        MODAL_BOX.format(name="ImportIdsScreen")
        + """
    ImportIdsScreen #problems { color: $error; height: auto; }
    ImportIdsScreen TextArea { height: 1fr; }
    """
    )
    BINDINGS = [Binding("escape", "dismiss(None)", N_("Back"))]

    def compose(self) -> ComposeResult:
        from textual.widgets import TextArea

        with Vertical():
            yield Label(
                _(
                    "Track task ids started elsewhere: paste them (any separators), "
                    "or give a file of ids."
                )
            )
            yield TextArea(id="ids")
            yield Input(placeholder=_("…or a file path with one id per line"), id="file")
            yield Static("", id="problems")
            with Horizontal():
                yield Button(_("Back"), id="back")
                yield Button(_("Track"), id="track", variant="primary")
        yield KeyBar(dialog=True)

    def on_mount(self) -> None:
        self.query_one("#ids").focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id != "track":
            self.dismiss(None)
            return
        from textual.widgets import TextArea

        ids = read_ids(self.query_one("#ids", TextArea).text.splitlines())
        path = self.query_one("#file", Input).value.strip()
        problems = self.query_one("#problems", Static)
        if path:
            try:
                data = Path(path).expanduser().read_bytes()
                ids += read_ids(decode_lines(data, source=path))
            except OSError as exc:
                problem = _("cannot read {path}: {problem}").format(
                    path=path, problem=exc.strerror or exc
                )
                problems.update(literal(problem))
                return
            except InputError as exc:
                problems.update(literal(problem_lines(exc), keep_newlines=True))
                return
        try:
            self.dismiss(check_task_ids(ids, prefixes=False))
        except InputError as exc:
            # Keep what was typed; say exactly which entries are wrong.
            problems.update(literal(problem_lines(exc), keep_newlines=True))


class LogScreen(Screen[None]):
    """The audit log: every submit and cancel made from this machine."""

    BINDINGS = [Binding("escape,q,L", "app.pop_screen", N_("Back"))]

    def __init__(self, events: Sequence[dict[str, Any]]) -> None:
        super().__init__()
        self.events = list(events)

    def compose(self) -> ComposeResult:
        yield Label(
            _("Audit log — {n} most recent events (newest first)").format(n=len(self.events))
        )
        table: DataTable[str | Text] = DataTable(cursor_type="row", id="log")
        table.add_columns(_("time"), _("event"), _("op"), _("items"), _("result"), _("first item"))
        for ev in reversed(self.events):
            items = ev.get("items") or []
            first = items[0] if items and isinstance(items[0], dict) else {}
            table.add_row(
                literal(str(ev.get("time", ""))[:19]),
                literal(words.event(str(ev.get("event", "")))),
                literal(words.operation(str(ev.get("operation") or ""))),
                literal(ev.get("count", len(items))),
                literal(words.result(str(ev.get("exit", "")))),
                literal(first.get("path") or first.get("taskId")),
            )
        yield table
        yield KeyBar(dialog=True)


def problem_lines(exc: InputError, limit: int = 8) -> str:
    """The first ``limit`` problems of a rejected input, one a line, for a person."""
    return "\n".join(shown(problem) for problem in exc.problems[:limit])
