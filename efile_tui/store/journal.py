"""The task journal: every task this machine submitted or imported, and its last known state.

The service forgets a task 24 h after it ends and never knows what an operator meant to do,
so the journal is the operator's memory. It is one SQLite file (``journal.sqlite3`` in the
state directory, 0600, directory 0700) in WAL mode.

Why it is shaped like this:

- **Intent first.** :meth:`Journal.begin_submit` commits one row per item *before* the request
  is sent; :meth:`Journal.finish_submit` completes the rows with the answer. A submit whose
  answer never arrived stays visible as "outcome unknown" with its paths.
- **Every write is one ``BEGIN IMMEDIATE`` transaction.** A writer killed mid-write leaves the
  file as it was before that transaction, and two processes writing at once queue on SQLite's
  write lock (``busy_timeout``) instead of failing or losing a record. ``IMMEDIATE`` takes the
  write lock up front, so a read-then-write inside one transaction never races another writer.
- **Rows are never deleted** by normal use: finished and expired tasks are only hidden, and
  so are entries the operator dismissed (:meth:`Journal.dismiss`).

The parts live in: :mod:`~efile_tui.store.journal_entry` (the entry value and its states),
:mod:`~efile_tui.store.journal_schema` (the file, schema version and migrations) and
:mod:`~efile_tui.store.journal_submit` (the rows of a submit). Import from this module: it
re-exports what callers need.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

from efile_tui.api.models import Operation, SubmitItem, SubmitOutcome, Task, TaskStatus
from efile_tui.locations import ensure_private_dir, state_dir
from efile_tui.store.journal_entry import (
    COLUMNS,
    FINAL_SQL,
    FINAL_STATES,
    ORIGIN_IMPORTED,
    ORIGIN_SUBMITTED,
    OUTCOME_UNKNOWN,
    REJECTED,
    SET_FROM_TASK,
    SUBMITTING,
    TASK_FINAL,
    JournalEntry,
    iso_time,
    task_values,
)
from efile_tui.store.journal_schema import (
    BUSY_TIMEOUT_MS,
    SCHEMA_VERSION,
    JournalError,
    open_database,
)
from efile_tui.store.journal_submit import finish_row, insert_intents, reap_orphans

__all__ = [
    "BUSY_TIMEOUT_MS",
    "FINAL_STATES",
    "JOURNAL_FILE",
    "ORIGIN_IMPORTED",
    "ORIGIN_SUBMITTED",
    "OUTCOME_UNKNOWN",
    "REJECTED",
    "SCHEMA_VERSION",
    "SUBMITTING",
    "Journal",
    "JournalEntry",
    "JournalError",
    "iso_time",
]

JOURNAL_FILE = "journal.sqlite3"
_CHUNK = 500  # ids per ``IN (...)``: far below SQLite's bound-variable limit
_NEWEST_FIRST = " ORDER BY submitted_at DESC, local_id DESC"


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _unique(ids: Iterable[str]) -> list[str]:
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


class Journal:
    """The task journal on disk; safe to share between threads and between processes."""

    def __init__(self, path: Path | None = None, *, clock: Callable[[], float] = time.time):
        """Open (creating if needed) the journal at ``path`` (default: the state directory)."""
        if path is None:
            path = ensure_private_dir(state_dir()) / JOURNAL_FILE
        elif not path.parent.exists():
            ensure_private_dir(path.parent)
        self.path = path
        self._clock = clock
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        try:
            self._conn = open_database(path, busy_timeout_ms=BUSY_TIMEOUT_MS)
        except (sqlite3.Error, OSError) as exc:
            raise JournalError(f"cannot open the task journal {path}: {exc}") from exc

    def close(self) -> None:
        """Close the database connection; the journal can no longer be used."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> Journal:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """The connection, under the lock; SQLite errors surface as JournalError."""
        with self._lock:
            if self._conn is None:
                raise JournalError("the task journal is closed")
            try:
                yield self._conn
            except sqlite3.Error as exc:
                raise JournalError(f"task journal {self.path}: {exc}") from exc

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of it is committed, or none of it."""
        with self._read() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    # -- writes ---------------------------------------------------------------------------

    def begin_submit(
        self,
        operation: Operation,
        items: Sequence[SubmitItem],
        *,
        profile: str | None,
        region: str | None,
    ) -> list[int]:
        """Record the intent to submit ``items``; call before sending the request.

        One row per item in state "submitting", committed before returning. Returns the
        local ids in input order, to hand to :meth:`finish_submit`.
        """
        if not items:
            return []
        now = self._clock()
        with self._write() as conn:
            return insert_intents(conn, operation, items, profile=profile, region=region, now=now)

    def finish_submit(self, local_ids: Sequence[int], outcomes: Sequence[SubmitOutcome]) -> None:
        """Complete the rows of :meth:`begin_submit` with the service's answer, by position.

        A task sets the task id and its state; ``unknown`` sets state "unknown" (the task may
        exist); an error sets state "rejected" with its code and message. A task id the
        journal already holds from an import replaces that imported row.
        """
        if len(local_ids) != len(outcomes):
            raise ValueError(f"{len(local_ids)} journal ids but {len(outcomes)} outcomes")
        now = self._clock()
        with self._write() as conn:
            for local_id, outcome in zip(local_ids, outcomes, strict=True):
                finish_row(conn, local_id, outcome, now)

    def add_ids(
        self, task_ids: Sequence[str], *, profile: str | None, region: str | None
    ) -> list[str]:
        """Import task ids started elsewhere, to track and cancel them like our own.

        Rows get origin "imported", operation UNKNOWN and an empty source until the service
        reports them. A known id that was dismissed is shown again. Returns the ids newly
        added (duplicates and known ids are skipped).
        """
        wanted = _unique(task_ids)
        if not wanted:
            return []
        now = self._clock()
        with self._write() as conn:
            known = self._existing(conn, wanted, "task_id, dismissed_at")
            new = [tid for tid in wanted if tid not in known]
            conn.executemany(
                "UPDATE tasks SET dismissed_at = NULL, updated_at = ? WHERE task_id = ?",
                [(now, tid) for tid, row in known.items() if row[1] is not None],
            )
            conn.executemany(
                "INSERT INTO tasks (task_id, operation, source_path, profile, region, origin,"
                " state, submitted_at, updated_at) VALUES (?, ?, '', ?, ?, ?, ?, ?, ?)",
                [
                    (
                        tid,
                        Operation.UNKNOWN.value,
                        profile,
                        region,
                        ORIGIN_IMPORTED,
                        TaskStatus.UNKNOWN.value,
                        now,
                        now,
                    )
                    for tid in new
                ],
            )
        return new

    def record_tasks(self, tasks: Iterable[Task]) -> list[str]:
        """Store what the service reported for tasks the journal knows (others are ignored).

        Fills operation and paths that are still unknown (imported ids), sets ``final_at``
        when a final state is first seen, clears "expired" for a task the service returns
        again. A final state never goes back to a running one (a stale answer). Returns the
        ids whose stored state (or expired flag) changed.
        """
        latest: dict[str, Task] = {}
        for task in tasks:
            if task.task_id:
                latest[task.task_id] = task
        if not latest:
            return []
        now = self._clock()
        changed: list[str] = []
        with self._write() as conn:
            current = self._existing(
                conn,
                list(latest),
                "task_id, state, final_at, expired, operation, source_path, target_path, conflict",
            )
            updates = []
            for task_id, task in latest.items():
                row = current.get(task_id)
                if row is None:
                    continue
                old_state, final_at, expired = row[1], row[2], bool(row[3])
                if old_state in TASK_FINAL and task.status.value not in TASK_FINAL:
                    continue
                updates.append(
                    (*task_values(task, now, final_at=final_at, current=row[4:]), task_id)
                )
                if task.status.value != old_state or expired:
                    changed.append(task_id)
            conn.executemany(
                f"UPDATE tasks SET {SET_FROM_TASK}, expired = 0 WHERE task_id = ?", updates
            )
        return changed

    def mark_missing(self, task_ids: Sequence[str], *, retention: float = 86400.0) -> list[str]:
        """Note ids the service did not return when asked about them.

        An entry whose last known state is final, or that was submitted more than
        ``retention`` seconds ago, becomes expired (keeping its last known state). Others are
        left alone: the backend may be lagging. Returns the ids newly marked expired.
        """
        wanted = _unique(task_ids)
        if not wanted:
            return []
        now = self._clock()
        with self._write() as conn:
            current = self._existing(conn, wanted, "task_id, state, submitted_at, expired")
            newly = [
                tid
                for tid in wanted
                if (row := current.get(tid)) is not None
                and not row[3]
                and (row[1] in FINAL_STATES or row[2] <= now - retention)
            ]
            conn.executemany(
                "UPDATE tasks SET expired = 1, updated_at = ? WHERE task_id = ?",
                [(now, tid) for tid in newly],
            )
        return newly

    def mark_cancel_requested(self, task_ids: Sequence[str]) -> None:
        """Remember that a cancel was sent for these ids (the first request's time is kept)."""
        wanted = _unique(task_ids)
        if not wanted:
            return
        now = self._clock()
        with self._write() as conn:
            conn.executemany(
                "UPDATE tasks SET cancel_requested_at = COALESCE(cancel_requested_at, ?),"
                " updated_at = ? WHERE task_id = ?",
                [(now, now, tid) for tid in wanted],
            )

    def reap_orphaned_submits(self, *, older_than: float = 600.0) -> list[int]:
        """Turn "submitting" rows whose process died into "outcome unknown"; return their ids.

        A row is orphaned when the process that wrote it ran on this host and is gone, or when
        it is older than ``older_than`` seconds (no submit takes that long). Call on start.
        """
        now = self._clock()
        with self._write() as conn:
            return reap_orphans(conn, now=now, older_than=older_than)

    def dismiss(self, keys: Iterable[str | int]) -> list[int]:
        """Hide entries the operator has dealt with, e.g. an "outcome unknown" item checked.

        ``keys`` are local ids (an int, or ``"local:<id>"``) or task ids. Only entries the
        service can tell nothing more about are dismissed (:attr:`JournalEntry.dismissable`:
        no task id, final, or expired on the server); a running task or a submit awaiting
        its answer is skipped, as are unknown keys. A dismissed entry is left out of
        :meth:`entries` (unless asked for), :meth:`unknown_outcomes` and :meth:`pollable_ids`;
        importing its task id again shows it again. Returns the local ids newly dismissed.
        """
        local_ids, task_ids = _split_keys(keys)
        if not local_ids and not task_ids:
            return []
        now = self._clock()
        with self._write() as conn:
            rows = {
                **self._existing(conn, local_ids, COLUMNS, key="local_id"),
                **self._existing(conn, task_ids, COLUMNS),
            }
            entries = (JournalEntry.from_row(row) for row in rows.values())
            chosen = sorted(e.local_id for e in entries if e.dismissable and not e.dismissed)
            conn.executemany(
                "UPDATE tasks SET dismissed_at = ?, updated_at = ? WHERE local_id = ?",
                [(now, now, local_id) for local_id in chosen],
            )
        return chosen

    @staticmethod
    def _existing(
        conn: sqlite3.Connection, keys: Sequence[Any], columns: str, *, key: str = "task_id"
    ) -> dict[Any, tuple[Any, ...]]:
        """Rows (``columns``) whose ``key`` column is among ``keys``, by their first column."""
        found: dict[Any, tuple[Any, ...]] = {}
        for chunk in _chunks(keys):
            marks = ",".join("?" * len(chunk))
            query = f"SELECT {columns} FROM tasks WHERE {key} IN ({marks})"
            for row in conn.execute(query, tuple(chunk)):
                found[row[0]] = tuple(row)
        return found

    # -- reads ----------------------------------------------------------------------------

    def _select(
        self, where: Sequence[str], params: Sequence[Any], columns: str = COLUMNS
    ) -> list[Any]:
        """Rows matching every condition in ``where``, newest first."""
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        with self._read() as conn:
            query = f"SELECT {columns} FROM tasks{clause}{_NEWEST_FIRST}"
            return conn.execute(query, tuple(params)).fetchall()

    def get(self, task_id: str) -> JournalEntry | None:
        """The entry for one task id (dismissed or not), or None."""
        return next(iter(self.get_many([task_id])), None)

    def get_local(self, local_id: int) -> JournalEntry | None:
        """The entry with this local id (rows without a task id have only this), or None."""
        return next(iter(self.get_many(local_ids=[local_id])), None)

    def get_many(
        self, task_ids: Iterable[str] = (), local_ids: Iterable[int] = ()
    ) -> list[JournalEntry]:
        """The entries for these task ids and local ids, in a few queries (not one per id)."""
        found = []
        for column, values in (("task_id", list(task_ids)), ("local_id", list(local_ids))):
            for start in range(0, len(values), _CHUNK):
                chunk = values[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                found += self._select([f"{column} IN ({marks})"], chunk)
        return [JournalEntry.from_row(row) for row in found]

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
        where = [] if include_dismissed else ["dismissed_at IS NULL"]
        params: list[Any] = []
        if profile is not None:
            where.append("profile = ?")
            params.append(profile)
        if hide_finished_older_than is not None:
            where.append(
                f"NOT ((state IN ({FINAL_SQL}) OR expired = 1)"
                " AND COALESCE(final_at, submitted_at) < ?)"
            )
            params.append(self._clock() - hide_finished_older_than)
        return [JournalEntry.from_row(row) for row in self._select(where, params)]

    def pollable_ids(self, profile: str | None = None) -> list[str]:
        """Task ids neither final, expired nor dismissed, newest first: what to poll."""
        where = ["task_id IS NOT NULL", "expired = 0", "dismissed_at IS NULL"]
        where.append(f"state NOT IN ({FINAL_SQL})")
        params: list[Any] = []
        if profile is not None:
            where.append("profile = ?")
            params.append(profile)
        return [row[0] for row in self._select(where, params, "task_id")]

    def unknown_outcomes(self, profile: str | None = None) -> list[JournalEntry]:
        """Items sent whose answer was lost (no task id), not yet dismissed: to be checked."""
        where = ["task_id IS NULL", "state = ?", "dismissed_at IS NULL"]
        params: list[Any] = [OUTCOME_UNKNOWN]
        if profile is not None:
            where.append("profile = ?")
            params.append(profile)
        return [JournalEntry.from_row(row) for row in self._select(where, params)]
