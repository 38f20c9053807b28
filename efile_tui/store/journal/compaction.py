"""Compaction of the journal folder: fold everything into a new snapshot, then drop the
files it made redundant (see :mod:`efile_tui.store.journal.files` for the folder's layout).

At most one process compacts at a time (``compact.lock``); a snapshot is written whole
under a fresh name before anything is removed, and only files of writers known to be gone
and read to the end are removed, so no acknowledged record is lost however it is stopped.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

from efile_tui.store.eventlog import Writer, read_lines
from efile_tui.store.fs import create_exclusive
from efile_tui.store.journal import snapshot
from efile_tui.store.journal.files import Listing, Loaded, list_folder, load, writer_gone
from efile_tui.store.journal.rows import row_to_json

LOCK = "compact.lock"
LOCK_STALE = 300.0  # a compaction lock older than this was left by a dead process
COMPACT_FILES = 8  # compact when this many files of gone writers are waiting
# … or this many bytes not covered by a snapshot: folding a writer file's events costs
# about three times what reading the same tasks from a snapshot does (10,000 tasks' files,
# 3.9 MB, were folded again on every start under a 4 MB threshold).
COMPACT_BYTES = 1 << 20


def should_compact(folder: Path, listing: Listing, loaded: Loaded) -> bool:
    """Worth compacting: many files of gone writers, or many bytes no snapshot covers."""
    gone = sum(1 for name in listing.files.values() if writer_gone(loaded, folder, name))
    return gone >= COMPACT_FILES or loaded.read_bytes >= COMPACT_BYTES


def write_snapshot(folder: Path, loaded: Loaded) -> int:
    """Write the state as a new snapshot (the next free generation); return its number."""
    state = loaded.state
    pending = [ev for events in state.pending.values() for ev in events]
    head = {
        "v": 1,
        "max_writer": loaded.max_writer,
        "migrated": loaded.migrated,
        "covers": {
            name: [offset, loaded.headers.get(name)] for name, offset in loaded.offsets.items()
        },
        "pending": pending,
        "written": time.time(),
    }
    rows = list(state.rows.values())
    gen = loaded.generation + 1
    while True:
        path = folder / f"snap-{gen:08d}.json"
        fd = create_exclusive(path, os.O_WRONLY)
        if fd is not None:
            break
        gen += 1
    try:
        writers = state.writers
        for part in snapshot.parts(
            head, rows, lambda row: row_to_json(row, writers.get(row.local_id))
        ):
            view = memoryview(part)
            while view:
                view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    return gen


def take_lock(folder: Path) -> bool:
    """Take the compaction lock (False: another process holds it)."""
    path = folder / LOCK
    for _attempt in range(2):
        fd = create_exclusive(path, os.O_WRONLY)
        if fd is None:
            try:
                if time.time() - os.stat(path).st_mtime < LOCK_STALE:
                    return False
                os.unlink(path)
            except OSError:
                return False
            continue
        os.write(fd, f"{Writer.me()}\n".encode())
        os.close(fd)
        return True
    return False


def release_lock(folder: Path) -> None:
    """Drop the compaction lock."""
    with contextlib.suppress(OSError):
        os.unlink(folder / LOCK)


def is_current(folder: Path, loaded: Loaded) -> bool:
    """True when the folder holds just what ``loaded`` read: no newer snapshot, and every
    writer file as long as it was read (nothing added or appended since)."""
    listing = list_folder(folder)
    if max(listing.snapshots, default=0) != loaded.generation:
        return False
    for name in listing.files.values():
        try:
            size = os.stat(folder / name).st_size
        except OSError:
            return False
        if loaded.offsets.get(name) != size:
            return False
    return True


def compact(folder: Path, *, keep: set[str], loaded: Loaded | None = None) -> Loaded | None:
    """Fold everything into a new snapshot and drop what it made redundant.

    ``keep``: file names never removed (this process's own). ``loaded``: what the caller
    just read, used as it is when nothing changed since (a large journal is not read
    twice). Returns what was loaded (the journal as of the snapshot), or None when another
    process is compacting.
    """
    if not take_lock(folder):
        return None
    try:
        if loaded is None or not is_current(folder, loaded):
            loaded = load(folder)
        listing = list_folder(folder)
        generation = write_snapshot(folder, loaded)
        for name in listing.files.values():
            if (
                name not in keep
                and name in loaded.offsets
                and writer_gone(loaded, folder, name)
                and _read_to_end(folder / name, loaded.offsets[name])
            ):
                _unlink(folder / name)
        for gen, name in listing.snapshots.items():
            if gen < loaded.generation:  # keep the one it was built on, as a spare
                _unlink(folder / name)
        loaded.generation = generation
        return loaded
    finally:
        release_lock(folder)


def _read_to_end(path: Path, offset: int) -> bool:
    """True when nothing but a torn record follows ``offset``."""
    try:
        rest = read_lines(path, offset)
    except OSError:
        return False
    return not rest.lines


def _unlink(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
