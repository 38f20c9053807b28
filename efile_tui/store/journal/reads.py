"""Reading the task journal: entries by key, the lists the table and the poller need.

:class:`JournalReads` is a base of :class:`efile_tui.store.journal.Journal` (use that); it
answers from the entries folded in memory (:mod:`~efile_tui.store.journal.fold`), reading
other writers' new records first where a caller needs them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from efile_tui.store.journal.base import JournalFiles
from efile_tui.store.journal.entry import FINAL_STATES, JournalEntry


class JournalReads(JournalFiles):
    """The journal's read methods (see :class:`efile_tui.store.journal.Journal`)."""

    def refresh(self) -> list[JournalEntry]:
        """Entries changed by other writers (processes, hosts) since the last call."""
        with self._lock:
            self._sync()
            changed, self._others = self._others, set[int]()
            state = self._state
            return [state.entry(lid) for lid in sorted(changed) if state.visible(lid)]

    def get(self, task_id: str) -> JournalEntry | None:
        """The entry for one task id (dismissed or not), or None."""
        return next(iter(self.get_many([task_id])), None)

    def get_many(
        self, task_ids: Iterable[str] = (), local_ids: Iterable[int] = ()
    ) -> list[JournalEntry]:
        """The entries for these task ids and local ids (unknown keys are left out)."""
        with self._lock:
            state = self._state
            found = [state.find(str(k)) for k in task_ids] + [state.find(int(k)) for k in local_ids]
            return [row for row in found if row is not None]

    def entries(
        self,
        *,
        profile: str | None = None,
        hide_finished_older_than: float | None = None,
        include_dismissed: bool = False,
    ) -> list[JournalEntry]:
        """All entries not dismissed (or all, with ``include_dismissed``), newest first.

        With ``profile``, only that profile's. With ``hide_finished_older_than``, finished
        entries (final, or expired on the server) that ended (or, without an end time, were
        submitted) more than that many seconds ago are left out.
        """
        keep = self._keep(profile, hide_finished_older_than, include_dismissed)
        with self._lock:
            return self._state.select(keep)

    def entry_ids(
        self,
        *,
        profile: str | None = None,
        hide_finished_older_than: float | None = None,
        include_dismissed: bool = False,
    ) -> list[int]:
        """The local ids of what :meth:`entries` returns, in its order: to read a large
        journal's entries a part at a time (:meth:`get_many`), never all of them at once."""
        keep = self._keep(profile, hide_finished_older_than, include_dismissed)
        with self._lock:
            return self._state.select_ids(keep)

    def _keep(
        self, profile: str | None, hide_finished_older_than: float | None, include_dismissed: bool
    ) -> Callable[[JournalEntry], bool]:
        cutoff = (
            None if hide_finished_older_than is None else self._clock() - hide_finished_older_than
        )

        def keep(row: JournalEntry) -> bool:
            if row.dismissed_at is not None and not include_dismissed:
                return False
            if profile is not None and row.profile != profile:
                return False
            if cutoff is not None and (row.expired or row.state in FINAL_STATES):
                return (row.final_at or row.submitted_at) >= cutoff
            return True

        return keep

    def task_ids_starting(self, prefix: str, *, limit: int = 10) -> list[str]:
        """Task ids in the journal (dismissed ones too) that start with ``prefix``, ignoring
        case: at most ``limit`` of them, sorted."""
        wanted = prefix.lower()
        with self._lock:
            found = sorted(t for t in self._state.by_task if t.lower().startswith(wanted))
        return found[:limit]

    def pollable_ids(self, profile: str | None = None) -> list[str]:
        """Task ids neither final, expired nor dismissed, newest first: what to poll."""
        with self._lock:
            return [
                row.task_id
                for row in self._state.select(
                    lambda row: (
                        row.unfinished
                        and row.dismissed_at is None
                        and (profile is None or row.profile == profile)
                    )
                )
                if row.task_id is not None
            ]

    def unknown_outcomes(self, profile: str | None = None) -> list[JournalEntry]:
        """Items sent whose answer was lost (no task id), not yet dismissed: to be checked."""
        with self._lock:
            return self._state.select(
                lambda row: (
                    row.outcome_unknown
                    and row.dismissed_at is None
                    and (profile is None or row.profile == profile)
                )
            )
