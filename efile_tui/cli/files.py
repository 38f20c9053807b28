"""File commands: ls, mkdir (rm, cp and mv are in :mod:`efile_tui.cli.submit`)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING

from efile_tui.api.errors import AlreadyExists, EfileError, ListingIncomplete
from efile_tui.api.models import FileEntry
from efile_tui.cli import output
from efile_tui.cli.common import (
    EXIT_FAILED,
    EXIT_UNREACHABLE,
    EXIT_USAGE,
    CliError,
    add_connection_args,
    add_json_arg,
    check_option_text,
    emit_json,
    input_error,
    open_client,
    say,
)
from efile_tui.core.validate import InputError, check_paths
from efile_tui.i18n import _, ngettext, shown_error

if TYPE_CHECKING:
    pass

SORT_KEYS = {"name": "name", "size": "size", "time": "lastModifiedTime"}


def register(sub: argparse._SubParsersAction) -> None:
    """Add the file commands to the top-level parser."""
    p = sub.add_parser("ls", help=_("list a remote folder"))
    p.add_argument("path", nargs="?", help=_("absolute remote path (default: your home)"))
    p.add_argument("--sort", choices=sorted(SORT_KEYS), help=_("sort order (server side)"))
    p.add_argument("--reverse", action="store_true", help=_("sort descending"))
    p.add_argument("--filter", metavar="TEXT", help=_("only names containing TEXT"))
    p.add_argument("--limit", type=int, metavar="N", help=_("stop after N entries"))
    add_json_arg(p)
    add_connection_args(p)
    p.set_defaults(handler=cmd_ls)

    p = sub.add_parser("mkdir", help=_("create a remote folder"))
    p.add_argument("path")
    p.add_argument("-p", "--parents", action="store_true", help=_("create missing parents"))
    add_connection_args(p)
    p.set_defaults(handler=cmd_mkdir)


async def cmd_ls(args: argparse.Namespace) -> int:
    """List a folder, paging through it lazily."""
    if args.limit is not None and args.limit < 1:
        raise CliError(_("--limit must be at least 1"), EXIT_USAGE)
    check_option_text(args, "filter")
    # A given path is checked before connecting, so bad input is named even without a login.
    path = _check_paths([args.path])[0] if args.path is not None else None
    async with open_client(args) as (conn, client):
        if path is None:
            (path,) = _check_paths([await conn.learn_home(client)])
        kwargs = {
            "order_by": SORT_KEYS[args.sort] if args.sort else None,
            "order": ("desc" if args.reverse else "asc") if args.sort or args.reverse else None,
            "keyword": args.filter,
        }
        entries: list[FileEntry] = []
        refused: list[str] = []
        incomplete: ListingIncomplete | None = None
        page_size = min(1000, args.limit or 1000)
        try:
            async for page in client.iter_pages(path, page_size=page_size, **kwargs):
                refused.extend(page.refused)
                for entry in page.entries[: (args.limit - len(entries)) if args.limit else None]:
                    entries.append(entry)
                    if not args.json:
                        print(output.entry_line(entry))
                if args.limit and len(entries) >= args.limit:
                    break
        except ListingIncomplete as exc:
            incomplete = exc
        if args.json:
            emit_json(
                {
                    "path": path,
                    "total": len(entries),
                    "fileList": [e.to_api() for e in entries],
                    "complete": incomplete is None,
                    "refused": refused,
                }
            )
        else:
            n = len(entries)
            say(ngettext("{n} entry in {path}", "{n} entries in {path}", n).format(n=n, path=path))
        for line in refused[:5]:
            say(_("refused {entry}").format(entry=line))
        if len(refused) > 5:
            n = len(refused) - 5
            say(ngettext("refused {n} more entry", "refused {n} more entries", n).format(n=n))
        if incomplete is not None:
            say(f"efile-tui: {shown_error(incomplete)}")
            return EXIT_UNREACHABLE
    return EXIT_FAILED if refused else 0


async def cmd_mkdir(args: argparse.Namespace) -> int:
    """Create a folder."""
    (path,) = _check_paths([args.path])
    async with open_client(args) as (_conn, client):
        try:
            await client.mkdir(path, create_parents=args.parents)
        except AlreadyExists:
            if not args.parents:
                raise
            try:  # like mkdir -p: an existing folder is success, an existing file is not
                await client.list_dir(path, limit=1)
            except EfileError:
                raise CliError(
                    _("{path} exists and is not a folder").format(path=path), EXIT_FAILED
                ) from None
            say(_("{path} exists already").format(path=path))
            return 0
    say(_("created {path}").format(path=path))
    return 0


def _check_paths(paths: Sequence[str], what: str = "path") -> list[str]:
    """check_paths, turning a rejection into the CLI's exit-2 error."""
    try:
        return check_paths(paths, what=what)
    except InputError as exc:
        raise input_error(exc) from None
