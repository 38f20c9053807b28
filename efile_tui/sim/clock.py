"""An injectable wall clock that tests can move forward."""

from __future__ import annotations

import threading
import time


class SimClock:
    """Epoch-seconds clock: real time plus an offset, or a frozen instant for unit tests.

    ``advance`` is safe to call from any thread. Only timestamps, task retention and token
    expiry follow this clock; throughput pacing uses real time.
    """

    def __init__(self, frozen_at: float | None = None) -> None:
        self._lock = threading.Lock()
        self._offset = 0.0
        self._frozen_at = frozen_at

    def now(self) -> float:
        """Return the simulated time in epoch seconds."""
        with self._lock:
            base = time.time() if self._frozen_at is None else self._frozen_at
            return base + self._offset

    def advance(self, seconds: float) -> None:
        """Move the simulated time forward by ``seconds`` (must not be negative)."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += seconds


def format_time(epoch: float) -> str:
    """Format epoch seconds as ``yyyy-MM-dd HH:mm:ss`` in local time."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(epoch))
