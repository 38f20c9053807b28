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

import contextlib
import os
import sys
from collections.abc import Sequence

from efile_tui import __version__


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code.

    When stdout's reader goes away (``efile-tui tasks | head -1``) the command stops
    quietly with exit code 141 instead of a traceback.
    """
    words = list(sys.argv[1:] if argv is None else argv)
    leading = words[: next((i for i, w in enumerate(words) if not w.startswith("-")), len(words))]
    if "--version" in leading:  # answered before anything else is loaded
        print(f"efile-tui {__version__}")
        return 0
    from efile_tui.cli.common import EXIT_BROKEN_PIPE
    from efile_tui.cli.run import run

    try:
        code = run(words, from_argv=argv is None)
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


__all__ = ["main"]
