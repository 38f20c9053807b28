"""``efile-tui demo`` in a real terminal: the sample tree arrives whole, ``q`` gives the
prompt back at once and the temporary folder is removed after the terminal is back."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from tests.e2e.test_tui_tmux import Tmux, binary

pytestmark = pytest.mark.tmux


def wait(condition, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} after {timeout} s")
        time.sleep(0.1)


def test_demo_opens_gets_its_big_folder_whole_and_quits_at_once(tmp_path: Path) -> None:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (apt-get install tmux)")
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("EFILE_")}
    env.update(
        TMPDIR=str(temp),
        TERM="xterm-256color",
        PYTHONPATH=str(Path(__file__).resolve().parents[2]),
    )
    term = Tmux([*binary(), "demo", "--big-folder", "700", "--no-mouse"], env, (120, 40))
    try:
        term.wait_for("proj-climate/", timeout=120)
        (demo,) = temp.glob("efile-tui-demo-*")
        wait(lambda: (demo / "home" / "big-folder").exists(), 120, "no big folder")
        term.keys("Down", "Enter")  # into a project and back: the home is listed again
        term.wait_for("../")
        term.keys("BSpace")
        term.wait_for("big-folder/")
        term.keys("Home", "Down", "Enter")  # "../" first, then the big folder (folders sort first)
        term.wait_for("of 700 loaded")  # renamed into place whole, never shown half-written
        term.keys("q")
        began = time.monotonic()
        wait(lambda: not term.alive(), 30, "the demo still runs")
        quit_took = time.monotonic() - began
        wait(lambda: not demo.exists(), 60, "the demo's folder is still there")
    finally:
        term.kill()
    # The prompt is back before the folder is gone (removed by a process of its own); the
    # bench measures how soon (bench/startup.py), this only bounds it.
    assert quit_took < 10, quit_took
