"""What a newcomer meets first: ``efile-tui demo`` and a one-request command.

(a) ``efile-tui demo`` in a 120x40 pseudo-terminal: seconds from the fork until the home
folder is listed (the path pane's ``N entries``), and from ``q`` until the process has
exited (the prompt is back). Baseline: the TUI against a simulator that is already running
over the same sample tree, timed the same way. Targets: the listing within +0.5 s of the
baseline, the prompt back within 1 s.

(b) ``efile-tui ls HOME`` (one ``file/list`` request) against a bare script that imports
httpx and sends the same request, printing the names: wall time of the process. Both are
checked to have sent exactly one request. Target: within 1.3x the script.

Run through ``bench/startup.py`` (one section with the TUI's first frame).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import common
from common import Figure
from pty_run import child_env, time_to_text

from efile_tui.sim.seed import seed_tree

DEMO_RUNS = 5
CLI_RUNS = 11
DEMO_ABOVE = 0.5  # target: demo's listing at most this much after the baseline's
QUIT_TARGET = 1.0
CLI_RATIO = 1.3
LIST = "/efile/openapi/v2/file/list"

BARE_SCRIPT = f"""
import os, httpx
answer = httpx.get(
    os.environ["EFILE_URL"] + {LIST!r},
    params={{"path": os.environ["EFILE_HOME"], "start": 0, "limit": 1000}},
    headers={{"token": os.environ["EFILE_TOKEN"]}},
    timeout=60,
)
answer.raise_for_status()
for entry in answer.json()["data"]["fileList"]:
    print(entry["name"])
"""


def private_env(base: Path, extra: dict[str, str]) -> dict[str, str]:
    """``child_env`` with XDG folders and TMPDIR of its own under ``base``."""
    env = {k: v for k, v in child_env().items() if not k.startswith("EFILE_") and k != "TMUX"}
    for name in ("CONFIG", "STATE", "DATA", "CACHE"):
        env[f"XDG_{name}_HOME"] = str(base / name.lower())
    env["TMPDIR"] = str(base / "tmp")
    (base / "tmp").mkdir(parents=True, exist_ok=True)
    return {**env, "TERM": "xterm-256color", **extra}


def demo_figures(listed: object) -> tuple[list[Figure], str]:
    """Demo first listing and quit, next to the TUI against a running simulator.
    ``listed``: the pattern the path pane shows once the home is listed."""
    py = sys.executable
    demo_frames: list[float] = []
    demo_quits: list[float] = []
    base_frames: list[float] = []
    base_quits: list[float] = []
    with common.simulator() as sim, tempfile.TemporaryDirectory(prefix="efile-demo-") as tmp:
        seed_tree(sim.config.root)  # the demo's small tree
        base_env = private_env(
            Path(tmp, "base"),
            {"EFILE_URL": sim.url, "EFILE_TOKEN": sim.token, "EFILE_HOME": sim.config.home},
        )
        for n in range(DEMO_RUNS):  # interleaved, so drift hits both alike
            demo_env = private_env(Path(tmp, f"demo{n}"), {})
            (frame,) = time_to_text(
                [py, "-m", "efile_tui", "demo"], demo_env, [listed], b"q", quits=demo_quits
            )
            demo_frames.append(frame)
            (frame,) = time_to_text(
                [py, "-m", "efile_tui"], base_env, [listed], b"q", quits=base_quits
            )
            base_frames.append(frame)
    demo, base = common.median(demo_frames), common.median(base_frames)
    quit_demo = common.median(demo_quits)
    figures = [
        Figure(
            "`efile-tui demo` → home listed",
            demo,
            "s",
            base,
            f"≤ baseline + {DEMO_ABOVE} s",
            demo - base <= DEMO_ABOVE,
            runs=demo_frames,
            base_runs=base_frames,
        ),
        Figure(
            "`efile-tui demo`: `q` → prompt back",
            quit_demo,
            "s",
            common.median(base_quits),
            f"≤ {QUIT_TARGET} s",
            quit_demo <= QUIT_TARGET,
            runs=demo_quits,
            base_runs=base_quits,
        ),
    ]
    notes = (
        f"Demo rows: {DEMO_RUNS} runs each of `efile-tui demo` and, as the baseline, "
        "`efile-tui` against a simulator already running over the same sample tree "
        "(3,008 files), interleaved, in a 120x40 pseudo-terminal with XDG folders and "
        "TMPDIR of their own. Clock from fork until the path pane says how many entries "
        "the home holds, then from `q` until the process has exited."
    )
    return figures, notes


def wall_time(argv: list[str], env: dict[str, str]) -> float:
    """Seconds one run of ``argv`` takes (output discarded; a failure stops the bench)."""
    t0 = time.perf_counter()
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, check=True, **quiet)
    return time.perf_counter() - t0


def cli_figures() -> tuple[list[Figure], str]:
    """``efile-tui ls HOME`` next to a bare httpx script sending the same request."""
    py = sys.executable
    with common.simulator() as sim, tempfile.TemporaryDirectory(prefix="efile-cli-") as tmp:
        seed_tree(sim.config.root, projects=1, small_files=40, large_files=0)
        env = private_env(
            Path(tmp),
            {"EFILE_URL": sim.url, "EFILE_TOKEN": sim.token, "EFILE_HOME": sim.config.home},
        )
        script = Path(tmp, "bare_list.py")
        script.write_text(BARE_SCRIPT, encoding="utf-8")
        commands = {
            "efile-tui": [py, "-m", "efile_tui", "ls", sim.config.home],
            "bare": [py, str(script)],
        }
        for argv in commands.values():  # each sends exactly one request, the same one
            before = len(sim.requests())
            wall_time(argv, env)
            sent = sim.requests()[before:]
            assert [r["path"] for r in sent] == [LIST], sent
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(CLI_RUNS):
            for name, argv in commands.items():
                times[name].append(wall_time(argv, env))
    ours, bare = common.median(times["efile-tui"]), common.median(times["bare"])
    figure = Figure(
        "`efile-tui ls HOME` (one request)",
        ours,
        "s",
        bare,
        f"≤ {CLI_RATIO}× baseline",
        ours <= CLI_RATIO * bare,
        runs=times["efile-tui"],
        base_runs=times["bare"],
    )
    notes = (
        f"CLI row: {CLI_RUNS} runs each, interleaved, of `python -m efile_tui ls HOME` and of "
        "a bare script that imports httpx, sends the same `file/list` request with the "
        "token header and prints the names (both checked to send exactly that one "
        "request), against a simulator over 41 files."
    )
    return [figure], notes
