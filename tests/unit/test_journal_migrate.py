"""An old SQLite journal (schema 1 or 2) is imported once, without loss, and kept as a backup."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from efile_tui.api.models import Operation, SubmitItem
from efile_tui.store.journal import BLOCK, Journal
from efile_tui.store.journal import schema as journal_schema

T0 = 1_700_000_000.0

# The version 1 layout exactly as efile-tui 1 created it (frozen here on purpose: the import
# must read files that exist in the field, whatever the code says today).
V1_SCHEMA = (
    """CREATE TABLE tasks (
        local_id INTEGER PRIMARY KEY AUTOINCREMENT, task_id TEXT, operation TEXT NOT NULL,
        source_path TEXT NOT NULL, target_path TEXT, conflict TEXT, profile TEXT, region TEXT,
        origin TEXT NOT NULL, state TEXT NOT NULL, submitted_at REAL NOT NULL,
        updated_at REAL NOT NULL, final_at REAL, expired INTEGER NOT NULL DEFAULT 0,
        cancel_requested_at REAL, error_code TEXT, error_msg TEXT,
        total_num INTEGER NOT NULL DEFAULT 0, processed_num INTEGER NOT NULL DEFAULT 0,
        total_size INTEGER NOT NULL DEFAULT 0, processed_size INTEGER NOT NULL DEFAULT 0,
        progress TEXT, server_submit_time TEXT, server_update_time TEXT, submitter TEXT)""",
    "CREATE UNIQUE INDEX tasks_task_id ON tasks(task_id) WHERE task_id IS NOT NULL",
    "CREATE INDEX tasks_state ON tasks(state)",
    "CREATE INDEX tasks_submitted_at ON tasks(submitted_at)",
)
ROWS = [
    # task_id, source_path, target_path, state, final_at, expired, cancel_requested_at
    ("t-run", "/home/u/running", None, "processing", None, 0, T0 + 3),
    (None, "/home/u/lost", None, "unknown", None, 0, None),
    ("t-done", "/home/u/done", "/home/u/dst", "complete", T0 + 5, 0, None),
    ("t-old", "/home/u/old", None, "complete", T0 + 6, 1, None),
]


def make_file(path: Path, version: int, *, dismissed: bool = False) -> None:
    """An old journal of ``version`` (1 or 2) holding ROWS, in WAL mode as it was kept."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        for statement in V1_SCHEMA:
            conn.execute(statement)
        if version >= 2:
            for statement in journal_schema.MIGRATIONS[2]:
                conn.execute(statement)
        conn.executemany(
            "INSERT INTO tasks (local_id, task_id, operation, source_path, target_path, profile,"
            " region, origin, state, submitted_at, updated_at, final_at, expired,"
            " cancel_requested_at, error_msg, processed_num)"
            " VALUES (?, ?, 'copy', ?, ?, 'p', 'r', 'submitted', ?, ?, ?, ?, ?, ?, ?, 7)",
            [
                (
                    n * 3 + 1,
                    tid,
                    src,
                    tgt,
                    state,
                    T0 + n,
                    T0 + n,
                    final,
                    expired,
                    cancel,
                    "timed out" if tid is None else None,
                )
                for n, (tid, src, tgt, state, final, expired, cancel) in enumerate(ROWS)
            ],
        )
        if version >= 2 and dismissed:
            conn.execute("UPDATE tasks SET dismissed_at = ? WHERE task_id = 't-old'", (T0 + 9,))
        conn.execute(f"PRAGMA user_version = {version}")
    finally:
        conn.close()


@pytest.mark.parametrize("version", [1, 2])
def test_old_file_is_imported_once_and_kept(tmp_path: Path, version: int) -> None:
    legacy = tmp_path / "journal.sqlite3"
    make_file(legacy, version, dismissed=True)
    folder = tmp_path / "journal"
    with Journal(folder) as journal:
        assert any("imported 4 entries" in p for p in journal.problems), journal.problems
        every = {e.source_path: e for e in journal.entries(include_dismissed=True)}
        assert sorted(every) == sorted(r[1] for r in ROWS)
        # Everything the old rows said came across, local ids included.
        assert [every[r[1]].local_id for r in ROWS] == [1, 4, 7, 10]
        run = every["/home/u/running"]
        assert run.task_id == "t-run" and run.state == "processing" and run.processed_num == 7
        assert run.cancel_requested_at == T0 + 3 and run.operation is Operation.COPY
        assert every["/home/u/done"].target_path == "/home/u/dst"
        assert every["/home/u/done"].final_at == T0 + 5
        assert every["/home/u/old"].expired
        assert every["/home/u/old"].dismissed is (version == 2)
        assert journal.pollable_ids() == ["t-run"]
        [lost] = journal.unknown_outcomes()
        assert lost.source_path == "/home/u/lost" and lost.error_msg == "timed out"
        # The imported journal works like a new one; new ids never collide with old ones.
        assert journal.dismiss([lost.local_id]) == [lost.local_id]
        new = journal.begin_submit(Operation.DELETE, [SubmitItem("/x")], profile="p", region="r")
        assert new[0] > BLOCK
    assert not legacy.exists()
    backup = tmp_path / "journal.sqlite3.migrated"
    conn = sqlite3.connect(backup)
    try:  # the backup is the old file, untouched
        assert conn.execute("SELECT count(*) FROM tasks").fetchone()[0] == len(ROWS)
        assert conn.execute("PRAGMA user_version").fetchone()[0] == version
    finally:
        conn.close()
    with Journal(folder) as again:  # opened again: nothing imported twice
        assert again.problems == []
        assert len(again.entries(include_dismissed=True)) == len(ROWS) + 1
        assert again.get_many(local_ids=[4])[0].dismissed


def test_processes_opening_an_old_file_at_once_import_it_once(tmp_path: Path) -> None:
    make_file(tmp_path / "journal.sqlite3", 2)
    start = threading.Barrier(6)
    errors: list[BaseException] = []

    def open_it() -> None:
        try:
            start.wait(10)
            with Journal(tmp_path / "journal") as journal:
                assert len(journal.entries()) == len(ROWS)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    with Journal(tmp_path / "journal") as journal:
        assert len(journal.entries(include_dismissed=True)) == len(ROWS)


def test_an_unreadable_old_file_is_set_aside_with_a_message(tmp_path: Path) -> None:
    legacy = tmp_path / "journal.sqlite3"
    legacy.write_bytes(b"this is not a database" * 100)
    with Journal(tmp_path / "journal") as journal:
        [problem] = journal.problems
        assert str(legacy) in problem and "set aside" in problem
        assert journal.entries() == []
    [aside] = tmp_path.glob("journal.sqlite3.unreadable-*")
    assert aside.read_bytes() == b"this is not a database" * 100  # kept, byte for byte


def test_a_newer_old_file_is_left_alone(tmp_path: Path) -> None:
    legacy = tmp_path / "journal.sqlite3"
    make_file(legacy, 2)
    conn = sqlite3.connect(legacy)
    conn.execute("PRAGMA user_version = 9")
    conn.close()
    with Journal(tmp_path / "journal") as journal:
        assert any("schema version 9" in p and "upgrade" in p for p in journal.problems)
    assert legacy.exists()
