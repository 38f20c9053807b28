"""The intent is journalled before the submit is sent: a CLI killed while the service holds
the answer leaves the submit in the journal, as "outcome unknown"."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

from tests.conftest import HOME, Sim


def test_killed_while_the_answer_is_held_the_intent_is_in_the_journal(sim: Sim) -> None:
    project = sorted(p.name for p in sim.root.iterdir() if p.is_dir())[0]
    path = f"{HOME}/{project}"
    sim.server.faults.update({"submit_latency": 60.0})  # type: ignore[attr-defined]
    proc = subprocess.Popen(
        [sys.executable, "-m", "efile_tui", "rm", path, "--yes", "--json"],
        env=sim.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not sim.server.requests("/async-remove"):  # type: ignore[attr-defined]
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the submit never reached the service"
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)  # the service has the request, not yet the answer
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    sim.server.faults.update({"submit_latency": 0.0})  # type: ignore[attr-defined]
    shown = sim.cli("tasks", "--json")
    assert shown.code == 0, shown.err
    (entry,) = json.loads(shown.out)
    assert entry["sourcePath"] == path and entry["operationType"] == "delete"
    assert entry["outcomeUnknown"] is True, entry
    assert "OUTCOME UNKNOWN" in sim.cli("tasks").out
