"""The task journal: intent before submit, outcomes, server updates, expiry, import, polling."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from efile_tui.api.models import Operation, SubmitItem, SubmitOutcome, Task, TaskStatus
from efile_tui.store.journal import Journal, JournalError, VanishRule

DAY = 86400.0


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def journal(tmp_path: Path, clock: FakeClock) -> Iterator[Journal]:
    with Journal(tmp_path / "state" / "journal", clock=clock) as j:
        yield j


def items(*paths: str) -> list[SubmitItem]:
    return [SubmitItem(p) for p in paths]


def submit(journal: Journal, tasks: dict[str, str], profile: str = "p") -> list[int]:
    """Submit deletes of the given paths; the service answers with tasks {path: task id}."""
    batch = items(*tasks)
    ids = journal.begin_submit(Operation.DELETE, batch, profile=profile, region="r1")
    outcomes = [
        SubmitOutcome(
            item, task=Task(tasks[item.source_path], Operation.DELETE, TaskStatus.WAITING)
        )
        for item in batch
    ]
    journal.finish_submit(ids, outcomes)
    return ids


def test_intent_is_committed_before_the_submit(tmp_path: Path) -> None:
    path = tmp_path / "journal"
    first = Journal(path)
    batch = [SubmitItem("/home/u/a"), SubmitItem("/home/u/b", "/home/u/dst", "cover")]
    ids = first.begin_submit(Operation.COPY, batch, profile="p", region="r1")
    assert len(ids) == 2 and ids[0] < ids[1]
    first.close()  # "crash": finish_submit never runs

    with Journal(path) as second:
        entries = sorted(second.entries(), key=lambda e: e.local_id)
        assert [e.local_id for e in entries] == ids
        assert [e.state for e in entries] == ["submitting", "submitting"]
        assert [e.source_path for e in entries] == ["/home/u/a", "/home/u/b"]
        assert entries[1].target_path == "/home/u/dst" and entries[1].conflict == "cover"
        assert all(e.task_id is None and e.origin == "submitted" for e in entries)
        assert entries[0].operation is Operation.COPY and entries[0].profile == "p"
        assert second.pollable_ids() == []
        # The writing process (this one) is alive, so nothing is reaped yet.
        assert second.reap_orphaned_submits() == []


def test_orphaned_submits_become_outcome_unknown(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "journal"
    code = (
        "import sys; from pathlib import Path\n"
        "from efile_tui.api.models import Operation, SubmitItem\n"
        "from efile_tui.store.journal import Journal\n"
        "Journal(Path(sys.argv[1])).begin_submit("
        "Operation.DELETE, [SubmitItem('/x')], profile='p', region='r')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    subprocess.run([sys.executable, "-c", code, str(path)], check=True, env=env, timeout=30)
    with Journal(path, clock=clock) as journal:
        own = journal.begin_submit(Operation.DELETE, items("/y"), profile="p", region="r")
        [dead] = journal.reap_orphaned_submits()
        [entry] = journal.get_many(local_ids=[dead])
        assert entry is not None and entry.source_path == "/x"
        assert entry.outcome_unknown and entry.to_json()["outcomeUnknown"] is True
        assert "stopped" in (entry.error_msg or "")
        assert [e.source_path for e in journal.unknown_outcomes()] == ["/x"]
        # Our own row is only reaped once it is old enough that no submit could still run.
        clock.now += 601
        assert journal.reap_orphaned_submits() == own


def test_finish_submit_with_task_unknown_and_error(journal: Journal, clock: FakeClock) -> None:
    batch = items("/a", "/b", "/c", "/d")
    ids = journal.begin_submit(Operation.DELETE, batch, profile="p", region="r1")
    clock.now += 2
    done = Task("t-done", Operation.DELETE, TaskStatus.COMPLETE, synchronous_execution=True)
    journal.finish_submit(
        ids,
        [
            SubmitOutcome(batch[0], task=Task("t-a", Operation.DELETE, TaskStatus.WAITING)),
            SubmitOutcome(batch[1], error="timed out", unknown=True),
            SubmitOutcome(batch[2], error="no such file", error_code="10011"),
            SubmitOutcome(batch[3], task=done),
        ],
    )
    a, b, c, d = journal.get_many(local_ids=ids)
    assert a is not None and a.task_id == "t-a" and a.state == "waiting" and not a.is_final
    assert a.final_at is None and a.updated_at == clock.now
    assert b is not None and b.task_id is None and b.state == "unknown" and b.outcome_unknown
    assert b.error_msg == "timed out" and not b.is_final
    assert c is not None and c.state == "rejected" and c.is_final and c.final_at == clock.now
    assert c.error_code == "10011" and c.error_msg == "no such file"
    assert c.to_task().status is TaskStatus.FAIL
    assert d is not None and d.state == "complete" and d.is_final and d.final_at == clock.now
    assert journal.get("t-a") == a
    assert journal.pollable_ids() == ["t-a"]
    assert [e.source_path for e in journal.unknown_outcomes()] == ["/b"]
    with pytest.raises(ValueError):
        journal.finish_submit(ids, [])


def test_record_tasks_transitions_and_final_at(journal: Journal, clock: FakeClock) -> None:
    submit(journal, {"/a": "t1", "/b": "t2"})
    clock.now += 5
    running = Task("t1", Operation.DELETE, TaskStatus.PROCESSING, total_num=10, processed_num=3)
    assert journal.record_tasks([running, Task("t2", status=TaskStatus.WAITING)]) == ["t1"]
    entry = journal.get("t1")
    assert entry is not None and entry.state == "processing" and entry.processed_num == 3
    assert entry.to_task().percent == 30.0 and entry.final_at is None

    clock.now += 5
    finished = Task(
        "t1",
        Operation.DELETE,
        TaskStatus.COMPLETE,
        total_num=10,
        processed_num=10,
        update_time="2024-01-01 00:00:10",
    )
    assert journal.record_tasks([finished, Task("unknown-id", status=TaskStatus.FAIL)]) == ["t1"]
    entry = journal.get("t1")
    assert entry is not None and entry.is_final and entry.final_at == clock.now
    assert entry.server_update_time == "2024-01-01 00:00:10"
    assert journal.get("unknown-id") is None  # the journal only follows its own tasks
    first_final = entry.final_at

    clock.now += 5
    # A stale answer never takes a final task back to running; final_at keeps its first value.
    assert journal.record_tasks([running]) == []
    assert journal.record_tasks([finished]) == []
    entry = journal.get("t1")
    assert entry is not None and entry.state == "complete" and entry.final_at == first_final
    assert journal.pollable_ids() == ["t2"]


def test_a_final_task_missing_from_an_answer_expires_at_once(
    journal: Journal, clock: FakeClock
) -> None:
    submit(journal, {"/a": "t-final", "/b": "t-run"})
    journal.record_tasks([Task("t-final", status=TaskStatus.COMPLETE)])
    clock.now += 60
    # Missing once: a lagging backend for a running task, the normal end of a final one.
    assert journal.mark_missing(["t-final", "t-run", "nope"]) == ["t-final"]
    expired = journal.get("t-final")
    assert expired is not None and expired.expired and expired.state == "complete"
    assert not expired.vanished and expired.to_json()["status"] == "complete"
    assert expired.to_json()["expiredOnServer"] is True
    running = journal.get("t-run")
    assert running is not None and not running.expired and running.misses == 1
    assert journal.pollable_ids() == ["t-run"]


@pytest.mark.parametrize(
    ("misses", "seconds", "vanishes_at"),
    [(3, 60.0, 3), (2, 0.0, 2), (1, 0.0, 1), (3, 200.0, 5)],  # answers 50 s apart
)
def test_a_running_task_vanishes_after_the_rules_misses_and_time(
    journal: Journal, clock: FakeClock, misses: int, seconds: float, vanishes_at: int
) -> None:
    submit(journal, {"/a": "t-run"})
    seen = clock.now
    rule = VanishRule(misses, seconds)
    for answer in range(1, 7):
        clock.now += 50
        newly = journal.mark_missing(["t-run"], rule=rule)
        entry = journal.get("t-run")
        assert entry is not None
        assert newly == (["t-run"] if answer == vanishes_at else []), answer
        assert entry.vanished == (answer >= vanishes_at), answer
    assert entry.state == "waiting" and entry.last_seen_at == seen  # the last reported state
    data = entry.to_json()
    assert data["status"] == "vanished" and data["lastState"] == "waiting"
    assert data["lastSeenAt"] is not None
    assert entry.dismissable and entry.ended and journal.pollable_ids() == []
    from efile_tui.core.query import TaskQuery

    for words, matched in ((["running"], []), (["vanished"], [entry]), (["expired"], [entry])):
        assert TaskQuery.from_options(statuses=words).select([entry]) == matched, words
    # The service returns it after all (the confirming look): it is back, counts restart.
    assert journal.record_tasks([Task("t-run", status=TaskStatus.PROCESSING)]) == ["t-run"]
    back = journal.get("t-run")
    assert back is not None and not back.vanished and back.misses == 0
    assert journal.pollable_ids() == ["t-run"]


def test_answers_that_return_the_task_reset_the_count(journal: Journal, clock: FakeClock) -> None:
    submit(journal, {"/a": "t-run"})
    rule = VanishRule(3, 0.0)
    for _ in range(5):  # missing twice, seen, missing twice...: never three in a row
        journal.mark_missing(["t-run"], rule=rule)
        journal.mark_missing(["t-run"], rule=rule)
        journal.record_tasks([Task("t-run", status=TaskStatus.PROCESSING)])
    entry = journal.get("t-run")
    assert entry is not None and not entry.vanished and entry.misses == 0


def test_an_imported_id_the_service_never_knew_vanishes_at_the_first_answer(
    journal: Journal, clock: FakeClock
) -> None:
    journal.add_ids(["a" * 32, "b" * 32], profile="p", region="r1")
    journal.record_tasks([Task("b" * 32, status=TaskStatus.PROCESSING)])
    assert journal.mark_missing(["a" * 32, "b" * 32]) == ["a" * 32]
    never = journal.get("a" * 32)
    seen = journal.get("b" * 32)
    assert never is not None and never.vanished and never.last_seen_at is None
    assert seen is not None and not seen.vanished  # seen once: the usual rule


def test_a_vanished_task_survives_a_snapshot_and_an_old_snapshot_row_loads(
    tmp_path: Path, clock: FakeClock
) -> None:
    from efile_tui.store.journal import compaction, files
    from efile_tui.store.journal.rows import row_to_json, rows_from_json

    folder = tmp_path / "state" / "journal"
    with Journal(folder, clock=clock) as journal:
        submit(journal, {"/a": "t-run", "/b": "t-ok"})
        journal.mark_missing(["t-run"], rule=VanishRule(1, 0.0))
    assert compaction.compact(folder, keep=set()) is not None
    assert files.list_folder(folder).snapshots
    with Journal(folder, clock=clock) as again:
        entry = again.get("t-run")
        assert entry is not None and entry.vanished and entry.last_seen_at is not None
    row = row_to_json(files.load(folder).state.rows[entry.local_id], None)
    old = [*row[:27], None]  # a row as written before misses were counted (28 values)
    ([loaded], _writers) = rows_from_json([old])
    assert loaded.last_seen_at == entry.updated_at and loaded.misses == 0
    assert loaded.missed_since is None and loaded.expired and loaded.vanished


def test_entries_hide_old_finished(journal: Journal, clock: FakeClock) -> None:
    submit(journal, {"/old": "t-old"})
    journal.record_tasks([Task("t-old", status=TaskStatus.FAIL)])
    clock.now += 10
    submit(journal, {"/running": "t-run"})
    clock.now += 10
    submit(journal, {"/recent": "t-recent"})
    journal.record_tasks([Task("t-recent", status=TaskStatus.COMPLETE)])
    clock.now += 3600

    assert [e.task_id for e in journal.entries()] == ["t-recent", "t-run", "t-old"]
    shown = journal.entries(hide_finished_older_than=2 * 3600)
    assert [e.task_id for e in shown] == ["t-recent", "t-run", "t-old"]
    clock.now += 3600
    shown = journal.entries(hide_finished_older_than=2 * 3600 + 10)
    assert [e.task_id for e in shown] == ["t-recent", "t-run"]
    shown = journal.entries(hide_finished_older_than=60)
    assert [e.task_id for e in shown] == ["t-run"]  # unfinished is always shown


def test_profiles_are_kept_apart(journal: Journal) -> None:
    submit(journal, {"/a": "t-a"}, profile="alpha")
    submit(journal, {"/b": "t-b"}, profile="beta")
    assert [e.task_id for e in journal.entries(profile="alpha")] == ["t-a"]
    assert journal.pollable_ids("beta") == ["t-b"]
    assert sorted(journal.pollable_ids()) == ["t-a", "t-b"]


def test_add_ids_dedupes_and_fills_from_server(journal: Journal) -> None:
    submit(journal, {"/a": "t-own"})
    added = journal.add_ids(["t-x", " t-y ", "t-x", "", "t-own"], profile="p", region="r1")
    assert added == ["t-x", "t-y"]
    assert journal.add_ids(["t-x", "t-y"], profile="p", region="r1") == []
    imported = journal.get("t-x")
    assert imported is not None and imported.origin == "imported" and imported.source_path == ""
    assert imported.operation is Operation.UNKNOWN and imported.state == "unknown"
    assert set(journal.pollable_ids()) == {"t-own", "t-x", "t-y"}

    server = Task("t-x", Operation.MOVE, TaskStatus.PROCESSING, "/src", "/dst", "both")
    journal.record_tasks([server])
    filled = journal.get("t-x")
    assert filled is not None and filled.operation is Operation.MOVE
    assert (filled.source_path, filled.target_path, filled.conflict) == ("/src", "/dst", "both")
    data = filled.to_json()
    assert data["taskId"] == "t-x" and data["operationType"] == "move"
    assert data["sourcePath"] == "/src" and data["origin"] == "imported"
    assert data["status"] == "processing" and data["outcomeUnknown"] is False


def test_mark_cancel_requested_keeps_first_time(journal: Journal, clock: FakeClock) -> None:
    submit(journal, {"/a": "t1"})
    journal.mark_cancel_requested(["t1"])
    first = clock.now
    clock.now += 10
    journal.mark_cancel_requested(["t1", "unknown"])
    entry = journal.get("t1")
    assert entry is not None and entry.cancel_requested_at == first
    assert entry.to_json()["cancelRequestedAt"] is not None


def test_to_task_and_to_json(journal: Journal, clock: FakeClock) -> None:
    item = SubmitItem("/a", "/b", "cover")
    [local] = journal.begin_submit(Operation.COPY, [item], profile="p", region="r1")
    task = Task(
        "t1",
        Operation.COPY,
        TaskStatus.PROCESSING,
        "/a",
        "/b",
        "cover",
        total_size=100,
        processed_size=40,
        submit_time="2024-01-01 00:00:00",
    )
    journal.finish_submit([local], [SubmitOutcome(item, task=task)])
    entry = journal.get("t1")
    assert entry is not None
    shown = entry.to_task()
    assert (shown.task_id, shown.status, shown.operation) == (
        "t1",
        TaskStatus.PROCESSING,
        Operation.COPY,
    )
    assert shown.percent == 40.0 and shown.submit_time == "2024-01-01 00:00:00"
    data = entry.to_json()
    assert data["journalId"] == local and data["duplicateHandleType"] == "cover"
    assert data["profile"] == "p" and data["region"] == "r1" and data["finalAt"] is None
    submitted = datetime.fromisoformat(data["submittedAt"])
    assert submitted.tzinfo is not None and submitted.timestamp() == clock.now


def test_permissions_and_one_file_per_writer(tmp_path: Path) -> None:
    state = tmp_path / "state"
    path = state / "journal"
    with Journal(path) as journal:
        submit(journal, {"/a": "t1"})
    with Journal(path) as second:
        second.add_ids(["t2"], profile=None, region=None)
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o700
    logs = sorted(p.name for p in path.iterdir())
    assert logs == ["0000001.log", "0000002.log"], logs
    for name in logs:
        assert stat.S_IMODE((path / name).stat().st_mode) == 0o600, name
    with Journal(path) as third:
        assert {e.task_id for e in third.entries()} == {"t1", "t2"}
    assert sorted(p.name for p in path.iterdir()) == logs  # a reader writes nothing


def test_default_path_is_the_state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    with Journal() as journal:
        assert journal.path == tmp_path / "xdg" / "efile-tui" / "journal"
    assert stat.S_IMODE(journal.path.parent.stat().st_mode) == 0o700


def test_garbage_lines_are_reported_and_the_rest_kept(tmp_path: Path) -> None:
    path = tmp_path / "journal"
    with Journal(path) as journal:
        submit(journal, {"/a": "t1", "/b": "t2"})
    log = path / "0000001.log"
    lines = log.read_bytes().split(b"\n")
    lines.insert(2, b"this is not an event \xff")
    log.write_bytes(b"\n".join(lines) + b'["T",1,"t1"')  # and a torn last record
    with Journal(path) as journal:
        assert {e.task_id for e in journal.entries()} == {"t1", "t2"}
        assert any("1 unreadable line(s) skipped" in p and str(log) in p for p in journal.problems)
    journal = Journal(tmp_path / "ok")
    journal.close()
    journal.close()
    with pytest.raises(JournalError, match="closed"):
        journal.entries()


def test_fast_at_ten_thousand_entries(journal: Journal) -> None:
    tasks = {f"/f{i}": f"t{i}" for i in range(10_000)}
    started = time.perf_counter()
    submit(journal, tasks)
    batch = [Task(f"t{i}", status=TaskStatus.PROCESSING, processed_num=1) for i in range(500)]
    t0 = time.perf_counter()
    assert len(journal.record_tasks(batch)) == 500
    record_time = time.perf_counter() - t0
    t0 = time.perf_counter()
    assert len(journal.entries(hide_finished_older_than=3600)) == 10_000
    assert len(journal.pollable_ids()) == 10_000
    read_time = time.perf_counter() - t0
    assert record_time < 0.5, record_time
    assert read_time < 1.0, read_time
    assert time.perf_counter() - started < 5.0


def test_a_held_compaction_lock_never_blocks_a_writer(tmp_path: Path) -> None:
    path = tmp_path / "journal"
    path.mkdir(mode=0o700)
    (path / "compact.lock").write_text("elsewhere:1:\n")
    os.chmod(path / "compact.lock", 0o600)
    with Journal(path) as journal:
        assert journal.add_ids(["t1"], profile=None, region=None) == ["t1"]
    with Journal(path) as journal:
        assert [e.task_id for e in journal.entries()] == ["t1"]


def test_get_many_finds_task_ids_and_local_ids_beyond_one_query(journal: Journal) -> None:
    tasks = {f"/home/u/f{n}": f"t{n:04d}" for n in range(1203)}  # over two IN chunks
    local_ids = submit(journal, tasks)
    unsent = journal.begin_submit(Operation.DELETE, items("/home/u/x"), profile="p", region="r")
    wanted = [f"t{n:04d}" for n in range(0, 1203, 2)] + ["no-such-task"]
    found = journal.get_many(wanted, [*unsent, 10**9])
    assert sorted(e.task_id for e in found if e.task_id) == sorted(wanted[:-1])
    assert [e.local_id for e in found if not e.task_id] == unsent
    assert len(local_ids) == 1203


def test_zero_bytes_in_a_live_writers_file_are_read_again_once_filled(tmp_path: Path) -> None:
    """On NFS a reader may see a write's later part before its first part (a run of zero
    bytes): nothing after it is taken, and it is read once the bytes arrive."""

    path = tmp_path / "journal"
    with Journal(path) as writer, Journal(path) as reader:
        submit(writer, {"/a": "t1"})
        assert [e.task_id for e in reader.refresh()] == ["t1"]
        (log,) = (path / name for name in os.listdir(path) if name.endswith(".log"))
        # this process is alive: the file's writer is live
        lines = [
            json.dumps(["I", 1.0, 9_000_001 + n, None, "delete", f"/late{n}", None, None,
                        "p", "r", "submitted", "submitting", None, None]).encode()
            for n in range(2)
        ]  # fmt: skip
        with log.open("ab") as handle:
            at = handle.tell()
            handle.write(b"\0" * len(lines[0]) + b"\n" + lines[1] + b"\n")
        assert reader.refresh() == [] and reader.problems == []  # nothing skipped
        fd = os.open(log, os.O_WRONLY)
        os.pwrite(fd, lines[0], at)  # the first part arrives
        os.close(fd)
        assert sorted(e.source_path for e in reader.refresh()) == ["/late0", "/late1"]


def _count_loads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record every full read of a journal folder (the reads still happen)."""
    from efile_tui.store.journal import files as journal_files

    calls: list[Path] = []
    real = journal_files.load

    def load(folder: Path) -> journal_files.Loaded:
        calls.append(folder)
        return real(folder)

    monkeypatch.setattr(journal_files, "load", load)
    return calls


@pytest.mark.parametrize("kind", ["link", "group-writable", "snapshot-link"])
def test_deferred_open_refuses_an_unsafe_file_without_reading_any(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    from efile_tui.store.fs import StateFileError

    path = tmp_path / "journal"
    with Journal(path) as journal:
        submit(journal, {"/a": "t1"})
    outside = tmp_path / "outside"
    outside.write_text("not yours\n")
    unsafe = path / ("snap-00000009.json" if kind == "snapshot-link" else "0000001.log")
    if kind == "group-writable":
        os.chmod(unsafe, 0o620)
    else:
        unsafe.unlink(missing_ok=True)
        unsafe.symlink_to(outside)
    reads = _count_loads(monkeypatch)
    with pytest.raises(StateFileError) as refused:
        Journal(path, defer=True)
    assert str(unsafe) in str(refused.value)
    assert reads == []


def test_deferred_journal_is_read_once_by_its_first_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "journal"
    with Journal(path) as journal:
        submit(journal, {"/a": "t1", "/b": "t2"})
    reads = _count_loads(monkeypatch)
    with Journal(path, defer=True) as journal:
        assert reads == []
        assert {e.task_id for e in journal.entries()} == {"t1", "t2"}
        journal.load()
        ids = submit(journal, {"/c": "t3"})
        assert reads == [path]
    with Journal(path) as journal:
        assert {e.task_id for e in journal.entries()} == {"t1", "t2", "t3"}
        assert [e.local_id for e in journal.entries() if e.task_id == "t3"] == ids


def test_an_answer_naming_a_task_another_submit_got_is_outcome_unknown(tmp_path: Path) -> None:
    """The service answering a submit with a task another submit already got (on this
    host or another) makes the second "outcome unknown", naming the first; decided where
    the records are folded, so a submit that read nothing and every reader agree."""
    path = tmp_path / "journal"
    with Journal(path) as one, Journal(path, defer=True) as other:
        (first,) = submit(one, {"/a": "t-same"})
        (second,) = submit(other, {"/b": "t-same"})  # has read nothing
        one.refresh()
        for reader in (one, Journal(path)):
            (shown,) = reader.get_many(local_ids=[second])
            assert shown.state == "unknown" and shown.task_id is None, shown
            assert shown.error_msg == (
                f"the service answered with task t-same, already journal entry {first}"
            )
            assert reader.get("t-same").source_path == "/a"  # type: ignore[union-attr]
