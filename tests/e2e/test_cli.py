"""The real CLI (subprocess) against the simulator on a loopback socket."""

from __future__ import annotations

import json
import time
from pathlib import Path

from tests.conftest import HOME, Sim


def first_project(root: Path) -> str:
    return sorted(p.name for p in root.iterdir() if p.is_dir())[0]


def count_files(path: Path) -> int:
    return sum(1 for p in path.rglob("*") if p.is_file())


def wait_for(predicate, timeout: float = 20.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def test_readme_flow_ls_rm_json_and_tasks(sim: Sim) -> None:
    ls = sim.cli("ls", "--json")
    assert ls.code == 0, ls.err
    names = {e["name"] for e in json.loads(ls.out)["fileList"]}
    project = first_project(sim.root)
    assert project in names

    rm = sim.cli("rm", f"{HOME}/{project}", "--yes", "--json")
    assert rm.code == 0, rm.err
    (task,) = json.loads(rm.out)["fileOperTasks"]
    assert task["sourcePath"] == f"{HOME}/{project}" and len(task["taskId"]) == 32

    watch = sim.cli("watch", task["taskId"], "--json", "--interval", "0.2")
    assert watch.code == 0, watch.err
    last = json.loads(watch.out.strip().splitlines()[-1])
    assert last["status"] == "complete"
    assert not (sim.root / project).exists()

    shown = sim.cli("tasks", task["taskId"], "--json")
    assert shown.code == 0
    assert json.loads(shown.out)[0]["status"] == "complete"

    journal = sim.cli("tasks", "--json")  # no ids: what this machine submitted
    assert [t["taskId"] for t in json.loads(journal.out)] == [task["taskId"]]


def test_cancel_running_task_midway_leaves_files(sim_factory) -> None:  # type: ignore[no-untyped-def]
    sim = sim_factory(files_per_second=15)
    project = first_project(sim.root)
    before = count_files(sim.root / project)
    rm = sim.cli("rm", f"{HOME}/{project}", "--yes", "--json")
    tid = json.loads(rm.out)["fileOperTasks"][0]["taskId"]
    wait_for(lambda: count_files(sim.root / project) < before)  # it really started
    cancel = sim.cli("cancel", tid, "--yes", "--json")
    assert cancel.code == 0, cancel.err
    assert json.loads(cancel.out) == [{"taskId": tid, "result": True, "status": "cancel"}]
    remaining = count_files(sim.root / project)
    assert 0 < remaining < before
    shown = json.loads(sim.cli("tasks", tid, "--json").out)[0]
    assert shown["status"] == "cancel"
    assert 0 < shown["processedNum"] < shown["totalNum"]


def test_cancel_finished_task_reports_false(sim: Sim) -> None:
    project = first_project(sim.root)
    tid = json.loads(sim.cli("rm", f"{HOME}/{project}", "--yes", "--json").out)["fileOperTasks"][0][
        "taskId"
    ]
    assert sim.cli("watch", tid, "--interval", "0.2").code == 0
    cancel = sim.cli("cancel", tid, "--yes", "--json")
    assert cancel.code == 1
    assert json.loads(cancel.out) == [{"taskId": tid, "result": False, "status": "complete"}]


def test_throttling_and_dropped_connections_are_survived(sim: Sim) -> None:
    sim.server.faults.update({"throttle_rps": 3, "drop_rate": 0.3, "seed": 7})  # type: ignore[attr-defined]
    for _ in range(3):
        ls = sim.cli("ls", "--json", f"{HOME}/{first_project(sim.root)}")
        assert ls.code == 0, ls.err
        assert json.loads(ls.out)["fileList"]
    stats = sim.server.stats()  # type: ignore[attr-defined]
    assert stats["throttled"] > 0 or stats.get("dropped", 0) > 0


def test_expired_token_exits_4(sim: Sim) -> None:
    sim.server.clock.advance(2 * 86400)  # type: ignore[attr-defined]
    ls = sim.cli("ls")
    assert ls.code == 4
    assert "login" in ls.err and sim.env["EFILE_TOKEN"] not in ls.err + ls.out


def test_bad_input_exits_2_before_any_request(sim: Sim) -> None:
    before = sim.server.stats()["requests"]  # type: ignore[attr-defined]
    rm = sim.cli("rm", "relative/x", "", f"{HOME}/a/../b", "--yes")
    assert rm.code == 2
    for word in ("relative/x", "empty", "'..'"):
        assert word in rm.err
    assert sim.cli("rm", "/", "--yes").code == 2
    assert sim.cli("rm", HOME, "--yes").code == 2
    dup = sim.cli("cancel", "ab" * 16, "ab" * 16, "--yes")
    assert dup.code == 2 and "twice" in dup.err
    assert sim.server.stats()["requests"] == before  # type: ignore[attr-defined]


def test_destructive_commands_need_yes_without_a_tty(sim: Sim) -> None:
    project = first_project(sim.root)
    rm = sim.cli("rm", f"{HOME}/{project}")
    assert rm.code == 2 and "--yes" in rm.err
    assert (sim.root / project).exists()


def test_unreachable_service_exits_3(sim: Sim) -> None:
    ls = sim.cli("ls", env={"EFILE_URL": "http://127.0.0.1:9"})
    assert ls.code == 3 and "cannot connect" in ls.err


def test_copy_and_move_with_conflict_policy(sim: Sim) -> None:
    project = first_project(sim.root)
    assert sim.cli("mkdir", f"{HOME}/dest").code == 0
    cp = sim.cli("cp", f"{HOME}/README.txt", f"{HOME}/dest", "--json", "--wait")
    assert cp.code == 0, cp.err
    again = sim.cli("cp", f"{HOME}/README.txt", f"{HOME}/dest", "--on-conflict", "both", "--wait")
    assert again.code == 0, again.err
    assert len(list((sim.root / "dest").iterdir())) == 2
    mv = sim.cli("mv", f"{HOME}/{project}", f"{HOME}/dest", "--yes", "--wait")
    assert mv.code == 0, mv.err
    assert (sim.root / "dest" / project).is_dir() and not (sim.root / project).exists()
