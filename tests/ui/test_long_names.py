"""Untrusted lengths are bounded on screen: the delete and copy/move dialogs show every
path elided to the dialog's width (re-elided when the terminal is resized), so 200 names
of 40,000 characters make the same few screen lines as short names do."""

from __future__ import annotations

from textual.widgets import Static

from efile_tui.api.models import Operation
from efile_tui.core.cells import width
from efile_tui.ui.format import dialog_cells, fitted, listing
from efile_tui.ui.messages import CopyText
from efile_tui.ui.modals.confirm_delete import ConfirmDeleteScreen
from efile_tui.ui.modals.misc import TextScreen
from efile_tui.ui.modals.transfer import TransferScreen
from tests.ui.test_confirm_delete import HOME, Gate, ModalApp, small, wait_for

LONG = 40_000


def long_names(count: int = 200) -> list[str]:
    return [f"{HOME}/run/{'x' * LONG}-{i:03d}.dat" for i in range(count)]


def test_a_long_path_is_cut_in_the_middle_and_cleaned() -> None:
    path = f"{HOME}/\x1b[31m{'y' * LONG}/tail-007.dat"
    shown = fitted(path, 40)
    assert width(shown) <= 40 and shown.endswith("tail-007.dat") and "…" in shown
    assert "\x1b" not in shown  # the control character is made visible, not sent
    assert fitted("/short/path", 40) == "/short/path"
    text = listing([path] * 600, 30)
    lines = text.splitlines()
    assert len(lines) == 501 and lines[-1] == "… and 100 more"
    assert max(width(line) for line in lines) <= 30


def _lines(screen: ConfirmDeleteScreen | TransferScreen, selector: str) -> list[str]:
    return str(screen.query_one(selector, Static).render()).splitlines()


async def test_the_delete_dialog_elides_every_path_to_its_width() -> None:
    paths = long_names()
    preview = small(deepest_path=paths[7], largest=((paths[3], 10),))
    gate = Gate(preview)
    gate.event.set()
    screen = ConfirmDeleteScreen(paths, gate)
    app = ModalApp(screen)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: screen.preview_done)
        cells = dialog_cells(100)
        shown = _lines(screen, "#path-list")
        assert len(shown) == 200 and max(width(line) for line in shown) <= cells
        assert shown[42].endswith("x-042.dat")  # the end that tells them apart is kept
        details = _lines(screen, "#preview")
        assert any(line.endswith("x-007.dat (depth 1)") for line in details)
        assert max(width(line) for line in details) <= cells
        await pilot.resize_terminal(60, 24)
        await wait_for(pilot, lambda: max(map(width, _lines(screen, "#path-list"))) <= 52)
        assert max(width(line) for line in _lines(screen, "#preview")) <= dialog_cells(60)


async def test_the_copy_dialog_elides_every_path_to_its_width() -> None:
    async def existing(target: str, names: list[str]) -> list[str]:
        return []

    screen = TransferScreen(Operation.COPY, long_names(), f"{HOME}/run", existing=existing)
    app = ModalApp(screen)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        shown = str(screen.query_one("#sources Static", Static).render()).splitlines()
        assert len(shown) == 200 and max(width(line) for line in shown) <= dialog_cells(100)


class CopyingApp(ModalApp):
    """Records what its screens copy (the real app puts it on the clipboard)."""

    def __init__(self, screen: object) -> None:
        super().__init__(screen)
        self.copied: list[str] = []

    def on_copy_text(self, message: CopyText) -> None:
        self.copied.append(message.text)


def _dialogs(paths: list[str]) -> list[ConfirmDeleteScreen | TransferScreen]:
    async def existing(target: str, names: list[str]) -> list[str]:
        return []

    gate = Gate(small())
    gate.event.set()
    return [
        ConfirmDeleteScreen(paths, gate),
        TransferScreen(Operation.MOVE, paths, f"{HOME}/run", existing=existing),
    ]


async def test_the_full_paths_are_one_key_away_and_copyable() -> None:
    """ctrl+o in the delete and copy/move dialogs shows the elided paths whole (the text
    a 40,000-character name really is), and y copies them; short names: all of them."""
    short = [f"{HOME}/run/a-{i}.dat" for i in range(3)]
    mixed = [*short[:2], *long_names(4), short[2]]  # elided: the four long ones
    for paths, expected in ((mixed, mixed[2:6]), (short, short)):
        for dialog in _dialogs(paths):
            await _full_paths_shown(dialog, expected)


async def _full_paths_shown(
    dialog: ConfirmDeleteScreen | TransferScreen, expected: list[str]
) -> None:
    app = CopyingApp(dialog)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, TextScreen))
        view = app.screen
        assert isinstance(view, TextScreen)
        assert view.text.split("\n") == expected
        await pilot.press("y")
        await wait_for(pilot, lambda: app.copied)
        assert app.copied == ["\n".join(expected)]
        await pilot.press("escape")  # back to the dialog, unchanged
        await wait_for(pilot, lambda: app.screen is dialog)
