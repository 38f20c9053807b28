"""The TUI entry points (default command, ``tui``, ``demo``) and the simulator command."""

from __future__ import annotations

import argparse
import gc
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from efile_tui.cli.common import CliError, add_connection_args, say
from efile_tui.i18n import _


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
    """Open the TUI against the configured service.

    No garbage collection runs while it starts: loading the UI makes some hundred thousand
    objects that live as long as it does, and collections walking them cost a tenth of the
    time to the first frame. Once that frame is up the app sets them aside (``gc.freeze``)
    and turns collection back on (``EfileApp.on_first_frame``); here it is turned back on
    in any case when the app ends.
    """
    from efile_tui.cli.common import EXIT_USAGE

    gc.disable()
    try:
        from efile_tui.ui.launch import launch

        return _launch(launch, args)
    except ValueError as exc:  # a bad EFILE_TUI_GLYPHS / EFILE_TUI_ENCODING value
        raise CliError(str(exc), EXIT_USAGE) from None
    finally:
        gc.enable()


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

    The simulator runs in a process of its own (``sim.demo``), started first so that it
    comes up while this one loads the TUI; its sample tree is written as it is used
    (``sim.lazy``). The demo keeps its state (journal, audit log) in the same temporary
    folder, which is removed after the terminal is given back, without keeping the prompt
    waiting.
    """
    tmp = Path(tempfile.mkdtemp(prefix="efile-tui-demo-"))
    sim: DemoSimulator | None = None
    try:
        sim = DemoSimulator(tmp, args.big_folder, args.files_per_second)
        from efile_tui.ui import launch  # noqa: F401  (loaded while the simulator starts)

        url, home = sim.wait_for_url()
        say(
            _("simulator at {url} over a sample tree in {folder}").format(
                url=url, folder=tmp / "home"
            )
        )
        demo_environment(url, sim.token, home, tmp / "state")
        return run_tui(args)
    finally:
        if sim is not None:
            sim.stop()
        remove_later(tmp)


class DemoSimulator:
    """The demo's simulator process (``python -m efile_tui.sim.demo``)."""

    def __init__(self, tmp: Path, big_folder: int, files_per_second: float) -> None:
        from efile_tui.sim.cli import TOKEN_ENV

        (tmp / "home").mkdir()
        (tmp / "staging").mkdir()
        self.token = secrets.token_urlsafe(24)
        argv = [str(tmp / "home"), str(tmp / "staging"), str(big_folder), str(files_per_second)]
        self.log = tmp / "simulator.log"  # its messages: never a pipe nobody reads
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "efile_tui.sim.demo", *argv],
                env={**os.environ, TOKEN_ENV: self.token},  # the token never on a command line
                stdin=subprocess.PIPE,  # closed: the simulator stops (also when this one dies)
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                start_new_session=True,  # Ctrl-C at the terminal is this process's to handle
            )

    def wait_for_url(self) -> tuple[str, str]:
        """The simulator's URL and home once it serves; a process that ended is a CliError."""
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            words = line.split()
            if len(words) == 3 and words[0] == "url":
                return words[1], words[2]
        self.proc.wait()
        last = self.log.read_text(errors="replace").strip().splitlines()[-1:]
        raise CliError(
            _("the demo's simulator did not start (exit {code})").format(code=self.proc.returncode)
            + "".join(f": {line}" for line in last)
        )

    def stop(self) -> None:
        """End the simulator at once (its tree is thrown away with the folder)."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()


def demo_environment(url: str, token: str, home: str, state: Path) -> None:
    """Point this process (and the TUI it opens) at the demo's simulator."""
    from efile_tui.locations import STATE_DIR_ENV

    os.environ["EFILE_URL"] = url
    os.environ["EFILE_PLATFORM_URL"] = url  # the header: user@region
    os.environ["EFILE_TOKEN"] = token
    os.environ["EFILE_HOME"] = home
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
