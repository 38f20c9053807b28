"""The profile's ``bell = true``: the TUI rings once every watched task has ended."""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any

import pytest

from efile_tui.config import config_path
from tests.cli_runner import CliResult
from tests.e2e.test_protection import first_project, profile_env, save_profile
from tests.ui.harness import HOME, wait_until
from tests.ui.test_hostile_text import screen_text

SAID = "Every watched task has ended."


def run(env: dict[str, str], *args: str) -> CliResult:
    """``efile-tui ARGS`` in a process of its own with exactly ``env``: this test's event loop
    (and the app on it) is running, so the in-process runner cannot be used here."""
    proc = subprocess.run(
        [sys.executable, "-m", "efile_tui", *args],
        env=env,
        input="",
        capture_output=True,
        text=True,
        timeout=60,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


@pytest.mark.parametrize("bell", [True, False])
async def test_bell_when_every_watched_task_has_ended(
    sim_factory: Any, monkeypatch: pytest.MonkeyPatch, bell: bool
) -> None:
    from efile_tui.ui.launch import close_app, create_app

    sim = sim_factory(files_per_second=2)  # the delete runs until it is cancelled
    save_profile(sim.server, bell=bell, poll_interval=0.3)
    assert ("bell = true" in config_path().read_text()) is bell  # the key as users spell it
    env = profile_env(sim)
    done = run(env, "rm", f"{HOME}/{first_project(sim.root)}", "--yes")
    assert done.code == 0, done.err
    task_id = re.findall(r"[0-9a-f]{32}", done.out + done.err)[0]
    app = create_app()
    rings: list[int] = []
    monkeypatch.setattr(app, "bell", lambda: rings.append(1))
    try:
        async with app.run_test(size=(140, 40), notifications=True) as pilot:
            main = await wait_until(pilot, lambda: app.main, what="main screen")
            await wait_until(pilot, lambda: main.end_bell.watching, what="the running task")
            assert rings == []
            cancelled = run(env, "cancel", task_id, "--yes")
            assert cancelled.code == 0, cancelled.err
            await wait_until(pilot, lambda: main.view.counts()["cancel"] == 1, what="cancel")
            if bell:
                await wait_until(pilot, lambda: SAID in screen_text(app), what="the note")
                assert rings == [1]
            else:
                await pilot.pause(0.2)
                assert rings == [] and SAID not in screen_text(app)
        await app.ctx.client.aclose()
    finally:
        close_app(app)
