"""The task filter box takes the command line's query words, through the real app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from textual.widgets import Input

from efile_tui.api.models import Operation, SubmitItem, SubmitOutcome
from efile_tui.store.journal import Journal
from efile_tui.ui.widgets.task_pane import TaskPane
from tests.ui.harness import HOME, queue_keys, wait_until
from tests.ui.test_hostile_text import screen_text

# (operation, name, label, outcome): every row is final or has no id, so nothing changes.
ROWS = [
    (Operation.DELETE, "a/alpha-1", "run-1", "rejected"),
    (Operation.COPY, "a/bravo-2", "run-2", "rejected"),
    (Operation.COPY, "a/charlie-3", "run-3", "unknown"),
    (Operation.COPY, "c/delta-4", "other", "rejected"),
    (Operation.MOVE, "a/echo-5", None, "rejected"),
]
NAMES = [name.split("/")[1] for _, name, _, _ in ROWS]


def fill_journal() -> None:
    """The app's own journal (under the test's state folder), before it starts."""
    with Journal() as journal:
        for op, name, label, outcome in ROWS:
            item = SubmitItem(f"{HOME}/{name}", None if op is Operation.DELETE else f"{HOME}/b")
            ids = journal.begin_submit(op, [item], profile=None, region=None, label=label)
            result = (
                SubmitOutcome(item, error="lost", unknown=True)
                if outcome == "unknown"
                else SubmitOutcome(item, error="refused", error_code="403")
            )
            journal.finish_submit(ids, [result])


def shown(app: Any) -> list[str]:
    """The row names on screen now."""
    text = screen_text(app)
    return [name for name in NAMES if name in text]


@asynccontextmanager
async def app_with_rows(
    sim: Any, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[Any, Any]]:
    """The real app on the simulator, with the journal's rows all on screen and the task
    table focused: (app, pilot)."""
    from efile_tui.ui.launch import close_app, create_app

    for name in ("EFILE_URL", "EFILE_TOKEN", "EFILE_HOME"):
        monkeypatch.setenv(name, sim.env[name])
    fill_journal()
    app = create_app()
    try:
        async with app.run_test(size=(160, 40)) as pilot:
            main = await wait_until(pilot, lambda: app.main, what="main screen")
            await wait_until(pilot, lambda: shown(app) == NAMES, what="all rows on screen")
            main.table.focus()
            yield app, pilot
    finally:
        close_app(app)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("status:final op:copy label:run-*", ["bravo-2"]),
        (f"label:run-* source:{HOME}/a/*", ["alpha-1", "bravo-2", "charlie-3"]),
        ("status:unknown", ["charlie-3"]),
        ("label:other", ["delta-4"]),
        ("op:move,delete", ["alpha-1", "echo-5"]),
        ("echo", ["echo-5"]),
    ],
)
async def test_typed_query_shows_exactly_the_matching_rows(
    sim: Any, monkeypatch: pytest.MonkeyPatch, typed: str, expected: list[str]
) -> None:
    async with app_with_rows(sim, monkeypatch) as (app, pilot):
        await pilot.press("slash", *typed)
        await pilot.press("enter")
        await wait_until(pilot, lambda: shown(app) == expected, what=f"rows of {typed!r}")
        info = str(app.main.query_one("#task-info").render())
        assert f"{len(expected)} of {len(NAMES)} tasks" in info
        await pilot.press("slash")  # the box reopens with the query it applied
        await pilot.press("escape")
        await wait_until(pilot, lambda: shown(app) == NAMES, what="filter cleared")


async def test_esc_on_the_table_clears_an_applied_filter_and_keeps_the_marks(
    sim: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with app_with_rows(sim, monkeypatch) as (app, pilot):
        await pilot.press("slash", *"label:run-*", "enter")  # applied, the box closed
        await wait_until(pilot, lambda: len(shown(app)) == 3, what="filtered rows")
        assert app.focused is app.main.table
        await pilot.press("space")
        await pilot.press("escape")
        await wait_until(pilot, lambda: shown(app) == NAMES, what="filter cleared by esc")
        assert len(app.main.view.marks) == 1  # the mark made under the filter stays
        info = str(app.main.query_one("#task-info").render())
        assert f"{len(NAMES)} of {len(NAMES)} tasks" in info and "1 marked" in info


async def test_keys_typed_right_after_enter_or_esc_in_the_filter_reach_the_table(
    sim: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A burst (fast typing, a paste, tmux) already queued when Enter or Esc closes the
    filter box goes to the table: the space marks a row, it is not typed into the filter."""
    async with app_with_rows(sim, monkeypatch) as (app, pilot):
        await pilot.press("slash", *"label:run-*")
        queue_keys(app, "enter", "space")
        await wait_until(pilot, lambda: len(app.main.view.marks) == 1, what="a row marked")
        assert len(shown(app)) == 3
        assert app.focused is app.main.table
        await pilot.press("slash")
        queue_keys(app, "escape", "space")
        await wait_until(pilot, lambda: shown(app) == NAMES, what="filter cleared")
        assert app.focused is app.main.table
        assert len(app.main.view.marks) == 2  # space marks and moves on: the next row


async def test_status_and_op_keys_use_the_command_line_names(
    sim: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with app_with_rows(sim, monkeypatch) as (app, pilot):
        await pilot.press("f", "f")  # all → running → fail, rejected, unknown
        await wait_until(pilot, lambda: "status=fail,rejected,unknown" in screen_text(app))
        await pilot.press("o", "o")  # all → delete → copy
        await wait_until(pilot, lambda: shown(app) == ["bravo-2", "charlie-3", "delta-4"])
        assert "status=fail,rejected,unknown op=copy" in screen_text(app)
        await pilot.press("slash")  # f and o are part of the query in the box
        box = app.main.query_one("#task-filter")
        assert box.value == "status:fail,rejected,unknown op:copy"  # type: ignore[attr-defined]
        await pilot.press(*" label:run-3")
        await wait_until(pilot, lambda: shown(app) == ["charlie-3"], what="label added")
        await pilot.press(*" status:runn")  # half typed: the last good filter stays
        await wait_until(pilot, lambda: "not a filter: status 'runn'" in screen_text(app))
        assert shown(app) == ["charlie-3"]


async def test_keys_typed_right_after_slash_go_to_the_task_filter_made_after_the_first_frame(
    sim: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The filter box is left out of the first frame and made right after it: a burst
    queued when ``/`` opens it goes into it (``c`` is not a cancel, ``o`` not the op
    filter)."""
    async with app_with_rows(sim, monkeypatch) as (app, pilot):
        pane = app.main.query_one(TaskPane)
        await wait_until(pilot, lambda: pane.query("#task-filter"), what="the filter box made")
        await wait_until(pilot, lambda: app.focused is app.main.table, what="the task table")
        queue_keys(app, "slash", "c", "o", "m")
        await wait_until(pilot, lambda: app.focused is not app.main.table, what="the box")
        box = pane.query_one("#task-filter", Input)
        await wait_until(pilot, lambda: box.value == "com", what="the burst typed")
        assert not app.main.view.filter.operations
