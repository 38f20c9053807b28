"""Per-writer append-only files: the storage under the journal and the audit log.

A state folder may be shared by several login nodes (NFS, Lustre, GPFS, sshfs): their locks
and caches are not shared, so no file is ever written by two processes. Instead each process
that writes claims a file of its own, numbered ``NNNNNNN.log``: the number is taken with an
exclusive create (``O_EXCL``), which is atomic across hosts. The first line names the writer
(host, pid and process start time). Every later line is one record; a batch of records is
written with one ``write()`` and ``fsync``-ed before the call returns, so an acknowledged
record is on disk, whole.

Readers list the folder and read each file from where they stopped, up to its last newline:
a torn last line (a writer killed mid-record) is left for later and never parsed. A file
that disappears while being read (``ENOENT``, or ``ESTALE`` on NFS) was compacted by
another process; the caller reloads.
"""

from __future__ import annotations

import json
import os
import re
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from efile_tui.store.fs import GONE, create_exclusive, open_private, read_blocks, unwritable

SUFFIX = ".log"
_NAME = re.compile(r"^(\d{7,})\.log$")
IDLE_FOREVER = 30 * 86400.0  # a file from another host untouched this long has no writer
PARSE_SLICE = 2000  # lines parsed by one json.loads call
READ_BLOCK = 1 << 18  # bytes read at a time


def file_number(name: str) -> int | None:
    """The writer number of a file name ``NNNNNNN.log`` (None for other names)."""
    match = _NAME.match(name)
    return int(match.group(1)) if match else None


def writer_files(folder: Path) -> dict[int, str]:
    """The writer files in ``folder`` by number (none if the folder does not exist)."""
    try:
        names = os.listdir(folder)
    except OSError as exc:
        if exc.errno in GONE:
            return {}
        raise
    found = {}
    for name in names:
        number = file_number(name)
        if number is not None:
            found[number] = name
    return found


def process_start(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot), to tell a reused pid apart."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else None


@dataclass(frozen=True)
class Writer:
    """Who wrote a file: host, process id and the process's start time."""

    host: str
    pid: int
    start: str | None

    @classmethod
    def me(cls) -> Writer:
        """This process."""
        return cls(socket.gethostname(), os.getpid(), process_start(os.getpid()))

    @classmethod
    def parse(cls, text: str | None) -> Writer | None:
        """Read ``host:pid:start`` back (None if it is not one)."""
        host, _, rest = (text or "").rpartition(":")
        host, _, pid = host.rpartition(":")
        if not host or not pid.isdigit():
            return None
        return cls(host, int(pid), rest or None)

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}:{self.start or ''}"

    def gone(self) -> bool:
        """True only when the writer ran on this host and that process no longer exists."""
        if self.host != socket.gethostname() or self.pid == os.getpid():
            return False
        start = process_start(self.pid)
        if start is not None:
            return self.start is not None and start != self.start
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except OSError:  # EPERM: it exists but belongs to someone else
            return False
        return False


def header_line(number: int, writer: Writer) -> bytes:
    """The first line of a writer file."""
    data = {"v": 1, "n": number, "writer": str(writer), "created": time.time()}
    return json.dumps(data, separators=(",", ":")).encode() + b"\n"


class WriterFile:
    """This process's own file in ``folder``: claimed on first use, appended to, fsync-ed."""

    def __init__(self, folder: Path, *, first_number: int = 1) -> None:
        self.folder = folder
        self.writer = Writer.me()
        self.number: int | None = None
        self.path: Path | None = None
        self.size = 0  # bytes written, the offset after our last record
        self._fd: int | None = None
        self.floor = first_number  # the lowest number a new claim may take

    def claim(self, above: int = 0) -> int:
        """Take a new file (a number above every file seen and ``above``); return it."""
        self.close()
        number = max([self.floor, above + 1, *(n + 1 for n in writer_files(self.folder))])
        while True:
            path = self.folder / f"{number:07d}{SUFFIX}"
            try:
                fd = create_exclusive(path, os.O_WRONLY | os.O_APPEND)
            except OSError as exc:
                raise unwritable(path, exc) from None
            if fd is not None:
                break
            number += 1
        self.number, self.path, self._fd, self.floor = number, path, fd, number + 1
        self.size = 0
        self._write(header_line(number, self.writer))
        return number

    def append(self, lines: Iterable[bytes]) -> None:
        """Write records (each ending in a newline) with one write, then fsync."""
        data = b"".join(lines)
        if not data:
            return
        if self._fd is None or not self._still_there():
            self.claim()
        self._write(data)

    def _still_there(self) -> bool:
        """False when our file was removed or written by someone else (never in normal
        use): appending then could glue our record to a stranger's torn line."""
        assert self._fd is not None and self.path is not None
        try:
            info = os.fstat(self._fd)
            return os.stat(self.path).st_ino == info.st_ino and info.st_size == self.size
        except OSError:
            return False

    def _write(self, data: bytes) -> None:
        assert self._fd is not None and self.path is not None
        view = memoryview(data)
        try:
            while view:  # one write takes it all; loop only on a short write
                view = view[os.write(self._fd, view) :]
            os.fsync(self._fd)
        except OSError as exc:
            # The file may now end in a torn record: never append after it.
            self.close()
            raise unwritable(self.path, exc) from None
        self.size += len(data)

    def close(self) -> None:
        """Close the file (a later append claims a new one)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


@dataclass
class FileRead:
    """What was read from one file: whole lines, where reading stopped, and its header."""

    lines: list[bytes] = field(default_factory=list)
    offset: int = 0
    header: dict[str, Any] | None = None
    header_raw: bytes = b""  # the header line as read, with its newline
    torn: bool = False  # bytes after the last newline (a record being written, or torn)


def read_lines(path: Path, offset: int) -> FileRead:
    """Whole lines of ``path`` from ``offset``; raises OSError (ENOENT/ESTALE: file gone)."""
    fd = open_private(path, os.O_RDONLY)
    lines: list[bytes] = []
    pending: list[bytes] = []  # the line being read, not yet ended
    at = offset
    try:
        # A block at a time, so a large file is never held whole beside its lines.
        for block in read_blocks(fd, offset, READ_BLOCK):
            at += len(block)
            parts = block.split(b"\n")
            if len(parts) > 1:
                pending.append(parts[0])
                lines.append(b"".join(pending))
                lines += parts[1:-1]
                pending = []
            pending.append(parts[-1])
    finally:
        os.close(fd)
    rest = sum(map(len, pending))
    result = FileRead(offset=at - rest, torn=rest > 0)
    if offset == 0 and lines:
        try:
            head = json.loads(lines[0])
        except ValueError:
            head = None
        if isinstance(head, dict) and "writer" in head:
            result.header, result.header_raw = head, lines[0] + b"\n"
            lines = lines[1:]
    result.lines = lines
    return result


def parse_lines(lines: list[bytes]) -> tuple[list[Any], int]:
    """JSON values of the lines (one parse for all when they are all valid); bad lines skipped.

    Returns the values and the number of lines that could not be read.
    """
    values: list[Any] = []
    bad = 0
    # In slices: one parse of a whole large file would hold the interpreter lock for long.
    for start in range(0, len(lines), PARSE_SLICE):
        part = lines[start : start + PARSE_SLICE]
        try:
            values += json.loads(b"[" + b",".join(part) + b"]")
            continue
        except ValueError:
            pass
        for line in part:
            try:
                values.append(json.loads(line))
            except ValueError:
                bad += 1
    return values, bad
