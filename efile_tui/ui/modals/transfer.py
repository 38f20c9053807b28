"""Ask where to copy or move paths, and what to do when a name already exists there.

The target is checked as it is typed (absolute, well-formed, not a source itself or inside
one; for a move, not the folder a source is already in; for a copy into a source's own
folder, only "keep both" makes sense). Whether it exists is the service's business.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from efile_tui.api.models import Operation
from efile_tui.core.validate import normalise_path, path_problem

SHOWN_PATHS = 500
CONFLICT_POLICIES = ("both", "cover")


@dataclass(frozen=True)
class TransferChoice:
    """Where to put the sources and how to handle a name that exists at the target."""

    target: str
    on_conflict: str  # "cover" (overwrite) | "both" (keep both)


def target_problem(
    operation: Operation, sources: Sequence[str], target: str, on_conflict: str
) -> str | None:
    """Why ``target`` cannot receive ``sources``, or None (checks only what is known here)."""
    text = target.strip()
    problem = path_problem(text)
    if problem:
        return problem
    norm = normalise_path(text)
    for source in sources:
        src = normalise_path(source)
        if norm == src:
            return f"the target {norm} is one of the paths being {_verb(operation)}"
        if norm.startswith(src.rstrip("/") + "/"):
            return f"the target {norm} is inside {src}, which is being {_verb(operation)}"
        if posixpath.dirname(src) == norm:
            if operation is Operation.MOVE:
                return f"{src} is already in {norm}: pick another folder"
            if on_conflict == "cover":
                return f"copying {src} onto itself with overwrite: choose keep both"
    return None


class _Choice(RadioButton):
    """A radio button whose dot is only drawn when on (readable without colour)."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # Textual's class constant
        """The glyph inside the button: a dot when chosen, blank otherwise."""
        return "●" if self.value else " "


def _verb(operation: Operation) -> str:
    return "moved" if operation is Operation.MOVE else "copied"


class TransferScreen(ModalScreen[TransferChoice | None]):
    """Pick the target folder and conflict policy for a copy or move."""

    AUTO_FOCUS = "#cancel"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    TransferScreen { align: center middle; }
    TransferScreen > #dialog {
        width: 96; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    TransferScreen #title { text-style: bold; padding-bottom: 1; }
    TransferScreen #sources {
        height: auto; max-height: 5; border-left: tall $primary; padding-left: 1;
    }
    TransferScreen #target-label { margin-top: 1; }
    TransferScreen #target.-error { border: tall $error; }
    TransferScreen #target-error { color: $text-error; display: none; }
    TransferScreen #target-error.-visible { display: block; }
    TransferScreen #conflict { width: 100%; margin-top: 1; }
    TransferScreen #buttons { height: auto; align-horizontal: right; margin-top: 1; }
    TransferScreen #buttons Button { margin-left: 2; }
    """

    def __init__(self, operation: Operation, paths: list[str], default_target: str) -> None:
        super().__init__()
        self.operation = operation
        self.paths = list(paths)
        self.default_target = default_target
        self.verb = "Move" if operation is Operation.MOVE else "Copy"

    def compose(self) -> ComposeResult:
        """Title, sources, target input with its error line, policy, buttons."""
        n = len(self.paths)
        shown = self.paths[:SHOWN_PATHS]
        if n > SHOWN_PATHS:
            shown.append(f"… and {n - SHOWN_PATHS:,} more")
        with Vertical(id="dialog"):
            yield Label(f"{self.verb} {n:,} path{'' if n == 1 else 's'} to…", id="title")
            with VerticalScroll(id="sources"):
                yield Static("\n".join(shown), markup=False)
            yield Label("Target folder (absolute path):", id="target-label")
            yield Input(self.default_target, id="target", placeholder="/public/home/USER/dir")
            yield Static("", markup=False, id="target-error")
            with RadioSet(id="conflict", compact=True):
                yield _Choice("keep both (the new copy is renamed)", value=True, id="both")
                yield _Choice("overwrite what exists (cover)", id="cover")
            with Horizontal(id="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button(self.verb, id="confirm", variant="warning")

    def on_mount(self) -> None:
        """Focus Cancel and check the default target."""
        self.query_one("#cancel", Button).focus()
        self._validate()

    @property
    def on_conflict(self) -> str:
        """The chosen conflict policy: "both" or "cover"."""
        pressed = self.query_one("#conflict", RadioSet).pressed_button
        return pressed.id if pressed is not None and pressed.id in CONFLICT_POLICIES else "both"

    def _validate(self) -> str | None:
        field = self.query_one("#target", Input)
        problem = target_problem(self.operation, self.paths, field.value, self.on_conflict)
        field.set_class(problem is not None, "-error")
        error = self.query_one("#target-error", Static)
        error.update(problem or "")
        error.set_class(problem is not None, "-visible")
        self.query_one("#confirm", Button).disabled = problem is not None
        return problem

    @on(Input.Changed, "#target")
    @on(RadioSet.Changed, "#conflict")
    def _changed(self) -> None:
        self._validate()

    @on(Input.Submitted, "#target")
    @on(Button.Pressed, "#confirm")
    def _confirm(self) -> None:
        if self._validate() is None:
            target = normalise_path(self.query_one("#target", Input).value.strip())
            self.dismiss(TransferChoice(target, self.on_conflict))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)
