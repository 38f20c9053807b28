"""Writing the task journal: each change the operator or the service makes, as events
appended to this process's own file (:mod:`~efile_tui.store.journal.writer`).

:class:`JournalWrites` is a collaborator of :class:`efile_tui.store.journal.Journal` (use
that). A submit's intent and answer are written without reading the journal (nothing it
records depends on other writers' records); the other changes read what others wrote
first, since they depend on an entry's current state.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from efile_tui.api.models import Operation, SubmitItem, SubmitOutcome, Task, TaskStatus
from efile_tui.store.eventlog import Writer
from efile_tui.store.journal.entry import (
    CANCEL_LOST,
    ORIGIN_IMPORTED,
    ORIGIN_SUBMITTED,
    OUTCOME_UNKNOWN,
    REJECTED,
    SUBMITTING,
    TASK_FINAL,
    JournalEntry,
)
from efile_tui.store.journal.fold import Event
from efile_tui.store.journal.folder import JournalFolder
from efile_tui.store.journal.schema import JournalError
from efile_tui.store.journal.writer import JournalWriter, task_event
from efile_tui.vanish import DEFAULT_VANISH, VanishRule

ORPHAN_MESSAGE = "efile-tui stopped before the service's answer was recorded"
ORPHAN_AGE = 600.0  # seconds: no submit takes that long


def orphaned(
    row: JournalEntry, writer: str | None, now: float, older_than: float = ORPHAN_AGE
) -> bool:
    """True for a "submitting" entry whose answer will never be recorded: the process that
    wrote it (``writer``) ran on this host and is gone, or it is older than ``older_than``."""
    if row.state != SUBMITTING:
        return False
    if row.submitted_at <= now - older_than:
        return True
    w = Writer.parse(writer)
    return w is not None and w.gone()


def unique(ids: Iterable[str]) -> list[str]:
    """Strip, drop empties and duplicates, keep the first order."""
    return list(dict.fromkeys(s for s in (str(i).strip() for i in ids) if s))


def _split_keys(keys: Iterable[str | int]) -> tuple[list[int], list[str]]:
    """Local ids (an int, or ``"local:<id>"`` as the task table keys them) and task ids."""
    local_ids: list[int] = []
    task_ids: list[str] = []
    for key in keys:
        text = str(key).strip()
        if isinstance(key, int):
            local_ids.append(key)
        elif text.startswith("local:") and text[6:].isdigit():
            local_ids.append(int(text[6:]))
        elif text:
            task_ids.append(text)
    return list(dict.fromkeys(local_ids)), list(dict.fromkeys(task_ids))


class JournalWrites:
    """The journal's write methods (see :class:`efile_tui.store.journal.Journal`)."""

    def __init__(
        self,
        folder: JournalFolder,
        writer: JournalWriter,
        lock: threading.RLock,
        clock: Callable[[], float],
    ) -> None:
        self._folder = folder
        self._writer = writer
        self._lock = lock
        self._clock = clock
        self.closed = False

    def _write(self, events: list[Event]) -> list[int]:
        """Append events to this process's file (fsync-ed), then apply them to what was
        read (must hold the lock)."""
        if not events:
            return []
        if self.closed:
            raise JournalError("the task journal is closed")
        self._writer.append(events)
        return self._folder.written(self._writer.name, self._writer.size, events)

    def _resolve(self, keys: Iterable[str | int]) -> list[JournalEntry]:
        local_ids, task_ids = _split_keys(keys)
        keys_found: list[int | str] = [*local_ids, *task_ids]
        rows = [self._folder.state.find(k) for k in keys_found]
        return list({row.local_id: row for row in rows if row is not None}.values())

    def begin_submit(
        self,
        operation: Operation,
        items: Sequence[SubmitItem],
        *,
        profile: str | None,
        region: str | None,
        label: str | None = None,
    ) -> list[int]:
        """Record the intent to submit ``items``; call before sending the request.

        One entry per item in state "submitting", on disk before returning. Returns the
        local ids in input order, to hand to :meth:`finish_submit`.
        """
        if not items:
            return []
        now, who = self._clock(), str(self._writer.writer)
        with self._lock:
            ids = self._writer.new_ids(len(items))
            self._write(
                [
                    [
                        "I",
                        now,
                        lid,
                        None,
                        operation.value,
                        item.source_path,
                        item.target_path,
                        item.duplicate_handle_type,
                        profile,
                        region,
                        ORIGIN_SUBMITTED,
                        SUBMITTING,
                        label,
                        who,
                    ]
                    for lid, item in zip(ids, items, strict=True)
                ]
            )
        return ids

    def finish_submit(self, local_ids: Sequence[int], outcomes: Sequence[SubmitOutcome]) -> None:
        """Complete the entries of :meth:`begin_submit` with the service's answer, by position.

        A task sets the task id and its state; ``unknown`` sets state "unknown" (the task may
        exist); an error sets state "rejected" with its code and message. A task id the
        journal already holds from an import is then shown with this entry.
        """
        if len(local_ids) != len(outcomes):
            raise ValueError(f"{len(local_ids)} journal ids but {len(outcomes)} outcomes")
        now = self._clock()
        with self._lock:
            events: list[Event] = []
            for lid, outcome in zip(local_ids, outcomes, strict=True):
                events.append(self._answer(lid, outcome, now))
            self._write(events)

    def _answer(self, lid: int, outcome: SubmitOutcome, now: float) -> Event:
        task = outcome.task
        if task is None:
            state = OUTCOME_UNKNOWN if outcome.unknown else REJECTED
            message = outcome.error or ("no answer from the service" if outcome.unknown else None)
            return ["O", now, lid, state, outcome.error_code, message, False]
        task_id = task.task_id or None  # one already held by a submit: see the fold
        state = task.status.value
        if task_id is None and state not in TASK_FINAL:
            state = OUTCOME_UNKNOWN  # a running task without an id can never be followed
        return task_event(now, lid, task, state, task_id)

    def add_ids(
        self,
        task_ids: Sequence[str],
        *,
        profile: str | None,
        region: str | None,
        label: str | None = None,
    ) -> list[str]:
        """Import task ids started elsewhere, to track and cancel them like our own.

        Entries get origin "imported", operation UNKNOWN and an empty source until the
        service reports them. A known id that was dismissed is shown again (and labelled,
        with ``label``). Returns the ids newly added (duplicates and known ids are skipped).
        """
        wanted = unique(task_ids)
        if not wanted:
            return []
        now = self._clock()
        with self._lock:
            self._folder.sync()
            events: list[Event] = []
            new = []
            for tid in wanted:
                row = self._folder.state.find(tid)
                if row is None:
                    new.append(tid)
                    continue
                if row.dismissed_at is not None:
                    events.append(["U", now, row.local_id])
                if label is not None:
                    events.append(["L", now, row.local_id, label])
            ids = self._writer.new_ids(len(new)) if new else []
            events += [
                ["I", now, lid, tid, Operation.UNKNOWN.value, "", None, None, profile, region,
                 ORIGIN_IMPORTED, TaskStatus.UNKNOWN.value, label, None]
                for lid, tid in zip(ids, new, strict=True)
            ]  # fmt: skip
            self._write(events)
        return new

    def record_tasks(self, tasks: Iterable[Task]) -> list[str]:
        """Store what the service reported for tasks the journal knows (others are ignored).

        Fills operation and paths that are still unknown (imported ids), sets ``final_at``
        when a final state is first seen, clears "expired" for a task the service returns
        again. A final state never goes back to a running one (a stale answer). Returns the
        ids whose stored state (or expired flag) changed.
        """
        latest: dict[str, Task] = {t.task_id: t for t in tasks if t.task_id}
        if not latest:
            return []
        now = self._clock()
        changed: list[str] = []
        events: list[Event] = []
        with self._lock:
            for task_id, task in latest.items():
                row = self._folder.state.find(task_id)
                state = task.status.value
                if row is None or (row.state in TASK_FINAL and state not in TASK_FINAL):
                    continue
                events.append(task_event(now, task_id, task, state, task_id))
                if state != row.state or row.expired:
                    changed.append(task_id)
            self._write(events)
        return changed

    def mark_missing(
        self, task_ids: Sequence[str], *, rule: VanishRule = DEFAULT_VANISH
    ) -> list[str]:
        """Note ids the service left out of an answer about them.

        A final entry becomes expired (the service forgets a task 24 h after it ends; the
        last known state is kept). Any other has the answer counted and becomes expired
        — :attr:`JournalEntry.vanished` — once ``rule`` says so: missing from
        ``rule.misses`` answers over at least ``rule.seconds``, or at once for an imported
        id the service has never reported. Returns the ids newly marked expired.
        """
        now = self._clock()
        events: list[Event] = []
        newly: list[str] = []
        with self._lock:
            for tid in unique(task_ids):
                row = self._folder.state.find(tid)
                if row is None or row.expired:
                    continue
                never_seen = row.origin == ORIGIN_IMPORTED and row.last_seen_at is None
                if not row.is_final and not never_seen:
                    events.append(["M", now, tid])
                    since = now if row.missed_since is None else row.missed_since
                    if row.misses + 1 < rule.misses or now - since < rule.seconds:
                        continue
                events.append(["X", now, tid])
                newly.append(tid)
            self._write(events)
        return newly

    def mark_cancel_requested(self, task_ids: Sequence[str]) -> None:
        """Remember that a cancel was sent for these ids (the first request's time is kept)."""
        self._record_for(task_ids, lambda row: row.cancel_requested_at is None, "C")

    def clear_cancel_requested(self, task_ids: Sequence[str]) -> None:
        """Forget the cancel request of these ids: the service refused or did not do it."""
        self._record_for(task_ids, lambda row: row.cancel_requested_at is not None, "N")

    def note_cancel_lost(self, task_ids: Sequence[str], message: str | None) -> None:
        """Remember that the cancel of these ids was sent but not answered (``message``
        says why), or (None) that an answer came after all; kept until a poll shows them."""
        self._record_for(
            task_ids,
            lambda row: message is not None or row.error_code == CANCEL_LOST,
            "K",
            message,
        )

    def _record_for(
        self, task_ids: Sequence[str], wanted: Callable[[JournalEntry], bool], kind: str, *rest: Any
    ) -> None:
        """Write ``[kind, now, task id, *rest]`` for each task id whose entry is ``wanted``."""
        now = self._clock()
        with self._lock:
            found = ((tid, self._folder.state.find(tid)) for tid in unique(task_ids))
            chosen = [tid for tid, row in found if row is not None and wanted(row)]
            self._write([[kind, now, tid, *rest] for tid in chosen])

    def reap_orphaned_submits(self, *, older_than: float = ORPHAN_AGE) -> list[int]:
        """Turn "submitting" entries whose process died into "outcome unknown"; their ids.

        An entry is orphaned when the process that wrote it ran on this host and is gone, or
        when it is older than ``older_than`` seconds (no submit takes that long). Call on
        start.
        """
        now = self._clock()
        with self._lock:
            self._folder.sync()
            writers = self._folder.state.writers
            orphans = sorted(
                lid
                for lid, row in self._folder.state.rows.items()
                if orphaned(row, writers.get(lid), now, older_than)
            )
            self._write(
                [["O", now, lid, OUTCOME_UNKNOWN, None, ORPHAN_MESSAGE, True] for lid in orphans]
            )
        return orphans

    def dismiss(self, keys: Iterable[str | int]) -> list[int]:
        """Hide entries the operator has dealt with, e.g. an "outcome unknown" item checked.

        ``keys`` are local ids (an int, or ``"local:<id>"``) or task ids. Only entries the
        service can tell nothing more about are dismissed (:attr:`JournalEntry.dismissable`:
        no task id, final, or expired on the server); a running task or a submit awaiting
        its answer is skipped, as are unknown keys. A dismissed entry is left out of
        :meth:`entries` (unless asked for), :meth:`unknown_outcomes` and :meth:`pollable_ids`;
        :meth:`undismiss` (or importing its task id again) shows it again. Returns the
        local ids newly dismissed.
        """
        now = self._clock()
        with self._lock:
            self._folder.sync()
            chosen = sorted(
                row.local_id
                for row in self._resolve(keys)
                if row.dismissed_at is None and row.dismissable
            )
            self._write([["D", now, lid] for lid in chosen])
        return chosen

    def undismiss(self, keys: Iterable[str | int]) -> list[int]:
        """Show dismissed entries again (undo :meth:`dismiss`); the local ids shown again."""
        now = self._clock()
        with self._lock:
            self._folder.sync()
            chosen = sorted(
                row.local_id for row in self._resolve(keys) if row.dismissed_at is not None
            )
            self._write([["U", now, lid] for lid in chosen])
        return chosen

    def set_label(self, keys: Iterable[str | int], label: str | None) -> list[int]:
        """Give entries a label (None or "" clears it); the local ids whose label changed."""
        now, label = self._clock(), (label or None)
        with self._lock:
            self._folder.sync()
            chosen = sorted(row.local_id for row in self._resolve(keys) if row.label != label)
            self._write([["L", now, lid, label] for lid in chosen])
        return chosen

    def link_resubmits(self, pairs: Iterable[tuple[int, int]]) -> None:
        """Record that entry ``old`` was submitted again as entry ``new``, for each pair."""
        now = self._clock()
        with self._lock:
            self._write([["R", now, old, new] for old, new in pairs])
