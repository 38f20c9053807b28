"""Pilot tests of the whole app against the simulator on a loopback socket."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from efile_tui import glyphs
from efile_tui.api.http import RetryPolicy
from efile_tui.api.models import Operation, SubmitItem
from efile_tui.core.operations import submit_tracked
from efile_tui.sim.config import SimConfig
from efile_tui.sim.server import SimServer
from efile_tui.ui.modals.cancel import CancelResultsScreen, ConfirmCancelScreen
from efile_tui.ui.modals.confirm_delete import ConfirmDeleteScreen, RefusedScreen
from efile_tui.ui.screens.main import MainScreen
from tests.polling_log import audit_polls
from tests.ui.harness import HOME, build_app, wait_until


def make_tree(root: Path, folders: dict[str, int]) -> None:
    for name, files in folders.items():
        folder = root / name
        folder.mkdir(parents=True)
        for i in range(files):
            (folder / f"f{i:04d}.dat").write_bytes(b"x" * 100)


@pytest.fixture
def server(tmp_path: Path):  # type: ignore[no-untyped-def]
    root = tmp_path / "root"
    make_tree(root, {"alpha": 400, "beta": 5, "gamma": 400, "delta": 3})
    srv = SimServer(SimConfig(root=root, files_per_second=25)).start()
    yield srv
    srv.stop()


def spy_task_list(app) -> list[list[str]]:  # type: ignore[no-untyped-def]
    """Record the ids each task/list poll asks for."""
    asked: list[list[str]] = []
    original = app.ctx.client.task_list

    async def task_list(ids, **kw):  # type: ignore[no-untyped-def]
        asked.append(list(ids))
        return await original(ids, **kw)

    app.ctx.client.task_list = task_list
    return asked


async def mark_folder(pilot, app, name: str) -> None:  # type: ignore[no-untyped-def]
    pane = app.main.path_pane
    await wait_until(pilot, lambda: pane.marking.known_entry(f"{HOME}/{name}"), what="listing")
    table = pane.query_one("#path-table")
    table.move_cursor(row=table.get_row_index(f"{HOME}/{name}"))
    await pilot.press("space")


async def test_delete_submission_adds_row_and_polling_stops_when_final(
    server: SimServer, tmp_path: Path
) -> None:
    app = build_app(server.url, server.token, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await mark_folder(pilot, app, "beta")
        await pilot.press("d")
        modal = await wait_until(
            pilot,
            lambda: isinstance(app.screen, ConfirmDeleteScreen) and app.screen,
            what="confirmation",
        )
        await wait_until(pilot, lambda: modal.preview_done, what="preview")
        assert app.focused and app.focused.id == "cancel"  # focus starts on Cancel
        await pilot.press("tab", "enter")
        view = app.main.view
        await wait_until(pilot, lambda: view.rows, what="new row")
        (row,) = view.rows.values()
        assert row.source == f"{HOME}/beta" and row.operation == "delete"
        await wait_until(pilot, lambda: view.rows[row.key].status == "complete", what="final")
        assert not (server.config.root / "beta").exists()
        n = app.main.poll_count
        await wait_until(pilot, lambda: app.main.poll_count > n + 3, what="more poll cycles")
    audit = audit_polls(server.requests())
    assert [row.key] in audit.polls  # it was polled while it ran…
    assert audit.finished_asked == []  # …and never once its end was known


async def test_the_ui_thread_gets_the_interpreter_back_quickly_while_it_runs(
    server: SimServer, tmp_path: Path
) -> None:
    """While the app runs, a thread that gives the interpreter up waits at most 1 ms to get
    it back (worker threads reading or sorting 100,000 rows then cannot hold keys up for
    long); the process's own setting comes back when the app ends."""
    import sys

    before = sys.getswitchinterval()
    app = build_app(server.url, server.token, tmp_path)
    async with app.run_test(size=(120, 40)):
        assert sys.getswitchinterval() == pytest.approx(0.001)
    assert sys.getswitchinterval() == before


async def test_protected_path_refused_and_cancel_does_nothing(
    server: SimServer, tmp_path: Path
) -> None:
    app = build_app(server.url, server.token, tmp_path, deny=(f"{HOME}/alpha",))
    async with app.run_test(size=(120, 40)) as pilot:
        await mark_folder(pilot, app, "alpha")
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, RefusedScreen), what="refusal")
        await pilot.press("escape")
        await pilot.press("u")  # clear marks
        await mark_folder(pilot, app, "gamma")
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDeleteScreen), what="dlg")
        await pilot.press("enter")  # Enter on the focused Cancel button
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen), what="closed")
        await pilot.pause(0.3)
        assert app.ctx.journal.entries() == []
        assert (server.config.root / "gamma").exists() and (server.config.root / "alpha").exists()


async def submit_folders(app, names: list[str]) -> None:  # type: ignore[no-untyped-def]
    await submit_tracked(app.ctx, Operation.DELETE, [SubmitItem(f"{HOME}/{n}") for n in names])


def shown_marks(table) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    """For each row on screen: is the mark glyph drawn in its first cell (as painted)?"""
    mark = glyphs.current().mark
    shown = {}
    first, last = table.rows_in_view()
    for row in range(first, min(last, table.row_count)):
        line = table.render_line(table.header_height + row - int(table.scroll_offset.y)).text
        shown[table.key_at(row)] = line.lstrip()[:1] == mark or line[:2].strip() == mark
    return shown


async def test_marks_survive_sort_filter_and_polls(server: SimServer, tmp_path: Path) -> None:
    app = build_app(server.url, server.token, tmp_path)
    await submit_folders(app, ["alpha", "gamma", "beta"])
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.main.view
        await wait_until(pilot, lambda: len(view.rows) == 3, what="re-attached rows")
        # beta (5 files) ends within a poll or two: a mark on a task that ends is dropped, so
        # the marks go on once it has ended (alpha and gamma run on past the polls below)
        await wait_until(
            pilot,
            lambda: any(r.is_final for r in view.rows.values() if r.source.endswith("beta")),
            what="beta ended",
        )
        table = app.main.table
        table.focus()
        await pilot.press("space")  # marks the first row and moves down
        first = next(iter(view.marks))
        await pilot.press("down", "space")
        marked = set(view.marks)
        assert len(marked) == 2
        expected = {key: key in marked for key in view.rows}
        assert shown_marks(table) == expected  # the glyph on each row, as drawn
        cursor = table.cursor_key
        for _ in range(3):
            await pilot.press("s")
            assert view.marks == marked and table.cursor_key == cursor
            assert shown_marks(table) == expected
        await pilot.press("S")
        assert view.marks == marked and table.cursor_key == cursor
        assert shown_marks(table) == expected
        source = view.rows[first].source
        await pilot.press("slash", *source.rsplit("/", 1)[1])
        await pilot.press("enter")
        assert table.row_keys == [first]
        assert shown_marks(table) == {first: True}
        info = str(app.main.query_one("#task-info").render())
        assert "2 marked (1 hidden by filter)" in info
        polls = app.main.poll_count
        await wait_until(pilot, lambda: app.main.poll_count >= polls + 3, what="three polls")
        assert view.marks == marked and shown_marks(table) == {first: True}


async def test_bulk_cancel_mixed_results(server: SimServer, tmp_path: Path) -> None:
    app = build_app(server.url, server.token, tmp_path)
    await submit_folders(app, ["alpha"])
    unknown = "0" * 32
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.main.view
        await wait_until(pilot, lambda: len(view.rows) == 1, what="rows")
        await pilot.press("p")  # pause: the poll under way finishes, no other starts
        await wait_until(pilot, lambda: not app.main.poller.in_flight, what="poll finished")
        # Imported while no poll runs: not yet found vanished, so shown as running.
        app.ctx.journal.add_ids([unknown], profile=None, region=None)
        await submit_folders(app, ["delta"])
        await wait_until(
            pilot,
            lambda: not (server.config.root / "delta").exists(),
            what="delta done on the server",
        )
        await pilot.press("r")  # the journal is read again; no poll while paused
        await wait_until(pilot, lambda: len(view.rows) == 3, what="delta's and the id's rows")
        delta = next(k for k, r in view.rows.items() if r.source.endswith("delta"))
        assert not view.rows[delta].is_final  # the table still shows delta as running
        app.main.table.focus()
        await pilot.press("a", "c")
        confirm = await wait_until(
            pilot,
            lambda: isinstance(app.screen, ConfirmCancelScreen) and app.screen,
            what="confirm",
        )
        assert len(confirm.task_ids) == 3
        assert app.focused and app.focused.id == "back"
        await pilot.press("tab", "enter")
        sheet = await wait_until(
            pilot,
            lambda: isinstance(app.screen, CancelResultsScreen) and app.screen,
            what="results",
        )
        verdicts = {r.task_id: r.verdict for r in sheet.results}
        alpha = next(k for k, r in view.rows.items() if r.source.endswith("alpha"))
        assert verdicts == {
            alpha: "cancelled",
            delta: "already complete",
            unknown: "unknown or expired",
        }
        assert view.rows[alpha].cancelling  # shown until a poll confirms it
        await pilot.press("y")  # copy ids
        assert unknown in app.copied[-1]
        await pilot.press("escape", "p")  # close the sheet, resume polling
        await wait_until(
            pilot,
            lambda: view.rows[alpha].status == "cancel" and not view.rows[alpha].cancelling,
            what="cancel confirmed",
        )
        assert view.rows[delta].status == "complete"


async def test_stale_indicator_keeps_last_data_and_recovers(
    server: SimServer, tmp_path: Path
) -> None:
    app = build_app(server.url, server.token, tmp_path, interval=0.2, retry=RetryPolicy(attempts=1))
    await submit_folders(app, ["alpha"])
    async with app.run_test(size=(120, 40)) as pilot:
        main = app.main
        status = main.status
        await wait_until(pilot, lambda: status.last_ok is not None, what="first poll")
        server.stop()
        await wait_until(pilot, lambda: main.failures >= 1, what="a failed poll")
        assert len(main.view.rows) == 1  # last good data stays on screen
        status._now = lambda: time.monotonic() + 60  # a minute without good data
        status._redraw()
        assert status.has_class("-red") and "STALE" in str(status.render())
        status._now = lambda: time.monotonic() + 10
        status._redraw()
        assert status.has_class("-amber") and not status.has_class("-red")
        status._now = time.monotonic
        server.start()
        main.poll_now()
        await wait_until(
            pilot, lambda: main.failures == 0 and not status.error, timeout=20, what="recovery"
        )
        status._redraw()
        assert not status.has_class("-amber") and not status.has_class("-red")


async def test_pause_and_resume(server: SimServer, tmp_path: Path) -> None:
    app = build_app(server.url, server.token, tmp_path, interval=0.2)
    await submit_folders(app, ["alpha"])
    async with app.run_test(size=(80, 24)) as pilot:
        asked = spy_task_list(app)
        await wait_until(pilot, lambda: asked, what="polling")
        await pilot.press("p")
        assert "PAUSED" in str(app.main.status.render())
        n = len(asked)
        await asyncio.sleep(0.8)
        await pilot.pause()
        assert len(asked) == n
        await pilot.press("p")
        await wait_until(pilot, lambda: len(asked) > n, what="resumed polling")
        await pilot.press("plus")
        assert app.main.interval == 0.5


async def test_slow_service_never_freezes_input(server: SimServer, tmp_path: Path) -> None:
    app = build_app(server.url, server.token, tmp_path, interval=0.2)
    await submit_folders(app, ["alpha", "gamma"])
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.main.view
        await wait_until(pilot, lambda: len(view.rows) == 2, what="rows")
        server.faults.update({"latency": 15.0})
        app.main.poll_now()  # a poll now hangs for 15 s on the service
        await wait_until(pilot, lambda: app.main.poller.in_flight, what="a poll under way")
        table = app.main.table
        table.focus()
        await pilot.press("space", "s", "f", "f")
        await wait_until(
            pilot,
            lambda: len(view.marks) == 1 and view.sort_key == "status" and view.filter.statuses,
            what="the keys' effects",
        )
        assert app.main.poller.in_flight, "the keys were answered only once the poll ended"
        server.faults.update({"latency": 0.0})


async def test_operation_filter_and_dismiss(server: SimServer, tmp_path: Path) -> None:
    app = build_app(server.url, server.token, tmp_path)
    await submit_folders(app, ["delta"])
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.main.view
        await wait_until(
            pilot,
            lambda: view.rows and all(r.is_final for r in view.rows.values()),
            what="finished row",
        )
        app.main.table.focus()
        await pilot.press("o", "o")  # delete → copy: the delete row is hidden
        assert app.main.table.row_keys == []
        await pilot.press("o", "o", "o")  # back to all
        assert len(app.main.table.row_keys) == 1
        await pilot.press("x")
        await wait_until(pilot, lambda: not view.rows, what="dismissed")
        assert app.ctx.journal.entries() == []


async def test_polls_complete_on_a_slow_link_however_often_a_poll_is_asked_for(
    server: SimServer, tmp_path: Path
) -> None:
    # A poll slower than the interval, with refreshes asked for meanwhile (submits, keys,
    # a re-login): the poll under way must finish, and one more must follow.
    app = build_app(server.url, server.token, tmp_path, interval=0.2)
    await submit_folders(app, ["alpha", "gamma"])
    async with app.run_test(size=(120, 40)) as pilot:
        main = app.main
        await wait_until(pilot, lambda: main.poll_count >= 1, what="first poll")
        server.faults.update({"latency": 0.8})
        before = main.poll_count
        for _ in range(8):  # 2.4 s of "poll now" every 0.3 s
            main.poll_now()
            await pilot.pause(0.3)
        assert main.poll_count >= before + 2, "polls were cut off before they finished"
        server.faults.update({"latency": 0.0})


async def test_label_marked_tasks(server: SimServer, tmp_path: Path) -> None:
    from efile_tui.core.query import TaskQuery
    from efile_tui.ui.modals.label import LabelScreen

    app = build_app(server.url, server.token, tmp_path)
    await submit_folders(app, ["beta", "delta"])
    async with app.run_test(size=(140, 40)) as pilot:
        view = app.main.view
        await wait_until(pilot, lambda: len(view.rows) == 2, what="two rows")
        # Both end first: a mark on a task that ends while marked is dropped.
        await wait_until(pilot, lambda: all(r.is_final for r in view.rows.values()), what="ends")
        app.main.table.focus()
        await pilot.press("a", "l")
        await wait_until(pilot, lambda: isinstance(app.screen, LabelScreen), what="label form")
        await pilot.press(*"run-42", "enter")
        await wait_until(
            pilot, lambda: {r.label for r in view.rows.values()} == {"run-42"}, what="labels"
        )
        entries = app.ctx.journal.entries()
        assert TaskQuery.from_options(labels=["run-42"]).select(entries) == entries
        assert len(entries) == 2
        await pilot.press("l")  # the form starts with the common label; empty clears it
        await wait_until(pilot, lambda: isinstance(app.screen, LabelScreen), what="label form")
        await pilot.press("ctrl+u", "enter")
        await wait_until(
            pilot, lambda: {r.label for r in view.rows.values()} == {""}, what="cleared"
        )
        assert {e.label for e in app.ctx.journal.entries()} == {None}


async def test_resolve_outcome_unknown_rows(server: SimServer, tmp_path: Path) -> None:
    from efile_tui.api.models import SubmitOutcome
    from efile_tui.ui.modals.misc import TextScreen

    app = build_app(server.url, server.token, tmp_path)
    journal = app.ctx.journal
    items = [SubmitItem(f"{HOME}/beta"), SubmitItem(f"{HOME}/gone-already")]
    ids = journal.begin_submit(Operation.DELETE, items, profile=None, region=None)
    journal.finish_submit(ids, [SubmitOutcome(i, error="no answer", unknown=True) for i in items])
    async with app.run_test(size=(140, 40)) as pilot:
        view = app.main.view
        await wait_until(pilot, lambda: len(view.rows) == 2, what="two lost submits")
        app.main.table.focus()
        await pilot.press("a", "R")
        await wait_until(pilot, lambda: isinstance(app.screen, TextScreen), what="verdicts")
        assert f"{HOME}/beta: not done" in app.screen.text
        assert f"{HOME}/gone-already: done (by evidence)" in app.screen.text
        states = {e.source_path: e.state for e in journal.entries()}
        assert states == {f"{HOME}/beta": "rejected", f"{HOME}/gone-already": "complete"}
        await wait_until(
            pilot,
            lambda: {r.status for r in view.rows.values()} == {"rejected", "complete"},
            what="rows updated",
        )
