"""The real ``efile-tui`` binary in a real terminal (tmux) against the simulator."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from efile_tui.sim.config import SimConfig
from efile_tui.sim.server import SimServer

pytestmark = pytest.mark.tmux
HOME = "/public/home/demo"


class Tmux:
    """One private tmux server (its own socket) running one command."""

    def __init__(self, command: list[str], env: dict[str, str], size: tuple[int, int]) -> None:
        self.socket = f"efile-test-{uuid.uuid4().hex[:8]}"
        # The token travels in the environment of the tmux server, never in argv.
        subprocess.run(
            [
                "tmux",
                "-L",
                self.socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                "t",
                "-x",
                str(size[0]),
                "-y",
                str(size[1]),
                *command,
            ],
            # The terminal says how big it is: COLUMNS/LINES (pytest-xdist's workers export
            # 80x24) would pin the app to that size through every resize.
            env={k: v for k, v in env.items() if k not in ("COLUMNS", "LINES")},
            check=True,
        )

    def tmux(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True
        ).stdout

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.tmux("send-keys", "-t", "t", key)
            time.sleep(0.3)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "t")

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} not on screen after {timeout} s:\n{self.screen()}")

    def wait_until_gone(self, text: str, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while text in self.screen():
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} still on screen:\n{self.screen()}")
            time.sleep(0.2)

    def alive(self) -> bool:
        return (
            subprocess.run(
                ["tmux", "-L", self.socket, "has-session", "-t", "t"], capture_output=True
            ).returncode
            == 0
        )

    def kill(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def running(pid: int) -> bool:
    """True while the process exists and has not exited (a zombie has exited)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def binary() -> list[str]:
    """The installed console script (as the README installs it), else the module."""
    found = shutil.which("efile-tui")
    return [found] if found else [sys.executable, "-m", "efile_tui"]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    for name, files in (("alpha", 30), ("beta", 400), ("gamma", 400)):
        (root / name).mkdir(parents=True)
        for i in range(files):
            (root / name / f"f{i:04d}").write_bytes(b"x" * 64)
    return root


def test_delete_watch_mark_cancel_quit_in_tmux(tree: Path, tmp_path: Path) -> None:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (apt-get install tmux)")
    server = SimServer(SimConfig(root=tree, files_per_second=10)).start()
    env = {
        **os.environ,
        "EFILE_URL": server.url,
        "EFILE_TOKEN": server.token,
        "EFILE_HOME": HOME,
        "TERM": "xterm-256color",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    term = Tmux([*binary(), "--no-mouse", "--interval", "0.5"], env, (120, 40))
    try:
        term.wait_for(HOME)
        term.wait_for("alpha/")
        # Delete alpha: cursor starts on "../"; the dialog's focus starts on Cancel.
        term.keys("Down", "d")
        term.wait_for("Delete 1 path?")
        term.wait_for("files: 30")
        term.keys("Tab", "Enter")
        screen = term.wait_for("✓ complete", timeout=30)
        assert "alpha" in screen
        assert not (tree / "alpha").exists()
        # Delete beta and gamma together, then cancel both while they run.
        term.wait_until_gone("alpha/")  # the folder listing was refreshed
        term.keys("Home", "Down", "Space", "Space", "d")
        term.wait_for("Delete 2 paths?")
        term.wait_for("files: 800")
        term.keys("Tab", "Enter")
        term.wait_for("▶ processing")
        term.wait_until_gone("Delete 2 paths?")
        term.keys("Tab")  # to the task table, newest first
        term.wait_for("c Cancel tasks")
        term.keys("Home", "Space", "Space", "c")
        term.wait_for("Cancel 2 tasks?")
        term.keys("Tab", "Enter")
        screen = term.wait_for("Cancel results: 2 of 2 cancelled")
        term.keys("Escape")
        term.wait_for("⊘ cancel", timeout=15)
        assert any((tree / "beta").iterdir()) and any((tree / "gamma").iterdir())
        term.keys("q")
        deadline = time.monotonic() + 5
        while term.alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not term.alive(), "the app did not quit on q"
    finally:
        term.kill()
        server.stop()
    assert server.token not in screen
