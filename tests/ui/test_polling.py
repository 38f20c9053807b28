"""Polling as the service sees it: the ids each task/list request asked for (the
simulator's request log), over many observed polls."""

from __future__ import annotations

from pathlib import Path

import pytest

from efile_tui.api.models import Operation, SubmitItem
from efile_tui.core.operations import submit_tracked
from efile_tui.sim.config import SimConfig
from efile_tui.sim.server import SimServer
from tests.polling_log import audit_polls
from tests.ui.harness import HOME, build_app, wait_until

TASKS = 150


@pytest.fixture
def slow_server(tmp_path: Path):  # type: ignore[no-untyped-def]
    """One file per task, tasks run one after another: they finish over a few seconds."""
    root = tmp_path / "root"
    (root / "many").mkdir(parents=True)
    for i in range(TASKS):
        (root / "many" / f"f{i:03d}").write_bytes(b"x")
    config = SimConfig(root=root, files_per_second=20, sync_threshold=0, workers=1)
    srv = SimServer(config).start()
    yield srv
    srv.stop()


def task_list_requests(server: SimServer) -> list[dict]:  # type: ignore[type-arg]
    return server.requests("/task/list")


async def test_finished_tasks_are_never_asked_for_again(
    slow_server: SimServer, tmp_path: Path
) -> None:
    app = build_app(slow_server.url, slow_server.token, tmp_path, interval=0.2)
    items = [SubmitItem(f"{HOME}/many/f{i:03d}") for i in range(TASKS)]
    await submit_tracked(app.ctx, Operation.DELETE, items)
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.main.view
        await wait_until(
            pilot,
            lambda: len(view.rows) == TASKS and all(r.is_final for r in view.rows.values()),
            timeout=60,
            what="every task final in the table",
        )
        first_idle = len(task_list_requests(slow_server))
        app.main.poll_now()  # nothing unfinished is left: this poll must ask for nothing
        await wait_until(pilot, lambda: app.main.poller.polls >= 3, what="polls")
    audit = audit_polls(slow_server.requests())
    assert audit.finished_asked == [], f"finished ids asked again: {audit.finished_asked[:5]}"
    assert max(len(ids) for ids in audit.polls) <= 100
    assert any(len(ids) == 100 for ids in audit.polls), "150 unfinished ids: a full batch"
    # Not vacuous: many polls went out while some tasks were known to be finished and
    # others were still running.
    assert audit.informed_polls >= 3, audit.polls
    assert len(task_list_requests(slow_server)) == first_idle  # nothing left to ask


async def test_interval_back_down_takes_effect_at_once(
    slow_server: SimServer, tmp_path: Path
) -> None:
    app = build_app(slow_server.url, slow_server.token, tmp_path, interval=2.0)
    await submit_tracked(app.ctx, Operation.DELETE, [SubmitItem(f"{HOME}/many")])
    slow_server.config.files_per_second = 0.5  # the task keeps running throughout
    async with app.run_test(size=(120, 40)) as pilot:
        main = app.main
        await wait_until(pilot, lambda: main.poller.polls >= 1, what="first poll")
        await pilot.press("plus", "plus", "plus", "plus")
        assert main.interval == 60.0
        polls = main.poller.polls
        main.poll_now()  # a poll ends while the interval is 60 s
        await wait_until(pilot, lambda: main.poller.polls > polls, what="a poll")
        await pilot.press("minus", "minus", "minus", "minus")
        assert main.interval == 2.0
        asked = len(task_list_requests(slow_server))
        # Due 2 s after the last poll: the stall this guards against lasted ~55 s.
        await wait_until(
            pilot,
            lambda: len(task_list_requests(slow_server)) > asked,
            timeout=15,
            what="a poll at the 2 s pace",
        )
        assert "STALE" not in str(main.status.render())


async def test_pause_lets_the_poll_under_way_finish(slow_server: SimServer, tmp_path: Path) -> None:
    app = build_app(slow_server.url, slow_server.token, tmp_path, interval=0.2)
    await submit_tracked(app.ctx, Operation.DELETE, [SubmitItem(f"{HOME}/many")])
    slow_server.config.files_per_second = 0.5
    async with app.run_test(size=(120, 40)) as pilot:
        main = app.main
        await wait_until(pilot, lambda: main.poller.polls >= 1, what="first poll")
        slow_server.faults.update({"latency": 1.0})
        await wait_until(pilot, lambda: main.poller.in_flight, what="a slow poll under way")
        polls = main.poller.polls
        await pilot.press("p")
        await wait_until(pilot, lambda: not main.poller.in_flight, what="the poll to end")
        assert main.poller.polls == polls + 1  # it completed, it was not cancelled
        (last,) = task_list_requests(slow_server)[-1:]
        assert last["answer"] is not None  # the service's answer reached the client
        sent = len(task_list_requests(slow_server))
        slow_server.faults.update({"latency": 0.0})
        await pilot.pause(1.0)  # five intervals: no poll while paused
        assert len(task_list_requests(slow_server)) == sent
        await pilot.press("p")
        await wait_until(pilot, lambda: len(task_list_requests(slow_server)) > sent, what="resumed")
