"""The journal under several writers at once, and under a writer killed mid-record."""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from efile_tui.api.models import Operation, SubmitItem, SubmitOutcome, Task, TaskStatus
from efile_tui.store.journal import Journal

WAITING = TaskStatus.WAITING
REPO = Path(__file__).resolve().parents[2]
WRITERS = 3
ROUNDS = 300


def _writer(path: str, worker: int, rounds: int, ready: Any, results: Any) -> None:
    """Submit ``rounds`` batches of 1–3 items; report how many items were journaled."""
    rng = random.Random(worker)
    sent = 0
    with Journal(Path(path)) as journal:
        ready.wait(30)  # a barrier: every writer has its journal open before anyone writes
        for round_no in range(rounds):
            count = rng.randint(1, 3)
            batch = [SubmitItem(f"/w{worker}/r{round_no}/i{i}") for i in range(count)]
            ids = journal.begin_submit(Operation.DELETE, batch, profile=f"w{worker}", region="r")
            time.sleep(0.001)  # the request is in flight; others write meanwhile
            outcomes = [
                SubmitOutcome(item, task=Task(f"w{worker}-r{round_no}-i{i}", status=WAITING))
                for i, item in enumerate(batch)
            ]
            journal.finish_submit(ids, outcomes)
            sent += count
    results.put((worker, sent))


def test_concurrent_writers_lose_no_record(tmp_path: Path) -> None:
    path = tmp_path / "journal"
    Journal(path).close()  # the schema exists before the race starts
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Barrier(WRITERS)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_writer, args=(str(path), worker, ROUNDS, ready, results))
        for worker in range(WRITERS)
    ]
    for proc in procs:
        proc.start()
    reported = dict(results.get(timeout=60) for _ in procs)
    for proc in procs:
        proc.join(timeout=30)
        assert proc.exitcode == 0
    sent = [reported[w] for w in range(WRITERS)]

    with Journal(path) as journal:
        entries = journal.entries()
        assert len(entries) == sum(sent)
        assert all(e.state == "waiting" and e.task_id for e in entries)
        ids = {e.task_id for e in entries}
        assert len(ids) == sum(sent)
        for worker in range(WRITERS):
            mine = journal.pollable_ids(f"w{worker}")
            assert len(mine) == sent[worker]
            assert all(t.startswith(f"w{worker}-") for t in mine)
            # Each row carries its own path and task id: nothing was paired across processes.
            for entry in journal.entries(profile=f"w{worker}"):
                assert entry.task_id is not None
                assert entry.source_path == "/" + entry.task_id.replace("-", "/")


CRASH_WRITER = """
import sys
from pathlib import Path
from efile_tui.api.models import Operation, SubmitItem, SubmitOutcome, Task, TaskStatus
from efile_tui.store.journal import Journal

SIZE = int(sys.argv[2])
batch = int(sys.argv[3])
journal = Journal(Path(sys.argv[1]))
while True:
    items = [SubmitItem(f"/b{batch}/f{i}") for i in range(SIZE)]
    ids = journal.begin_submit(Operation.DELETE, items, profile="p", region="r")
    journal.finish_submit(
        ids, [SubmitOutcome(it, task=Task(f"b{batch}-{i}")) for i, it in enumerate(items)]
    )
    print(f"submitted {batch}", flush=True)
    journal.record_tasks(
        [Task(f"b{batch}-{i}", status=TaskStatus.PROCESSING, processed_num=i) for i in range(SIZE)]
    )
    print(f"updated {batch}", flush=True)
    batch += 1
"""
SIZE = 1000
# A batch's three transactions take ~5-15 ms each here; these delays after the marker spread
# the kills over the whole cycle, including the middle of a transaction.
KILL_DELAYS = (0.0, 0.002, 0.0055, 0.0095, 0.014, 0.02, 0.0275)


def _run_and_kill(path: Path, first_batch: int, delay: float) -> tuple[set[int], set[int]]:
    """Run a writer from ``first_batch``, SIGKILL it; return the batches it reported."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-c", CRASH_WRITER, str(path), str(SIZE), str(first_batch)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    submitted: set[int] = set()
    updated: set[int] = set()
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            kind, number = line.split()
            (submitted if kind == "submitted" else updated).add(int(number))
            if len(updated) >= 2 and kind == "updated":
                time.sleep(delay)
                break
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    return submitted, updated


def test_writer_killed_mid_transaction_leaves_a_whole_journal(tmp_path: Path) -> None:
    path = tmp_path / "journal"
    submitted: set[int] = set()
    updated: set[int] = set()
    next_batch = 0
    for delay in KILL_DELAYS:
        more_submitted, more_updated = _run_and_kill(path, next_batch, delay)
        submitted |= more_submitted
        updated |= more_updated

        for log in path.glob("*.log"):
            # Every whole line is a record; only a last line cut by the kill may be partial.
            whole = log.read_bytes().split(b"\n")[:-1]
            assert all(isinstance(json.loads(line), (list, dict)) for line in whole), log
        with Journal(path) as journal:
            by_batch: dict[int, list[str]] = {}
            for entry in journal.entries():
                batch = int(entry.source_path.split("/")[1][1:])
                by_batch.setdefault(batch, []).append(entry.state)
        for batch, states in by_batch.items():
            # begin_submit is all or nothing; so are finish_submit and record_tasks.
            assert len(states) == SIZE, batch
            assert len(set(states)) == 1, (batch, set(states))
        for batch in submitted:
            assert by_batch[batch][0] in ("unknown", "processing"), batch
        for batch in updated:
            assert by_batch[batch][0] == "processing", batch
        next_batch = max(by_batch) + 1


OPENERS = 6


def _open_at(path: Path, start: threading.Barrier, errors: list[str]) -> None:
    try:
        start.wait(10)
        with Journal(path) as journal:  # each Journal has its own writer file
            journal.add_ids([f"t{threading.get_ident()}"], profile=None, region=None)
    except Exception as exc:  # reported by the caller
        errors.append(f"{path.name}: {exc}")


def _open_fresh_journals_at_once(folder: Path, rounds: int) -> list[str]:
    """Several journals open the same new folder at the same instant, ``rounds`` times."""
    errors: list[str] = []
    for round_no in range(rounds):
        path = folder / f"fresh{round_no}"
        start = threading.Barrier(OPENERS)
        threads = [
            threading.Thread(target=_open_at, args=(path, start, errors)) for _ in range(OPENERS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        with Journal(path) as journal:
            if len(journal.entries()) != OPENERS:
                errors.append(f"{path.name}: {len(journal.entries())} rows")
    return errors


def test_connections_creating_the_journal_at_once_all_open_it(tmp_path: Path) -> None:
    # Several journals created in the same new folder at the same instant each claim a
    # writer file of their own; none fails and none loses its record.
    assert _open_fresh_journals_at_once(tmp_path, rounds=15) == []


def test_a_submit_cut_short_on_disk_leaves_none_of_its_intents(tmp_path: Path) -> None:
    """A writer killed in the middle of writing a submit's intents leaves none of them: half
    a batch would show items that were never sent as 'outcome unknown'."""
    path = tmp_path / "journal"
    with Journal(path) as journal:
        journal.begin_submit(Operation.DELETE, [SubmitItem("/keep")], profile="p", region="r")
        journal.begin_submit(
            Operation.DELETE,
            [SubmitItem(f"/cut/f{i}") for i in range(50)],
            profile="p",
            region="r",
        )
    (log,) = path.glob("*.log")
    data = log.read_bytes()
    last = data.rstrip(b"\n").rfind(b"\n") + 1
    log.write_bytes(data[: last + (len(data) - last) // 2])  # the last write, cut halfway
    with Journal(path) as journal:
        assert [e.source_path for e in journal.entries()] == ["/keep"]
