"""Id prefixes on the command line: the table's 8 characters (or any 6+) name a task."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.conftest import HOME, Sim

TWINS = ["abcdef" + "0" * 25 + "1", "abcdef" + "0" * 25 + "2"]  # one 6-character prefix


@pytest.fixture
def running(sim_factory: Callable[..., Sim]) -> tuple[Sim, list[str]]:
    """Two running delete tasks of this journal, and two imported ids sharing a prefix."""
    sim = sim_factory(seed=False, files_per_second=0.005, sync_threshold=0)
    for name in ("run-1", "run-2"):
        (sim.root / name).mkdir()
        for i in range(3):
            (sim.root / name / f"f{i}").write_bytes(b"x")
    rm = sim.cli("rm", f"{HOME}/run-1", f"{HOME}/run-2", "--yes", "--json")
    assert rm.code == 0, rm.err
    ids = [t["taskId"] for t in json.loads(rm.out)["fileOperTasks"]]
    assert sim.cli("tasks", "add", *TWINS).code == 1  # unknown to the service: vanished
    return sim, ids


def test_a_unique_prefix_is_that_task_for_tasks_and_cancel(running: tuple[Sim, list[str]]) -> None:
    sim, ids = running
    shown = sim.cli("tasks", ids[0][:8], "--json")
    assert shown.code == 0, shown.err
    assert [row["taskId"] for row in json.loads(shown.out)] == [ids[0]]
    upper = sim.cli("tasks", ids[1][:6].upper(), "--ids")
    assert upper.code == 0 and upper.out.split() == [ids[1]]

    dry = sim.cli("cancel", ids[1][:8], "--dry-run")
    assert dry.code == 0, dry.err
    assert dry.out.split() == [ids[1]]
    assert sim.server.requests("task/cancel") == []  # type: ignore[attr-defined]
    done = sim.cli("cancel", ids[1][:8], "--yes", "--json")
    assert done.code == 0, done.err
    sent = [r["body"]["taskIds"] for r in sim.server.requests("task/cancel")]  # type: ignore[attr-defined]
    assert sent == [[ids[1]]]


AMBIGUOUS = [
    ["tasks", "abcdef"],
    ["cancel", "abcdef", "--dry-run"],
    ["watch", "abcdef", "--timeout", "5"],
    ["tasks", "dismiss", "abcdef"],
    ["tasks", "label", "x", "abcdef"],
    ["tasks", "report", "abcdef"],
    ["tasks", "resubmit", "abcdef", "--yes"],
]


def test_an_ambiguous_prefix_exits_2_listing_the_candidates_everywhere(
    running: tuple[Sim, list[str]],
) -> None:
    sim, _ids = running
    for argv in AMBIGUOUS:
        result = sim.cli(*argv)
        assert result.code == 2, (argv, result.out, result.err)
        assert "'abcdef' is ambiguous" in result.err, argv
        assert TWINS[0] in result.err and TWINS[1] in result.err, argv
        assert result.out == "", argv
    assert sim.server.requests("task/cancel") == []  # type: ignore[attr-defined]


def test_prefixes_that_name_nothing_and_local_keys(running: tuple[Sim, list[str]]) -> None:
    sim, _ids = running
    unknown = sim.cli("tasks", "fedcba98")
    assert unknown.code == 2
    assert "no task in the journal starts with 'fedcba98'" in unknown.err
    short = sim.cli("tasks", "abcde")  # 5 characters: too short to be a prefix
    assert short.code == 2 and "first 6 or more" in short.err
    add = sim.cli("tasks", "add", "abcdef12")  # a new id is never a prefix
    assert add.code == 2 and "is not a whole task id" in add.err
    [entry] = [e for e in json.loads(sim.cli("tasks", "--json").out) if e["taskId"] == TWINS[0]]
    label = sim.cli("tasks", "label", "twin", f"local:{entry['journalId']}")  # still works
    assert label.code == 0, label.err
    dismissed = sim.cli("tasks", "dismiss", TWINS[0])  # the whole id: no ambiguity
    assert dismissed.code == 0, dismissed.err
