"""Pilot tests for the delete confirmation and the refusal sheet."""

from __future__ import annotations

import asyncio
from typing import Any

from textual.app import App
from textual.widgets import Button, Checkbox, Input, Static

from efile_tui.api.models import Operation
from efile_tui.core.preview import DeletePreview
from efile_tui.core.protect import Plan, Rules, refusals
from efile_tui.ui.modals.confirm_delete import ConfirmDeleteScreen, RefusedScreen

HOME = "/public/home/u"


def small(**kw: Any) -> DeletePreview:
    values: dict[str, Any] = dict(
        files=3,
        dirs=1,
        bytes=2048,
        deepest_path=HOME + "/tmp/x",
        max_depth=1,
        largest=((HOME + "/tmp/x", 2000),),
        complete=True,
        stopped_because=None,
    )
    values.update(kw)
    return DeletePreview(**values)


class ModalApp(App[None]):
    """Pushes one screen at start and records what it returned."""

    def __init__(self, screen: Any) -> None:
        super().__init__()
        self.modal = screen
        self.results: list[Any] = []

    def on_mount(self) -> None:
        self.push_screen(self.modal, self.results.append)


class Gate:
    """A preview that finishes only when the test says so."""

    def __init__(self, result: DeletePreview | Exception) -> None:
        self.result = result
        self.event = asyncio.Event()
        self.calls = 0

    async def __call__(self) -> DeletePreview:
        self.calls += 1
        await self.event.wait()
        if isinstance(self.result, Exception):
            raise self.result
        return self.result


async def wait_for(pilot: Any, condition: Any, tries: int = 50) -> None:
    for _ in range(tries):
        if condition():
            return
        await pilot.pause()
    raise AssertionError("condition not reached")


def delete_button(app: App[None]) -> Button:
    return app.screen.query_one("#delete", Button)


async def test_focus_on_cancel_and_delete_disabled_until_preview_done() -> None:
    gate = Gate(small())
    screen = ConfirmDeleteScreen([HOME + "/tmp"], gate)
    app = ModalApp(screen)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.focused, Button) and app.focused.id == "cancel"
        assert str(screen.query_one("#title").render()) == "Delete 1 path?"
        assert "Scanning…" in str(screen.query_one("#totals", Static).render())
        assert delete_button(app).disabled
        await pilot.press("tab")  # Delete is disabled, focus cannot land on it
        assert app.focused is None or app.focused.id != "delete"
        gate.event.set()
        await wait_for(pilot, lambda: screen.preview_done)
        text = str(screen.query_one("#totals", Static).render())
        assert "files: 3, folders: 1, size: 2.0 KiB" in text
        assert not screen.typed_required
        assert not delete_button(app).disabled
        app.screen.query_one("#delete", Button).press()
        await pilot.pause()
    assert app.results == [True]
    assert gate.calls == 1


async def test_enter_on_cancel_and_escape_return_false() -> None:
    for keys in (["enter"], ["escape"]):
        gate = Gate(small())
        gate.event.set()
        app = ModalApp(ConfirmDeleteScreen([HOME + "/tmp"], gate))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press(*keys)
            await pilot.pause()
        assert app.results == [False], keys


async def test_many_paths_require_typing_the_count() -> None:
    paths = [f"{HOME}/f{i}" for i in range(12)]
    gate = Gate(small(files=12))
    gate.event.set()
    screen = ConfirmDeleteScreen(paths, gate)
    app = ModalApp(screen)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: screen.preview_done)
        assert str(screen.query_one("#title").render()) == "Delete 12 paths?"
        assert screen.typed_required and screen.expected_text == "12"
        typed = screen.query_one("#typed", Input)
        assert typed.display
        assert delete_button(app).disabled
        assert app.focused is typed  # typing is the next step: no tabbing to the field
        await pilot.press("1", "3")
        await pilot.pause()
        assert delete_button(app).disabled
        await pilot.press("backspace", "2")
        await pilot.pause()
        assert not delete_button(app).disabled
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [True]


async def test_deep_or_big_folder_requires_typing_its_name() -> None:
    cases = [
        small(max_depth=6),
        small(files=1001),
        small(bytes=11 * 1024**3),
    ]
    for preview in cases:
        gate = Gate(preview)
        gate.event.set()
        screen = ConfirmDeleteScreen([HOME + "/proj/run-7/"], gate)
        app = ModalApp(screen)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda s=screen: s.preview_done)
            assert screen.typed_required and screen.expected_text == "run-7"
            assert delete_button(app).disabled
            screen.query_one("#typed", Input).value = "run-"
            await pilot.pause()
            assert delete_button(app).disabled
            screen.query_one("#typed", Input).value = "run-7"
            await pilot.pause()
            assert not delete_button(app).disabled
            await pilot.press("escape")
            await pilot.pause()
        assert app.results == [False]


async def test_incomplete_preview_needs_the_checkbox() -> None:
    gate = Gate(small(complete=False, stopped_because="entry limit (20,000)", files=20000))
    gate.event.set()
    screen = ConfirmDeleteScreen([HOME + "/big"], gate)
    app = ModalApp(screen)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: screen.preview_done)
        assert "preview incomplete: entry limit (20,000)" in str(
            screen.query_one("#preview", Static).render()
        )
        accept = screen.query_one("#accept", Checkbox)
        assert accept.display and screen.needs_acceptance
        screen.query_one("#typed", Input).value = "big"
        await pilot.pause()
        assert delete_button(app).disabled  # typed, but not accepted
        assert "X" not in str(accept.render())  # the state shows without colour
        accept.value = True
        await pilot.pause()
        assert "X" in str(accept.render())
        assert not delete_button(app).disabled
        accept.value = False
        await pilot.pause()
        assert delete_button(app).disabled


async def test_failed_preview_is_shown_and_can_be_accepted() -> None:
    gate = Gate(RuntimeError("service unreachable"))
    gate.event.set()
    screen = ConfirmDeleteScreen([HOME + "/tmp"], gate)
    app = ModalApp(screen)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: screen.preview_done)
        preview = screen.query_one("#totals", Static)
        assert "preview failed: service unreachable" in str(preview.render())
        assert preview.has_class("-error")
        assert screen.needs_acceptance and screen.typed_required
        screen.query_one("#accept", Checkbox).value = True
        screen.query_one("#typed", Input).value = "tmp"
        await pilot.pause()
        assert not delete_button(app).disabled


async def test_refused_sheet_lists_reasons() -> None:
    plan = Plan.of(Operation.DELETE, ["/", HOME, "/public/home", HOME + "/ok", HOME + "/keep/x"])
    refused = list(refusals(plan, Rules(HOME, (HOME + "/keep",))).items())
    assert [p for p, _ in refused] == ["/", HOME, "/public/home", HOME + "/keep/x"]
    assert RefusedScreen(dict(refused)).refused == refused  # a {path: reason} works too
    app = ModalApp(RefusedScreen(refused))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert str(app.screen.query_one("#title").render()) == "Refused: protected paths"
        text = "\n".join(str(s.render()) for s in app.screen.query(Static))
        assert "your home folder" in text and "deny-list" in text
        assert isinstance(app.focused, Button) and app.focused.id == "ok"
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [None]
