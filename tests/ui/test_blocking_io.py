"""Journal and audit-log calls never run on the UI thread: while one is stuck (a CLI writing
at the same moment, a slow shared home), keys are still answered."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from efile_tui.api.models import Operation
from efile_tui.core.protect import Plan
from efile_tui.sim.server import SimServer
from efile_tui.ui.modals.misc import LogScreen
from tests.ui.harness import HOME, build_app, wait_until
from tests.ui.test_main_screen import server, submit_folders  # noqa: F401  (fixture)


class Stuck:
    """Wraps a blocking call: it waits (in whatever thread runs it) until released."""

    def __init__(self, original: Callable[..., Any]) -> None:
        self.original = original
        self.entered = threading.Event()
        self.release = threading.Event()
        self.returned = threading.Event()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.entered.set()
        self.release.wait(20)
        try:
            return self.original(*args, **kwargs)
        finally:
            self.returned.set()


async def keys_answered_while_stuck(pilot, app, stuck: Stuck) -> None:  # type: ignore[no-untyped-def]
    await wait_until(pilot, stuck.entered.is_set, what="the slow call to start")
    before = app.main.interval
    await pilot.press("plus")
    await wait_until(pilot, lambda: app.main.interval != before, what="the key's effect")
    assert not stuck.returned.is_set(), "the key waited for the journal/audit call"
    stuck.release.set()
    await wait_until(pilot, stuck.returned.is_set, what="the slow call to end")


@pytest.mark.parametrize("where", ["dismiss", "finish_submit", "audit_read"])
async def test_keys_answered_during_a_stuck_journal_or_audit_call(
    server: SimServer,  # noqa: F811
    tmp_path: Path,
    where: str,
) -> None:
    app = build_app(server.url, server.token, tmp_path, interval=0.5)
    await submit_folders(app, ["delta"])
    async with app.run_test(size=(120, 40)) as pilot:
        main = app.main
        view = main.view
        await wait_until(pilot, lambda: view.rows, what="the row")
        (key,) = view.rows
        await wait_until(pilot, lambda: view.rows[key].is_final, what="delta done")
        if where == "dismiss":
            stuck = Stuck(app.ctx.journal.dismiss)
            app.ctx.journal.dismiss = stuck  # type: ignore[method-assign]
            main.table.focus()
            await pilot.press("x")
            await keys_answered_while_stuck(pilot, app, stuck)
            await wait_until(pilot, lambda: key not in view.rows, what="row dismissed")
        elif where == "finish_submit":
            stuck = Stuck(app.ctx.journal.finish_submit)
            app.ctx.journal.finish_submit = stuck  # type: ignore[method-assign]
            main.flows.check_and_submit(Plan.of(Operation.DELETE, [f"{HOME}/beta"]))
            await keys_answered_while_stuck(pilot, app, stuck)
            await wait_until(
                pilot,
                lambda: any(r.source.endswith("beta") for r in view.rows.values()),
                what="the new row",
            )
        else:
            stuck = Stuck(app.ctx.audit.read)
            app.ctx.audit.read = stuck  # type: ignore[method-assign]
            await pilot.press("L")
            await keys_answered_while_stuck(pilot, app, stuck)
            await wait_until(pilot, lambda: isinstance(app.screen, LogScreen), what="log")
