"""Making sense of the service's answers to batched task requests.

A submit batch returns tasks that must be paired back with the items sent (by position
when they line up, else by source path; an item left without a task is "outcome unknown",
never a success). ``task/list`` answers come in several shapes. Ids are de-duplicated
before they are sent. Pure functions: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from efile_tui.api.errors import AccessRefused, ApiError, EfileError
from efile_tui.api.models import SubmitItem, SubmitOutcome, Task
from efile_tui.i18n import N_, Msg


def unique_ids(ids: Sequence[str]) -> list[str]:
    """Drop duplicates (keeping order); refuse empty ids."""
    seen: dict[str, None] = {}
    for raw in ids:
        tid = raw.strip()
        if not tid:
            raise ValueError("empty task id")
        seen.setdefault(tid, None)
    return list(seen)


def task_objects(data: object) -> list[Mapping[str, Any]]:
    """Accept ``[task...]``, ``{"fileOperTasks": [...]}`` or ``{id: task}`` shapes."""
    if isinstance(data, Mapping):
        inner = data.get("fileOperTasks")
        if inner is None:
            inner = data.get("tasks") or data.get("list")
        if inner is None:
            inner = [v for v in data.values() if isinstance(v, Mapping)]
        data = inner
    if not isinstance(data, list):
        return []
    return [d for d in data if isinstance(d, Mapping)]


def failed_outcome(item: SubmitItem, message: str, exc: EfileError) -> SubmitOutcome:
    """An item's outcome when its batch failed (with the service's error code, if any)."""
    code = exc.code if isinstance(exc, (ApiError, AccessRefused)) else None
    return SubmitOutcome(item, error=message, error_code=code)


def match_tasks(batch: Sequence[SubmitItem], data: object, endpoint: str) -> list[SubmitOutcome]:
    """Pair the returned tasks with the items sent; every item is reported on its own.

    A task id returned twice counts once. When every item has its task in order (same
    count, and no task names another source path) they pair by position; otherwise by
    source path. An item left without a task is reported as outcome unknown, never ✓.
    """
    tasks: list[Task] = []
    ids: set[str] = set()
    for raw in task_objects(data):
        task = Task.from_api(raw)
        if task.task_id and task.task_id not in ids:
            ids.add(task.task_id)
            tasks.append(task)
    if len(tasks) == len(batch) and all(
        t.source_path in (None, item.source_path) for item, t in zip(batch, tasks, strict=True)
    ):
        return [SubmitOutcome(item, task=task) for item, task in zip(batch, tasks, strict=True)]
    by_path: dict[str, list[Task]] = {}
    for task in tasks:
        by_path.setdefault(task.source_path or "", []).append(task)
    out = []
    for item in batch:
        pool = by_path.get(item.source_path)
        if pool:
            out.append(SubmitOutcome(item, task=pool.pop(0)))
        else:
            out.append(
                SubmitOutcome(
                    item,
                    error=Msg(
                        N_(
                            "{endpoint}: the service accepted the request but returned no "
                            "task of its own for this path ({n} distinct tasks for {items} "
                            "items); check with `efile-tui tasks` and `efile-tui ls` before "
                            "resubmitting"
                        ),
                        endpoint=endpoint,
                        n=len(tasks),
                        items=len(batch),
                    ),
                    unknown=True,
                )
            )
    return out
