"""The TUI's login form: at start without a token, and again when renewal is impossible."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from efile_tui.api.models import Operation, SubmitItem
from efile_tui.core.cells import width
from efile_tui.core.login import login_and_connect
from efile_tui.core.operations import submit_tracked
from efile_tui.i18n import _
from efile_tui.sim.config import SimConfig
from efile_tui.sim.server import SimServer
from efile_tui.store.audit import AuditLog
from efile_tui.store.journal import Journal
from efile_tui.ui.app import EfileApp
from efile_tui.ui.modals.login import LoginScreen
from efile_tui.ui.screens.main import MainScreen
from tests.ui.harness import HOME, build_app, use_chinese, wait_until
from tests.ui.screen_cells import screen_lines
from tests.unit.test_tokens import MemoryKeyring, keyring_sandbox


@pytest.fixture
def memory_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    with keyring_sandbox(tmp_path / "sandbox", monkeypatch):
        # Declared as the user's explicit choice: the store only uses such a backend then.
        monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.unit.test_tokens.MemoryKeyring")
        backend = MemoryKeyring()
        keyring.set_keyring(backend)
        yield backend


@pytest.fixture
def server(tmp_path: Path) -> Iterator[SimServer]:
    root = tmp_path / "root"
    (root / "alpha").mkdir(parents=True)
    for i in range(200):
        (root / "alpha" / f"f{i}").write_bytes(b"x")
    srv = SimServer(SimConfig(root=root, files_per_second=5)).start()
    yield srv
    srv.stop()


async def fill(pilot, password: str) -> None:  # type: ignore[no-untyped-def]
    screen = pilot.app.screen
    await wait_until(pilot, lambda: screen.query("#login"), what="form composed")
    screen.query_one("#user").value = "demo"
    screen.query_one("#org").value = "demo-org"
    screen.query_one("#password").value = password
    screen.submit()


async def test_login_at_start_then_main_screen(
    server: SimServer, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    async def attempt(request):  # type: ignore[no-untyped-def]
        return await login_and_connect(request)

    app = EfileApp(
        None,
        login=attempt,
        login_defaults={"platform": server.url},
        state=(Journal(tmp_path / "j.sqlite3"), AuditLog(tmp_path / "a.jsonl")),
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen), what="login form")
        await fill(pilot, "wrong-password")
        error = app.screen.query_one("#login-error")
        await wait_until(pilot, lambda: "10009" in str(error.render()), what="refusal shown")
        assert app.screen.query_one("#user").value == "demo"  # nothing typed is lost
        assert app.screen.query_one("#password").value == ""
        await fill(pilot, "demo-password")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen), what="main screen")
        pane = app.main.path_pane
        await wait_until(
            pilot, lambda: pane.marking.known_entry(f"{HOME}/alpha"), what="home listed"
        )
        assert app.main.endpoint == "demo@simulated-region"
    stored = [v for (service, _), v in memory_keyring.items.items() if service == "efile-tui"]
    assert stored and "demo-password" not in stored


async def test_relogin_keeps_table_and_marks(
    server: SimServer, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    async def attempt(request):  # type: ignore[no-untyped-def]
        return await login_and_connect(request)

    app = build_app(server.url, server.token, tmp_path, interval=0.2)
    app.login = attempt
    app.login_defaults = {"platform": server.url, "user": "demo", "org": "demo-org"}
    await submit_tracked(app.ctx, Operation.DELETE, [SubmitItem(f"{HOME}/alpha")])
    async with app.run_test(size=(100, 30)) as pilot:
        main = app.main
        await wait_until(pilot, lambda: main.view.rows, what="row")
        main.table.focus()
        await pilot.press("space")
        marks = set(main.view.marks)
        server.clock.advance(3 * 86400)  # expired beyond renewal
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen), what="re-login")
        renewals = len(server.requests("/tokens/next"))
        await fill(pilot, "demo-password")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen), what="back")
        polls = len(server.requests("/task/list"))
        await wait_until(
            pilot,
            lambda: (
                len(server.requests("/task/list")) > polls + 1
                and not main.status.error
                and main.failures == 0
            ),
            what="polling again",
        )
        assert main.view.marks == marks and len(main.view.rows) == 1
    # The polls after the login sent the new token: none was refused and renewed.
    assert len(server.requests("/tokens/next")) == renewals


@pytest.mark.parametrize("language", ["en", "zh_CN"])
@pytest.mark.parametrize("size", [(80, 24), (60, 15)])
async def test_each_filled_field_keeps_its_name_beside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, language: str, size: tuple[int, int]
) -> None:
    """A returning user's form is filled in from the profile, so no placeholder says what a
    field is: its name stays on the field's line, in the language in use, at every size."""
    if language == "zh_CN":
        use_chinese(monkeypatch)

    async def attempt(request):  # type: ignore[no-untyped-def]
        raise AssertionError("not submitted")

    defaults = {"platform": "https://efile.example", "user": "alice-x", "org": "org-7"}
    app = EfileApp(
        None,
        login=attempt,
        login_defaults=defaults,
        state=(Journal(tmp_path / "j.sqlite3"), AuditLog(tmp_path / "a.jsonl")),
    )
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen), what="login form")
        await pilot.pause()
        lines = screen_lines(app)
        names = {
            "platform": _("platform URL"),
            "user": _("user name"),
            "org": _("organisation id (orgId)"),
        }
        for key, name in names.items():
            assert any(name in line and defaults[key] in line for line in lines), (key, lines)
        assert any(_("password") in line for line in lines), lines
        assert all(width(line) <= size[0] for line in lines)
