"""A journal read while other processes compact it: the reader waits and reads again (on a
time budget, with back-off), never reads on from a base that misses records, and a reader
whose read failed still reports what changed meanwhile once a read succeeds."""

from __future__ import annotations

from pathlib import Path

import pytest

from efile_tui.store.fs import StateFileError
from efile_tui.store.journal import Journal, compaction, files
from tests.unit.test_journal_snapshot import _fill


def _compacted_for(monkeypatch: pytest.MonkeyPatch, attempts: int) -> list[float]:
    """The first ``attempts`` reads meet a compaction (a listed file went away); returns
    the pauses taken (recorded, not slept)."""
    real = files._load_once
    calls = {"n": 0}
    pauses: list[float] = []
    now = [0.0]

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        now[0] += seconds

    def load_once(folder: Path) -> files.Loaded:
        calls["n"] += 1
        if calls["n"] <= attempts:
            raise FileNotFoundError(2, "compacted meanwhile")
        return real(folder)

    monkeypatch.setattr(files, "_load_once", load_once)
    monkeypatch.setattr(files, "_sleep", sleep)
    monkeypatch.setattr(files, "_clock", lambda: now[0])
    return pauses


def test_a_read_that_meets_compaction_again_and_again_waits_and_succeeds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "journal"
    _fill(path, [f"/p/{i}" for i in range(5)])
    pauses = _compacted_for(monkeypatch, 30)  # far more than a fixed count of tries
    with Journal(path) as journal:
        assert len(journal.entries()) == 5
    assert len(pauses) == 30
    assert pauses[0] < 0.01 and max(pauses) <= files.LAST_PAUSE * 1.5  # backs off, bounded
    assert pauses[8] > 4 * pauses[0]


def test_a_read_that_never_settles_fails_after_its_time_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "journal"
    _fill(path, ["/p/a"])
    pauses = _compacted_for(monkeypatch, 10**9)
    with pytest.raises(StateFileError, match="kept changing while being read"):
        files.load(path)
    assert files.PATIENCE * 0.5 <= sum(pauses) <= files.PATIENCE * 1.5


def test_a_newer_snapshot_gone_while_reading_is_read_again_not_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The listing named a snapshot removed before it was opened: the files it covered may
    be gone too, so the reader lists again instead of reading on without it."""
    path = tmp_path / "journal"
    _fill(path, [f"/p/{i}" for i in range(40)])
    assert compaction.compact(path, keep=set()) is not None
    for name in files.list_folder(path).files.values():
        (path / name).unlink()  # only the snapshot holds the entries now
    real = files.list_folder
    first = {"done": False}

    def list_folder(folder: Path) -> files.Listing:
        listing = real(folder)
        if not first["done"]:
            first["done"] = True
            listing.snapshots = {99: "snap-00000099.json"}  # listed, then removed
        return listing

    monkeypatch.setattr(files, "list_folder", list_folder)
    monkeypatch.setattr(files, "_sleep", lambda _s: None)
    assert len(files.load(path).state.rows) == 40


def test_a_failed_reload_keeps_what_changed_for_the_next_refresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "journal"
    _fill(path, [f"/p/{i}" for i in range(10)])
    with Journal(path) as reader, Journal(path) as other:
        reader.load()
        other.add_ids(["t-new"], profile=None, region=None)
        other.set_label(["t3"], "checked")
        assert compaction.compact(path, keep=set()) is not None  # reader must read it again
        real = files.load
        monkeypatch.setattr(
            files, "load", lambda folder: (_ for _ in ()).throw(StateFileError(folder, "x", "y"))
        )
        with pytest.raises(StateFileError):
            reader.refresh()
        monkeypatch.setattr(files, "load", real)
        news = reader.refresh()
        assert sorted(e.task_id or "" for e in news) == ["t-new", "t3"]
        assert len(reader.entries()) == 11
