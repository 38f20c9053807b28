"""The hostile-string corpus through every screen, modal, table, toast and the header.

The app runs against the hostile fake service on loopback: file names, task ids, paths,
statuses, messages and the endpoint all carry markup, control sequences, bidi and invisible
characters. Each surface must show them literally (the markup text is visible, so it was
not parsed), nothing raw may reach the terminal, no action may run and nothing may raise.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from efile_tui.api.models import Operation, SubmitItem
from efile_tui.core.operations import submit_tracked
from efile_tui.ui.app import EfileApp
from efile_tui.ui.modals.cancel import CancelResultsScreen, ConfirmCancelScreen
from efile_tui.ui.modals.misc import LogScreen, TextScreen
from tests.hostile import CORPUS, EVERYTHING, NAMES, raw_controls
from tests.hostile_service import HOME, TOKEN, HostileService
from tests.ui.harness import build_app, wait_until

HEADER = "[@click=app.quit]h[/]u[/]\x1b]0;t\x07\u202e"  # short enough to stay in the header
_TEXT = re.compile(r"<text[^>]*>(.*?)</text>", re.S)


@pytest.fixture
def service() -> Iterator[HostileService]:
    server = HostileService(mode="markup").start()
    yield server
    server.stop()


def screen_text(app: EfileApp) -> str:
    """Everything on the screen now, as the terminal would show it."""
    svg = app.export_screenshot()
    return html.unescape("".join(_TEXT.findall(svg))).replace("\xa0", " ")


def assert_literal(app: EfileApp, *needles: str) -> str:
    """The screen shows each needle as typed and holds no raw control character."""
    text = screen_text(app)
    assert raw_controls(text) == [], raw_controls(text)
    for needle in needles:
        assert needle in text, f"{needle!r} not shown literally"
    return text


async def test_corpus_renders_literally_everywhere(
    service: HostileService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # where [@click=app.screenshot(...)] would write
    built = build_app(service.url, TOKEN, tmp_path, interval=0.5)
    assert built.ctx is not None
    app = EfileApp(built.ctx, endpoint=HEADER, home=HOME, interval=0.5)  # the header shows it
    items = [SubmitItem(f"{HOME}/x/{n}") for n in NAMES]
    await submit_tracked(app.ctx, Operation.DELETE, items)
    async with app.run_test(size=(200, 60), notifications=True) as pilot:
        main = app.main
        view = main.view
        await wait_until(pilot, lambda: len(view.rows) == len(NAMES), what="task rows")
        pane = main.path_pane
        await wait_until(
            pilot, lambda: pane.marking.known_entry(f"{HOME}/{NAMES[0]}"), what="listing"
        )
        await pilot.pause()
        # Header, task table (ids, sources, errors) and the path pane's names.
        assert_literal(app, "[@click=app.quit]h[/]u[/]␛]0;t␇\\u202e", "[link=https:evil.example]")
        assert_literal(app, "␛[2J␛[Hclear", "evil\\u202etxt.exe")

        # Toasts, whatever their origin.
        app.notify(EVERYTHING, title=EVERYTHING, severity="error")
        main.notify("[/]" + CORPUS[1])
        toast = "[/][@click=app.screenshot("
        await wait_until(pilot, lambda: toast in screen_text(app), what="toast")
        assert_literal(app, toast, "nul␀bytebell␇")

        # Cancel confirmation and result sheet (statuses and messages are hostile too).
        main.table.focus()
        await pilot.press("a", "c")
        confirm = await wait_until(
            pilot, lambda: isinstance(app.screen, ConfirmCancelScreen) and app.screen
        )
        assert_literal(app, "t5-[/bold]close-only", "t4-unbalanced[/]")
        confirm.dismiss(True)  # type: ignore[union-attr]
        await wait_until(pilot, lambda: isinstance(app.screen, CancelResultsScreen))
        await pilot.pause()
        assert_literal(app, "t9-\\[escaped]", "t8-[[double]]")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is main)

        # Task details (title and body) and the audit log.
        main.table.focus()
        await pilot.press("home", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TextScreen))
        await pilot.pause()
        assert_literal(app, "Task t")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is main)
        await pilot.press("L")
        await wait_until(pilot, lambda: isinstance(app.screen, LogScreen))
        await pilot.pause()
        assert_literal(app, "x/[@click=app.quit]x[]")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is main)

        # Delete confirmation (or the refusal sheet) for marked hostile names.
        pane.query_one("#path-table").focus()
        await pilot.press("a", "d")
        await wait_until(pilot, lambda: app.screen is not main, what="delete modal")
        await pilot.pause()
        assert_literal(app, "[@click=app.quit]x[]")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is main)
        assert app.is_running  # no [@click=app.quit] ran
    assert not list(tmp_path.rglob("f.svg"))  # no [@click=app.screenshot(...)] ran


async def test_a_runaway_listing_is_not_polled_in_a_loop(tmp_path: Path) -> None:
    service = HostileService(mode="runaway").start()  # total 10**12, ``start`` ignored
    try:
        app = build_app(service.url, TOKEN, tmp_path)
        async with app.run_test(size=(160, 40)) as pilot:
            pane = app.main.path_pane
            await wait_until(
                pilot, lambda: pane.marking.known_entry(f"{HOME}/a.txt"), what="listing"
            )
            table = pane.query_one("#path-table")
            table.focus()
            await pilot.press("end")  # scrolling to the end asks for the next page
            lists = lambda: [r for r in service.requests if r.path.endswith("/list")]  # noqa: E731
            await wait_until(pilot, lambda: len(lists()) >= 2, what="second page")
            await pilot.pause(1.0)  # idle: a loop would send dozens of requests here
            asked = [r.query.get("start") for r in lists()]
            assert len(asked) <= 5, asked
    finally:
        service.stop()


async def test_a_stalled_listing_ends_in_an_error_not_loading_forever(tmp_path: Path) -> None:
    service = HostileService(mode="drip").start()
    try:
        app = build_app(service.url, TOKEN, tmp_path, deadline=1.0)
        async with app.run_test(size=(160, 40)) as pilot:
            info = app.main.path_pane.query_one("#path-info")
            await wait_until(
                pilot, lambda: "deadline" in str(info.render()), timeout=20, what="error"
            )
            assert "loading" not in str(info.render())
    finally:
        service.stop()
