"""Dismissing journal entries (and undoing it), labels, and the module split."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from efile_tui.api.models import Operation, SubmitItem, SubmitOutcome, Task, TaskStatus
from efile_tui.store import journal as journal_module
from efile_tui.store.journal import Journal, VanishRule
from efile_tui.store.journal import entry as journal_entry
from efile_tui.store.journal import schema as journal_schema

T0 = 1_700_000_000.0


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
    with Journal(tmp_path / "journal", clock=clock) as j:
        yield j


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
    # get() and get_many() still find dismissed entries.
    assert journal.get("t-done") == everything[ids["done"]]
    assert journal.get_many(local_ids=[ids["lost"]]) == [lost]


def test_dismissed_entries_are_never_polled_even_if_the_service_returns_them(
    journal: Journal, clock: FakeClock
) -> None:
    submit_mixed(journal)
    clock.now += 2 * 86400
    rule = VanishRule(1, 0.0)
    assert journal.mark_missing(["t-run"], rule=rule) == ["t-run"]  # gone from the service
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
    [entry] = journal.get_many(local_ids=[done])
    assert entry is not None and not entry.dismissed and entry.origin == "submitted"
    assert {"t-done", "t-new"} <= {e.task_id for e in journal.entries()}


def test_dismiss_in_bulk(journal: Journal) -> None:
    batch = [SubmitItem(f"/home/u/f{i}") for i in range(1200)]
    ids = journal.begin_submit(Operation.DELETE, batch, profile="p", region="r")
    journal.finish_submit(ids, [SubmitOutcome(i, error="lost", unknown=True) for i in batch])
    assert journal.dismiss(ids) == sorted(ids)
    assert journal.entries() == [] and journal.unknown_outcomes() == []


def test_undismiss_shows_entries_again(journal: Journal) -> None:
    ids = submit_mixed(journal)
    done = journal.dismiss([ids["lost"], "t-done"])
    assert journal.undismiss(["t-done", f"local:{ids['lost']}", ids["running"], "nope"]) == done
    assert journal.undismiss(done) == []  # already shown
    assert {ids["lost"], ids["done"]} <= {e.local_id for e in journal.entries()}
    assert [e.source_path for e in journal.unknown_outcomes()] == ["/home/u/lost"]


def test_labels_on_submit_import_and_later(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "journal"
    with Journal(path, clock=clock) as journal:
        batch = [SubmitItem("/home/u/a"), SubmitItem("/home/u/b")]
        ids = journal.begin_submit(Operation.DELETE, batch, profile="p", region="r", label="run 7")
        assert journal.add_ids(["t-x"], profile="p", region="r", label="theirs") == ["t-x"]
        tx = journal.get("t-x")
        [mine] = journal.get_many(local_ids=[ids[1]])
        assert tx is not None and tx.label == "theirs" and mine.label == "run 7"
        assert journal.set_label([ids[0], "t-x"], "cleanup") == [ids[0], tx.local_id]
        assert journal.set_label([ids[0]], "cleanup") == []  # unchanged
        assert journal.set_label([f"local:{ids[1]}"], None) == [ids[1]]
    with Journal(path, clock=clock) as again:  # labels are on disk
        labels = {e.source_path or e.task_id: e.label for e in again.entries()}
        assert labels == {"/home/u/a": "cleanup", "/home/u/b": None, "t-x": "cleanup"}
        assert again.get_many(local_ids=[ids[0]])[0].to_json()["label"] == "cleanup"


def test_refresh_reports_only_other_writers_changes(tmp_path: Path) -> None:
    path = tmp_path / "journal"
    with Journal(path) as one, Journal(path) as two:
        assert one.refresh() == []
        ids = one.begin_submit(Operation.DELETE, [SubmitItem("/a")], profile="p", region="r")
        assert one.refresh() == []  # its own write is not news to it
        [seen] = two.refresh()
        assert seen.local_id == ids[0] and seen.state == "submitting"
        assert two.refresh() == []
        one.finish_submit(ids, [SubmitOutcome(SubmitItem("/a"), task=Task("t1"))])
        two.dismiss(["nothing"])  # a write syncs first; refresh still reports the change
        [seen] = two.refresh()
        assert seen.task_id == "t1" and two.get("t1") == seen


def test_old_imports_keep_working() -> None:
    """The split kept ``efile_tui.store.journal`` the one place to import from."""
    for name in (
        "Journal",
        "JournalEntry",
        "JournalError",
        "iso_time",
        "JOURNAL_FILE",
        "LEGACY_FILE",
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
