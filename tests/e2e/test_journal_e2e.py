"""Issue 5's "done when", end to end: the real CLI (subprocesses) against the simulator.

- a task submitted, its process SIGKILLed before the first poll: a new process shows it
  (from the journal) and follows it to the end;
- a submit whose answer is lost is shown as "outcome unknown" and is never re-sent (the
  simulator drops the connection mid-answer: what a timeout does to a submit, without
  waiting out the client's 20 s timeout, which has no outside setting);
- a task past the service's 24 h retention shows as "expired on server" with its last state;
- two processes writing at once lose no record;
- nothing under the state/config folders, nor any output, holds the token; ``log --json``
  shows each submit with the service's answer per item.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from efile_tui.store.journal import JOURNAL_FILE, Journal, JournalEntry
from tests.conftest import HOME, CliResult, Sim

T = TypeVar("T")
REMOVE = "/efile/openapi/v2/file/async-remove"
TASK_LIST = "/efile/openapi/v2/file/task/list"
SimFactory = Callable[..., Sim]


def wait_for(predicate: Callable[[], T | None], timeout: float = 20.0, what: str = "") -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"not met within {timeout} s: {what}")


def make_files(folder: Path, names: Iterable[str], body: bytes = b"x\n") -> list[str]:
    """Create files under ``folder`` (inside the simulator's root); return their names."""
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for name in names:
        (folder / name).write_bytes(body)
        made.append(name)
    return made


def journal_path(sim: Sim) -> Path:
    return Path(sim.env["XDG_STATE_HOME"]) / "efile-tui" / JOURNAL_FILE


def read_journal(sim: Sim) -> list[JournalEntry]:
    """Every entry (dismissed too), read by this process as a third party."""
    path = journal_path(sim)
    if not path.exists():
        return []
    with Journal(path) as journal:
        return journal.entries(include_dismissed=True)


def popen_cli(sim: Sim, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "efile_tui", *args],
        env=sim.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc: subprocess.Popen[str], timeout: float = 30) -> CliResult:
    out, err = proc.communicate(timeout=timeout)
    return CliResult(proc.returncode, out, err)


def requests(sim: Sim) -> dict[str, int]:
    stats: dict[str, Any] = sim.server.stats()  # type: ignore[attr-defined]
    return dict(stats["requests"])


def set_faults(sim: Sim, **faults: Any) -> None:
    sim.server.faults.update(faults)  # type: ignore[attr-defined]


def assert_no_secret(sim: Sim, secret: str, outputs: Iterable[CliResult]) -> int:
    """No file under the test's XDG folders and no captured output holds ``secret``.

    Returns how many files were searched (the journal and audit log among them).
    """
    assert len(secret) >= 16  # a real token, not a string found by accident
    needle = secret.encode()
    base = Path(sim.env["XDG_STATE_HOME"]).parent
    files = [p for p in base.rglob("*") if p.is_file()]
    holding = [str(p) for p in files if needle in p.read_bytes()]
    assert holding == [], f"the token was written to {holding}"
    for result in outputs:
        assert secret not in result.out and secret not in result.err
    return len(files)


def test_task_of_a_killed_process_is_shown_and_followed_by_a_new_process(
    sim_factory: SimFactory,
) -> None:
    sim = sim_factory(seed=False, files_per_second=20)  # 80 files: a 4 s task
    make_files(sim.root / "bulk", (f"f{i:02}.dat" for i in range(80)))
    # Every answer takes 1 s: the submit's, and the first poll's, which never arrives.
    set_faults(sim, latency=1.0)
    proc = popen_cli(sim, "rm", f"{HOME}/bulk", "--yes", "--wait", "--json")
    try:
        [entry] = wait_for(
            lambda: [e for e in read_journal(sim) if e.task_id], what="task id journalled"
        )
        os.kill(proc.pid, signal.SIGKILL)
        killed = finish(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert killed.code == -signal.SIGKILL
    assert requests(sim).get(TASK_LIST, 0) <= 1  # at most the first poll, unanswered
    set_faults(sim, latency=0.0)
    # The killed process never recorded a poll: the journal has the submit's answer only.
    [before] = read_journal(sim)
    assert before.task_id == entry.task_id and before.processed_num == 0
    assert before.state in ("waiting", "processing") and before.final_at is None
    assert (sim.root / "bulk").exists()

    shown = sim.cli("tasks", "--json")
    assert shown.code == 0, shown.err
    [row] = json.loads(shown.out)
    assert row["taskId"] == entry.task_id and row["sourcePath"] == f"{HOME}/bulk"
    assert row["status"] in ("waiting", "processing") and row["outcomeUnknown"] is False

    watch = sim.cli("watch", "--json", "--interval", "0.2")  # no ids: the journal's
    assert watch.code == 0, watch.err
    updates = [json.loads(line) for line in watch.out.splitlines()]
    assert {u["taskId"] for u in updates} == {entry.task_id}
    assert updates[-1]["status"] == "complete" and updates[-1]["processedNum"] == 80
    assert len(updates) >= 2  # it was followed while running, not just found finished
    assert not (sim.root / "bulk").exists()
    [after] = read_journal(sim)
    assert after.state == "complete" and after.final_at is not None and not after.expired
    done = sim.cli("watch")
    assert done.code == 0 and "no unfinished tasks" in done.err
    assert_no_secret(sim, sim.server.token, [killed, shown, watch, done])  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "seed, executed",
    [(0, True), (4, False)],  # the drop comes after / before the service acted on it
    ids=["answer-lost-after-delete", "request-lost-before-delete"],
)
def test_a_submit_whose_answer_is_lost_is_outcome_unknown_and_not_resent(
    sim_factory: SimFactory, seed: int, executed: bool
) -> None:
    sim = sim_factory(seed=False)
    make_files(sim.root / "data", ["keep.txt", "gone.txt"])
    path = f"{HOME}/data/gone.txt"
    set_faults(sim, drop_rate=1.0, seed=seed)  # the connection drops mid-answer
    rm = sim.cli("rm", path, "--yes")
    set_faults(sim, drop_rate=0.0)
    assert rm.code == 1, rm.err
    assert "OUTCOME UNKNOWN" in rm.out and path in rm.out
    assert requests(sim) == {REMOVE: 1}  # sent once, never re-sent
    assert (sim.root / "data" / "gone.txt").exists() == (not executed)
    assert (sim.root / "data" / "keep.txt").exists()

    listed = sim.cli("tasks", "--json")
    assert listed.code == 0, listed.err
    [row] = json.loads(listed.out)
    assert row["outcomeUnknown"] is True and row["taskId"] is None
    assert row["sourcePath"] == path and row["status"] == "unknown" and row["errorMsg"]
    human = sim.cli("tasks")
    assert "OUTCOME UNKNOWN" in human.out and path in human.out
    watch = sim.cli("watch")  # nothing to follow: an unknown outcome has no task id
    assert watch.code == 0 and "no unfinished tasks" in watch.err
    assert requests(sim)[REMOVE] == 1

    # The operator checked the folder: dismissing the entry hides it from every view.
    with Journal(journal_path(sim)) as journal:
        assert journal.dismiss([f"local:{row['journalId']}"]) == [row["journalId"]]
    assert json.loads(sim.cli("tasks", "--all", "--json").out) == []
    assert_no_secret(sim, sim.server.token, [rm, listed, human, watch])  # type: ignore[attr-defined]


def submit_and_finish(sim: Sim) -> str:
    make_files(sim.root / "old", ["a.txt", "b.txt", "c.txt"])
    rm = sim.cli("rm", f"{HOME}/old", "--yes", "--wait", "--json")
    assert rm.code == 0, rm.err
    submitted = json.loads(rm.out.splitlines()[0])  # JSON Lines: the outcome, then updates
    task_id: str = submitted["taskId"]
    [entry] = read_journal(sim)
    assert entry.task_id == task_id and entry.state == "complete"
    return task_id


def past_retention(sim: Sim) -> dict[str, str]:
    """Move the service 24 h + 1 min on; its tokens expired too, so hand out a fresh one."""
    sim.server.clock.advance(86400 + 60)  # type: ignore[attr-defined]
    return {"EFILE_TOKEN": sim.server.issue_token()}  # type: ignore[attr-defined]


def test_a_task_past_the_service_retention_shows_as_expired_with_its_last_state(
    sim_factory: SimFactory,
) -> None:
    sim = sim_factory(seed=False)
    task_id = submit_and_finish(sim)
    env = past_retention(sim)

    asked = sim.cli("tasks", task_id, "--json", env=env)
    assert asked.code == 0, asked.err
    [row] = json.loads(asked.out)
    assert row["taskId"] == task_id and row["foundOnServer"] is False
    assert row["expiredOnServer"] is True and row["status"] == "complete"
    assert row["sourcePath"] == f"{HOME}/old" and row["totalNum"] == 3
    human = sim.cli("tasks", task_id, env=env)
    assert human.code == 0, human.err
    assert "not returned by the service" in human.out and "expired on server" in human.out
    assert "complete" in human.out

    listed = sim.cli("tasks", "--all", "--json", env=env)
    assert listed.code == 0, listed.err
    [row] = json.loads(listed.out)
    assert row["taskId"] == task_id and row["expiredOnServer"] is True
    assert row["status"] == "complete" and row["finalAt"] is not None
    assert_no_secret(sim, env["EFILE_TOKEN"], [asked, human, listed])


def test_tasks_all_alone_marks_a_final_task_past_retention_expired(
    sim_factory: SimFactory,
) -> None:
    sim = sim_factory(seed=False)
    task_id = submit_and_finish(sim)
    env = past_retention(sim)
    listed = sim.cli("tasks", "--all", "--json", env=env)
    assert listed.code == 0, listed.err
    [row] = json.loads(listed.out)
    assert row["taskId"] == task_id and row["status"] == "complete"
    assert row["expiredOnServer"] is True


def test_two_processes_writing_at_once_lose_no_record(sim_factory: SimFactory) -> None:
    sim = sim_factory(seed=False)
    folder = sim.root / "many"
    paths = {
        who: [
            f"{HOME}/many/{n}" for n in make_files(folder, (f"{who}{i:02}.txt" for i in range(60)))
        ]
        for who in ("a", "b")
    }
    # Each submit is answered 1 s after it arrives: both processes are in flight together.
    set_faults(sim, latency=1.0)
    procs = {who: popen_cli(sim, "rm", *paths[who], "--yes", "--json") for who in paths}
    results = {who: finish(proc) for who, proc in procs.items()}
    for who, result in results.items():
        assert result.code == 0, (who, result.err)
        tasks = json.loads(result.out)["fileOperTasks"]
        assert [t["sourcePath"] for t in tasks] == paths[who]
    assert requests(sim) == {REMOVE: 2}

    entries = read_journal(sim)
    assert len(entries) == 120
    assert all(e.task_id and len(e.task_id) == 32 for e in entries)
    assert len({e.task_id for e in entries}) == 120
    assert sorted(e.source_path for e in entries) == sorted(paths["a"] + paths["b"])
    assert all(e.state == "complete" and e.origin == "submitted" for e in entries)
    answered = {
        who: {t["taskId"]: t["sourcePath"] for t in json.loads(r.out)["fileOperTasks"]}
        for who, r in results.items()
    }
    # Each row holds the task id the service gave for its own path: nothing was crossed.
    assert {e.task_id: e.source_path for e in entries} == answered["a"] | answered["b"]
    # The two submits really overlapped: each wrote its intent before the other's answer.
    span = {
        who: (
            min(e.submitted_at for e in entries if e.source_path in paths[who]),
            max(e.updated_at for e in entries if e.source_path in paths[who]),
        )
        for who in paths
    }
    assert span["a"][0] < span["b"][1] and span["b"][0] < span["a"][1], span
    assert list(folder.iterdir()) == []
    assert_no_secret(sim, sim.server.token, results.values())  # type: ignore[attr-defined]


def test_audit_log_has_every_answer_and_no_token(sim_factory: SimFactory) -> None:
    sim = sim_factory(seed=False, files_per_second=20)
    token: str = sim.server.token  # type: ignore[attr-defined]
    make_files(sim.root / "audit", ["one.txt", "two.txt"])
    make_files(sim.root / "audit" / "slow", (f"s{i:02}" for i in range(60)))
    runs: list[CliResult] = []

    def cli(*args: str) -> CliResult:
        result = sim.cli("--debug", *args)  # --debug logs requests: they must not leak either
        runs.append(result)
        return result

    ok = cli("rm", f"{HOME}/audit/one.txt", f"{HOME}/audit/nope.txt", "--yes", "--json")
    assert ok.code == 1, ok.err  # the missing path became a failed task
    slow = cli("rm", f"{HOME}/audit/slow", "--yes", "--json")
    slow_id = json.loads(slow.out)["fileOperTasks"][0]["taskId"]
    assert cli("cancel", slow_id, "--yes").code == 0
    set_faults(sim, drop_rate=1.0, seed=4)
    lost = cli("rm", f"{HOME}/audit/two.txt", "--yes")
    set_faults(sim, drop_rate=0.0)
    assert lost.code == 1 and "OUTCOME UNKNOWN" in lost.out
    assert cli("tasks", "add", "f" * 32).code == 1  # unknown to the service, tracked anyway
    assert cli("tasks", "--all").code == 0

    log = cli("log", "--json", "--limit", "0")
    assert log.code == 0, log.err
    events = json.loads(log.out)
    assert [e["event"] for e in events] == ["submit", "submit", "cancel", "submit", "import"]
    first, second, cancel, third, imported = events
    assert first["operation"] == "delete" and first["count"] == 2 and first["exit"] == "partial"
    one, nope = first["items"]
    assert one["path"] == f"{HOME}/audit/one.txt"
    assert one["answer"]["status"] == "complete" and len(one["answer"]["taskId"]) == 32
    assert nope["path"] == f"{HOME}/audit/nope.txt"
    assert nope["answer"]["status"] == "fail" and nope["answer"]["errorCode"]
    [slow_item] = second["items"]
    assert slow_item["path"] == f"{HOME}/audit/slow" and second["exit"] == "ok"
    assert slow_item["answer"]["taskId"] == slow_id and slow_item["answer"]["errorCode"] is None
    assert slow_item["answer"]["status"] in ("waiting", "processing")
    assert cancel["items"][0]["taskId"] == slow_id and cancel["exit"] == "ok"
    assert cancel["items"][0]["answer"]["result"] is True
    [unknown] = third["items"]
    assert third["exit"] == "unknown" and unknown["path"] == f"{HOME}/audit/two.txt"
    assert unknown["answer"]["outcomeUnknown"] is True and unknown["answer"]["errorMsg"]
    assert imported["items"] == [{"taskId": "f" * 32}]
    for event in events:
        assert event["profile"] == events[0]["profile"] and event["time"]

    human = cli("log")
    assert human.code == 0 and len(human.out.splitlines()) == len(events)
    state = Path(sim.env["XDG_STATE_HOME"]) / "efile-tui"
    assert {"audit", JOURNAL_FILE} <= {p.name for p in state.iterdir()}
    assert assert_no_secret(sim, token, runs) >= 2
