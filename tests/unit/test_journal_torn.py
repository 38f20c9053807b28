"""A reader that meets a record another process is still writing never skips it: it stops
before it, reads it whole once completed, and reports it (file and offset) only when it
stays incomplete too long."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from efile_tui.store.journal import Journal, files

TID = "b" * 32


def writer_file(folder: Path) -> Path:
    (path,) = sorted(p for p in folder.iterdir() if p.suffix == ".log")
    return path


def label_line(journal: Journal, label: str) -> bytes:
    (entry,) = journal.entries()
    return json.dumps(["L", time.time(), entry.local_id, label]).encode() + b"\n"


def labels(journal: Journal) -> list[str | None]:
    journal.refresh()
    return [e.label for e in journal.entries()]


def test_a_torn_record_is_read_whole_once_completed(tmp_path: Path) -> None:
    folder = tmp_path / "journal"
    writer = Journal(folder)
    writer.add_ids([TID], profile=None, region=None)
    reader = Journal(folder)
    assert labels(reader) == [None]
    line = label_line(writer, "whole")
    path = writer_file(folder)
    written = 0
    for cut in (1, 9, len(line) - 1):  # read while torn at one point, then at others
        with path.open("ab") as out:
            out.write(line[written:cut])
        written = cut
        assert labels(reader) == [None]  # nothing of a half record is applied
    with path.open("ab") as out:
        out.write(line[written:])  # the newline: the record is complete
    assert labels(reader) == ["whole"]  # read whole, not skipped
    assert reader.problems == []  # a record being written is no damage


def test_a_record_left_incomplete_is_reported_with_file_and_offset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "journal"
    writer = Journal(folder)
    writer.add_ids([TID], profile=None, region=None)
    reader = Journal(folder)
    labels(reader)
    path = writer_file(folder)
    offset = path.stat().st_size
    line = label_line(writer, "late")
    with path.open("ab") as out:
        out.write(line[:7])
    monkeypatch.setattr(files, "TORN_PATIENCE", 0.0)  # waited long enough
    assert labels(reader) == [None]
    (problem,) = reader.problems
    assert str(path) in problem and f"byte {offset:,}" in problem
    assert labels(reader) == [None] and len(reader.problems) == 1  # said once
    with path.open("ab") as out:
        out.write(line[7:])
    assert labels(reader) == ["late"]  # still read once it is complete
