"""The task table with 10,000 and 100,000 tasks: load, filter, poll, sort, memory.

Three contenders, each in its own process (so peak memory is its own), headless at
160x50, over the same rows:

- **efile-tui**: the real app (``EfileApp`` as ``efile-tui`` builds it, over a real journal
  of N tasks written by ``journal_fill.py``), polling held off so the timed work is the
  table's. Loading is what the app does on start (journal read and rows made in threads,
  order worked out in a thread); the other figures drive it the way the keys do
  (``TaskPane.set_filter``, the ``s`` key) or the way a poll ends (``apply_batch``).
- **baseline**: what a competent engineer would write with Textual's ``DataTable``: rows
  added with one ``add_rows``, a filter applied and cleared with ``clear()`` + ``add_rows``,
  a poll applied with ``update_cell(..., update_width=False)`` on the cells that changed,
  a sort with ``DataTable.sort``. Same rows (made from the same journal).
- **floor**: the bare ``VirtualTable`` in a minimal app, handed the keys: no journal, no
  view, no app around it.

"Painted" means the screen was refreshed after the change: the clock stops in a callback
``App.call_after_refresh`` runs after the next repaint, and, for loading, once the rows
are on screen. While loading and sorting, a probe coroutine wakes every 5 ms; its longest
late wake-up is the longest time the app could not have answered a key ("stall").

    python bench/table.py            # 10,000 and 100,000 tasks, writes RESULTS.md
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import common
from journal_fill import fill

SIZES = (10_000, 100_000)
CHANGED = 500
ROUNDS = 15
SIZE = (160, 50)
TIMEOUT = 120.0


# -- measuring helpers ----------------------------------------------------------------------


class Stalls:
    """The longest time the event loop was busy, sampled by a coroutine every 5 ms."""

    def __init__(self) -> None:
        self.worst = 0.0
        self.task: asyncio.Task[None] | None = None

    async def run(self) -> None:
        """Wake every 5 ms and note how late each wake-up was."""
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            self.worst = max(self.worst, now - last - 0.005)
            last = now

    def start(self) -> Stalls:
        """Start sampling (from zero)."""
        self.worst = 0.0
        self.task = asyncio.get_running_loop().create_task(self.run())
        return self

    def stop(self) -> float:
        """Stop sampling; the worst stall in seconds."""
        if self.task is not None:
            self.task.cancel()
        return self.worst


async def painted(app: Any) -> float:
    """The time right after the screen has next been repainted."""
    done = asyncio.get_running_loop().create_future()
    app.call_after_refresh(lambda: done.done() or done.set_result(time.perf_counter()))
    return float(await done)


async def until(predicate: Callable[[], Any], what: str) -> None:
    """Let the app run until ``predicate()`` is true."""
    deadline = time.monotonic() + TIMEOUT
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        await asyncio.sleep(0.002)


def rows_of(journal: Path) -> list[Any]:
    """The table rows made from a journal (what every contender shows)."""
    from efile_tui.core.taskrow import TaskRow, bulk_load
    from efile_tui.store.journal import Journal

    with bulk_load(), Journal(journal) as j:  # read as the app reads it
        return [TaskRow.from_entry(e) for e in j.entries()]


def needle(count: int) -> str:
    """Filter text matching 1 % of ``count`` tasks (their ``run-NNNNNN`` source folders)."""
    fixed = 6 - (len(str(count // 100)) - 1)  # the digits that do not vary
    return "run-" + f"{1:0{fixed}d}"


def changed_rows(rows: list[Any], round_no: int) -> list[Any]:
    """500 rows with new progress (and every tenth a new status), as a poll brings."""
    from dataclasses import replace

    step = max(1, len(rows) // CHANGED)
    out = []
    for i in range(round_no % step, len(rows), step)[:CHANGED]:
        row = rows[i]
        done = (row.processed_num + 1 + round_no) % max(1, row.total_num)
        new = replace(row, processed_num=done, percent=100.0 * done / max(1, row.total_num))
        if i % 10 == 0:
            new = replace(new, status="complete" if row.status != "complete" else "fail")
        out.append(new)
    return out


# -- efile-tui ------------------------------------------------------------------------------


async def efile_tui(journal: Path, count: int) -> dict[str, Any]:
    """The real app over the journal."""
    from efile_tui.api.client import EfileClient
    from efile_tui.core.operations import Context
    from efile_tui.core.query import TaskQuery
    from efile_tui.core.query_text import parse_query
    from efile_tui.core.taskrow import Batch, bulk_load
    from efile_tui.store.audit import AuditLog
    from efile_tui.store.journal import Journal
    from efile_tui.ui.app import EfileApp
    from efile_tui.ui.screens.main import MainScreen
    from efile_tui.ui.widgets.task_pane import TaskPane

    MainScreen.poll_now = lambda self: None  # type: ignore[method-assign]  # polling held off
    out: dict[str, Any] = {}
    with common.simulator() as sim:
        t0 = time.perf_counter()
        with bulk_load():  # as create_app opens it
            opened = Journal(journal)
        ctx = Context(
            client=EfileClient(sim.url, sim.token),
            journal=opened,
            audit=AuditLog(journal.parent / "audit"),
            profile=None,
            region=None,
        )
        out["journal_open"] = time.perf_counter() - t0
        app = EfileApp(ctx, endpoint="bench", home=sim.config.home, interval=86400)
        stalls = Stalls()
        async with app.run_test(size=SIZE):
            stalls.start()
            main = app.main
            table = main.table
            await until(lambda: table.row_count == count and main.view.order_ready(), "rows")
            await painted(app)
            out["load"] = time.perf_counter() - t0
            out["load_stall"] = stalls.stop()
            pane = main.query_one(TaskPane)
            table.focus()

            filter_ms, clear_ms = [], []
            for _ in range(5):
                t1 = time.perf_counter()
                pane.set_filter(parse_query(needle(count)))
                await until(lambda: table.row_count == count // 100, "filtered")
                filter_ms.append(await painted(app) - t1)
                t1 = time.perf_counter()
                pane.set_filter(TaskQuery())
                await until(lambda: table.row_count == count, "unfiltered")
                clear_ms.append(await painted(app) - t1)
            out["filter"], out["clear"] = filter_ms, clear_ms

            rows = list(main.view.rows.values())
            apply_ms, apply_paint_ms = [], []
            for r in range(ROUNDS):
                # What Batch.prepare hands over after a poll (made in a thread, untimed).
                batch = Batch(changed=changed_rows(rows, r), compared=True)
                t1 = time.perf_counter()
                main.apply_batch(batch)
                t2 = time.perf_counter()
                apply_paint_ms.append(await painted(app) - t1)
                apply_ms.append(t2 - t1)
                assert table.row_count == count
            out["poll_apply"], out["poll_paint"] = apply_ms, apply_paint_ms

            sort_s, sort_stall = [], []
            for _ in range(3):
                before = list(table.row_keys[:5])
                stalls.start()
                t1 = time.perf_counter()
                table.action_cycle_sort()
                await until(lambda: main.view.order_ready(), "sorted")
                await until(lambda: table.row_keys is main.view.visible_keys(), "shown")
                sort_s.append(await painted(app) - t1)
                sort_stall.append(stalls.stop())
                del before
            out["sort"], out["sort_stall"] = sort_s, sort_stall
            out["peak_mb"] = common.peak_rss_mb()
        await ctx.client.aclose()
    return out


# -- baseline: DataTable --------------------------------------------------------------------


def cells(row: Any) -> tuple[str, ...]:
    """A row's cells for the DataTable: the same texts the task table shows."""
    from efile_tui.ui.widgets.task_columns import progress_text, status_text

    return (
        " ",
        (row.task_id or "—")[:8],
        row.operation,
        status_text(row, 22),
        progress_text(row),
        row.source,
        row.target,
        row.submitted_text[5:16],
        row.updated_text[11:19],
        row.error,
    )


async def baseline(journal: Path, count: int) -> dict[str, Any]:
    """A plain DataTable with the same rows."""
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    out: dict[str, Any] = {}
    t0 = time.perf_counter()
    rows = rows_of(journal)
    out["journal_open"] = time.perf_counter() - t0

    class Plain(App[None]):
        def compose(self) -> ComposeResult:
            table: DataTable[str] = DataTable(cursor_type="row")
            widths = (1, 8, 6, 22, 18, 30, 30, 11, 8, 24)
            for name, width in zip(
                "m id op status progress source target sub upd err".split(), widths, strict=True
            ):
                table.add_column(name, key=name, width=width)
            yield table

    app = Plain()
    stalls = Stalls()
    async with app.run_test(size=SIZE):
        stalls.start()
        table = app.query_one(DataTable)
        for r in rows:
            table.add_row(*cells(r), key=r.key)
        await painted(app)
        out["load"] = time.perf_counter() - t0
        out["load_stall"] = stalls.stop()
        filter_ms, clear_ms = [], []
        for _ in range(2 if count > 20_000 else 5):
            t1 = time.perf_counter()
            shown = [r for r in rows if needle(count) in r.source]
            table.clear()
            for r in shown:
                table.add_row(*cells(r), key=r.key)
            filter_ms.append(await painted(app) - t1)
            t1 = time.perf_counter()
            table.clear()
            for r in rows:
                table.add_row(*cells(r), key=r.key)
            clear_ms.append(await painted(app) - t1)
        out["filter"], out["clear"] = filter_ms, clear_ms
        apply_ms, apply_paint_ms = [], []
        for r in range(ROUNDS):
            new = changed_rows(rows, r)
            t1 = time.perf_counter()
            for row in new:
                status, progress = cells(row)[3:5]
                table.update_cell(row.key, "status", status, update_width=False)
                table.update_cell(row.key, "progress", progress, update_width=False)
            t2 = time.perf_counter()
            apply_paint_ms.append(await painted(app) - t1)
            apply_ms.append(t2 - t1)
        out["poll_apply"], out["poll_paint"] = apply_ms, apply_paint_ms
        sort_s, sort_stall = [], []
        for name in ("status", "op", "source"):
            stalls.start()
            t1 = time.perf_counter()
            table.sort(name)
            sort_s.append(await painted(app) - t1)
            sort_stall.append(stalls.stop())
        out["sort"], out["sort_stall"] = sort_s, sort_stall
        out["peak_mb"] = common.peak_rss_mb()
    return out


# -- floor: the bare VirtualTable -----------------------------------------------------------


async def floor(journal: Path, count: int) -> dict[str, Any]:
    """The Line-API table alone, handed the keys, in a minimal app."""
    from textual.app import App, ComposeResult

    from efile_tui.ui.widgets.vtable import Column, VirtualTable

    out: dict[str, Any] = {}
    t0 = time.perf_counter()
    rows = rows_of(journal)
    out["journal_open"] = time.perf_counter() - t0
    by_key = {r.key: r for r in rows}
    keys = [r.key for r in rows]
    shown = [r.key for r in rows if needle(count) in r.source]

    class Bare(VirtualTable):
        def row_cells(self, key: str) -> list[tuple[str, str]]:
            return [(c, "") for c in cells(by_key[key])]

    class Floor(App[None]):
        def compose(self) -> ComposeResult:
            yield Bare()

    app = Floor()
    stalls = Stalls()
    async with app.run_test(size=SIZE):
        stalls.start()
        table = app.query_one(Bare)
        widths = (1, 8, 6, 22, 18, 30, 30, 11, 8, 24)
        table.set_columns([Column(str(i), str(i), w) for i, w in enumerate(widths)])
        table.set_rows(keys)
        await painted(app)
        out["load"] = time.perf_counter() - t0
        out["load_stall"] = stalls.stop()
        filter_ms, clear_ms = [], []
        for _ in range(5):
            t1 = time.perf_counter()
            table.set_rows(shown)
            filter_ms.append(await painted(app) - t1)
            t1 = time.perf_counter()
            table.set_rows(keys)
            clear_ms.append(await painted(app) - t1)
        out["filter"], out["clear"] = filter_ms, clear_ms
        apply_ms, apply_paint_ms = [], []
        for r in range(ROUNDS):
            new = changed_rows(rows, r)
            t1 = time.perf_counter()
            for row in new:
                by_key[row.key] = row
            table.refresh_rows([row.key for row in new])
            t2 = time.perf_counter()
            apply_paint_ms.append(await painted(app) - t1)
            apply_ms.append(t2 - t1)
        out["poll_apply"], out["poll_paint"] = apply_ms, apply_paint_ms
        out["peak_mb"] = common.peak_rss_mb()
    return out


# -- driver -----------------------------------------------------------------------------------


def child(kind: str, journal: Path, count: int) -> None:
    """Run one contender and print its figures as JSON."""
    runner = {"efile-tui": efile_tui, "baseline": baseline, "floor": floor}[kind]
    print(json.dumps(asyncio.run(runner(journal, count))))


def run(kind: str, journal: Path, count: int) -> dict[str, Any]:
    """One contender in its own process."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(journal), str(count)],
        capture_output=True,
        text=True,
        cwd=common.ROOT,
        timeout=1800,
        check=False,
    )
    if out.returncode:
        raise RuntimeError(f"{kind} {count}: {out.stderr[-3000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def spread(values: list[float], scale: float = 1000.0) -> str:
    """``median (min–max)`` of a list of seconds, in ms (or another unit via ``scale``)."""
    med = statistics.median(values) * scale
    return (
        f"{common.fmt(med)} ({common.fmt(min(values) * scale)}–{common.fmt(max(values) * scale)})"
    )


def cell(figures: dict[str, Any], key: str, scale: float, unit: str) -> str:
    """One contender's figure for the results table."""
    value = figures.get(key)
    if value is None:
        return "–"
    if isinstance(value, list):
        return f"{spread(value, scale)} {unit}"
    return f"{common.fmt(value * scale)} {unit}"


def line(
    count: int,
    got: dict[str, dict[str, Any]],
    name: str,
    key: str,
    target: str = "",
    met: bool | None = None,
    *,
    scale: float = 1000.0,
    unit: str = "ms",
) -> str:
    """One row of the results table: a measure for every contender."""
    shown = " | ".join(cell(got[k], key, scale, unit) for k in ("efile-tui", "baseline", "floor"))
    verdict = "–" if met is None else ("yes" if met else "**no**")
    return f"| {count:,} | {name} | {shown} | {target or '–'} | {verdict} |"


def main() -> None:
    """Measure every contender at every size and write the ``table`` section."""
    lines = [
        "| tasks | measure | efile-tui | baseline: DataTable | floor: bare VirtualTable "
        "| target | met |",
        "|---:|---|---:|---:|---:|---|---|",
    ]
    raw = []
    med = statistics.median
    with tempfile.TemporaryDirectory(prefix="efile-bench-table-") as tmp:
        for count in SIZES:
            folder = Path(tmp) / str(count)
            folder.mkdir()
            journal = fill(folder, count)
            rows_of(journal)  # the first open after writing folds the new events: not timed
            got = {kind: run(kind, journal, count) for kind in ("efile-tui", "baseline", "floor")}
            me = got["efile-tui"]
            big = count == 100_000
            lines += [
                line(count, got, "open journal, make rows", "journal_open", scale=1, unit="s"),
                line(count, got, "start → all rows shown and painted", "load", scale=1, unit="s"),
                line(
                    count,
                    got,
                    "longest stall while loading",
                    "load_stall",
                    "≤ 100 ms",
                    me["load_stall"] <= 0.1,
                ),
                line(count, got, "filter to 1 % (painted)", "filter"),
                line(
                    count,
                    got,
                    "clear that filter (painted)",
                    "clear",
                    "≤ 50 ms" if big else "",
                    med(me["clear"]) <= 0.05 if big else None,
                ),
                line(
                    count,
                    got,
                    f"apply a poll of {CHANGED} changed rows (UI work)",
                    "poll_apply",
                    "≤ 5 ms median" if big else "",
                    med(me["poll_apply"]) <= 0.005 if big else None,
                ),
                line(count, got, f"apply a poll of {CHANGED} changed rows, painted", "poll_paint"),
                line(count, got, "re-sort (painted)", "sort", scale=1, unit="s"),
                line(
                    count,
                    got,
                    "longest stall while re-sorting",
                    "sort_stall",
                    "≤ 100 ms",
                    max(me["sort_stall"]) <= 0.1,
                ),
                line(
                    count,
                    got,
                    "peak RSS",
                    "peak_mb",
                    "≤ 200 MB" if big else "",
                    me["peak_mb"] <= 200 if big else None,
                    scale=1,
                    unit="MB",
                ),
            ]
            raw.append(f"{count:,}: {json.dumps(got)}")
    text = "\n".join(lines) + "\n\n" + NOTES
    common.write_text_section(
        "table",
        "Task table: 10,000 and 100,000 tasks",
        "python bench/table.py",
        text
        + "\n<details><summary>raw figures (s, MB)</summary>\n\n"
        + "\n\n".join(raw)
        + "\n\n</details>\n",
    )


NOTES = (
    "Each cell: median (min–max) over the rounds (load and memory: one run each). The "
    "journal (`bench/journal_fill.py`: 5 % running, the rest finished, submitted over 20 h) "
    "is the same for all three; the baseline and the floor read it into rows inside their "
    "load time too. efile-tui's first row includes opening the journal (the journal's own "
    "cost, paid before the app starts). Its poll figure is the UI-thread part of a poll "
    "(`MainScreen.apply_batch`: view update, repaint of the changed rows in view, info line, "
    "counts); making those 500 rows from the journal runs in a thread and is not timed. "
    "The baseline applies the same 500 rows with `update_cell(update_width=False)` on the two "
    "cells that change, re-sorts with `DataTable.sort(column)`, filters with `clear()` + "
    "`add_row` of the matches.\n"
)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], Path(sys.argv[3]), int(sys.argv[4]))
    else:
        main()
