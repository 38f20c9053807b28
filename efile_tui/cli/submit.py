"""Submitting commands: rm, cp, mv — paths from argv or a file, dry runs, labels, --wait."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from efile_tui import i18n
from efile_tui.api.errors import EfileError, NotAFolder, NotFound
from efile_tui.api.models import Operation, SubmitOutcome
from efile_tui.cli import output
from efile_tui.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    add_connection_args,
    confirm,
    emit_json,
    input_error,
    open_context,
    say,
    walk_budget,
)
from efile_tui.cli.watch import (
    WaitOptions,
    add_wait_args,
    wait_epilog,
    wait_options,
    watch_until_done,
)
from efile_tui.core import words
from efile_tui.core.operations import Context
from efile_tui.core.pathlist import read_path_list
from efile_tui.core.pipeline import Confirmation, prepare, run
from efile_tui.core.preview import DeletePreview
from efile_tui.core.protect import Plan, Rules, target_problem
from efile_tui.core.query import label_problem
from efile_tui.core.text import clean, json_dumps
from efile_tui.core.validate import InputError, check_paths, override_hint, shown
from efile_tui.i18n import N_, Msg, _, ngettext

SHOW_AT_MOST = 20


def register(sub: argparse._SubParsersAction) -> None:
    """Add rm, cp and mv to the top-level parser."""
    p = sub.add_parser(
        "rm",
        help=_("delete remote paths (asynchronous tasks)"),
        description=_(
            "Delete remote paths. Paths come from the command line and/or "
            "--from-file; every one is checked before anything is sent. --dry-run shows what "
            "would be deleted (a bounded walk) and sends nothing."
        ),
        epilog=wait_epilog() + " " + _("Without --wait: 0 all submitted, 1 some item failed."),
    )
    p.add_argument("paths", nargs="*", metavar="PATH")
    _submit_args(p)
    p.set_defaults(handler=cmd_rm, operation=Operation.DELETE)

    texts = {
        "copy": (
            N_("copy remote paths into a folder (asynchronous tasks)"),
            N_(
                "Copy remote paths into the folder DEST. Sources come from the command line "
                "and/or --from-file (then give only DEST)."
            ),
        ),
        "move": (
            N_("move remote paths into a folder (asynchronous tasks)"),
            N_(
                "Move remote paths into the folder DEST. Sources come from the command line "
                "and/or --from-file (then give only DEST)."
            ),
        ),
    }
    for name, verb in (("cp", "copy"), ("mv", "move")):
        p = sub.add_parser(
            name,
            help=_(texts[verb][0]),
            description=_(texts[verb][1]),
            epilog=wait_epilog() + " " + _("Without --wait: 0 all submitted, 1 some item failed."),
        )
        p.add_argument("paths", nargs="*", metavar="SRC")
        p.add_argument("dest", metavar="DEST", help=_("existing remote target folder"))
        p.add_argument(
            "--on-conflict",
            choices=("cover", "both"),
            default="both",
            help=_("when a name exists in DEST: cover (overwrite) or both (keep both; default)"),
        )
        _submit_args(p)
        p.set_defaults(handler=cmd_transfer, operation=Operation(verb))


def _submit_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("-y", "--yes", action="store_true", help=_("do not ask for confirmation"))
    p.add_argument(
        "--allow-protected",
        action="append",
        default=[],
        metavar="PATH",
        help=_(
            "deliberately allow PATH although it is your home folder or has only three "
            "components (/public/home/USER); give the exact path, once per path. "
            "Deny-list entries are never lifted here"
        ),
    )
    p.add_argument(
        "--walk-budget",
        type=walk_budget,
        metavar="SECONDS",
        help=_(
            "time the preview / protection walk may take (default: the profile's "
            "walk_budget, else 5 s and 2 ms more per further path); a walk cut short says "
            "what it covered"
        ),
    )
    p.add_argument(
        "--from-file",
        metavar="FILE",
        help=_("read paths from FILE ('-' for standard input), one a line"),
    )
    p.add_argument(
        "-0",
        "--null",
        action="store_true",
        help=_("--from-file records are NUL-separated (find -print0)"),
    )
    p.add_argument(
        "-n",
        "--dry-run",
        action="store_true",
        help=_(
            "check and preview (files, folders, bytes, deepest, largest, protected "
            "paths); send nothing"
        ),
    )
    p.add_argument(
        "--label",
        metavar="TEXT",
        help=_("store TEXT with every task (select them later with --label TEXT)"),
    )
    p.add_argument("--wait", action="store_true", help=_("watch the tasks until they end"))
    add_wait_args(p)
    p.add_argument(
        "--json", action="store_true", help=_("print data as JSON (API field names) on stdout")
    )
    add_connection_args(p)


def gather_paths(args: argparse.Namespace, what: str = "path") -> tuple[list[str], list[str]]:
    """Paths from argv and ``--from-file``, every one checked: (paths, problems).

    A file that cannot be read ends the command (exit 2).
    """
    problems: list[str] = []
    paths: list[str] = []
    if args.paths:
        try:
            paths = check_paths(args.paths, what=what)
        except InputError as exc:
            problems += exc.problems
    if args.from_file:
        name = args.from_file
        source = _("standard input") if name == "-" else f"--from-file {shown(name)}"
        try:
            data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
            paths += read_path_list(data, source=source, nul=args.null, already=paths)
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise CliError(
                _("cannot read {source}: {reason}").format(source=source, reason=reason),
                EXIT_USAGE,
            ) from None
        except InputError as exc:
            problems += exc.problems
    elif args.null:
        problems.append(_("-0 applies to --from-file: give --from-file FILE too"))
    if not paths and not problems:
        problems.append(
            _(
                "no {what} given (at least one is required): "
                "give absolute paths or --from-file FILE"
            ).format(what=what.upper())
        )
    return paths, problems


def label_problems(label: str | None) -> list[str]:
    """``--label``'s problem, as a list to add to the other input problems."""
    problem = label_problem(label) if label is not None else None
    return [problem] if problem else []


def _listing(paths: Sequence[str]) -> str:
    more = f"\n  … and {len(paths) - SHOW_AT_MOST} more" if len(paths) > SHOW_AT_MOST else ""
    return "\n".join(f"  {clean(p)}" for p in paths[:SHOW_AT_MOST]) + more


async def cmd_rm(args: argparse.Namespace) -> int:
    """Submit asynchronous deletes after the safety checks and confirmation (or a dry run)."""
    wait = wait_options(args, json_lines=args.json)
    paths, problems = gather_paths(args)
    problems += label_problems(args.label)
    if problems:
        raise input_error(InputError(problems))
    return await _submit(args, Plan.of(Operation.DELETE, paths, label=args.label), wait)


async def cmd_transfer(args: argparse.Namespace) -> int:
    """Submit asynchronous copies or moves into DEST (or a dry run)."""
    wait = wait_options(args, json_lines=args.json)
    sources, problems = gather_paths(args, what=N_("source"))
    problems += label_problems(args.label)
    dest = ""
    try:
        (dest,) = check_paths([args.dest], what=N_("target"))
    except InputError as exc:
        problems += [Msg(N_("target: {problem}"), problem=p) for p in exc.problems]
    if problems:  # sources and target are reported together
        raise input_error(InputError(problems))
    op: Operation = args.operation
    clash = target_problem(op, sources, dest, args.on_conflict)
    if clash:
        raise CliError(
            _("input rejected, nothing was sent:") + f"\n  {i18n.shown(clash)}", EXIT_USAGE
        )
    plan = Plan.of(op, sources, dest, args.on_conflict, label=args.label)
    return await _submit(args, plan, wait)


async def _submit(args: argparse.Namespace, plan: Plan, wait: WaitOptions) -> int:
    """The pipeline from the command line: protect, show or ask, then run (or a dry run)."""
    allow: list[str] = []
    if args.allow_protected:
        try:
            allow = check_paths(args.allow_protected, what="--allow-protected path")
        except InputError as exc:
            raise input_error(exc) from None
    async with open_context(args) as (conn, ctx):
        # The home folder is asked of the service when neither EFILE_HOME nor the profile
        # names it.
        await conn.learn_home(ctx.client)
        budget = args.walk_budget if args.walk_budget is not None else conn.walk_budget
        rules = Rules(conn.home, tuple(conn.deny_paths), tuple(allow), budget)
        prepared = await prepare(ctx.client, plan, rules, preview=args.dry_run)
        if args.dry_run:
            return await _dry_run(args, ctx, prepared)
        _refuse(prepared)
        if prepared.ask:
            confirm(_question(prepared, conn.label), assume_yes=args.yes)
        outcomes = await run(ctx, prepared)
        return await _report_submit(args, ctx, outcomes, wait)


def _question(prepared: Confirmation, where: str) -> str:
    """The terminal's confirmation question: what is destroyed or overwritten."""
    plan = prepared.plan
    n = len(plan.items)
    if plan.operation is Operation.DELETE:
        head = ngettext(
            "Delete {n} path on {where}? This cannot be undone.",
            "Delete {n} paths on {where}? This cannot be undone.",
            n,
        ).format(n=n, where=where)
    else:
        if plan.operation is Operation.COPY:
            forms = ngettext(
                "Copy {n} path into {target} on {where} (on conflict: {conflict})?",
                "Copy {n} paths into {target} on {where} (on conflict: {conflict})?",
                n,
            )
        else:
            forms = ngettext(
                "Move {n} path into {target} on {where} (on conflict: {conflict})?",
                "Move {n} paths into {target} on {where} (on conflict: {conflict})?",
                n,
            )
        conflict = plan.items[0].duplicate_handle_type
        head = forms.format(n=n, target=plan.target, where=where, conflict=conflict)
    text = f"{head}\n{_listing(plan.sources)}\n"
    if plan.covers:
        k = len(prepared.overwritten)
        text += (
            ngettext(
                "This OVERWRITES {k} existing entry in {target}:",
                "This OVERWRITES {k} existing entries in {target}:",
                k,
            ).format(k=k, target=plan.target)
            + f"\n{_listing(prepared.overwritten)}\n"
            if k
            else _(
                "Nothing in {target} has these names now; whatever has them when the task "
                "runs is overwritten."
            ).format(target=plan.target)
            + "\n"
        )
    return clean(text, keep_newlines=True)


def _refuse(prepared: Confirmation) -> None:
    """Stop (exit 2, nothing sent) when the submit would destroy a protected path."""
    refused = prepared.refused
    if refused:
        raise CliError(
            _(
                "refusing to {operation}: it would destroy protected paths; nothing was sent:"
            ).format(operation=words.operation(prepared.plan.operation.value))
            + "\n  "
            + "\n  ".join(clean(i18n.shown(r)) for r in refused.values())
            + f"\n{i18n.shown(override_hint(refused.values()))}",
            EXIT_USAGE,
        )


async def _dry_run(args: argparse.Namespace, ctx: Context, prepared: Confirmation) -> int:
    """The bounded preview of what the command would touch; nothing is submitted.

    Exit 2 when the real command would refuse (protected paths, a missing target), else 0.
    """
    plan, refused, preview = prepared.plan, prepared.refused, prepared.preview
    dest = plan.target
    paths = plan.sources
    allowed = [p for p in paths if p not in refused]
    target_problem = await _target_problem(ctx, dest) if dest is not None else None
    if args.json:
        emit_json(
            {
                "dryRun": True,
                "operationType": plan.operation.value,
                "paths": paths,
                "targetPath": dest,
                "targetProblem": target_problem,
                "overwritten": prepared.overwritten,
                "refused": [{"path": p, "reason": r} for p, r in refused.items()],
                "preview": _preview_json(preview) if preview else None,
            }
        )
    else:
        op, n = words.operation(plan.operation.value), len(allowed)
        if dest:
            line = _("would {operation} {n} path(s) into {dest}:")
        else:
            line = _("would {operation} {n} path(s):")
        print(line.format(operation=op, n=f"{n:,}", dest=clean(dest)) + f"\n{_listing(allowed)}")
        if prepared.overwritten:
            k = len(prepared.overwritten)
            print(_("would overwrite {n} existing entries:").format(n=f"{k:,}"))
            print(_listing(prepared.overwritten))
        if refused:
            print(_("refused (protected, would not be sent): {n}").format(n=f"{len(refused):,}"))
            print("\n".join(f"  {clean(i18n.shown(r))}" for r in refused.values()))
        if target_problem:
            print(_("target: {problem}").format(problem=clean(i18n.shown(target_problem))))
        if preview:
            print("\n".join(clean(line) for line in preview.summary_lines()))
    say(_("dry run: nothing was sent"))
    return EXIT_USAGE if refused or target_problem else EXIT_OK


async def _target_problem(ctx: Context, dest: str) -> str | None:
    """Why ``dest`` cannot take copies or moves, or None (one listing request)."""
    try:
        await ctx.client.list_dir(dest, limit=1)
    except NotFound:
        return Msg(N_("{path} does not exist: create it first (efile-tui mkdir -p)"), path=dest)
    except NotAFolder:
        return Msg(N_("{path} is not a folder"), path=dest)
    except EfileError as exc:
        return Msg(N_("{path} could not be checked: {why}"), path=dest, why=exc.message)
    return None


def _preview_json(preview: DeletePreview) -> dict[str, Any]:
    return {
        "files": preview.files,
        "folders": preview.dirs,
        "bytes": preview.bytes,
        "deepestPath": preview.deepest_path,
        "maxDepth": preview.max_depth,
        "largest": [{"path": p, "size": s} for p, s in preview.largest],
        "complete": preview.complete,
        "stoppedBecause": preview.stopped_because,
        "pathsWalked": preview.paths - len(preview.unfinished),
        "pathsTotal": preview.paths,
        "foldersListed": preview.folders_listed,
        "errors": list(preview.errors),
    }


async def _report_submit(
    args: argparse.Namespace, ctx: Context, outcomes: Sequence[SubmitOutcome], wait: WaitOptions
) -> int:
    if args.json and args.wait:  # a stream: JSON Lines, the outcomes then each update
        for outcome in outcomes:
            print(json_dumps(output.outcome_json(outcome)), flush=True)
    elif args.json:
        emit_json({"fileOperTasks": [output.outcome_json(o) for o in outcomes]})
    else:
        for outcome in outcomes:
            print(output.outcome_line(outcome))
    code = output.submit_exit_code(outcomes)
    if code and not args.json:
        say(_("some items were not submitted successfully (see above)"))
    if args.wait and any(o.task for o in outcomes):
        ids = [o.task.task_id for o in outcomes if o.task and not o.task.status.is_final]
        ended = {
            o.task.task_id: o.task.status.value
            for o in outcomes
            if o.task and o.task.task_id and o.task.status.is_final
        }
        wait_code = await watch_until_done(ctx, ids, wait, ended=ended)
        code = max(code, wait_code) if code else wait_code
    sys.stdout.flush()
    return code
