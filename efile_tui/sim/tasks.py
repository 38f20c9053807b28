"""Task records, their JSON shape, and the per-file plan a task executes.

``totalNum`` counts files (anything that is not a directory, symbolic links included);
directories are plan entries too (created or removed along the way) but cost no time and
are not counted.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from efile_tui.sim.clock import format_time

WAITING = "waiting"
PROCESSING = "processing"
COMPLETE = "complete"
FAIL = "fail"
CANCEL = "cancel"
ACTIVE = (WAITING, PROCESSING)
FINISHED = (COMPLETE, FAIL, CANCEL)


@dataclass(slots=True)
class PlanItem:
    """One step of a task: a file to process or a directory to create/remove."""

    rel: str  # path relative to the task source ("" is the source itself)
    is_dir: bool
    size: int
    cost: float  # seconds this step takes at the throughput in force when planned


@dataclass
class Task:
    """A copy/move/delete task as remembered by the engine."""

    task_id: str
    operation: str  # copy | move | delete
    source_path: str | None
    target_path: str | None
    duplicate: str | None
    user_id: str
    user_name: str
    submit_time: float
    status: str = WAITING
    synchronous: bool = False
    error_code: str | None = None
    error_msg: str | None = None
    total_size: int = 0
    total_num: int = 0
    processed_size: int = 0
    processed_num: int = 0
    start_time: float | None = None
    update_time: float | None = None
    end_time: float | None = None
    src: Path | None = None  # on-disk source
    dest: Path | None = None  # on-disk result path (copy/move)
    plan: list[PlanItem] = field(default_factory=list)
    cursor: int = 0
    total_cost: float = 0.0
    done_cost: float = 0.0

    def progress(self) -> str | None:
        """Progress text such as ``"42%"``; null for tasks executed synchronously."""
        if self.synchronous:
            return None
        if self.status == COMPLETE:
            return "100%"
        if self.total_cost <= 0:
            return "0%"
        return f"{min(99, int(self.done_cost * 100 / self.total_cost))}%"

    def to_json(self) -> dict[str, Any]:
        """Return the task object exactly as the service answers it."""
        return {
            "sourcePath": self.source_path,
            "targetPath": self.target_path,
            "duplicateHandleType": self.duplicate,
            "clusterId": None,
            "clusterName": None,
            "taskId": self.task_id,
            "userId": self.user_id,
            "userName": self.user_name,
            "clusterUserName": self.user_name,
            "operationType": self.operation,
            "synchronousExecution": self.synchronous,
            "status": self.status,
            "errorCode": self.error_code,
            "errorMsg": self.error_msg,
            "totalSize": self.total_size,
            "totalNum": self.total_num,
            "processedSize": self.processed_size,
            "processedNum": self.processed_num,
            "progress": self.progress(),
            "submitTime": format_time(self.submit_time),
            "startTime": None if self.start_time is None else format_time(self.start_time),
            "updateTime": format_time(self.update_time or self.submit_time),
        }


def step_cost(size: int, files_per_second: float, bytes_per_second: float) -> float:
    """Seconds one file of ``size`` bytes takes: max(1/fps, size/bps); 0 if unlimited."""
    per_file = 1.0 / files_per_second if files_per_second > 0 else 0.0
    per_byte = size / bytes_per_second if bytes_per_second > 0 else 0.0
    return max(per_file, per_byte)


def build_plan(src: Path, *, post_order: bool, fps: float, bps: float) -> list[PlanItem]:
    """Walk ``src`` without following symlinks and return its plan.

    ``post_order`` puts a directory after its contents (delete); otherwise before them
    (copy/move create the directory first).
    """
    st = os.lstat(src)
    if not stat.S_ISDIR(st.st_mode):
        return [PlanItem("", False, st.st_size, step_cost(st.st_size, fps, bps))]
    items: list[PlanItem] = []

    def visit(directory: Path, rel: str) -> None:
        if not post_order:
            items.append(PlanItem(rel, True, 0, 0.0))
        with os.scandir(directory) as it:
            entries = sorted(it, key=lambda e: e.name)
        for entry in entries:
            child = f"{rel}/{entry.name}" if rel else entry.name
            if entry.is_dir(follow_symlinks=False):
                visit(Path(entry.path), child)
            else:
                try:
                    size = entry.stat(follow_symlinks=False).st_size
                except FileNotFoundError:
                    continue
                items.append(PlanItem(child, False, size, step_cost(size, fps, bps)))
        if post_order:
            items.append(PlanItem(rel, True, 0, 0.0))

    visit(src, "")
    return items


def plan_totals(plan: list[PlanItem]) -> tuple[int, int, float]:
    """Return (file count, byte count, total cost) of a plan."""
    files = [item for item in plan if not item.is_dir]
    return len(files), sum(i.size for i in files), sum(i.cost for i in files)
