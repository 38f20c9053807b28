"""Noticing that the terminal has gone, and ending the process if the shutdown stalls.

A dropped SSH link or a closed tmux pane does not always send SIGHUP; the app polls its
terminal's file descriptors (``terminal_gone``) and exits with ``EXIT_HANGUP``. If the
normal shutdown takes longer than ``EXIT_GRACE``, ``forced_exit`` ends the process.
"""

from __future__ import annotations

import contextlib
import os
import select
import sys
from collections.abc import Sequence

from efile_tui.i18n import _, shown

EXIT_GRACE = 1.5  # seconds the normal shutdown gets before the process is ended anyway
EXIT_HANGUP = 129  # 128 + SIGHUP
WATCHDOG_PERIOD = 0.25  # seconds between checks that the terminal is still there


def terminal_fds() -> list[int]:
    """The standard streams that are terminals now (the ones the watchdog keeps an eye on)."""
    fds = []
    for stream in (sys.__stdin__, sys.__stdout__, sys.__stderr__):
        with contextlib.suppress(AttributeError, OSError, ValueError):
            fd = stream.fileno()  # type: ignore[union-attr]
            if os.isatty(fd):
                fds.append(fd)
    return fds


def terminal_gone(fds: Sequence[int]) -> bool:
    """True when the terminal behind ``fds`` has hung up or is no longer a terminal.

    A hung-up terminal reports POLLHUP (or POLLERR/POLLNVAL) without blocking; nothing is
    read from it, so keys waiting for the app are left alone.
    """
    watch = select.poll()
    for fd in fds:
        watch.register(fd, 0)  # HUP, ERR and NVAL are always reported
    try:
        ready = watch.poll(0)
    except OSError:
        return True
    if any(event & (select.POLLHUP | select.POLLERR | select.POLLNVAL) for _, event in ready):
        return True
    try:
        return not all(os.isatty(fd) for fd in fds)
    except OSError:
        return True


def forced_exit(why: str) -> None:
    """The normal shutdown stalled: end the process (the journal's appends are whole lines)."""
    with contextlib.suppress(OSError):
        line = _("efile-tui: exiting ({why}); shutdown stalled, ended").format(why=shown(why))
        os.write(2, f"{line}\n".encode())
    os._exit(EXIT_HANGUP)
