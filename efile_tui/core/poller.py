"""The one poll loop, shared by the TUI and by ``watch`` / ``--wait`` (no UI in here).

A poll asks the service only about unfinished tasks (``poll_once`` sends them in batches of
at most 100) and records the answers in the journal. Between polls the loop waits the
interval; after a failure it backs off (interval × 2ⁿ, at most ``max_backoff``).

- **Polls never overlap and are never cut short**: a poll under way always finishes; pausing,
  asking for a poll now or changing the interval only affects what happens after it.
- **Interval changes take effect at once**: the next poll is due ``interval`` after the end
  of the last one, computed again whenever the interval changes (going from 60 s back to
  2 s polls within 2 s of the last poll, not 60 s later).
- **Only unfinished tasks are asked about**, by one rule: a poller that follows the journal
  asks for the journal's unfinished ids (``Journal.pollable_ids``: a task id, not final, not
  expired on the server, not dismissed); a poller given a list of ids asks for those; and in
  both cases an id the service has answered with a final state (or that expired or
  vanished) is left out of every later poll — unless :meth:`Poller.look_again` asks for one
  more look.

What a front end gets from the loop is a :class:`PollSubscriber`: the TUI's main screen
(``ui.screens.polling``) and ``watch`` (``cli.watch``) each implement one. Run
``Poller.run()`` as a task (a Textual worker in the TUI); ``stop()`` ends it after the
current poll, cancelling the task ends it at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterable, Sequence
from typing import Protocol

from efile_tui.api.errors import AuthError, EfileError
from efile_tui.core.following import Following
from efile_tui.core.operations import Context, PollReport, poll_once
from efile_tui.store.journal import JournalEntry

MIN_INTERVAL = 0.2  # seconds; a smaller interval would only load the service
MAX_BACKOFF = 60.0


class PollSubscriber(Protocol):
    """What a front end hears from the poll loop (called on the loop's thread)."""

    async def journal_changed(self, entries: Sequence[JournalEntry]) -> None:
        """Entries of the context's profile that other processes (other hosts too) wrote to
        the journal since the last poll; heard before the poll that follows them (only by a
        poller that follows the journal, and only when there are some). A poller following
        a selection (``following``) tells only the entries whose tasks joined it."""

    async def polled(self, report: PollReport) -> None:
        """A poll completed (the journal already holds what it brought)."""

    async def poll_failed(self, exc: Exception, delay: float) -> None:
        """A poll failed; the next try is ``delay`` seconds after it. Raising ends the loop
        (``watch`` does so for an authentication error)."""


class Poller:
    """Polls unfinished tasks every ``interval`` seconds until stopped, telling ``subscriber``.

    With ``ids=None`` the poller follows the journal: before each poll it reads what other
    processes wrote (told to the subscriber) and asks for the journal's unfinished tasks of
    the context's profile. Given ``ids``, it asks for those until each has ended or is
    :meth:`forget`-ten; given ``following`` too, the tasks that join that selection in the
    journal are added to them before each poll (:mod:`efile_tui.core.following`). With
    ``at_once=False`` the first poll waits for :meth:`poll_now` (the TUI calls it once the
    journal's rows are on screen).
    """

    def __init__(
        self,
        ctx: Context,
        subscriber: PollSubscriber,
        *,
        interval: float,
        ids: Iterable[str] | None = None,
        following: Following | None = None,
        max_backoff: float = MAX_BACKOFF,
        at_once: bool = True,
    ) -> None:
        self.ctx = ctx
        self.interval = max(MIN_INTERVAL, interval)
        self.max_backoff = max_backoff
        self._subscriber = subscriber
        self._watched = None if ids is None else list(dict.fromkeys(ids))
        self._following = following
        self.failures = 0  # consecutive failed polls
        self.polls = 0  # completed polls
        self.paused = False
        self.in_flight = False
        self.last_ok: float | None = None  # time.monotonic() of the last good poll
        self.finished: set[str] = set()  # ids ended (or forgotten): never asked again
        self._last_end: float | None = None
        self._auth_failed = False
        self._now = at_once  # the first poll goes out at once, or on poll_now()
        self._stopped = False
        self._wake = asyncio.Event()
        self._others: list[JournalEntry] = []  # other writers' entries, not yet told
        self._again: set[str] = set()  # ids to ask about in the next poll, once

    async def unfinished_ids(self) -> list[str]:
        """The ids the next poll asks for (see the module docstring for the rule)."""
        if self._watched is None:
            ids = await asyncio.to_thread(self._follow_journal)
        else:
            if self._following is not None:
                await asyncio.to_thread(self._join)
            ids = self._watched
        return [t for t in dict.fromkeys(ids) if t not in self.finished]

    def _follow_journal(self) -> list[str]:
        """(In a thread.) Read other writers' records, then the journal's unfinished ids."""
        journal, profile = self.ctx.journal, self.ctx.profile
        self._others = [e for e in journal.refresh() if e.profile == profile]
        return journal.pollable_ids(profile)

    def _join(self) -> None:
        """(In a thread.) Read other writers' records; follow the tasks that join the
        selection (told to the subscriber)."""
        assert self._following is not None and self._watched is not None
        joined = self._following.take(self.ctx.journal.refresh())
        self._watched += [e.task_id for e in joined if e.task_id]
        self._others = joined

    def forget(self, ids: Iterable[str]) -> None:
        """Never ask about these ids again (e.g. ``watch`` gave up on a vanished task)."""
        self.finished.update(ids)

    # -- control (safe to call at any time, from the loop's thread) ---------------------

    def poll_now(self) -> None:
        """Poll as soon as possible: at once, or right after the poll under way."""
        self._now = True
        self._wake.set()

    def look_again(self, task_ids: Sequence[str]) -> None:
        """Ask about these ids once more in the next poll (now), even if they ended or
        vanished: a vanished task the service returns again is followed again."""
        self._again.update(task_ids)
        self.finished.difference_update(task_ids)
        self.poll_now()

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
            again, self._again = self._again, set()
            ids = await self.unfinished_ids()
            if self._others:
                others, self._others = self._others, []
                await self._subscriber.journal_changed(others)
            report = await poll_once(self.ctx, [*ids, *sorted(again - set(ids))])
        except Exception as exc:
            self.in_flight = False
            self._last_end = time.monotonic()
            if isinstance(exc, AuthError):
                self._auth_failed = True
            elif isinstance(exc, EfileError):
                self.failures += 1
            else:  # a bug: say so, and keep going at the slowest pace
                self.failures = max(self.failures + 1, 8)
            await self._subscriber.poll_failed(exc, self.delay)
            return None
        self.in_flight = False
        self._last_end = time.monotonic()
        self.failures = 0
        self._auth_failed = False
        self.polls += 1
        self.last_ok = self._last_end
        self.finished.update(tid for tid, task in report.tasks.items() if task.status.is_final)
        self.finished.update(report.expired)
        await self._subscriber.polled(report)
        return report


__all__ = ["MAX_BACKOFF", "MIN_INTERVAL", "PollSubscriber", "Poller"]
