"""The one poll loop, shared by the TUI and by ``watch`` / ``--wait`` (no UI in here).

A poll asks the service only about unfinished tasks (``poll_once`` sends them in batches of
at most 100) and records the answers in the journal. Between polls the loop waits the
interval; after a failure it backs off (interval × 2ⁿ, at most ``max_backoff``).

- **Polls never overlap and are never cut short**: a poll under way always finishes; pausing,
  asking for a poll now or changing the interval only affects what happens after it.
- **Interval changes take effect at once**: the next poll is due ``interval`` after the end
  of the last one, computed again whenever the interval changes (going from 60 s back to
  2 s polls within 2 s of the last poll, not 60 s later).
- **Finished tasks are never asked about again**: ids the service has answered with a final
  state are left out of every later poll, whatever the id source returns.

Run ``Poller.run()`` as a task (a Textual worker in the TUI); ``stop()`` ends it after the
current poll, cancelling the task ends it at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Sequence

from efile_tui.api.errors import AuthError, EfileError
from efile_tui.core.operations import Context, PollReport, poll_once

MIN_INTERVAL = 0.2  # seconds; a smaller interval would only load the service
MAX_BACKOFF = 60.0

IdSource = Callable[[], Awaitable[Sequence[str]]]
ReportHandler = Callable[[PollReport], Awaitable[None]]
ErrorHandler = Callable[[Exception, float], Awaitable[None]]


class Poller:
    """Polls unfinished tasks every ``interval`` seconds until stopped.

    ``ids`` returns the ids to consider (default: the journal's unfinished tasks of the
    context's profile); ``on_report`` gets every completed poll; ``on_error`` gets a failed
    poll's exception and the delay before the next try — it may raise to end the loop
    (the CLI does so for an authentication error). With ``at_once=False`` the first poll
    waits for :meth:`poll_now` (the TUI calls it once the journal's rows are on screen).
    """

    def __init__(
        self,
        ctx: Context,
        *,
        interval: float,
        ids: IdSource | None = None,
        on_report: ReportHandler | None = None,
        on_error: ErrorHandler | None = None,
        max_backoff: float = MAX_BACKOFF,
        at_once: bool = True,
    ) -> None:
        self.ctx = ctx
        self.interval = max(MIN_INTERVAL, interval)
        self.max_backoff = max_backoff
        self._ids = ids or self._journal_ids
        self._on_report = on_report
        self._on_error = on_error
        self.failures = 0  # consecutive failed polls
        self.polls = 0  # completed polls
        self.paused = False
        self.in_flight = False
        self.last_ok: float | None = None  # time.monotonic() of the last good poll
        self.finished: set[str] = set()  # ids answered with a final state: never asked again
        self._last_end: float | None = None
        self._auth_failed = False
        self._now = at_once  # the first poll goes out at once, or on poll_now()
        self._stopped = False
        self._wake = asyncio.Event()

    async def _journal_ids(self) -> Sequence[str]:
        return await asyncio.to_thread(self.ctx.journal.pollable_ids, self.ctx.profile)

    # -- control (safe to call at any time, from the loop's thread) ---------------------

    def poll_now(self) -> None:
        """Poll as soon as possible: at once, or right after the poll under way."""
        self._now = True
        self._wake.set()

    def pause(self) -> None:
        """Stop polling after the poll under way (which is not cut short)."""
        self.paused = True
        self._wake.set()

    def resume(self) -> None:
        """Resume polling, with a poll at once."""
        self.paused = False
        self.poll_now()

    def set_interval(self, seconds: float) -> None:
        """Change the interval; the next poll is due ``seconds`` after the last one ended."""
        self.interval = max(MIN_INTERVAL, seconds)
        self._wake.set()

    def stop(self) -> None:
        """End ``run()`` after the poll under way."""
        self._stopped = True
        self._wake.set()

    @property
    def delay(self) -> float:
        """Seconds between the end of the last poll and the next one (with back-off)."""
        if self._auth_failed:
            return self.max_backoff
        if self.failures:
            return min(self.max_backoff, self.interval * 2**self.failures)
        return self.interval

    @property
    def next_due(self) -> float | None:
        """``time.monotonic()`` at which the next poll is due (None: when poll_now() is
        called, before the first poll of a poller made with ``at_once=False``)."""
        if self._now:
            return time.monotonic()
        if self._last_end is None:
            return None
        return self._last_end + self.delay

    # -- the loop --------------------------------------------------------------------------

    async def run(self) -> None:
        """Poll until ``stop()`` (or until the task running this is cancelled)."""
        while not self._stopped:
            if self.paused:
                await self._sleep(None)
                continue
            due = self.next_due
            wait = None if due is None else due - time.monotonic()
            if wait is None or wait > 0:
                await self._sleep(wait)
                continue  # woken or due: decide again (paused, interval changed, stopped)
            self._now = False
            await self.poll()

    async def _sleep(self, seconds: float | None) -> None:
        self._wake.clear()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)

    async def poll(self) -> PollReport | None:
        """One poll now (normally called by ``run``); None when it failed."""
        self.in_flight = True
        try:
            ids = [t for t in dict.fromkeys(await self._ids()) if t not in self.finished]
            report = await poll_once(self.ctx, ids)
        except Exception as exc:
            self.in_flight = False
            self._last_end = time.monotonic()
            if isinstance(exc, AuthError):
                self._auth_failed = True
            elif isinstance(exc, EfileError):
                self.failures += 1
            else:  # a bug: say so, and keep going at the slowest pace
                self.failures = max(self.failures + 1, 8)
            if self._on_error is not None:
                await self._on_error(exc, self.delay)
            return None
        self.in_flight = False
        self._last_end = time.monotonic()
        self.failures = 0
        self._auth_failed = False
        self.polls += 1
        self.last_ok = self._last_end
        self.finished.update(tid for tid, task in report.tasks.items() if task.status.is_final)
        self.finished.update(report.expired)
        if self._on_report is not None:
            await self._on_report(report)
        return report


__all__ = ["MAX_BACKOFF", "MIN_INTERVAL", "Poller"]
