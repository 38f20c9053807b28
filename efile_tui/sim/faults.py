"""ASGI middleware that counts requests and injects faults (not on ``/_sim/`` routes).

Order per request: count it; add latency; throttle (911048, the request is not executed);
then one random draw picks at most one of drop / HTTP 503 / malformed body. A drop or a
malformed body happens before or after the request is executed (another draw), so a client
cannot know whether a dropped write took effect.
"""

from __future__ import annotations

import asyncio
import collections
import json
import logging
import random
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from efile_tui.sim.state import SimState

CONTROL_PREFIX = "/_sim/"
ERROR_PAGE = (
    b"<html><head><title>503 Service Temporarily Unavailable</title></head><body>"
    b"<center><h1>503 Service Temporarily Unavailable</h1></center><hr><center>nginx</center>"
    b"</body></html>"
)
THROTTLED = {"code": "911048", "msg": "服务繁忙,触发限流,请稍后再试", "data": None}
REFUSED = {"code": "911030", "msg": "Permission denied 权限不足,禁止操作", "data": None}
_INCOMPLETE = "ASGI callable returned without completing response"


class _DropFilter(logging.Filter):
    """Hide uvicorn's error line for the responses dropped on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return _INCOMPLETE not in record.getMessage()


def install_log_filter() -> None:
    """Silence uvicorn's complaint about deliberately incomplete responses (idempotent)."""
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _DropFilter) for f in logger.filters):
        logger.addFilter(_DropFilter())


async def _send_simple(send: Send, status: int, ctype: bytes, body: bytes) -> None:
    headers = [(b"content-type", ctype), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _send_partial(send: Send, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    """Announce more bytes than are sent, then stop: the server closes the connection."""
    headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
    headers.append((b"content-length", str(len(body) + 4096).encode()))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})


async def _capture(app: ASGIApp, scope: Scope, receive: Receive) -> tuple[Message, bytes]:
    start: Message = {}
    chunks: list[bytes] = []

    async def send(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            start = message
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return start, b"".join(chunks)


class FaultsMiddleware:
    """Pure ASGI middleware applying ``state.config.faults`` to every non-control request."""

    def __init__(self, app: ASGIApp, state: SimState) -> None:
        self.app = app
        self.state = state
        self._accepted: collections.deque[float] = collections.deque()
        self._rng = random.Random()
        self._seed: Any = object()

    def _random(self) -> float:
        seed = self.state.config.faults.seed
        if seed != self._seed:
            self._seed = seed
            self._rng.seed(seed)
        return self._rng.random()

    def _admit(self, rps: float) -> bool:
        now = time.monotonic()
        while self._accepted and self._accepted[0] <= now - 1.0:
            self._accepted.popleft()
        if len(self._accepted) >= rps:
            return False
        self._accepted.append(now)
        return True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        faults = self.state.config.faults
        self.state.stats.record(scope["path"])
        receive, send = await self._logged(scope, receive, send)
        if faults.latency > 0:
            await asyncio.sleep(faults.latency)
        if faults.submit_latency > 0 and scope["path"].rsplit("/", 1)[-1].startswith("async-"):
            await asyncio.sleep(faults.submit_latency)
        cancel = scope["path"].endswith("/task/cancel")
        if cancel and faults.refuse_cancel > 0 and self._random() < faults.refuse_cancel:
            body = json.dumps(REFUSED, ensure_ascii=False).encode()
            await _send_simple(send, 200, b"application/json", body)
            return
        if faults.throttle_rps is not None and not self._admit(faults.throttle_rps):
            self.state.stats.throttled += 1
            body = json.dumps(THROTTLED, ensure_ascii=False).encode()
            await _send_simple(send, 200, b"application/json", body)
            return
        drop, error, bad = faults.drop_rate, faults.error_rate, faults.malformed_rate
        if drop <= 0 and error <= 0 and bad <= 0:
            await self.app(scope, receive, send)
            return
        draw = self._random()
        stats = self.state.stats
        if draw < drop:
            stats.dropped += 1
            await self._drop(scope, receive, send)
        elif draw < drop + error:
            stats.errors += 1
            await _send_simple(send, 503, b"text/html; charset=utf-8", ERROR_PAGE)
        elif draw < drop + error + bad:
            stats.malformed += 1
            await self._malformed(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _logged(self, scope: Scope, receive: Receive, send: Send) -> tuple[Receive, Send]:
        """Read the whole body into the request log (the app gets it replayed); the answer
        is logged as it is sent."""
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        query = scope.get("query_string", b"").decode("latin-1")
        entry = self.state.stats.log_request(scope["method"], scope["path"], query, body)
        sent = False
        answer: list[bytes] = []

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        async def logging_send(message: Message) -> None:
            if message["type"] == "http.response.body":
                answer.append(message.get("body", b""))
                if not message.get("more_body"):
                    self.state.stats.log_answer(entry, b"".join(answer))
            await send(message)

        return replay, logging_send

    async def _drop(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._random() < 0.5:
            await _send_partial(send, [(b"content-type", b"application/json")], b'{"code": "0"')
            return
        start, body = await _capture(self.app, scope, receive)
        await _send_partial(send, list(start.get("headers", [])), body)

    async def _malformed(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._random() < 0.5:
            await _send_simple(send, 200, b"application/json", ERROR_PAGE)
            return
        _, body = await _capture(self.app, scope, receive)
        truncated = body[: max(1, len(body) // 2)] if len(body) > 16 else b'{"code": "0", "data": ['
        await _send_simple(send, 200, b"application/json", truncated)
