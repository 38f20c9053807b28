"""Tasks the service forgets become ``vanished``, from the entry points (simulator on loopback).

The simulator is restarted with a fresh state on the same address: the tasks submitted
before are unknown to it, while it answers every request. The vanish rule comes from a real
config file (``vanish_after_misses`` / ``vanish_after_seconds`` of the default profile).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from efile_tui.sim.config import SimConfig
from efile_tui.sim.server import SimServer
from tests.conftest import HOME, Sim

MISSES, SECONDS = 2, 1.0


def write_config(misses: int = MISSES, seconds: float = SECONDS) -> Path:
    """A config file whose default profile sets the vanish rule (URL and token: env)."""
    path = Path(os.environ["XDG_CONFIG_HOME"]) / "efile-tui" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        'default_profile = "default"\n\n[profiles.default]\n'
        f"vanish_after_misses = {misses}\nvanish_after_seconds = {seconds}\n",
        encoding="utf-8",
    )
    return path


def make_folders(sim: Sim, names: list[str], files: int = 3) -> list[str]:
    paths = []
    for name in names:
        (sim.root / name).mkdir()
        for i in range(files):
            (sim.root / name / f"f{i}.dat").write_bytes(b"x")
        paths.append(f"{HOME}/{name}")
    return paths


def slow_sim_with_deletes(
    sim_factory: Callable[..., Sim], names: list[str], *, process: bool = False
) -> tuple[Sim, list[str]]:
    """A simulator whose tasks stay running, and the ids of one delete per folder name
    (``process``: the CLI in a process of its own, for a test running an event loop)."""
    sim = sim_factory(seed=False, files_per_second=0.005, sync_threshold=0)
    return sim, submit_deletes(sim, names, process=process)


def submit_deletes(sim: Sim, names: list[str], *, process: bool = False) -> list[str]:
    """Delete new folders ``names`` (3 files each): the task ids, one per folder."""
    run = sim.cli_process if process else sim.cli
    rm = run("rm", *make_folders(sim, names), "--yes", "--json")
    assert rm.code == 0, rm.err
    ids = [t["taskId"] for t in json.loads(rm.out)["fileOperTasks"]]
    assert len(ids) == len(names)
    return ids


@pytest.fixture
def forgetful(sim_factory: Callable[..., Sim]) -> Iterator[Callable[[Sim], SimServer]]:
    """Restart a simulator with a fresh state (no tasks) on the same address and token."""
    started: list[SimServer] = []

    def restart(sim: Sim) -> SimServer:
        old = sim.server
        old.stop()  # type: ignore[attr-defined]
        config = SimConfig(
            root=sim.root,
            token=old.token,  # type: ignore[attr-defined]
            files_per_second=0.005,
            sync_threshold=0,
        )
        fresh = SimServer(config, port=old.port).start()  # type: ignore[attr-defined]
        started.append(fresh)
        sim.server = fresh
        return fresh

    yield restart
    for server in started:
        server.stop()


def statuses(sim: Sim) -> dict[str, dict[str, object]]:
    listed = sim.cli("tasks", "--json")
    assert listed.code == 0, listed.err
    return {row["taskId"]: row for row in json.loads(listed.out)}


def test_forgotten_tasks_vanish_in_the_documented_time_and_end_everything(
    sim_factory: Callable[..., Sim], forgetful: Callable[[Sim], SimServer]
) -> None:
    write_config()
    sim, ids = slow_sim_with_deletes(sim_factory, ["run-1", "run-2", "run-3"])
    fresh = forgetful(sim)

    # The first answer without them: one miss, still waiting (a lagging service is not lost).
    first = time.monotonic()
    rows = statuses(sim)
    assert {rows[t]["status"] for t in ids} == {"waiting"}
    answers = 1
    while {rows[t]["status"] for t in ids} != {"vanished"}:
        assert time.monotonic() - first < 20, rows
        rows = statuses(sim)
        answers += 1
    assert answers >= MISSES and time.monotonic() - first >= SECONDS
    for t in ids:
        assert rows[t]["lastState"] == "waiting" and rows[t]["vanished"] is True
        assert rows[t]["lastSeenAt"] is not None and rows[t]["missingSince"] is not None
    # They were asked about, and left out of answers (the fresh service knows none).
    assert any(set(ids) <= set(r["body"]["taskIds"]) for r in fresh.requests("task/list"))

    # Final for every purpose: no more polls, nothing running to cancel or watch.
    polls = len(fresh.requests("task/list"))
    human = sim.cli("tasks")
    assert human.code == 0, human.err
    assert human.out.count("∅ vanished (waiting)") == 3 and "last seen" in human.out
    assert len(fresh.requests("task/list")) == polls
    # Asked by id (a prefix too): found, shown with its last state and when it was last
    # seen, exit 0 (one confirming look at the service).
    one = sim.cli("tasks", ids[0][:8])
    assert one.code == 0, one.err
    assert "∅ vanished (waiting)" in one.out and "last seen" in one.out, one.out
    [shown] = json.loads(sim.cli("tasks", ids[1], "--json").out)
    assert shown["status"] == "vanished" and shown["lastState"] == "waiting"
    cancel = sim.cli("cancel", "--status", "running", "--yes")
    assert cancel.code == 0, cancel.err
    assert "nothing to cancel" in cancel.err
    assert fresh.requests("task/cancel") == []
    watch = sim.cli("watch", "--timeout", "20")
    assert watch.code == 0, watch.err
    watched = sim.cli("watch", ids[0], "--timeout", "20", "--interval", "0.2")
    assert watched.code == 5, (watched.out, watched.err)
    assert "vanished" in watched.out

    report = sim.cli("tasks", "report", "--format", "json")
    assert report.code == 0, report.err
    reported = {r["taskId"]: r for r in json.loads(report.out)}
    assert {reported[t]["status"] for t in ids} == {"vanished"}
    assert all(reported[t]["final"] for t in ids)

    # Dismissable: exactly the two named, the third stays.
    dismissed = sim.cli("tasks", "dismiss", ids[0], ids[1])
    assert dismissed.code == 0, dismissed.err
    assert set(statuses(sim)) == {ids[2]}


def test_cancel_by_filter_sends_only_the_tasks_the_service_still_knows(
    sim_factory: Callable[..., Sim], forgetful: Callable[[Sim], SimServer]
) -> None:
    write_config(misses=1, seconds=0)
    sim, gone = slow_sim_with_deletes(sim_factory, ["old-1", "old-2"])
    fresh = forgetful(sim)
    [live] = submit_deletes(sim, ["new-1"])

    cancel = sim.cli("cancel", "--status", "running", "--yes")
    assert cancel.code == 0, cancel.err
    assert [r["body"]["taskIds"] for r in fresh.requests("task/cancel")] == [[live]]
    rows = statuses(sim)
    assert {rows[t]["status"] for t in gone} == {"vanished"}


def test_an_imported_id_the_service_never_knew_is_vanished_at_once(sim: Sim) -> None:
    write_config(misses=3, seconds=60)  # the defaults: only an unknown import is at once
    unknown = "0123456789abcdef0123456789abcdef"
    added = sim.cli("tasks", "add", unknown)
    assert added.code == 1
    assert f"warning: {unknown} is not known to the service: vanished" in added.err
    [row] = json.loads(sim.cli("tasks", "--json").out)
    assert row["taskId"] == unknown and row["status"] == "vanished"
    assert row["lastSeenAt"] is None
    human = sim.cli("tasks").out
    assert "never known to the service (vanished)" in human
    assert "OUTCOME UNKNOWN" not in human
