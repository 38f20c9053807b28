"""Selecting tasks from the command line: the filter flags, loading the entries, output formats.

``tasks``, ``cancel``, ``watch`` and ``tasks report`` share these flags; they are a front
end of :class:`efile_tui.core.query.TaskQuery`, the model the TUI's filters use too.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from efile_tui.api.errors import AuthError, EfileError
from efile_tui.cli import columns, output
from efile_tui.cli.common import EXIT_USAGE, CliError, data_output, input_error, say
from efile_tui.core.ids import expand_ids
from efile_tui.core.operations import Context, poll_once
from efile_tui.core.query import ORIGINS, STATUS_NAMES, TaskQuery
from efile_tui.core.taskrow import TaskRow, status_text
from efile_tui.core.tasktext import entry_message
from efile_tui.core.text import json_dumps
from efile_tui.core.validate import (
    InputError,
    check_journal_keys,
    check_task_ids,
    decode_lines,
    read_ids,
    shown,
)
from efile_tui.i18n import _, shown_error
from efile_tui.store.journal import JournalEntry

DAY = 24 * 3600.0
TABLE_BLOCK = 1000  # table rows aligned together (a large journal is never held whole)


def add_filter_args(parser: argparse.ArgumentParser) -> None:
    """The filter flags: every given condition must hold; a repeated flag means "any of"."""
    g = parser.add_argument_group(
        "filters", "every condition given must hold; a repeated flag means any of its values"
    )
    g.add_argument(
        "--status",
        action="append",
        default=[],
        metavar="STATUS",
        help=_(
            "one of {names} (running = waiting+processing, final = complete+fail+cancel+"
            "rejected); repeat or comma-separate for several"
        ).format(names=", ".join(STATUS_NAMES)),
    )
    g.add_argument(
        "--op",
        action="append",
        default=[],
        metavar="OP",
        help=_("delete, copy or move (repeatable)"),
    )
    g.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="GLOB",
        help=_(
            "source path glob; matches that path and everything under it "
            "(* within a name, ** across folders; quote it)"
        ),
    )
    g.add_argument(
        "--target", action="append", default=[], metavar="GLOB", help=_("target path glob (cp/mv)")
    )
    g.add_argument(
        "--since",
        metavar="TIME",
        help=_("submitted at or after TIME: 30m, 2h, 3d, 1w or an ISO date"),
    )
    g.add_argument("--until", metavar="TIME", help=_("submitted before TIME (same forms)"))
    g.add_argument(
        "--label",
        dest="label_filter",
        action="append",
        default=[],
        metavar="LABEL",
        help=_("tasks with this label (a glob: 'nightly-*'); repeatable"),
    )
    g.add_argument("--origin", metavar="ORIGIN", help=f"{' or '.join(ORIGINS)}")
    g.add_argument("--failed", action="store_true", help=_("only failed or rejected tasks"))
    g.add_argument("--text", metavar="TEXT", help=_("id, path, label or error contains TEXT"))


def add_format_args(parser: argparse.ArgumentParser) -> None:
    """``--json`` (one array), ``--jsonl`` (one object a line) or ``--ids`` (one id a line)."""
    g = parser.add_mutually_exclusive_group()
    g.add_argument(
        "--json", action="store_true", help=_("print data as JSON (API field names) on stdout")
    )
    g.add_argument("--jsonl", action="store_true", help=_("one JSON object per line on stdout"))
    g.add_argument(
        "--ids",
        dest="ids_only",
        action="store_true",
        help=_("task ids only, one a line (local:N for no task id)"),
    )


def add_ids_file_arg(p: argparse.ArgumentParser) -> None:
    """``--ids-file FILE|-``: task ids read from a file or standard input."""
    p.add_argument(
        "--ids-file", metavar="FILE", help=_("read task ids from FILE ('-' for standard input)")
    )


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
                _("cannot read --ids-file {path}: {reason}").format(
                    path=shown(args.ids_file), reason=reason
                ),
                EXIT_USAGE,
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


def expand_keys(ctx: Context, keys: Sequence[str], *, prefixes: bool = True) -> list[str]:
    """Ids and ``local:N`` keys with each id prefix made the journal's one task id
    (:func:`efile_tui.core.ids.expand_ids`); an ambiguous or unknown prefix exits 2."""
    try:
        return expand_ids(ctx.journal, keys, prefixes=prefixes)
    except InputError as exc:
        raise input_error(exc) from None


def query_from_args(args: argparse.Namespace) -> TaskQuery:
    """The query the filter flags describe; bad values end the command with exit 2."""
    try:
        return TaskQuery.from_options(
            statuses=args.status,
            operations=args.op,
            sources=args.source,
            targets=args.target,
            since=args.since,
            until=args.until,
            labels=args.label_filter,
            origin=args.origin,
            failed=args.failed,
            text=args.text or "",
        )
    except InputError as exc:
        raise input_error(exc) from None


async def load_entries(
    ctx: Context, query: TaskQuery, *, everything: bool = False, refresh: bool = True
) -> list[JournalEntry]:
    """Journal entries of this profile matching ``query``, newest first, after a refresh.

    Finished tasks that ended over 24 h ago are left out unless ``everything`` or the query
    has a time window. The refresh asks the service about unfinished tasks (and finished
    ones not yet known to be expired); if it fails the last known states are used.
    """
    return list(await matching_entries(ctx, query, everything=everything, refresh=refresh))


async def matching_entries(
    ctx: Context, query: TaskQuery, *, everything: bool = False, refresh: bool = True
) -> Iterator[JournalEntry]:
    """What :func:`load_entries` returns, read from the journal a part at a time as it is
    consumed (never all entries at once: a journal of 50,000 is streamed, not held)."""
    hide = None if everything or query.since is not None or query.until is not None else DAY
    journal = ctx.journal
    if refresh:
        ids = journal.entry_ids(profile=ctx.profile, hide_finished_older_than=hide)
        # Asking about finished tasks is how one past the service's retention is found gone.
        recheck = [
            e.task_id for e in _in_parts(ctx, ids) if e.task_id and e.is_final and not e.expired
        ]
        try:
            await poll_once(ctx)
            if recheck:
                await poll_once(ctx, recheck)
        except AuthError:
            raise
        except EfileError as exc:
            say(
                _(
                    "warning: could not refresh from the service, showing last known state: "
                    "{problem}"
                ).format(problem=shown_error(exc))
            )
    ids = journal.entry_ids(profile=ctx.profile, hide_finished_older_than=hide)
    return (e for e in _in_parts(ctx, ids) if not query.active or query.matches(e))


def _in_parts(ctx: Context, local_ids: Sequence[int], part: int = 1000) -> Iterator[JournalEntry]:
    for start in range(0, len(local_ids), part):
        yield from ctx.journal.get_many(local_ids=local_ids[start : start + part])


async def chosen_entries(
    args: argparse.Namespace, ctx: Context, keys: Sequence[str], query: TaskQuery
) -> list[JournalEntry]:
    """The entries named by ``keys`` (task ids or local:N), or else those ``query`` matches."""
    if not keys:
        return await load_entries(ctx, query, everything=args.all)
    keys = expand_keys(ctx, keys)
    task_ids = [k for k in keys if not k.startswith("local:")]
    local_ids = [int(k[6:]) for k in keys if k.startswith("local:")]
    found = ctx.journal.get_many(task_ids, local_ids)
    known = {entry_key(e) for e in found} | {str(e.local_id) for e in found}
    missing = [k for k in keys if k not in known and k[6:] not in known]
    if missing:
        raise CliError(
            _("not in the journal (see `efile-tui tasks --all`): {keys}").format(
                keys=", ".join(missing)
            ),
            EXIT_USAGE,
        )
    return found


def keys_or_query(args: argparse.Namespace, words: Sequence[str]) -> tuple[list[str], TaskQuery]:
    """Journal keys from the words, or the filter flags; exactly one of them must be given."""
    query = query_from_args(args)
    keys: list[str] = []
    if words:
        try:
            keys = check_journal_keys(list(words))
        except InputError as exc:
            raise input_error(exc) from None
    if keys and query.active:
        raise CliError(_("give task ids (or local:N) or filters, not both"), EXIT_USAGE)
    return keys, query


def entry_key(entry: JournalEntry) -> str:
    """The task id, or ``local:N`` for an entry without one."""
    return entry.task_id or f"local:{entry.local_id}"


def entry_cells(entry: JournalEntry) -> list[str]:
    """A journal entry's cells, as the ``tasks`` table shows them: key, operation, status
    (the TUI's words and glyph: ``∅ vanished (waiting)``), progress, paths, message."""
    status = status_text(TaskRow.from_entry(entry))
    cells = output.task_cells(entry.to_task(), key=entry_key(entry), status=status)
    return [*cells, entry_message(entry)]


def entry_line(entry: JournalEntry) -> str:
    """One human line for a journal entry, in the table's least column widths."""
    return columns.line(entry_cells(entry), output.TASK_WIDTHS)


def entry_lines(entries: Sequence[JournalEntry]) -> list[str]:
    """Journal entries as one aligned table (columns as wide as their widest cell)."""
    return columns.table([entry_cells(e) for e in entries], minimum=output.TASK_WIDTHS)


def print_entries(args: argparse.Namespace, entries: Iterable[JournalEntry]) -> int:
    """Write entries on stdout in the format the flags chose (table, JSON, JSON lines, ids),
    each as it comes (a JSON array is written element by element); how many were written."""
    count = 0
    if args.json:
        with data_output() as out:
            for count, e in enumerate(entries, 1):
                element = json_dumps(e.to_json(), indent=2).replace("\n", "\n  ")
                out.write(("[\n  " if count == 1 else ",\n  ") + element)
            out.write("\n]\n" if count else "[]\n")
            out.flush()
        return count
    if args.jsonl:
        with data_output() as out:
            for e in entries:
                count += 1
                out.write(json_dumps(e.to_json()) + "\n")
            out.flush()
        return count
    block: list[JournalEntry] = []
    for e in entries:
        count += 1
        if args.ids_only:
            sys.stdout.write(entry_key(e) + "\n")
        else:
            block.append(e)
            if len(block) == TABLE_BLOCK:
                sys.stdout.writelines(f"{text}\n" for text in entry_lines(block))
                block.clear()
    sys.stdout.writelines(f"{text}\n" for text in entry_lines(block))
    sys.stdout.flush()
    return count
