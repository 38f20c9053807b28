"""The walk's time budget is a setting: the profile's ``walk_budget`` (seconds) and the
command line's ``--walk-budget SECONDS`` (which wins), read from a real config file by the
CLI and by the TUI's delete confirmation; a bad value is refused naming the key."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from textual.widgets import Static

from efile_tui.store.tokens import TokenStore
from efile_tui.ui.launch import close_app, create_app
from efile_tui.ui.modals.confirm_delete import ConfirmDeleteScreen
from tests.conftest import HOME, Sim
from tests.e2e.test_journal_e2e import make_files
from tests.e2e.test_protection import profile_env, run
from tests.ui.harness import wait_until
from tests.ui.test_main_screen import mark_folder

LATENCY = 0.3  # every request takes this long: a walk of a few folders takes seconds


def write_config(sim: Sim, budget: object) -> Path:
    """The config file as an operator writes it, with ``walk_budget = budget``."""
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "efile-tui" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        'default_profile = "lab"\n\n[profiles.lab]\n'
        f'efile_url = "{sim.server.url}"\nhome_path = "{HOME}"\ntoken_store = "file"\n'  # type: ignore[attr-defined]
        f"walk_budget = {budget}\n"
    )
    TokenStore("file").set("lab", sim.server.token)  # type: ignore[attr-defined]
    return config


def _tree(sim: Sim) -> str:
    for i in range(6):
        make_files(sim.root / "big" / f"sub{i}", ["a", "b"])
    sim.server.faults.update({"latency": LATENCY})  # type: ignore[attr-defined]
    return f"{HOME}/big"


def _preview(sim: Sim, *args: str) -> dict[str, object]:
    done = run(sim, profile_env(sim), "rm", *args, "--dry-run", "--json")
    assert done.code == 0, done.err
    return json.loads(done.out)["preview"]  # type: ignore[no-any-return]


def test_the_profile_walk_budget_and_the_option_bound_the_walk(sim: Sim) -> None:
    big = _tree(sim)
    write_config(sim, 0.5)
    cut = _preview(sim, big)
    assert cut["complete"] is False and cut["stoppedBecause"] == "time limit (0.5 s)", cut
    whole = _preview(sim, big, "--walk-budget", "120")  # the option beats the profile
    assert whole["complete"] is True and whole["files"] == 12, whole


@pytest.mark.parametrize("value", ["0", "-3", '"soon"', "7200"])
def test_a_bad_walk_budget_is_refused_naming_the_key(sim: Sim, value: str) -> None:
    config = write_config(sim, value)
    done = run(sim, profile_env(sim), "rm", f"{HOME}/x", "--dry-run")
    assert done.code != 0 and "Traceback" not in done.err
    assert str(config) in done.err and "walk_budget" in done.err, done.err
    option = run(sim, profile_env(sim), "rm", f"{HOME}/x", "--dry-run", "--walk-budget", value)
    assert option.code == 2 and "--walk-budget" in option.err, option.err


async def test_the_tui_delete_preview_keeps_to_the_profile_walk_budget(sim: Sim) -> None:
    big = _tree(sim)
    write_config(sim, 0.5)
    app = create_app()
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_until(pilot, lambda: app.screen.__class__.__name__ == "MainScreen")
            await mark_folder(pilot, app, big.rsplit("/", 1)[1])
            await pilot.press("d")
            screen = await wait_until(
                pilot,
                lambda: app.screen if isinstance(app.screen, ConfirmDeleteScreen) else None,
                what="the delete confirmation",
            )
            assert isinstance(screen, ConfirmDeleteScreen)
            await wait_until(pilot, lambda: screen.preview_done, timeout=30, what="preview")
            assert screen.needs_acceptance
            shown = " ".join(str(screen.query_one("#preview", Static).render()).split())
            assert "time limit (0.5 s)" in shown, shown
        await app.ctx.client.aclose()  # type: ignore[union-attr]
    finally:
        close_app(app)
