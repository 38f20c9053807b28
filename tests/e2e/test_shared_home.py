"""Two login nodes, one home: sshfs over loopback mounts one folder twice (no shared lock or
cache), each node with its own hostname. Nothing submitted on either node may be lost."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from efile_tui.store.audit import AuditLog
from efile_tui.store.journal import Journal
from tests.conftest import HOME, Sim
from tests.e2e.sshfs import SharedHome, shared_home
from tests.e2e.test_journal_e2e import make_files

NODES = ("nodeA", "nodeB")
PER_NODE = 4  # eight processes on two nodes at once (the load test runs 120)
REPO = Path(__file__).resolve().parents[2]
SimFactory = Callable[..., Sim]
READS = {
    "tasks": ("tasks", "--all", "--json"),
    "log": ("log", "--limit", "0", "--json"),
    "doctor": ("doctor", "--json"),
}


@pytest.fixture
def home(tmp_path: Path) -> Iterator[SharedHome]:
    with shared_home(tmp_path / "shared", NODES) as shared:
        yield shared


def cli_as(home: SharedHome, sim: Sim, node: str, *args: str) -> subprocess.Popen[str]:
    return home.run_as(
        node,
        [sys.executable, "-m", "efile_tui", *args],
        sim.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def run(proc: subprocess.Popen[str], timeout: float = 120) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def test_both_nodes_list_every_task_and_audit_record(
    sim_factory: SimFactory, home: SharedHome
) -> None:
    sim = sim_factory(seed=False)
    for node in NODES:
        for i in range(PER_NODE):
            make_files(sim.root / node / f"f{i}", ["x"])
    procs = [
        cli_as(home, sim, node, "rm", f"{HOME}/{node}/f{i}", "--yes", "--json")
        for i in range(PER_NODE)
        for node in NODES
    ]  # all at once, both nodes
    submitted = set()
    for proc in procs:
        code, out, err = run(proc)
        assert code == 0 and "Traceback" not in err, err
        answer, _ = json.JSONDecoder().raw_decode(out)
        submitted.add(answer["fileOperTasks"][0]["taskId"])
    assert len(submitted) == 2 * PER_NODE

    readers = {  # the six reads at once: each node's tasks, log and doctor
        (node, cmd): cli_as(home, sim, node, *args) for node in NODES for cmd, args in READS.items()
    }
    for node in NODES:
        code, out, err = run(readers[node, "tasks"])
        assert code == 0 and "unreadable" not in err, err
        assert {row["taskId"] for row in json.loads(out)} == submitted, node
        code, out, err = run(readers[node, "log"])
        assert code == 0, err
        events = [e for e in json.loads(out) if e["event"] == "submit"]
        assert len(events) == 2 * PER_NODE, node
        assert {e["items"][0]["answer"]["taskId"] for e in events} == submitted
        code, out, err = run(readers[node, "doctor"])
        whole = json.loads(out)
        report = whole["state"]
        assert report["filesystem"]["type"] == "fuse.sshfs" and report["shared"] is True
        assert report["folder"] == str(home.state(node)) and whole["problems"] == []
        assert report["chosenBy"] == "$EFILE_TUI_STATE_DIR"
        assert report["journal"]["entries"] == 2 * PER_NODE


async def test_tui_on_one_node_shows_a_task_submitted_on_the_other_within_one_poll(
    sim_factory: SimFactory, home: SharedHome, monkeypatch: pytest.MonkeyPatch
) -> None:
    from efile_tui.ui.launch import close_app, create_app
    from tests.ui.harness import wait_until

    sim = sim_factory(seed=False)
    make_files(sim.root / "remote", ["x"])
    for name, value in sim.env.items():
        if name.startswith("EFILE_") or name.startswith("XDG_"):
            monkeypatch.setenv(name, value)
    monkeypatch.setenv("EFILE_TUI_STATE_DIR", str(home.state("nodeB")))
    app = create_app(interval=1.0)
    try:
        async with app.run_test(size=(140, 40)) as pilot:
            main = await wait_until(pilot, lambda: getattr(app, "main", None), what="main screen")
            await wait_until(pilot, lambda: main.poll_count >= 1, what="first poll")
            proc = cli_as(home, sim, "nodeA", "rm", f"{HOME}/remote", "--yes")
            code, _out, err = await asyncio.to_thread(run, proc)
            assert code == 0, err
            acknowledged = main.poll_count  # a poll may be under way: it may miss the task
            await wait_until(
                pilot,
                lambda: any(r.source == f"{HOME}/remote" for r in main.view.rows.values()),
                what="the other node's task in the table",
            )
            # Shown by the end of the first poll that started after the submit returned.
            assert main.poll_count <= acknowledged + 2
    finally:
        close_app(app)


CRASH_WRITER = """
import sys
import time
from pathlib import Path
from efile_tui.api.models import Operation, SubmitItem, SubmitOutcome, Task
from efile_tui.store.audit import AuditLog
from efile_tui.store.journal import Journal

state, node, size, batch = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
journal, audit = Journal(state / "journal"), AuditLog(state / "audit")
while True:
    items = [SubmitItem(f"/{node}/b{batch}/f{i}") for i in range(size)]
    ids = journal.begin_submit(Operation.DELETE, items, profile="p", region="r")
    print(f"intent {batch}", flush=True)
    journal.finish_submit(
        ids, [SubmitOutcome(it, task=Task(f"{node}-{batch}-{i}")) for i, it in enumerate(items)]
    )
    print(f"answer {batch}", flush=True)
    audit.record("submit", node=node, batch=batch, count=size)
    print(f"audited {batch}", flush=True)
    batch += 1
"""
SIZE = 200


def _crash(home: SharedHome, node: str, first: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    argv = [sys.executable, "-c", CRASH_WRITER, str(home.state(node)), node, str(SIZE), str(first)]
    return home.run_as(node, argv, env, stdout=subprocess.PIPE)


def _until_killed(proc: subprocess.Popen[str], markers: int) -> dict[str, set[int]]:
    """Read acknowledgements until ``markers`` came, then SIGKILL mid-stream."""
    seen: dict[str, set[int]] = {"intent": set(), "answer": set(), "audited": set()}
    assert proc.stdout is not None
    for count, line in enumerate(proc.stdout, 1):
        kind, number = line.split()
        seen[kind].add(int(number))
        if count >= markers:
            break
    os.kill(proc.pid, signal.SIGKILL)  # the writer is busy with its next record
    proc.wait(timeout=30)
    for line in proc.stdout:  # acknowledged before the kill landed
        kind, number = line.split()
        seen[kind].add(int(number))
    return seen


def test_writers_killed_mid_record_on_both_nodes_lose_nothing_acknowledged(
    home: SharedHome,
) -> None:
    acked: dict[str, dict[str, set[int]]] = {
        n: {"intent": set(), "answer": set(), "audited": set()} for n in NODES
    }
    for round_no, markers in enumerate((4, 7, 11, 14)):
        procs = {node: _crash(home, node, 100 * round_no) for node in NODES}
        for node, proc in procs.items():
            for kind, numbers in _until_killed(proc, markers).items():
                acked[node][kind] |= numbers
    # Each mount caches file sizes for up to a second (as NFS does): a record written on one
    # node shows on the other once that cache expires; what is checked is that none is lost.
    deadline = time.monotonic() + 20
    while True:
        try:
            _all_acknowledged_records_seen(home, acked)
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.25)


def _all_acknowledged_records_seen(home: SharedHome, acked: dict[str, dict[str, set[int]]]) -> None:
    for reader in NODES:  # every node sees every acknowledged record of both
        with Journal(home.state(reader) / "journal") as journal:
            entries = journal.entries()
            assert not [p for p in journal.problems if "unreadable" in p], journal.problems
        by_batch: dict[tuple[str, int], list[str | None]] = {}
        for entry in entries:
            _, node, batch, _f = entry.source_path.split("/")
            by_batch.setdefault((node, int(batch[1:])), []).append(entry.task_id)
        events = AuditLog(home.state(reader) / "audit").read()
        audited = {(e["node"], e["batch"]) for e in events}
        for node in NODES:
            for batch in acked[node]["intent"]:
                assert len(by_batch.get((node, batch), [])) == SIZE, (reader, node, batch)
            for batch in acked[node]["answer"]:
                assert all(by_batch.get((node, batch), [None])), (reader, node, batch)
            for batch in acked[node]["audited"]:
                assert (node, batch) in audited, (reader, node, batch)
            assert acked[node]["audited"], node  # the writers really ran
