"""The journal folder: writer files, snapshots, loading and compaction.

::

    journal/
      0000001.log            one file per writing process (see efile_tui.store.eventlog)
      0000002.log
      snap-00000003.json     the folded state of the files it covers (newest valid wins)
      compact.lock           present only while a process compacts

A snapshot is written once, complete, under a fresh name taken with ``O_EXCL``; a reader
takes the newest one that parses completely. Its header records, for every writer file,
how far it was read, so readers start there. Compaction (at most one process at a time,
under ``compact.lock``) writes a new snapshot and only then removes the files of writers
that are known to be gone and were read to the end — no acknowledged record is lost, even
if the compacting process is killed at any point: until the new snapshot is complete, the
old snapshot and every file are still there.
"""

from __future__ import annotations

import os
import random
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from efile_tui.i18n import N_, Msg
from efile_tui.store.eventlog import (
    IDLE_FOREVER,
    PARSE_SLICE,
    Writer,
    file_number,
    parse_lines,
    read_lines,
)
from efile_tui.store.fs import GONE, StateFileError, open_private, read_blocks
from efile_tui.store.journal import snapshot
from efile_tui.store.journal.fold import Event, JournalState, bulk, unbatched
from efile_tui.store.journal.rows import RowReader

_SNAP = re.compile(r"^snap-(\d{8})\.json$")
_HALF_WRITTEN_GRACE = 120.0  # an incomplete snapshot younger than this may still be written
TORN_PATIENCE = 60.0  # seconds a record may stay incomplete before it is reported
PARSE_BYTES = 1 << 18  # bytes of a writer file parsed at a time, about
# A read that meets another process's compaction (a file or snapshot removed while being
# read) starts again after a pause that doubles from FIRST_PAUSE up to LAST_PAUSE, for up
# to PATIENCE seconds: a compaction on a network filesystem takes a round trip per file.
PATIENCE = 60.0
FIRST_PAUSE = 0.005
LAST_PAUSE = 0.5


_clock, _sleep = time.monotonic, time.sleep  # the waits between reads (tests replace them)
T = TypeVar("T")


class Compacted(OSError):
    """A file the reader listed went away: another process compacted the folder."""


@dataclass
class Listing:
    """The journal folder's writer files (number → name) and snapshots (generation → name)."""

    files: dict[int, str] = field(default_factory=dict)
    snapshots: dict[int, str] = field(default_factory=dict)


def list_folder(folder: Path) -> Listing:
    """Read the folder once."""
    listing = Listing()
    try:
        names = os.listdir(folder)
    except OSError as exc:
        if exc.errno in GONE:
            return listing
        raise
    for name in names:
        number = file_number(name)
        if number is not None:
            listing.files[number] = name
        elif match := _SNAP.match(name):
            listing.snapshots[int(match.group(1))] = name
    return listing


def check_folder(folder: Path) -> None:
    """The safety checks of reading every file, without reading one: each writer file and
    snapshot is opened (never through a link) and its owner and mode checked; raises
    StateFileError as reading would."""
    listing = list_folder(folder)
    for name in [*listing.files.values(), *listing.snapshots.values()]:
        try:
            os.close(open_private(folder / name, os.O_RDONLY))
        except OSError as exc:
            if exc.errno not in GONE:
                raise


@dataclass
class Loaded:
    """A journal read from disk: its state and how far each file was read."""

    state: JournalState = field(default_factory=JournalState)
    offsets: dict[str, int] = field(default_factory=dict)
    headers: dict[str, dict[str, Any]] = field(default_factory=dict)
    torn: set[str] = field(default_factory=set)
    # file -> (offset of its incomplete record, since when (monotonic), reported)
    torn_since: dict[str, tuple[int, float, bool]] = field(default_factory=dict)
    generation: int = 0
    max_writer: int = 0
    migrated: list[str] = field(default_factory=list)
    read_bytes: int = 0  # bytes read beyond the snapshot
    problems: list[str] = field(default_factory=list)
    vanished: bool = False  # a listed snapshot went away before it was read


def read_snapshot(folder: Path, listing: Listing, loaded: Loaded) -> None:
    """Load the newest complete snapshot into ``loaded``; set incomplete old ones aside."""
    for gen in sorted(listing.snapshots, reverse=True):
        path = folder / listing.snapshots[gen]
        try:
            fd = open_private(path, os.O_RDONLY)
        except OSError as exc:
            if exc.errno in GONE:
                loaded.vanished = True
                continue
            raise
        try:
            mtime = os.fstat(fd).st_mtime
            blocks = read_blocks(fd, 0, snapshot.READ_BLOCK)
            reader = RowReader()
            head, rows, tail = snapshot.read(blocks, reader)
            if tail != {"end": len(rows)}:
                raise ValueError("incomplete")
            loaded.state.add_rows(rows, reader.writers)
        except OSError as exc:
            if exc.errno in GONE:
                loaded.vanished = True
                loaded.state = JournalState()
                continue
            raise
        except (ValueError, TypeError, KeyError):
            if time.time() - mtime > _HALF_WRITTEN_GRACE:
                loaded.problems.append(_set_aside(path))
            loaded.state = JournalState()
            continue
        finally:
            os.close(fd)
        loaded.generation = gen
        loaded.max_writer = int(head.get("max_writer", 0))
        loaded.migrated = list(head.get("migrated", []))
        for name, (offset, header) in head.get("covers", {}).items():
            loaded.offsets[name] = int(offset)
            if header:
                loaded.headers[name] = header
        loaded.state.apply_all(head.get("pending", []))
        return


def _set_aside(path: Path) -> Msg:
    """Move the unreadable snapshot ``path`` out of the way; the notice to show."""
    aside = path.with_name(f"{path.name}.unreadable-{int(time.time())}")
    try:
        os.rename(path, aside)
    except OSError as exc:
        return Msg(
            N_("an unreadable journal snapshot {path} could not be read nor set aside ({reason})"),
            path=str(path),
            reason=exc.strerror or str(exc),
        )
    return Msg(
        N_(
            "an unreadable journal snapshot {path} was set aside as {name}; entries only in it "
            "are missing"
        ),
        path=str(path),
        name=aside.name,
    )


def read_files(
    folder: Path, listing: Listing, loaded: Loaded, skip: str | None = None
) -> list[Iterator[Event]]:
    """New events of every writer file (after ``loaded.offsets``); advance the offsets.

    Returns one stream of events per file, parsed as it is consumed (so 100,000 events are
    never all held at once; apply them with :meth:`JournalState.apply_streams`). Raises
    OSError with ENOENT or ESTALE when a file went away (compacted meanwhile): reload then.
    """
    streams: list[Iterator[Event]] = []
    for number in sorted(listing.files):
        name = listing.files[number]
        loaded.max_writer = max(loaded.max_writer, number)
        if name == skip:
            continue
        start = loaded.offsets.get(name, 0)
        read = read_lines(folder / name, start)
        if read.header is not None:
            loaded.headers[name] = read.header
        hole = next((i for i, line in enumerate(read.lines) if b"\0" in line), None)
        if hole is not None and not writer_gone(loaded, folder, name):
            # Zero bytes in a live writer's file: on a network filesystem, part of a write
            # that is still arriving. Stop before it and read it again next time.
            kept = read.lines[:hole]
            read.offset = start + (len(read.header_raw) if start == 0 else 0)
            read.offset += sum(len(line) + 1 for line in kept)
            read.lines, read.torn = kept, True
        loaded.read_bytes += read.offset - start
        loaded.offsets[name] = read.offset
        (loaded.torn.add if read.torn else loaded.torn.discard)(name)
        if read.torn:
            _note_torn(loaded, folder, name, read.offset)
        else:
            loaded.torn_since.pop(name, None)
        streams.append(_events(read.lines, loaded.problems, folder / name))
    return streams


def _note_torn(loaded: Loaded, folder: Path, name: str, offset: int) -> None:
    """An incomplete record is never skipped: reading stops before it and it is read whole
    once its writer completes it. One still incomplete after ``TORN_PATIENCE`` seconds, or
    whose writer is gone, is reported once as damaged, naming the file and the offset."""
    now = time.monotonic()
    seen = loaded.torn_since.get(name)
    if seen is None or seen[0] != offset:
        seen = loaded.torn_since[name] = (offset, now, False)
    if seen[2] or (now - seen[1] < TORN_PATIENCE and not writer_gone(loaded, folder, name)):
        return
    loaded.torn_since[name] = (offset, seen[1], True)
    loaded.problems.append(
        Msg(
            N_(
                "the task journal file {path} has an incomplete record at byte {offset} (its "
                "writer stopped mid-write?): it is read once complete; what it says is missing "
                "until then"
            ),
            path=str(folder / name),
            offset=f"{offset:,}",
        )
    )


def _events(lines: list[bytes], problems: list[str], path: Path) -> Iterator[Event]:
    """The events of a file's lines, parsed a slice at a time (at most ``PARSE_SLICE``
    lines or about ``PARSE_BYTES``: one line may be a batch of thousands of events), and
    let go once parsed."""
    lines.reverse()  # taken from the end
    bad = 0
    while lines:
        part: list[bytes] = []
        size = 0
        while lines and len(part) < PARSE_SLICE and size < PARSE_BYTES:
            part.append(lines.pop())
            size += len(part[-1])
        values, unreadable = parse_lines(part)
        bad += unreadable
        yield from unbatched(values)
    if bad:
        problems.append(Msg(N_("{n} unreadable line(s) skipped in {path}"), n=bad, path=str(path)))


def load(folder: Path) -> Loaded:
    """Read the whole journal: the newest snapshot, then every file after what it covers."""
    with bulk():
        return _load(folder)


def _load(folder: Path) -> Loaded:
    return _patiently(folder, _load_once)


def _patiently(folder: Path, read: Callable[[Path], T]) -> T:
    """``read(folder)``, again after a pause each time a file it listed went away (another
    process compacted the folder meanwhile), for up to ``PATIENCE`` seconds."""
    deadline = _clock() + PATIENCE
    pause = FIRST_PAUSE
    while True:
        try:
            return read(folder)
        except OSError as exc:
            if exc.errno not in GONE and not isinstance(exc, Compacted):
                raise
        # Compacted while we read: the new snapshot has it. Wait a little (with a random
        # part, so readers that met the same compaction do not meet again) and read again.
        if _clock() + pause > deadline:
            raise StateFileError(
                folder,
                Msg(
                    N_(
                        "kept changing while being read for {seconds} s "
                        "(other processes compacting it)"
                    ),
                    seconds=f"{PATIENCE:g}",
                ),
                Msg(N_("try again")),
            )
        _sleep(pause * (0.5 + random.random()))
        pause = min(pause * 2, LAST_PAUSE)


def highest_writer(folder: Path) -> int:
    """The highest writer number ever used in the folder, read without reading a record:
    the numbers of the files there and the newest snapshot's ``max_writer`` (the files it
    covers may have been compacted away). A new writer takes a number above it."""
    return _patiently(folder, _highest_writer_once)


def _highest_writer_once(folder: Path) -> int:
    listing = list_folder(folder)
    highest = max(listing.files, default=0)
    for gen in sorted(listing.snapshots, reverse=True):
        try:
            fd = open_private(folder / listing.snapshots[gen], os.O_RDONLY)
        except OSError as exc:
            if exc.errno in GONE:
                raise Compacted() from None  # a newer one replaced it: list again
            raise
        try:
            head = snapshot.head(read_blocks(fd, 0, snapshot.READ_BLOCK))
        except OSError as exc:
            if exc.errno in GONE:
                raise Compacted() from None
            raise
        finally:
            os.close(fd)
        if isinstance(head, dict):  # an older one if this one's header is still being written
            return max(highest, int(head.get("max_writer", 0)))
    return highest


def _load_once(folder: Path) -> Loaded:
    """One attempt at :func:`load`; raises OSError (ENOENT/ESTALE) or :class:`Compacted`
    when a file went away meanwhile."""
    listing = list_folder(folder)
    loaded = Loaded()
    read_snapshot(folder, listing, loaded)
    if loaded.vanished and loaded.generation < max(listing.snapshots):
        # A newer snapshot went away: a newer one still is being written, and the files
        # it covers may be gone too (reading on from an older base could miss them).
        raise Compacted()
    present = set(listing.files.values())  # files compacted away need no offset
    loaded.offsets = {k: v for k, v in loaded.offsets.items() if k in present}
    streams = read_files(folder, listing, loaded)
    loaded.state.apply_streams(streams)
    return loaded


def writer_gone(loaded: Loaded, folder: Path, name: str) -> bool:
    """True when nobody will append to this file again."""
    writer = Writer.parse((loaded.headers.get(name) or {}).get("writer"))
    if writer is None or writer.gone():
        return True
    try:
        return time.time() - os.stat(folder / name).st_mtime > IDLE_FOREVER
    except OSError:
        return True
