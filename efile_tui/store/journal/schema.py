"""The old task journal's SQLite file (``journal.sqlite3``): its schema and its versions.

The journal is now a folder of per-writer files (:mod:`efile_tui.store.journal`); this module
remains to read an old file once (:mod:`efile_tui.store.journal.migrate`) and to make such
files in tests.

``PRAGMA user_version`` holds the schema version; a file newer than this efile-tui knows is
left alone rather than guessed at. History:

1. the ``tasks`` table and its indexes;
2. ``dismissed_at``: the operator dismissed the entry (e.g. an "outcome unknown" item after
   checking it); it is hidden and never polled.
"""

from __future__ import annotations

import sqlite3

from efile_tui.api.errors import EfileError
from efile_tui.i18n import N_

SCHEMA_VERSION = 2


class JournalError(EfileError):
    """The journal cannot be used (closed, an old file of a newer schema, …)."""

    title = N_("Task journal error")


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


def schema_version(conn: sqlite3.Connection) -> int:
    """The file's schema version (0: empty file)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])
