"""How the CLI renders entries, tasks and results, as text lines or JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from efile_tui import glyphs
from efile_tui.api.errors import CODE_TABLE
from efile_tui.api.models import CancelResult, FileEntry, SubmitOutcome, Task, TaskStatus
from efile_tui.cli.common import EXIT_AUTH, EXIT_FAILED, EXIT_OK, EXIT_UNREACHABLE
from efile_tui.core import cells, words
from efile_tui.core.preview import human_size
from efile_tui.core.text import clean
from efile_tui.i18n import _

AUTH_CODES = {"10007", "10008", "911406", "911404", "911009", "http-401", "http-403"}


def entry_line(entry: FileEntry) -> str:
    """``d  4.0 KiB  2026-01-01 12:00:00  /path`` style line for ls."""
    kind = "d" if entry.is_dir else ("l" if entry.is_symlink else "-")
    size = "" if entry.is_dir else human_size(entry.size)
    return f"{kind} {size:>10}  {clean(entry.modified):19}  {clean(entry.path)}"


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


def task_line(task: Task, *, note: str = "") -> str:
    """One human line per task: id, operation, status, progress, paths, error."""
    glyph = glyphs.current().of(task.status.value)
    target = f" → {clean(task.target_path)}" if task.target_path else ""
    err = (
        "  "
        + _("error {code}: {message}").format(
            code=clean(task.error_code), message=clean(task.error_msg)
        )
        if task.error_code or task.error_msg
        else ""
    )
    tail = f"  [{clean(note)}]" if note else ""
    op = cells.pad(words.operation(task.operation.value), 6)
    state = cells.pad(words.status(task.status.value), 10)
    return (
        f"{clean(task.task_id):32}  {op}  {glyph} {state}  "
        f"{cells.pad(progress_text(task), 30)}  {clean(task.source_path)}{target}{err}{tail}"
    )


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
        why = clean(outcome.error)
        return "? " + _("{path}: OUTCOME UNKNOWN — {why}").format(path=path, why=why)
    return f"✗ {path}: {clean(outcome.error)}"


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
    mark = "✓" if result.result else "✗"
    detail = f": {clean(result.error)}" if result.error else ""
    return f"{mark} {clean(result.task_id)}  {words.verdict(result.verdict)}{detail}"


def _err(code: str | None, msg: str | None) -> str:
    title = CODE_TABLE.get(code or "", ("", ""))[0]
    parts = (f"[{clean(code)}]" if code else "", title, clean(msg))
    return " ".join(x for x in parts if x) or _("unknown")
