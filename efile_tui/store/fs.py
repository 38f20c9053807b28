"""The state folder on disk: where it is, what filesystem holds it, and opening files safely.

Every state file (journal events, snapshots, audit records) is opened through
:func:`open_private`: never through a symbolic link (``O_NOFOLLOW``), and refused when it is
owned by another user or writable by group or others — such a file could have been planted
or changed by someone else. The check runs when the journal and audit log are opened, before
any request is sent, and the message names the file and the fix.

:func:`filesystem` reads ``/proc/self/mountinfo`` to tell which filesystem holds a folder.
Anything not known to be local to this host (NFS, Lustre, GPFS, sshfs and other FUSE
filesystems, CIFS, …) is treated as shared between login nodes.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from efile_tui.api.errors import EfileError
from efile_tui.i18n import N_, Msg

# Filesystems that live on this host only. Anything else may be seen by several hosts.
LOCAL_FILESYSTEMS = frozenset(
    {
        "ext2",
        "ext3",
        "ext4",
        "xfs",
        "btrfs",
        "bcachefs",
        "f2fs",
        "jfs",
        "reiserfs",
        "zfs",
        "tmpfs",
        "ramfs",
        "overlay",
        "vfat",
        "exfat",
        "ntfs",
        "ntfs3",
        "hfsplus",
        "apfs",
    }
)
# errno values that mean "the file went away under us" (ESTALE: NFS lost the handle).
GONE = frozenset({errno.ENOENT, errno.ESTALE})


class StateFileError(EfileError):
    """A state file or folder cannot be used safely; the message names it and the fix."""

    title = N_("State file problem")

    def __init__(self, path: Path | str, problem: str, fix: str) -> None:
        self.path = Path(path)
        super().__init__(
            Msg(N_("{path}: {problem}; {fix}"), path=str(path), problem=problem, fix=fix)
        )


@dataclass(frozen=True)
class Filesystem:
    """The filesystem holding a folder, as /proc/self/mountinfo reports it."""

    fstype: str
    mount_point: str
    source: str

    @property
    def shared(self) -> bool:
        """True unless the type is known to be local to this host."""
        return self.fstype not in LOCAL_FILESYSTEMS


def _unescape(field: str) -> str:
    """Mountinfo escapes space, tab, newline and backslash as octal (``\\040``)."""
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\" and field[i + 1 : i + 4].isdigit():
            out.append(chr(int(field[i + 1 : i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def filesystem(path: Path, mountinfo: str | None = None) -> Filesystem:
    """The filesystem of ``path`` (or of its nearest existing parent).

    ``mountinfo`` is the text of ``/proc/self/mountinfo`` (read when not given). Where it
    cannot be read, the type is ``"unknown"`` — treated as shared.
    """
    where = Path(os.path.abspath(path))
    while not where.exists() and where != where.parent:
        where = where.parent
    target = os.path.realpath(where)
    if mountinfo is None:
        try:
            mountinfo = Path("/proc/self/mountinfo").read_text(errors="replace")
        except OSError:
            return Filesystem("unknown", "/", "")
    best = Filesystem("unknown", "", "")
    for line in mountinfo.splitlines():
        head, sep, tail = line.partition(" - ")
        fields, rest = head.split(), tail.split()
        if not sep or len(fields) < 5 or len(rest) < 2:
            continue
        point = _unescape(fields[4])
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best.mount_point):
            best = Filesystem(rest[0], point, _unescape(rest[1]))
    return best


def check_owner(path: Path, info: os.stat_result) -> None:
    """Refuse a file or folder owned by another user or writable by group or others."""
    folder = stat.S_ISDIR(info.st_mode)
    if info.st_uid != os.geteuid():
        theirs = N_("this file belongs to another user (uid {owner}), not to you (uid {you})")
        if folder:
            theirs = N_("this folder belongs to another user (uid {owner}), not to you (uid {you})")
        raise StateFileError(
            path,
            Msg(theirs, owner=info.st_uid, you=os.geteuid()),
            Msg(
                N_(
                    "if you trust it, take it over (chown) or move it away; "
                    "efile-tui will not use it"
                )
            ),
        )
    if stat.S_IMODE(info.st_mode) & 0o022:
        open_to = N_("this file can be changed by other users (mode {mode})")
        if folder:
            open_to = N_("this folder can be changed by other users (mode {mode})")
        raise StateFileError(
            path,
            Msg(open_to, mode=f"{stat.S_IMODE(info.st_mode):o}"),
            Msg(N_("check its content, then run: chmod go-w {path}"), path=str(path)),
        )


def open_private(path: Path, flags: int, *, create: bool = False) -> int:
    """Open a state file without following a symbolic link; return the descriptor.

    The file must be a regular file owned by this user and not writable by others (see
    :func:`check_owner`); one readable by others is made private (0600). With ``create``,
    a new file is created 0600 (``O_EXCL`` in ``flags`` makes the creation exclusive).
    Raises StateFileError for an unsafe file, OSError for anything else (ENOENT included).
    """
    flags |= os.O_NOFOLLOW | os.O_CLOEXEC | (os.O_CREAT if create else 0)
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise StateFileError(
                path,
                Msg(N_("is a symbolic link; state files are never followed through links")),
                Msg(N_("remove the link (efile-tui creates the file itself)")),
            ) from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise StateFileError(path, Msg(N_("is not a regular file")), Msg(N_("move it away")))
        check_owner(path, info)
        if stat.S_IMODE(info.st_mode) & 0o077:
            os.fchmod(fd, 0o600)
    except BaseException:
        os.close(fd)
        raise
    return fd


def create_exclusive(path: Path, flags: int) -> int | None:
    """Create ``path`` exclusively (0600); its descriptor, or None if it already exists.

    Over SFTP (sshfs) an existing name comes back as a generic failure (EPERM), not
    EEXIST: the name is then looked up to tell the two apart.
    """
    try:
        return open_private(path, flags | os.O_EXCL, create=True)
    except FileExistsError:
        return None
    except OSError as exc:
        if exc.errno in (errno.EPERM, errno.EACCES, errno.EIO) and os.path.lexists(path):
            return None
        raise


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) 0700 if needed; refuse a folder that is not safe.

    The folder itself may be reached through a symbolic link chosen by its owner (a state
    folder moved to scratch space); what matters is who owns the folder it leads to.
    """
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        info = path.stat()
    except OSError as exc:
        raise unwritable(path, exc) from None
    if not stat.S_ISDIR(info.st_mode):
        raise StateFileError(
            path,
            Msg(N_("is not a folder")),
            Msg(N_("move it away or choose another state folder")),
        )
    check_owner(path, info)
    if stat.S_IMODE(info.st_mode) & 0o077:
        try:
            os.chmod(path, 0o700)
        except OSError as exc:
            raise unwritable(path, exc) from None
    return path


def unwritable(path: Path, exc: OSError) -> StateFileError:
    """The error for a state folder or file that cannot be written (read-only, full, …)."""
    reason = exc.strerror or str(exc)
    return StateFileError(
        path,
        Msg(N_("cannot be written ({reason})"), reason=reason),
        Msg(
            N_(
                "make the folder writable, or set EFILE_TUI_STATE_DIR (or state_dir in the "
                "config file) to a writable folder"
            )
        ),
    )


def read_blocks(fd: int, offset: int, size: int) -> Iterator[bytes]:
    """The file's bytes from ``offset``, ``size`` bytes a read, until a read brings nothing
    (not to st_size: a network filesystem may report a stale size)."""
    while block := os.pread(fd, size, offset):
        offset += len(block)
        yield block


def read_from(fd: int, offset: int) -> bytes:
    """Everything in the file from ``offset`` to its end, read until EOF."""
    # Reads of the size it says, so a large file is not held twice while pieces are joined.
    chunks = list(read_blocks(fd, offset, max(os.fstat(fd).st_size - offset, 0) + (1 << 16)))
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)
