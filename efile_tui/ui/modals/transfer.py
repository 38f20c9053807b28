"""Ask where to copy or move paths, and what to do when a name already exists there.

The target is checked as it is typed (``core.protect.target_problem``: absolute,
well-formed, not a source itself or inside one; for a move, not the folder a source is
already in; for a copy into a source's own folder, only "keep both" makes sense). Whether
it exists is the service's business.
"""

from __future__ import annotations

import posixpath
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from efile_tui import i18n
from efile_tui.api.errors import EfileError
from efile_tui.api.models import Operation
from efile_tui.core.protect import target_problem
from efile_tui.core.text import clean
from efile_tui.core.validate import normalise_path
from efile_tui.i18n import N_, _, ngettext
from efile_tui.ui.format import dialog_cells, full_paths, listing
from efile_tui.ui.modals.misc import TextScreen
from efile_tui.ui.widgets.keybar import KeyBar

# (target folder, names) -> the names that already exist there; may raise EfileError.
ExistingCheck = Callable[[str, list[str]], Awaitable[list[str]]]
CONFLICT_POLICIES = ("both", "cover")


@dataclass(frozen=True)
class TransferChoice:
    """Where to put the sources and how to handle a name that exists at the target."""

    target: str
    on_conflict: str  # "cover" (overwrite) | "both" (keep both)


class _Choice(RadioButton):
    """A radio button whose dot is only drawn when on (readable without colour)."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # Textual's class constant
        """The glyph inside the button: a dot when chosen, blank otherwise."""
        return "●" if self.value else " "


class TransferScreen(ModalScreen[TransferChoice | None]):
    """Pick the target folder and conflict policy for a copy or move."""

    AUTO_FOCUS = "#target"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel")),
        Binding("ctrl+o", "full_paths", N_("Full paths")),
    ]
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
    TransferScreen #target-note { color: $text-warning; height: auto; }
    TransferScreen #conflict { width: 100%; margin-top: 1; }
    TransferScreen #buttons { height: auto; align-horizontal: right; margin-top: 1; }
    TransferScreen #buttons Button { margin-left: 2; }
    TransferScreen.-small #title { padding-bottom: 0; }
    TransferScreen.-small #sources { max-height: 2; }
    TransferScreen.-small #target-label, TransferScreen.-small #conflict,
    TransferScreen.-small #buttons { margin-top: 0; }
    TransferScreen.-small #target.-error { border: none; }
    """

    def __init__(
        self,
        operation: Operation,
        paths: list[str],
        current_folder: str,
        *,
        existing: ExistingCheck | None = None,
    ) -> None:
        super().__init__()
        self.operation = operation
        self.paths = list(paths)
        # A move into the folder the paths are in is never valid: start empty then.
        self.default_target = "" if operation is Operation.MOVE else current_folder
        self.existing = existing
        self.verb = "Move" if operation is Operation.MOVE else "Copy"
        self._check_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        """Title, sources, target input with its error line, policy, buttons."""
        n = len(self.paths)
        with Vertical(id="dialog"):
            if self.verb == "Move":
                title = ngettext("Move {n} path to…", "Move {n} paths to…", n)
            else:
                title = ngettext("Copy {n} path to…", "Copy {n} paths to…", n)
            yield Label(title.format(n=f"{n:,}"), id="title")
            with VerticalScroll(id="sources"):
                yield Static(listing(self.paths, dialog_cells(self.app.size.width)), markup=False)
            yield Label(_("Target folder (absolute path):"), id="target-label")
            yield Input(
                self.default_target, id="target", placeholder=_("type an absolute folder path")
            )
            yield Static("", markup=False, id="target-error")
            yield Static("", markup=False, id="target-note")
            with RadioSet(id="conflict", compact=True):
                if self.verb == "Move":
                    both = _("keep both (the moved one is renamed)")
                else:
                    both = _("keep both (the new copy is renamed)")
                yield _Choice(both, value=True, id="both")
                yield _Choice(_("overwrite what exists (cover)"), id="cover")
            with Horizontal(id="buttons"):
                yield Button(_("Cancel"), id="cancel")
                yield Button(_(self.verb), id="confirm", variant="warning")
        yield KeyBar(dialog=True)

    def on_resize(self, event: events.Resize) -> None:
        """Small terminals (60×15 included): the dialog's own small layout (its field and
        buttons take one line there as in every dialog: app.tcss, ``.-short``)."""
        self.set_class(event.size.height < 24, "-small")

    def on_mount(self) -> None:
        """Focus the target field and check the default target."""
        self.query_one("#target", Input).focus()
        self._validate()
        self._schedule_check()

    @property
    def on_conflict(self) -> str:
        """The chosen conflict policy: "both" or "cover"."""
        pressed = self.query_one("#conflict", RadioSet).pressed_button
        return pressed.id if pressed is not None and pressed.id in CONFLICT_POLICIES else "both"

    def _validate(self, *, entered: bool = False) -> str | None:
        field = self.query_one("#target", Input)
        empty = not field.value.strip()
        if empty:
            problem: str | None = (
                _("type the folder to move into")
                if self.verb == "Move"
                else _("type the folder to copy into")
            )
        else:
            problem = target_problem(self.operation, self.paths, field.value, self.on_conflict)
        shown = problem is not None and (entered or not empty)  # no red on an empty start
        field.set_class(shown, "-error")
        error = self.query_one("#target-error", Static)
        error.update(clean(i18n.shown(problem)) if shown and problem else "")
        error.set_class(shown, "-visible")
        self.query_one("#confirm", Button).disabled = problem is not None
        return problem

    @on(Input.Changed, "#target")
    @on(RadioSet.Changed, "#conflict")
    def _changed(self) -> None:
        self._validate()
        self._schedule_check()

    def _schedule_check(self) -> None:
        """Ask which names exist in the target once typing pauses."""
        self.query_one("#target-note", Static).update("")
        if self._check_timer is not None:
            self._check_timer.stop()
        if self.existing is not None and self._validate() is None:
            self._check_timer = self.set_timer(0.4, self._check_existing)

    def _check_existing(self) -> None:
        target = normalise_path(self.query_one("#target", Input).value.strip())
        self.run_worker(self._look(target), exclusive=True, group="exists", exit_on_error=False)

    async def _look(self, target: str) -> None:
        assert self.existing is not None
        names = [posixpath.basename(p.rstrip("/")) for p in self.paths]
        note = self.query_one("#target-note", Static)
        try:
            found = await self.existing(target, names)
        except EfileError as exc:
            note.update(_("cannot list {target}: {why}").format(target=target, why=_(exc.title)))
            return
        if normalise_path(self.query_one("#target", Input).value.strip()) != target:
            return  # the field changed meanwhile
        if not found:
            note.update(_("No name clash in {target}.").format(target=target))
            return
        more = _(" and {n} more").format(n=len(found) - 5) if len(found) > 5 else ""
        shown = ", ".join(found[:5]) + more
        if self.operation is Operation.COPY:
            clash = _(
                "Already in {target}: {names}. Keep both renames the new copies; overwrite "
                "replaces what is there."
            )
        else:
            clash = _(
                "Already in {target}: {names}. Keep both renames the new entries; overwrite "
                "replaces what is there."
            )
        note.update(clash.format(target=target, names=shown))

    @on(Input.Submitted, "#target")
    @on(Button.Pressed, "#confirm")
    def _confirm(self) -> None:
        if self._validate(entered=True) is None:
            target = normalise_path(self.query_one("#target", Input).value.strip())
            self.dismiss(TransferChoice(target, self.on_conflict))

    def action_full_paths(self) -> None:
        """Show the paths the list elides, in full (copyable)."""
        self.app.push_screen(TextScreen(*full_paths(self.paths, dialog_cells(self.app.size.width))))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)
