"""Delete confirmation that scales with the blast radius, and the refusal sheet.

:class:`ConfirmDeleteScreen` lists the paths, runs the bounded preview walk in a worker of
its own, and keeps Delete disabled until the preview has finished. Focus starts on Cancel.
An incomplete (or failed) preview must be accepted explicitly with a checkbox; a large or
deep delete must be confirmed by typing the path count (several paths) or the last path
component (one path). The screen returns ``True`` only through the Delete button.

:class:`RefusedScreen` explains why protected paths were refused; nothing was sent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Static

from efile_tui.api.models import Operation
from efile_tui.core.pipeline import (
    DEFAULT_THRESHOLDS,
    Confirmation,
    Thresholds,
    confirmation,
    delete_guards,
    typed_by_count,
)
from efile_tui.core.preview import DeletePreview
from efile_tui.core.protect import Inspection, Plan
from efile_tui.core.text import clean
from efile_tui.i18n import N_, _, ngettext, shown
from efile_tui.ui.format import dialog_cells, error_text, fitted, full_paths, listing
from efile_tui.ui.modals.misc import TextScreen
from efile_tui.ui.widgets.keybar import KeyBar

CHROME_ROWS = 5  # the dialog's borders (2), title, totals and the key bar


class _Tick(Checkbox):
    """A checkbox whose X is only drawn when ticked (readable without colour)."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # Textual's class constant
        """The glyph inside the box: X when ticked, blank otherwise."""
        return "X" if self.value else " "


class ConfirmDeleteScreen(ModalScreen[bool]):
    """Confirm deleting ``paths``; the preview coroutine is run by this screen."""

    AUTO_FOCUS = "#cancel"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel")),
        Binding("ctrl+o", "full_paths", N_("Full paths")),
    ]
    DEFAULT_CSS = """
    ConfirmDeleteScreen { align: center middle; }
    ConfirmDeleteScreen > #dialog {
        width: 96; max-width: 100%; height: auto; max-height: 100%;  /* format.DIALOG_WIDTH */
        border: thick $error; background: $surface; padding: 0 1;
    }
    ConfirmDeleteScreen #title { text-style: bold; width: 100%; padding-bottom: 1; }
    ConfirmDeleteScreen.-small #title { padding-bottom: 0; }
    ConfirmDeleteScreen #paths {
        height: auto; max-height: 6; border-left: tall $error; padding-left: 1;
    }
    ConfirmDeleteScreen #totals { height: auto; text-style: bold; }
    ConfirmDeleteScreen #totals.-error { color: $text-error; }
    ConfirmDeleteScreen #details { height: auto; }
    ConfirmDeleteScreen #preview { height: auto; }
    ConfirmDeleteScreen #accept { display: none; }
    ConfirmDeleteScreen #accept.-visible { display: block; }
    ConfirmDeleteScreen #typed-prompt, ConfirmDeleteScreen #typed { display: none; }
    ConfirmDeleteScreen #typed-prompt.-visible { display: block; }
    ConfirmDeleteScreen #typed.-visible { display: block; }
    ConfirmDeleteScreen #typed-error { color: $text-error; height: auto; }
    ConfirmDeleteScreen #buttons { height: auto; align-horizontal: right; }
    ConfirmDeleteScreen #buttons Button { margin-left: 2; }
    """

    def __init__(
        self,
        paths: list[str],
        preview: Callable[[], Awaitable[Confirmation | DeletePreview]],
        *,
        thresholds: Thresholds = DEFAULT_THRESHOLDS,
    ) -> None:
        super().__init__()
        self.paths = list(paths)
        self._preview = preview
        self.thresholds = thresholds
        # What core.pipeline decided (refusals, typing, accepting): shown, never decided here.
        self.confirmation: Confirmation | None = None
        self.preview_result: DeletePreview | None = None
        self.preview_error: str | None = None
        self.preview_done = False
        self._accept = False  # an incomplete or failed walk must be accepted explicitly
        self._details: list[str] = []  # the preview's lines, elided to the width when shown
        self.typed_required, self.expected_text = typed_by_count(self.paths, thresholds)

    def compose(self) -> ComposeResult:
        """Title with the count, the paths, the preview, the guards and the buttons."""
        with Vertical(id="dialog"):
            n = len(self.paths)
            title = ngettext("Delete {n} path?", "Delete {n} paths?", n).format(n=f"{n:,}")
            yield Label(title, id="title")
            with VerticalScroll(id="paths"):
                yield Static(
                    listing(self.paths, dialog_cells(self.app.size.width)),
                    markup=False,
                    id="path-list",
                )
            yield Static(_("Scanning…"), markup=False, id="totals")
            with VerticalScroll(id="details"):
                yield Static("", markup=False, id="preview")
            yield _Tick(_("I accept an incomplete preview"), id="accept", compact=True)
            yield Label("", id="typed-prompt", markup=False)
            yield Input("", id="typed", placeholder=_("type here to confirm"), compact=True)
            yield Static("", markup=False, id="typed-error")
            with Horizontal(id="buttons"):
                yield Button(_("Cancel"), id="cancel", variant="default")
                yield Button(_("Delete"), id="delete", variant="error", disabled=True)
        yield KeyBar(dialog=True)

    def on_mount(self) -> None:
        """Focus Cancel and start the preview walk."""
        self.query_one("#cancel", Button).focus()
        self._show_typed()
        self.run_worker(
            self._run_preview(), exclusive=True, group="delete-preview", exit_on_error=False
        )

    def action_full_paths(self) -> None:
        """Show the paths the list elides, in full (copyable)."""
        self.app.push_screen(TextScreen(*full_paths(self.paths, dialog_cells(self.app.size.width))))

    def on_resize(self, event: events.Resize) -> None:
        """Fit the dialog to the new size; paths are elided to its new width."""
        self._fit(event.size.height)
        self._show_lines(event.size.width)

    def _show_lines(self, screen_width: int) -> None:
        """The paths and the preview's details, each line elided to the dialog's width
        (a long name never wraps over many lines, however long it is)."""
        cells = dialog_cells(screen_width)
        self.query_one("#path-list", Static).update(listing(self.paths, cells))
        details = "\n".join(fitted(line, cells) for line in self._details)
        self.query_one("#preview", Static).update(details)

    def _fit(self, height: int) -> None:
        """What is decided (paths, totals) stays on top at every size from 60×15; the
        preview's details scroll (small terminals get one-line buttons, as every dialog:
        app.tcss, ``.-short``)."""
        small = height < 24
        self.set_class(small, "-small")
        paths = 2 if small else 6
        self.query_one("#paths").styles.max_height = paths
        guards = 4 if self.typed_required or self.needs_acceptance else 1
        fixed = CHROME_ROWS + (1 if small else 5) + guards + paths
        self.query_one("#details").styles.max_height = max(1, height - fixed)

    async def _run_preview(self) -> None:
        try:
            result = await self._preview()
        except Exception as exc:  # shown to the user, who may still accept (see below)
            self.preview_error = error_text(exc)
            totals = self.query_one("#totals", Static)
            failed = clean(self.preview_error, keep_newlines=True)
            totals.update(_("preview failed: {why}").format(why=failed))
            totals.add_class("-error")
            self.typed_required, _hidden, self._accept = delete_guards(self.paths, None)
        else:
            if isinstance(result, DeletePreview):  # a bare walk: the rules still apply
                plan = Plan.of(Operation.DELETE, self.paths)
                result = confirmation(plan, Inspection(preview=result), self.thresholds)
            self.confirmation = result
            self.preview_result = preview = result.preview
            self.typed_required, self._accept = result.typed, result.accept_incomplete
            totals = self.query_one("#totals", Static)
            first, *rest = preview.summary_lines() if preview else ("", "")
            if result.refused:
                refused = _("REFUSED: protected paths inside; nothing can be deleted here.")
                first = f"{refused} {first}"
                rest = [*(f"  {shown(r)}" for r in result.refused.values()), *rest]
                totals.add_class("-error")
            totals.update(fitted(first, 2 * dialog_cells(self.app.size.width), "end"))
            self._details = list(rest)
            self._show_lines(self.app.size.width)
        self.preview_done = True
        self.query_one("#accept", Checkbox).set_class(self.needs_acceptance, "-visible")
        self._show_typed()
        self._update_delete()
        self._fit(self.size.height)
        focused = self.focused
        if self.typed_required and not self.needs_acceptance and focused and focused.id == "cancel":
            # Typing is the next step, and Enter there deletes only on an exact match, so
            # the field can take focus (from Cancel, three tabs away) without any risk.
            self.query_one("#typed", Input).focus()

    @property
    def needs_acceptance(self) -> bool:
        """The preview failed or is incomplete: the checkbox must be ticked."""
        return self.preview_done and self._accept

    @property
    def can_delete(self) -> bool:
        """Every guard is satisfied: preview done, accepted if needed, typed if needed."""
        if not self.preview_done:
            return False
        if self.confirmation is not None and not self.confirmation.allowed:
            return False  # refused (a protected path inside): never
        if self.needs_acceptance and not self.query_one("#accept", Checkbox).value:
            return False
        if self.typed_required:
            return self.query_one("#typed", Input).value == self.expected_text
        return True

    def _show_typed(self) -> None:
        prompt = self.query_one("#typed-prompt", Label)
        if len(self.paths) != 1:
            ask = _("To confirm, type the number of paths: {text}")
        else:
            ask = _("To confirm, type the name: {text}")
        prompt.update(ask.format(text=clean(self.expected_text)))
        prompt.set_class(self.typed_required, "-visible")
        self.query_one("#typed", Input).set_class(self.typed_required, "-visible")

    def _update_delete(self) -> None:
        self.query_one("#delete", Button).disabled = not self.can_delete

    @on(Checkbox.Changed, "#accept")
    @on(Input.Changed, "#typed")
    def _guard_changed(self) -> None:
        self.query_one("#typed-error", Static).update("")
        self._update_delete()

    @on(Input.Submitted, "#typed")
    def _typed_enter(self) -> None:
        if self.can_delete:
            self.dismiss(True)
            return
        value = self.query_one("#typed", Input).value
        if not self.preview_done:
            why = _("Wait for the preview to finish.")
        elif self.needs_acceptance and not self.query_one("#accept", Checkbox).value:
            why = _("Tick “I accept an incomplete preview” first.")
        elif not value:
            why = _("The field is empty: type {text} to delete.").format(text=self.expected_text)
        else:
            why = _("“{value}” does not match: type {text} exactly.").format(
                value=value, text=self.expected_text
            )
        self.query_one("#typed-error", Static).update(why)

    @on(Button.Pressed, "#delete")
    def _delete(self) -> None:
        if self.can_delete:
            self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close without deleting anything."""
        self.dismiss(False)


class RefusedScreen(ModalScreen[None]):
    """Protected paths were marked for deletion: say which and why; nothing was sent."""

    AUTO_FOCUS = "#ok"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", N_("Close"))]
    DEFAULT_CSS = """
    RefusedScreen { align: center middle; }
    RefusedScreen > #dialog {
        width: 96; max-width: 100%; height: auto; max-height: 100%;  /* format.DIALOG_WIDTH */
        border: thick $warning; background: $surface; padding: 0 1;
    }
    RefusedScreen #title { text-style: bold; padding-bottom: 1; }
    RefusedScreen #reasons { height: auto; max-height: 1fr; }
    RefusedScreen #buttons { height: auto; align-horizontal: right; margin-top: 1; }
    """

    def __init__(self, refused: Mapping[str, str] | Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.refused = list(refused.items() if isinstance(refused, Mapping) else refused)

    def compose(self) -> ComposeResult:
        """Title, one line per refused path with its reason, and OK."""
        with Vertical(id="dialog"):
            yield Label(_("Refused: protected paths"), id="title")
            lines = [f"• {clean(shown(reason))}" for _path, reason in self.refused]
            lines.append("\n" + _("Nothing was sent. Unmark these paths to act on the others."))
            with VerticalScroll(id="reasons"):
                yield Static("\n".join(lines), markup=False)
            with Horizontal(id="buttons"):
                yield Button(_("OK"), id="ok", variant="primary")
        yield KeyBar(dialog=True)

    @on(Button.Pressed, "#ok")
    def action_close(self) -> None:
        """Close the sheet."""
        self.dismiss(None)
