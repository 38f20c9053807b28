"""The real binary in tmux (a UTF-8 terminal) under other locales and old TERMs."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from efile_tui.sim.config import SimConfig
from efile_tui.sim.server import SimServer
from tests.e2e.test_tui_tmux import HOME, Tmux, binary

pytestmark = pytest.mark.tmux
CHINESE = "数据集"
UNICODE_ONLY = set("╭╮╰╯─│▶✓✗⊘●…↑↓·")


def _need(lang: str | None) -> None:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (apt-get install tmux)")
    if lang is None:
        return
    have = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout.lower()
    if lang.lower() not in have.replace("-", ""):
        pytest.skip(f"locale {lang} not generated (apt-get install locales; localedef …)")


def _run(tmp_path: Path, extra_env: dict[str, str], args: tuple[str, ...] = ()) -> str:
    root = tmp_path / "root"
    (root / CHINESE).mkdir(parents=True)
    (root / "alpha").mkdir()
    (root / "alpha" / "f").write_bytes(b"x")
    server = SimServer(SimConfig(root=root)).start()
    env = {
        **os.environ,
        "EFILE_URL": server.url,
        "EFILE_TOKEN": server.token,
        "EFILE_HOME": HOME,
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "PYTHONUTF8": "0",
        **extra_env,
    }
    # tmux sets TERM in the pane itself: pass the wanted one on the command line.
    command = ["env", f"TERM={env.get('TERM', 'xterm')}", *binary(), "--no-mouse", *args]
    term = Tmux(command, env, (80, 24))
    try:
        return term.wait_for("alpha/")
    finally:
        term.kill()
        server.stop()


def test_gb18030_locale_on_a_utf8_terminal_shows_borders_and_chinese(tmp_path: Path) -> None:
    _need("zh_CN.gb18030")
    screen = _run(
        tmp_path, {"LANG": "zh_CN.GB18030", "LC_ALL": "zh_CN.GB18030", "TERM": "xterm-256color"}
    )
    assert "╭" in screen and "│" in screen
    assert f"{CHINESE}/" in screen
    assert "qr" not in screen and "\\u" not in screen


def test_gb2312_locale_with_locale_encoding_draws_ascii_never_escapes(tmp_path: Path) -> None:
    _need("zh_CN")
    screen = _run(
        tmp_path,
        {"LANG": "zh_CN", "LC_ALL": "zh_CN", "TERM": "xterm-256color"},
        ("--encoding", "locale"),
    )
    assert "\\u" not in screen
    assert "+-----" in screen and "|" in screen
    assert not set(screen) & UNICODE_ONLY, set(screen) & UNICODE_ONLY


def test_linux_console_gets_ascii(tmp_path: Path) -> None:
    _need(None)
    screen = _run(tmp_path, {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "linux"})
    assert "+-----" in screen
    assert not set(screen) & UNICODE_ONLY, set(screen) & UNICODE_ONLY
    assert f"{CHINESE}/" in screen  # names are text, not drawing: kept as they are


def test_profile_glyphs_setting_from_the_config_file(tmp_path: Path) -> None:
    _need(None)
    config_home = Path(os.environ["XDG_CONFIG_HOME"])  # the test's own (conftest)
    (config_home / "efile-tui").mkdir(parents=True, exist_ok=True)
    (config_home / "efile-tui" / "config.toml").write_text(
        'default_profile = "default"\n\n[profiles.default]\nglyphs = "ascii"\n',
        encoding="utf-8",
    )
    screen = _run(tmp_path, {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "xterm-256color"})
    assert "+- Paths" in screen
    assert not set(screen) & UNICODE_ONLY, set(screen) & UNICODE_ONLY
    # The flag wins over the profile.
    screen = _run(
        tmp_path / "again",
        {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "xterm-256color"},
        ("--glyphs", "unicode"),
    )
    assert "Paths" in screen and "╭" in screen
