"""Everything that outlives one run of the HTTP server (kept across restarts)."""

from __future__ import annotations

import asyncio
import collections
import json
import time
from typing import Any

from efile_tui.sim.clock import SimClock
from efile_tui.sim.config import SimConfig
from efile_tui.sim.engine import Engine
from efile_tui.sim.fs import Sandbox
from efile_tui.sim.listing import Lister
from efile_tui.sim.tokens import TokenAuthority

MAX_TRACKED_PATHS = 500
MAX_LOGGED_REQUESTS = 5000
MAX_LOGGED_BODY = 512 * 1024  # bytes of a request body kept in the log


class Stats:
    """Request counters per path, the busiest 1-second window, and injected faults."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Zero every counter."""
        self.per_path: collections.Counter[str] = collections.Counter()
        self.total = 0
        self.throttled = 0
        self.dropped = 0
        self.errors = 0  # HTTP 503 answers
        self.malformed = 0
        self.max_per_second = 0
        self._window: collections.deque[float] = collections.deque()
        self.logged = 0
        # What the clients sent, newest last: tests assert on it ("nothing was sent").
        self.log: collections.deque[dict[str, Any]] = collections.deque(maxlen=MAX_LOGGED_REQUESTS)

    def log_request(self, method: str, path: str, query: str, body: bytes) -> dict[str, Any]:
        """Keep one request (method, path, query and its JSON body when it has one).

        ``seq`` numbers the requests in arrival order; ``log_answer`` later adds the answer
        and ``answered_before``: the ``seq`` the next request to arrive will get, so a test
        can tell which answers a client had seen before it sent a given request.
        """
        entry = {
            "seq": self.logged,
            "method": method,
            "path": path,
            "query": query,
            "body": _parsed(body),
            "answer": None,
            "answered_before": None,
        }
        self.logged += 1
        self.log.append(entry)
        return entry

    def log_answer(self, entry: dict[str, Any], body: bytes) -> None:
        """Attach the answer body to a logged request."""
        entry["answer"] = _parsed(body)
        entry["answered_before"] = self.logged

    def record(self, path: str) -> None:
        """Count one incoming request (before faults are applied)."""
        now = time.monotonic()
        if path not in self.per_path and len(self.per_path) >= MAX_TRACKED_PATHS:
            path = "<other>"
        self.per_path[path] += 1
        self.total += 1
        self._window.append(now)
        while self._window and self._window[0] <= now - 1.0:
            self._window.popleft()
        self.max_per_second = max(self.max_per_second, len(self._window))

    def as_dict(self) -> dict[str, Any]:
        """Return the counters as a JSON-friendly dict."""
        return {
            "total": self.total,
            "requests": dict(self.per_path),
            "maxPerSecond": self.max_per_second,
            "throttled": self.throttled,
            "dropped": self.dropped,
            "errors": self.errors,
            "malformed": self.malformed,
        }


def _parsed(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body[:MAX_LOGGED_BODY])
    except ValueError:
        return body[:200].decode("utf-8", "replace")


class SimState:
    """Configuration, clock, tokens, task engine, listing cache and statistics."""

    def __init__(self, config: SimConfig, clock: SimClock | None = None) -> None:
        self.config = config
        self.clock = clock or SimClock()
        self.sandbox = Sandbox(config.root, config.home, config.settle)
        self.tokens = TokenAuthority(config, self.clock)
        self.engine = Engine(config, self.clock, self.sandbox)
        self.lister = Lister(self.sandbox, config.user)
        self.stats = Stats()
        self.loop: asyncio.AbstractEventLoop | None = None  # set while a server runs

    def snapshot(self) -> dict[str, Any]:
        """Request counters and task counts (call on the server's loop, or when stopped)."""
        return {**self.stats.as_dict(), "tasks": self.engine.counts()}
