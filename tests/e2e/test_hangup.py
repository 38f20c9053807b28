"""Hang-ups of the real TUI on a real pseudo-terminal: SIGHUP, a terminal that goes away
without any signal, and a parent that is PID 1 (normal in a container: no hang-up)."""

from __future__ import annotations

import json
import os
import signal
import sys
import time

import pytest

from tests.conftest import HOME, Sim
from tests.e2e.ptyrun import PtyTui
from tests.e2e.test_journal_e2e import wait_for

HANGUP_LIMIT = 2.0  # seconds: the README's promise


@pytest.fixture
def busy(sim_factory) -> Sim:  # type: ignore[no-untyped-def]
    """A simulator with one long-running delete in the journal, so the TUI keeps polling."""
    sim = sim_factory(files_per_second=2)
    project = sorted(p.name for p in sim.root.iterdir() if p.is_dir())[0]
    assert sim.cli("rm", f"{HOME}/{project}", "--yes").code == 0
    sim.env["TERM"] = "xterm-256color"
    return sim


def start(sim: Sim, mode: str) -> PtyTui:
    tui = PtyTui([sys.executable, "-m", "efile_tui", "--interval", "0.5"], sim.env, mode)
    wait_for(lambda: sim.server.requests("/task/list"), what="the TUI's first poll")  # type: ignore[attr-defined]
    return tui


def polls(sim: Sim) -> int:
    return len(sim.server.requests("/task/list"))  # type: ignore[attr-defined]


def last_audit_event(sim: Sim) -> dict:  # type: ignore[type-arg]
    log = sim.cli("log", "--json")
    assert log.code == 0, log.err
    return json.loads(log.out)[-1]


def test_parent_pid_1_is_not_a_hang_up(busy: Sim) -> None:
    tui = start(busy, "orphan")
    try:
        assert tui.ppid() == 1
        seen = polls(busy)
        # Six more polls at 0.5 s: well past the moment the old check quit (~1.7 s).
        wait_for(lambda: not tui.running() or polls(busy) >= seen + 6, what="more polls")
        assert tui.running(), tui.output.decode(errors="replace")[-500:]
        assert polls(busy) >= seen + 6
        tui.hang_up()  # and it still notices when its terminal really goes
        wait_for(lambda: not tui.running(), timeout=10, what="exit after the hang-up")
    finally:
        tui.kill()
    assert last_audit_event(busy)["event"] == "hangup"


@pytest.mark.parametrize("how", ["no-ctty", "ctty", "sighup"])
def test_hang_up_ends_the_app_cleanly_within_two_seconds(busy: Sim, how: str) -> None:
    # no-ctty: the terminal goes and no signal comes, only the terminal itself tells (the
    # watchdog); ctty: the kernel sends SIGHUP to the session, as when sshd closes the link;
    # sighup: the signal alone, the terminal still there.
    tui = start(busy, "no-ctty" if how == "no-ctty" else "ctty")
    try:
        if how == "sighup":
            os.kill(tui.pid, signal.SIGHUP)
            hung_up = time.monotonic()
        else:
            hung_up = tui.hang_up()
        status = tui.exit_status(timeout=30)
        elapsed = time.monotonic() - hung_up
    finally:
        tui.kill()
    assert status == 129, f"exit status {status} (negative: killed by a signal, no handler)"
    assert elapsed < HANGUP_LIMIT, f"{elapsed:.2f} s after the hang-up"
    sent = polls(busy)
    event = last_audit_event(busy)  # written once polling stopped and the journal closed
    assert event["event"] == "hangup" and event["exit"] == 129
    # A closed session terminal both signals and vanishes: whichever the app notices first
    # (under load the watchdog can see the terminal gone before the signal is handled).
    told = {"no-ctty": {"terminal gone"}, "ctty": {"SIGHUP", "terminal gone"}, "sighup": {"SIGHUP"}}
    assert event["why"] in told[how]
    assert polls(busy) == sent
    if how == "sighup":  # the terminal is still there to show how the process ended
        assert b"shutdown stalled" not in tui.output, "ended by the watchdog, not cleanly"
