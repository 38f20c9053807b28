"""Pausing the cycle collector while many long-lived objects are made, from any thread.

Reading a large journal makes some hundred thousand objects that hold no cycles; a full
collection over them holds the interpreter about half a second, and the TUI could not
answer a key meanwhile. Several readers may pause collection at once, in different
threads (the app's journal read, the main screen's rows, a start-up that ran without
collection): collection comes back on only when the last pause ends, and only if it was on
when the first began or :func:`resume` asked for it meanwhile. A pause ended by one thread
never turns collection back on under another thread's pause.

Plain code with no imports of ours: ``store``, ``core`` and the TUI all reach it downward.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_held = 0  # pauses in progress
_resume = False  # turn collection on when the last pause ends


@contextmanager
def paused(*, freeze: bool = False) -> Iterator[None]:
    """No garbage collection inside (nor while another pause lasts); ``freeze``: what is
    held when it ends is left out of later collections (``gc.freeze``)."""
    global _held, _resume
    with _lock:
        if not _held:
            _resume = gc.isenabled()
        _held += 1
        gc.disable()
    try:
        yield
    finally:
        with _lock:
            _held -= 1
            if freeze:
                gc.freeze()
            if not _held and _resume:
                gc.enable()


def resume() -> None:
    """Collection back on, for a start-up that turned it off (``gc.disable``): what it made
    is frozen first. Under a pause, collection comes back when the last pause ends."""
    global _resume
    with _lock:
        if _held:
            _resume = True
        elif not gc.isenabled():
            gc.freeze()
            gc.enable()
