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
from efile_tui.cli import output
from efile_tui.cli.common import EXIT_USAGE, CliError, data_output, input_error, say
from efile_tui.core.operations import Context, poll_once
from efile_tui.core.query import ORIGINS, STATUS_NAMES, TaskQuery
from efile_tui.core.text import clean, json_dumps
from efile_tui.core.validate import InputError, check_task_ids, decode_lines, read_ids, shown
from efile_tui.i18n import _
from efile_tui.store.journal import ORIGIN_IMPORTED, OUTCOME_UNKNOWN, JournalEntry

DAY = 24 * 3600.0


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
            say(f"warning: could not refresh from the service, showing last known state: {exc}")
    ids = journal.entry_ids(profile=ctx.profile, hide_finished_older_than=hide)
    return (e for e in _in_parts(ctx, ids) if not query.active or query.matches(e))


def _in_parts(ctx: Context, local_ids: Sequence[int], part: int = 1000) -> Iterator[JournalEntry]:
    for start in range(0, len(local_ids), part):
        yield from ctx.journal.get_many(local_ids=local_ids[start : start + part])


def entry_key(entry: JournalEntry) -> str:
    """The task id, or ``local:N`` for an entry without one."""
    return entry.task_id or f"local:{entry.local_id}"


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
    if entry.cancel_lost and not entry.is_final:
        notes.append("cancel sent, answer lost")
    elif entry.cancel_requested_at and not entry.is_final:
        notes.append("cancelling…")
    if entry.label:
        notes.append(f"label: {entry.label}")
    if entry.resubmitted_as is not None:
        notes.append(f"resubmitted as local:{entry.resubmitted_as}")
    return ", ".join(notes)


def entry_line(entry: JournalEntry) -> str:
    """One human line for a journal entry (a task, or an item that never became one)."""
    if entry.task_id:
        return clean(output.task_line(entry.to_task(), note=entry_note(entry)))
    note = ", ".join(x for x in (entry_note(entry), entry.error_msg or entry.state) if x)
    return clean(output.task_line(entry.to_task(), note=f"local:{entry.local_id} {note}"))


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
    for e in entries:
        count += 1
        if args.jsonl:
            sys.stdout.write(json_dumps(e.to_json()) + "\n")
        elif args.ids_only:
            sys.stdout.write(entry_key(e) + "\n")
        else:
            sys.stdout.write(entry_line(e) + "\n")
    sys.stdout.flush()
    return count
