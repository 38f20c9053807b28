"""The connection pool is made by the first request, in a thread: making it loads the HTTP
machinery (httpcore) and the CA certificates, which took half a second under load and held
up the TUI's paints (the status line of its first frame) when done on the event loop."""

from __future__ import annotations

import asyncio
import threading

import pytest

from efile_tui.api.http import ApiTransport
from tests.unit.fakeservice import Recorder, no_sleep, ok


async def test_the_event_loop_runs_while_the_first_request_makes_the_pool(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rec = Recorder(lambda request: ok(["answer"]))
    transport = ApiTransport(
        "https://efile.test/efile", "tok", transport=rec.transport, sleep=no_sleep
    )
    entered, release, made = threading.Event(), threading.Event(), threading.Event()
    make_pool = ApiTransport._make_pool

    def slow(self: ApiTransport) -> None:
        entered.set()
        release.wait(2)  # on the event loop this would hold it for the whole wait
        make_pool(self)
        made.set()

    monkeypatch.setattr(ApiTransport, "_make_pool", slow)
    first = asyncio.create_task(transport.call("GET", "/a", idempotent=True))
    second = asyncio.create_task(transport.call("GET", "/b", idempotent=True))
    while not entered.is_set():
        await asyncio.sleep(0.001)
    assert not made.is_set(), "the event loop waited for the pool to be made"
    release.set()
    assert await first == ["answer"] and await second == ["answer"]
    assert [r.url.path for r in rec.requests] == ["/efile/a", "/efile/b"]
    await transport.aclose()
