"""The opt-in plain-text token file (``config_dir()/tokens/<profile>``, 0600 in 0700).

Reading refuses a file or folder that others can open, a symlink, or a file owned by
someone else, and names the fix; writing is atomic (a temporary file, then a rename).
``StoreError`` here is the base of every token-store error, keyring ones included.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from efile_tui import locations
from efile_tui.api.errors import AuthError
from efile_tui.i18n import N_, Msg


class StoreError(AuthError):
    """A token-store problem (exit code 4); ``message`` says what to do."""

    title = N_("Token store error")

    def __init__(self, message: str) -> None:
        super().__init__("auth", "")
        self.title = type(self).title
        self.problem, self.message = message, message
        self.args = (message,)


class TokenFileError(StoreError):
    """The plain-text token file is unsafe or unreadable; the message names the fix."""

    title = N_("Token file refused")


def token_dir() -> Path:
    """The folder of the opt-in plain-text token files."""
    return locations.config_dir() / "tokens"


def _mode(st: os.stat_result) -> str:
    return oct(stat.S_IMODE(st.st_mode))[2:].rjust(4, "0")


def _widened(path: Path, what: str, mode: str, target: Path) -> TokenFileError:
    return TokenFileError(
        Msg(
            N_(
                "refusing to read the token file {path}: {what}, open to group/others. "
                "Fix: chmod {mode} {target}, then log in again (the token may have been read)."
            ),
            path=str(path),
            what=what,
            mode=mode,
            target=str(target),
        )
    )


def read_token_file(path: Path) -> str | None:
    """Read a token file, refusing it if the file or its folder is open to others."""
    try:
        dst = os.lstat(path.parent)
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(dst.st_mode) or not stat.S_ISDIR(dst.st_mode):
        raise TokenFileError(
            Msg(
                N_("refusing to read the token: {path} is not a plain folder"),
                path=str(path.parent),
            )
        )
    if dst.st_mode & 0o077:
        what = Msg(
            N_("its folder {folder} has mode {mode}"), folder=str(path.parent), mode=_mode(dst)
        )
        raise _widened(path, what, "700", path.parent)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise TokenFileError(
            Msg(
                N_("cannot read the token file {path}: {reason}"),
                path=str(path),
                reason=exc.strerror or str(exc),
            )
        ) from None
    with os.fdopen(fd, "r", encoding="utf-8") as handle:
        st = os.fstat(handle.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise TokenFileError(
                Msg(N_("refusing to read the token: {path} is not a regular file"), path=str(path))
            )
        if st.st_mode & 0o077:
            raise _widened(path, Msg(N_("its mode is {mode}"), mode=_mode(st)), "600", path)
        if hasattr(os, "getuid") and st.st_uid != os.getuid():
            raise TokenFileError(
                Msg(N_("refusing to read the token file {path}: not owned by you"), path=str(path))
            )
        text = handle.read().strip()
    return text or None


def write_token_file(path: Path, token: str) -> None:
    """Write a token file atomically: 0600 inside a 0700 folder."""
    locations.ensure_private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(tmp, flags, 0o600)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(token + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
