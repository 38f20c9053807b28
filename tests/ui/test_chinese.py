"""The TUI in Chinese (简体中文) at 120×40, 80×24 and 60×15: footer, help and dialogs in
Chinese, every line within the terminal's width in cells, every border in its column."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from efile_tui import i18n
from efile_tui.ui.app import EfileApp
from efile_tui.ui.widgets.keybar import KeyBar
from tests.ui.harness import wait_until
from tests.ui.screen_cells import line_width, misaligned_borders, screen_cells, screen_lines
from tests.ui.test_snapshots import make_app, settle

SIZES = [(120, 40), (80, 24), (60, 15)]


@pytest.fixture
def chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    """The language as a Chinese operator's login node sets it (the locale need not exist)."""
    monkeypatch.delenv("EFILE_TUI_LANG", raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    i18n.setup()
    assert i18n.current() == "zh_CN"


def key_bar(app: EfileApp) -> str:
    """The key bar of the screen on top, as shown."""
    return str(app.screen.query_one(KeyBar).render())


def assert_fits(app: EfileApp, size: tuple[int, int]) -> list[str]:
    """Every line within the width in cells, as many lines as the terminal has, every
    border in its column; returns the lines."""
    width, height = size
    cells = screen_cells(app)
    assert len(cells) == height
    too_wide = [(row, line_width(c)) for row, c in enumerate(cells) if line_width(c) > width]
    assert not too_wide, too_wide
    lines = screen_lines(app)
    assert misaligned_borders(app) == [], "\n".join(lines)
    return lines


@pytest.mark.usefixtures("chinese")
@pytest.mark.parametrize("size", SIZES)
async def test_main_screen_footer_and_help_in_chinese(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        lines = assert_fits(app, size)
        bar = key_bar(app)
        assert bar == lines[-1].strip()
        assert "标记" in bar and "删除" in bar and bar.endswith("? 帮助"), bar
        assert "路径" in lines[1] and any("任务" in line for line in lines[2:]), lines
        await pilot.press("tab")  # the task table's keys
        await pilot.pause()
        bar = key_bar(app)
        assert "取消任务" in bar and bar.endswith("? 帮助"), bar
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "HelpScreen", what="help")
        await pilot.pause()
        lines = assert_fits(app, size)
        text = "\n".join(lines)
        assert "efile-tui 按键（esc 关闭）" in text
        assert "路径" in text and "全部标记" in text
        assert key_bar(app) == "esc 关闭"


async def test_efile_tui_lang_en_overrides_a_chinese_lang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.setenv("EFILE_TUI_LANG", "en")
    i18n.setup()
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        lines = assert_fits(app, (80, 24))
        assert "Paths" in lines[1] and key_bar(app).endswith("? Help")
        assert not any("\u4e00" <= ch <= "\u9fff" for line in lines for ch in line)


async def test_the_profile_language_turns_the_app_chinese(
    sim: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From a real config file with ``language = "zh_CN"``, under an English locale."""
    from efile_tui.config import config_path
    from efile_tui.ui.launch import close_app, create_app
    from tests.e2e.test_protection import save_profile

    monkeypatch.delenv("EFILE_TUI_LANG", raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    save_profile(sim.server, language="zh_CN")
    assert 'language = "zh_CN"' in config_path().read_text()
    app = create_app()
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            main = await wait_until(pilot, lambda: app.main, what="main screen")
            await pilot.pause()
            assert main.path_pane.border_title == "路径"
            assert key_bar(app).endswith("? 帮助")
            assert_fits(app, (80, 24))
    finally:
        close_app(app)
