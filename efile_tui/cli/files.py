"""File commands: ls, mkdir, rm, cp, mv."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from efile_tui.api.models import FileEntry, Operation, SubmitItem, SubmitOutcome
from efile_tui.cli import output
from efile_tui.cli.common import (
    EXIT_USAGE,
    CliError,
    add_connection_args,
    add_json_arg,
    check_option_text,
    confirm,
    emit_json,
    input_error,
    open_context,
    say,
)
from efile_tui.core.operations import Context, submit_tracked
from efile_tui.core.validate import OVERRIDE_HINT, InputError, check_paths, refused_items

if TYPE_CHECKING:
    from efile_tui.core.session import Connection

SORT_KEYS = {"name": "name", "size": "size", "time": "lastModifiedTime"}


def register(sub: argparse._SubParsersAction) -> None:
    """Add the file commands to the top-level parser."""
    p = sub.add_parser("ls", help="list a remote folder")
    p.add_argument("path", nargs="?", help="absolute remote path (default: your home)")
    p.add_argument("--sort", choices=sorted(SORT_KEYS), help="sort order (server side)")
    p.add_argument("--reverse", action="store_true", help="sort descending")
    p.add_argument("--filter", metavar="TEXT", help="only names containing TEXT")
    p.add_argument("--limit", type=int, metavar="N", help="stop after N entries")
    add_json_arg(p)
    add_connection_args(p)
    p.set_defaults(handler=cmd_ls)

    p = sub.add_parser("mkdir", help="create a remote folder")
    p.add_argument("path")
    p.add_argument("-p", "--parents", action="store_true", help="create missing parents")
    add_connection_args(p)
    p.set_defaults(handler=cmd_mkdir)

    p = sub.add_parser("rm", help="delete remote paths (asynchronous tasks)")
    p.add_argument("paths", nargs="+", metavar="PATH")
    _submit_args(p)
    p.set_defaults(handler=cmd_rm)

    for name, verb in (("cp", "copy"), ("mv", "move")):
        p = sub.add_parser(name, help=f"{verb} remote paths into a folder (asynchronous tasks)")
        p.add_argument("paths", nargs="+", metavar="SRC")
        p.add_argument("dest", metavar="DEST", help="existing remote target folder")
        p.add_argument(
            "--on-conflict",
            choices=("cover", "both"),
            default="both",
            help="when a name exists in DEST: cover (overwrite) or both (keep both; default)",
        )
        _submit_args(p)
        p.set_defaults(handler=cmd_transfer, operation=Operation(verb))


def _submit_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    p.add_argument(
        "--allow-protected",
        action="append",
        default=[],
        metavar="PATH",
        help="deliberately allow PATH although it is your home folder or has only three "
        "components (/public/home/USER); give the exact path, once per path. "
        "Deny-list entries are never lifted here",
    )
    p.add_argument("--wait", action="store_true", help="watch the tasks until they end")
    add_json_arg(p)
    add_connection_args(p)


async def cmd_ls(args: argparse.Namespace) -> int:
    """List a folder, paging through it lazily."""
    if args.limit is not None and args.limit < 1:
        raise CliError("--limit must be at least 1", EXIT_USAGE)
    check_option_text(args, "filter")
    # A given path is checked before connecting, so bad input is named even without a login.
    path = _check_paths([args.path])[0] if args.path is not None else None
    async with open_context(args) as (conn, ctx):
        if path is None:
            (path,) = _check_paths([await conn.learn_home(ctx.client)])
        kwargs = {
            "order_by": SORT_KEYS[args.sort] if args.sort else None,
            "order": ("desc" if args.reverse else "asc") if args.sort or args.reverse else None,
            "keyword": args.filter,
        }
        entries: list[FileEntry] = []
        page_size = min(1000, args.limit or 1000)
        async for entry in ctx.client.iter_dir(path, page_size=page_size, **kwargs):
            entries.append(entry)
            if not args.json:
                print(output.entry_line(entry))
            if args.limit and len(entries) >= args.limit:
                break
        if args.json:
            emit_json(
                {"path": path, "total": len(entries), "fileList": [e.to_api() for e in entries]}
            )
        else:
            say(f"{len(entries)} entries in {path}")
    return 0


async def cmd_mkdir(args: argparse.Namespace) -> int:
    """Create a folder."""
    (path,) = _check_paths([args.path])
    async with open_context(args) as (_conn, ctx):
        await ctx.client.mkdir(path, create_parents=args.parents)
    say(f"created {path}")
    return 0


async def cmd_rm(args: argparse.Namespace) -> int:
    """Submit asynchronous deletes after the safety checks and confirmation."""
    paths = _check_paths(args.paths)
    async with open_context(args) as (conn, ctx):
        await _refuse_protected(args, conn, ctx, Operation.DELETE, [SubmitItem(p) for p in paths])
        shown = "\n".join(f"  {p}" for p in paths[:20])
        more = f"\n  … and {len(paths) - 20} more" if len(paths) > 20 else ""
        confirm(
            f"Delete {len(paths)} path(s) on {conn.label}? This cannot be undone.\n{shown}{more}\n",
            assume_yes=args.yes,
        )
        outcomes = await submit_tracked(ctx, Operation.DELETE, [SubmitItem(p) for p in paths])
        return await _report_submit(args, ctx, outcomes)


async def cmd_transfer(args: argparse.Namespace) -> int:
    """Submit asynchronous copies or moves into DEST."""
    problems: list[str] = []
    sources: list[str] = []
    dest = ""
    try:
        sources = check_paths(args.paths, what="source")
    except InputError as exc:
        problems += exc.problems
    try:
        (dest,) = check_paths([args.dest], what="target")
    except InputError as exc:
        problems += [f"target: {p}" for p in exc.problems]
    if problems:  # sources and target are reported together
        raise input_error(InputError(problems))
    clashes = [s for s in sources if s == dest or dest.startswith(s + "/")]
    if clashes:
        raise CliError(
            "input rejected, nothing was sent:\n  "
            + "\n  ".join(
                f"target {dest} is {s} or inside it: pick another folder" for s in clashes
            ),
            EXIT_USAGE,
        )
    op: Operation = args.operation
    items = [SubmitItem(s, dest, args.on_conflict) for s in sources]
    async with open_context(args) as (conn, ctx):
        await _refuse_protected(args, conn, ctx, op, items)
        if op is Operation.MOVE:
            confirm(
                f"Move {len(sources)} path(s) into {dest} on {conn.label} "
                f"(on conflict: {args.on_conflict})?",
                assume_yes=args.yes,
            )
        outcomes = await submit_tracked(ctx, op, items)
        return await _report_submit(args, ctx, outcomes)


async def _refuse_protected(
    args: argparse.Namespace,
    conn: Connection,
    ctx: Context,
    op: Operation,
    items: Sequence[SubmitItem],
) -> None:
    """Stop (exit 2, nothing sent) if the submit would destroy a protected path.

    The home folder is asked of the service when neither EFILE_HOME nor the profile names it.
    """
    await conn.learn_home(ctx.client)
    allow = args.allow_protected and _check_paths(args.allow_protected, "--allow-protected path")
    refused = refused_items(
        op.value,
        [(i.source_path, i.target_path, i.duplicate_handle_type) for i in items],
        home=conn.home,
        deny=conn.deny_paths,
        allow=allow,
    )
    if refused:
        raise CliError(
            f"refusing to {op.value}: it would destroy protected paths; nothing was sent:\n  "
            + "\n  ".join(refused.values())
            + f"\n{OVERRIDE_HINT}",
            EXIT_USAGE,
        )


def _check_paths(paths: Sequence[str], what: str = "path") -> list[str]:
    """check_paths, turning a rejection into the CLI's exit-2 error."""
    try:
        return check_paths(paths, what=what)
    except InputError as exc:
        raise input_error(exc) from None


async def _report_submit(
    args: argparse.Namespace, ctx: object, outcomes: Sequence[SubmitOutcome]
) -> int:
    if args.json:
        emit_json({"fileOperTasks": [output.outcome_json(o) for o in outcomes]})
    else:
        for outcome in outcomes:
            print(output.outcome_line(outcome))
    code = output.submit_exit_code(outcomes)
    if args.wait and any(o.task for o in outcomes):
        from efile_tui.cli.tasks import watch_until_done

        ids = [o.task.task_id for o in outcomes if o.task and not o.task.status.is_final]
        if ids:
            wait_code = await watch_until_done(ctx, ids, json_lines=args.json)  # type: ignore[arg-type]
            code = max(code, wait_code)
    if code and not args.json:
        say("some items were not submitted successfully (see above)")
    sys.stdout.flush()
    return code
