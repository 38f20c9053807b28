"""Table update cost: one poll result applied to a task table of 10,000 rows.

What is measured: the real app (``tests/ui/harness.build_app``) runs headless
(``App.run_test``) against the simulator, with a journal holding 10,000 running tasks and
polling held off (a poll interval of a day, after the first poll on start), so the timed
work is only the table's. Each round first writes new status/progress for 500 random tasks
into the journal (what ``poll_once`` does; not timed), then times, wall clock:

- **efile-tui**: ``MainScreen.apply_entries(entries)`` for those 500 entries (view diff,
  ``TaskTable.sync`` of the changed cells, info line, status counts) and the wait until the
  screen has settled: every widget has processed its queued messages (including the
  DataTable's idle-time re-measuring) and the compositor has rendered the dirty widgets.
  The same is also reported with the journal lookup ``MainScreen._entries`` of the 500
  keys in front, and (fewer rounds) for what ``run_poll`` does today: look up and apply
  every task the service returned, here all 10,000, of which 500 changed.
- **naive baseline**: the same entries put into the view, then ``table.clear()`` and all
  10,000 rows added again, and the same settle wait.

``Pilot.pause()`` is not used for the settle wait: it always sleeps at least 20 ms for
"CPU idle", which would hide the cost being measured. The wait here is what ``pause()``
does minus that sleep (``_wait_for_screen`` plus a forced compositor update), repeated
until nothing is pending. After the timed rounds the script checks that the table shows
what the view holds, both on screen and read back from rows out of sight.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import Figure, simulator, write_section
from rich.text import Text

from efile_tui.api.models import Task
from efile_tui.core.taskview import TaskRow
from efile_tui.store.journal import Journal
from efile_tui.ui.screens.main import MainScreen
from efile_tui.ui.widgets.task_table import KeyCell, TaskTable
from tests.ui.harness import HOME, build_app, wait_until

TASKS = 10_000
CHANGED = 500
ROUNDS = 40
POLL_ROUNDS = 10
NAIVE_ROUNDS = 8
TARGET_MS = 16.0
SIZE = (200, 50)
OPS = ("delete", "copy", "move")


def api_task(i: int, task_id: str, *, status: str, processed: int) -> Task:
    """A task as the service's task/list would return it."""
    op = OPS[i % 3]
    return Task.from_api(
        {
            "taskId": task_id,
            "operationType": op,
            "status": status,
            "sourcePath": f"{HOME}/proj-{i % 40}/run-{i:05d}/output",
            "targetPath": None if op == "delete" else f"{HOME}/archive/run-{i:05d}",
            "totalNum": 1000,
            "processedNum": processed,
            "totalSize": 1000 * 4096,
            "processedSize": processed * 4096,
            "submitTime": "2026-11-21 10:00:00",
            "updateTime": f"2026-11-21 10:{processed // 60 % 60:02d}:{processed % 60:02d}",
        }
    )


def fill_journal(path: Path) -> dict[str, int]:
    """10,000 imported ids, each reported as running; returns task id → index."""
    ids = {f"{i:08x}{'0' * 24}": i for i in range(TASKS)}
    clock = [time.time() - 3600.0]
    with Journal(path, clock=lambda: clock[0]) as journal:
        keys = list(ids)
        for start in range(0, TASKS, 100):  # distinct submit times, newest last
            journal.add_ids(keys[start : start + 100], profile=None, region=None)
            clock[0] += 1.0
        clock[0] = time.time()
        journal.record_tasks(
            api_task(i, t, status="processing" if i % 4 else "waiting", processed=i % 500)
            for t, i in ids.items()
        )
    return ids


async def settle(pilot: Any, screen: MainScreen, table: TaskTable) -> None:
    """Return once every queued message is handled and the screen is drawn."""
    app = pilot.app
    for _ in range(50):
        await pilot._wait_for_screen()
        app.screen._on_timer_update()
        pending = (
            table._require_update_dimensions
            or table._new_rows
            or table._updated_cells
            or screen._dirty_widgets
            or screen._layout_required
            or screen._repaint_required
        )
        if not pending:
            return
    raise RuntimeError("the screen did not settle")


def naive_rebuild(table: TaskTable) -> None:
    """The naive table update: clear it and add every row again."""
    table.clear()
    look = table._look()  # the table's own cell builder, so only the table work differs
    for key in table.view.visible_keys():
        table.add_row(*table._cells(key, table._texts(table.view.rows[key], look)), key=key)


def plain(cell: object) -> str:
    """The text a table cell shows."""
    if isinstance(cell, KeyCell):
        return cell.text.plain
    return cell.plain if isinstance(cell, Text) else str(cell)


def check_table(screen: MainScreen, table: TaskTable) -> None:
    """Fail unless the table shows what the view holds, in view and out of sight."""
    assert table._order == screen.view.visible_keys()
    assert len(table._shown) == table.row_count == TASKS
    look = table._look()

    def expected(key: str) -> list[str]:
        return [text for text, _ in table._texts(screen.view.rows[key], look)]

    top = table.scroll_offset.y
    for key in table._order[top : top + table.size.height]:  # in view: never stale
        assert key not in table._stale, key
        assert [plain(c) for c in table._shown[key]] == expected(key), key
    for key in random.Random(1).sample(table._order, 200):  # anywhere, as read back
        assert [plain(c) for c in table.get_row(key)] == expected(key), key


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation."""
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


async def measure(url: str, token: str, state: Path, ids: dict[str, int]) -> dict[str, Any]:
    """Run the app and time the rounds; returns lists of milliseconds."""
    rng = random.Random(7)
    progress = {t: i % 500 for t, i in ids.items()}
    app = build_app(url, token, state, interval=86400.0)
    out: dict[str, list[float]] = {k: [] for k in ("apply", "lookup", "with_lookup", "poll")}
    out["naive"] = []
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_until(
            pilot, lambda: isinstance(app.screen, MainScreen) and app.screen, what="main screen"
        )
        assert isinstance(screen, MainScreen)
        table = screen.table
        await wait_until(
            pilot, lambda: screen.poll_count >= 1 and len(table._shown) == TASKS, 60, "load"
        )
        await settle(pilot, screen, table)
        journal = screen.ctx.journal

        def change_some() -> list[str]:
            keys = rng.sample(list(ids), CHANGED)
            tasks = []
            for key in keys:
                progress[key] += rng.randint(1, 40)
                status = "processing" if rng.random() < 0.9 else "waiting"
                tasks.append(api_task(ids[key], key, status=status, processed=progress[key]))
            journal.record_tasks(tasks)
            return keys

        for n in range(ROUNDS):
            keys = change_some()
            t0 = time.perf_counter()
            entries = screen._entries(keys)
            t1 = time.perf_counter()
            screen.apply_entries(entries)
            await settle(pilot, screen, table)
            t2 = time.perf_counter()
            if n >= 2:  # the first rounds warm caches up
                out["lookup"].append((t1 - t0) * 1e3)
                out["apply"].append((t2 - t1) * 1e3)
                out["with_lookup"].append((t2 - t0) * 1e3)
        check_table(screen, table)

        # What run_poll does today: every task the service returned (all 10,000 are
        # running) is looked up and applied; the view's diff finds the 500 that changed.
        for _ in range(POLL_ROUNDS):
            change_some()
            t0 = time.perf_counter()
            entries = screen._entries(list(ids))
            screen.apply_entries(entries)
            await settle(pilot, screen, table)
            out["poll"].append((time.perf_counter() - t0) * 1e3)
        check_table(screen, table)

        for _ in range(NAIVE_ROUNDS):
            keys = change_some()
            entries = screen._entries(keys)
            t0 = time.perf_counter()
            screen.view.upsert(TaskRow.from_entry(e) for e in entries)
            naive_rebuild(table)
            await settle(pilot, screen, table)
            out["naive"].append((time.perf_counter() - t0) * 1e3)
        assert table.row_count == TASKS
    return out


def main() -> None:
    """Run the measurement and write the ``table`` section of RESULTS.md."""
    with tempfile.TemporaryDirectory(prefix="efile-bench-table-") as tmp, simulator() as sim:
        state = Path(tmp)
        ids = fill_journal(state / "journal.sqlite3")
        ms = asyncio.run(measure(sim.url, sim.token, state, ids))
    naive = ms["naive"]
    naive_med, naive_p90 = statistics.median(naive), percentile(naive, 90)
    figures = []
    for key, label in (
        ("apply", "apply_entries(500 changed) + settle"),
        ("with_lookup", "_entries(500) + apply_entries + settle"),
        ("poll", "run_poll path: _entries + apply_entries of all 10,000 returned"),
    ):
        med, p90 = statistics.median(ms[key]), percentile(ms[key], 90)
        target = key == "apply"
        figures.append(
            Figure(
                f"{label}, median",
                med,
                "ms",
                naive_med,
                f"≤ {TARGET_MS:g} ms" if target else "",
                med <= TARGET_MS if target else None,
            )
        )
        figures.append(Figure(f"{label}, p90", p90, "ms", naive_p90))
    notes = (
        f"Real app headless ({SIZE[0]}×{SIZE[1]}) over a journal of {TASKS:,} running tasks, "
        f"polling held off; each round writes new status/progress for {CHANGED} random tasks "
        "into the journal (untimed), then times the table update until the screen has "
        "settled (message queues drained, compositor drawn; `Pilot.pause()` is not used as "
        f"it sleeps ≥ 20 ms). Rounds: {len(ms['apply'])}, and {len(ms['poll'])} for the "
        f"run_poll path (journal lookup alone: {statistics.median(ms['lookup']):.1f} ms for "
        f"500 keys). Baseline ({len(naive)} rounds): the same rows into the view, then "
        f"`table.clear()` and all {TASKS:,} rows added again."
    )
    write_section("table", "Table update cost", "python bench/table.py", figures, notes)


if __name__ == "__main__":
    sys.exit(main())
