"""Profiles and settings in config.toml: round trip, validation, no secrets."""

from __future__ import annotations

import importlib
import stat
from pathlib import Path

import pytest

from efile_tui import config as config_module
from efile_tui.config import (
    Config,
    ConfigError,
    Profile,
    check_profile_name,
    config_path,
    load_config,
    save_config,
)


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path


def sample() -> Config:
    cfg = Config(token_store="file")
    cfg.set_profile(
        Profile(
            name="work",
            platform_url="http://127.0.0.1:9",
            user="demo",
            org_id="demo-org",
            region_id="11112",
            region_name="simulated-region",
            efile_url="http://127.0.0.1:9",
            home_path="/public/home/demo",
            auth_method="aksk",
            deny_paths=["/public/home/demo/keep"],
            poll_interval=0.5,
            token_store="keyring",
            auto_relogin=True,
        )
    )
    cfg.set_profile(Profile(name="default", user="other"), make_default=True)
    return cfg


def test_missing_file_is_empty_config(isolated: Path) -> None:
    cfg = load_config()
    assert cfg.profiles == {}
    assert cfg.default_profile == "default"
    assert cfg.token_store == "keyring"
    assert cfg.get_profile() is None
    assert not (isolated / "xdg_config_home").exists()  # reading creates nothing


def test_default_path_is_under_xdg_config_home(isolated: Path) -> None:
    assert config_path() == isolated / "xdg_config_home" / "efile-tui" / "config.toml"


def test_round_trip(isolated: Path) -> None:
    cfg = sample()
    path = save_config(cfg)
    assert path == config_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = load_config()
    assert loaded == cfg
    assert loaded.default_profile == "default"
    work = loaded.profiles["work"]
    assert work.deny_paths == ["/public/home/demo/keep"]
    assert work.poll_interval == 0.5
    assert work.auto_relogin is True
    assert work.region == "simulated-region"
    assert loaded.store_for("work") == "keyring"
    assert loaded.store_for("default") == "file"


def test_unknown_keys_survive_a_round_trip(isolated: Path) -> None:
    path = config_path()
    path.parent.mkdir(parents=True)
    path.write_text(
        'theme = "dark"\n[ui]\nmouse = false\n'
        '[profiles.default]\nuser = "demo"\nfuture_setting = 3\n'
    )
    cfg = load_config()
    save_config(cfg)
    again = load_config()
    assert again.extra == {"theme": "dark", "ui": {"mouse": False}}
    assert again.profiles["default"].extra == {"future_setting": 3}


def test_malformed_file_is_an_error_naming_file_and_line(isolated: Path) -> None:
    path = config_path()
    path.parent.mkdir(parents=True)
    text = '[profiles.default]\nuser = "demo"\nregion_id = = 3\nhome_path = "/x"\n'
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config()
    message = str(caught.value)
    assert str(path) in message
    assert "line 3" in message
    assert path.read_text() == text  # left untouched, never silently discarded


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ('token_store = "cloud"\n', "token_store"),
        ('[profiles.default]\npoll_interval = "fast"\n', "profiles.default.poll_interval"),
        ("[profiles.default]\ndeny_paths = [1, 2]\n", "profiles.default.deny_paths"),
        ('[profiles.default]\nauth_method = "magic"\n', "profiles.default.auth_method"),
        ("[profiles.default]\nuser = [1]\n", "profiles.default.user"),
        ('[profiles.default]\ntoken = "abc"\n', "profiles.default.token"),
        ('profiles = "x"\n', "profiles"),
        ('["profiles"."bad name"]\nuser = "x"\n', "bad name"),
    ],
)
def test_invalid_values_name_the_key(isolated: Path, body: str, key: str) -> None:
    path = config_path()
    path.parent.mkdir(parents=True)
    path.write_text(body)
    with pytest.raises(ConfigError) as caught:
        load_config()
    assert key in str(caught.value)
    assert str(path) in str(caught.value)


def test_save_refuses_secrets(isolated: Path) -> None:
    cfg = sample()
    cfg.profiles["work"].extra["password"] = "hunter2"
    with pytest.raises(ConfigError, match="secrets never go here"):
        save_config(cfg)
    assert not config_path().exists()


def test_saved_file_holds_no_secret_fields(isolated: Path) -> None:
    save_config(sample())
    text = config_path().read_text()
    for word in ("token =", "password =", "secret"):
        assert word not in text


def test_profile_names_are_checked() -> None:
    assert check_profile_name("work-1.a_b") == "work-1.a_b"
    for bad in ("", "../x", "a/b", "-x", "a b", "x" * 65):
        with pytest.raises(ValueError):
            check_profile_name(bad)
    with pytest.raises(ValueError):
        Config().set_profile(Profile(name="../etc"))


def test_first_profile_becomes_default() -> None:
    cfg = Config()
    cfg.set_profile(Profile(name="work"))
    assert cfg.default_profile == "work"
    cfg.set_profile(Profile(name="other"))
    assert cfg.default_profile == "work"
    assert sorted(cfg.profiles) == ["other", "work"]


def test_nothing_created_at_import(isolated: Path) -> None:
    importlib.reload(config_module)
    for var in ("xdg_config_home", "xdg_state_home", "xdg_data_home", "home"):
        assert not (isolated / var).exists()


def test_explicit_path(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "c.toml"
    save_config(sample(), path)
    assert load_config(path).profiles.keys() == {"work", "default"}
