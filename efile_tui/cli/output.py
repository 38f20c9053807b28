"""How the CLI renders entries, tasks and results, as text lines or JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from efile_tui import glyphs
from efile_tui.api.models import CancelResult, FileEntry, SubmitOutcome, Task, TaskStatus
from efile_tui.cli import columns
from efile_tui.cli.common import EXIT_AUTH, EXIT_FAILED, EXIT_OK, EXIT_UNREACHABLE
from efile_tui.core import words
from efile_tui.core.tasktext import problem_text
from efile_tui.core.text import clean
from efile_tui.core.words import human_size
from efile_tui.i18n import _, shown

AUTH_CODES = {"10007", "10008", "911406", "911404", "911009", "http-401", "http-403"}


LS_WIDTHS = (1, 10, 19)  # kind, size, modified
TASK_WIDTHS = (32, 6, 12, 24, 0)  # id, operation, status, progress, paths: the least widths


def entry_line(entry: FileEntry) -> str:
    """``d  4.0 KiB  2026-01-01 12:00:00  /path`` style line for ls."""
    kind = "d" if entry.is_dir else ("l" if entry.is_symlink else "-")
    size = "" if entry.is_dir else human_size(entry.size)
    return columns.line([kind, size, entry.modified, entry.path], LS_WIDTHS, right={1})


def progress_text(task: Task) -> str:
    """``12/40 files  3.1 MiB/9.0 MiB  30%`` (only what is known)."""
    parts = []
    if task.total_num:
        parts.append(
            _("{done}/{total} files").format(
                done=f"{task.processed_num:,}", total=f"{task.total_num:,}"
            )
        )
    if task.total_size:
        parts.append(f"{human_size(task.processed_size)}/{human_size(task.total_size)}")
    pct = task.percent
    if pct is not None:
        parts.append(f"{pct:.0f}%")
    return "  ".join(parts)


def task_cells(task: Task, *, key: str | None = None, status: str | None = None) -> list[str]:
    """A task's cells: id (or ``key``), operation, status (or ``status``, a ready cell),
    progress, ``source → target``."""
    g = glyphs.current()
    target = f" {g.arrow} {task.target_path}" if task.target_path else ""
    return [
        key or task.task_id,
        words.operation(task.operation.value),
        status or f"{g.of(task.status.value)} {words.status(task.status.value)}",
        progress_text(task),
        f"{task.source_path or ''}{target}",
    ]


def task_line(task: Task, *, message: str | None = None) -> str:
    """One human line for a task from the service, laid out as the ``tasks`` table:
    its cells, then the message (default: the task's error)."""
    if message is None:
        message = problem_text(task.error_code, task.error_msg)
    return columns.line([*task_cells(task), message], TASK_WIDTHS)


def outcome_line(outcome: SubmitOutcome) -> str:
    """One human line per submitted item."""
    path = clean(outcome.item.source_path)
    if outcome.task is not None:
        t = outcome.task
        tid = clean(t.task_id)
        if t.status is TaskStatus.FAIL:
            why = _err(t.error_code, t.error_msg)
            return "✗ " + _("{path}: task {id} failed: {why}").format(path=path, id=tid, why=why)
        state = words.status(t.status.value)
        return "✓ " + _("{path}: task {id} ({status})").format(path=path, id=tid, status=state)
    if outcome.unknown:
        why = clean(shown(outcome.error or ""))
        return "? " + _("{path}: OUTCOME UNKNOWN — {why}").format(path=path, why=why)
    return f"✗ {path}: {clean(shown(outcome.error or ''))}"


def outcome_json(outcome: SubmitOutcome) -> dict[str, Any]:
    """A submitted item as JSON: the task (API names) or the error, with ``outcomeUnknown``."""
    if outcome.task is not None:
        return {**outcome.task.to_api(), "outcomeUnknown": False}
    return {
        "taskId": None,
        "sourcePath": outcome.item.source_path,
        "targetPath": outcome.item.target_path,
        "duplicateHandleType": outcome.item.duplicate_handle_type,
        "status": "unknown" if outcome.unknown else "rejected",
        "errorCode": outcome.error_code,
        "errorMsg": outcome.error,
        "outcomeUnknown": outcome.unknown,
    }


def submit_exit_code(outcomes: Sequence[SubmitOutcome]) -> int:
    """0 when every item became a healthy task; 3/4 when nothing could be sent; else 1."""
    if all(o.ok for o in outcomes):
        return EXIT_OK
    if not any(o.task for o in outcomes) and not any(o.unknown for o in outcomes):
        codes = {o.error_code for o in outcomes}
        if codes and codes <= AUTH_CODES:
            return EXIT_AUTH
        if codes == {None} or codes == {"911048"}:
            return EXIT_UNREACHABLE
    return EXIT_FAILED


def cancel_exit_code(results: Sequence[CancelResult]) -> int:
    """0 when every task was cancelled; 4 when the service refused the credentials for
    every one (nothing was cancelled); else 1."""
    if all(r.result for r in results):
        return EXIT_OK
    codes = {r.error_code for r in results}
    if not any(r.result for r in results) and codes <= AUTH_CODES:
        return EXIT_AUTH
    return EXIT_FAILED


def cancel_line(result: CancelResult) -> str:
    """One human line per cancel answer."""
    g = glyphs.current()
    mark = g.ok if result.result else g.bad
    detail = f": {clean(shown(result.error))}" if result.error else ""
    return f"{mark} {clean(result.task_id)}  {words.verdict(result.verdict)}{detail}"


def _err(code: str | None, msg: str | None) -> str:
    return problem_text(code, msg) or _("unknown")
