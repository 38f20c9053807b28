"""Each command imports only what it needs: a one-request command never pays for the
simulator's web server, the TUI, the keyring or httpx's own command-line client."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from efile_tui.cli.parser import COMMAND_MODULES, build_parser
from tests.conftest import Sim

ROOT = Path(__file__).resolve().parents[2]

SERVER = ("uvicorn", "starlette", "efile_tui.sim.server")
UI = ("textual", "efile_tui.ui")
# httpx's command-line client and what it imports (core/cells uses rich.cells alone)
CLIENT_CLI = ("httpx._main", "rich.console", "pygments", "click")
KEYRING = ("keyring", "efile_tui.store.tokens")
# the dialogs: loaded when one opens, not before the first frame
DIALOGS = tuple(
    f"efile_tui.ui.modals.{name}"
    for name in ("cancel", "confirm_delete", "help", "label", "login", "misc", "transfer")
)

# command line -> modules it must not load (the token comes from EFILE_TOKEN); one line
# per command module (cli/files, submit, tasks, auth, doctor, demo)
CASES: dict[str, tuple[str, ...]] = {
    "ls": SERVER + UI + CLIENT_CLI + KEYRING,
    "rm --yes /": SERVER + UI + CLIENT_CLI + KEYRING,  # refused before sending
    "tasks": SERVER + UI + CLIENT_CLI + KEYRING,
    "watch": SERVER + UI + CLIENT_CLI + KEYRING,
    "auth status": SERVER + UI + CLIENT_CLI,  # reads the token store: the keyring is needed
    "doctor": SERVER + UI + CLIENT_CLI,
    "sim --port -5": UI + CLIENT_CLI + KEYRING,  # a usage error: nothing is served
}

# The forbidden modules (argv[1], comma-separated) that are loaded, on a line of its own.
REPORT = """
names = [n for n, m in sys.modules.items() if m is not None]
hits = [f for f in sys.argv[1].split(",") if any(n == f or n.startswith(f + ".") for n in names)]
print("LOADED", *hits)
"""

PROBE = (
    """
import sys
from efile_tui.cli import main
try:
    main(sys.argv[2:])
except SystemExit:
    pass
"""
    + REPORT
)


def loaded_modules(sim: Sim, lines: dict[str, tuple[str, ...]]) -> dict[str, list[str]]:
    """Run each command line in a fresh interpreter, all at once; the forbidden modules
    each one loaded (a module counts when it or one of its submodules is loaded)."""
    procs = {
        line: subprocess.Popen(
            [sys.executable, "-c", PROBE, ",".join(forbidden), *line.split()],
            env=sim.env,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for line, forbidden in lines.items()
    }
    found = {}
    for line, proc in procs.items():
        out, err = proc.communicate(timeout=120)
        report = [w for w in out.splitlines() if w.split()[:1] == ["LOADED"]]
        assert report, f"{line}: no report\n{out}\n{err}"
        found[line] = report[-1].split()[1:]
    return found


def test_each_command_loads_only_what_it_needs(sim: Sim) -> None:
    found = loaded_modules(sim, CASES)
    assert found == {line: [] for line in CASES}


def test_command_table_names_every_command_and_its_module() -> None:
    every = set(build_parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    assert every == set(COMMAND_MODULES)
    for module in set(COMMAND_MODULES.values()):
        parser = build_parser((module,))
        registered = set(parser._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
        assert registered == {c for c, m in COMMAND_MODULES.items() if m == module}, module


TUI_PROBE = (
    """
import sys
from efile_tui.ui.launch import close_app, create_app
close_app(create_app())
"""
    + REPORT
)


def test_the_tui_with_a_token_in_the_environment_loads_no_keyring_or_server(sim: Sim) -> None:
    """Nor, before it runs, the dialogs, the HTTP machinery or the request handlers with
    the delete machinery: they are loaded by the first request, which waits for the first
    frame."""
    handlers = ("efile_tui.ui.screens.flows", "efile_tui.core.pipeline", "efile_tui.core.walk")
    forbidden = SERVER + KEYRING + DIALOGS + handlers + ("httpx", "httpcore")
    proc = subprocess.run(
        [sys.executable, "-c", TUI_PROBE, ",".join(forbidden)],
        env=sim.env,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = [w for w in proc.stdout.splitlines() if w.startswith("LOADED")]
    assert report == ["LOADED"], proc.stdout + proc.stderr
