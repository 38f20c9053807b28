"""Run the real TUI on a pseudo-terminal we hold the master side of, to hang it up."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

# Forks the TUI, reports its pid, then (unless orphaned) waits and reports its exit status.
LAUNCHER = r"""
import fcntl, os, sys, termios
mode, report = sys.argv[1], int(sys.argv[2])
argv = sys.argv[3:]
pid = os.fork()
if pid == 0:
    if mode != "inherit":
        os.setsid()                                # a session of its own…
    if mode in ("ctty", "orphan"):
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)       # …with the pty as controlling terminal
    os.execvp(argv[0], argv)
os.write(report, f"{pid}\n".encode())
if mode == "orphan":
    os._exit(0)                                    # the TUI is re-parented to PID 1
_, status = os.waitpid(pid, 0)
os.write(report, f"{os.waitstatus_to_exitcode(status)}\n".encode())
"""


class PtyTui:
    """The TUI on a pty. ``mode``: ``ctty`` (controlling terminal: a hang-up sends SIGHUP),
    ``orphan`` (the same, its parent gone so its parent is PID 1) or ``no-ctty`` (a new
    session without a controlling terminal: a hang-up sends no signal at all)."""

    def __init__(self, args: list[str], env: dict[str, str], mode: str) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        read_end, write_end = os.pipe()
        self.launcher = subprocess.Popen(
            [sys.executable, "-c", LAUNCHER, mode, str(write_end), *args],
            env=env,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            pass_fds=(write_end,),
        )
        os.close(slave)
        os.close(write_end)
        self._report = os.fdopen(read_end, "r")
        self.pid = int(self._report.readline())
        self.output = bytearray()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            self.output += data

    def hang_up(self) -> float:
        """Close the master side, as sshd or tmux does when the link or pane goes away."""
        os.close(self.master)
        return time.monotonic()

    def exit_status(self, timeout: float) -> int:
        """The TUI's exit status as its parent saw it (not for ``orphan``)."""
        self.launcher.wait(timeout=timeout)
        return int(self._report.readline())

    def ppid(self) -> int:
        stat = Path(f"/proc/{self.pid}/stat").read_text()
        return int(stat.rsplit(")", 1)[1].split()[1])

    def running(self) -> bool:
        try:
            stat = Path(f"/proc/{self.pid}/stat").read_text()
        except FileNotFoundError:
            return False
        return stat.rsplit(")", 1)[1].split()[0] != "Z"

    def kill(self) -> None:
        if self.running():
            os.kill(self.pid, 9)
        self.launcher.wait(timeout=10)
        self._report.close()
        with contextlib.suppress(OSError):
            os.close(self.master)
