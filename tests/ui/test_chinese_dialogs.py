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
from tests.ui.test_snapshots import IDS, make_app, settle

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
        assert "取消" in text and "删除" in text and key_bar(app).startswith("esc 取消")


@pytest.mark.usefixtures("chinese")
@pytest.mark.parametrize("size", SIZES[1:])
async def test_task_details_audit_log_and_path_warnings_in_chinese(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        main = app.main
        # A path action with nothing marked on the ../ row: the warning names the action.
        main.path_pane.focus_table()
        main.path_pane.table.move_cursor(0)
        await pilot.press("d")
        await wait_until(pilot, lambda: app.notes, what="the warning")
        assert app.notes[-1].message == "没有可删除的内容：请先用空格标记路径。"
        # The failed task's details: its facts named and worded in Chinese.
        await pilot.press("tab")
        table = main.table
        table.move_cursor(table.get_row_index(IDS[3]))
        await pilot.press("enter")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "TextScreen")
        await pilot.pause()
        assert_fits(app, size)
        text = f"{app.screen.text}\n"  # all of it (60×15 shows only its first lines)
        for words in (
            "任务 ID：",
            "操作：删除",
            "状态：失败",
            "源路径：",
            "消息：911030 权限不足\n",
        ):
            assert words in text, (words, text)  # the service said the title's English words
        assert not any(w in text for w in ("Operation", "Status", "delete", "Permission")), text
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is main, what="main screen")
        # The audit log: its events and results in Chinese (the file keeps the English).
        written = app.ctx.audit.record("import", count=1, items=[{"taskId": IDS[0]}], exit="ok")
        assert (written["event"], written["exit"]) == ("import", "ok")
        await pilot.press("L")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "LogScreen")
        await pilot.pause()
        text = "\n".join(assert_fits(app, size))
        assert "审计日志" in text and "导入" in text and "成功" in text, text
        assert "import" not in text and " ok " not in text, text
