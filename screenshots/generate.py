"""Regenerate the screenshots: the real app, headless, against the simulator.

    python screenshots/generate.py        # writes screenshots/*.svg and *.png
    python screenshots/generate.py zh_CN  # the Chinese interface: screenshots/*-zh_CN.*

PNGs are the SVGs as a browser draws them (Debian: ``apt-get install chromium``, plus
fonts-dejavu and fonts-noto-cjk): it honours the SVG's layout, where each run of text is
stretched to its cells (``textLength``), so borders and marked rows stay in their columns
(rsvg-convert ignores that and drew broken right-hand borders). The text is set in DejaVu
Sans Mono (full box drawing) with Noto Sans Mono CJK for Chinese; the browser gets no
network (the SVG names a web font; it is not fetched). Without a browser only the SVGs are
written. A developer script: the test suite does not run it.
"""

from __future__ import annotations

import asyncio
import math
import re
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


BROWSERS = ("chromium", "chromium-browser", "google-chrome")
FONTS = '"DejaVu Sans Mono", "Noto Sans Mono CJK SC", monospace'


def render_png(svg: Path) -> bool:
    """Draw ``svg`` as ``.png`` beside it with a headless browser; False without one."""
    browser = next((found for name in BROWSERS if (found := shutil.which(name))), None)
    if browser is None:
        return False
    text = svg.read_text(encoding="utf-8")
    view = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', text)
    assert view is not None, f"{svg.name}: no viewBox"
    width, height = (math.ceil(float(v)) for v in view.groups())
    text = re.sub(r"font-family: Fira Code, monospace;", f"font-family: {FONTS};", text)
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / svg.name
        page.write_text(text, encoding="utf-8")
        subprocess.run(
            [
                browser,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--force-device-scale-factor=1",
                "--host-resolver-rules=MAP * ~NOTFOUND",  # no network: nothing is fetched
                f"--window-size={width},{height}",
                f"--screenshot={svg.with_suffix('.png')}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    return True


SUFFIX = ""  # "-zh_CN" for the Chinese set


async def shoot(app, name: str) -> None:  # type: ignore[no-untyped-def]
    svg = HERE / f"{name}{SUFFIX}.svg"
    app.save_screenshot(str(svg))
    png = render_png(svg)
    print(f"wrote {svg.name}" + (" and its PNG" if png else " (no browser: no PNG)"))


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        root = tmp / "home"
        root.mkdir()
        seed_tree(root, projects=4, small_files=1600, large_files=2, large_size=8 << 20)
        with SimServer(SimConfig(root=root, files_per_second=3)) as server:
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
                await wait_until(pilot, lambda: pane.marking.known_entry(f"{HOME}/{projects[3]}"))
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
    language = sys.argv[1] if len(sys.argv) > 1 else "en"
    if language != "en":
        import os

        from efile_tui import i18n

        os.environ[i18n.LANG_ENV] = language
        i18n.use(language)
        SUFFIX = f"-{language}"
    asyncio.run(main())
