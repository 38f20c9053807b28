"""The TUI's header, tables and dialogs in Chinese at 120×40, 80×24 and 60×15: the words
come from the catalog, every line fits the width in cells and every border is in its column."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from efile_tui.ui.app import EfileApp
from efile_tui.ui.modals.cancel import ConfirmCancelScreen
from efile_tui.ui.modals.confirm_delete import ConfirmDeleteScreen
from tests.ui.harness import HOME, wait_until
from tests.ui.screen_cells import line_width, screen_cells, screen_lines
from tests.ui.test_chinese import SIZES, assert_fits, chinese, key_bar
from tests.ui.test_snapshots import make_app, settle

__all__ = ["chinese"]  # the fixture, used by name below
STATUS_WORDS = ("处理中", "等待中", "已完成", "失败", "已取消")


def assert_dialog_fits(app: EfileApp, size: tuple[int, int]) -> str:
    """Every line within the width in cells, and the dialog's box (drawn in half blocks) with
    its left and right edges in one column on every row; returns the screen's text."""
    width, height = size
    cells = screen_cells(app)
    assert len(cells) == height
    assert all(line_width(c) <= width for c in cells)
    edges = {
        (min(c for c, ch in row.items() if ch == "█"), max(c for c, ch in row.items() if ch == "█"))
        for row in cells
        if "█" in row.values()
    }
    lines = screen_lines(app)
    assert len(edges) == 1, "\n".join(lines)
    return "\n".join(lines)


@pytest.mark.usefixtures("chinese")
@pytest.mark.parametrize("size", SIZES)
async def test_header_tables_and_info_lines_in_chinese(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        text = "\n".join(assert_fits(app, size))
        assert "0 秒前更新" in text.splitlines()[0]  # the header: when the data is from
        assert "排序：名称" in text and "排序：提交时间" in text  # both panes' info lines
        assert "状态" in text and "源路径" in text  # the task table's header
        assert any(word in text for word in STATUS_WORDS)  # status names for people
        assert not any(word in text for word in ("processing", "waiting", "complete", "fail"))
        assert "删除" in text and "delete" not in text
        if size[0] >= 80:
            assert "名称" in text and "大小" in text and "文件夹" in text  # the path table


@pytest.mark.usefixtures("chinese")
@pytest.mark.parametrize("size", SIZES)
async def test_cancel_and_delete_confirmations_in_chinese(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("tab", "a", "c")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmCancelScreen))
        await pilot.pause()
        text = assert_dialog_fits(app, size)
        assert "取消 2 个任务？" in text, text  # processing and waiting: the running ones
        assert "返回" in text and key_bar(app) == "esc 返回"
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmCancelScreen))

        pane = app.main.path_pane
        pane.focus_table()
        for name in ("README.txt", "results.tar"):
            pane.table.move_cursor(pane.table.get_row_index(f"{HOME}/{name}"))
            await pilot.press("space")
        await pilot.press("d")
        modal: Any = await wait_until(
            pilot, lambda: isinstance(app.screen, ConfirmDeleteScreen) and app.screen
        )
        await wait_until(pilot, lambda: modal.preview_done, what="preview")
        await pilot.pause()
        text = assert_dialog_fits(app, size)
        assert "删除 2 个路径？" in text and "文件：2" in text, text
        assert "取消" in text and "删除" in text and key_bar(app) == "esc 取消"
