"""Narrow screens tell sources apart: the cancel confirmation and the task table elide the
middle of a path only as far as the rows stay distinguishable."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from textual.geometry import Region
from textual.widgets import DataTable

from efile_tui.api.client import EfileClient
from efile_tui.core.operations import Context
from efile_tui.store.audit import AuditLog
from efile_tui.store.journal import Journal
from efile_tui.ui.app import EfileApp
from efile_tui.ui.modals.cancel import ConfirmCancelScreen
from tests.ui.harness import HOME, wait_until

SOURCES = {
    "a" * 32: f"{HOME}/proj-climate/run-0032",
    "b" * 32: f"{HOME}/proj-cfd/run-0032",
    "c" * 32: f"{HOME}/proj-cfd/run-0033",
    # The same last 16 characters: more than the table's source column at 60 columns.
    "d" * 32: f"{HOME}/proj-climate/output/run-0032",
    "e" * 32: f"{HOME}/proj-cfd/output/run-0032",
}


def handler(request: httpx.Request) -> httpx.Response:
    data: Any = None
    if request.url.path.endswith("/file/list"):
        data = {"total": 0, "path": HOME, "fileList": []}
    elif request.url.path.endswith("/task/list"):
        ids = json.loads(request.content)["taskIds"]
        data = [
            {
                "taskId": t,
                "operationType": "delete",
                "status": "processing",
                "sourcePath": SOURCES[t],
                "totalNum": 10,
                "processedNum": 1,
                "submitTime": "2026-11-20 09:15:00",
                "updateTime": "2026-11-20 09:16:30",
            }
            for t in ids
            if t in SOURCES
        ]
    return httpx.Response(200, json={"code": "0", "msg": "success", "data": data})


def make_app(tmp_path: Path) -> EfileApp:
    journal = Journal(tmp_path / "journal", clock=lambda: 1_790_000_000.0)
    journal.add_ids(list(SOURCES), profile=None, region=None)
    client = EfileClient("https://efile.test", "t", transport=httpx.MockTransport(handler))
    ctx = Context(client=client, journal=journal, audit=AuditLog(tmp_path / "audit.jsonl"))
    return EfileApp(ctx, endpoint="demo@simulated-region", home=HOME, interval=3600)


def table_sources(app: EfileApp) -> dict[str, str]:
    """The source cell of each task row as painted."""
    table = app.main.table
    column = [c.key for c in table.table_columns].index("source")
    start = sum(c.width + 2 for c in table.table_columns[:column]) + 1
    width = table.table_columns[column].width
    lines = table.render_lines(Region(0, 0, table.size.width, table.size.height))
    shown = {}
    for row, key in enumerate(table.row_keys):
        shown[key] = lines[table.header_height + row].text[start : start + width].rstrip()
    return shown


async def test_cancel_confirmation_and_table_at_60_columns_tell_sources_apart(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(60, 30)) as pilot:  # 60 columns, room for every row
        main = app.main
        await wait_until(pilot, lambda: main.poll_count >= 1 and len(main.view.rows) == 5)
        await wait_until(pilot, lambda: all(r.source for r in main.view.rows.values()))
        await pilot.pause()
        shown = table_sources(app)
        assert len(set(shown.values())) == 5, shown  # five different cells
        width = main.table.table_columns[-1].width
        for key, text in shown.items():
            start, _, end = text.rpartition("…")
            assert SOURCES[key].endswith(end) and start.lstrip("…") in SOURCES[key], text
            assert len(text) <= width
        main.table.focus()
        for key in ("a", "b", "d", "e"):
            main.table.move_cursor(main.table.get_row_index(key * 32))
            await pilot.press("space")
        await pilot.press("c")
        screen = await wait_until(
            pilot, lambda: isinstance(app.screen, ConfirmCancelScreen) and app.screen
        )
        await pilot.pause()
        table = screen.query_one("#cancel-list", DataTable)  # type: ignore[union-attr]
        cells = [str(table.get_row_at(i)[3]) for i in range(table.row_count)]
        assert len(cells) == 4 and len(set(cells)) == 4, cells
        by_id = {str(table.get_row_at(i)[0]): cells[i] for i in range(table.row_count)}
        climate, cfd = by_id["a" * 8], by_id["b" * 8]
        assert "limate/run-0032" in climate and "-cfd/run-0032" in cfd, by_id
        assert climate.startswith("…") and len(climate) < len(SOURCES["a" * 32])
        # Wider than the column rather than the same: "…e/output/run-0032", "…d/output/…".
        assert by_id["d" * 8].endswith("e/output/run-0032"), by_id
        assert by_id["e" * 8].endswith("d/output/run-0032"), by_id
