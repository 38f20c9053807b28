"""A hung service (the simulator process stopped with SIGSTOP) in a real terminal: the
header says STALE and why, at 60x15 without colour and at 120x40, and ``N`` has the note."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.test_tui_tmux import HOME, Tmux, binary

pytestmark = pytest.mark.tmux
TOKEN = "stale-test-token-0123456789"


def start_simulator(root: Path) -> tuple[subprocess.Popen[str], str]:
    """The simulator in its own process (so it can be stopped), and its URL."""
    for i in range(40):
        (root / "alpha" / f"f{i:03d}").parent.mkdir(parents=True, exist_ok=True)
        (root / "alpha" / f"f{i:03d}").write_bytes(b"x")
    proc = subprocess.Popen(
        [sys.executable, "-m", "efile_tui", "sim", "--root", str(root), "--files-per-second", "1"],
        env={**os.environ, "EFILE_SIM_TOKEN": TOKEN, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        found = re.search(r"export EFILE_URL=(\S+)", line)
        if found:
            return proc, found.group(1)
    raise AssertionError("the simulator printed no URL")


def test_hung_service_is_stale_in_words_without_colour(tmp_path: Path) -> None:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (apt-get install tmux)")
    sim, url = start_simulator(tmp_path / "root")
    env = {
        **os.environ,
        "EFILE_URL": url,
        "EFILE_TOKEN": TOKEN,
        "EFILE_HOME": HOME,
        "TERM": "xterm-256color",
        "NO_COLOR": "1",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    submitted = subprocess.run(
        [*binary(), "rm", f"{HOME}/alpha", "--yes"], env=env, capture_output=True, text=True
    )
    assert submitted.returncode == 0, submitted.stderr
    # A deadline past the stale floor (8 s): first "no answer for N s", then "timed out".
    term = Tmux([*binary(), "--no-mouse", "--interval", "1", "--deadline", "12"], env, (60, 15))
    try:
        term.wait_for("updated")
        term.wait_for("▶1")
        sim.send_signal(signal.SIGSTOP)  # hung: connections open, nothing answers
        screen = term.wait_for("stale: no answer for", timeout=30)
        first = screen.splitlines()[0]
        assert re.match(r"^ stale: no answer for \d+ s", first), first
        term.tmux("resize-window", "-t", "t", "-x", "120", "-y", "40")
        screen = term.wait_for("poll 1 s")
        first = screen.splitlines()[0]
        assert re.match(r"^ (stale|STALE): no answer for \d+ (s|min) · ", first), first
        assert url.removeprefix("http://") in first and "▶1" in first
        term.keys("N")
        screen = term.wait_for("Notifications this session")
        assert re.search(r"warning Stale: no answer for \d+ s: The task table shows", screen)
        term.keys("Escape")
        # The hung request ends at its deadline (one, retries included): the reason in words,
        # and the error's retry counted down or under way (the retry hangs too).
        screen = term.wait_for(": timed out", timeout=30)
        first = screen.splitlines()[0]
        assert re.match(r"^ (stale|STALE): timed out · ", first), first
        assert re.search(r"Service unreachable; (retry in \d+ s|retrying)", first), first
        sim.send_signal(signal.SIGCONT)
        term.wait_until_gone("timed out", timeout=30)
        first = term.screen().splitlines()[0]
        assert "updated" in first and "stale" not in first.lower(), first
    finally:
        term.kill()
        sim.send_signal(signal.SIGCONT)
        sim.terminate()
        sim.wait(10)
    assert TOKEN not in screen
