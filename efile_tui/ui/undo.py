"""The one-step undo (``z``) for actions that clear something: marks, dismissed rows."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Collection


class UndoSlot:
    """Holds the last clearing action and how to take it back; saying so is part of it."""

    def __init__(self, notify: Callable[..., None]) -> None:
        self._notify = notify
        self._last: tuple[str, Callable[[], None]] | None = None

    def offer(self, what: str, undo: Callable[[], None]) -> None:
        """Remember ``undo`` for ``what`` (replacing any older one) and tell the user."""
        self._last = (what, undo)
        self._notify(f"{what} (z undoes)")

    def run(self) -> None:
        """Take back the last action, once."""
        if self._last is None:
            self._notify("Nothing to undo", severity="warning")
            return
        what, undo = self._last
        self._last = None
        undo()
        self._notify(f"Undone: {what}")


def cleared_text(marks: Collection[str], here: str) -> str:
    """``Cleared 5 path marks, 3 of them in other folders`` (``here``: the open folder)."""
    elsewhere = sum(1 for p in marks if posixpath.dirname(p) != here)
    text = f"Cleared {len(marks)} path mark{'s' if len(marks) != 1 else ''}"
    return text + (f", {elsewhere} of them in other folders" if elsewhere else "")


def cleared_tasks_text(count: int, hidden: int) -> str:
    """``Cleared 5 task marks, 2 of them hidden by the filter`` (``No task marks to clear``)."""
    if not count:
        return "No task marks to clear"
    text = f"Cleared {count} task mark{'s' if count != 1 else ''}"
    return text + (f", {hidden} of them hidden by the filter" if hidden else "")
