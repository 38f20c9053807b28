"""The TUI entry points (default command, ``tui``, ``demo``) and the simulator command."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from efile_tui.cli.common import CliError, add_connection_args, say
from efile_tui.i18n import _

if TYPE_CHECKING:
    from efile_tui.sim.lazy import LazyTree
    from efile_tui.sim.server import SimServer


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``tui``, ``demo`` and ``sim``."""
    p = sub.add_parser("tui", help=_("open the TUI (the default when no command is given)"))
    add_connection_args(p)
    _tui_args(p)
    p.set_defaults(handler=run_tui)

    p = sub.add_parser(
        "demo",
        help=_("start the simulator over a fresh sample tree and open the TUI against it"),
    )
    _tui_args(p)
    p.add_argument(
        "--big-folder",
        type=int,
        default=20000,
        metavar="N",
        help=_("entries in the sample big-folder (default 20000)"),
    )
    p.add_argument(
        "--files-per-second",
        type=float,
        default=150.0,
        help=_("simulated task speed (default 150 files/s)"),
    )
    p.set_defaults(handler=run_demo)

    from efile_tui.sim import cli as sim_cli

    p = sub.add_parser("sim", help=_("run the efile simulator (a local fake of the service)"))
    sim_cli.add_arguments(p)
    p.set_defaults(handler=sim_cli.run)


def _tui_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-mouse", action="store_true", help=_("do not capture the mouse"))
    p.add_argument("--interval", type=float, default=None, help=_("poll interval in seconds"))
    add_terminal_args(p)


def add_terminal_args(p: argparse.ArgumentParser, prefix: str = "") -> None:
    """``--glyphs`` (see ``core.terminal``; ``--encoding`` is every command's)."""
    from efile_tui.glyphs import CHOICES

    p.add_argument(
        "--glyphs",
        dest=f"{prefix}glyphs",
        choices=CHOICES,
        default=None,
        help=_(
            "TUI: symbols and borders (default auto: ASCII on TERM=linux/vt100 or when the "
            "output encoding is not UTF-8; also EFILE_TUI_GLYPHS or the profile's glyphs)"
        ),
    )


def add_encoding_arg(p: argparse.ArgumentParser, prefix: str = "") -> None:
    """``--encoding``: what the terminal speaks (see ``core.terminal``)."""
    from efile_tui.core.terminal import ENCODING_CHOICES

    p.add_argument(
        "--encoding",
        dest=f"{prefix}encoding",
        choices=ENCODING_CHOICES,
        default=None,
        help=_(
            "the terminal's encoding (default auto = UTF-8 even under a GB18030/GB2312 "
            "locale; 'locale' for a terminal set to GBK/GB18030: output, arguments and input in "
            "the locale's encoding; also EFILE_TUI_ENCODING). JSON output is always UTF-8"
        ),
    )


def run_tui(args: argparse.Namespace) -> int:
    """Open the TUI against the configured service."""
    from efile_tui.cli.common import EXIT_USAGE
    from efile_tui.ui.launch import launch

    try:
        return _launch(launch, args)
    except ValueError as exc:  # a bad EFILE_TUI_GLYPHS / EFILE_TUI_ENCODING value
        raise CliError(str(exc), EXIT_USAGE) from None


def _launch(launch, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    return launch(
        profile=getattr(args, "profile", None) or getattr(args, "top_profile", None),
        url=getattr(args, "url", None) or getattr(args, "top_url", None),
        mouse=not getattr(args, "no_mouse", False),
        interval=getattr(args, "interval", None),
        glyphs=getattr(args, "glyphs", None) or getattr(args, "top_glyphs", None),
        encoding=getattr(args, "encoding", None) or getattr(args, "top_encoding", None),
        deadline=getattr(args, "deadline", None) or getattr(args, "top_deadline", None),
        allow_http=bool(getattr(args, "allow_http", False) or getattr(args, "top_allow_http", 0)),
    )


def run_demo(args: argparse.Namespace) -> int:
    """Start the simulator on a free loopback port over a fresh sample tree; open the TUI.

    The sample tree is written as it is used (``sim.lazy``): the home holds its top-level
    entries at once, each folder is written whole the first time it is opened or named by
    a task, and the rest in the background a few seconds after start. The demo keeps its
    state (journal, audit log) in the same temporary folder, which is removed after the
    terminal is given back, without keeping the prompt waiting.
    """
    tmp = Path(tempfile.mkdtemp(prefix="efile-tui-demo-"))
    tree = None
    try:
        server, tree = demo_server(tmp, args.big_folder, args.files_per_second)
        with server:
            say(f"simulator at {server.url} over a sample tree in {server.config.root}")
            tree.fill_later(FILL_AFTER)
            demo_environment(server, tmp / "state")
            return run_tui(args)
    finally:
        if tree is not None:
            tree.stop()
        remove_later(tmp)


FILL_AFTER = 3.0  # seconds after start the demo's sample tree is written in the background


def demo_server(tmp: Path, big_folder: int, files_per_second: float) -> tuple[SimServer, LazyTree]:
    """The demo's simulator (not started) over a sample tree in ``tmp/home``, written as
    it is used; nothing but the home's top-level entries is written here."""
    from efile_tui.sim.config import SimConfig
    from efile_tui.sim.lazy import LazyTree
    from efile_tui.sim.server import SimServer

    root, staging = tmp / "home", tmp / "staging"
    root.mkdir()
    staging.mkdir()
    tree = LazyTree(root, staging, big=big_folder)
    config = SimConfig(
        root=root, files_per_second=files_per_second, bytes_per_second=200e6, settle=tree.settle
    )
    return SimServer(config), tree


def demo_environment(server: SimServer, state: Path) -> None:
    """Point this process (and the TUI it opens) at the demo's simulator."""
    from efile_tui.locations import STATE_DIR_ENV

    os.environ["EFILE_URL"] = server.url
    os.environ["EFILE_PLATFORM_URL"] = server.url  # the header: user@region
    os.environ["EFILE_TOKEN"] = server.token
    os.environ["EFILE_HOME"] = server.config.home
    # The demo's tasks live and die with its simulator: a journal and audit log of their
    # own, never mixed with real use.
    os.environ[STATE_DIR_ENV] = str(state)


def remove_later(folder: Path) -> None:
    """Remove ``folder`` from a process of its own (tens of thousands of files take
    seconds): the prompt comes back at once. Removed here if that process cannot start."""
    try:
        subprocess.Popen(
            ["rm", "-rf", "--", str(folder)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # not stopped with this terminal's process group
        )
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
