"""Start-up: how long ``efile-tui --version`` takes, and how long until the TUI paints.

(a) ``--version`` wall time: ``python -m efile_tui --version`` (and the ``efile-tui``
console script found on PATH, plus the real script next to this interpreter when PATH only
has a pyenv shim), median of ``RUNS`` runs each, next to a bare interpreter
(``python -c pass``) and ``python -c "import textual.app"`` (what an eager TUI import
would add). ``python -X importtime`` then names the heaviest modules ``--version`` imports.

(b) Time to the first painted frame: the real TUI is spawned in a pseudo-terminal of
120x40 against the simulator (EFILE_URL / EFILE_TOKEN / EFILE_HOME in the environment,
isolated XDG_* directories, TERM=xterm-256color); the clock runs from the fork until the
output contains the status bar's ``· poll `` (only the main screen paints it), and on
until the home folder's entry count appears in the path pane. The baseline is a minimal
Textual app (one ``Static``) spawned the same way, timed until its text appears. Each
process is then quit with its key (``q`` / ``ctrl+q``), SIGTERM if that fails.

(c) ``efile-tui demo`` and a one-request command (``ls``), each next to its baseline: see
``bench/first_use.py``.

Every spawned process gets ``PYTHONPATH`` = this checkout, so the checkout is measured
rather than an installed copy; the checkout is compiled first, as ``pip install`` compiles
an installed copy.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import common
import first_use
from common import Figure
from journal_fill import fill
from pty_run import COLS, ROWS, child_env, time_to_text

from efile_tui.sim.seed import seed_tree

RUNS = 11  # --version runs per command
TUI_RUNS = 9  # TUI spawns per app and journal size (the first frame is within noise of its target)
JOURNALS = (0, 10_000, 100_000)  # tasks in the journal
ABOVE_EMPTY = {10_000: 0.3, 100_000: 1.0}  # targets: rows painted, above the empty journal
VERSION_TARGET = 0.15
FRAME_ABOVE = 0.3  # target: the TUI's first frame (empty journal) above a minimal Textual app

MAIN_MARKER = "· poll "  # the status bar; nothing else on any screen says this
HOME_LISTED = re.compile(r"\d[\d,]* entr(?:y|ies)")  # the path pane's info row, once listed
HELLO = "hello from a minimal Textual app"


def table_marks(count: int) -> list[re.Pattern[str]]:
    """What the task table shows once its first rows, then all of them, are painted."""
    if not count:
        return [re.compile(r"\b0 of 0 tasks"), re.compile(r"\b0 of 0 tasks")]
    done = f"{count:,} of {count:,} tasks"
    return [re.compile(f"{count - 1:08d}"), re.compile(re.escape(done) + r"(?! · loading)")]


HELLO_APP = f"""
from textual.app import App
from textual.widgets import Static


class Hello(App):
    def compose(self):
        yield Static({HELLO!r})


Hello().run()
"""


def wall_times(argv: list[str], runs: int = RUNS) -> list[float]:
    """Wall time of ``runs`` runs of ``argv`` (output discarded)."""
    times = []
    env = child_env()
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(argv, env=env, cwd=common.ROOT, stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - t0)
    return times


def import_times() -> dict[str, float]:
    """Cumulative import time (ms) of every module ``--version`` imports (one run)."""
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "efile_tui", "--version"],
        env=child_env(),
        cwd=common.ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    times: dict[str, float] = {}
    for line in out.splitlines():
        parts = line.split("|")
        if line.startswith("import time:") and len(parts) == 3 and parts[1].strip().isdigit():
            times.setdefault(parts[2].strip(), int(parts[1]) / 1000)
    return times


# Modules worth watching: `--version` must load none of them (one `-X importtime` run).
HEAVY = ("httpx", "textual", "keyring", "asyncio", "efile_tui.sim.cli", "efile_tui.cli.run")


def main() -> None:
    """Measure, print and record the start-up section."""
    common.compile_checkout()
    py = sys.executable
    figures: list[Figure] = []
    notes: list[str] = []

    # (a) --version, next to a bare interpreter and an eager Textual import.
    bare = common.median(wall_times([py, "-c", "pass"]))
    textual_import = common.median(wall_times([py, "-c", "import textual.app"]))
    module = common.median(wall_times([py, "-m", "efile_tui", "--version"]))
    figures.append(
        Figure(
            "`python -m efile_tui --version`",
            module,
            "s",
            bare,
            f"≤ {VERSION_TARGET} s",
            module <= VERSION_TARGET,
        )
    )
    scripts: list[tuple[str, str]] = []
    on_path = shutil.which("efile-tui")
    if on_path:
        kind = "a pyenv shim" if "shims" in on_path else "the console script on PATH"
        scripts.append((f"`efile-tui --version` ({kind})", on_path))
        beside = Path(py).parent / "efile-tui"
        if "shims" in on_path and beside.exists():
            scripts.append(("`efile-tui --version` (script beside python, no shim)", str(beside)))
    for label, script in scripts:
        value = common.median(wall_times([script, "--version"]))
        if "shims" in script:  # pyenv's own start-up, and whatever that Python has installed
            figures.append(Figure(label + " (a shim: not the code measured)", value, "s", bare))
            continue
        figures.append(
            Figure(label, value, "s", bare, f"≤ {VERSION_TARGET} s", value <= VERSION_TARGET)
        )
    figures.append(Figure("`python -c 'import textual.app'`", textual_import, "s", bare))
    floor = common.median(wall_times([py, "-c", "import argparse, efile_tui"]))
    figures.append(Figure("`python -c 'import argparse, efile_tui'` (floor)", floor, "s", bare))
    times = import_times()
    heavy = [(name, times[name]) for name in HEAVY if name in times]
    loaded = (
        "; ".join(f"`{name}` {ms:.0f} ms (cumulative)" for name, ms in heavy)
        if heavy
        else "none of them"
    )
    notes.append(
        "Baseline of every `--version` row: a bare `python -c pass` "
        f"({bare * 1000:.0f} ms). The floor row is the package and argparse alone. "
        f"Of {', '.join(f'`{name}`' for name in HEAVY)}, `--version` loads (one "
        f"`-X importtime` run): {loaded}; its whole import is "
        f"`efile_tui.cli` {times.get('efile_tui.cli', 0.0):.1f} ms."
    )

    # (b) first painted frame of the TUI against the simulator, over journals of 0, 10,000
    # and 100,000 tasks.
    with common.simulator() as sim, tempfile.TemporaryDirectory(prefix="efile-xdg-") as xdg:
        seed_tree(sim.config.root, projects=1, small_files=40, large_files=0)
        env = child_env(
            {
                "EFILE_URL": sim.url,
                "EFILE_TOKEN": sim.token,  # in the environment, never on the command line
                "EFILE_HOME": sim.config.home,
                "TERM": "xterm-256color",
                "COLUMNS": str(COLS),
                "LINES": str(ROWS),
            }
        )
        for name in ("CONFIG", "STATE", "DATA", "CACHE", "RUNTIME"):
            env[f"XDG_{name}_HOME" if name != "RUNTIME" else "XDG_RUNTIME_DIR"] = str(
                Path(xdg, name.lower())
            )
        env.pop("TMUX", None)
        hello = Path(xdg, "hello_app.py")
        hello.write_text(HELLO_APP, encoding="utf-8")
        base = []
        frames: dict[int, list[float]] = {n: [] for n in JOURNALS}
        shown: dict[int, list[float]] = {n: [] for n in JOURNALS}
        whole: dict[int, list[float]] = {n: [] for n in JOURNALS}
        memory: dict[int, list[float]] = {n: [] for n in JOURNALS}
        states = {}
        for count in JOURNALS:
            states[count] = Path(xdg, f"state-{count}")
            states[count].mkdir()
            if count:
                fill(states[count], count)
        for _ in range(TUI_RUNS):  # interleaved, so drift hits every kind alike
            for count in JOURNALS:
                env["EFILE_TUI_STATE_DIR"] = str(states[count])
                marks = [re.compile(re.escape(MAIN_MARKER)), *table_marks(count)]
                first, rows, everything = time_to_text(
                    [py, "-m", "efile_tui"], env, marks, b"q", memory[count]
                )
                frames[count].append(first)
                shown[count].append(rows)
                whole[count].append(everything)
            (hello_frame,) = time_to_text(
                [py, str(hello)], env, [re.compile(re.escape(HELLO))], b"\x11"
            )
            base.append(hello_frame)
    hello_time = common.median(base)
    empty = common.median(shown[0])
    for count in JOURNALS:
        rows_time = common.median(shown[count])
        first = common.median(frames[count])
        figures.append(
            Figure(
                f"TUI first frame, {count:,} tasks",
                first,
                "s",
                hello_time,
                f"≤ baseline + {FRAME_ABOVE} s" if not count else "",
                first - hello_time <= FRAME_ABOVE if not count else None,
                runs=frames[count],
                base_runs=base,
            )
        )
        target = ABOVE_EMPTY.get(count)
        figures.append(
            Figure(
                f"TUI start → task rows painted, {count:,} tasks",
                rows_time,
                "s",
                empty,
                f"≤ {target} s above empty" if target else "",
                rows_time - empty <= target if target else None,
                runs=shown[count],
                base_runs=shown[0],
            )
        )
        if count:
            figures.append(
                Figure(
                    f"TUI start → all {count:,} loaded and sorted",
                    common.median(whole[count]),
                    "s",
                    empty,
                )
            )
        # The first start finds the journal as journal_fill.py wrote it (writer files) and
        # compacts it into a snapshot; the later ones read that snapshot.
        kinds = [("first start", memory[count][:1]), ("later starts", memory[count][1:])]
        for kind, peaks in kinds if count else [("", memory[count])]:
            peak = max(peaks)
            figures.append(
                Figure(
                    f"TUI peak RSS, {count:,} tasks" + (f", {kind}" if kind else ""),
                    peak,
                    "MB",
                    None,
                    "≤ 200 MB" if count == 100_000 else "",
                    peak <= 200 if count == 100_000 else None,
                )
            )
    notes.append(
        f"TUI rows: median of {TUI_RUNS} spawns of the real `efile-tui` in a {COLS}x{ROWS} "
        "pseudo-terminal against the simulator (41 files in home), with `EFILE_TUI_STATE_DIR` "
        "holding a journal of 0, 10,000 or 100,000 tasks (`bench/journal_fill.py`). Clock "
        "from fork until the status bar (`· poll `) appears (first frame), until the newest "
        "task's id is on screen (rows painted; for 0 tasks `0 of 0 tasks`), and until the "
        "info line says every task is loaded and sorted. Baseline of the rows figures: the "
        "same with the empty journal; of the first-frame figures: a minimal Textual app "
        "(one `Static`). Peak RSS is the process's VmHWM once everything is shown: for the "
        "first start, which finds the journal as `journal_fill.py` wrote it (writer files "
        "only) and compacts it into a snapshot, and the most of the later starts, which read "
        "that snapshot. Runs (s): "
        + "; ".join(
            f"{n:,}: first frame {', '.join(f'{t:.2f}' for t in frames[n])}, rows "
            f"{', '.join(f'{t:.2f}' for t in shown[n])}"
            for n in JOURNALS
        )
        + f"; minimal app {', '.join(f'{t:.2f}' for t in base)}."
    )
    # (c) what a newcomer meets first: the demo, and a one-request command.
    for part, note in (first_use.demo_figures(HOME_LISTED), first_use.cli_figures()):
        figures += part
        notes.append(note)
    common.write_section(
        "startup", "Start-up", "python bench/startup.py", figures, "\n\n".join(notes)
    )


if __name__ == "__main__":
    main()
