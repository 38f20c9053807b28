"""The task journal: every task this user submitted or imported, and its last known state.

The service forgets a task 24 h after it ends and never knows what an operator meant to do,
so the journal is the operator's memory. It lives in the ``journal`` folder of the state
directory, which is often a home folder shared by several login nodes: so it needs no lock
shared between hosts and no file written by two processes.

- **One file per writing process.** Every process appends events (intent, answer, polled
  state, cancel requested, dismissed, label, …) to a file only it writes, with one
  ``write()`` and ``fsync`` per call: once a method returns, its records are on disk.
  Readers merge every file and fold the events into entries
  (:mod:`~efile_tui.store.journal.fold`); a torn last line is ignored, never misread.
- **Intent first.** :meth:`Journal.begin_submit` records one entry per item *before* the
  request is sent; :meth:`Journal.finish_submit` completes them with the answer. A submit
  whose answer never arrived stays visible as "outcome unknown" with its paths.
- **Nothing is deleted** by normal use: finished and expired tasks are only hidden, and so
  are entries the operator dismissed (:meth:`Journal.dismiss`, undone by
  :meth:`Journal.undismiss`). Snapshots and compaction keep loading fast
  (:mod:`~efile_tui.store.journal.files`); an old ``journal.sqlite3`` is imported once
  (:mod:`~efile_tui.store.journal.migrate`).
- **Other writers' changes** are picked up by :meth:`Journal.refresh` (the TUI's poll calls
  it), so a task submitted on another login node shows within one poll.

Local ids are ``writer number × 100,000 + n``: unique across hosts without a lock, since
each writer number is taken with an exclusive create.

:class:`Journal` is made of three collaborators: a :class:`~.folder.JournalFolder` (the
entries read from every file, read when first needed), a :class:`~.writer.JournalWriter`
(this process's file and local ids) and :class:`~.writes.JournalWrites` (what each change
writes). A submit records its intent and its answer without reading the journal: a job
script submitting on a busy shared home never waits on other writers' files.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import TracebackType

from efile_tui.api.models import Operation, SubmitItem, SubmitOutcome, Task
from efile_tui.config import state_dir
from efile_tui.store.fs import private_dir
from efile_tui.store.journal import files
from efile_tui.store.journal.entry import (
    FINAL_STATES,
    ORIGIN_IMPORTED,
    ORIGIN_SUBMITTED,
    OUTCOME_UNKNOWN,
    REJECTED,
    SUBMITTING,
    VANISHED,
    JournalEntry,
    iso_time,
)
from efile_tui.store.journal.folder import JournalFolder
from efile_tui.store.journal.migrate import LEGACY_FILE
from efile_tui.store.journal.schema import JournalError
from efile_tui.store.journal.writer import BLOCK, JournalWriter
from efile_tui.store.journal.writes import ORPHAN_AGE, ORPHAN_MESSAGE, JournalWrites, orphaned
from efile_tui.vanish import DEFAULT_VANISH, VanishRule

__all__ = [
    "BLOCK",
    "DEFAULT_VANISH",
    "FINAL_STATES",
    "JOURNAL_FILE",
    "LEGACY_FILE",
    "ORIGIN_IMPORTED",
    "ORIGIN_SUBMITTED",
    "ORPHAN_MESSAGE",
    "OUTCOME_UNKNOWN",
    "REJECTED",
    "SUBMITTING",
    "VANISHED",
    "Journal",
    "JournalEntry",
    "JournalError",
    "VanishRule",
    "iso_time",
]

JOURNAL_FILE = "journal"  # the folder in the state directory


class Journal:
    """The task journal on disk; safe to share between threads, processes and hosts."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        clock: Callable[[], float] = time.time,
        defer: bool = False,
        reap: bool = False,
    ):
        """Open the journal folder ``path`` (default: ``journal`` in the state directory).

        Refuses (StateFileError) a folder or file that is a link, owned by another user or
        writable by others; imports an old ``journal.sqlite3`` next to it once. With
        ``defer``, only those checks run now (no record is read): the files are read by
        :meth:`load`, or by the first method that needs them, in whatever thread calls it.
        A submit (:meth:`begin_submit`, :meth:`finish_submit`) never needs them. With
        ``reap``, dead processes' submits are reaped (:meth:`reap_orphaned_submits`) as
        soon as the files are first read.
        """
        self.path = path if path is not None else state_dir() / JOURNAL_FILE
        self._clock = clock
        self._lock = threading.RLock()
        if path is None or not self.path.parent.exists():
            private_dir(self.path.parent)
        private_dir(self.path)
        self._writer = JournalWriter(self.path, lambda: self._folder.highest_writer())
        self._folder = JournalFolder(self.path, lambda: self._writer.name)
        self._writes = JournalWrites(self._folder, self._writer, self._lock, clock)
        if reap:
            self._folder.after_first_read = self._writes.reap_orphaned_submits
        if defer:
            files.check_folder(self.path)
        else:
            self.load()

    @property
    def problems(self) -> list[str]:
        """What was wrong with the files read so far (each said once, in words)."""
        return self._folder.problems

    def load(self) -> None:
        """Read the journal's files now, if they were not read yet (safe from any thread)."""
        with self._lock:
            self._folder.load()

    def close(self) -> None:
        """Close the journal; it can no longer be used."""
        with self._lock:
            self._writer.close()
            self._writes.closed = True

    def __enter__(self) -> Journal:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def _state(self) -> files.JournalState:
        if self._writes.closed:
            raise JournalError("the task journal is closed")
        return self._folder.state

    # -- reads -----------------------------------------------------------------------------

    def refresh(self) -> list[JournalEntry]:
        """Entries changed by other writers (processes, hosts) since the last call."""
        with self._lock:
            self._folder.sync()
            changed, self._folder.others = self._folder.others, set[int]()
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

    def submits_in_flight(self, profile: str | None = None) -> list[JournalEntry]:
        """Items whose intent is recorded and whose answer may still come: "submitting",
        written by a process that may be alive (not what :meth:`reap_orphaned_submits`
        reaps), not dismissed."""
        now = self._clock()
        with self._lock:
            state = self._state
            return state.select(
                lambda row: (
                    row.state == SUBMITTING
                    and row.dismissed_at is None
                    and (profile is None or row.profile == profile)
                    and not orphaned(row, state.writers.get(row.local_id), now)
                )
            )

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

    # -- writes (see JournalWrites) --------------------------------------------------------

    def begin_submit(
        self,
        operation: Operation,
        items: Sequence[SubmitItem],
        *,
        profile: str | None,
        region: str | None,
        label: str | None = None,
    ) -> list[int]:
        """Record the intent to submit ``items`` (before sending); their local ids."""
        return self._writes.begin_submit(
            operation, items, profile=profile, region=region, label=label
        )

    def finish_submit(self, local_ids: Sequence[int], outcomes: Sequence[SubmitOutcome]) -> None:
        """Complete the entries of :meth:`begin_submit` with the service's answer."""
        self._writes.finish_submit(local_ids, outcomes)

    def add_ids(
        self,
        task_ids: Sequence[str],
        *,
        profile: str | None,
        region: str | None,
        label: str | None = None,
    ) -> list[str]:
        """Import task ids started elsewhere; the ids newly added."""
        return self._writes.add_ids(task_ids, profile=profile, region=region, label=label)

    def record_tasks(self, tasks: Iterable[Task]) -> list[str]:
        """Store what the service reported; the ids whose state changed."""
        return self._writes.record_tasks(tasks)

    def mark_missing(
        self, task_ids: Sequence[str], *, rule: VanishRule = DEFAULT_VANISH
    ) -> list[str]:
        """Note ids the service left out of an answer; the ids newly expired."""
        return self._writes.mark_missing(task_ids, rule=rule)

    def mark_cancel_requested(self, task_ids: Sequence[str]) -> None:
        """Remember that a cancel was sent for these ids."""
        self._writes.mark_cancel_requested(task_ids)

    def clear_cancel_requested(self, task_ids: Sequence[str]) -> None:
        """Forget the cancel request of these ids (refused or not done)."""
        self._writes.clear_cancel_requested(task_ids)

    def note_cancel_lost(self, task_ids: Sequence[str], message: str | None) -> None:
        """Remember (or, with None, forget) that a cancel's answer was lost."""
        self._writes.note_cancel_lost(task_ids, message)

    def reap_orphaned_submits(self, *, older_than: float = ORPHAN_AGE) -> list[int]:
        """Turn dead processes' "submitting" entries into "outcome unknown"; their ids."""
        return self._writes.reap_orphaned_submits(older_than=older_than)

    def dismiss(self, keys: Iterable[str | int]) -> list[int]:
        """Hide entries the operator has dealt with; the local ids newly dismissed."""
        return self._writes.dismiss(keys)

    def undismiss(self, keys: Iterable[str | int]) -> list[int]:
        """Show dismissed entries again; the local ids shown again."""
        return self._writes.undismiss(keys)

    def set_label(self, keys: Iterable[str | int], label: str | None) -> list[int]:
        """Give entries a label (None or "" clears it); the local ids changed."""
        return self._writes.set_label(keys, label)

    def link_resubmits(self, pairs: Iterable[tuple[int, int]]) -> None:
        """Record that entry ``old`` was submitted again as entry ``new``, for each pair."""
        self._writes.link_resubmits(pairs)
