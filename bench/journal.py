"""The task journal: start-up load and one poll's update, next to the old SQLite journal.

    python bench/journal.py [N] [--runs R]      # default: 10,000 tasks, 5 runs

The baseline is the SQLite (WAL) journal efile-tui used before per-writer files, taken
unchanged from git history (commit b18ef67) and run in the same process on the same data.
Both journals get the same N tasks, submitted by 5 writers (5 processes' worth of files
for the new journal), 5 % still running.

- *start-up*: open the journal and list what the TUI shows at start (entries newer than a
  day), as a fresh process does. For the new journal twice: with the writers' files still
  separate (the first start after they ran) and after compaction into a snapshot.
- *poll update*: one poll's journal work for 100 changed tasks: ask what to poll, record
  the answers, read the changed entries back (and, new journal, read other writers' news).

Median of R runs, with min–max. The target is the new journal within 2× of the old one.
"""

from __future__ import annotations

import argparse
import importlib
import shutil
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
if str(BENCH.parent) not in sys.path:
    sys.path.insert(0, str(BENCH.parent))

from bench.common import Figure, median, write_section  # noqa: E402
from efile_tui.api.models import Operation, SubmitItem, SubmitOutcome, Task, TaskStatus  # noqa: E402
from efile_tui.store.journal import Journal  # noqa: E402

OLD_COMMIT = "b18ef67"
OLD_MODULES = ("journal_entry", "journal_schema", "journal_submit", "journal")
WRITERS = 5
CHANGED = 100
DAY = 86400.0


def old_journal_class() -> Any:
    """The SQLite Journal of ``OLD_COMMIT``, loaded from git as package ``oldstore``."""
    package = types.ModuleType("oldstore")
    package.__path__ = []
    sys.modules["oldstore"] = package
    for name in OLD_MODULES:
        source = subprocess.run(
            ["git", "show", f"{OLD_COMMIT}:efile_tui/store/{name}.py"],
            cwd=BENCH.parent,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.replace("efile_tui.store.", "oldstore.")
        module = types.ModuleType(f"oldstore.{name}")
        sys.modules[module.__name__] = module
        exec(compile(source, f"{OLD_COMMIT}:{name}.py", "exec"), module.__dict__)
    return importlib.import_module("oldstore.journal").Journal


def fill(journal_for: Callable[[int], Any], n: int) -> None:
    """``n`` tasks from WRITERS writers: intent, answer, then each task's state."""
    per = n // WRITERS
    for w in range(WRITERS):
        journal = journal_for(w)
        items = [SubmitItem(f"/public/home/demo/w{w}/run-{i:05d}") for i in range(per)]
        ids = journal.begin_submit(Operation.DELETE, items, profile="p", region="r")
        journal.finish_submit(
            ids,
            [
                SubmitOutcome(it, task=Task(f"t{w}-{i}", Operation.DELETE, TaskStatus.WAITING))
                for i, it in enumerate(items)
            ],
        )
        journal.record_tasks(
            [
                Task(
                    f"t{w}-{i}",
                    Operation.DELETE,
                    TaskStatus.PROCESSING if i % 20 == 0 else TaskStatus.COMPLETE,
                    processed_num=1,
                )
                for i in range(per)
            ]
        )
        journal.close()


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def start_up(open_journal: Callable[[], Any]) -> float:
    def run() -> None:
        journal = open_journal()
        assert journal.entries(hide_finished_older_than=DAY)
        journal.close()

    return timed(run)


def poll_update(journal: Any, round_no: int) -> float:
    def run() -> None:
        ids = journal.pollable_ids("p")
        answers = [
            Task(tid, Operation.DELETE, TaskStatus.PROCESSING, processed_num=round_no + 2)
            for tid in ids[:CHANGED]
        ]
        changed = journal.record_tasks(answers)
        journal.get_many([t.task_id for t in answers])
        if hasattr(journal, "refresh"):
            journal.refresh()
        assert len(changed) <= CHANGED

    return timed(run)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    old_class = old_journal_class()
    base = Path(tempfile.mkdtemp(prefix="efile-bench-journal-"))
    try:
        old_path, new_dir = base / "old" / "journal.sqlite3", base / "new" / "journal"
        fill(lambda w: old_class(old_path), args.n)
        fill(lambda w: Journal(new_dir), args.n)
        separate = base / "separate" / "journal"
        shutil.copytree(new_dir, separate)  # the writers' files before any compaction
        from efile_tui.store.journal import compaction

        assert compaction.compact(new_dir, keep=set()) is not None
        results: dict[str, list[float]] = {k: [] for k in ("old", "files", "snap", "op", "np")}
        for _ in range(args.runs):
            results["old"].append(start_up(lambda: old_class(old_path)))
            results["files"].append(start_up(lambda: _no_compaction(separate)))
            results["snap"].append(start_up(lambda: Journal(new_dir)))
        old_j, new_j = old_class(old_path), Journal(new_dir)
        for round_no in range(args.runs):
            results["op"].append(poll_update(old_j, round_no))
            results["np"].append(poll_update(new_j, round_no))
        files = sorted(p.name for p in new_dir.iterdir())
        old_j.close()
        new_j.close()
    finally:
        shutil.rmtree(base, ignore_errors=True)

    def figure(name: str, key: str, base_key: str) -> Figure:
        value, baseline = median(results[key]), median(results[base_key])
        lo, hi = min(results[key]), max(results[key])
        blo, bhi = min(results[base_key]), max(results[base_key])
        return Figure(
            f"{name} (min–max {lo * 1e3:.0f}–{hi * 1e3:.0f} ms; SQLite {blo * 1e3:.0f}–"
            f"{bhi * 1e3:.0f} ms)",
            value * 1e3,
            "ms",
            baseline * 1e3,
            "≤ 2× SQLite",
            value <= 2 * baseline,
        )

    figures = [
        figure(f"start-up, {args.n:,} tasks, {WRITERS} writers' files", "files", "old"),
        figure(f"start-up, {args.n:,} tasks, compacted snapshot", "snap", "old"),
        figure(f"one poll's journal update, {CHANGED} changed", "np", "op"),
    ]
    write_section(
        "journal",
        "Task journal: per-writer files vs the old SQLite journal",
        f"python bench/journal.py {args.n} --runs {args.runs}",
        figures,
        notes=(
            f"Median of {args.runs} runs each; the baseline is the SQLite (WAL) journal of "
            f"commit {OLD_COMMIT}, run in the same process on the same tasks. Files after "
            f"the runs: {', '.join(files)}."
        ),
    )


def _no_compaction(folder: Path) -> Journal:
    """Open without folding files into a snapshot (the first start after the writers)."""
    from efile_tui.store.journal import compaction

    saved = compaction.should_compact
    compaction.should_compact = lambda *a: False
    try:
        return Journal(folder)
    finally:
        compaction.should_compact = saved


if __name__ == "__main__":
    main()
