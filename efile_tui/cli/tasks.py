"""Task commands: tasks, tasks add, cancel, watch, log."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from efile_tui.api.errors import AuthError, EfileError
from efile_tui.api.models import Task, TaskStatus
from efile_tui.cli import output
from efile_tui.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    add_connection_args,
    add_json_arg,
    confirm,
    emit_json,
    input_error,
    open_context,
    say,
)
from efile_tui.core.operations import Context, cancel_tracked, poll_once
from efile_tui.core.validate import (
    InputError,
    check_journal_keys,
    check_task_ids,
    decode_lines,
    read_ids,
    shown,
)
from efile_tui.store.journal import ORIGIN_IMPORTED, OUTCOME_UNKNOWN, JournalEntry

DAY = 24 * 3600.0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the task commands to the top-level parser."""
    p = sub.add_parser(
        "tasks",
        help="show tasks (default: those submitted from this machine); "
        "`tasks add ID...` tracks ids started elsewhere; "
        "`tasks dismiss ID|local:N...` hides entries you have dealt with",
    )
    p.add_argument("ids", nargs="*", metavar="ID", help="task ids (or: add ID...)")
    p.add_argument("--all", action="store_true", help="include tasks finished over 24 h ago")
    _ids_args(p)
    p.set_defaults(handler=cmd_tasks)

    p = sub.add_parser("cancel", help="cancel running tasks")
    p.add_argument("ids", nargs="*", metavar="ID")
    p.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    _ids_args(p)
    p.set_defaults(handler=cmd_cancel)

    p = sub.add_parser("watch", help="print task updates until the tasks end")
    p.add_argument("ids", nargs="*", metavar="ID", help="default: unfinished journal tasks")
    p.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
    _ids_args(p)
    p.set_defaults(handler=cmd_watch)

    p = sub.add_parser("log", help="show the audit log of submits and cancels")
    p.add_argument("--limit", type=int, default=50, help="show the last N events (0: all)")
    add_json_arg(p)
    p.set_defaults(handler=cmd_log)


def _ids_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--ids-file", metavar="FILE", help="read task ids from FILE ('-' for standard input)"
    )
    add_json_arg(p)
    add_connection_args(p)


def gather_ids(args: argparse.Namespace, *, required: bool) -> list[str]:
    """Ids from argv plus ``--ids-file`` (or stdin), validated; [] when none and optional.

    Nothing is accepted unless every id is: a file with a line that is not UTF-8 or an
    invalid id is rejected whole (exit 2), naming each bad line or id.
    """
    ids = list(args.ids)
    if args.ids_file:
        try:
            ids += read_ids(_read_lines(args.ids_file))
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise CliError(
                f"cannot read --ids-file {shown(args.ids_file)}: {reason}", EXIT_USAGE
            ) from None
        except InputError as exc:
            raise input_error(exc) from None
    if not ids and not required:
        return []
    try:
        return check_task_ids(ids)
    except InputError as exc:
        raise input_error(exc) from None


def _read_lines(name: str) -> list[str]:
    """The lines of FILE, or of standard input for ``-``, as bytes checked for UTF-8."""
    if name == "-":
        stream = getattr(sys.stdin, "buffer", None)
        data = (
            stream.read()
            if stream is not None
            else sys.stdin.read().encode("utf-8", "surrogateescape")
        )
        return decode_lines(data, source="standard input")
    return decode_lines(Path(name).read_bytes(), source=f"--ids-file {shown(name)}")


def entry_note(entry: JournalEntry) -> str:
    """Journal facts the service does not give: expired, unknown outcome, cancel asked."""
    notes = []
    if entry.outcome_unknown:
        notes.append("OUTCOME UNKNOWN: check before resubmitting")
    elif entry.state == OUTCOME_UNKNOWN and entry.origin == ORIGIN_IMPORTED:
        notes.append("imported; not yet seen on the service")
    elif entry.state == "rejected":
        notes.append("rejected")
    if entry.expired:
        notes.append("expired on server")
    if entry.cancel_requested_at and not entry.is_final:
        notes.append("cancelling…")
    return ", ".join(notes)


async def cmd_tasks(args: argparse.Namespace) -> int:
    """Show tasks from the service and the journal, or import ids with ``add``."""
    if args.ids and args.ids[0] in ("add", "dismiss"):
        verb, args.ids = args.ids[0], args.ids[1:]
        return await (_cmd_tasks_add(args) if verb == "add" else _cmd_tasks_dismiss(args))
    ids = gather_ids(args, required=False)
    async with open_context(args) as (_conn, ctx):
        if ids:
            return await _show_ids(args, ctx, ids)
        hide = None if args.all else DAY
        shown = ctx.journal.entries(profile=ctx.profile, hide_finished_older_than=hide)
        # Unfinished tasks, plus finished ones not yet known to be expired: asking about
        # those is how a task past the service's 24 h retention is found to be gone.
        recheck = [e.task_id for e in shown if e.task_id and e.is_final and not e.expired]
        try:
            await poll_once(ctx)
            if recheck:
                await poll_once(ctx, recheck)
        except AuthError:
            raise
        except EfileError as exc:
            say(f"warning: could not refresh from the service, showing last known state: {exc}")
        entries = ctx.journal.entries(profile=ctx.profile, hide_finished_older_than=hide)
        if args.json:
            emit_json([e.to_json() for e in entries])
        else:
            for e in entries:
                print(
                    output.task_line(e.to_task(), note=entry_note(e))
                    if e.task_id
                    else f"{'(no task id)':32}  {e.operation.value:6}  ? {e.state:10}  "
                    f"{'':30}  {e.source_path}  [{entry_note(e) or e.error_msg or ''}]"
                )
            say(
                f"{len(entries)} task(s) in the journal"
                + ("" if args.all else " (finished over 24 h ago hidden; --all shows them)")
            )
    return EXIT_OK


async def _show_ids(args: argparse.Namespace, ctx: Context, ids: list[str]) -> int:
    report = await poll_once(ctx, ids)
    known = {e.task_id: e for e in ctx.journal.get_many(ids)}
    rows: list[dict[str, object]] = []
    missing = 0
    for tid in ids:
        task = report.tasks.get(tid)
        entry = known.get(tid)
        if task is not None:
            rows.append(task.to_api())
            if not args.json:
                print(output.task_line(task, note=entry_note(entry) if entry else ""))
        elif entry is not None:
            if not entry.is_final:
                missing += 1  # no final state known: as good as not found
            rows.append({**entry.to_json(), "foundOnServer": False})
            if not args.json:
                print(
                    output.task_line(
                        entry.to_task(),
                        note="not returned by the service; "
                        + (entry_note(entry) or "last known state"),
                    )
                )
        else:
            missing += 1
            rows.append({"taskId": tid, "status": None, "foundOnServer": False})
            if not args.json:
                print(f"{tid:32}  not found: unknown id, or expired (kept 24 h after it ended)")
    if args.json:
        emit_json(rows)
    return EXIT_FAILED if missing else EXIT_OK


async def _cmd_tasks_add(args: argparse.Namespace) -> int:
    ids = gather_ids(args, required=True)
    async with open_context(args) as (_conn, ctx):
        added = ctx.journal.add_ids(ids, profile=ctx.profile, region=ctx.region)
        ctx.audit.record(
            "import",
            profile=ctx.profile,
            region=ctx.region,
            count=len(added),
            items=[{"taskId": t} for t in added],
            exit="ok",
        )
        report = await poll_once(ctx, ids)
        unknown = [t for t in ids if t not in report.tasks]
        if args.json:
            emit_json(
                {
                    "added": added,
                    "alreadyTracked": [t for t in ids if t not in added],
                    "notFoundOnServer": unknown,
                }
            )
        else:
            say(f"now tracking {len(added)} new task(s); {len(ids) - len(added)} already tracked")
            for t in unknown:
                say(f"warning: {t} is not known to the service (wrong id or expired)")
    return EXIT_FAILED if unknown else EXIT_OK


async def _cmd_tasks_dismiss(args: argparse.Namespace) -> int:
    """Hide journal entries the operator has dealt with (e.g. an outcome checked by hand)."""
    try:
        keys = check_journal_keys(args.ids)
    except InputError as exc:
        raise input_error(exc) from None
    async with open_context(args) as (_conn, ctx):
        done = ctx.journal.dismiss(keys)
    if args.json:
        emit_json({"dismissed": done})
    else:
        say(
            f"dismissed {len(done)} of {len(keys)} entr{'y' if len(keys) == 1 else 'ies'}"
            + (
                ""
                if len(done) == len(keys)
                else " (running tasks and unknown keys cannot be dismissed)"
            )
        )
    return EXIT_OK if len(done) == len(keys) else EXIT_FAILED


async def cmd_cancel(args: argparse.Namespace) -> int:
    """Cancel tasks by id; one answer per id."""
    ids = gather_ids(args, required=True)
    async with open_context(args) as (conn, ctx):
        confirm(f"Cancel {len(ids)} task(s) on {conn.label}?", assume_yes=args.yes)
        results = await cancel_tracked(ctx, ids)
        # The journal catches up on the next poll if this one fails; the answers stand.
        with contextlib.suppress(EfileError):
            await poll_once(ctx, [r.task_id for r in results if r.result])
    if args.json:
        emit_json([r.to_api() for r in results])
    else:
        for r in results:
            print(output.cancel_line(r))
        ok = sum(r.result for r in results)
        say(f"{ok} of {len(results)} cancelled")
    return EXIT_OK if all(r.result for r in results) else EXIT_FAILED


async def cmd_watch(args: argparse.Namespace) -> int:
    """Poll until every watched task has ended."""
    if args.interval <= 0:
        raise CliError("--interval must be positive", EXIT_USAGE)
    ids = gather_ids(args, required=False)
    async with open_context(args) as (_conn, ctx):
        if not ids:
            ids = ctx.journal.pollable_ids(ctx.profile)
            if not ids:
                say("no unfinished tasks in the journal")
                return EXIT_OK
        return await watch_until_done(ctx, ids, json_lines=args.json, interval=args.interval)


async def watch_until_done(
    ctx: Context,
    ids: Sequence[str],
    *,
    json_lines: bool = False,
    interval: float = 1.0,
    missing_limit: int = 3,
) -> int:
    """Print each change until all ``ids`` are final (or unknown to the service).

    Exit code 0 when every task completed, 1 when any failed, was cancelled or vanished.
    Network trouble is reported and waited out with a growing pause.
    """
    remaining = list(dict.fromkeys(ids))
    last: dict[str, Task] = {}
    misses: dict[str, int] = {}
    outcome = EXIT_OK
    delay = interval
    while remaining:
        try:
            report = await poll_once(ctx, remaining)
            delay = interval
        except AuthError:
            raise
        except EfileError as exc:
            say(f"warning: {exc}; retrying in {delay:.0f} s (last known states kept)")
            await asyncio.sleep(delay)
            delay = min(30.0, delay * 2)
            continue
        for tid in list(remaining):
            task = report.tasks.get(tid)
            if task is None:
                misses[tid] = misses.get(tid, 0) + 1
                if (tid in last and last[tid].status.is_final) or misses[tid] >= missing_limit:
                    remaining.remove(tid)
                    outcome = EXIT_FAILED
                    _print_update(tid, None, json_lines)
                continue
            misses.pop(tid, None)
            prev = last.get(tid)
            if prev is None or (prev.status, prev.processed_num, prev.processed_size) != (
                task.status,
                task.processed_num,
                task.processed_size,
            ):
                _print_update(tid, task, json_lines)
            last[tid] = task
            if task.status.is_final:
                remaining.remove(tid)
                if task.status is not TaskStatus.COMPLETE:
                    outcome = EXIT_FAILED
        if remaining:
            await asyncio.sleep(interval)
    return outcome


def _print_update(tid: str, task: Task | None, json_lines: bool) -> None:
    stamp = time.strftime("%H:%M:%S")
    if json_lines:
        data = task.to_api() if task else {"taskId": tid, "status": None, "foundOnServer": False}
        print(json.dumps(data, ensure_ascii=False), flush=True)
    elif task is None:
        print(f"{stamp}  {tid}  no longer known to the service (unknown or expired)", flush=True)
    else:
        print(f"{stamp}  {output.task_line(task)}", flush=True)


def cmd_log(args: argparse.Namespace) -> int:
    """Print the audit log."""
    from efile_tui.store.audit import AuditLog

    log = AuditLog()
    events = log.read(limit=args.limit or None)
    if args.json:
        emit_json(events)
    else:
        for ev in events:
            items = ev.get("items") or []
            first = ""
            if items and isinstance(items[0], dict):
                first = str(items[0].get("path") or items[0].get("taskId") or "")
            more = f" (+{len(items) - 1} more)" if len(items) > 1 else ""
            print(
                f"{ev.get('time', '?')}  {ev.get('event', '?'):7} {ev.get('operation') or '':6} "
                f"{ev.get('count', len(items)):>5} item(s)  {ev.get('exit', ''):8} {first}{more}"
            )
        if getattr(log, "skipped_lines", 0):
            say(f"warning: {log.skipped_lines} unreadable line(s) skipped in the audit log")
    return EXIT_OK
