"""Help, id import, text viewer and the audit-log screen."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Footer, Input, Label, Static

from efile_tui.core.validate import InputError, check_task_ids, decode_lines, read_ids
from efile_tui.ui.messages import CopyText

HELP = """\
# efile-tui keys

**Anywhere** — `tab` switch pane · `?`/`F1` this help · `ctrl+p` command palette ·
`q` quit · `p` pause/resume polling · `r` refresh now · `+`/`-` poll interval ·
`h` show/hide tasks finished over 24 h ago · `I` import task ids · `L` audit log ·
`N` notification history

**Paths** — `enter` open · `backspace` up · `g` type a path · `space` mark ·
`shift+↑↓` mark range · `v` mark from last mark to cursor · `a` mark all · `i` invert ·
`u`/`esc` clear marks · `s`/`S` sort / reverse · `/` filter · `d` delete marked ·
`C` copy marked · `M` move marked · `y` copy path

**Tasks** — `space` mark · `shift+↑↓` range · `v` range · `a` mark all matching the filter ·
`i` invert · `u` clear marks · `c` cancel marked (or the task under the cursor) ·
`s`/`S` sort / reverse · `/` filter by text · `f` cycle status filter ·
`o` cycle operation filter · `y` copy id · `x` dismiss finished or outcome-unknown rows ·
`enter` details

Marks are kept by task id: they survive sorting, filtering and polling. Marked tasks hidden
by the filter are counted in the footer and in the confirmation.

**Status** — `▶ processing` `… waiting` `✓ complete` `✗ fail` `⊘ cancel`
`? outcome unknown` (a submit whose answer was lost: check before resubmitting) ·
`(expired)`: the service no longer knows the task (it keeps tasks 24 h after they end); the
journal keeps the last known state.

The header shows when the table was last updated; it turns amber and then red when polling
fails, and the last good data stays on screen.
"""

MODAL_BOX = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 90%; max-width: 110; height: 90%;
    border: thick $primary 60%; background: $surface; padding: 0 1;
}}
{name} Horizontal {{ height: auto; align-horizontal: right; }}
{name} Button {{ margin: 0 0 0 2; }}
"""


class HelpScreen(ModalScreen[None]):
    """All keys, the status glyphs and what the header means."""

    DEFAULT_CSS = MODAL_BOX.format(name="HelpScreen")
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        from textual.widgets import Markdown  # imported when first shown: faster start-up

        with Vertical():
            with VerticalScroll():
                yield Markdown(HELP)
            with Horizontal():
                yield Button("Close", variant="primary", id="close")

    def on_button_pressed(self) -> None:
        self.dismiss()


class TextScreen(ModalScreen[None]):
    """A scrollable, copyable block of text (error details, task details, copy fallback)."""

    DEFAULT_CSS = MODAL_BOX.format(name="TextScreen")
    BINDINGS = [Binding("escape", "dismiss", "Close"), Binding("y", "copy", "Copy")]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        from textual.widgets import TextArea

        with Vertical():
            yield Label(self.title_text)
            yield TextArea(self.text, read_only=True, id="text")
            with Horizontal():
                yield Button("Copy", id="copy")
                yield Button("Close", variant="primary", id="close")

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
    BINDINGS = [Binding("escape", "dismiss(None)", "Back")]

    def compose(self) -> ComposeResult:
        from textual.widgets import TextArea

        with Vertical():
            yield Label(
                "Track task ids started elsewhere: paste them (any separators), "
                "or give a file of ids."
            )
            yield TextArea(id="ids")
            yield Input(placeholder="…or a file path with one id per line", id="file")
            yield Static("", id="problems")
            with Horizontal():
                yield Button("Back", id="back")
                yield Button("Track", id="track", variant="primary")

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
                problems.update(f"cannot read {path}: {exc.strerror or exc}")
                return
            except InputError as exc:
                problems.update("\n".join(exc.problems[:8]))
                return
        try:
            self.dismiss(check_task_ids(ids))
        except InputError as exc:
            # Keep what was typed; say exactly which entries are wrong.
            problems.update("\n".join(exc.problems[:8]))


class LogScreen(Screen[None]):
    """The audit log: every submit and cancel made from this machine."""

    BINDINGS = [Binding("escape,q,L", "app.pop_screen", "Back")]

    def __init__(self, events: Sequence[dict[str, Any]]) -> None:
        super().__init__()
        self.events = list(events)

    def compose(self) -> ComposeResult:
        yield Label(f"Audit log — {len(self.events)} most recent events (newest first)")
        table: DataTable[str] = DataTable(cursor_type="row", id="log")
        table.add_columns("time", "event", "op", "items", "result", "first item")
        for ev in reversed(self.events):
            items = ev.get("items") or []
            first = items[0] if items and isinstance(items[0], dict) else {}
            table.add_row(
                str(ev.get("time", ""))[:19],
                str(ev.get("event", "")),
                str(ev.get("operation") or ""),
                str(ev.get("count", len(items))),
                str(ev.get("exit", "")),
                str(first.get("path") or first.get("taskId") or ""),
            )
        yield table
        yield Footer()
