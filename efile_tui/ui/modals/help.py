"""The help screen (``?``): every key of every pane and dialog, each description whole.

The rows come from the bindings themselves (``ui.keys.sections``, passed in by the main
screen, translated). They are laid out as text wrapped to the screen's width: a key column
as wide as the widest key (at most a third of the line), and each description wrapped
under itself, never cut. The body scrolls (arrows, page keys, the mouse).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from efile_tui import glyphs
from efile_tui.core import words
from efile_tui.core.cells import pad, width, wrap
from efile_tui.i18n import N_, _
from efile_tui.ui.modals.misc import MODAL_BOX
from efile_tui.ui.widgets.keybar import KeyBar

Section = tuple[str, Sequence[tuple[str, str]]]

STATUS_HELP = [
    ("processing", N_("running on the service")),
    ("waiting", N_("queued on the service")),
    ("complete", N_("done")),
    ("fail", N_("failed: see the error column")),
    ("cancel", N_("cancelled")),
    ("outcome unknown", N_("the submit's answer was lost: check before resubmitting")),
    ("unknown", N_("an imported id the service has not reported yet")),
    ("expired", N_("the service forgot it (24 h after it ended); the journal kept it")),
    (
        "vanished",
        N_(
            "the service stopped returning it before it ended (missing from 3 answers over "
            "60 s by default; an imported id it never knew: at once). Final: not polled, not "
            "running, dismissable; the row keeps its last state and when it was last seen; "
            "r looks once more"
        ),
    ),
]


GAP = 2  # cells between a key and its description


def help_text(sections: Sequence[Section], cells: int) -> Text:
    """The sections as text ``cells`` wide: a bold title, then one key a line with its
    description wrapped under itself (a long key takes a line of its own)."""
    out = Text()
    for n, (title, rows) in enumerate(sections):
        if n:
            out.append("\n")
        if title:
            out.append(title + "\n", style="bold")
        keys = min(max((width(k) for k, _w in rows), default=1), max(6, cells // 3))
        room = max(10, cells - keys - GAP)
        for key, what in rows:
            lines = wrap(what, room) or [""]
            if width(key) > keys:
                out.append(key + "\n", style="bold")
                first = " " * (keys + GAP)
            else:
                out.append(pad(key, keys), style="bold")
                first = " " * GAP
            out.append(first + lines[0] + "\n")
            for line in lines[1:]:
                out.append(" " * (keys + GAP) + line + "\n")
    return out


class HelpScreen(ModalScreen[None]):
    """Every key of each pane and dialog, then the status symbols, as wrapped text."""

    DEFAULT_CSS = (
        MODAL_BOX.format(name="HelpScreen")
        + """
    HelpScreen > Vertical { height: 100%; max-height: 100%; width: 100%; max-width: 130; }
    HelpScreen #help-body { height: 1fr; }
    HelpScreen #help-text { height: auto; }
    """
    )
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", N_("Close"))]

    def __init__(self, sections: Sequence[Section]) -> None:
        super().__init__()
        g = glyphs.current()
        status = [(f"{g.of(word)} {words.status(word)}", _(what)) for word, what in STATUS_HELP]
        note = _(
            "Marks are kept by task id and path: they survive sorting, filtering "
            "and polling; marked rows hidden by a filter are counted in the info "
            "line and the confirmation. The header says when the table was last "
            "updated; when polling falls behind it says so in words, with the reason "
            "(STALE: no answer for 40 s, refused, timed out, token rejected), and "
            "turns amber, then red; the last good data stays."
        )
        self.sections: list[Section] = [*sections, (_("Status"), status), ("", [("", note)])]
        self.shown_width = 0

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(_("efile-tui keys (esc closes)"), classes="title")
            with VerticalScroll(id="help-body"):
                yield Static("", id="help-text", markup=False)
        yield KeyBar(dialog=True)

    def on_resize(self, event: events.Resize) -> None:
        self.call_after_refresh(self.fill)

    def on_mount(self) -> None:
        self.call_after_refresh(self.fill)

    def fill(self) -> None:
        """Lay the text out for the body's width (again after a resize)."""
        body = self.query_one("#help-body", VerticalScroll)
        # Room for the scroll bar whether it shows yet or not (it comes with the text).
        cells = max(20, body.size.width - body.styles.scrollbar_size_vertical - 1)
        if cells != self.shown_width:
            self.shown_width = cells
            self.query_one("#help-text", Static).update(help_text(self.sections, cells))

    @property
    def text(self) -> str:
        """The help as plain text, as laid out (for tests and copying)."""
        return str(self.query_one("#help-text", Static).content)
