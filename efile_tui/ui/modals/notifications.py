"""The notification history (``N``): every toast of the session, newest first, as text.

Toasts vanish after a few seconds; an error read too late is still here. Each entry is
shown literally (service text is data: no markup, control characters made visible).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from efile_tui.core.cells import pad, width
from efile_tui.core.text import clean
from efile_tui.i18n import N_, _
from efile_tui.ui.widgets.keybar import KeyBar

KEEP = 1000  # notes kept per session (the oldest go first)
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "information": ""}
# Each severity as a whole word, padded to the longest (never cut to "infor"/"warni").
SEVERITY_WORD = {"information": N_("info"), "warning": N_("warning"), "error": N_("error")}


@dataclass(frozen=True)
class Note:
    """One notification as it was shown."""

    when: float  # time.time()
    severity: str
    title: str
    message: str

    @classmethod
    def of(cls, message: object, title: object, severity: str) -> Note:
        """A note with its texts cleaned (they may hold service text)."""
        return cls(time.time(), severity, clean(title), clean(message, keep_newlines=True))

    def line(self) -> Text:
        """``12:03:04 error  Submit failed: …`` as literal text."""
        stamp = time.strftime("%H:%M:%S", time.localtime(self.when))
        text = Text(f"{stamp} ", style="dim")
        cells = max(width(_(w)) for w in SEVERITY_WORD.values())
        word = SEVERITY_WORD.get(self.severity)
        word = pad(_(word) if word else clean(self.severity), cells)
        text.append(f"{word} ", style=SEVERITY_STYLE.get(self.severity, ""))
        if self.title:
            text.append(f"{self.title}: ", style="bold")
        text.append(self.message)
        return text


class NotificationsScreen(ModalScreen[None]):
    """Every notification of the session, newest first."""

    DEFAULT_CSS = """
    NotificationsScreen { align: center middle; }
    NotificationsScreen > Vertical {
        width: 90%; max-width: 120; height: 90%;
        border: thick $border; background: $surface; padding: 0 1;
    }
    NotificationsScreen .title { text-style: bold; }
    NotificationsScreen #notes { height: 1fr; }
    NotificationsScreen #notes > Static { height: auto; }
    """
    BINDINGS = [Binding("escape,N,q", "dismiss", N_("Close"))]

    def __init__(self, notes: Sequence[Note]) -> None:
        super().__init__()
        self.notes = list(notes)

    def compose(self) -> ComposeResult:
        with Vertical():
            n = len(self.notes)
            yield Label(
                _("Notifications this session: {n} (newest first)").format(n=n)
                if n
                else _("No notifications yet"),
                classes="title",
            )
            with VerticalScroll(id="notes"):
                for note in reversed(self.notes):
                    yield Static(note.line(), markup=False)
        yield KeyBar(dialog=True)


class NotesKeeper:
    """Mixin for the app: every notification is kept (``notes``) for the history."""

    notes: list[Note]

    def keep_note(self, message: object, title: object, severity: str) -> None:
        """Record one notification (the oldest go past ``KEEP``)."""
        self.notes.append(Note.of(message, title, severity))
        del self.notes[:-KEEP]
