"""The task table's side of polling: which ids to ask, and what to show of the answers.

The loop itself is ``efile_tui.core.poller.Poller``; this module wires it to the main
screen (journal changes by other writers, only changed rows redrawn, the header's state).
"""

from __future__ import annotations

import asyncio
import posixpath
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from efile_tui.api.errors import AuthError, EfileError
from efile_tui.core.operations import PollReport
from efile_tui.core.poller import MAX_BACKOFF, Poller
from efile_tui.core.taskrow import Batch
from efile_tui.store.journal import JournalEntry
from efile_tui.ui.messages import LoginNeeded

if TYPE_CHECKING:
    from efile_tui.ui.screens.main import MainScreen


def table_poller(screen: MainScreen, interval: float) -> Poller:
    """The poller of the main screen (started by the screen as a worker)."""

    async def poll_ids() -> list[str]:
        """Unfinished tasks: the journal's, plus rows shown as running (e.g. just imported).

        Tasks other processes (other login nodes too) wrote to the journal are shown first.
        """
        await apply_others(await asyncio.to_thread(screen.ctx.journal.refresh))
        ids = await asyncio.to_thread(screen.ctx.journal.pollable_ids, screen.ctx.profile)
        rows = list(screen.view.rows.values())  # a snapshot; looked through in a thread
        live = await asyncio.to_thread(
            lambda: [r.task_id for r in rows if r.task_id and not r.is_final]
        )
        return list(dict.fromkeys([*ids, *live]))

    async def poll_done(report: PollReport) -> None:
        """Show what a poll brought: only rows whose shown values moved are redrawn."""
        touched = {*screen.view.outdated(report.tasks.values()), *report.expired}
        entries, batch = await asyncio.to_thread(screen._poll_entries, touched)
        screen.apply_batch(batch)
        refresh_if_touched(entries)
        screen.status.error = ""
        screen.status.last_ok = screen.poller.last_ok or time.monotonic()

    async def poll_failed(exc: Exception, delay: float) -> None:
        """Keep the last data on screen and say why it is not fresh."""
        if isinstance(exc, AuthError):
            screen.status.error = "login needed"
            screen.notify(str(exc), title="Authentication", severity="error", timeout=10)
            screen.app.post_message(
                LoginNeeded(
                    f"The service no longer accepts the token ({exc.title}). Log in again; "
                    "the table, marks and folder stay as they are."
                )
            )
        elif isinstance(exc, EfileError):
            screen.status.error = f"{exc.title}; retry in {delay:.0f} s"
        else:
            screen.worker_errors += 1
            screen.status.error = f"internal error; retry in {delay:.0f} s"
            screen.notify(
                f"polling: {type(exc).__name__}: {exc}",
                title="Internal error",
                severity="error",
                timeout=15,
            )

    async def apply_others(entries: Sequence[JournalEntry]) -> None:
        """Show what other processes (other login nodes too) wrote to the journal."""
        mine = [e for e in entries if e.profile == screen.ctx.profile]
        if any(e.dismissed for e in mine):
            screen.reload_journal()  # dismissed elsewhere: drop it here too
        elif mine:
            screen.apply_batch(await asyncio.to_thread(Batch.prepare, mine, screen.view.rows))

    def refresh_if_touched(entries: Sequence[JournalEntry]) -> None:
        """Re-list the open folder when a task that changed it has just ended: one whose
        source or target is the folder, an entry of it, or a folder above it."""
        here = screen.path_pane.current_path.rstrip("/") or "/"
        for entry in entries:
            if not entry.is_final:
                continue
            for path in filter(None, (entry.source_path, entry.target_path)):
                path = path.rstrip("/") or "/"
                if here in (path, posixpath.dirname(path)) or here.startswith(path + "/"):
                    screen.path_pane.refresh_folder()
                    return

    return Poller(
        screen.ctx,
        interval=interval,
        ids=poll_ids,
        on_report=poll_done,
        on_error=poll_failed,
        max_backoff=MAX_BACKOFF,
        at_once=False,  # the first poll follows the journal's rows (reload_journal)
    )
