"""Task commands: tasks (with filters and verbs), cancel (by id or by filter), log."""

from __future__ import annotations

import argparse
import contextlib
import sys

from efile_tui.api.errors import EfileError
from efile_tui.cli import columns, output, report, resolve, watch
from efile_tui.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    add_connection_args,
    add_json_arg,
    confirm,
    data_output,
    emit_json,
    input_error,
    open_context,
    say,
)
from efile_tui.cli.select import (
    add_filter_args,
    add_format_args,
    add_ids_file_arg,
    entry_cells,
    entry_lines,
    expand_keys,
    gather_ids,
    load_entries,
    matching_entries,
    print_entries,
    query_from_args,
)
from efile_tui.core import words
from efile_tui.core.operations import Context, cancel_tracked, poll_once
from efile_tui.core.query import TaskQuery
from efile_tui.core.tasktext import entry_message, problem_text
from efile_tui.core.text import json_dumps
from efile_tui.core.validate import InputError, check_journal_keys
from efile_tui.i18n import _, ngettext

TASK_VERBS = ("add", "dismiss", "label", "resolve", "resubmit", "report")
SHOW_AT_MOST = 20  # matched tasks listed before asking (all of them with --dry-run)


def register(sub: argparse._SubParsersAction) -> None:
    """Add the task commands to the top-level parser."""
    p = sub.add_parser(
        "tasks",
        help=_(
            "show tasks (default: those submitted from this machine), filtered; "
            "`tasks add|dismiss|label|resolve|resubmit|report …` act on them"
        ),
        description=_(
            "Show tasks from the journal, refreshed from the service. "
            "Verbs: `tasks add ID…` tracks ids started elsewhere; `tasks dismiss ID|local:N…` "
            "hides entries you have dealt with; `tasks label TEXT ID|local:N…` (or with "
            "filters) labels tasks; `tasks resolve [local:N…]` checks submits whose answer was "
            "lost; `tasks resubmit ID|local:N…` submits again what failed or was not done; "
            "`tasks report --format csv|json` writes one row per task."
        ),
        epilog=_(
            "Exit codes: 0 ok, 1 an item failed, 2 bad usage or input, 3 service "
            "unreachable, 4 authentication needed."
        ),
    )
    p.add_argument("ids", nargs="*", metavar="ID", help=_("task ids (or a verb and its words)"))
    p.add_argument("--all", action="store_true", help=_("include tasks finished over 24 h ago"))
    p.add_argument(
        "--format", choices=("csv", "json"), default="csv", help=_("report: output format")
    )
    p.add_argument("-y", "--yes", action="store_true", help=_("resubmit: do not ask"))
    add_ids_file_arg(p)
    add_format_args(p)
    add_filter_args(p)
    add_connection_args(p)
    p.set_defaults(handler=cmd_tasks)

    p = sub.add_parser(
        "cancel",
        help=_("cancel running tasks, by id or by filter"),
        description=_(
            "Cancel tasks given by id, or every running task the filters match "
            "(e.g. --source '/public/home/me/run-*'). The match is listed first; on a terminal "
            "you are asked, otherwise --yes is needed. --dry-run lists it and sends nothing."
        ),
        epilog=_(
            "Exit codes: 0 all cancelled (or nothing matched), 1 some could not be "
            "cancelled, 2 bad usage or not confirmed without a terminal, 3 service unreachable, "
            "4 authentication needed."
        ),
    )
    p.add_argument("ids", nargs="*", metavar="ID")
    p.add_argument("-y", "--yes", action="store_true", help=_("do not ask for confirmation"))
    p.add_argument(
        "-n", "--dry-run", action="store_true", help=_("show what would be cancelled; send nothing")
    )
    add_ids_file_arg(p)
    add_json_arg(p)
    add_filter_args(p)
    add_connection_args(p)
    p.set_defaults(handler=cmd_cancel)

    watch.register(sub)

    p = sub.add_parser("log", help=_("show the audit log of submits and cancels"))
    p.add_argument("--limit", type=int, default=50, help=_("show the last N events (0: all)"))
    add_json_arg(p)
    p.set_defaults(handler=cmd_log)


async def cmd_tasks(args: argparse.Namespace) -> int:
    """Show tasks (by id, or those of the journal the filters match), or run a verb."""
    if args.ids and args.ids[0] in TASK_VERBS:
        verb, args.ids = args.ids[0], args.ids[1:]
        return await _VERBS[verb](args)
    ids = gather_ids(args, required=False)
    query = query_from_args(args)
    if ids and query.active:
        raise CliError(_("give task ids or filters, not both"), EXIT_USAGE)
    async with open_context(args) as (_conn, ctx):
        if ids:
            return await _show_ids(args, ctx, expand_keys(ctx, ids))
        count = print_entries(args, await matching_entries(ctx, query, everything=args.all))
    if query.active:
        line = _("{n} task(s) matching {query}").format(n=count, query=query.describe())
    else:
        line = _("{n} task(s) in the journal").format(n=count)
    shows_all = args.all or query.since is not None or query.until is not None
    say(line + ("" if shows_all else _(" (finished over 24 h ago hidden; --all shows them)")))
    return EXIT_OK


async def _show_ids(args: argparse.Namespace, ctx: Context, ids: list[str]) -> int:
    report = await poll_once(ctx, ids)
    known = {e.task_id: e for e in ctx.journal.get_many(ids)}
    rows: list[dict[str, object]] = []
    cells: list[list[str]] = []
    missing = 0
    for tid in ids:
        task = report.tasks.get(tid)
        entry = known.get(tid)
        if task is not None:
            rows.append(task.to_api())
            message = (
                entry_message(entry) if entry else problem_text(task.error_code, task.error_msg)
            )
            cells.append([*output.task_cells(task), message])
        elif entry is not None:
            if not entry.ended:
                missing += 1  # not returned, not yet vanished: how it stands is unknown
            rows.append({**entry.to_json(), "foundOnServer": False})
            shown = entry_cells(entry)
            if not entry.vanished:
                shown[-1] = "; ".join(x for x in ("not returned by the service", shown[-1]) if x)
            cells.append(shown)
        else:
            missing += 1
            rows.append({"taskId": tid, "status": None, "foundOnServer": False})
            cells.append(
                [
                    tid,
                    "",
                    "",
                    "",
                    "",
                    _("not found: unknown id, or expired (kept 24 h after it ended)"),
                ]
            )
    if args.json or args.jsonl:
        with data_output() as out:
            if args.json:
                out.write(json_dumps(rows, indent=2) + "\n")
            else:
                out.writelines(json_dumps(row) + "\n" for row in rows)
            out.flush()
    else:
        shown_lines = ids if args.ids_only else columns.table(cells, minimum=output.TASK_WIDTHS)
        sys.stdout.writelines(f"{line}\n" for line in shown_lines)
    return EXIT_FAILED if missing else EXIT_OK


async def _cmd_tasks_add(args: argparse.Namespace) -> int:
    ids = gather_ids(args, required=True)
    async with open_context(args) as (_conn, ctx):
        ids = expand_keys(ctx, ids, prefixes=False)  # a new id is never a prefix
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
        vanished = {e.task_id for e in ctx.journal.get_many(unknown) if e.vanished}
        if args.json:
            emit_json(
                {
                    "added": added,
                    "alreadyTracked": [t for t in ids if t not in added],
                    "notFoundOnServer": unknown,
                }
            )
        else:
            say(
                _("now tracking {n} new task(s); {k} already tracked").format(
                    n=len(added), k=len(ids) - len(added)
                )
            )
            for t in unknown:
                text = (
                    _(
                        "warning: {id} is not known to the service: vanished (a mistyped id, "
                        "another region's task, or one that ended over 24 h ago)"
                    )
                    if t in vanished
                    else _("warning: {id} is not known to the service (wrong id or expired)")
                )
                say(text.format(id=t))
    return EXIT_FAILED if unknown else EXIT_OK


async def _cmd_tasks_dismiss(args: argparse.Namespace) -> int:
    """Hide journal entries the operator has dealt with (e.g. an outcome checked by hand)."""
    try:
        keys = check_journal_keys(args.ids)
    except InputError as exc:
        raise input_error(exc) from None
    async with open_context(args) as (_conn, ctx):
        keys = expand_keys(ctx, keys)
        done = ctx.journal.dismiss(keys)
    if args.json:
        emit_json({"dismissed": done})
    else:
        say(
            ngettext(
                "dismissed {n} of {k} entry", "dismissed {n} of {k} entries", len(keys)
            ).format(n=len(done), k=len(keys))
            + (
                ""
                if len(done) == len(keys)
                else _(" (running tasks and unknown keys cannot be dismissed)")
            )
        )
    return EXIT_OK if len(done) == len(keys) else EXIT_FAILED


async def cmd_cancel(args: argparse.Namespace) -> int:
    """Cancel tasks by id, or the running tasks the filters match; one answer per id."""
    ids = gather_ids(args, required=False)
    query = query_from_args(args)
    if ids and query.active:
        raise CliError(_("give task ids or filters, not both"), EXIT_USAGE)
    if not ids and not query.active:
        raise CliError(
            _(
                "no task id given: give at least one task id, or filters that select the tasks "
                "(e.g. --status running --source '/public/home/me/run-*'); see cancel --help"
            ),
            EXIT_USAGE,
        )
    async with open_context(args) as (conn, ctx):
        ids = expand_keys(ctx, ids)
        if query.active:
            ids = await _matched_for_cancel(args, ctx, query)
            if not ids or args.dry_run:
                return EXIT_OK
        elif args.dry_run:
            say(_("dry run: would cancel {n} task(s); nothing was sent").format(n=len(ids)))
            sys.stdout.writelines(f"{t}\n" for t in ids)
            return EXIT_OK
        confirm(
            _("Cancel {n} task(s) on {where}?").format(n=len(ids), where=conn.label),
            assume_yes=args.yes,
        )
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
        say(_("{n} of {k} cancelled").format(n=ok, k=len(results)))
    return output.cancel_exit_code(results)


async def _matched_for_cancel(
    args: argparse.Namespace, ctx: Context, query: TaskQuery
) -> list[str]:
    """List the tasks ``query`` matches (fresh states) and return those still cancellable."""
    matched = await load_entries(ctx, query)
    live = [e for e in matched if e.unfinished]
    ended = len(matched) - len(live)
    note = _(" ({n} already ended or without a task id: not sent)").format(n=ended) if ended else ""
    say(
        _("matched {n} task(s) to cancel{note}: {query}").format(
            n=len(live), note=note, query=query.describe()
        )
    )
    if not live:
        say(_("nothing to cancel"))
        return []
    if args.dry_run:
        if args.json:
            emit_json([e.to_json() for e in live])
        else:
            sys.stdout.writelines(f"{line}\n" for line in entry_lines(live))
        say(_("dry run: {n} task(s) would be cancelled; nothing was sent").format(n=len(live)))
    else:
        for line in entry_lines(live[:SHOW_AT_MOST]):
            say("  " + line)
        if len(live) > SHOW_AT_MOST:
            more = len(live) - SHOW_AT_MOST
            say("  " + _("… and {n} more (--dry-run lists them all)").format(n=more))
    return [e.task_id for e in live if e.task_id]


def cmd_log(args: argparse.Namespace) -> int:
    """Print the audit log."""
    from efile_tui.store.audit import AuditLog

    log = AuditLog()
    events = log.read(limit=args.limit or None)
    if args.json:
        emit_json(events)
    else:
        rows = []
        for ev in events:
            items = ev.get("items") or []
            first = ""
            if items and isinstance(items[0], dict):
                first = str(items[0].get("path") or items[0].get("taskId") or "")
            more = _(" (+{n} more)").format(n=len(items) - 1) if len(items) > 1 else ""
            count = _("{n} item(s)").format(n=ev.get("count", len(items)))
            rows.append(
                [ev.get("time", "?"), words.event(str(ev.get("event", "?"))),
                 words.operation(str(ev.get("operation") or "")), count,
                 words.result(str(ev.get("exit", ""))), f"{first}{more}"]
            )  # fmt: skip
        for text in columns.table(rows, right={3}):
            print(text)
        if log.skipped_lines:
            say(
                _("warning: {n} unreadable line(s) skipped in the audit log").format(
                    n=log.skipped_lines
                )
            )
    return EXIT_OK


_VERBS = {
    "add": _cmd_tasks_add,
    "dismiss": _cmd_tasks_dismiss,
    "label": resolve.cmd_label,
    "resolve": resolve.cmd_resolve,
    "resubmit": resolve.cmd_resubmit,
    "report": report.cmd_report,
}
