"""The app's first frame: work that would slow it down waits until it is up.

Reading a large journal in a thread shares the interpreter with the UI thread, so a read
that began before the first frame was painted delayed it (by a quarter of a second with
10,000 tasks). The main screen's first journal read waits for :func:`after_first_frame`.
"""

from __future__ import annotations

import asyncio


class FirstFrame:
    """Mixin for the app: ``first_frame_up`` is set once its first frame is painted."""

    first_frame_up: asyncio.Event


async def after_first_frame(app: object) -> None:
    """Return once ``app``'s first frame is up (at once for an app that does not tell)."""
    if isinstance(app, FirstFrame):
        await app.first_frame_up.wait()
