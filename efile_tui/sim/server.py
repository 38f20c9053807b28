"""Run the simulator with uvicorn in a background thread (tests, demos, the CLI)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

import uvicorn

from efile_tui.sim.app import create_app
from efile_tui.sim.clock import SimClock
from efile_tui.sim.config import Faults, SimConfig
from efile_tui.sim.faults import install_log_filter
from efile_tui.sim.state import SimState

START_TIMEOUT = 10.0
T = TypeVar("T")


class SimServer:
    """The simulator on ``host:port`` (port 0 picks a free one), serving from a daemon thread.

    The task engine, tokens, clock and files live in ``self.state`` and survive ``restart``.
    """

    def __init__(
        self,
        config: SimConfig,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        clock: SimClock | None = None,
    ) -> None:
        if not config.root.is_dir():
            raise ValueError(f"simulator root {config.root} is not a directory")
        self.config = config
        self.host = host
        self.port = port
        self.state = SimState(config, clock or SimClock())
        self.clock: SimClock = self.state.clock
        self.token: str = config.token or self.state.tokens.issue(config.region_id)
        self.app = create_app(self.state)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def faults(self) -> Faults:
        """The live fault settings (mutate their fields to change behaviour at runtime)."""
        return self.config.faults

    @faults.setter
    def faults(self, value: Faults) -> None:
        self.config.faults = value

    @property
    def url(self) -> str:
        """Base URL of both the platform and the efile endpoints."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def running(self) -> bool:
        """Tell whether the HTTP server is currently serving."""
        return self._thread is not None and self._thread.is_alive()

    def issue_token(self) -> str:
        """Issue a fresh, valid regional token (e.g. after the clock was advanced)."""
        return self.state.tokens.issue(self.config.region_id)

    def stats(self) -> dict[str, Any]:
        """Request counters (per path, busiest second, throttled) and task counts."""
        return self._read(self.state.snapshot)

    def requests(self, path_suffix: str = "") -> list[dict[str, Any]]:
        """The requests clients sent (method, path, query, JSON body), oldest first;
        only those whose path ends with ``path_suffix`` when given."""
        log = self._read(lambda: list(self.state.stats.log))
        return [r for r in log if r["path"].endswith(path_suffix)]

    def tasks(self) -> list[dict[str, Any]]:
        """Every task the service remembers, as ``task/list`` would answer it (the truth)."""
        return self._read(self.state.engine.all_tasks)

    def _read(self, read: Callable[[], T]) -> T:
        """Call ``read`` on the server's loop: its dicts must not change while copied."""
        loop = self.state.loop
        if loop is None or not self.running:
            return read()

        async def on_loop() -> T:
            return read()

        return asyncio.run_coroutine_threadsafe(on_loop(), loop).result(timeout=10)

    def start(self) -> SimServer:
        """Start serving; return once the socket accepts connections."""
        if self.running:
            return self
        install_log_filter()
        config = uvicorn.Config(
            self.app,
            host=self.host,
            port=self.port,
            log_level="warning",
            log_config=None,
            access_log=False,
            lifespan="on",
            loop="asyncio",
            timeout_graceful_shutdown=2,
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, name="efile-sim", daemon=True)
        thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                server.should_exit = True
                thread.join(timeout=2)
                raise RuntimeError(f"simulator could not start on {self.host}:{self.port}")
            time.sleep(0.01)
        if self.port == 0:
            self.port = int(server.servers[0].sockets[0].getsockname()[1])
        self._server, self._thread = server, thread
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread; in-flight tasks pause until restart."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None or thread is None:
            return
        server.should_exit = True
        thread.join(timeout=START_TIMEOUT)
        if thread.is_alive():
            server.force_exit = True
            thread.join(timeout=START_TIMEOUT)

    def restart(self) -> None:
        """Stop and start again on the same port, keeping files, tokens and tasks."""
        self.stop()
        self.start()

    def __enter__(self) -> SimServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
