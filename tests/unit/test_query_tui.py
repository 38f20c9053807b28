"""The TUI's task filter and the CLI's filter flags are one query model: same parsing,
same selection on the same tasks."""

from __future__ import annotations

import random
from datetime import datetime
from itertools import count
from pathlib import Path

import pytest

from efile_tui.api.models import Operation, SubmitItem, SubmitOutcome, Task, TaskStatus
from efile_tui.core.query import TaskQuery
from efile_tui.core.query_text import parse_query, query_text
from efile_tui.core.taskrow import TaskRow
from efile_tui.core.taskview import TaskView
from efile_tui.core.validate import InputError
from efile_tui.store.journal import Journal, JournalEntry, VanishRule

NOW = 1_800_000_000.0
OPS = (Operation.DELETE, Operation.COPY, Operation.MOVE)
STATUSES = (TaskStatus.WAITING, TaskStatus.PROCESSING, TaskStatus.COMPLETE, TaskStatus.FAIL)
STATUSES += (TaskStatus.CANCEL,)


def varied_journal(path: Path, n: int = 240) -> list[JournalEntry]:
    """Entries of every kind: each status, rejected, outcome unknown, still submitting,
    imported, expired, labelled or not, over several hours and folders."""
    rng = random.Random(7)
    ticks = count()
    with Journal(path, clock=lambda: NOW - 36_000 + 150 * next(ticks)) as journal:
        for i in range(n):
            op = OPS[i % 3]
            source = f"/public/home/me/{rng.choice(['run-1', 'run-2', 'data'])}/f{i}"
            target = "/public/home/me/backup" if op is not Operation.DELETE else None
            item = SubmitItem(source, target)
            label = rng.choice([None, "run-42", "nightly", "Run 7"])
            (lid,) = journal.begin_submit(op, [item], profile=None, region=None, label=label)
            kind = i % 8
            if kind == 7:
                continue  # still submitting
            if kind == 6:
                outcome = SubmitOutcome(item, error="denied", error_code="403")
            elif kind == 5:
                outcome = SubmitOutcome(item, error="lost", unknown=True)
            else:
                status = STATUSES[rng.randrange(len(STATUSES))]
                outcome = SubmitOutcome(item, task=Task(f"t{i:04d}", op, status, source))
            journal.finish_submit([lid], [outcome])
            if kind == 4:
                journal.mark_missing([f"t{i:04d}"], rule=VanishRule(1, 0.0))
        journal.add_ids([f"imp{i}" for i in range(10)], profile=None, region=None, label="run-42")
        journal.record_tasks(
            [
                Task(f"imp{i}", OPS[i % 3], STATUSES[i % 5], f"/public/home/me/run-2/i{i}")
                for i in range(8)
            ]
        )
        return journal.entries()


QUERIES = [
    "",
    "status:running",
    "status:final",
    "status:unknown",
    "status:submitting",
    "status:expired",
    "status:rejected,cancel",
    "failed:yes",
    "op:copy",
    "op:mv,rm",
    "label:run-*",
    'label:"Run 7"',
    "label:nightly op:delete status:final",
    "source:/public/home/me/run-*",
    "source:/public/home/me/run-1 status:running",
    "target:/public/home/me/backup",
    "since:5h",
    f"until:{datetime.fromtimestamp(NOW - 18_000).isoformat(timespec='minutes')}",
    "origin:imported",
    "origin:submitted label:run-42",
    "f1",
    "denied",
    "run-2 op:copy",
]


def cli_selection(entries: list[JournalEntry], query: TaskQuery) -> list[str]:
    """What ``tasks`` lists: the entries the query selects."""
    return sorted(e.task_id or f"local:{e.local_id}" for e in query.select(entries))


def tui_selection(entries: list[JournalEntry], query: TaskQuery) -> list[str]:
    """What the task table shows: its rows through its own filter."""
    view = TaskView()
    view.upsert([TaskRow.from_entry(e) for e in entries])
    view.filter = query
    return sorted(view.visible_keys())


@pytest.mark.parametrize("text", QUERIES)
def test_tui_and_cli_select_the_same_tasks(tmp_path: Path, text: str) -> None:
    entries = varied_journal(tmp_path / "journal")
    query = parse_query(text, now=NOW)
    chosen = cli_selection(entries, query)
    assert tui_selection(entries, query) == chosen
    if text:
        assert 0 < len(chosen) < len(entries), f"{text!r} should select some, not all"


def test_box_text_parses_like_the_command_line_flags() -> None:
    typed = parse_query(
        'status:running,fail op:cp source:/a/run-* label:"my run" since:2h failed:yes x y',
        now=NOW,
    )
    flags = TaskQuery.from_options(
        statuses=["running", "fail"],
        operations=["copy"],
        sources=["/a/run-*"],
        labels=["my run"],
        since="2h",
        failed=True,
        text="x y",
        now=NOW,
    )
    assert typed == flags
    assert parse_query(query_text(typed), now=NOW) == flags  # the box reopens with it


def test_box_text_half_typed_and_wrong() -> None:
    assert parse_query("label: status:", now=NOW) == TaskQuery()  # values still to come
    assert parse_query('label:"run 4', now=NOW).labels == ("run 4",)  # open quote
    with pytest.raises(InputError) as caught:
        parse_query("status:runn op:copy", now=NOW)
    assert "'runn' is not a status" in str(caught.value)
    assert parse_query("error:403", now=NOW).text == "error:403"  # not a key: free text
