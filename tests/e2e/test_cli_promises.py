"""Smaller promises of the CLI and the TUI, each through the real entry point."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from rich.cells import cell_len

from efile_tui.cli.output import progress_text as cli_progress
from efile_tui.core.taskrow import TaskRow
from efile_tui.ui.widgets.task_columns import progress_text
from tests.conftest import HOME, Sim


def test_progress_never_cuts_a_total() -> None:
    row = TaskRow("t", "t", "delete", "processing", processed_num=436, total_num=20_000, percent=2)
    for room in range(6, 40):
        text = progress_text(row, room)
        assert "/" not in text or "436/20,000" in text, (room, text)
        assert "2%" in text
    assert "436/20,000" in progress_text(row)
    from efile_tui.api.models import Task

    task = Task.from_api(
        {"taskId": "a" * 32, "status": "processing", "processedNum": 436, "totalNum": 20000}
    )
    assert "436/20,000 files" in cli_progress(task)
    assert cell_len(progress_text(row)) <= 40


def test_tasks_add_rejects_what_is_not_a_task_id(sim: Sim) -> None:
    good = "0123456789abcdef0123456789abcdef"
    done = sim.cli("tasks", "add", good, "not-an-id")
    assert done.code == 2
    assert "'not-an-id' is not a task id" in done.err and "nothing was sent" in done.err
    assert json.loads(sim.cli("tasks", "--json").out) == []  # nothing accepted, not even good
    assert sim.server.requests("/task/list") == []  # type: ignore[attr-defined]


def test_mkdir_parents_on_an_existing_folder_succeeds(sim: Sim) -> None:
    project = sorted(p.name for p in sim.root.iterdir() if p.is_dir())[0]
    assert sim.cli("mkdir", "-p", f"{HOME}/{project}").code == 0
    assert sim.cli("mkdir", "-p", f"{HOME}/new/deep").code == 0
    assert sim.cli("mkdir", "-p", f"{HOME}/new/deep").code == 0
    assert (sim.root / "new" / "deep").is_dir()
    assert sim.cli("mkdir", f"{HOME}/{project}").code == 1  # without -p it is an error
    (sim.root / "afile").write_text("x")
    file = sim.cli("mkdir", "-p", f"{HOME}/afile")
    assert file.code == 1 and "not a folder" in file.err


def test_rm_wait_json_is_json_lines(sim: Sim) -> None:
    project = sorted(p.name for p in sim.root.iterdir() if p.is_dir())[0]
    done = sim.cli("rm", f"{HOME}/{project}", "--yes", "--wait", "--json", "--interval", "0.2")
    assert done.code == 0, done.err
    lines = done.out.splitlines()
    objects = [json.loads(line) for line in lines]  # every line is one JSON object
    assert len(objects) >= 2 and all(isinstance(o, dict) for o in objects)
    assert objects[0]["sourcePath"] == f"{HOME}/{project}"
    assert objects[-1]["status"] == "complete"


def test_help_has_no_placeholders_and_explains_the_verbs(sim: Sim) -> None:
    top = sim.cli("--help")
    assert top.code == 0 and "TOP_" not in top.out
    tasks = sim.cli("tasks", "--help")
    assert "tasks add ID" in " ".join(tasks.out.split())
    assert "tasks dismiss" in " ".join(tasks.out.split())


def test_a_refused_cancel_is_not_left_cancelling(sim_factory) -> None:  # type: ignore[no-untyped-def]
    sim = sim_factory(files_per_second=2)
    project = sorted(p.name for p in sim.root.iterdir() if p.is_dir())[0]
    rm = sim.cli("rm", f"{HOME}/{project}", "--yes", "--json")
    tid = json.loads(rm.out)["fileOperTasks"][0]["taskId"]
    sim.server.faults.update({"refuse_cancel": 1.0})  # type: ignore[attr-defined]
    cancel = sim.cli("cancel", tid, "--yes")
    assert cancel.code == 1 and "911030" in cancel.out
    (entry,) = json.loads(sim.cli("tasks", "--json").out)
    assert entry["status"] == "processing" and entry["cancelRequestedAt"] is None
    assert "cancelling" not in sim.cli("tasks").out


def test_sim_hint_commands_work(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EFILE_")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    proc = subprocess.Popen(
        [sys.executable, "-m", "efile_tui", "sim", "--seed", str(tmp_path / "seed")],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        exports: dict[str, str] = {}
        hint = ""
        assert proc.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line or "Ctrl-C" in line:
                break
            if line.startswith("export "):
                key, _, value = line[len("export ") :].strip().partition("=")
                exports[key] = value
            if "try:" in line:
                hint = line
        assert "efile-tui ls" in hint and "EFILE_HOME" in exports
        for extra in ({}, {"EFILE_HOME": ""}):  # as printed; and with the home learned
            run_env = {**env, **exports, **extra}
            if not run_env["EFILE_HOME"]:
                del run_env["EFILE_HOME"]
            ls = subprocess.run(
                [sys.executable, "-m", "efile_tui", "ls"],
                env=run_env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert ls.returncode == 0, ls.stderr
            assert "proj-" in ls.stdout
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
