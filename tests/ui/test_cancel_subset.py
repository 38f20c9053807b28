"""Cancel sends exactly the running marked tasks: a strict subset (non-adjacent rows, some
hidden by the filter, one that ends after it was marked), judged by the ids in the
simulator's task/cancel requests. A lost cancel answer stays "cancel sent, answer lost"
and is offered for a retry."""

from __future__ import annotations

from pathlib import Path

import pytest

from efile_tui.api.http import RetryPolicy
from efile_tui.api.models import CancelResult, TaskStatus
from efile_tui.core.query import TaskQuery
from efile_tui.sim.config import SimConfig
from efile_tui.sim.server import SimServer
from efile_tui.ui.modals.cancel import CancelResultsScreen, ConfirmCancelScreen
from efile_tui.ui.widgets.task_columns import CANCEL_LOST, status_text
from efile_tui.ui.widgets.task_pane import TaskPane
from tests.ui.harness import HOME, build_app, wait_until
from tests.ui.test_main_screen import make_tree, submit_folders

BIG = ["b1", "b2", "b3", "b4", "b5", "b6"]


@pytest.fixture
def server(tmp_path: Path):  # type: ignore[no-untyped-def]
    root = tmp_path / "root"
    make_tree(root, {**dict.fromkeys(BIG, 600), "tiny": 80})
    srv = SimServer(SimConfig(root=root, files_per_second=10, workers=8)).start()
    yield srv
    srv.stop()


def cancel_ids(server: SimServer) -> list[str]:
    return [t for r in server.requests("/task/cancel") for t in r["body"]["taskIds"]]


async def test_cancel_sends_exactly_the_running_marked_tasks(
    server: SimServer, tmp_path: Path
) -> None:
    app = build_app(server.url, server.token, tmp_path, interval=0.2)
    await submit_folders(app, [*BIG, "tiny"])
    async with app.run_test(size=(140, 40)) as pilot:
        view, table = app.main.view, app.main.table
        await wait_until(pilot, lambda: len(view.rows) == 7 and table.row_count == 7)
        by_name = {r.source.rsplit("/", 1)[1]: k for k, r in view.rows.items()}
        table.focus()
        # tiny (which ends on its own, about 8 s in), and the non-adjacent rows b1, b3, b5.
        for name in ("tiny", "b1", "b3", "b5"):
            table.move_cursor(table.row_keys.index(by_name[name]))
            await pilot.press("space")
        assert view.marks == {by_name[n] for n in ("b1", "b3", "b5", "tiny")}
        assert not view.rows[by_name["tiny"]].is_final  # marked while it ran
        await wait_until(pilot, lambda: view.rows[by_name["tiny"]].is_final, what="tiny ends")
        assert by_name["tiny"] not in view.marks  # its mark went as it ended
        # The filter shows b1 only: b3 and b5 are hidden, and still cancelled.
        query = TaskQuery.from_options(sources=[f"{HOME}/b1"])
        app.main.query_one(TaskPane).set_filter(query)
        await wait_until(pilot, lambda: by_name["b3"] not in table.row_keys, what="filter")
        assert table.row_keys == [by_name["b1"]]
        await pilot.press("c")
        confirm = await wait_until(
            pilot, lambda: isinstance(app.screen, ConfirmCancelScreen) and app.screen
        )
        want = {by_name[n] for n in ("b1", "b3", "b5")}
        assert set(confirm.plan.send) == want
        assert set(confirm.plan.hidden) == {by_name["b3"], by_name["b5"]}
        assert confirm.plan.ended == 1
        text = "\n".join(str(s.render()) for s in confirm.query("Static"))
        assert "1 marked task already ended" in text
        assert by_name["b3"] in text and by_name["b5"] in text  # named, not just counted
        await pilot.press("tab", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CancelResultsScreen))
    assert sorted(cancel_ids(server)) == sorted(want)


async def test_a_lost_cancel_answer_stays_shown_and_is_offered_again(
    server: SimServer, tmp_path: Path
) -> None:
    app = build_app(server.url, server.token, tmp_path, interval=0.2, retry=RetryPolicy(attempts=1))
    await submit_folders(app, ["b1", "b2"])
    async with app.run_test(size=(140, 40)) as pilot:
        view, table = app.main.view, app.main.table
        await wait_until(pilot, lambda: table.row_count == 2)
        await pilot.press("p")  # no poll replaces what the cancel left
        await wait_until(pilot, lambda: not app.main.poller.in_flight, what="poll finished")
        lost = table.row_keys[0]
        table.focus()
        table.move_cursor(0)
        await pilot.press("space")
        server.faults.drop_rate = 1.0  # the connection drops mid-answer
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmCancelScreen))
        await pilot.press("tab", "enter")
        sheet = await wait_until(
            pilot, lambda: isinstance(app.screen, CancelResultsScreen) and app.screen
        )
        assert sheet.failed_ids == [lost]
        assert [r.verdict for r in sheet.results] == ["cancel sent, answer lost"]
        row = view.rows[lost]
        assert row.cancelling and row.cancel_lost  # not forgotten, and said so
        assert CANCEL_LOST in status_text(row, 40)
        (entry,) = app.ctx.journal.get_many([lost], [])
        assert entry.cancel_lost and entry.cancel_requested_at
        server.faults.drop_rate = 0.0
        await pilot.press("r")  # retry exactly the lost one
        await wait_until(pilot, lambda: cancel_ids(server) == [lost, lost], what="retry")
        await pilot.press("escape", "escape", "p")  # polling shows the real state
        await wait_until(
            pilot, lambda: view.rows[lost].status == "cancel", what="the task's real state"
        )
        assert not view.rows[lost].cancel_lost


def test_the_result_sheet_retries_exactly_the_lost_answers() -> None:
    lost, refused, done, ended = "1" * 32, "2" * 32, "3" * 32, "4" * 32
    results = [
        CancelResult(lost, False, None, error="connection reset", lost=True),
        CancelResult(refused, False, None, error="refused", error_code="911030"),
        CancelResult(done, True, None),
        CancelResult(ended, False, TaskStatus.COMPLETE),
    ]
    assert CancelResultsScreen(results, {}).failed_ids == [lost]
