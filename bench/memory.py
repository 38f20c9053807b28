"""Memory: peak resident memory of the TUI while it tracks 10,000 tasks.

What is measured: the simulator runs in this process with 10,000 delete tasks really
submitted through ``submit_tracked`` (so the journal and the service both know them):
4,000 single files (finished at submit), 1,000 missing paths (failed at submit) and 5,000
two-file folders that stay running or waiting (one file per five seconds, four at a time).
A fresh child process then runs the real app headless (``tests/ui/harness.build_app`` in
``App.run_test``) on that journal, waits until the table holds every task and three poll
cycles have finished, and reports its own peak RSS (``getrusage`` ``ru_maxrss``).

Baseline, in the same run: a second fresh child runs the same app with an empty journal
(0 tasks). The difference, divided by 10,000, is the cost of one tracked task.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import ROOT, Figure, current_rss_mb, peak_rss_mb, simulator, write_section

from efile_tui.api.client import EfileClient
from efile_tui.api.models import Operation, SubmitItem
from efile_tui.core.operations import Context, submit_tracked
from efile_tui.store.audit import AuditLog
from efile_tui.store.journal import Journal

DONE, FAILED, RUNNING = 4_000, 1_000, 5_000
TASKS = DONE + FAILED + RUNNING
POLLS = 3
TARGET_MB = 200.0
HOME = "/public/home/demo"


def seed(root: Path) -> list[SubmitItem]:
    """Files for the three kinds of task; returns the 10,000 delete items."""
    items = []
    (root / "done").mkdir()
    for i in range(DONE):
        (root / "done" / f"f{i:05d}").touch()
        items.append(SubmitItem(f"{HOME}/done/f{i:05d}"))
    items += [SubmitItem(f"{HOME}/missing/m{i:05d}") for i in range(FAILED)]
    for i in range(RUNNING):
        folder = root / "running" / f"d{i:05d}"
        folder.mkdir(parents=True)
        (folder / "a").touch()
        (folder / "b").touch()
        items.append(SubmitItem(f"{HOME}/running/d{i:05d}"))
    return items


async def submit_all(url: str, token: str, state: Path, items: list[SubmitItem]) -> int:
    """Submit every item as the TUI would, journalled; returns how many became tasks."""
    async with EfileClient(url, token) as client:
        ctx = Context(client, Journal(state / "journal"), AuditLog(state / "audit"))
        outcomes = await submit_tracked(ctx, Operation.DELETE, items)
        ctx.journal.close()
    return sum(1 for o in outcomes if o.task is not None)


def run_child(url: str, token: str, state: Path, expected: int) -> dict[str, Any]:
    """Measure one fresh process; the token goes over stdin, never on a command line."""
    proc = subprocess.run(
        [sys.executable, __file__, "--child", str(state), str(expected)],
        input=json.dumps({"url": url, "token": token}),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"child failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def child(state: Path, expected: int) -> None:
    """In the fresh process: run the app until it has loaded and polled, print RSS."""
    from efile_tui.ui.screens.main import MainScreen
    from tests.ui.harness import build_app, wait_until

    secret = json.loads(sys.stdin.read())
    app = build_app(secret["url"], secret["token"], state, interval=0.5)

    async def run() -> dict[str, Any]:
        async with app.run_test(size=(200, 50)) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, MainScreen), 30, "main screen")
            main = app.main
            start = time.monotonic()
            await wait_until(
                pilot, lambda: main.table.row_count == expected and main.poll_count >= 1, 90
            )
            first = main.poll_count
            await wait_until(pilot, lambda: main.poll_count >= first + POLLS, 90, "polls")
            return {
                "rows": main.table.row_count,
                "live": sum(1 for r in main.view.rows.values() if not r.is_final),
                "polls": main.poll_count,
                "seconds": round(time.monotonic() - start, 1),
            }

    result = asyncio.run(run())
    result.update(peak_mb=peak_rss_mb(), current_mb=current_rss_mb())
    print(json.dumps(result))


def main() -> None:
    """Run both children and write the ``memory`` section of RESULTS.md."""
    with (
        simulator(files_per_second=0.2, workers=4) as sim,
        tempfile.TemporaryDirectory(prefix="efile-bench-memory-") as tmp,
    ):
        items = seed(sim.config.root)
        full, empty = Path(tmp) / "full", Path(tmp) / "empty"
        full.mkdir()
        empty.mkdir()
        tasks = asyncio.run(submit_all(sim.url, sim.token, full, items))
        assert tasks == TASKS, f"{tasks} tasks submitted"
        base = run_child(sim.url, sim.token, empty, 0)
        big = run_child(sim.url, sim.token, full, TASKS)
    per_task_kb = (big["peak_mb"] - base["peak_mb"]) * 1024 / TASKS
    figures = [
        Figure(
            f"peak RSS tracking {TASKS:,} tasks",
            big["peak_mb"],
            "MB",
            base["peak_mb"],
            f"≤ {TARGET_MB:g} MB",
            big["peak_mb"] <= TARGET_MB,
        ),
        Figure(
            f"RSS at the end ({big['polls']} polls)", big["current_mb"], "MB", base["current_mb"]
        ),
        Figure("cost per tracked task (peak, over the 0-task baseline)", per_task_kb, "KB"),
    ]
    notes = (
        f"Each figure comes from a fresh child process running the real app headless "
        f"(200×50) against the simulator, until the table holds every task and {POLLS} poll "
        f"cycles have finished ({big['seconds']} s; {big['live']:,} tasks still running, "
        f"so each poll asks about them in batches of 100). Tasks: {TASKS:,} deletes submitted "
        f"through `submit_tracked` ({DONE:,} finished, {FAILED:,} failed, {RUNNING:,} "
        "running or waiting). Baseline: the same app with an empty journal (0 tasks)."
    )
    write_section("memory", "Memory", "python bench/memory.py", figures, notes)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(Path(sys.argv[2]), int(sys.argv[3]))
    else:
        main()
