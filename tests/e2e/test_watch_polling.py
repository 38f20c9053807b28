"""`watch` and `rm --wait` poll through the shared poller: only unfinished ids, in batches
of at most 100 (read from the simulator's request log)."""

from __future__ import annotations

import json

from tests.conftest import HOME
from tests.polling_log import audit_polls

TASKS = 150


def many_files_sim(sim_factory):  # type: ignore[no-untyped-def]
    sim = sim_factory(seed=False, files_per_second=20, sync_threshold=0, workers=1)
    (sim.root / "many").mkdir()
    for i in range(TASKS):
        (sim.root / "many" / f"f{i:03d}").write_bytes(b"x")
    return sim


def check(audit) -> None:  # type: ignore[no-untyped-def]
    assert audit.finished_asked == [], audit.finished_asked[:5]
    assert max(len(ids) for ids in audit.polls) <= 100
    assert audit.informed_polls >= 3


def test_watch_asks_only_for_unfinished_tasks(sim_factory) -> None:  # type: ignore[no-untyped-def]
    sim = many_files_sim(sim_factory)
    paths = [f"{HOME}/many/f{i:03d}" for i in range(TASKS)]
    rm = sim.cli("rm", *paths, "--yes", "--json")
    assert rm.code == 0, rm.err
    watch = sim.cli("watch", "--json", "--interval", "0.2")
    assert watch.code == 0, watch.err
    finals = [json.loads(line) for line in watch.out.splitlines()]
    assert {t["taskId"] for t in finals if t["status"] == "complete"} == {
        t["taskId"] for t in json.loads(rm.out)["fileOperTasks"]
    }
    check(audit_polls(sim.server.requests()))


def test_rm_wait_asks_only_for_unfinished_tasks(sim_factory) -> None:  # type: ignore[no-untyped-def]
    sim = many_files_sim(sim_factory)
    paths = [f"{HOME}/many/f{i:03d}" for i in range(TASKS)]
    rm = sim.cli("rm", *paths, "--yes", "--wait", "--interval", "0.2")
    assert rm.code == 0, rm.err
    check(audit_polls(sim.server.requests()))
