"""Login helpers of the CLI: region choice, expiry wording, argv hygiene."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from efile_tui.api.models import RegionToken
from efile_tui.cli.auth_status import cmd_logout, cmd_status, expiry_phrase
from efile_tui.cli.common import EXIT_AUTH, EXIT_USAGE, CliError
from efile_tui.cli.login import choose_region, cmd_login
from efile_tui.cli.parser import build_parser
from efile_tui.config import Config, Profile, load_config
from efile_tui.core.login_steps import LoginRequest, login_profile, request_tokens, save_login
from efile_tui.store.tokens import SERVICE, TokenStore
from tests.unit.test_tokens import MemoryKeyring, keyring_sandbox, use

PLATFORM = RegionToken("0", "ac", "platform-token")
EAST = RegionToken("11112", "east", "east-token")
WEST = RegionToken("22223", "west", "west-token")
DISABLED = RegionToken("33334", "north", None)


def test_the_only_regional_token_is_taken() -> None:
    assert choose_region([PLATFORM, EAST, DISABLED], None, interactive=False) is EAST


def test_region_by_id_or_name() -> None:
    tokens = [PLATFORM, EAST, WEST]
    assert choose_region(tokens, "22223", interactive=False) is WEST
    assert choose_region(tokens, "east", interactive=False) is EAST


def test_several_regions_without_a_terminal_lists_them() -> None:
    with pytest.raises(CliError) as caught:
        choose_region([PLATFORM, EAST, WEST], None, interactive=False)
    assert caught.value.exit_code == EXIT_USAGE
    assert "--region" in str(caught.value)
    assert "11112" in str(caught.value) and "west" in str(caught.value)
    assert "east-token" not in str(caught.value)


def test_interactive_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter(["9\n", "2\n"])
    monkeypatch.setattr("sys.stdin.readline", lambda: next(answers))
    assert choose_region([PLATFORM, EAST, WEST], None, interactive=True) is WEST


def test_unknown_or_disabled_region() -> None:
    with pytest.raises(CliError) as caught:
        choose_region([PLATFORM, EAST], "mars", interactive=False)
    assert caught.value.exit_code == EXIT_USAGE
    with pytest.raises(CliError) as caught:
        choose_region([PLATFORM, EAST, DISABLED], "north", interactive=False)
    assert caught.value.exit_code == EXIT_AUTH
    with pytest.raises(CliError) as caught:
        choose_region([PLATFORM, DISABLED], None, interactive=False)
    assert caught.value.exit_code == EXIT_AUTH


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (3 * 3600 + 60, "in 3 h"),
        (-2 * 3600, "expired 2 h ago"),
        (30, "in 30 s"),
        (-45 * 60, "expired 45 min ago"),
        (3 * 86400, "in 3 d"),
    ],
)
def test_expiry_phrase(delta: float, text: str) -> None:
    assert expiry_phrase(1_000_000 + delta, now=1_000_000) == text


def test_commands_are_registered() -> None:
    parser = build_parser()
    assert parser.parse_args(["login"]).handler is cmd_login
    assert parser.parse_args(["logout", "--all"]).handler is cmd_logout
    assert parser.parse_args(["auth", "status", "--json"]).handler is cmd_status
    assert parser.parse_args(["auth", "login"]).handler is cmd_login
    assert parser.parse_args(["auth", "logout"]).handler is cmd_logout


@pytest.mark.parametrize("flag", ["--password", "--secret-key", "--token"])
def test_secrets_in_argv_are_refused_without_echo(
    flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        build_parser().parse_args(["login", flag, "s3cret-value"])
    assert caught.value.code == EXIT_USAGE
    err = capsys.readouterr().err
    assert "s3cret-value" not in err
    assert "-stdin" in err


# -- the UI-free login steps in core.session ----------------------------------------------


@pytest.fixture
def keyring_sandbox_fixture(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[MemoryKeyring]:
    with keyring_sandbox(tmp_path, monkeypatch):
        backend = MemoryKeyring()
        use(backend)
        yield backend


def platform_transport(seen: list[httpx.Request]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        data = [
            {"clusterId": "0", "clusterName": "ac", "token": "platform"},
            {"clusterId": "11112", "clusterName": "east", "token": "east-token"},
        ]
        return httpx.Response(200, json={"code": "0", "msg": "success", "data": data})

    return httpx.MockTransport(handler)


async def test_request_tokens_password_and_aksk() -> None:
    seen: list[httpx.Request] = []
    transport = platform_transport(seen)
    password = LoginRequest("https://p", "password", user="u", org_id="o", secret="pw")
    tokens = await request_tokens(password, transport=transport)
    assert [t.cluster_id for t in tokens] == ["0", "11112"]
    assert seen[-1].url.path == "/ac/openapi/v2/tokens"
    assert seen[-1].headers["password"] == "pw" and seen[-1].headers["orgId"] == "o"
    aksk = LoginRequest("https://p", "aksk", user="u", access_key="ak", secret="sk")
    await request_tokens(aksk, transport=transport)
    assert seen[-1].url.path == "/api/user/v3/tokens"
    assert seen[-1].headers["accessKey"] == "ak" and "sk" not in seen[-1].headers.values()
    assert "pw" not in repr(password) and "sk" not in repr(aksk).replace("aksk", "")


def test_save_login_keeps_settings_and_reports(
    keyring_sandbox_fixture: MemoryKeyring,
) -> None:
    config = Config()
    config.set_profile(Profile(name="default", deny_paths=["/keep"], auto_relogin=True))
    TokenStore("file").set("default", "stale")  # an old plain-text copy
    request = LoginRequest("https://p", "password", user="u", org_id="o", secret="pw")
    profile = login_profile(
        "default",
        request,
        region_id="11112",
        region_name="east",
        efile_url="https://e",
        home="/home/u",
        user="u",
        previous=config.get_profile("default"),
    )
    assert profile.deny_paths == ["/keep"] and profile.auto_relogin is False
    TokenStore().remember("default", request.remembered())
    outcome = save_login(config, profile, "new-token", store=TokenStore())
    assert outcome.stored.location == "keyring (MemoryKeyring)"
    assert any("removed the old plain-text token file" in n for n in outcome.notes)
    assert "forgot the previously remembered password" in outcome.notes
    assert TokenStore("file").get("default")[0] is None
    assert load_config().profiles["default"].efile_url == "https://e"
    assert keyring_sandbox_fixture.items == {(SERVICE, "default"): "new-token"}
    remembered = save_login(
        config, profile, "t2", store=TokenStore(), remember=request.remembered()
    )
    assert "password kept in keyring (MemoryKeyring) for automatic re-login" in remembered.notes
