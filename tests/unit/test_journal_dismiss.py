"""Dismissing journal entries, the v1 -> v2 schema migration, and the module split."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from efile_tui.api.models import Operation, SubmitItem, SubmitOutcome, Task, TaskStatus
from efile_tui.store import journal as journal_module
from efile_tui.store import journal_entry, journal_schema
from efile_tui.store.journal import SCHEMA_VERSION, Journal, JournalError

T0 = 1_700_000_000.0

# The version 1 layout exactly as efile-tui 1 created it (frozen here on purpose: the
# migration must upgrade files that exist in the field, whatever the code says today).
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
V1_ROWS = [
    # task_id, source_path, state, final_at, expired
    ("t-run", "/home/u/running", "processing", None, 0),
    (None, "/home/u/lost", "unknown", None, 0),
    ("t-done", "/home/u/done", "complete", T0 + 5, 0),
]


class FakeClock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def journal(tmp_path: Path, clock: FakeClock) -> Iterator[Journal]:
    with Journal(tmp_path / "journal.sqlite3", clock=clock) as j:
        yield j


def make_v1_file(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        for statement in V1_SCHEMA:
            conn.execute(statement)
        conn.executemany(
            "INSERT INTO tasks (task_id, operation, source_path, profile, region, origin, state,"
            " submitted_at, updated_at, final_at, expired, error_msg)"
            " VALUES (?, 'delete', ?, 'p', 'r', 'submitted', ?, ?, ?, ?, ?, ?)",
            [
                (tid, src, state, T0, T0, final, expired, "timed out" if tid is None else None)
                for tid, src, state, final, expired in V1_ROWS
            ],
        )
        conn.execute("PRAGMA user_version = 1")
    finally:
        conn.close()


def columns(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [row[1] for row in conn.execute("PRAGMA table_info(tasks)")]
    finally:
        conn.close()


def version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def submit_mixed(journal: Journal) -> dict[str, int]:
    """One item of each kind; returns local ids by name."""
    names = ["running", "lost", "rejected", "done", "inflight"]
    batch = [SubmitItem(f"/home/u/{n}") for n in names]
    ids = journal.begin_submit(Operation.DELETE, batch, profile="p", region="r")
    journal.finish_submit(
        ids[:4],
        [
            SubmitOutcome(batch[0], task=Task("t-run", Operation.DELETE, TaskStatus.PROCESSING)),
            SubmitOutcome(batch[1], error="timed out", unknown=True),
            SubmitOutcome(batch[2], error="no such file", error_code="10011"),
            SubmitOutcome(batch[3], task=Task("t-done", Operation.DELETE, TaskStatus.COMPLETE)),
        ],
    )
    return dict(zip(names, ids, strict=True))


def test_v1_file_is_upgraded_in_place(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "journal.sqlite3"
    make_v1_file(path)
    assert "dismissed_at" not in columns(path)
    with Journal(path, clock=clock) as journal:
        assert version(path) == SCHEMA_VERSION == 2
        assert "dismissed_at" in columns(path)
        entries = journal.entries()
        assert sorted(e.source_path for e in entries) == sorted(r[1] for r in V1_ROWS)
        assert all(e.dismissed_at is None and not e.dismissed for e in entries)
        assert journal.pollable_ids() == ["t-run"]
        [lost] = journal.unknown_outcomes()
        assert lost.source_path == "/home/u/lost" and lost.error_msg == "timed out"
        # The upgraded file works like a new one.
        assert journal.dismiss([lost.local_id]) == [lost.local_id]
        assert journal.unknown_outcomes() == []
        new = journal.begin_submit(Operation.DELETE, [SubmitItem("/x")], profile="p", region="r")
        assert new[0] > max(e.local_id for e in entries)
    with Journal(path, clock=clock) as again:  # opening an up-to-date file changes nothing
        assert len(again.entries(include_dismissed=True)) == len(V1_ROWS) + 1
        assert again.get_local(lost.local_id).dismissed  # type: ignore[union-attr]


def test_failed_migration_leaves_the_v1_file_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "journal.sqlite3"
    make_v1_file(path)
    broken = (*journal_schema.MIGRATIONS[2], "THIS IS NOT SQL")
    monkeypatch.setitem(journal_schema.MIGRATIONS, 2, broken)
    with pytest.raises(JournalError, match="cannot open"):
        Journal(path)
    assert version(path) == 1 and "dismissed_at" not in columns(path)
    monkeypatch.undo()
    with Journal(path) as journal:
        assert len(journal.entries()) == len(V1_ROWS)


def test_processes_opening_a_v1_file_at_once_upgrade_it_once(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    make_v1_file(path)
    start = threading.Barrier(6)
    errors: list[BaseException] = []

    def open_it() -> None:
        try:
            start.wait(10)
            with Journal(path) as journal:  # each has its own SQLite connection
                assert len(journal.entries()) == len(V1_ROWS)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert version(path) == 2 and columns(path).count("dismissed_at") == 1


def test_empty_file_gets_every_step(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    Journal(path).close()
    assert version(path) == SCHEMA_VERSION and "dismissed_at" in columns(path)
    assert sorted(journal_schema.MIGRATIONS) == list(range(1, SCHEMA_VERSION + 1))


def test_dismiss_hides_only_what_the_service_cannot_tell_more_about(
    journal: Journal, clock: FakeClock
) -> None:
    ids = submit_mixed(journal)
    clock.now += 30
    # Running task and a submit still in flight are kept; unknown keys are ignored.
    assert journal.dismiss(["t-run", ids["inflight"], "no-such-task", "local:999", " "]) == []
    assert journal.dismiss([f"local:{ids['lost']}", ids["rejected"], "t-done"]) == sorted(
        [ids["lost"], ids["rejected"], ids["done"]]
    )
    assert journal.dismiss([ids["lost"]]) == []  # already dismissed

    shown = {e.local_id for e in journal.entries()}
    assert shown == {ids["running"], ids["inflight"]}
    everything = {e.local_id: e for e in journal.entries(include_dismissed=True)}
    assert len(everything) == 5
    lost = everything[ids["lost"]]
    assert lost.dismissed and lost.dismissed_at == clock.now and lost.outcome_unknown
    assert lost.to_json()["dismissedAt"] is not None
    assert everything[ids["running"]].to_json()["dismissedAt"] is None
    assert journal.unknown_outcomes() == []
    assert journal.pollable_ids() == ["t-run"]
    # get() and get_local() still find dismissed entries.
    assert journal.get("t-done") == everything[ids["done"]]
    assert journal.get_local(ids["lost"]) == lost


def test_dismissed_entries_are_never_polled_even_if_the_service_returns_them(
    journal: Journal, clock: FakeClock
) -> None:
    submit_mixed(journal)
    clock.now += 2 * 86400
    assert journal.mark_missing(["t-run"]) == ["t-run"]  # gone from the service
    [expired] = [e for e in journal.entries() if e.task_id == "t-run"]
    assert expired.expired and expired.dismissable
    assert journal.dismiss(["t-run"]) == [expired.local_id]
    # The service answers about it after all: the row is updated but stays dismissed.
    assert journal.record_tasks([Task("t-run", status=TaskStatus.PROCESSING)]) == ["t-run"]
    entry = journal.get("t-run")
    assert entry is not None and entry.state == "processing" and entry.dismissed
    assert journal.pollable_ids() == []
    assert "t-run" not in {e.task_id for e in journal.entries()}


def test_importing_a_dismissed_id_shows_it_again(journal: Journal) -> None:
    submit_mixed(journal)
    [done] = journal.dismiss(["t-done"])
    assert journal.add_ids(["t-done", "t-new"], profile="p", region="r") == ["t-new"]
    entry = journal.get_local(done)
    assert entry is not None and not entry.dismissed and entry.origin == "submitted"
    assert {"t-done", "t-new"} <= {e.task_id for e in journal.entries()}


def test_dismiss_in_bulk(journal: Journal) -> None:
    batch = [SubmitItem(f"/home/u/f{i}") for i in range(1200)]
    ids = journal.begin_submit(Operation.DELETE, batch, profile="p", region="r")
    journal.finish_submit(ids, [SubmitOutcome(i, error="lost", unknown=True) for i in batch])
    assert journal.dismiss(ids) == sorted(ids)
    assert journal.entries() == [] and journal.unknown_outcomes() == []


def test_old_imports_keep_working() -> None:
    """The split kept ``efile_tui.store.journal`` the one place to import from."""
    for name in (
        "Journal",
        "JournalEntry",
        "JournalError",
        "iso_time",
        "SCHEMA_VERSION",
        "JOURNAL_FILE",
        "BUSY_TIMEOUT_MS",
        "SUBMITTING",
        "OUTCOME_UNKNOWN",
        "REJECTED",
        "ORIGIN_SUBMITTED",
        "ORIGIN_IMPORTED",
        "FINAL_STATES",
    ):
        assert hasattr(journal_module, name), name
        assert name in journal_module.__all__, name
    assert journal_module.JournalEntry is journal_entry.JournalEntry
    assert journal_module.JournalError is journal_schema.JournalError
    assert sorted(journal_module.FINAL_STATES) == ["cancel", "complete", "fail", "rejected"]


def test_journal_modules_keep_the_house_size() -> None:
    store = Path(journal_module.__file__).parent
    sizes = {p.name: len(p.read_text().splitlines()) for p in store.glob("journal*.py")}
    assert len(sizes) >= 3
    assert all(n <= 450 for n in sizes.values()), sizes
