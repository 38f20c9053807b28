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
import importlib
import io
import logging
import os
import signal
import sys
import unicodedata
from collections.abc import Sequence
from typing import Any, NoReturn

from efile_tui import __version__, i18n
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
from efile_tui.i18n import N_, _

# argparse's own headings, shown in the language in use.
_HEADINGS = {
    "positional arguments": N_("positional arguments"),
    "options": N_("options"),
    "optional arguments": N_("options"),  # Python 3.10's name for the same section
}


def _wide(text: str) -> bool:
    """``text`` has characters two terminal cells wide (Chinese)."""
    return not text.isascii() and any(unicodedata.east_asian_width(c) in "WF" for c in text)


class _Formatter(argparse.HelpFormatter):
    """argparse's help layout with its headings and the usage prefix translated."""

    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
        super().add_usage(usage, actions, groups, _("usage: ") if prefix is None else prefix)

    def start_section(self, heading: str | None) -> None:
        super().start_section(_(_HEADINGS[heading]) if heading in _HEADINGS else heading)

    # Text with wide (Chinese) characters is wrapped by terminal cells, not characters.
    def _split_lines(self, text: str, width: int) -> list[str]:
        if not _wide(text):
            return super()._split_lines(text, width)
        from efile_tui.core import cells  # not for --version: it loads the terminal library

        return cells.wrap(" ".join(text.split()), width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if not _wide(text):
            return super()._fill_text(text, width, indent)
        return "\n".join(indent + line for line in self._split_lines(text, width - len(indent)))


class SafeParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors never echo argument values, in the language in use.

    A mistyped flag such as ``--pass SECRET`` would otherwise be printed back in
    "unrecognized arguments: --pass SECRET"; only option names are shown.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        add_help = kwargs.pop("add_help", True)
        kwargs["add_help"] = False  # added below, with its help translated
        super().__init__(*args, **kwargs)
        if add_help:
            self.add_argument(
                "-h", "--help", action="help", help=_("show this help message and exit")
            )

    def error(self, message: str) -> NoReturn:
        prefix = "unrecognized arguments: "
        if message.startswith(prefix):
            words = message[len(prefix) :].split()
            shown = " ".join(w.split("=", 1)[0] if w.startswith("-") else "…" for w in words)
            message = _("unrecognized arguments: {names}").format(names=shown)
        self.print_usage(sys.stderr)
        self.exit(
            EXIT_USAGE,
            _("{prog}: error: {message}").format(prog=self.prog, message=message) + "\n",
        )


# The module that registers each command. A command line imports only its command's module
# (``ls`` never loads the simulator, the TUI or the keyring); ``--help``, an unknown command
# and ``build_parser()`` load them all. tests/unit/test_command_imports.py keeps it true.
COMMAND_MODULES: dict[str, str] = {
    "ls": "files",
    "mkdir": "files",
    "rm": "submit",
    "cp": "submit",
    "mv": "submit",
    "tasks": "tasks",
    "cancel": "tasks",
    "watch": "tasks",
    "log": "tasks",
    "tui": "demo",
    "demo": "demo",
    "sim": "demo",
    "doctor": "doctor",
    "auth": "auth",
    "login": "auth",
    "logout": "auth",
}
ALL_MODULES = tuple(dict.fromkeys(COMMAND_MODULES.values()))


def build_parser(modules: Sequence[str] = ALL_MODULES) -> argparse.ArgumentParser:
    """The argument parser with the commands of ``modules`` (all by default; the help
    screen and tests use that)."""
    parser = SafeParser(
        prog="efile-tui",
        description=_(
            "Manage file tasks on the SCNet efile service from a terminal. "
            "Without a command, opens the TUI."
        ),
        epilog=_(
            "Exit codes: 0 ok, 1 an item or the operation failed, 2 bad usage or input, "
            "3 service unreachable or throttled, 4 authentication needed, 124 watch/--wait "
            "timed out (--timeout-exit-code), 141 stdout closed."
        ),
    )
    parser.add_argument("--version", action="version", version=f"efile-tui {__version__}")
    _add_top_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in modules:
        importlib.import_module(f"efile_tui.cli.{name}").register(sub)
    from efile_tui.cli.demo import add_encoding_arg

    for command in sub.choices.values():  # every command reads and writes text
        add_encoding_arg(command)
    return parser


def _add_top_options(parser: argparse.ArgumentParser) -> None:
    """The options before the command, which are also the default command's (the TUI)."""
    parser.add_argument("--debug", action="store_true", help=_("log requests to stderr"))
    # Their dests differ from the subcommands' --profile/--url so a subcommand's defaults
    # never overwrite them.
    parser.add_argument(
        "--profile", dest="top_profile", metavar="PROFILE", help=_("saved profile to use")
    )
    parser.add_argument(
        "--url", dest="top_url", metavar="URL", help=_("efile base URL (overrides EFILE_URL)")
    )
    add_deadline_arg(parser, dest="top_deadline")
    add_http_arg(parser, dest="top_allow_http")
    parser.add_argument("--no-mouse", action="store_true", help=_("TUI: do not capture the mouse"))
    parser.add_argument("--interval", type=float, default=None, help=_("TUI: poll interval (s)"))
    from efile_tui.cli.demo import add_encoding_arg, add_terminal_args

    add_terminal_args(parser, prefix="top_")
    add_encoding_arg(parser, prefix="top_")


class _PeekError(Exception):
    """The command line does not parse: the full parser will say why."""


class _CommandPeek(argparse.ArgumentParser):
    """The top-level options and one word: finds the command without loading any."""

    def __init__(self) -> None:
        super().__init__(add_help=False)
        _add_top_options(self)
        self.add_argument("command_word", nargs="?")

    def error(self, message: str) -> NoReturn:
        raise _PeekError(message)


def _modules_for(words: Sequence[str]) -> tuple[str, ...]:
    """The command modules a command line needs: its command's, none for the TUI (no
    command), all for ``--help`` or a line that names no command (argparse lists them)."""
    try:
        known, _rest = _CommandPeek().parse_known_args(list(words))
    except _PeekError:
        return ALL_MODULES
    word = known.command_word
    before = words[: words.index(word)] if word is not None else words
    if {"-h", "--help"} & set(before):
        return ALL_MODULES
    if word is None:
        return ()
    module = COMMAND_MODULES.get(word)
    return (module,) if module else ALL_MODULES


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


def peek_option(words: Sequence[str], option: str) -> str | None:
    """An option's value (``--encoding``, ``--profile``), looked for before parsing: the
    encoding and language of ``--help``, of usage errors and of every argument depend on it."""
    for i, word in enumerate(words):
        if word == "--":
            break
        name, eq, value = word.partition("=")
        if len(name) >= 5 and option.startswith(name):
            if eq:
                return value
            return words[i + 1] if i + 1 < len(words) else None
    return None


def _profile_language(words: Sequence[str]) -> str | None:
    """The ``language`` of the profile the command line uses (None: unset or unreadable;
    a broken config file is reported by the command that reads it)."""
    from efile_tui.config import ConfigError, load_config

    try:
        profile = load_config().get_profile(peek_option(words, "--profile"))
    except ConfigError:
        return None
    return profile.language if profile else None


def _run(argv: Sequence[str] | None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    leading = words[: next((i for i, w in enumerate(words) if not w.startswith("-")), len(words))]
    if "--version" in leading:  # answered before the parser imports the client stack
        print(f"efile-tui {__version__}")
        return 0
    from efile_tui.core.terminal import decode_argument, setup_cli_streams

    try:  # UTF-8 unless told otherwise; never a UnicodeEncodeError, whatever the locale
        setup_cli_streams(peek_option(words, "--encoding"))
    except ValueError as exc:  # a bad EFILE_TUI_ENCODING
        bad = f"efile-tui: {i18n.shown_error(exc)}\n"  # UTF-8: the default the bad value left
        if isinstance(sys.stderr, io.TextIOWrapper):
            sys.stderr.flush()
            sys.stderr.buffer.write(bad.encode("utf-8", "replace"))
            sys.stderr.buffer.flush()
        else:  # a stream of text already (a test's capture)
            sys.stderr.write(bad)
        return EXIT_USAGE
    if argv is None:  # Python read argv in the locale's encoding: read the bytes again
        words = [decode_argument(w) for w in words]
    problem = i18n.setup(_profile_language(words))
    if problem:
        print(_("efile-tui: warning: {problem}").format(problem=problem), file=sys.stderr)
    if words[:1] == ["tasks"]:  # `tasks VERB --help`: the verb's own usage and options
        from efile_tui.cli.task_verbs import verb_help

        text = verb_help(words, SafeParser)
        if text is not None:
            print(text, end="")
            return 0
    parser = build_parser(_modules_for(words))
    args = parser.parse_args(words)
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
        print(f"efile-tui: {clean(i18n.shown_error(exc), keep_newlines=True)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        signum = stopped_by[0] if stopped_by else signal.SIGINT
        name = signal.Signals(signum).name
        print(_("efile-tui: interrupted ({signal})").format(signal=name), file=sys.stderr)
        return 128 + signum
    except Exception as exc:  # an EfileError that escaped a command
        code = error_exit_code(exc)
        if code is None:
            raise
        print(f"efile-tui: {clean(i18n.shown_error(exc), keep_newlines=True)}", file=sys.stderr)
        return code


__all__ = ["EXIT_USAGE", "build_parser", "main"]
