"""The path pane's path bar: type a folder to jump to, with a message line for problems.

The bar checks what is typed (``core.validate``) and hands a valid path to the pane's
``jump`` callback; the pane asks for that folder and shows the answer (or the error) here.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from efile_tui.core.text import clean
from efile_tui.core.validate import normalise_path, path_problem
from efile_tui.i18n import _


class PathBar(Vertical):
    """The path input (``#path-bar``) and its message line (``#path-bar-message``)."""

    DEFAULT_CSS = """
    PathBar { height: auto; }
    PathBar > #path-bar { border: none; height: 1; padding: 0 1; }
    PathBar > #path-bar.-error { background: $error 30%; }
    PathBar > #path-bar-message { color: $text-error; padding: 0 1; display: none; }
    """

    def __init__(
        self,
        path: str,
        *,
        current: Callable[[], str],
        jump: Callable[[str], None],
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.path = path
        self.current = current  # the folder shown: editing back to it clears the problem
        self.jump = jump  # opens a valid, normalised path

    def compose(self) -> ComposeResult:
        """The input and its (hidden) message line."""
        yield Input(self.path, id="path-bar", placeholder=_("/absolute/path"))
        yield Static("", id="path-bar-message", markup=False)

    @property
    def field(self) -> Input:
        """The path input."""
        return self.query_one("#path-bar", Input)

    @property
    def has_problem(self) -> bool:
        """True while a problem is shown under the bar."""
        return self.query_one("#path-bar-message", Static).display

    def focus_for_typing(self) -> None:
        """Focus the input with its text selected, ready to type a path."""
        field = self.field
        self.display = True  # back from the folded border while it is typed in
        self.screen.set_focus(field)
        field.select_all()

    def show(self, value: str | None, problem: str | None) -> None:
        """Set the text (unless None) and show ``problem`` under the bar (None hides it)."""
        field = self.field
        if value is not None:
            field.value = clean(value)
        field.set_class(problem is not None, "-error")
        message = self.query_one("#path-bar-message", Static)
        message.update(clean(problem))
        message.display = problem is not None

    @on(Input.Submitted, "#path-bar")
    def _jump(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        problem = path_problem(text)
        self.show(None, problem)
        if problem is None:
            self.jump(normalise_path(text))

    @on(Input.Changed, "#path-bar")
    def _edited(self, event: Input.Changed) -> None:
        event.stop()
        if event.value.strip() != self.current():
            self.show(None, None)
