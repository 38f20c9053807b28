"""Bulk cancel: 1,000 marked running tasks, requests sent and time until every result shows.

Setup: 2,000 folders of 2 files are created in the simulator's home and deleted at 0.001
files per second, so every task stays waiting/processing. The first 1,000 are submitted
through ``submit_tracked`` into the journal of the real app (``tests/ui/harness.py``
``build_app``), which loads them at start; the other 1,000 are submitted by a plain client
for the baseline.

Measured through the real TUI, headless (``app.run_test``): focus the task table, press
``a`` (mark all), press ``c``, move to the confirm button and press Enter. The clock starts
at that Enter and stops when the ``CancelResultsScreen`` holding 1,000 results has been
painted (``app.call_after_refresh`` once it is the active screen). Requests are the
simulator's count for the ``task/cancel`` path, so poll requests are not counted; polling
is paused with ``p`` before the timed part so a poll cycle does not land in the window.
Floor in the same run: the same ``task/cancel`` requests (batches of 100, one after
another) for the other 1,000 running tasks, with no UI around them; the difference is what
the UI path (confirmation, journal, table, result sheet) adds.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import Figure, median, simulator, write_section

from efile_tui.api.client import EfileClient
from efile_tui.api.models import Operation, SubmitItem
from efile_tui.core.operations import submit_tracked
from efile_tui.sim.server import SimServer
from efile_tui.ui.modals.cancel import CancelResultsScreen, ConfirmCancelScreen
from tests.ui.harness import HOME, build_app

TASKS = 1_000
FILES_PER_TASK = 2
CANCEL_PATH = "/efile/openapi/v2/file/task/cancel"
TIMEOUT = 60.0
ROUNDS = 3  # fresh app and fresh tasks each round; figures are medians
STEP = 0.005  # seconds between checks while waiting for the screen to change
COUNTS = ("tui_requests", "naive_requests")  # the measured values that are not seconds


def make_tree(root: Path, name: str) -> list[str]:
    """Create ``TASKS`` folders under ``name``; return their virtual paths."""
    paths = []
    for i in range(TASKS):
        folder = root / name / f"t{i:04d}"
        folder.mkdir(parents=True)
        for j in range(FILES_PER_TASK):
            (folder / f"f{j}.dat").write_bytes(b"x")
        paths.append(f"{HOME}/{name}/t{i:04d}")
    return paths


def cancel_requests(server: SimServer) -> int:
    """How many ``task/cancel`` requests the simulator has received so far."""
    return int(server.stats()["requests"].get(CANCEL_PATH, 0))


async def wait_for(predicate: Callable[[], Any], what: str) -> Any:
    """Check ``predicate`` every few milliseconds until it is truthy (the app keeps running)."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        await asyncio.sleep(STEP)
    raise AssertionError(f"timed out waiting for {what}")


def ready(app: Any, kind: type, table_id: str) -> Any:
    """The active screen if it is a ``kind`` whose table ``table_id`` holds every task."""
    screen = app.screen
    if not isinstance(screen, kind):
        return None
    tables = screen.query(table_id)  # empty while the screen is still being composed
    return screen if tables and tables.first().row_count == TASKS else None


async def painted(app: Any) -> float:
    """The time right after the active screen has next been repainted."""
    done = asyncio.get_running_loop().create_future()
    app.call_after_refresh(lambda: done.done() or done.set_result(time.perf_counter()))
    return float(await done)


async def measure_tui(server: SimServer, paths: list[str], state: Path) -> dict[str, float]:
    """Cancel ``paths``' tasks the way a user does; timings (s) and request count."""
    app = build_app(server.url, server.token, state, interval=2.0)
    outcomes = await submit_tracked(app.ctx, Operation.DELETE, [SubmitItem(p) for p in paths])
    assert all(o.task and o.task.status.value in ("waiting", "processing") for o in outcomes)
    stamps: dict[str, float] = {}
    real_cancel = app.ctx.client.cancel

    async def timed_cancel(*args: Any, **kwargs: Any) -> Any:
        # Instrumentation only: when the requests start and end inside the app.
        stamps["requests_start"] = time.perf_counter()
        try:
            return await real_cancel(*args, **kwargs)
        finally:
            stamps["requests_end"] = time.perf_counter()

    app.ctx.client.cancel = timed_cancel  # type: ignore[method-assign]
    out: dict[str, float] = {}
    async with app.run_test(size=(200, 50)) as pilot:
        main = app.main
        await wait_for(lambda: main.table.row_count == TASKS, "1,000 rows")
        # Let the first poll cycle finish, then pause polling (p) so that no poll cycle
        # lands inside the timed window (and none is cut off mid-request).
        await wait_for(lambda: main.poll_count >= 1, "the first poll cycle")
        await pilot.press("p")
        await wait_for(
            lambda: main.paused and not main.poller.in_flight,
            "polling paused",
        )
        main.table.focus()
        t0 = time.perf_counter()
        await pilot.press("a")
        await wait_for(lambda: len(main.view.marks) == TASKS, "1,000 marks")
        out["mark_all"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        await pilot.press("c")
        confirm = await wait_for(lambda: ready(app, ConfirmCancelScreen, "#cancel-list"), "confirm")
        out["confirm_open"] = await painted(app) - t0
        assert len(confirm.task_ids) == TASKS
        await pilot.press("tab")  # focus starts on Back; move to "Cancel 1000 tasks"
        assert app.focused is not None and app.focused.id == "confirm"

        before = cancel_requests(server)
        t0 = time.perf_counter()
        press = asyncio.create_task(pilot.press("enter"))
        sheet = await wait_for(lambda: ready(app, CancelResultsScreen, "#results"), "results")
        shown = await painted(app)
        await press
        out["tui"] = shown - t0
        out["tui_requests"] = cancel_requests(server) - before
        out["requests_part"] = stamps["requests_end"] - stamps["requests_start"]
        out["before_requests"] = stamps["requests_start"] - t0
        out["after_requests"] = shown - stamps["requests_end"]
        out["cancelled"] = sum(r.result for r in sheet.results)
        assert len(sheet.results) == TASKS
    await app.ctx.client.aclose()
    return out


async def measure_naive(server: SimServer, paths: list[str]) -> dict[str, float]:
    """Submit ``paths``' deletes, then cancel them with the same requests (batches of 100)
    and no UI: the floor under the app's figure."""
    async with EfileClient(server.url, server.token) as client:
        outcomes = await client.submit(Operation.DELETE, [SubmitItem(p) for p in paths])
        ids = [o.task.task_id for o in outcomes if o.task and o.task.task_id]
        assert len(ids) == TASKS
        before = cancel_requests(server)
        t0 = time.perf_counter()
        results = []
        for start in range(0, len(ids), 100):  # batches of 100, one after another
            results += await client.cancel(ids[start : start + 100])
        seconds = time.perf_counter() - t0
    return {
        "naive": seconds,
        "naive_requests": cancel_requests(server) - before,
        "cancelled": sum(r.result for r in results),
    }


def main() -> None:
    """Run the benchmark and write its section of RESULTS.md."""
    rounds: list[dict[str, float]] = []
    with simulator(files_per_second=0.001) as server:
        for n in range(ROUNDS):
            ui_paths = make_tree(server.config.root, f"ui{n}")
            naive_paths = make_tree(server.config.root, f"naive{n}")
            with tempfile.TemporaryDirectory(prefix="efile-bench-state-") as state:
                tui = asyncio.run(measure_tui(server, ui_paths, Path(state)))
            naive = asyncio.run(measure_naive(server, naive_paths))
            assert tui["cancelled"] == TASKS and naive["cancelled"] == TASKS, (tui, naive)
            rounds.append({**tui, **naive})
            print(
                f"round {n + 1}: "
                + ", ".join(
                    f"{k} {v:.0f}" if k in COUNTS else f"{k} {v * 1000:.0f} ms"
                    for k, v in rounds[-1].items()
                    if k != "cancelled"
                )
            )
    fig = {k: median([r[k] for r in rounds]) for k in rounds[0]}
    want = -(-TASKS // 100)  # one request per 100 ids
    requests_met = all(r["tui_requests"] == want for r in rounds)
    figures = [
        Figure(
            "task/cancel requests for 1,000 tasks",
            fig["tui_requests"],
            "req",
            fig["naive_requests"],
            f"{want}",
            requests_met,
        ),
        Figure(
            "confirm → 1,000 results on screen",
            fig["tui"] * 1000,
            "ms",
            fig["naive"] * 1000,
            "≤ 1,000 ms",
            fig["tui"] <= 1.0,
        ),
        Figure(
            "of which the task/cancel requests",
            fig["requests_part"] * 1000,
            "ms",
            fig["naive"] * 1000,
        ),
        Figure(
            "what the UI path adds (Enter → sheet, less the requests)",
            (fig["tui"] - fig["requests_part"]) * 1000,
            "ms",
        ),
    ]
    notes = (
        f"Setup: each of {ROUNDS} rounds deletes {2 * TASKS:,} folders of {FILES_PER_TASK} files "
        "at 0.001 files/s on the simulator (loopback, same process), so all stay running; "
        f"{TASKS:,} are in a fresh app's journal and shown at start, the other {TASKS:,} are "
        "cancelled by the floor: the same requests, batches of 100 one after another, no UI "
        "(the baseline column of every row). In the app: table focused, `a`, `c`, Tab, "
        "Enter, polling paused (`p`); the "
        "time runs from Enter until the result sheet with 1,000 rows is painted; requests are "
        "the simulator's `task/cancel` count; figures are medians of the rounds. Around the "
        f"requests: {fig['before_requests'] * 1000:.0f} ms from Enter to the first request, "
        f"{fig['after_requests'] * 1000:.0f} ms from the last answer to the painted sheet. "
        "Outside the timed part: `c` to a painted confirmation listing 1,000 tasks "
        f"{fig['confirm_open'] * 1000:.0f} ms, `a` (mark all 1,000) "
        f"{fig['mark_all'] * 1000:.0f} ms."
    )
    write_section("cancel", "Bulk cancel", "python bench/cancel.py", figures, notes)


if __name__ == "__main__":
    main()
