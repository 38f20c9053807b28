"""``watch`` and ``--wait``: follow tasks until they end, under the wait contract.

Exit codes of a wait (documented in the README and in ``watch --help``):

* 0 — every watched task completed
* 1 — any watched task failed or was cancelled
* 5 — none failed, but some vanished: the service stopped returning them before they were
  seen to end (see ``Journal.mark_missing``); what became of them is not known
* 124 (``--timeout-exit-code``) — ``--timeout`` seconds passed first; the tasks go on
* 3 / 4 — the service stayed unreachable / authentication is needed, as everywhere
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from efile_tui.api.errors import AuthError, EfileError
from efile_tui.api.models import Task, TaskStatus
from efile_tui.cli import output
from efile_tui.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_TIMEOUT,
    EXIT_USAGE,
    EXIT_VANISHED,
    CliError,
    add_connection_args,
    data_output,
    open_context,
    say,
    write_control,
)
from efile_tui.cli.select import (
    add_filter_args,
    add_ids_file_arg,
    expand_keys,
    gather_ids,
    load_entries,
    query_from_args,
)
from efile_tui.core import words
from efile_tui.core.following import Following
from efile_tui.core.notify import notification
from efile_tui.core.operations import Context, PollReport
from efile_tui.core.poller import Poller
from efile_tui.core.text import clean, json_dumps
from efile_tui.i18n import N_, _, shown_error
from efile_tui.store.journal import VANISHED, Journal, JournalEntry, VanishRule

WAIT_EPILOG = N_(
    "Exit codes: 0 every task completed; 1 any failed or was cancelled; "
    "{vanished} none failed but some vanished (the service stopped returning them before "
    "they ended; see `tasks --status vanished`); "
    "{code} (or --timeout-exit-code) the time-out came first (the tasks go on); "
    "3 service unreachable; 4 authentication needed."
)


def wait_epilog() -> str:
    """The exit codes of a command that waits, in the language in use."""
    return _(WAIT_EPILOG).format(code=EXIT_TIMEOUT, vanished=EXIT_VANISHED)


@dataclass(frozen=True)
class WaitOptions:
    """How to wait: poll interval, time-out and its exit code, heartbeat, bell, JSON lines."""

    interval: float | None = None  # None: the profile's poll_interval
    timeout: float | None = None
    timeout_exit_code: int = EXIT_TIMEOUT
    heartbeat: bool = False
    bell: bool = False
    json_lines: bool = False


def add_wait_args(parser: argparse.ArgumentParser, *, interval: bool = True) -> None:
    """``--timeout``, ``--timeout-exit-code``, ``--heartbeat``, ``--bell`` (and ``--interval``)."""
    g = parser.add_argument_group("waiting")
    if interval:
        g.add_argument(
            "--interval",
            type=float,
            default=None,
            help=_("seconds between polls (default: the profile's poll_interval, 2)"),
        )
    g.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help=_("stop waiting after SECONDS (the tasks go on) and exit with --timeout-exit-code"),
    )
    g.add_argument(
        "--timeout-exit-code",
        type=int,
        default=EXIT_TIMEOUT,
        metavar="CODE",
        help=_("exit code on time-out (default {code}, as timeout(1))").format(code=EXIT_TIMEOUT),
    )
    g.add_argument(
        "--heartbeat",
        action="store_true",
        help=_("after each poll, one line on stderr: how many tasks are in which state"),
    )
    g.add_argument(
        "--bell",
        action="store_true",
        help=_(
            "ring the terminal bell and send a desktop notification (OSC 9/777, also "
            "through tmux) when every task has ended; only when stderr is a terminal"
        ),
    )


def wait_options(args: argparse.Namespace, *, json_lines: bool = False) -> WaitOptions:
    """The wait flags, checked (exit 2 on a bad value)."""
    interval = getattr(args, "interval", None)
    if interval is not None and interval <= 0:
        raise CliError(_("--interval must be positive"), EXIT_USAGE)
    if args.timeout is not None and not args.timeout > 0:
        raise CliError(_("--timeout must be a positive number of seconds"), EXIT_USAGE)
    if not 0 <= args.timeout_exit_code <= 255:
        raise CliError(_("--timeout-exit-code must be between 0 and 255"), EXIT_USAGE)
    return WaitOptions(
        interval=interval,
        timeout=args.timeout,
        timeout_exit_code=args.timeout_exit_code,
        heartbeat=args.heartbeat,
        bell=args.bell,
        json_lines=json_lines,
    )


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``watch`` to the top-level parser."""
    p = sub.add_parser(
        "watch",
        help=_("print task updates until the tasks end"),
        description=_(
            "Follow tasks until every one has ended. Without ids or filters: the "
            "unfinished tasks of the journal. With filters: every journal task they match "
            "(tasks that already ended count towards the exit code)."
        ),
        epilog=wait_epilog(),
    )
    p.add_argument("ids", nargs="*", metavar="ID", help=_("task ids"))
    add_ids_file_arg(p)
    p.add_argument("--json", action="store_true", help=_("one JSON object per update on stdout"))
    add_filter_args(p)
    add_wait_args(p)
    add_connection_args(p)
    p.set_defaults(handler=cmd_watch)


async def cmd_watch(args: argparse.Namespace) -> int:
    """Poll until every watched task has ended, or the time-out."""
    opts = wait_options(args, json_lines=args.json)
    ids = gather_ids(args, required=False)
    query = query_from_args(args)
    if ids and query.active:
        raise CliError(_("give task ids or filters, not both"), EXIT_USAGE)
    ended: dict[str, str] = {}
    async with open_context(args) as (_conn, ctx):
        if ids:
            return await watch_until_done(ctx, expand_keys(ctx, ids), opts)
        started = time.time()
        if query.active:
            entries = [e for e in await load_entries(ctx, query) if e.task_id]
            for e in entries:
                if not e.unfinished:
                    ended[e.task_id or ""] = e.status
            ids = [e.task_id or "" for e in entries if e.task_id not in ended]
            following = Following(query, ctx.profile, [*ids, *ended], started)
            say(
                _("watching {n} task(s) matching {query}").format(
                    n=f"{len(entries):,}", query=query.describe()
                )
            )
        else:
            ids = ctx.journal.pollable_ids(ctx.profile)
            following = Following(query, ctx.profile, ids, started)
        pending = await asyncio.to_thread(following.submits_in_flight, ctx.journal)
        if pending:
            say(
                _("{n} matching item(s) still being submitted: their tasks join").format(
                    n=f"{pending:,}"
                )
            )
        elif not ids and not ended:
            say(
                _("no task matches; nothing to wait for")
                if query.active
                else _("no unfinished tasks in the journal")
            )
            return EXIT_OK
        return await watch_until_done(ctx, ids, opts, ended=ended, following=following)


async def watch_until_done(
    ctx: Context,
    ids: Sequence[str],
    opts: WaitOptions = WaitOptions(),
    *,
    ended: dict[str, str] | None = None,
    following: Following | None = None,
) -> int:
    """Print each change until all ``ids`` are final (or gone), or ``opts.timeout`` passes.

    ``ended`` holds tasks already known to have ended (id -> state); they count towards
    the exit code (see the module docstring). With ``following`` (a selection), the tasks
    that join it are watched too, and the watch is not over while a submit matching it is
    still in flight (:mod:`efile_tui.core.following`). Polling is the shared ``core.poller.Poller``
    (only unfinished ids, batches of at most 100); network trouble is reported and waited
    out with a growing pause, within the time-out.
    """
    remaining = list(dict.fromkeys(ids))
    final: dict[str, str] = dict(ended or {})
    last: dict[str, Task] = {}
    untracked = _Untracked(ctx.vanish)

    class Printer:
        """Prints each change (a ``PollSubscriber``); stops the poller when all have ended."""

        async def journal_changed(self, entries: Sequence[JournalEntry]) -> None:
            """Tasks that joined the selection: watched from now on."""
            remaining.extend(e.task_id for e in entries if e.task_id)
            say(
                _("{n} new task(s) joined: now watching {total}").format(
                    n=f"{len(entries):,}", total=f"{len(remaining) + len(final):,}"
                )
            )

        async def polled(self, report: PollReport) -> None:
            for tid in list(remaining):
                task = report.tasks.get(tid)
                if task is None:
                    if await asyncio.to_thread(untracked.vanished, ctx.journal, tid):
                        remaining.remove(tid)
                        poller.forget([tid])
                        final[tid] = VANISHED
                        _print_update(tid, None, opts.json_lines)
                    continue
                untracked.seen(tid)
                prev = last.get(tid)
                if prev is None or (prev.status, prev.processed_num, prev.processed_size) != (
                    task.status,
                    task.processed_num,
                    task.processed_size,
                ):
                    _print_update(tid, task, opts.json_lines)
                last[tid] = task
                if task.status.is_final:
                    remaining.remove(tid)
                    final[tid] = task.status.value
            if opts.heartbeat:
                say(f"{time.strftime('%H:%M:%S')}  {_tally(remaining, final, last)}")
            if not remaining and not await _submits_in_flight(following, ctx.journal):
                poller.stop()

        async def poll_failed(self, exc: Exception, delay: float) -> None:
            if isinstance(exc, AuthError) or not isinstance(exc, EfileError):
                raise exc
            say(
                _("warning: {problem}; retrying in {seconds} s (last known states kept)").format(
                    problem=shown_error(exc), seconds=f"{delay:.0f}"
                )
            )

    poller = Poller(
        ctx,
        Printer(),
        interval=opts.interval or ctx.poll_interval,
        ids=remaining,
        following=following,
        max_backoff=30.0,
    )
    if remaining or following:
        try:
            await asyncio.wait_for(poller.run(), timeout=opts.timeout)
        except asyncio.TimeoutError:
            return _timed_out(opts, remaining, final, last)
    failed_count = sum(state != TaskStatus.COMPLETE.value for state in final.values())
    vanished = sum(state == VANISHED for state in final.values())
    n = len(final)
    counts = _counts(final.values())
    say(_("all {n} task(s) ended: {counts}").format(n=n, counts=counts))
    if opts.bell:
        ring(_("{n} task(s) ended, {failed} not complete").format(n=n, failed=failed_count))
    if failed_count > vanished:
        return EXIT_FAILED
    return EXIT_VANISHED if vanished else EXIT_OK


async def _submits_in_flight(following: Following | None, journal: Journal) -> int:
    """How many submits matching the selection still await their answer (0 for ids)."""
    if following is None:
        return 0
    return await asyncio.to_thread(following.submits_in_flight, journal)


class _Untracked:
    """Whether a watched task the service left out of an answer has vanished: the
    journal's verdict for a task it tracks, the same rule counted here for one it does
    not (an id given to ``watch`` that was never imported)."""

    def __init__(self, rule: VanishRule) -> None:
        self.rule = rule
        self.misses: dict[str, tuple[float, int]] = {}  # id -> (first miss, count)

    def vanished(self, journal: Journal, tid: str) -> bool:
        entry = journal.get(tid)
        if entry is not None:
            return entry.vanished
        now = time.time()
        since, count = self.misses.get(tid, (now, 0))
        self.misses[tid] = (since, count + 1)
        return count + 1 >= self.rule.misses and now - since >= self.rule.seconds

    def seen(self, tid: str) -> None:
        self.misses.pop(tid, None)


def _timed_out(
    opts: WaitOptions, remaining: Sequence[str], final: dict[str, str], last: dict[str, Task]
) -> int:
    say(
        _(
            "timed out after {seconds} s: {n} task(s) not ended yet ({tally}); they go on running"
        ).format(
            seconds=f"{opts.timeout:g}", n=len(remaining), tally=_tally(remaining, final, last)
        )
    )
    return opts.timeout_exit_code


def _tally(remaining: Sequence[str], final: dict[str, str], last: dict[str, Task]) -> str:
    states = [last[t].status.value if t in last else "unknown" for t in remaining]
    return _counts([*states, *final.values()])


def _counts(states: Iterable[str]) -> str:
    counter = Counter(states)
    counts = ", ".join(f"{n} {words.status(state)}" for state, n in sorted(counter.items()))
    return counts or _("none")


def ring(message: str) -> None:
    """Bell and desktop notification on stderr, when it is a terminal."""
    if sys.stderr.isatty():
        write_control(notification("efile-tui", message))


def _print_update(tid: str, task: Task | None, json_lines: bool) -> None:
    stamp = time.strftime("%H:%M:%S")
    if json_lines:
        gone = {"taskId": tid, "status": VANISHED, "foundOnServer": False}
        data = task.to_api() if task else gone
        with data_output() as out:
            print(json_dumps(data), file=out, flush=True)
    elif task is None:
        why = _("vanished: no longer returned by the service")
        print(f"{stamp}  {clean(tid)}  {why}", flush=True)
    else:
        print(f"{stamp}  {output.task_line(task)}", flush=True)
