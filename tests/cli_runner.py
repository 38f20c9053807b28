"""Run the CLI's entry function in this process, as a subprocess would see it run.

``run_in_process`` calls ``efile_tui.cli.main`` with the environment, argv and standard
streams a subprocess would get: stdin, stdout and stderr are text streams over real byte
buffers with an encoding (the CLI's own encoding logic reconfigures them as it would a
pipe), the output is decoded the way ``subprocess.run(text=True)`` decodes it (universal
newlines), an exit through ``SystemExit`` gives its code and an escaping exception gives
exit 1 with its traceback on stderr. Everything the CLI changes for the whole process is
put back afterwards: the environment, argv, the streams, cwd, signal handlers, logging,
the glyph set, the language, the input encodings and the keyring backend; so one run never
leaks into the next.

A test whose point is the process boundary (signals, pipes, a terminal, ``kill -9``, the
locale, what ``ps`` shows) runs the real ``efile-tui`` in a subprocess instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import os
import signal
import sys
import traceback
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

ENCODING = "utf-8"  # the test machine's locale (C.UTF-8): what a subprocess's pipes use
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE)


@dataclass
class CliResult:
    """A finished CLI run."""

    code: int
    out: str
    err: str


@contextlib.contextmanager
def _environment(env: Mapping[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextlib.contextmanager
def _process_state() -> Iterator[None]:
    """Put back what a CLI run may change for the whole process."""
    from efile_tui import glyphs, i18n
    from efile_tui.core import terminal

    saved_streams = (sys.stdin, sys.stdout, sys.stderr)
    language = i18n.current()
    reading = terminal.input_encodings()
    saved_argv = sys.argv
    cwd = os.getcwd()
    handlers = {signum: signal.getsignal(signum) for signum in SIGNALS}
    root = logging.getLogger()
    root_state = (list(root.handlers), root.level)
    levels = {name: logging.getLogger(name).level for name in ("httpx", "httpcore")}
    glyph_set = glyphs.current()
    backend = _keyring_backend()
    root.handlers[:] = []  # as in a new process: the CLI's logging.basicConfig takes effect
    try:
        yield
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved_streams
        sys.argv = saved_argv
        os.chdir(cwd)
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
        root.handlers[:] = root_state[0]
        root.setLevel(root_state[1])
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
        glyphs.use(glyph_set)
        i18n.use(language)
        terminal.read_in(reading)
        if backend is not None:
            import keyring

            keyring.set_keyring(backend)


def _keyring_backend() -> object | None:
    """The keyring backend in use, if the keyring has been loaded (None otherwise)."""
    if "keyring" not in sys.modules:
        return None
    import keyring

    return keyring.get_keyring()


def _fresh_keyring() -> None:
    """Make the keyring choose its backend again under the run's environment
    (``PYTHON_KEYRING_BACKEND``, ``keyringrc.cfg``), as a new process would."""
    if "keyring" in sys.modules:
        import keyring.core

        keyring.core.init_backend()


def _decode(buffer: io.BytesIO) -> str:
    """Bytes as ``subprocess.run(text=True)`` gives them: decoded, universal newlines."""
    return io.TextIOWrapper(io.BytesIO(buffer.getvalue()), encoding=ENCODING, newline=None).read()


def run_in_process(args: Sequence[str], env: Mapping[str, str], stdin: str = "") -> CliResult:
    """Run ``efile-tui ARGS`` through ``efile_tui.cli.main`` in this process."""
    from efile_tui.cli import main

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:  # the CLI runs its own loop (asyncio.run); beside a running app, use a process
        raise RuntimeError("run_in_process: an event loop is running here; run a process")
    out, err = io.BytesIO(), io.BytesIO()
    stdin_bytes = io.BytesIO(stdin.encode(ENCODING))
    with _process_state(), _environment(env):
        _fresh_keyring()
        # Held here until the output is read: a collected wrapper closes its buffer.
        streams = (
            io.TextIOWrapper(stdin_bytes, encoding=ENCODING),
            io.TextIOWrapper(out, encoding=ENCODING, write_through=True),
            io.TextIOWrapper(err, encoding=ENCODING, write_through=True),
        )
        sys.stdin, sys.stdout, sys.stderr = streams
        sys.argv = ["efile-tui", *args]
        try:
            code: int = main(list(args))
        except SystemExit as exc:
            if exc.code is None or isinstance(exc.code, int):
                code = exc.code or 0
            else:
                print(exc.code, file=sys.stderr)
                code = 1
        except Exception:  # what the interpreter would print before exiting with 1
            traceback.print_exc(file=sys.stderr)
            code = 1
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(ValueError, OSError):
                stream.flush()
    result = CliResult(code, _decode(out), _decode(err))
    del streams
    return result
