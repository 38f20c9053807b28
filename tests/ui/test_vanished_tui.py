"""Vanished tasks in the real app (``create_app`` with a real config file, simulator on
loopback): forgotten tasks and an unknown import are shown as vanished, no longer polled,
and ``r`` looks once more."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from efile_tui.sim.server import SimServer
from efile_tui.ui.modals.misc import ImportIdsScreen
from tests.conftest import Sim
from tests.e2e.test_vanished import (  # noqa: F401  (forgetful: a fixture)
    forgetful,
    slow_sim_with_deletes,
    write_config,
)
from tests.ui.harness import wait_until
from tests.ui.test_hostile_text import screen_text

UNKNOWN = "0123456789abcdef0123456789abcdef"


def asked_about(server: SimServer, ids: list[str]) -> int:
    """How many task/list requests asked about any of ``ids``."""
    return sum(bool(set(ids) & set(r["body"]["taskIds"])) for r in server.requests("task/list"))


async def test_forgotten_and_unknown_tasks_show_as_vanished_and_r_looks_once_more(
    sim_factory: Callable[..., Sim],
    forgetful: Callable[[Sim], SimServer],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from efile_tui.ui.launch import close_app, create_app

    write_config(misses=2, seconds=0.5)
    sim, ids = slow_sim_with_deletes(sim_factory, ["run-1", "run-2"], process=True)
    fresh = forgetful(sim)
    for name in ("EFILE_URL", "EFILE_TOKEN", "EFILE_HOME"):
        monkeypatch.setenv(name, sim.env[name])
    app: Any = create_app(interval=0.3)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            main = await wait_until(pilot, lambda: app.main, what="main screen")
            await wait_until(
                pilot,
                lambda: screen_text(app).count("∅ vanished") == 2,
                what="both rows vanished",
            )
            # When it was last seen and in which state, whole in the 24-cell column.
            seen = re.findall(r"seen \d\d:\d\d:\d\d \(waiting\)", screen_text(app))
            assert len(seen) == 2, screen_text(app)
            assert asked_about(fresh, ids) >= 2  # missing from two answers first

            # Not polled any more: more polls go by without asking about them.
            asked, polls = asked_about(fresh, ids), main.poller.polls
            await wait_until(pilot, lambda: main.poller.polls >= polls + 3, what="polls")
            assert asked_about(fresh, ids) == asked
            # r: one confirming look, then quiet again.
            await pilot.press("r")
            await wait_until(pilot, lambda: asked_about(fresh, ids) == asked + 1, what="look")
            polls = main.poller.polls
            await wait_until(pilot, lambda: main.poller.polls >= polls + 3, what="polls")
            assert asked_about(fresh, ids) == asked + 1

            # An imported id the service never knew: vanished at the first answer.
            await pilot.press("I")
            modal = await wait_until(
                pilot, lambda: isinstance(app.screen, ImportIdsScreen) and app.screen
            )
            modal.query_one("#ids").text = UNKNOWN
            await pilot.click("#track")
            await wait_until(
                pilot,
                lambda: screen_text(app).count("never known") == 1,
                what="import vanished",
            )
            entry = app.ctx.journal.get(UNKNOWN)
            assert entry is not None and entry.vanished
            assert "outcome unknown" not in screen_text(app)
    finally:
        close_app(app)
