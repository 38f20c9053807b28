"""Running a command line: streams and language first, then the parser, then the command,
with the CLI's exit codes for what a command raises (see ``efile_tui.cli``)."""

from __future__ import annotations

import asyncio
import io
import logging
import signal
import sys
from collections.abc import Sequence

from efile_tui import i18n
from efile_tui.cli.common import EXIT_USAGE, CliError, error_exit_code, guard_output
from efile_tui.cli.parser import SafeParser, build_parser, modules_for, peek_option
from efile_tui.core.text import clean
from efile_tui.i18n import _


def _profile_language(words: Sequence[str]) -> str | None:
    """The ``language`` of the profile the command line uses (None: unset or unreadable;
    a broken config file is reported by the command that reads it)."""
    from efile_tui.config import ConfigError, load_config

    try:
        profile = load_config().get_profile(peek_option(words, "--profile"))
    except ConfigError:
        return None
    return profile.language if profile else None


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


def run(words: list[str], *, from_argv: bool) -> int:
    """Run the command line ``words`` (``from_argv``: they are ``sys.argv``'s, read by Python
    in the locale's encoding); returns the exit code."""
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
    if from_argv:  # Python read argv in the locale's encoding: read the bytes again
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
    parser = build_parser(modules_for(words))
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


__all__ = ["run"]
