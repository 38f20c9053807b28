"""Regenerate the screenshots: the real app, headless, against the simulator.

    python screenshots/generate.py        # writes screenshots/*.svg and *.png

PNGs need ``rsvg-convert`` (Debian: librsvg2-bin), which keeps the monospace font.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from efile_tui.api.models import Operation, SubmitItem  # noqa: E402
from efile_tui.core.operations import submit_tracked  # noqa: E402
from efile_tui.sim.config import SimConfig  # noqa: E402
from efile_tui.sim.seed import seed_tree  # noqa: E402
from efile_tui.sim.server import SimServer  # noqa: E402
from efile_tui.ui.modals.cancel import CancelResultsScreen, ConfirmCancelScreen  # noqa: E402
from efile_tui.ui.modals.confirm_delete import ConfirmDeleteScreen  # noqa: E402
from tests.ui.harness import HOME, build_app, wait_until  # noqa: E402

SIZE = (120, 40)


async def shoot(app, name: str) -> None:  # type: ignore[no-untyped-def]
    svg = HERE / f"{name}.svg"
    app.save_screenshot(str(svg))
    if shutil.which("rsvg-convert"):
        subprocess.run(
            ["rsvg-convert", "-f", "png", "-o", str(svg.with_suffix(".png")), str(svg)], check=True
        )
    print(f"wrote {svg.name}")


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        root = tmp / "home"
        root.mkdir()
        seed_tree(root, projects=4, small_files=1600, large_files=2, large_size=8 << 20)
        with SimServer(SimConfig(root=root, files_per_second=12)) as server:
            app = build_app(server.url, server.token, tmp, interval=1.0)
            projects = sorted(p.name for p in root.iterdir() if p.name.startswith("proj"))
            await submit_tracked(
                app.ctx, Operation.DELETE, [SubmitItem(f"{HOME}/{p}") for p in projects[:3]]
            )
            async with app.run_test(size=SIZE) as pilot:
                main_screen = app.main
                await wait_until(pilot, lambda: main_screen.poll_count >= 2, what="polls")
                main_screen.table.focus()
                await pilot.press("space", "space")
                await pilot.pause(0.3)
                await shoot(app, "main")
                await pilot.resize_terminal(80, 24)  # the usual PuTTY window
                await pilot.pause(0.3)
                await shoot(app, "main-80x24")
                await pilot.resize_terminal(*SIZE)
                await pilot.pause(0.3)

                await pilot.press("question_mark")
                await pilot.pause(0.3)
                await shoot(app, "help")
                await pilot.press("escape")

                await pilot.press("c")
                await wait_until(pilot, lambda: isinstance(app.screen, ConfirmCancelScreen))
                await pilot.pause(0.2)
                await shoot(app, "cancel-confirmation")
                await pilot.press("tab", "enter")
                await wait_until(pilot, lambda: isinstance(app.screen, CancelResultsScreen))
                await pilot.pause(0.2)
                await shoot(app, "cancel-results")
                await pilot.press("escape")

                pane = main_screen.path_pane
                pane.focus_table()
                await wait_until(pilot, lambda: pane.known_entry(f"{HOME}/{projects[3]}"))
                table = pane.query_one("#path-table")
                table.move_cursor(row=table.get_row_index(f"{HOME}/{projects[3]}"))
                await pilot.press("d")
                modal = await wait_until(
                    pilot, lambda: isinstance(app.screen, ConfirmDeleteScreen) and app.screen
                )
                await wait_until(pilot, lambda: modal.preview_done, what="preview")
                await pilot.pause(0.2)
                await shoot(app, "delete-confirmation")


if __name__ == "__main__":
    asyncio.run(main())
