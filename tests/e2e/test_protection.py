"""Deny list and home-folder refusal through the real entry points, with a real config file
and with only EFILE_URL/EFILE_TOKEN: the simulator's request log shows nothing was sent."""

from __future__ import annotations

from pathlib import Path

import pytest

from efile_tui.config import Config, Profile, save_config
from efile_tui.sim.server import SimServer
from efile_tui.store.tokens import TokenStore
from efile_tui.ui.launch import close_app, create_app
from efile_tui.ui.messages import DeleteRequested
from efile_tui.ui.modals.confirm_delete import ConfirmDeleteScreen, RefusedScreen
from tests.cli_runner import CliResult, run_in_process
from tests.conftest import HOME, Sim
from tests.ui.harness import wait_until
from tests.ui.test_main_screen import mark_folder

SUBMITS = ("/async-remove", "/async-move", "/async-copy")
ENV_ONLY = ("EFILE_HOME",)


def submits(server: object) -> list[dict]:  # type: ignore[type-arg]
    assert isinstance(server, SimServer)
    return [r for r in server.requests() if r["path"].endswith(SUBMITS)]


def save_profile(server: SimServer, **settings: object) -> None:
    """A saved profile in the real config file, its token in the (plain-file) token store."""
    profile = Profile(
        name="default", efile_url=server.url, home_path=HOME, token_store="file", **settings
    )  # type: ignore[arg-type]
    config = Config()
    config.set_profile(profile, make_default=True)
    save_config(config)
    TokenStore("file").set("default", server.token)


def profile_env(sim: Sim) -> dict[str, str]:
    """The CLI environment without EFILE_URL/EFILE_TOKEN/EFILE_HOME: the profile decides."""
    return {k: v for k, v in sim.env.items() if k not in ("EFILE_URL", "EFILE_TOKEN", "EFILE_HOME")}


def run(sim: Sim, env: dict[str, str], *args: str) -> CliResult:
    """``efile-tui ARGS`` in this process with exactly ``env`` (no stdin)."""
    return run_in_process(args, env)


def first_project(root: Path) -> str:
    return sorted(p.name for p in root.iterdir() if p.is_dir())[0]


def test_profile_deny_list_refuses_rm_mv_and_cover_in_the_cli(sim: Sim) -> None:
    project = first_project(sim.root)
    keep = f"{HOME}/{project}/keep"
    (sim.root / project / "keep").mkdir()
    second = sorted(p.name for p in sim.root.iterdir() if p.is_dir())[1]
    (sim.root / second / "keep").mkdir()
    save_profile(sim.server, deny_paths=[keep])  # type: ignore[arg-type]
    env = profile_env(sim)
    for args in (
        ("rm", keep, "--yes"),
        ("rm", f"{HOME}/{project}", "--yes"),  # contains the protected path
        ("mv", keep, f"{HOME}", "--yes"),
        # another folder named keep copied over the protected one
        ("cp", f"{HOME}/{second}/keep", f"{HOME}/{project}", "--on-conflict", "cover", "--yes"),
    ):
        done = run(sim, env, *args)
        assert done.code == 2, (args, done.err)
        assert "deny-list" in done.err, done.err
        assert "nothing was sent" in done.err
        assert "--allow-protected" not in done.err  # the deny list has no override
    assert submits(sim.server) == []
    assert (sim.root / project / "keep").is_dir()
    # The same profile still deletes what it does not protect.
    other = sorted(p.name for p in sim.root.iterdir() if p.is_dir())[1]
    assert run(sim, env, "rm", f"{HOME}/{other}", "--yes").code == 0
    assert [r["body"] for r in submits(sim.server)] == [[{"sourcePath": f"{HOME}/{other}"}]]


@pytest.mark.parametrize(
    "path",
    [HOME, "/public/home", "/work/home/demo", "/public/home/someone-else", f"{HOME}/../demo"],
)
def test_env_only_refuses_home_and_shallow_paths(sim: Sim, path: str) -> None:
    env = {k: v for k, v in sim.env.items() if k not in ENV_ONLY}  # EFILE_URL + EFILE_TOKEN
    done = run(sim, env, "rm", path, "--yes")
    assert done.code == 2, done.err
    assert "nothing was sent" in done.err
    assert submits(sim.server) == []
    if path.count("/") == 3:  # a home-like path: the deliberate override is named
        assert "--allow-protected" in done.err
    elif path == "/public/home":  # nothing lifts this rule: the message says so, not more
        assert "--allow-protected" not in done.err and "nothing lifts" in done.err
        again = run(sim, env, "rm", path, "--yes", "--allow-protected", path)
        assert again.code == 2 and "nothing lifts" in again.err
        assert submits(sim.server) == []


def test_home_learned_from_the_service_is_refused(sim_factory) -> None:  # type: ignore[no-untyped-def]
    home = "/data/groups/team/alice"
    sim = sim_factory(home=home)
    env = {k: v for k, v in sim.env.items() if k not in ENV_ONLY}
    for path in (home, "/data/groups/team"):
        done = run(sim, env, "rm", path, "--yes")
        assert done.code == 2, done.err
        assert "home folder" in done.err
    assert submits(sim.server) == []
    listed = run(sim, env, "ls")  # no path: the home the service names
    assert listed.code == 0, listed.err
    assert f"in {home}" in listed.err


def test_allow_protected_is_a_deliberate_per_path_override(sim_factory) -> None:  # type: ignore[no-untyped-def]
    sim = sim_factory(home="/data/groups/team/alice")
    (sim.root / "proj").mkdir()
    env = {k: v for k, v in sim.env.items() if k not in ENV_ONLY}
    target = "/data/groups/team/alice/proj"  # five components: allowed anyway
    shallow = "/data/groups/team"
    # The override names one exact path; another path stays refused.
    done = run(sim, env, "rm", shallow, "--yes", "--allow-protected", "/data/groups/other")
    assert done.code == 2 and submits(sim.server) == []
    done = run(sim, env, "rm", target, "--yes", "--allow-protected", target)
    assert done.code == 0, done.err
    # A deny-list entry cannot be overridden from the command line.
    save_profile(sim.server, deny_paths=["*/keep"])  # type: ignore[arg-type]
    penv = profile_env(sim)
    done = run(sim, penv, "rm", f"{HOME}/x/keep", "--yes", "--allow-protected", f"{HOME}/x/keep")
    assert done.code == 2 and "deny-list" in done.err
    assert [r["body"] for r in submits(sim.server)] == [[{"sourcePath": target}]]


async def test_tui_from_a_saved_profile_applies_deny_list_and_interval(
    sim_factory, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    sim = sim_factory()
    project = first_project(sim.root)
    save_profile(sim.server, deny_paths=[f"{HOME}/{project}"], poll_interval=7.0)  # type: ignore[arg-type]
    app = create_app()
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_until(pilot, lambda: app.screen.__class__.__name__ == "MainScreen")
            assert app.main.interval == 7.0
            assert app.main.status.interval == 7.0
            await mark_folder(pilot, app, project)
            await pilot.press("d")
            await wait_until(pilot, lambda: isinstance(app.screen, RefusedScreen), what="refusal")
            assert not isinstance(app.screen, ConfirmDeleteScreen)
        await app.ctx.client.aclose()
    finally:
        close_app(app)
    assert submits(sim.server) == []


async def test_tui_env_only_refuses_the_home_learned_from_the_service(
    sim_factory, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    home = "/data/groups/team/alice"
    sim = sim_factory(home=home)
    monkeypatch.setenv("EFILE_URL", sim.server.url)
    monkeypatch.setenv("EFILE_TOKEN", sim.server.token)
    app = create_app()
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_until(pilot, lambda: app.screen.__class__.__name__ == "MainScreen")
            main = app.main
            assert main.path_pane.current_path == home  # opens on the home, not on /
            for paths in ([home], ["/data/groups/team"], ["/work/home/demo"]):
                main.post_message(DeleteRequested(paths))
                await wait_until(pilot, lambda: isinstance(app.screen, RefusedScreen))
                await pilot.press("escape")
                await wait_until(pilot, lambda: app.screen is main)
        await app.ctx.client.aclose()
    finally:
        close_app(app)
    assert submits(sim.server) == []


def test_a_wildcard_deny_entry_protects_the_folders_above_its_matches(sim: Sim) -> None:
    """``*/keep-me`` refuses deleting or moving a folder with a keep-me folder deep
    inside (found by the bounded walk); a folder without one is still deleted."""
    project = first_project(sim.root)
    (sim.root / project / "runs" / "r1" / "keep-me").mkdir(parents=True)
    save_profile(sim.server, deny_paths=["*/keep-me"])  # type: ignore[arg-type]
    env = profile_env(sim)
    for args in (
        ("rm", f"{HOME}/{project}", "--yes"),
        ("mv", f"{HOME}/{project}/runs", f"{HOME}", "--yes"),
        ("rm", f"{HOME}/{project}", "--dry-run"),
    ):
        done = run(sim, env, *args)
        assert done.code == 2, (args, done.err)
        assert f"{project}/runs/r1/keep-me" in done.out + done.err, done.err
    assert submits(sim.server) == []
    other = sorted(p.name for p in sim.root.iterdir() if p.is_dir())[1]
    assert run(sim, env, "rm", f"{HOME}/{other}", "--yes").code == 0
    assert [r["body"] for r in submits(sim.server)] == [[{"sourcePath": f"{HOME}/{other}"}]]


async def test_tui_delete_of_a_folder_holding_a_wildcard_match_cannot_be_confirmed(
    sim_factory,
) -> None:  # type: ignore[no-untyped-def]
    sim = sim_factory()
    project = first_project(sim.root)
    (sim.root / project / "deep" / "keep-me").mkdir(parents=True)
    save_profile(sim.server, deny_paths=["*/keep-me"])  # type: ignore[arg-type]
    app = create_app()
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_until(pilot, lambda: app.screen.__class__.__name__ == "MainScreen")
            await mark_folder(pilot, app, project)
            await pilot.press("d")
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDeleteScreen))
            modal = app.screen
            assert isinstance(modal, ConfirmDeleteScreen)
            await wait_until(pilot, lambda: modal.preview_done, what="preview")
            shown = str(modal.query_one("#totals").render()) + str(
                modal.query_one("#preview").render()
            )
            assert "REFUSED" in shown and f"{project}/deep/keep-me" in shown, shown
            assert not modal.can_delete
            await pilot.press("enter")  # nothing happens: Delete stays disabled
        await app.ctx.client.aclose()
    finally:
        close_app(app)
    assert submits(sim.server) == []
