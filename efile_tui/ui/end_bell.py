"""The profile's ``bell = true``: ring once every task the TUI watched has ended."""

from __future__ import annotations

from collections import Counter

from textual.screen import Screen

from efile_tui.i18n import _

WATCHED = ("waiting", "processing", "submitting")  # statuses that will still change


class EndBell:
    """Follows the task counts and rings when the last watched task ends."""

    def __init__(self, screen: Screen[None], *, enabled: bool) -> None:
        self.screen = screen
        self.enabled = enabled
        self.watching = False  # some task was waiting, processing or being submitted

    def update(self, counts: Counter[str]) -> None:
        """Take the latest task counts (rows per display status)."""
        watching = any(counts[s] for s in WATCHED)
        if self.watching and not watching and self.enabled:
            self.screen.app.bell()
            self.screen.notify(_("Every watched task has ended."), title=_("Tasks"))
        self.watching = watching
