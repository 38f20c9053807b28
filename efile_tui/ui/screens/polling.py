"""The task table's side of polling: what the main screen shows of each poll.

The loop is ``efile_tui.core.poller.Poller`` (it chooses the ids and talks to the service);
:class:`TableFeed` is the screen's :class:`~efile_tui.core.poller.PollSubscriber`: it shows
journal changes by other writers, redraws only the rows a poll changed, keeps the header's
state and re-lists the open folder when a task that changed it ends.
"""

from __future__ import annotations

import asyncio
import posixpath
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from efile_tui.api.errors import AuthError, EfileError
from efile_tui.core.freshness import failure_reason
from efile_tui.core.operations import PollReport
from efile_tui.core.taskrow import Batch, entries_for_keys
from efile_tui.i18n import _, ngettext
from efile_tui.store.journal import JournalEntry
from efile_tui.ui.format import error_text
from efile_tui.ui.messages import LoginNeeded

if TYPE_CHECKING:
    from efile_tui.ui.screens.main import MainScreen


class TableFeed:
    """What the main screen does with the poll loop's news (a ``PollSubscriber``)."""

    def __init__(self, screen: MainScreen) -> None:
        self.screen = screen

    async def journal_changed(self, entries: Sequence[JournalEntry]) -> None:
        """Show what other processes (other login nodes too) wrote to the journal."""
        screen = self.screen
        if any(e.dismissed for e in entries):
            screen.reload_journal()  # dismissed elsewhere: drop it here too
        else:
            screen.apply_batch(await asyncio.to_thread(Batch.prepare, entries, screen.view.rows))

    async def polled(self, report: PollReport) -> None:
        """Show what a poll brought: only rows whose shown values moved are redrawn."""
        screen = self.screen
        touched = {*screen.view.outdated(report.tasks.values()), *report.expired}
        entries, batch = await asyncio.to_thread(self._rows, touched)
        screen.apply_batch(batch)
        self._refresh_if_touched(entries)
        gone = [e for e in entries if e.vanished and e.task_id in report.expired]
        if gone:
            screen.notify(
                ngettext(
                    "{n} task vanished: the service no longer returns it "
                    "(r looks once more; d dismisses)",
                    "{n} tasks vanished: the service no longer returns them "
                    "(r looks once more; d dismisses)",
                    len(gone),
                ).format(n=len(gone)),
                title=_("Vanished"),
                severity="warning",
                timeout=10,
            )
        screen.status.error = screen.status.reason = ""
        screen.status.retry_at = None
        screen.status.last_ok = screen.poller.last_ok or time.monotonic()

    def _rows(self, keys: set[str]) -> tuple[list[JournalEntry], Batch]:
        """(In a thread.) The journal entries for ``keys`` and their rows."""
        entries = entries_for_keys(self.screen.ctx.journal, keys)
        return entries, Batch.prepare(entries, self.screen.view.rows)

    async def poll_failed(self, exc: Exception, delay: float) -> None:
        """Keep the last data on screen and say why it is not fresh."""
        screen = self.screen
        screen.status.reason = failure_reason(exc)
        if isinstance(exc, AuthError):
            screen.status.error = _("login needed")
            screen.notify(error_text(exc), title=_("Authentication"), severity="error", timeout=10)
            screen.app.post_message(
                LoginNeeded(
                    _(
                        "The service no longer accepts the token ({problem}). Log in again; "
                        "the table, marks and folder stay as they are."
                    ).format(problem=_(exc.title))
                )
            )
            return
        # The header counts down to the retry, then says it is under way.
        screen.status.retry_at = time.monotonic() + delay
        screen.status.error = _(exc.title) if isinstance(exc, EfileError) else _("internal error")
        if not isinstance(exc, EfileError):
            screen.worker_errors += 1
            screen.notify(
                _("polling: {kind}: {error}").format(kind=type(exc).__name__, error=exc),
                title=_("Internal error"),
                severity="error",
                timeout=15,
            )

    def _refresh_if_touched(self, entries: Sequence[JournalEntry]) -> None:
        """Re-list the open folder when a task that changed it has just ended: one whose
        source or target is the folder, an entry of it, or a folder above it."""
        panel = self.screen.path_pane
        here = panel.current_path.rstrip("/") or "/"
        for entry in entries:
            if not entry.is_final:
                continue
            for path in filter(None, (entry.source_path, entry.target_path)):
                path = path.rstrip("/") or "/"
                if here in (path, posixpath.dirname(path)) or here.startswith(path + "/"):
                    panel.refresh_folder()
                    return
