"""Shared fixtures: isolated XDG folders, a simulator on a real loopback socket, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli_runner import CliResult, run_in_process

HOME = "/public/home/demo"


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own config/state/data dirs; nothing touches the real home."""
    base = tmp_path / "xdg"
    for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        path = base / name.lower()
        path.mkdir(parents=True)
        monkeypatch.setenv(name, str(path))
    for name in ("EFILE_URL", "EFILE_TOKEN", "EFILE_HOME", "EFILE_PLATFORM_URL"):
        monkeypatch.delenv(name, raising=False)
    return base


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """English text whatever the machine's LANG (a test that wants Chinese sets
    EFILE_TUI_LANG=zh_CN and calls ``i18n.setup()``, or runs a process with it)."""
    from efile_tui import i18n

    monkeypatch.setenv("EFILE_TUI_LANG", "en")
    i18n.use("en")
    yield
    i18n.use("en")


@dataclass
class Sim:
    """A running simulator plus the environment that points the CLI at it."""

    server: object
    root: Path
    env: dict[str, str]

    def cli(
        self,
        *args: str,
        stdin: str | None = None,
        env: dict[str, str] | None = None,
    ) -> CliResult:
        """Run ``efile-tui ARGS`` through its entry function in this process (the
        environment, argv and standard streams as a subprocess would have them)."""
        return run_in_process(args, {**self.env, **(env or {})}, stdin or "")

    def cli_process(
        self,
        *args: str,
        stdin: str | None = None,
        timeout: float = 60,
        env: dict[str, str] | None = None,
    ) -> CliResult:
        """Run the real ``efile-tui`` in a subprocess: for tests whose point is the
        process boundary (signals, pipes, the locale, an exit that is not a return)."""
        proc = subprocess.run(
            [sys.executable, "-m", "efile_tui", *args],
            env={**self.env, **(env or {})},
            input=stdin if stdin is not None else "",
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        return CliResult(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def sim_factory(tmp_path: Path) -> Iterator[object]:
    """Start simulators on loopback over a seeded tree; stopped after the test."""
    from efile_tui.sim.config import SimConfig
    from efile_tui.sim.seed import seed_tree
    from efile_tui.sim.server import SimServer

    started: list[SimServer] = []

    def start(*, seed: bool = True, **config: object) -> Sim:
        root = tmp_path / f"root{len(started)}"
        root.mkdir()
        if seed:
            seed_tree(root, projects=2, small_files=200, large_files=1, large_size=1 << 20)
        server = SimServer(SimConfig(root=root, **config)).start()  # type: ignore[arg-type]
        started.append(server)
        env = {
            **os.environ,
            "EFILE_URL": server.url,
            "EFILE_TOKEN": server.token,
            "EFILE_HOME": HOME,
            "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
        }
        return Sim(server, root, env)

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def sim(sim_factory: object) -> Sim:
    """One simulator with default settings over a small seeded tree."""
    return sim_factory()  # type: ignore[operator]


# Under .ci/run (EFILE_TUI_STRICT_SKIPS=1) a test skipped because a system part is missing
# is a failure: CI installs tmux, gnome-keyring and dbus, so such a skip means it broke.
STRICT_SKIPS = os.environ.get("EFILE_TUI_STRICT_SKIPS") == "1"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if STRICT_SKIPS and report.skipped:
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"skipped under EFILE_TUI_STRICT_SKIPS=1 (CI must run it): {reason}"


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """Two test workers per core (pyproject caps them at four): much of the suite waits on a
    simulated task, a terminal or a poll interval, and a second worker per core runs its
    tests meanwhile. PYTEST_XDIST_AUTO_NUM_WORKERS still overrides."""
    override = os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS")
    if override and override.isdigit():
        return int(override)
    return 2 * len(os.sched_getaffinity(0))
