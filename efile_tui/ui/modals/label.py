"""A small form: the label to give the marked tasks (empty clears it)."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from efile_tui.core.query import label_problem
from efile_tui.core.text import literal
from efile_tui.i18n import N_, _, shown
from efile_tui.ui.widgets.keybar import KeyBar


class LabelScreen(ModalScreen[str | None]):
    """Ask for a label for ``count`` tasks; dismisses with the text ("" clears) or None.

    ``labels`` are the tasks' current labels: when they all agree, the form starts with it.
    """

    DEFAULT_CSS = """
    LabelScreen { align: center middle; }
    LabelScreen > Vertical {
        width: 70; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary 60%; background: $surface; padding: 0 1;
    }
    LabelScreen #problem { color: $error; height: auto; }
    LabelScreen Horizontal { height: auto; align-horizontal: right; }
    LabelScreen Button { margin: 0 0 0 2; }
    """
    BINDINGS = [Binding("escape", "dismiss(None)", N_("Back"))]

    def __init__(self, count: int, labels: Sequence[str] = ()) -> None:
        super().__init__()
        self.count = count
        self.current = labels[0] if labels and len(set(labels)) == 1 else ""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(
                literal(
                    _("Label for {n} task(s) — empty clears it; filter with --label").format(
                        n=self.count
                    )
                )
            )
            yield Input(value=self.current, placeholder=_("e.g. run-42"), id="label")
            yield Static("", id="problem")
            with Horizontal():
                yield Button(_("Back"), id="back")
                yield Button(_("Label"), id="apply", variant="primary")
        yield KeyBar(dialog=True)

    def on_mount(self) -> None:
        self.query_one("#label", Input).focus()

    def on_input_submitted(self) -> None:
        self._apply()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "apply":
            self._apply()
        else:
            self.dismiss(None)

    def _apply(self) -> None:
        text = self.query_one("#label", Input).value.strip()
        problem = label_problem(text, _("the label")) if text else None
        if problem:
            self.query_one("#problem", Static).update(literal(shown(problem)))
            return
        self.dismiss(text)
