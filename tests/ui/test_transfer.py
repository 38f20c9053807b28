"""Pilot tests for the copy/move target dialog."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.widgets import Button, Input, Label, RadioButton, Static

from efile_tui.api.models import Operation
from efile_tui.core.protect import target_problem
from efile_tui.ui.modals.transfer import TransferChoice, TransferScreen

HOME = "/public/home/u"
SOURCES = [HOME + "/proj/a.txt", HOME + "/proj/data"]


class ModalApp(App[None]):
    def __init__(self, screen: Any) -> None:
        super().__init__()
        self.modal = screen
        self.results: list[Any] = []

    def on_mount(self) -> None:
        self.push_screen(self.modal, self.results.append)


def error_text(app: App[None]) -> str:
    return str(app.screen.query_one("#target-error", Static).render())


def test_target_problem_rules() -> None:
    copy, move = Operation.COPY, Operation.MOVE
    assert target_problem(copy, SOURCES, HOME + "/backup", "both") is None
    assert "relative" in (target_problem(copy, SOURCES, "backup", "both") or "")
    assert "inside" in (target_problem(copy, SOURCES, HOME + "/proj/data/x", "both") or "")
    assert "one of the paths" in (target_problem(move, SOURCES, HOME + "/proj/data/", "both") or "")
    assert "already in" in (target_problem(move, SOURCES, HOME + "/proj", "both") or "")
    assert target_problem(copy, SOURCES, HOME + "/proj", "both") is None
    assert "onto itself" in (target_problem(copy, SOURCES, HOME + "/proj", "cover") or "")
    # A sibling whose name starts like a source is not inside it.
    assert target_problem(copy, SOURCES, HOME + "/proj/data2", "both") is None


async def test_copy_returns_choice_with_policy() -> None:
    app = ModalApp(TransferScreen(Operation.COPY, SOURCES, HOME + "/proj"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert str(screen.query_one("#title", Label).render()) == "Copy 2 paths to…"
        assert isinstance(app.focused, Input) and app.focused.id == "target"  # type at once
        confirm = screen.query_one("#confirm", Button)
        assert str(confirm.label) == "Copy"
        assert not confirm.disabled  # copying into the same folder keeps both: fine
        cover = screen.query_one("#cover", RadioButton)
        assert "●" not in str(cover.render())  # the choice shows without colour
        assert "●" in str(screen.query_one("#both", RadioButton).render())
        assert "the new copy is renamed" in str(screen.query_one("#both", RadioButton).render())
        cover.value = True
        await pilot.pause()
        assert confirm.disabled and "onto itself" in error_text(app)
        target = screen.query_one("#target", Input)
        target.value = "//public/home/u/backup/"
        await pilot.pause()
        assert not confirm.disabled and error_text(app) == ""
        confirm.press()
        await pilot.pause()
    assert app.results == [TransferChoice(HOME + "/backup", "cover")]


async def test_move_validates_inline_and_enter_submits() -> None:
    app = ModalApp(TransferScreen(Operation.MOVE, SOURCES, HOME + "/proj"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert str(screen.query_one("#title", Label).render()) == "Move 2 paths to…"
        keep_both = str(screen.query_one("#both", RadioButton).render())
        assert "the moved one is renamed" in keep_both and "copy" not in keep_both
        target = screen.query_one("#target", Input)
        # Not pre-filled with the sources' own folder (always refused for a move).
        assert target.value == "" and app.focused is target
        assert screen.query_one("#confirm", Button).disabled
        await pilot.press("enter")  # Enter on the empty field says what to do
        await pilot.pause()
        assert app.results == [] and "type the folder to move into" in error_text(app)
        target.value = HOME + "/proj"
        await pilot.pause()
        assert target.has_class("-error") and "already in" in error_text(app)
        target.value = HOME + "/proj/data/sub"
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == []  # refused inline
        assert "inside" in error_text(app)
        target.value = "relative/path"
        await pilot.pause()
        assert "relative" in error_text(app)
        target.value = HOME + "/archive"
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [TransferChoice(HOME + "/archive", "both")]


async def test_cancel_and_escape_return_none() -> None:
    for key in ("enter", "escape"):
        app = ModalApp(TransferScreen(Operation.COPY, SOURCES, HOME))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            if key == "enter":
                app.screen.query_one("#cancel", Button).focus()
            await pilot.press(key)
            await pilot.pause()
        assert app.results == [None], key
