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
- **Rows are never deleted** by normal use: finished and expired tasks are only hidden.
- ``PRAGMA user_version`` holds the schema version for future migrations.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import stat
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import Any

from efile_tui.api.models import (
    FINAL_STATUSES,
    Operation,
    SubmitItem,
    SubmitOutcome,
    Task,
    TaskStatus,
)
from efile_tui.locations import ensure_private_dir, state_dir

SCHEMA_VERSION = 1
JOURNAL_FILE = "journal.sqlite3"
BUSY_TIMEOUT_MS = 10_000
_CHUNK = 500  # ids per ``IN (...)``: far below SQLite's bound-variable limit

SUBMITTING = "submitting"
OUTCOME_UNKNOWN = "unknown"
REJECTED = "rejected"
ORIGIN_SUBMITTED = "submitted"
ORIGIN_IMPORTED = "imported"

_TASK_FINAL = frozenset(s.value for s in FINAL_STATUSES)
FINAL_STATES = _TASK_FINAL | {REJECTED}
_FINAL_SQL = ",".join(f"'{s}'" for s in sorted(FINAL_STATES))

_COLUMNS = (
    "local_id, task_id, operation, source_path, target_path, conflict, profile, region, origin,"
    " state, submitted_at, updated_at, final_at, expired, cancel_requested_at, error_code,"
    " error_msg, total_num, processed_num, total_size, processed_size, progress,"
    " server_submit_time, server_update_time"
)

_SCHEMA = (
    """CREATE TABLE tasks (
        local_id INTEGER PRIMARY KEY AUTOINCREMENT,
        task_id TEXT,
        operation TEXT NOT NULL,
        source_path TEXT NOT NULL,
        target_path TEXT,
        conflict TEXT,
        profile TEXT,
        region TEXT,
        origin TEXT NOT NULL,
        state TEXT NOT NULL,
        submitted_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        final_at REAL,
        expired INTEGER NOT NULL DEFAULT 0,
        cancel_requested_at REAL,
        error_code TEXT,
        error_msg TEXT,
        total_num INTEGER NOT NULL DEFAULT 0,
        processed_num INTEGER NOT NULL DEFAULT 0,
        total_size INTEGER NOT NULL DEFAULT 0,
        processed_size INTEGER NOT NULL DEFAULT 0,
        progress TEXT,
        server_submit_time TEXT,
        server_update_time TEXT,
        submitter TEXT
    )""",
    "CREATE UNIQUE INDEX tasks_task_id ON tasks(task_id) WHERE task_id IS NOT NULL",
    "CREATE INDEX tasks_state ON tasks(state)",
    "CREATE INDEX tasks_submitted_at ON tasks(submitted_at)",
)

# The fields a server task sets on a row, in the order of _SET_FROM_TASK's placeholders.
_SET_FROM_TASK = (
    "state = ?, updated_at = ?, final_at = ?, operation = ?, source_path = ?, target_path = ?,"
    " conflict = ?, error_code = ?, error_msg = ?, total_num = ?, processed_num = ?,"
    " total_size = ?, processed_size = ?, progress = ?, server_submit_time = ?,"
    " server_update_time = ?"
)


class JournalError(Exception):
    """The journal cannot be opened or used (corrupt file, newer schema, closed)."""


def iso_time(ts: float | None) -> str | None:
    """Render epoch seconds as ISO 8601 in local time with its UTC offset."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, tz=timezone.utc).astimezone().isoformat(timespec="seconds")


@dataclass(frozen=True)
class JournalEntry:
    """One journal row: a task (or an item that never became one) and its last known state.

    ``state`` is ``"submitting"`` (intent written, no answer yet), ``"unknown"`` with no task id
    (the answer was lost), ``"rejected"`` (refused before a task existed) or a
    :class:`TaskStatus` value as last reported by the service.
    """

    local_id: int
    task_id: str | None
    operation: Operation
    source_path: str
    target_path: str | None
    conflict: str | None
    profile: str | None
    region: str | None
    origin: str
    state: str
    submitted_at: float
    updated_at: float
    final_at: float | None
    expired: bool
    cancel_requested_at: float | None
    error_code: str | None
    error_msg: str | None
    total_num: int
    processed_num: int
    total_size: int
    processed_size: int
    progress: str | None
    server_submit_time: str | None
    server_update_time: str | None

    @property
    def is_final(self) -> bool:
        """True for a final task status (complete, fail, cancel) and for rejected items."""
        return self.state in FINAL_STATES

    @property
    def outcome_unknown(self) -> bool:
        """True when the submit was sent but its answer was lost: the task may exist."""
        return self.task_id is None and self.state == OUTCOME_UNKNOWN

    def to_task(self) -> Task:
        """A :class:`Task` with the last known fields, for display.

        A rejected item shows as FAIL; "submitting" and "unknown" show as UNKNOWN.
        """
        status = TaskStatus.FAIL if self.state == REJECTED else TaskStatus.parse(self.state)
        return Task(
            task_id=self.task_id or "",
            operation=self.operation,
            status=status,
            source_path=self.source_path or None,
            target_path=self.target_path,
            duplicate_handle_type=self.conflict,
            error_code=self.error_code,
            error_msg=self.error_msg,
            total_size=self.total_size,
            total_num=self.total_num,
            processed_size=self.processed_size,
            processed_num=self.processed_num,
            progress=self.progress,
            submit_time=self.server_submit_time,
            update_time=self.server_update_time,
        )

    def to_json(self) -> dict[str, Any]:
        """Render with the API's field names where they exist, plus the journal's own."""
        return {
            "journalId": self.local_id,
            "taskId": self.task_id,
            "operationType": self.operation.value,
            "sourcePath": self.source_path,
            "targetPath": self.target_path,
            "duplicateHandleType": self.conflict,
            "status": self.state,
            "errorCode": self.error_code,
            "errorMsg": self.error_msg,
            "totalSize": self.total_size,
            "totalNum": self.total_num,
            "processedSize": self.processed_size,
            "processedNum": self.processed_num,
            "progress": self.progress,
            "submitTime": self.server_submit_time,
            "updateTime": self.server_update_time,
            "origin": self.origin,
            "profile": self.profile,
            "region": self.region,
            "submittedAt": iso_time(self.submitted_at),
            "updatedAt": iso_time(self.updated_at),
            "finalAt": iso_time(self.final_at),
            "cancelRequestedAt": iso_time(self.cancel_requested_at),
            "expiredOnServer": self.expired,
            "outcomeUnknown": self.outcome_unknown,
        }

    @classmethod
    def _from_row(cls, row: Sequence[Any]) -> JournalEntry:
        """Build from a row selected with ``_COLUMNS`` (same order as the fields)."""
        return cls(
            local_id=row[0],
            task_id=row[1],
            operation=Operation.parse(row[2]),
            source_path=row[3],
            target_path=row[4],
            conflict=row[5],
            profile=row[6],
            region=row[7],
            origin=row[8],
            state=row[9],
            submitted_at=row[10],
            updated_at=row[11],
            final_at=row[12],
            expired=bool(row[13]),
            cancel_requested_at=row[14],
            error_code=row[15],
            error_msg=row[16],
            total_num=row[17],
            processed_num=row[18],
            total_size=row[19],
            processed_size=row[20],
            progress=row[21],
            server_submit_time=row[22],
            server_update_time=row[23],
        )


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _unique(ids: Iterable[str]) -> list[str]:
    """Strip, drop empties and duplicates, keep the first order."""
    return list(dict.fromkeys(s for s in (str(i).strip() for i in ids) if s))


def _submitter() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _submitter_gone(submitter: str | None) -> bool:
    """True only when the submitting process was on this host and no longer exists."""
    host, _, pid_text = (submitter or "").rpartition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # EPERM: it exists but belongs to someone else
        return False
    return False


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
            self._conn = self._open()
        except sqlite3.DatabaseError as exc:
            raise JournalError(f"cannot open the task journal {path}: {exc}") from exc

    def _open(self) -> sqlite3.Connection:
        # Create the file 0600 ourselves: SQLite gives -wal and -shm the database's mode.
        os.close(os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600))
        conn = sqlite3.connect(
            str(self.path),
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,  # we issue BEGIN IMMEDIATE / COMMIT ourselves
            check_same_thread=False,
        )
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            self._migrate(conn)
        except BaseException:
            conn.close()
            raise
        for suffix in ("", "-wal", "-shm"):
            self._make_private(Path(str(self.path) + suffix))
        return conn

    @staticmethod
    def _make_private(path: Path) -> None:
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            return
        if mode & 0o077:
            os.chmod(path, 0o600)

    @staticmethod
    def _migrate(conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            raise JournalError(
                f"the task journal has schema version {version}; this efile-tui knows "
                f"{SCHEMA_VERSION}: upgrade efile-tui"
            )
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have created the schema while we waited for the lock.
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                for statement in _SCHEMA:
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

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
        with self._lock:
            if self._conn is None:
                raise JournalError("the task journal is closed")
            yield self._conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of it is committed, or none of it."""
        with self._read() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

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
        who = _submitter()
        ids: list[int] = []
        with self._write() as conn:
            for item in items:
                cur = conn.execute(
                    "INSERT INTO tasks (operation, source_path, target_path, conflict, profile,"
                    " region, origin, state, submitted_at, updated_at, submitter)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        operation.value,
                        item.source_path,
                        item.target_path,
                        item.duplicate_handle_type,
                        profile,
                        region,
                        ORIGIN_SUBMITTED,
                        SUBMITTING,
                        now,
                        now,
                        who,
                    ),
                )
                assert cur.lastrowid is not None
                ids.append(cur.lastrowid)
        return ids

    def finish_submit(self, local_ids: Sequence[int], outcomes: Sequence[SubmitOutcome]) -> None:
        """Complete the rows of :meth:`begin_submit` with the service's answer, by position.

        A task sets the task id and its state; ``unknown`` sets state "unknown" (the task may
        exist); an error sets state "rejected" with its code and message.
        """
        if len(local_ids) != len(outcomes):
            raise ValueError(f"{len(local_ids)} journal ids but {len(outcomes)} outcomes")
        now = self._clock()
        with self._write() as conn:
            for local_id, outcome in zip(local_ids, outcomes, strict=True):
                self._finish_one(conn, local_id, outcome, now)

    def _finish_one(
        self, conn: sqlite3.Connection, local_id: int, outcome: SubmitOutcome, now: float
    ) -> None:
        task = outcome.task
        if task is None:
            state = OUTCOME_UNKNOWN if outcome.unknown else REJECTED
            message = outcome.error or ("no answer from the service" if outcome.unknown else None)
            conn.execute(
                "UPDATE tasks SET state = ?, updated_at = ?, final_at = ?, error_code = ?,"
                " error_msg = ?, submitter = NULL WHERE local_id = ?",
                (
                    state,
                    now,
                    now if state == REJECTED else None,
                    outcome.error_code,
                    message,
                    local_id,
                ),
            )
            return
        task_id: str | None = task.task_id or None
        if task_id is not None:
            other = conn.execute(
                "SELECT local_id, origin FROM tasks WHERE task_id = ? AND local_id != ?",
                (task_id, local_id),
            ).fetchone()
            if other is not None and other[1] == ORIGIN_IMPORTED:
                # The same task was imported by hand meanwhile: this row knows more.
                conn.execute("DELETE FROM tasks WHERE local_id = ?", (other[0],))
            elif other is not None:
                conn.execute(
                    "UPDATE tasks SET state = ?, updated_at = ?, error_msg = ?,"
                    " submitter = NULL WHERE local_id = ?",
                    (
                        OUTCOME_UNKNOWN,
                        now,
                        f"the service answered with task {task_id}, already journal entry "
                        f"{other[0]}",
                        local_id,
                    ),
                )
                return
        row = conn.execute(
            "SELECT operation, source_path, target_path, conflict FROM tasks WHERE local_id = ?",
            (local_id,),
        ).fetchone()
        if row is None:
            return
        values = _task_values(task, now, final_at=None, current=row)
        if task_id is None and values[0] not in _TASK_FINAL:
            # A running task without an id can never be followed: say so.
            values = (OUTCOME_UNKNOWN, *values[1:])
        conn.execute(
            f"UPDATE tasks SET {_SET_FROM_TASK}, task_id = ?, submitter = NULL WHERE local_id = ?",
            (*values, task_id, local_id),
        )

    def add_ids(
        self, task_ids: Sequence[str], *, profile: str | None, region: str | None
    ) -> list[str]:
        """Import task ids started elsewhere, to track and cancel them like our own.

        Rows get origin "imported", operation UNKNOWN and an empty source until the service
        reports them. Returns the ids newly added (duplicates and known ids are skipped).
        """
        wanted = _unique(task_ids)
        if not wanted:
            return []
        now = self._clock()
        with self._write() as conn:
            known = self._existing(conn, wanted, "task_id")
            new = [tid for tid in wanted if tid not in known]
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
                if old_state in _TASK_FINAL and task.status.value not in _TASK_FINAL:
                    continue
                updates.append(
                    (*_task_values(task, now, final_at=final_at, current=row[4:]), task_id)
                )
                if task.status.value != old_state or expired:
                    changed.append(task_id)
            conn.executemany(
                f"UPDATE tasks SET {_SET_FROM_TASK}, expired = 0 WHERE task_id = ?", updates
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
            rows = conn.execute(
                "SELECT local_id, submitted_at, submitter FROM tasks WHERE state = ?",
                (SUBMITTING,),
            ).fetchall()
            orphans = [
                row[0] for row in rows if row[1] <= now - older_than or _submitter_gone(row[2])
            ]
            conn.executemany(
                "UPDATE tasks SET state = ?, updated_at = ?, error_msg = ?, submitter = NULL"
                " WHERE local_id = ? AND state = ?",
                [
                    (
                        OUTCOME_UNKNOWN,
                        now,
                        "efile-tui stopped before the service's answer was recorded",
                        local_id,
                        SUBMITTING,
                    )
                    for local_id in orphans
                ],
            )
        return orphans

    @staticmethod
    def _existing(
        conn: sqlite3.Connection, task_ids: Sequence[str], columns: str
    ) -> dict[str, tuple[Any, ...]]:
        """Rows (``columns``, the first being task_id) for the known ids among ``task_ids``."""
        found: dict[str, tuple[Any, ...]] = {}
        for chunk in _chunks(task_ids):
            marks = ",".join("?" * len(chunk))
            query = f"SELECT {columns} FROM tasks WHERE task_id IN ({marks})"
            for row in conn.execute(query, tuple(chunk)):
                found[row[0]] = tuple(row)
        return found

    # -- reads ----------------------------------------------------------------------------

    def get(self, task_id: str) -> JournalEntry | None:
        """The entry for one task id, or None."""
        with self._read() as conn:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM tasks WHERE task_id = ?", (task_id,)
            ).fetchone()
        return None if row is None else JournalEntry._from_row(row)

    def get_local(self, local_id: int) -> JournalEntry | None:
        """The entry with this local id (rows without a task id have only this), or None."""
        with self._read() as conn:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM tasks WHERE local_id = ?", (local_id,)
            ).fetchone()
        return None if row is None else JournalEntry._from_row(row)

    def entries(
        self, *, profile: str | None = None, hide_finished_older_than: float | None = None
    ) -> list[JournalEntry]:
        """All entries, newest first, optionally of one profile.

        With ``hide_finished_older_than``, finished entries (final, or expired on the server)
        that ended (or, without an end time, were submitted) more than that many seconds ago
        are left out.
        """
        where: list[str] = []
        params: list[Any] = []
        if profile is not None:
            where.append("profile = ?")
            params.append(profile)
        if hide_finished_older_than is not None:
            where.append(
                f"NOT ((state IN ({_FINAL_SQL}) OR expired = 1)"
                " AND COALESCE(final_at, submitted_at) < ?)"
            )
            params.append(self._clock() - hide_finished_older_than)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        with self._read() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM tasks{clause} ORDER BY submitted_at DESC, local_id DESC",
                params,
            ).fetchall()
        return [JournalEntry._from_row(row) for row in rows]

    def pollable_ids(self, profile: str | None = None) -> list[str]:
        """Task ids neither final nor expired: what a poller should ask about (newest first)."""
        query = (
            "SELECT task_id FROM tasks WHERE task_id IS NOT NULL AND expired = 0"
            f" AND state NOT IN ({_FINAL_SQL})"
        )
        params: tuple[Any, ...] = ()
        if profile is not None:
            query += " AND profile = ?"
            params = (profile,)
        with self._read() as conn:
            rows = conn.execute(
                query + " ORDER BY submitted_at DESC, local_id DESC", params
            ).fetchall()
        return [row[0] for row in rows]

    def unknown_outcomes(self, profile: str | None = None) -> list[JournalEntry]:
        """Items sent whose answer was lost (no task id): the operator should check them."""
        query = f"SELECT {_COLUMNS} FROM tasks WHERE task_id IS NULL AND state = ?"
        params: list[Any] = [OUTCOME_UNKNOWN]
        if profile is not None:
            query += " AND profile = ?"
            params.append(profile)
        with self._read() as conn:
            rows = conn.execute(
                query + " ORDER BY submitted_at DESC, local_id DESC", params
            ).fetchall()
        return [JournalEntry._from_row(row) for row in rows]


def _task_values(
    task: Task, now: float, *, final_at: float | None, current: Sequence[Any]
) -> tuple[Any, ...]:
    """Values for ``_SET_FROM_TASK``; ``current`` is (operation, source, target, conflict).

    What the journal already knows about operation and paths wins; the server fills gaps.
    """
    operation, source, target, conflict = current
    state = task.status.value
    if final_at is None and state in _TASK_FINAL:
        final_at = now
    if operation == Operation.UNKNOWN.value:
        operation = task.operation.value
    return (
        state,
        now,
        final_at,
        operation,
        source or task.source_path or "",
        target if target is not None else task.target_path,
        conflict if conflict is not None else task.duplicate_handle_type,
        task.error_code,
        task.error_msg,
        task.total_num,
        task.processed_num,
        task.total_size,
        task.processed_size,
        task.progress,
        task.submit_time,
        task.update_time,
    )
