"""Untrusted sizes stay bounded: a large journal listed as JSON, and a delete confirmation of
very long names.

* ``json``: ``efile-tui tasks --json --all`` over a journal of 50,000 entries
  (``bench/journal_fill.py``), the real CLI in a child process: its peak memory (VmHWM)
  and wall time. Baseline in the same run: a child that reads the same journal and writes
  the same entries as one JSON document built whole in memory (``json.dump`` of the list:
  what a plain implementation does). Floor: ``tasks --jsonl --all`` (one entry a line).
  Target: under 150 MB.
* ``confirm``: the TUI's delete confirmation of 200 marked paths whose names are 40,000
  characters long, opened headless in a fresh child until its preview is shown: the
  child's CPU time and peak memory. Baseline in the same run: the same dialog with 200
  short names. Target: within 2× of the baseline for both.

    python bench/bounds.py [json] [confirm]
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import common
from bulk import CHILD, env_for
from common import Figure, simulator, write_section

ENTRIES = 50_000
TARGET_MB = 150.0
ROUNDS = 3

# A plain ``tasks --json``: every entry read, the list built, then dumped in one go.
WHOLE = """
import json, sys
sys.path.insert(0, sys.argv[1])
import common
from efile_tui.store.journal import Journal
with Journal(defer=True) as journal:
    journal.load()
    rows = [e.to_json() for e in journal.entries(include_dismissed=True)]
json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
sys.stderr.write(f"PEAK {common.peak_rss_mb():.1f}\\n")
"""

# The delete confirmation of N paths (long or short names), opened until its preview is
# shown; prints the process's CPU seconds and peak memory.
CONFIRM = """
import asyncio, resource, sys
sys.path.insert(0, sys.argv[1])
sys.path.insert(0, sys.argv[2])
import common
from efile_tui.ui.modals.confirm_delete import ConfirmDeleteScreen
from tests.ui.test_confirm_delete import HOME, Gate, ModalApp, small, wait_for
length, count = int(sys.argv[3]), int(sys.argv[4])
paths = [f"{HOME}/run/{'x' * length}-{i:03d}.dat" for i in range(count)]

async def main():
    gate = Gate(small(deepest_path=paths[7], largest=((paths[3], 10),)))
    gate.event.set()
    screen = ConfirmDeleteScreen(paths, gate)
    app = ModalApp(screen)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: screen.preview_done)
        await pilot.pause()

before = resource.getrusage(resource.RUSAGE_SELF)
asyncio.run(main())
after = resource.getrusage(resource.RUSAGE_SELF)
cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
print(f"{cpu:.4f} {common.peak_rss_mb():.1f}")
"""


def _peak(stderr: str) -> float:
    return next(float(x.split()[1]) for x in stderr.splitlines() if x.startswith("PEAK"))


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Seconds, peak MB and output bytes of one child."""
    t0 = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t0
    assert done.returncode == 0, done.stderr[-2000:]
    return seconds, _peak(done.stderr), len(json.loads(done.stdout or "[]") or [])


def bench_json() -> tuple[list[Figure], str]:
    sys.path.insert(0, str(common.BENCH))
    from journal_fill import fill

    with simulator() as server, tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp) / "state"
        t0 = time.perf_counter()
        fill(state, ENTRIES)
        filled = time.perf_counter() - t0
        env = env_for(server, state)
        cli = [sys.executable, "-c", CHILD, str(common.BENCH), "tasks", "--all"]
        runs: dict[str, list[tuple[float, float]]] = {"json": [], "whole": [], "jsonl": []}
        for _ in range(ROUNDS):
            seconds, mb, count = _run([*cli, "--json"], env)
            assert count == ENTRIES, count
            runs["json"].append((seconds, mb))
            seconds, mb, count = _run([sys.executable, "-c", WHOLE, str(common.BENCH)], env)
            assert count == ENTRIES, count
            runs["whole"].append((seconds, mb))
            done = subprocess.run(
                [*cli, "--jsonl"], env=env, capture_output=True, text=True, check=True
            )
            assert len(done.stdout.splitlines()) == ENTRIES
            runs["jsonl"].append((0.0, _peak(done.stderr)))

    def median(kind: str, i: int) -> float:
        return statistics.median(r[i] for r in runs[kind])

    peak = median("json", 1)
    figures = [
        Figure(
            f"tasks --json --all over {ENTRIES:,} entries: peak memory",
            peak,
            "MB",
            median("whole", 1),
            target=f"< {TARGET_MB:g} MB",
            met=peak < TARGET_MB,
            runs=[r[1] for r in runs["json"]],
            base_runs=[r[1] for r in runs["whole"]],
        ),
        Figure(
            f"tasks --json --all over {ENTRIES:,} entries: wall time",
            median("json", 0),
            "s",
            median("whole", 0),
            runs=[r[0] for r in runs["json"]],
            base_runs=[r[0] for r in runs["whole"]],
        ),
        Figure(
            f"floor: tasks --jsonl --all over {ENTRIES:,} entries: peak memory",
            median("jsonl", 1),
            "MB",
            median("whole", 1),
            runs=[r[1] for r in runs["jsonl"]],
        ),
    ]
    note = (
        f"{ROUNDS} rounds of each child; the journal ({ENTRIES:,} entries, 5 % running, built "
        f"in {filled:.0f} s by bench/journal_fill.py) is the same for all. The baseline reads "
        "the same journal, holds every entry's JSON object in one list, then writes it with "
        "json.dump (the list built whole, as tasks --json did before it streamed; json.dump "
        "itself writes in pieces)."
    )
    return figures, note


def bench_confirm() -> tuple[list[Figure], str]:
    def child(length: int) -> tuple[float, float]:
        done = subprocess.run(
            [sys.executable, "-c", CONFIRM, str(common.BENCH), str(common.ROOT), str(length),
             "200"],
            capture_output=True, text=True, check=False, cwd=common.ROOT,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
        cpu, mb = done.stdout.split()[-2:]
        return float(cpu), float(mb)

    long_runs, short_runs = [], []
    for _ in range(ROUNDS):
        long_runs.append(child(40_000))
        short_runs.append(child(8))
    cpu = statistics.median(r[0] for r in long_runs)
    base_cpu = statistics.median(r[0] for r in short_runs)
    mb = statistics.median(r[1] for r in long_runs)
    base_mb = statistics.median(r[1] for r in short_runs)
    figures = [
        Figure(
            "delete confirmation, 200 names of 40,000 characters: CPU",
            cpu,
            "s",
            base_cpu,
            target="≤ 2× short names",
            met=cpu <= 2 * base_cpu,
            runs=[r[0] for r in long_runs],
            base_runs=[r[0] for r in short_runs],
        ),
        Figure(
            "delete confirmation, 200 names of 40,000 characters: peak memory",
            mb,
            "MB",
            base_mb,
            target="≤ 2× short names",
            met=mb <= 2 * base_mb,
            runs=[r[1] for r in long_runs],
            base_runs=[r[1] for r in short_runs],
        ),
    ]
    note = (
        f"{ROUNDS} fresh children each; a child opens the dialog headless at 100×30 (the "
        "tests' ModalApp) and waits until its preview is shown. CPU and memory are the whole "
        "child's, start-up and Textual included; the baseline is the same dialog with 200 "
        "names of 8 characters."
    )
    return figures, note


def main(parts: list[str]) -> None:
    """Run the parts asked for (``json``, ``confirm``; both by default)."""
    if not parts or "json" in parts:
        figures, note = bench_json()
        write_section(
            "bounds-json",
            f"tasks --json over {ENTRIES:,} journal entries",
            "python bench/bounds.py json",
            figures,
            note,
        )
    if not parts or "confirm" in parts:
        figures, note = bench_confirm()
        write_section(
            "bounds-confirm",
            "Delete confirmation of 200 very long names",
            "python bench/bounds.py confirm",
            figures,
            note,
        )


if __name__ == "__main__":
    main(sys.argv[1:])
