"""The TUI in Chinese (简体中文) at 120×40, 80×24 and 60×15: footer, help and dialogs in
Chinese, every line within the terminal's width in cells, every border in its column."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from efile_tui import i18n
from efile_tui.ui.app import EfileApp
from efile_tui.ui.widgets.keybar import KeyBar
from tests.ui.harness import use_chinese, wait_until
from tests.ui.screen_cells import line_width, misaligned_borders, screen_cells, screen_lines
from tests.ui.test_snapshots import make_app, settle

SIZES = [(120, 40), (80, 24), (60, 15)]


@pytest.fixture
def chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    """The language as a Chinese operator's login node sets it."""
    use_chinese(monkeypatch)


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
        text = "\n".join(lines)
        assert "路径" in lines[1] and "任务" in text and "秒前更新" in lines[0], text
        # Headings, status and operation names, types (the program's words stay in JSON).
        for words in ("名称", "状态", "源路径", "⊘ 已取消", "✗ 失败", "删除", "文件夹"):
            assert words in text, (words, text)
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


async def open_dialog(pilot: Any, keys: tuple[str, ...], name: str) -> None:
    await pilot.press(*keys)
    app = pilot.app
    await wait_until(pilot, lambda: type(app.screen).__name__ == name, what=name)
    if name == "ConfirmDeleteScreen":
        await wait_until(pilot, lambda: app.screen.preview_done, what="preview")
    await pilot.pause(0.3)


# Each dialog: the keys that open it from the main screen (path pane focused), its
# class, words of its title and the key bar it shows.
DIALOGS = [
    (
        ("down", "space", "space", "d"),
        "ConfirmDeleteScreen",
        "删除 2 个路径？",
        "esc 取消  ^o 完整路径",
    ),
    (("tab", "a", "c"), "ConfirmCancelScreen", "取消 2 个任务？", "esc 返回"),
    (("space", "C"), "TransferScreen", "把 1 个路径复制到", "esc 取消  ^o 完整路径"),
    (("N",), "NotificationsScreen", "通知", "esc 关闭"),
    (("I",), "ImportIdsScreen", "跟踪在别处启动的任务 ID", "esc 返回"),
    (("tab", "l"), "LabelScreen", "为 1 个任务设置标签", "esc 返回"),
]


@pytest.mark.usefixtures("chinese")
@pytest.mark.parametrize("size", SIZES)
async def test_dialogs_in_chinese(tmp_path: Path, size: tuple[int, int]) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for keys, name, title, bar in DIALOGS:
            await open_dialog(pilot, keys, name)
            text = "\n".join(assert_fits(app, size))
            assert title in text, (name, text)
            assert key_bar(app) == bar, name
            await pilot.press("escape")
            await wait_until(pilot, lambda: app.screen is app.main, what="main screen")
            app.main.path_pane.marking.clear_marks()
            app.main.table.action_clear_marks()
            app.main.path_pane.focus_table()
            await pilot.pause()


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


@pytest.mark.usefixtures("chinese")
async def test_a_damaged_journal_is_noticed_in_chinese(sim: Any) -> None:
    """An unreadable journal snapshot is set aside when the app (started as ``efile-tui``
    starts it, from a saved profile) reads the journal; the toast says so in Chinese."""
    import os
    import time

    from efile_tui.config import state_dir
    from efile_tui.ui.launch import close_app, create_app
    from tests.e2e.test_protection import save_profile
    from tests.ui.test_hostile_text import screen_text

    save_profile(sim.server)
    folder = state_dir() / "journal"
    folder.mkdir(mode=0o700, parents=True)
    folder.parent.chmod(0o700)
    snap = folder / "snap-00000001.json"
    snap.write_bytes(b"not a snapshot\n")
    old = time.time() - 3600  # long past the grace of a snapshot still being written
    os.utime(snap, (old, old))
    app = create_app()
    try:
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await wait_until(
                pilot, lambda: "无法读取的任务记录快照" in screen_text(app), what="the notice"
            )
            text = screen_text(app)
            assert "已移到一旁" in text and "unreadable journal" not in text, text
    finally:
        close_app(app)
    assert list(folder.glob("snap-00000001.json.unreadable-*"))
