"""When the poller sends its first poll: at once (the CLI) or when asked (the TUI)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from efile_tui.core.operations import Context, PollReport
from efile_tui.core.poller import Poller
from efile_tui.store.audit import AuditLog
from efile_tui.store.journal import Journal, JournalEntry


class Counting:
    """A subscriber that counts completed polls (the journal is empty: nothing is asked)."""

    def __init__(self, calls: list[int]) -> None:
        self.calls = calls

    async def journal_changed(self, entries: Sequence[JournalEntry]) -> None:
        raise AssertionError("no other writer")

    async def polled(self, report: PollReport) -> None:
        assert report.asked == []  # nothing to ask: no request is made
        self.calls.append(1)

    async def poll_failed(self, exc: Exception, delay: float) -> None:
        raise exc


def _poller(tmp_path: Path, calls: list[int], **kw: Any) -> Poller:
    ctx = Context(
        client=None,  # type: ignore[arg-type]  # never reached with no ids
        journal=Journal(tmp_path / "journal"),
        audit=AuditLog(tmp_path / "audit"),
    )
    return Poller(ctx, Counting(calls), interval=3600, **kw)


async def _until(predicate: Any) -> None:
    for _ in range(2000):
        if predicate():
            return
        await asyncio.sleep(0.001)
    raise AssertionError("condition not met")


async def test_a_poller_made_not_at_once_waits_for_poll_now(tmp_path: Path) -> None:
    calls: list[int] = []
    poller = _poller(tmp_path, calls, at_once=False)
    assert poller.next_due is None  # nothing scheduled before poll_now()
    runner = asyncio.create_task(poller.run())
    for _ in range(20):
        await asyncio.sleep(0)  # the loop runs, and sleeps without a deadline
    assert calls == []
    poller.poll_now()
    await _until(lambda: poller.polls == 1)
    assert calls == [1]
    assert poller.next_due is not None  # from now on, every interval
    poller.stop()
    await asyncio.wait_for(runner, 5)


async def test_a_default_poller_polls_at_once(tmp_path: Path) -> None:
    calls: list[int] = []
    poller = _poller(tmp_path, calls)
    runner = asyncio.create_task(poller.run())
    await _until(lambda: poller.polls == 1)
    assert calls == [1]
    poller.stop()
    await asyncio.wait_for(runner, 5)
