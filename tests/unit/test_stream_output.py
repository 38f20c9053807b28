"""``tasks --json`` writes its array element by element as entries are read: the output is
the same document as one dump of the list, and no element waits for the rest."""

from __future__ import annotations

import argparse
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from efile_tui.api.models import Operation, SubmitItem, SubmitOutcome, Task, TaskStatus
from efile_tui.cli.select import print_entries
from efile_tui.core.text import json_dumps
from efile_tui.store.journal import Journal, JournalEntry


def _entries(tmp_path: Path, count: int) -> list[JournalEntry]:
    with Journal(tmp_path / "journal") as journal:
        items = [SubmitItem(f"/p/d{i}/名前\n{i}") for i in range(count)]
        ids = journal.begin_submit(Operation.DELETE, items, profile=None, region=None)
        outcomes = [
            SubmitOutcome(item, task=Task(f"t{i}", Operation.DELETE, TaskStatus.WAITING))
            for i, item in enumerate(items)
        ]
        journal.finish_submit(ids, outcomes)
        return journal.entries()


def _args(**flags: bool) -> argparse.Namespace:
    return argparse.Namespace(**{"json": False, "jsonl": False, "ids_only": False, **flags})


@pytest.mark.parametrize("count", [0, 1, 3])
def test_the_streamed_array_is_the_document_a_single_dump_writes(
    tmp_path: Path, count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    entries = _entries(tmp_path, count)
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    assert print_entries(_args(json=True), iter(entries)) == count
    assert out.getvalue() == json_dumps([e.to_json() for e in entries], indent=2) + "\n"
    assert len(json.loads(out.getvalue())) == count


def test_each_element_is_written_before_the_next_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entries = _entries(tmp_path, 4)
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    written: list[int] = []

    def lazily() -> Iterator[JournalEntry]:
        for entry in entries:
            written.append(out.getvalue().count('"journalId"'))
            yield entry

    print_entries(_args(json=True), lazily())
    assert written == [0, 1, 2, 3]
