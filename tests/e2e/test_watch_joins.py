"""`watch` of a selection follows the tasks that join it while it runs, and is not over
while a matching submit is in flight (a campaign submitted in batches, or from another
login node sharing the state folder). The watch is a real process; the submits go
through the real CLI, all against the simulator on loopback."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from efile_tui.api.models import Operation, SubmitItem, SubmitOutcome
from efile_tui.store.journal import Journal
from tests.conftest import HOME, Sim
from tests.e2e.test_journal_e2e import journal_path, make_files, wait_for


@contextmanager
def watching(
    sim: Sim, tmp_path: Path, *args: str
) -> Iterator[tuple[subprocess.Popen[str], Path, Path]]:
    """``efile-tui watch ARGS`` running in a process of its own; its stdout and stderr files."""
    out, err = tmp_path / "watch.out", tmp_path / "watch.err"
    with out.open("w") as o, err.open("w") as e:
        proc = subprocess.Popen(
            [sys.executable, "-m", "efile_tui", "watch", *args],
            env=sim.env,
            stdout=o,
            stderr=e,
            text=True,
        )
        try:
            yield proc, out, err
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()


def submitted(sim: Sim, *args: str) -> str:
    """Submit ``rm ARGS --yes --json`` (in this process); the task id."""
    done = sim.cli("rm", *args, "--yes", "--json")
    assert done.code == 0, done.err
    (task,) = json.loads(done.out)["fileOperTasks"]
    return str(task["taskId"])


def ended(out: Path) -> dict[str, str]:
    """The last state watch printed for each task id (JSON lines)."""
    lines = [json.loads(line) for line in out.read_text().splitlines() if line.strip()]
    return {t["taskId"]: t["status"] for t in lines}


def test_watch_of_a_label_follows_tasks_submitted_after_it_started(sim_factory, tmp_path) -> None:  # type: ignore[no-untyped-def]
    sim = sim_factory(seed=False, files_per_second=20, sync_threshold=0, workers=1)
    make_files(sim.root / "a", [f"f{i}" for i in range(60)])  # 3 s: still running when b comes
    for name in ("b", "other"):
        make_files(sim.root / name, [f"f{i}" for i in range(5)])
    first = submitted(sim, f"{HOME}/a", "--label", "try6")
    with watching(sim, tmp_path, "--label", "try6", "--json", "--interval", "0.2") as (
        proc,
        out,
        err,
    ):
        wait_for(lambda: "watching 1 task(s)" in err.read_text(), what="watch started")
        later = submitted(sim, f"{HOME}/b", "--label", "try6")
        other = submitted(sim, f"{HOME}/other", "--label", "not-this")
        assert proc.wait(timeout=60) == 0, err.read_text()
    states = ended(out)
    assert states == {first: "complete", later: "complete"}, (states, other, err.read_text())
    assert "1 new task(s) joined: now watching 2" in err.read_text()


def test_watch_of_a_label_waits_for_a_matching_submit_in_flight(sim_factory, tmp_path) -> None:  # type: ignore[no-untyped-def]
    sim = sim_factory(seed=False)
    make_files(sim.root / "a", ["f"])
    submitted(sim, f"{HOME}/a", "--label", "try6")
    with Journal(journal_path(sim)) as journal:
        (profile,) = {e.profile for e in journal.entries()}
        # intent recorded by a live process (this one), no answer yet
        item = SubmitItem(f"{HOME}/a/gone")
        (lid,) = journal.begin_submit(
            Operation.DELETE, [item], profile=profile, region=None, label="try6"
        )
        with watching(
            sim, tmp_path, "--label", "try6", "--json", "--interval", "0.2", "--heartbeat"
        ) as (
            proc,
            _out,
            err,
        ):
            # the first task ended at once (one file), and three polls went by since
            wait_for(lambda: err.read_text().count("  1 complete\n") >= 3, what="three polls")
            assert proc.poll() is None, err.read_text()
            journal.finish_submit([lid], [SubmitOutcome(item, error="rejected by the test")])
            assert proc.wait(timeout=30) == 0, err.read_text()
    assert "1 matching item(s) still being submitted" in err.read_text()
