"""What every command shares: exit codes, output, confirmation and connection options."""

from __future__ import annotations

import argparse
import codecs
import contextlib
import io
import sys
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TextIO

from efile_tui.api.errors import (
    AccessRefused,
    ApiError,
    AuthError,
    BadResponse,
    EfileError,
    OutcomeUnknown,
    PlainHttpRefused,
    RateLimited,
    ServiceUnreachable,
    SettingError,
)
from efile_tui.core.text import clean, json_dumps
from efile_tui.core.validate import InputError, text_problem
from efile_tui.i18n import N_, Msg, _, shown, shown_error

if TYPE_CHECKING:
    from efile_tui.api.client import EfileClient
    from efile_tui.core.operations import Context
    from efile_tui.core.session import Connection

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3
EXIT_AUTH = 4
EXIT_VANISHED = 5  # watch/--wait: every task ended, some vanished from the service unseen
EXIT_TIMEOUT = 124  # watch/--wait: --timeout came first (as timeout(1)); --timeout-exit-code
EXIT_BROKEN_PIPE = 141  # stdout's reader went away (| head): 128 + SIGPIPE, like Unix tools


class CliError(Exception):
    """A failure to report on stderr with a specific exit code."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def error_exit_code(exc: BaseException) -> int | None:
    """The exit code for an error escaping a command (None: not ours, re-raise)."""
    if isinstance(exc, (AuthError, AccessRefused)):
        return EXIT_AUTH
    if isinstance(exc, (PlainHttpRefused, SettingError)):
        return EXIT_USAGE
    if isinstance(exc, (ServiceUnreachable, RateLimited, BadResponse)):
        return EXIT_UNREACHABLE
    if isinstance(exc, (ApiError, OutcomeUnknown, EfileError)):
        return EXIT_FAILED
    return None


def add_connection_args(parser: argparse.ArgumentParser) -> None:
    """``--profile``, ``--url``, ``--deadline`` and ``--allow-http``, shared by every command
    that talks to the service."""
    parser.add_argument("--profile", help=_("saved profile to use (default: the default profile)"))
    parser.add_argument(
        "--url", help=_("efile base URL (overrides EFILE_URL and the profile; skips discovery)")
    )
    add_deadline_arg(parser)
    add_http_arg(parser)


def add_deadline_arg(parser: argparse.ArgumentParser, dest: str = "deadline") -> None:
    """``--deadline SECONDS``: the most one request may take, connect to last byte."""
    parser.add_argument(
        "--deadline",
        dest=dest,
        type=_seconds,
        metavar="SECONDS",
        help=_(
            "most seconds one request may take, connect to last byte (default: "
            "$EFILE_DEADLINE, the profile's request_deadline, or 60)"
        ),
    )


def add_http_arg(parser: argparse.ArgumentParser, dest: str = "allow_http") -> None:
    """``--allow-http``: the opt-in to send the token over plain http to another host."""
    parser.add_argument(
        "--allow-http",
        dest=dest,
        action="store_true",
        help=_(
            "allow a plain http:// URL to a host other than this machine (the token then "
            "crosses the network unencrypted); also the profile's allow_plain_http = true"
        ),
    )


def _checked_seconds(option: str, value: str) -> float:
    """``value`` of ``option`` as seconds, checked as a profile's deadlines are."""
    from efile_tui.config import deadline_problem

    problem = deadline_problem(value)
    if problem:
        raise argparse.ArgumentTypeError(f"{option} {shown(problem)}")
    return float(value)


def _seconds(value: str) -> float:
    return _checked_seconds("--deadline", value)


def walk_budget(value: str) -> float:
    """``--walk-budget SECONDS``, checked as the profile's ``walk_budget`` is."""
    return _checked_seconds("--walk-budget", value)


def add_json_arg(parser: argparse.ArgumentParser) -> None:
    """``--json``: data on stdout as JSON with the API's field names."""
    parser.add_argument(
        "--json", action="store_true", help=_("print data as JSON (API field names) on stdout")
    )


def say(message: str) -> None:
    """Narration for humans: always stderr, so stdout stays data."""
    print(message, file=sys.stderr, flush=True)


def emit_json(data: Any) -> None:
    """Write one JSON document to stdout (control and invisible characters escaped).

    Written in pieces: a reader that goes away (``| head``) is then noticed as a broken
    pipe, where one huge write may be swallowed whole by the pipe as it closes.
    """
    text = json_dumps(data, indent=2) + "\n"
    with data_output() as out:
        for i in range(0, len(text), 1 << 16):
            out.write(text[i : i + (1 << 16)])
        out.flush()


@contextlib.contextmanager
def data_output() -> Iterator[TextIO]:
    """stdout for data that programs read (JSON, CSV): always UTF-8, whatever
    ``--encoding`` chose for the text people read."""
    stream = sys.stdout.stream if isinstance(sys.stdout, CleanStream) else sys.stdout
    if not isinstance(stream, io.TextIOWrapper) or codecs.lookup(stream.encoding).name == "utf-8":
        yield sys.stdout
        return
    stream.flush()
    out = io.TextIOWrapper(stream.buffer, encoding="utf-8", errors="backslashreplace")
    try:
        yield out
    finally:
        out.flush()
        out.detach()  # stdout's buffer stays open


class CleanStream:
    """A text stream that shows every write through ``clean`` (tab and newline kept).

    The CLI's stdout and stderr are wrapped in it, so no byte a server or a file chose can
    act on the terminal, whichever code path prints it. Output that must carry a control
    character on purpose (a terminal bell) goes through ``write_control``.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        """Write ``text`` cleaned; returns ``len(text)`` like a text stream."""
        self.stream.write(clean(text, keep_newlines=True))
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        """Write each of ``lines`` cleaned."""
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:  # flush, fileno, isatty, encoding…
        return getattr(self.stream, name)


def write_control(text: str) -> None:
    """Write a terminal control sequence this program built itself (a bell, a desktop
    notification) to stderr as is; everything else on stderr is shown cleaned."""
    stream = sys.stderr.stream if isinstance(sys.stderr, CleanStream) else sys.stderr
    stream.write(text)
    stream.flush()


def guard_output() -> None:
    """Wrap stdout and stderr in ``CleanStream`` (for commands; never for the TUI)."""
    if sys.stdout is not None and not isinstance(sys.stdout, CleanStream):
        sys.stdout = CleanStream(sys.stdout)
    if sys.stderr is not None and not isinstance(sys.stderr, CleanStream):
        sys.stderr = CleanStream(sys.stderr)


def confirm(question: str, *, assume_yes: bool) -> None:
    """Ask on a TTY; without one, demand ``--yes``. Raises CliError when not confirmed."""
    if assume_yes:
        return
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        raise CliError(
            _(
                "refusing to act without confirmation: standard input is not a terminal; "
                "pass --yes to confirm"
            ),
            EXIT_USAGE,
        )
    sys.stderr.write(f"{question} [y/N] ")
    sys.stderr.flush()
    answer = sys.stdin.readline().strip().lower()
    if answer not in ("y", "yes"):
        raise CliError(_("cancelled; nothing was sent"), EXIT_FAILED)


def _connection(args: argparse.Namespace) -> Connection:
    """The connection from flags/env/profile, its settings checked (nothing sent yet)."""
    from efile_tui.core.session import resolve_connection

    check_option_text(args, "profile", "url")
    conn = resolve_connection(
        profile=getattr(args, "profile", None),
        url=getattr(args, "url", None),
        deadline=getattr(args, "deadline", None),
        allow_http=bool(getattr(args, "allow_http", False)),
    )
    check_connection_text(conn)
    return conn


@contextlib.asynccontextmanager
async def open_client(args: argparse.Namespace) -> AsyncIterator[tuple[Connection, EfileClient]]:
    """The connection and its client alone, for commands that only read or make folders
    (``ls``, ``mkdir``): they neither open the journal nor the audit log."""
    conn = _connection(args)
    async with conn.client() as client:
        yield conn, client


@contextlib.asynccontextmanager
async def open_context(args: argparse.Namespace) -> AsyncIterator[tuple[Connection, Context]]:
    """Resolve the connection from flags/env/profile and open client, journal and audit log."""
    from efile_tui.store.audit import AuditLog
    from efile_tui.store.journal import Journal

    conn = _connection(args)
    # Checked now, read when a command first needs it (a submit never does: a job script
    # on a busy shared home records its intent without reading other writers' files).
    journal = Journal(defer=True, reap=True)
    try:
        audit = AuditLog()  # both checked before any request is sent
        async with conn.client() as client:
            yield conn, conn.context(client, journal, audit)
    finally:
        for problem in journal.problems:
            say(_("efile-tui: warning: {problem}").format(problem=shown(problem)))
        journal.close()


def input_error(exc: InputError) -> CliError:
    """A CliError (exit 2) listing every rejected item."""
    lines = "\n  ".join(shown(p) for p in exc.problems)
    return CliError(_("input rejected, nothing was sent:") + f"\n  {lines}", EXIT_USAGE)


def profile_name(name: str) -> str:
    """A profile name from the command line, checked; a bad one is a usage error (exit 2)."""
    from efile_tui.config import check_profile_name  # not at import: --version stays quick

    try:
        return check_profile_name(name)
    except ValueError as exc:
        raise CliError(shown_error(exc), EXIT_USAGE) from None


def check_option_text(args: argparse.Namespace, *names: str) -> None:
    """Reject option values that are not UTF-8 or hold control characters (exit 2).

    Such bytes would otherwise fail deep inside the HTTP client or the journal.
    """
    problems = []
    for name in names:
        value = getattr(args, name, None)
        problem = text_problem(value, f"--{name.replace('_', '-')}") if value else None
        if problem:
            problems.append(problem)
    if problems:
        raise input_error(InputError(problems))


def check_connection_text(conn: Connection) -> None:
    """Reject a URL or token (from the environment or a profile) that cannot be sent.

    A URL that is not UTF-8 is input rejected (exit 2); a token with non-ASCII or control
    characters can never be valid (exit 4). The token itself is never shown.
    """
    problem = text_problem(conn.efile_url, Msg(N_("the efile URL")))
    if problem:
        raise CliError(
            _("{problem} (it comes from --url, EFILE_URL or the profile)").format(
                problem=shown(problem)
            ),
            EXIT_USAGE,
        )
    token = conn.token or ""
    if not (token.isascii() and token.isprintable()):
        raise CliError(
            _(
                "the token from {source} has characters no token has (non-ASCII or control "
                "characters): set EFILE_TOKEN again or run `efile-tui login`"
            ).format(source=conn.token_source),
            EXIT_AUTH,
        )
