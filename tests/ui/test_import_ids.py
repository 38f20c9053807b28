"""Importing task ids in the TUI (I): what is not a task id is refused, naming it."""

from __future__ import annotations

from pathlib import Path

from efile_tui.sim.server import SimServer
from efile_tui.ui.modals.misc import ImportIdsScreen
from tests.ui.harness import build_app, wait_until
from tests.ui.test_main_screen import server  # noqa: F401  (fixture)


async def test_import_refuses_what_is_not_a_task_id(server: SimServer, tmp_path: Path) -> None:  # noqa: F811
    app = build_app(server.url, server.token, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("I")
        modal = await wait_until(
            pilot, lambda: isinstance(app.screen, ImportIdsScreen) and app.screen, what="form"
        )
        modal.query_one("#ids").text = "0123456789abcdef0123456789abcdef not-an-id"
        await pilot.click("#track")
        problems = str(modal.query_one("#problems").render())
        assert "'not-an-id' is not a task id" in problems
        assert isinstance(app.screen, ImportIdsScreen)  # still open: nothing accepted
    assert app.ctx.journal.entries() == []
