"""Big folder: first page of a 100,000-entry folder, and memory while scrolling to its end.

The simulator serves a home with ``big-folder/`` (100,000 empty files, ``seed_tree``) and
``mid-folder/`` (10,000). Each measurement runs in a fresh child process (the simulator
stays in this one), so its resident memory is the app's alone.

* Time to first page: the real app (``tests/ui/harness.build_app``, headless
  ``run_test`` at 120x40) opens the folder with ``path_pane.navigate(path)``, as typing it
  into the path bar does; the clock stops when the table holds rows of that folder
  (median of ``RUNS``, going home in between). Naive baseline: list the whole folder
  before showing anything, with ``EfileClient.iter_dir`` in pages of 10,000 (about 3 MB
  each; one request for all 100,000 would be over the client's 32 MiB answer limit) and in
  its default pages of 1,000; the faster of the two is the baseline.
* ``End``: from the folder's first page, ``End`` is pressed once; the clock stops when the
  cursor is on the folder's last entry and the screen has been repainted (the pane asks
  for the folder's last page directly). RSS growth is read before, after and at its peak;
  the same for the 10,000-entry folder. Baseline: the whole folder listed in big pages,
  put into a plain ``DataTable`` (painted), then the cursor moved to its last row (painted).

The sim's sorted view of each folder is warmed once before timing, so every variant
measures the same warm server.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import common
from common import Figure
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Static

from efile_tui.api.client import EfileClient
from efile_tui.sim.seed import seed_tree
from efile_tui.ui.widgets.path_pane import PathPane
from efile_tui.ui.widgets.path_table import PathTable, size_text
from tests.ui.harness import HOME, build_app, wait_until

BIG, MID = 100_000, 10_000
FOLDERS = {BIG: f"{HOME}/big-folder", MID: f"{HOME}/mid-folder"}
RUNS = 5  # first-page timings per folder
NAIVE_RUNS = 1
BIG_PAGE = 10_000  # entries per page of the baseline's big-page listing
SIZE = (120, 40)
FIRST_PAGE_TARGET = 0.3


def last_name(count: int) -> str:
    """Name of the last entry (name order) of the seeded folder with ``count`` entries."""
    return f"item-{count - 1:06d}.txt"


def info(pane: PathPane) -> str:
    """The pane's info row (entry counts, ``loading…``)."""
    return str(pane.query_one("#path-info", Static).render())


async def painted(app: Any) -> float:
    """The time right after the screen has next been repainted."""
    done = asyncio.get_running_loop().create_future()
    app.call_after_refresh(lambda: done.done() or done.set_result(time.perf_counter()))
    return float(await done)


async def settle(pane: PathPane, timeout: float = 10.0) -> None:
    """Wait until the pane has no page request in flight."""
    deadline = time.monotonic() + timeout
    while "loading…" in info(pane) or "opening " in info(pane):
        if time.monotonic() > deadline:
            raise AssertionError("page request never answered")
        await asyncio.sleep(0.002)


async def pane_child(url: str, token: str, count: int) -> dict[str, Any]:
    """Time the first page of the folder, then scroll to its end watching RSS."""
    folder = FOLDERS[count]
    with tempfile.TemporaryDirectory(prefix="efile-bench-state-") as tmp:
        app = build_app(url, token, Path(tmp), interval=3600.0)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: app.main.path_pane.current_path == HOME, 20, "home")
            pane = app.main.path_pane
            await settle(pane)
            table = pane.query_one("#path-table", PathTable)
            times = []
            for run in range(RUNS):
                t0 = time.perf_counter()
                pane.navigate(folder)
                while not (pane.current_path == folder and table.row_count > 1):
                    await asyncio.sleep(0.001)
                times.append(time.perf_counter() - t0)
                await settle(pane)
                if run < RUNS - 1:
                    pane.navigate(HOME)
                    await wait_until(pilot, lambda: pane.current_path == HOME, 10, "home")
                    await settle(pane)
            pane.focus_table()
            await pilot.pause()
            gc.collect()
            before = common.current_rss_mb()
            peak, rows_max, presses = before, table.row_count, 0
            want = f"{folder}/{last_name(count)}"
            t0 = time.perf_counter()
            while pane.marking.cursor_path != want:
                await pilot.press("end")
                await settle(pane)
                presses += 1
                rows_max = max(rows_max, table.row_count)
                peak = max(peak, common.current_rss_mb())
                if presses > 5:
                    raise AssertionError(f"not at the end after {presses} presses: {info(pane)}")
            await painted(app)
            scroll = time.perf_counter() - t0
            gc.collect()
            after = common.current_rss_mb()
            rows_end = table.row_count
    return {
        "first_page": times,
        "rss_before": before,
        "rss_after": after,
        "rss_peak": max(peak, after),
        "rows_max": rows_max,
        "rows_end": rows_end,
        "presses": presses,
        "scroll_s": scroll,
    }


class NaiveApp(App[None]):
    """A plain DataTable with the path pane's columns, filled with a whole listing."""

    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="row")


async def naive_child(url: str, token: str, count: int) -> dict[str, Any]:
    """List the whole folder (pages of 10,000; of 1,000), then hold it in a DataTable."""
    folder = FOLDERS[count]
    async with EfileClient(url, token) as client:
        await client.list_dir(folder, limit=1)  # connect once, as the app would be
        gc.collect()
        before = common.current_rss_mb()
        one, pages = [], []
        for _ in range(NAIVE_RUNS):
            t0 = time.perf_counter()
            entries = [e async for e in client.iter_dir(folder, page_size=BIG_PAGE)]
            one.append(time.perf_counter() - t0)
            assert len(entries) == count
            t0 = time.perf_counter()
            n = sum([1 async for _ in client.iter_dir(folder)])
            pages.append(time.perf_counter() - t0)
            assert n == count
        t0 = time.perf_counter()
        page = await client.list_dir(folder, limit=200)
        single_page = time.perf_counter() - t0
        assert page.entries
    app = NaiveApp()
    async with app.run_test(size=SIZE):
        table = app.query_one(DataTable)
        t0 = time.perf_counter()
        for key in ("mark", "name", "type", "size", "modified"):
            table.add_column(key, key=key)
        for e in entries:
            table.add_row(
                Text(" "),
                Text(e.name),
                Text("file"),
                Text(size_text(e.size), justify="right"),
                Text((e.modified or "")[:16]),
                key=e.path,
            )
        await painted(app)
        fill = time.perf_counter() - t0
        t0 = time.perf_counter()
        table.move_cursor(row=count - 1)
        await painted(app)
        end = time.perf_counter() - t0
        gc.collect()
        after = common.current_rss_mb()
    return {
        "big_pages": one,
        "iter_dir": pages,
        "single_page": single_page,
        "fill": fill,
        "end": end,
        "rss_before": before,
        "rss_after": after,
        "rss_peak": max(after, common.peak_rss_mb()),
    }


async def warm(url: str, token: str) -> None:
    """List each folder once, so the sim has its sorted views before anything is timed."""
    async with EfileClient(url, token) as client:
        for folder in FOLDERS.values():
            await client.list_dir(folder, limit=1)


def run_child(kind: str, count: int, sim: Any) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter; the token goes in its environment."""
    env = dict(os.environ, EFILE_URL=sim.url, EFILE_TOKEN=sim.token)
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(count)],
        env=env,
        cwd=common.ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if out.returncode:
        raise RuntimeError(f"{kind} {count} failed:\n{out.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def child_main(kind: str, count: int) -> None:
    """Entry point of a child: print one JSON line."""
    url, token = os.environ["EFILE_URL"], os.environ["EFILE_TOKEN"]
    run = pane_child if kind == "pane" else naive_child
    print(json.dumps(asyncio.run(run(url, token, count))))


def main() -> None:
    """Seed, serve, measure in child processes, print and record the section."""
    t_seed = time.perf_counter()
    with common.simulator() as sim:
        root = sim.config.root
        seed_tree(root, projects=1, small_files=0, large_files=0, many_files=BIG)
        mid = root / "mid-folder"
        mid.mkdir()
        for n in range(MID):
            os.close(os.open(mid / f"item-{n:06d}.txt", os.O_CREAT | os.O_WRONLY, 0o644))
        time.sleep(0.3)  # the sim caches a folder's sorted view once it is not brand new
        asyncio.run(warm(sim.url, sim.token))
        seeded = time.perf_counter() - t_seed
        results = {(kind, n): run_child(kind, n, sim) for n in (BIG, MID) for kind in ("pane",)}
        naive = run_child("naive", BIG, sim)
        requests = sim.stats()["requests"]
    big, mid_r = results[("pane", BIG)], results[("pane", MID)]
    first = common.median(big["first_page"])
    naive_list = min(common.median(naive["big_pages"]), common.median(naive["iter_dir"]))
    growth = {n: r["rss_peak"] - r["rss_before"] for n, r in ((BIG, big), (MID, mid_r))}
    kept = {n: r["rss_after"] - r["rss_before"] for n, r in ((BIG, big), (MID, mid_r))}
    naive_growth = naive["rss_peak"] - naive["rss_before"]
    naive_kept = naive["rss_after"] - naive["rss_before"]
    # "Does not grow with the folder": 10x the entries may cost at most 1.5x (+5 MB noise).
    bounded = growth[BIG] <= 1.5 * growth[MID] + 5
    figures = [
        Figure(
            "first page of a 100,000-entry folder",
            first,
            "s",
            naive_list,
            f"≤ {FIRST_PAGE_TARGET} s",
            first <= FIRST_PAGE_TARGET,
        ),
        Figure(
            "peak RSS growth, scrolled to the end of 100,000",
            growth[BIG],
            "MB",
            naive_growth,
            "≈ the 10,000 figure",
            bounded,
        ),
        Figure("RSS kept at the end of 100,000", kept[BIG], "MB", naive_kept),
        Figure("peak RSS growth, scrolled to the end of 10,000", growth[MID], "MB"),
        Figure("most rows held in the table (100,000)", big["rows_max"], "rows", BIG),
        Figure(
            "`End` in a 100,000-entry folder → last entry painted",
            big["scroll_s"],
            "s",
            common.median(naive["big_pages"]) + naive["fill"] + naive["end"],
            "≤ 0.5 s",
            big["scroll_s"] <= 0.5,
        ),
    ]
    notes = (
        f"Home on the simulator with `big-folder/` ({BIG:,} empty files, `seed_tree`) and "
        f"`mid-folder/` ({MID:,}); seeding took {seeded:.1f} s. First page: median of {RUNS} "
        "`path_pane.navigate` calls in the headless real app until rows of the folder are in "
        f"the table (runs {', '.join(f'{t * 1000:.0f}' for t in big['first_page'])} ms; "
        f"one raw 200-entry request {naive['single_page'] * 1000:.0f} ms). Naive: whole folder "
        f"in pages of {BIG_PAGE:,} {common.median(naive['big_pages']):.2f} s, of 1,000 "
        f"{common.median(naive['iter_dir']):.2f} s; filling a DataTable with it took "
        f"{naive['fill']:.2f} s more.\n\n"
        f"Memory: each figure in its own fresh process, RSS growth from the folder's first "
        f"page while `End` is pressed until the cursor is on the last entry "
        f"({big['presses']} presses for {BIG:,}, {mid_r['presses']} for {MID:,}; rows held "
        f"at most {big['rows_max']:,} / {mid_r['rows_max']:,}). 10,000: peak growth "
        f"{growth[MID]:.1f} MB, kept {kept[MID]:.1f} MB. Naive: the {BIG:,}-entry listing "
        f"held in a plain DataTable. Simulator requests: "
        f"{sum(v for k, v in requests.items() if 'list' in k):,} list calls in all.\n\n"
        f"Baseline `End`: {common.median(naive['big_pages']):.2f} s listing + "
        f"{naive['fill']:.2f} s filling the DataTable + {naive['end'] * 1000:.0f} ms for the "
        "cursor move itself."
    )
    common.write_section("bigfolder", "Big folder", "python bench/bigfolder.py", figures, notes)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child_main(sys.argv[2], int(sys.argv[3]))
    else:
        main()
