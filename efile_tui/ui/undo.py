"""The one-step undo (``z``) for actions that clear something: marks, dismissed rows."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Collection

from efile_tui.i18n import _, ngettext


class UndoSlot:
    """Holds the last clearing action and how to take it back; saying so is part of it."""

    def __init__(self, notify: Callable[..., None]) -> None:
        self._notify = notify
        self._last: tuple[str, Callable[[], None]] | None = None

    def offer(self, what: str, undo: Callable[[], None]) -> None:
        """Remember ``undo`` for ``what`` (replacing any older one) and tell the user."""
        self._last = (what, undo)
        self._notify(_("{what} (z undoes)").format(what=what))

    def run(self) -> None:
        """Take back the last action, once."""
        if self._last is None:
            self._notify(_("Nothing to undo"), severity="warning")
            return
        what, undo = self._last
        self._last = None
        undo()
        self._notify(_("Undone: {what}").format(what=what))


def cleared_text(marks: Collection[str], here: str) -> str:
    """``Cleared 5 path marks, 3 of them in other folders`` (``here``: the open folder)."""
    elsewhere = sum(1 for p in marks if posixpath.dirname(p) != here)
    n = len(marks)
    text = ngettext("Cleared %(n)d path mark", "Cleared %(n)d path marks", n) % {"n": n}
    return text + (_(", {n} of them in other folders").format(n=elsewhere) if elsewhere else "")


def cleared_tasks_text(count: int, hidden: int) -> str:
    """``Cleared 5 task marks, 2 of them hidden by the filter`` (``No task marks to clear``)."""
    if not count:
        return _("No task marks to clear")
    text = ngettext("Cleared %(n)d task mark", "Cleared %(n)d task marks", count) % {"n": count}
    return text + (_(", {n} of them hidden by the filter").format(n=hidden) if hidden else "")
