"""Timing a program in a pseudo-terminal: fork it onto a 120x40 pty as its controlling
terminal and read what it paints, with the clock running from the fork."""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import termios
import time

import common

COLS, ROWS = 120, 40
TIMEOUT = 60.0  # give up on one spawn after this long


# CSI, OSC, DCS/APC/PM/SOS strings and two-byte escapes: everything that is not text.
_ESCAPES = re.compile(
    rb"\x1b\[[0-?]*[ -/]*[@-~]"
    rb"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"
    rb"|\x1b[PX^_][^\x1b]*\x1b\\"
    rb"|\x1b[@-Z\\-_]"
)


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a spawned process: this checkout first on the path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(common.ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra or {})
    return env


def spawn_in_pty(argv: list[str], env: dict[str, str]) -> tuple[int, int]:
    """Fork ``argv`` onto a new 120x40 pseudo-terminal as its controlling tty: (pid, master)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    pid = os.fork()
    if pid == 0:  # the child: only os calls until exec
        try:
            os.close(master)
            os.setsid()
            fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
            for fd in (0, 1, 2):
                os.dup2(slave, fd)
            if slave > 2:
                os.close(slave)
            os.chdir(common.ROOT)
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    os.close(slave)
    return pid, master


def _read(master: int, timeout: float) -> bytes:
    ready, _, _ = select.select([master], [], [], timeout)
    if not ready:
        return b""
    try:
        return os.read(master, 65536)
    except OSError:  # EIO: the child closed the terminal
        return b""


def _finish(pid: int, master: int, quit_key: bytes) -> float | None:
    """Quit the app with its key, then SIGTERM, then SIGKILL; reap it; close the pty.
    Seconds from the key until the process had exited (None if it took a signal)."""
    os.write(master, quit_key)
    t0 = time.perf_counter()
    for sig in (None, signal.SIGTERM, signal.SIGKILL):
        if sig is not None:
            os.kill(pid, sig)
        deadline = time.monotonic() + 3.0
        while time.monotonic() < deadline:
            _read(master, 0.005)  # keep draining so the app never blocks on a full pty
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                took = time.perf_counter() - t0
                os.close(master)
                return took if sig is None else None
    os.waitpid(pid, 0)  # pragma: no cover - SIGKILL always ends it
    os.close(master)
    return None


def time_to_text(
    argv: list[str],
    env: dict[str, str],
    marks: list[re.Pattern[str]],
    quit_key: bytes,
    memory: list[float] | None = None,
    quits: list[float] | None = None,
) -> list[float]:
    """Seconds from fork until each pattern in ``marks`` has appeared in the terminal text
    (``memory``: gets the process's peak RSS in MB once the last one has; ``quits``: the
    seconds from the quit key until the process had exited, if it did so by itself)."""
    t0 = time.perf_counter()
    pid, master = spawn_in_pty(argv, env)
    found: list[float] = []
    raw = b""
    try:
        while len(found) < len(marks):
            if time.perf_counter() - t0 > TIMEOUT:
                text = _ESCAPES.sub(b"", raw).decode("utf-8", "replace")[-400:]
                raise RuntimeError(f"{argv[-1]}: no {marks[len(found)].pattern!r}; saw {text!r}")
            chunk = _read(master, 0.02)
            if not chunk:
                continue
            raw += chunk
            text = _ESCAPES.sub(b"", raw).decode("utf-8", "replace")
            now = time.perf_counter() - t0
            while len(found) < len(marks) and marks[len(found)].search(text):
                found.append(now)
        if memory is not None:
            memory.append(common.peak_rss_mb(pid))
    finally:
        took = _finish(pid, master, quit_key)
    if quits is not None:
        if took is None:
            raise RuntimeError(f"{argv[-1]}: did not exit on its quit key within 3 s")
        quits.append(took)
    return found
