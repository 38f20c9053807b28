"""Command-line entry point: parse arguments and hand over to a command.

Exit codes (the CLI's contract):

* 0 — everything asked for succeeded
* 1 — some item or the operation failed
* 2 — bad usage, or input rejected before any request was sent
* 3 — the service was unreachable or throttled after retries
* 4 — authentication is needed (no token, expired token, no usable keyring)
* 124 — ``watch``/``--wait``: the ``--timeout`` came first (``--timeout-exit-code`` sets it)
* 141 — the reader of stdout went away (``| head``): stopped quietly, as a Unix tool
  killed by SIGPIPE would (128 + 13)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Sequence
from typing import NoReturn

from efile_tui import __version__
from efile_tui.cli.common import (
    EXIT_BROKEN_PIPE,
    EXIT_USAGE,
    CliError,
    add_deadline_arg,
    add_http_arg,
    error_exit_code,
    guard_output,
)
from efile_tui.core.text import clean


class SafeParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors never echo argument values.

    A mistyped flag such as ``--pass SECRET`` would otherwise be printed back in
    "unrecognized arguments: --pass SECRET"; only option names are shown.
    """

    def error(self, message: str) -> NoReturn:
        prefix = "unrecognized arguments: "
        if message.startswith(prefix):
            words = message[len(prefix) :].split()
            shown = " ".join(w.split("=", 1)[0] if w.startswith("-") else "…" for w in words)
            message = prefix + shown
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (also used by the help screen and tests)."""
    parser = SafeParser(
        prog="efile-tui",
        description="Manage file tasks on the SCNet efile service from a terminal. "
        "Without a command, opens the TUI.",
        epilog="Exit codes: 0 ok, 1 an item or the operation failed, 2 bad usage or input, "
        "3 service unreachable or throttled, 4 authentication needed, 124 watch/--wait timed "
        "out (--timeout-exit-code), 141 stdout closed.",
    )
    parser.add_argument("--version", action="version", version=f"efile-tui {__version__}")
    parser.add_argument("--debug", action="store_true", help="log requests to stderr")
    # Options of the default command (the TUI). Their dests differ from the subcommands'
    # --profile/--url so a subcommand's defaults never overwrite them.
    parser.add_argument(
        "--profile", dest="top_profile", metavar="PROFILE", help="saved profile to use"
    )
    parser.add_argument(
        "--url", dest="top_url", metavar="URL", help="efile base URL (overrides EFILE_URL)"
    )
    add_deadline_arg(parser, dest="top_deadline")
    add_http_arg(parser, dest="top_allow_http")
    parser.add_argument("--no-mouse", action="store_true", help="TUI: do not capture the mouse")
    parser.add_argument("--interval", type=float, default=None, help="TUI: poll interval (s)")
    from efile_tui.cli.demo import add_terminal_args

    add_terminal_args(parser, prefix="top_")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    from efile_tui.cli import files, submit, tasks  # the client stack: not for --version

    for module in (files, submit, tasks):
        module.register(sub)
    _register_optional(sub)
    return parser


def _register_optional(sub: argparse._SubParsersAction) -> None:
    """Commands from parts that import heavier libraries (simulator, TUI, credentials)."""
    from efile_tui.cli import demo, doctor

    demo.register(sub)
    doctor.register(sub)
    try:
        from efile_tui.cli import auth
    except ImportError:  # pragma: no cover - only while the module is being written
        return
    auth.register(sub)


def _stop_like_sigint(stopped_by: list[int]) -> None:
    """Make SIGTERM and SIGHUP stop a command the way Ctrl-C does.

    A submit that is stopped then records what it knows (items without an answer become
    "outcome unknown" in the journal, the audit log gets its entry) instead of the process
    dying mid-request; the exit status is 128 + the signal number.
    """

    def interrupt(signum: int, _frame: object) -> None:
        if stopped_by:  # already stopping: let the journal and audit writes finish
            return
        stopped_by.append(signum)
        raise KeyboardInterrupt

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, interrupt)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code.

    When stdout's reader goes away (``efile-tui tasks | head -1``) the command stops
    quietly with exit code 141 instead of a traceback.
    """
    try:
        code = _run(argv)
        sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
        return code
    except BrokenPipeError:
        _quiet_broken_pipe()
        return EXIT_BROKEN_PIPE


def _quiet_broken_pipe() -> None:
    """Point the broken standard streams at /dev/null so nothing else fails on exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            with contextlib.suppress(OSError, ValueError):
                os.dup2(devnull, stream.fileno())
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _run(argv: Sequence[str] | None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    leading = words[: next((i for i, w in enumerate(words) if not w.startswith("-")), len(words))]
    if "--version" in leading:  # answered before the parser imports the client stack
        print(f"efile-tui {__version__}")
        return 0
    from efile_tui.core.terminal import setup_cli_streams

    setup_cli_streams()  # never a UnicodeEncodeError, whatever the locale
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING,
        format="efile-tui: %(levelname)s %(name)s: %(message)s",
    )
    if args.debug:
        # httpx logs request lines only (never headers); keep its noise at INFO.
        logging.getLogger("httpcore").setLevel(logging.INFO)
    from efile_tui.cli import demo

    handler = getattr(args, "handler", None) or demo.run_tui
    stopped_by: list[int] = []
    if handler not in (demo.run_tui, demo.run_demo):
        guard_output()  # a command's output is shown cleaned; the TUI renders its own
        _stop_like_sigint(stopped_by)
    try:
        result = handler(args)
        if asyncio.iscoroutine(result):
            result = asyncio.run(result)
        return int(result or 0)
    except CliError as exc:
        print(f"efile-tui: {clean(str(exc), keep_newlines=True)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        signum = stopped_by[0] if stopped_by else signal.SIGINT
        print(f"efile-tui: interrupted ({signal.Signals(signum).name})", file=sys.stderr)
        return 128 + signum
    except Exception as exc:  # an EfileError that escaped a command
        code = error_exit_code(exc)
        if code is None:
            raise
        print(f"efile-tui: {clean(str(exc), keep_newlines=True)}", file=sys.stderr)
        return code


__all__ = ["EXIT_USAGE", "build_parser", "main"]
