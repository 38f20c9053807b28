"""A scripted fake of the efile service for client unit tests (httpx.MockTransport)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

Handler = Callable[[httpx.Request], httpx.Response]


def ok(data: Any) -> httpx.Response:
    """A success envelope."""
    return httpx.Response(200, json={"code": "0", "msg": "success", "data": data})


def fail(code: str, msg: str = "failed") -> httpx.Response:
    """A business error envelope."""
    return httpx.Response(200, json={"code": code, "msg": msg, "data": None})


def task(task_id: str, status: str = "processing", **extra: Any) -> dict[str, Any]:
    """A task object as the service sends it."""
    return {"taskId": task_id, "status": status, "operationType": "delete", **extra}


class Recorder:
    """Records requests and answers them from a queue of responses or a handler."""

    def __init__(self, handler: Handler | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self.queue: list[httpx.Response | Exception] = []
        self.handler = handler

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.queue:
            item = self.queue.pop(0)
            if isinstance(item, Exception):
                raise item
            return item
        assert self.handler is not None, f"unexpected request {request.url}"
        return self.handler(request)

    def bodies(self) -> list[Any]:
        """The JSON bodies sent, in order."""
        return [json.loads(r.content) for r in self.requests]

    @property
    def transport(self) -> httpx.MockTransport:
        """A transport that routes to this recorder."""
        return httpx.MockTransport(self)


async def no_sleep(_seconds: float) -> None:
    """Stand-in for asyncio.sleep so retry tests run instantly."""
