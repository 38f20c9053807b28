"""A journal with N tasks for the benchmarks, built through the journal's own API.

    python bench/journal_fill.py DIR N      # writes DIR/journal (reused when it exists)

Tasks are imported ids, then given a service answer each: copies (half with a
destination), deletes and moves over ``/public/home/demo/run-NNNNN/...``; 5 % running,
the rest finished (complete, fail, cancel), submitted over the last 20 hours so the TUI's
"hide finished over 24 h" keeps them all.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
if str(BENCH.parent) not in sys.path:
    sys.path.insert(0, str(BENCH.parent))

from efile_tui.api.models import Operation, Task, TaskStatus  # noqa: E402
from efile_tui.store.journal import Journal  # noqa: E402

HOME = "/public/home/demo"
STATUSES = [TaskStatus.COMPLETE] * 15 + [TaskStatus.FAIL, TaskStatus.CANCEL] * 2
OPS = [Operation.COPY, Operation.DELETE, Operation.MOVE]


def task(i: int, *, running: bool) -> Task:
    """The service's answer for task number ``i``."""
    op = OPS[i % 3]
    status = TaskStatus.PROCESSING if running else STATUSES[i % len(STATUSES)]
    total = 100 + i % 900
    done = total if status is TaskStatus.COMPLETE else (i * 7) % total
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(time.time() - 72000 + i * 0.5))
    return Task(
        task_id=f"{i:08d}{'a' * 24}",
        operation=op,
        status=status,
        source_path=f"{HOME}/run-{i:06d}/output",
        target_path=f"{HOME}/archive/batch-{i // 1000:03d}" if op is not Operation.DELETE else None,
        error_code="911020" if status is TaskStatus.FAIL else None,
        error_msg="File does not exist" if status is TaskStatus.FAIL else None,
        total_num=total,
        processed_num=done,
        submit_time=when,
        update_time=when,
    )


def fill(folder: Path, count: int) -> Path:
    """A journal in ``folder`` with ``count`` tasks (built once, then reused)."""
    path = folder / "journal"
    marker = folder / f"filled-{count}"
    if marker.exists():
        return path
    with Journal(path) as journal:
        for start in range(0, count, 5000):
            ids = [task(i, running=False).task_id for i in range(start, min(count, start + 5000))]
            journal.add_ids(ids, profile=None, region=None)
            journal.record_tasks(
                task(i, running=i % 20 == 0) for i in range(start, min(count, start + 5000))
            )
    marker.write_text("ok")
    return path


if __name__ == "__main__":
    began = time.monotonic()
    fill(Path(sys.argv[1]), int(sys.argv[2]))
    print(f"filled in {time.monotonic() - began:.1f} s")
