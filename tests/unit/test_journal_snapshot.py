"""Journal snapshots read and written a slice at a time, and what a loaded journal keeps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from efile_tui.api.models import Operation, SubmitItem, SubmitOutcome, Task, TaskStatus
from efile_tui.store.journal import Journal, compaction, files, snapshot

# Paths a slice cut at "],[" could fall inside: the separator itself, quotes and
# backslashes around it, text that is several bytes per character.
AWKWARD = [
    "/p/a],[b",
    '/p/q"],["r',
    "/p/back\\],[\\slash",
    "/p/数据],[集",
    "/p/emoji 🧪],[🧪",
    "/p/new\nline",
    "/p/\u2028sep",
    "/p/plain",
]


@pytest.fixture
def tiny_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    """Slices and blocks far smaller than a row, so every cut and block edge is exercised."""
    monkeypatch.setattr(snapshot, "ROWS_SLICE", 5)
    monkeypatch.setattr(snapshot, "READ_BLOCK", 7)
    monkeypatch.setattr(snapshot, "WRITE_SLICE", 2)


def _fill(path: Path, sources: list[str]) -> list[tuple[object, ...]]:
    with Journal(path) as journal:
        batch = [SubmitItem(s) for s in sources]
        ids = journal.begin_submit(
            Operation.DELETE, batch, profile="prod", region="r1", label="run 7"
        )
        outcomes = [
            SubmitOutcome(item, task=Task(f"t{i}", Operation.DELETE, TaskStatus.PROCESSING))
            for i, item in enumerate(batch)
        ]
        journal.finish_submit(ids, outcomes)
        return sorted(tuple(e) for e in journal.entries())


@pytest.mark.usefixtures("tiny_slices")
def test_a_snapshot_written_and_read_in_tiny_slices_keeps_every_entry(tmp_path: Path) -> None:
    path = tmp_path / "journal"
    before = _fill(path, AWKWARD * 3)
    assert compaction.compact(path, keep=set()) is not None
    assert files.list_folder(path).snapshots  # a snapshot was written
    assert files.load(path).read_bytes == 0  # and holds everything: no file is read beyond it
    with Journal(path) as journal:
        assert sorted(tuple(e) for e in journal.entries()) == before
        assert journal.problems == []


def rows_line(raw: bytes) -> object:
    """The rows of a snapshot whose rows line is ``raw`` (read as the journal reads it)."""
    _head, rows, _tail = snapshot.read([b"{}\n", raw, b'\n{"end": 0}\n'])
    return rows


@pytest.mark.parametrize(
    "raw",
    [b"[]", b'[[1,"a"],[2,null]]', b"[1, 2]", b'[[1,"\\u00e9,]"],{"a":[1]}]', b" [[1]]"],
)
def test_snapshot_rows_parsed_row_by_row_equal_one_parse(raw: bytes) -> None:
    assert rows_line(raw) == json.loads(raw)


@pytest.mark.parametrize("raw", [b"", b"[", b"[[1],", b"[[1]]x", b"[[1]][2]", b"{}x"])
def test_snapshot_rows_that_do_not_parse_are_refused(raw: bytes) -> None:
    with pytest.raises(ValueError):
        rows_line(raw)


@pytest.mark.usefixtures("tiny_slices")
@pytest.mark.parametrize("text", AWKWARD)
def test_rows_parsed_in_tiny_slices_equal_one_parse(text: str) -> None:
    rows = [[1, text, None, 2.5], [2, text + text, True, "],["], [3, "x", [], {}]]
    raw = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
    assert rows_line(raw.encode()) == rows


def test_a_snapshot_missing_its_tail_is_refused() -> None:
    whole = b'{"v":1}\n[[1],[2]]\n{"end":2}\n'
    assert snapshot.read([whole])[1] == [[1], [2]]
    for cut in (b'{"v":1}\n', b'{"v":1}\n[[1],[2]', b'{"v":1}\n[[1],[2]]\n', b'{"v":1}'):
        with pytest.raises(ValueError):
            snapshot.read([cut])


def test_repeated_values_are_kept_once(tmp_path: Path) -> None:
    """100,000 rows hold a handful of states, profiles and labels: one object each."""
    path = tmp_path / "journal"
    _fill(path, [f"/p/{i}" for i in range(50)])
    for loaded in (files.load(path), compaction.compact(path, keep=set()), files.load(path)):
        assert loaded is not None
        rows = list(loaded.state.rows.values())
        assert len(rows) == 50
        for name, values in (
            ("state", [row.state for row in rows]),
            ("profile", [row.profile for row in rows]),
            ("label", [row.label for row in rows]),
        ):
            assert len({id(value) for value in values}) == 1, name


def test_a_writers_own_order_wins_when_its_clock_went_back(tmp_path: Path) -> None:
    """Records of one writer are applied in the order written, whatever their times say."""
    now = [1_700_000_000.0]
    path = tmp_path / "journal"
    with Journal(path, clock=lambda: now[0]) as journal:
        ids = journal.begin_submit(
            Operation.DELETE, [SubmitItem("/p/a")], profile=None, region=None
        )
        journal.set_label(ids, "first")
        now[0] -= 3600  # the clock was stepped back
        journal.set_label(ids, "second")
    with Journal(path) as journal:
        assert [e.label for e in journal.entries()] == ["second"]


def test_a_large_journal_is_read_without_holding_its_files_whole(tmp_path: Path) -> None:
    """Reading 10,000 entries costs their rows and a slice more: the snapshot is never held
    whole (as bytes, text or parsed rows), and no entry is kept besides its row."""
    import tracemalloc

    path = tmp_path / "journal"
    count = 10_000
    with Journal(path) as journal:
        for start in range(0, count, 200):
            batch = [SubmitItem(f"/public/home/u/run-{i:06d}") for i in range(start, start + 200)]
            ids = journal.begin_submit(Operation.DELETE, batch, profile="prod", region="r1")
            journal.finish_submit(
                ids,
                [
                    SubmitOutcome(item, task=Task(f"{i:032d}", status=TaskStatus.PROCESSING))
                    for i, item in enumerate(batch, start)
                ],
            )
    size = sum(f.stat().st_size for f in path.iterdir())
    for kind in ("writer files", "snapshot"):
        tracemalloc.start()
        try:
            loaded = files.load(path)
            held, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert len(loaded.state.rows) == count, kind
        assert held < count * 900, (kind, held)  # about 700 bytes a row
        if kind == "snapshot":  # never held whole, as bytes or text
            assert peak - held < size / 3, (kind, peak - held, size)
        del loaded
        if kind == "writer files":
            assert compaction.compact(path, keep=set()) is not None
    with Journal(path) as journal:
        journal.load()
        tracemalloc.start()
        try:
            assert len(journal.entries()) == count
            kept, _peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert kept < 1 << 20, kept  # the entries made were not kept besides the rows


def _reads(monkeypatch: pytest.MonkeyPatch, after_first: object = None) -> list[Path]:
    """Record every full read of a journal folder; ``after_first`` runs after the first."""
    calls: list[Path] = []
    real = files.load

    def load(folder: Path) -> files.Loaded:
        loaded = real(folder)
        calls.append(folder)
        if len(calls) == 1 and callable(after_first):
            after_first()
        return loaded

    monkeypatch.setattr(files, "load", load)
    return calls


def test_a_journal_due_for_compaction_is_read_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Compacting on open writes what was just read: 100,000 tasks are not read twice."""
    path = tmp_path / "journal"
    before = _fill(path, [f"/p/{i}" for i in range(300)])
    monkeypatch.setattr(compaction, "COMPACT_BYTES", 1)
    reads = _reads(monkeypatch)
    with Journal(path) as journal:
        assert sorted(tuple(e) for e in journal.entries()) == before
    assert reads == [path]
    assert files.list_folder(path).snapshots
    monkeypatch.setattr(compaction, "COMPACT_BYTES", 4 << 20)
    with Journal(path) as journal:
        assert sorted(tuple(e) for e in journal.entries()) == before


def test_a_record_written_between_reading_and_compacting_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process appends after this one read the folder: it is read again before the
    snapshot is written, so the snapshot holds that record too."""
    path = tmp_path / "journal"
    _fill(path, [f"/p/{i}" for i in range(30)])
    monkeypatch.setattr(compaction, "COMPACT_BYTES", 1)

    def another_writer() -> None:
        with Journal(path, defer=True) as other:
            other.add_ids(["late-1"], profile=None, region=None)

    reads = _reads(monkeypatch, another_writer)
    with Journal(path) as journal:
        assert "late-1" in {e.task_id for e in journal.entries()}
    assert len(reads) >= 2  # read again under the compaction lock
    for name in files.list_folder(path).files.values():
        (path / name).unlink()  # the snapshot alone must hold everything
    with Journal(path) as journal:
        assert "late-1" in {e.task_id for e in journal.entries()}


def test_after_another_process_compacts_only_what_changed_is_news(tmp_path: Path) -> None:
    """A reader whose journal was compacted under it reads it again and reports exactly the
    entries that changed meanwhile (it keeps fingerprints, not a second copy of the rows)."""
    path = tmp_path / "journal"
    _fill(path, [f"/p/{i}" for i in range(40)])
    with Journal(path) as reader, Journal(path) as other:
        reader.load()
        other.set_label(["t3", "t7"], "checked")
        other.add_ids(["t-new"], profile=None, region=None)
        assert compaction.compact(path, keep=set()) is not None  # reader's view is now stale
        news = reader.refresh()
        assert sorted(e.task_id or "" for e in news) == ["t-new", "t3", "t7"]
        assert {e.label for e in news if e.task_id in ("t3", "t7")} == {"checked"}
        assert reader.refresh() == []


def test_a_megabyte_of_events_is_compacted_on_open(tmp_path: Path) -> None:
    """A writer's file of 10,000 imports (1.3 MB) is folded once: opening the journal
    compacts it, and later reads take the snapshot alone."""
    path = tmp_path / "journal"
    ids = [f"{i:08d}{'c' * 24}" for i in range(10_000)]
    with Journal(path) as journal:
        journal.add_ids(ids, profile=None, region=None)
    (log,) = files.list_folder(path).files.values()
    assert 1 << 20 < (path / log).stat().st_size < 4 << 20
    with Journal(path) as journal:
        assert {e.task_id for e in journal.entries()} == set(ids)
    assert files.list_folder(path).snapshots
    again = files.load(path)  # the snapshot covers the file: nothing beyond it is read
    assert again.read_bytes == 0
    assert {row.task_id for row in again.state.rows.values()} == set(ids)
