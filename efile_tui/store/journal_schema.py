"""The old task journal's SQLite file (``journal.sqlite3``): its schema and its versions.

The journal is now a folder of per-writer files (:mod:`efile_tui.store.journal`); this module
remains to read an old file once (:mod:`efile_tui.store.journal_migrate`) and to make such
files in tests.

``PRAGMA user_version`` holds the schema version. Opening a journal upgrades an older file in
place, one step at a time, inside one ``BEGIN IMMEDIATE`` transaction (SQLite DDL is
transactional): a process killed mid-upgrade leaves the file at its old version, and two
processes opening an old file at once upgrade it once. A file newer than this efile-tui is
refused rather than guessed at.

History:

1. the ``tasks`` table and its indexes;
2. ``dismissed_at``: the operator dismissed the entry (e.g. an "outcome unknown" item after
   checking it); it is hidden and never polled.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import time
from pathlib import Path

from efile_tui.api.errors import EfileError

SCHEMA_VERSION = 2
BUSY_TIMEOUT_MS = 10_000


class JournalError(EfileError):
    """The journal cannot be used (closed, an old file of a newer schema, …)."""

    title = "Task journal error"


_V1 = (
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

_V2 = ("ALTER TABLE tasks ADD COLUMN dismissed_at REAL",)

# MIGRATIONS[n] takes a file from version n - 1 to version n.
MIGRATIONS: dict[int, tuple[str, ...]] = {1: _V1, 2: _V2}
assert sorted(MIGRATIONS) == list(range(1, SCHEMA_VERSION + 1))


def open_database(path: Path, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> sqlite3.Connection:
    """Open (creating 0600 if needed) the journal at ``path`` in WAL mode, migrated.

    The connection is in autocommit mode: callers issue ``BEGIN IMMEDIATE``/``COMMIT``.
    Raises sqlite3.Error or OSError when the file cannot be used, JournalError when it is
    newer than this efile-tui.

    Setting up is retried while the file is busy, up to ``busy_timeout_ms``: SQLite answers
    "database is locked" at once, without waiting, when two processes switch a new file to
    WAL together, and while another one runs WAL recovery or clean-up on open and close.
    """
    # Create the file 0600 ourselves: SQLite gives -wal and -shm the database's mode.
    os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600))
    conn = sqlite3.connect(
        str(path),
        timeout=busy_timeout_ms / 1000,
        isolation_level=None,  # BEGIN IMMEDIATE / COMMIT are issued explicitly
        check_same_thread=False,
    )
    deadline = time.monotonic() + busy_timeout_ms / 1000
    pause = 0.005
    try:
        while True:
            try:
                _prepare(conn, busy_timeout_ms)
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() + pause > deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, 0.1)
    except BaseException:
        conn.close()
        raise
    for suffix in ("", "-wal", "-shm"):
        _make_private(Path(str(path) + suffix))
    return conn


def _prepare(conn: sqlite3.Connection, busy_timeout_ms: int) -> None:
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    migrate(conn)


def _make_private(path: Path) -> None:
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return
    if mode & 0o077:
        os.chmod(path, 0o600)


def schema_version(conn: sqlite3.Connection) -> int:
    """The file's schema version (0: empty file)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _refuse_newer(version: int) -> None:
    if version > SCHEMA_VERSION:
        raise JournalError(
            f"the task journal has schema version {version}; this efile-tui knows "
            f"{SCHEMA_VERSION}: upgrade efile-tui"
        )


def migrate(conn: sqlite3.Connection) -> None:
    """Bring the file to :data:`SCHEMA_VERSION` (all steps in one transaction)."""
    version = schema_version(conn)
    if version == SCHEMA_VERSION:
        return
    _refuse_newer(version)
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Another process may have migrated the file while we waited for the lock.
        version = schema_version(conn)
        _refuse_newer(version)
        for step in range(version + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[step]:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
