"""The command line's parser: the top-level options, the command table and argparse in the
language in use (headings, usage, errors that never echo argument values)."""

from __future__ import annotations

import argparse
import importlib
import sys
import unicodedata
from collections.abc import Sequence
from typing import Any, NoReturn

from efile_tui import __version__
from efile_tui.cli.argparse_text import translated
from efile_tui.cli.common import EXIT_USAGE, add_deadline_arg, add_http_arg
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
        else:
            message = translated(message)
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


def modules_for(words: Sequence[str]) -> tuple[str, ...]:
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


__all__ = [
    "ALL_MODULES",
    "COMMAND_MODULES",
    "SafeParser",
    "build_parser",
    "modules_for",
    "peek_option",
]
