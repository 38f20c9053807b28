"""When the poller sends its first poll: at once (the CLI) or when asked (the TUI)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from efile_tui.core.operations import Context
from efile_tui.core.poller import Poller
from efile_tui.store.audit import AuditLog
from efile_tui.store.journal import Journal


def _poller(tmp_path: Path, calls: list[int], **kw: Any) -> Poller:
    async def ids() -> list[str]:
        calls.append(1)
        return []  # nothing to ask: no request is made

    ctx = Context(
        client=None,  # type: ignore[arg-type]  # never reached with no ids
        journal=Journal(tmp_path / "journal"),
        audit=AuditLog(tmp_path / "audit"),
    )
    return Poller(ctx, interval=3600, ids=ids, **kw)


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
