"""The in-process CLI runner gives a run what a process would have and leaves nothing
behind for the next run (environment, signal handlers, logging, streams, glyphs)."""

from __future__ import annotations

import logging
import os
import signal
import sys

from efile_tui import glyphs
from tests.cli_runner import SIGNALS
from tests.conftest import HOME, Sim


def process_state() -> dict[str, object]:
    root = logging.getLogger()
    return {
        "environ": dict(os.environ),
        "signals": {s: signal.getsignal(s) for s in SIGNALS},
        "logging": (list(root.handlers), root.level),
        "streams": (sys.stdin, sys.stdout, sys.stderr),
        "argv": list(sys.argv),
        "cwd": os.getcwd(),
        "glyphs": glyphs.current(),
    }


def test_a_run_leaves_the_process_as_it_found_it(sim: Sim) -> None:
    (sim.root / "数据-ü.txt").write_bytes(b"x")
    before = process_state()
    # --debug logs to stderr; ASCII glyphs and a command that installs signal handlers
    first = sim.cli("--debug", "ls", HOME, env={"EFILE_TUI_GLYPHS": "ascii"})
    assert first.code == 0, first.err
    assert "数据-ü.txt" in first.out  # UTF-8 bytes decoded as a pipe's reader would
    assert "GET" in first.err or "HTTP Request" in first.err, first.err
    assert process_state() == before
    second = sim.cli("ls", HOME)
    assert second.code == 0 and "HTTP Request" not in second.err, second.err  # no debug log


def test_exit_codes_and_escaping_errors_are_a_processs(sim: Sim) -> None:
    usage = sim.cli("ls", "--no-such-flag")
    assert usage.code == 2 and "unrecognized arguments: --no-such-flag" in usage.err
    assert sim.cli("--version").code == 0
    unreachable = sim.cli(
        "ls", HOME, env={"EFILE_URL": "http://127.0.0.1:9", "EFILE_DEADLINE": "2"}
    )
    assert unreachable.code == 3, unreachable.err
