"""Help, id import, text viewer and the audit-log screen."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Input, Label, Static

from efile_tui import glyphs
from efile_tui.core import words
from efile_tui.core.text import clean, literal
from efile_tui.core.validate import InputError, check_task_ids, decode_lines, read_ids
from efile_tui.i18n import N_, _
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


STATUS_HELP = [
    ("processing", N_("running on the service")),
    ("waiting", N_("queued on the service")),
    ("complete", N_("done")),
    ("fail", N_("failed: see the error column")),
    ("cancel", N_("cancelled")),
    ("outcome unknown", N_("the submit's answer was lost: check before resubmitting")),
    ("expired", N_("the service forgot it (24 h after it ended); the journal kept it")),
]


def _key_table(title: str, rows: Sequence[tuple[str, str]]) -> Table:
    table = Table(title=title, title_justify="left", box=None, show_header=False, expand=True)
    table.title_style = "bold"
    table.add_column("key", style="bold", no_wrap=True, min_width=6)
    table.add_column("what", ratio=1)
    for key, what in rows:
        table.add_row(key, what)
    return table


class HelpScreen(ModalScreen[None]):
    """The keys of each pane as tables (side by side when wide), then the status symbols."""

    DEFAULT_CSS = (
        MODAL_BOX.format(name="HelpScreen")
        + """
    HelpScreen > Vertical { height: 100%; max-height: 100%; width: 100%; max-width: 130; }
    HelpScreen #help-body { height: 1fr; }
    HelpScreen #help-grid { layout: grid; grid-size: 1; grid-gutter: 0 3; height: auto; }
    HelpScreen #help-grid.-wide { grid-size: 2; }
    HelpScreen #help-grid > Static { height: auto; margin-bottom: 1; }
    """
    )
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", N_("Close"))]

    def compose(self) -> ComposeResult:
        from efile_tui.ui.keys import sections

        g = glyphs.current()
        status = [(f"{g.of(word)} {words.status(word)}", _(what)) for word, what in STATUS_HELP]
        with Vertical():
            yield Label(_("efile-tui keys (esc closes)"), classes="title")
            with VerticalScroll(id="help-body"):
                with Grid(id="help-grid"):
                    for name, rows in sections():
                        shown = [(keys, _(what)) for keys, what in rows]
                        yield Static(_key_table(_(name), shown))
                    yield Static(_key_table(_("Status"), status))
                yield Static(
                    _(
                        "Marks are kept by task id and path: they survive sorting, filtering "
                        "and polling; marked rows hidden by a filter are counted in the info "
                        "line and the confirmation. The header says when the table was last "
                        "updated; it turns amber, then red, when polling fails, and the last "
                        "good data stays."
                    ),
                    markup=False,
                )
        yield KeyBar(dialog=True)

    def on_resize(self) -> None:
        self.query_one("#help-grid").set_class(self.size.width >= 100, "-wide")


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
                problems.update(literal(f"cannot read {path}: {exc.strerror or exc}"))
                return
            except InputError as exc:
                problems.update(literal("\n".join(exc.problems[:8]), keep_newlines=True))
                return
        try:
            self.dismiss(check_task_ids(ids))
        except InputError as exc:
            # Keep what was typed; say exactly which entries are wrong.
            problems.update(literal("\n".join(exc.problems[:8]), keep_newlines=True))


class LogScreen(Screen[None]):
    """The audit log: every submit and cancel made from this machine."""

    BINDINGS = [Binding("escape,q,L", "app.pop_screen", N_("Back"))]

    def __init__(self, events: Sequence[dict[str, Any]]) -> None:
        super().__init__()
        self.events = list(events)

    def compose(self) -> ComposeResult:
        yield Label(f"Audit log — {len(self.events)} most recent events (newest first)")
        table: DataTable[str | Text] = DataTable(cursor_type="row", id="log")
        table.add_columns("time", "event", "op", "items", "result", "first item")
        for ev in reversed(self.events):
            items = ev.get("items") or []
            first = items[0] if items and isinstance(items[0], dict) else {}
            table.add_row(
                literal(str(ev.get("time", ""))[:19]),
                literal(ev.get("event", "")),
                literal(ev.get("operation")),
                literal(ev.get("count", len(items))),
                literal(ev.get("exit", "")),
                literal(first.get("path") or first.get("taskId")),
            )
        yield table
        yield KeyBar(dialog=True)
