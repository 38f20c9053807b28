"""The journal's storage side: its folder, this process's writer file, reading the others.

:class:`JournalFiles` is the base of :class:`efile_tui.store.journal.Journal`, which holds the
public API; see that module for the design.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType

from efile_tui.api.models import Task
from efile_tui.config import state_dir
from efile_tui.store.eventlog import WriterFile
from efile_tui.store.fs import GONE, StateFileError, private_dir
from efile_tui.store.journal import files
from efile_tui.store.journal.entry import JournalEntry
from efile_tui.store.journal.fold import Event, batched
from efile_tui.store.journal.migrate import LEGACY_FILE, migrate_legacy
from efile_tui.store.journal.schema import JournalError

JOURNAL_FILE = "journal"  # the folder in the state directory
BLOCK = 100_000  # local ids per writer number


def unique(ids: Iterable[str]) -> list[str]:
    """Strip, drop empties and duplicates, keep the first order."""
    return list(dict.fromkeys(s for s in (str(i).strip() for i in ids) if s))


def _split_keys(keys: Iterable[str | int]) -> tuple[list[int], list[str]]:
    """Local ids (an int, or ``"local:<id>"`` as the task table keys them) and task ids."""
    local_ids: list[int] = []
    task_ids: list[str] = []
    for key in keys:
        text = str(key).strip()
        if isinstance(key, int):
            local_ids.append(key)
        elif text.startswith("local:") and text[6:].isdigit():
            local_ids.append(int(text[6:]))
        elif text:
            task_ids.append(text)
    return list(dict.fromkeys(local_ids)), list(dict.fromkeys(task_ids))


def _fingerprint(row: JournalEntry) -> int:
    """A number that changes when any value of the row does (in practice: a 64-bit hash)."""
    try:
        return hash(row)
    except TypeError:  # a value that cannot be hashed (a malformed record): compare as text
        return hash(repr(row))


def _line(event: Event) -> bytes:
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


class JournalFiles:
    """The journal folder as seen by this process (use :class:`Journal`)."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        clock: Callable[[], float] = time.time,
        defer: bool = False,
    ):
        """Open the journal folder ``path`` (default: ``journal`` in the state directory).

        Refuses (StateFileError) a folder or file that is a link, owned by another user or
        writable by others; imports an old ``journal.sqlite3`` next to it once. With
        ``defer``, only those checks run now (no record is read): the files are read by
        :meth:`load`, or by the first method that needs them, in whatever thread calls it.
        """
        self.path = path if path is not None else state_dir() / JOURNAL_FILE
        self._clock = clock
        self._lock = threading.RLock()
        self._closed = False
        if path is None or not self.path.parent.exists():
            private_dir(self.path.parent)
        private_dir(self.path)
        self.problems: list[str] = []
        self._writer = WriterFile(self.path)
        self._others: set[int] = set()
        self._seq = 0
        self._data: files.Loaded | None = None
        # Fingerprints of the rows held before a reload (kept until a read succeeds, so
        # rows another process changed meanwhile are reported by refresh all the same).
        self._before: dict[int, int] | None = None
        if defer:
            files.check_folder(self.path)
        else:
            self.load()

    def load(self) -> None:
        """Read the journal's files now, if they were not read yet (safe from any thread)."""
        with self._lock:
            if self._data is not None:
                return
            legacy = self.path.parent / LEGACY_FILE
            loaded = files.load(self.path)
            if legacy.is_file() or files.should_compact(
                self.path, files.list_folder(self.path), loaded
            ):
                loaded = self._compact(legacy, loaded)
            self._data = loaded
            self.problems += self._loaded.problems
            self._loaded.problems = []
            if self._before is not None:
                before, self._before = self._before, None
                self._others |= {
                    lid
                    for lid, row in loaded.state.rows.items()
                    if before.get(lid) != _fingerprint(row)
                }

    @property
    def _loaded(self) -> files.Loaded:
        if self._data is None:
            self.load()
        assert self._data is not None
        return self._data

    @_loaded.setter
    def _loaded(self, value: files.Loaded) -> None:
        self._data = value

    def _compact(self, legacy: Path, loaded: files.Loaded) -> files.Loaded:
        """Import an old journal and fold gone writers' files into a snapshot (best effort:
        a read-only folder or another process compacting leaves things as they are); the
        journal as it is then. ``loaded``: what was just read, written as the snapshot
        when nothing changed since (not read again)."""
        try:
            if legacy.is_file():
                self.problems += migrate_legacy(self.path, legacy, block=BLOCK)
            compacted = files.compact(self.path, keep=set(), loaded=loaded)
        except StateFileError as exc:
            self.problems.append(str(exc))
            compacted = None
        except OSError as exc:
            if exc.errno not in GONE:
                self.problems.append(f"the task journal {self.path} was not compacted: {exc}")
            compacted = None
        if compacted is not None:
            return compacted
        return loaded if files.is_current(self.path, loaded) else files.load(self.path)

    def close(self) -> None:
        """Close the journal; it can no longer be used."""
        with self._lock:
            self._writer.close()
            self._closed = True

    def __enter__(self) -> JournalFiles:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- files ----------------------------------------------------------------------------

    @property
    def _state(self) -> files.JournalState:
        if self._closed:
            raise JournalError("the task journal is closed")
        return self._loaded.state

    def _sync(self) -> None:
        """Read what other writers appended since the last look (must hold the lock)."""
        listing = files.list_folder(self.path)
        own = self._writer.path.name if self._writer.path is not None else None
        try:
            if listing.snapshots and max(listing.snapshots) > self._loaded.generation:
                raise FileNotFoundError  # compacted: reload below
            streams = files.read_files(self.path, listing, self._loaded, skip=own)
        except OSError as exc:
            if exc.errno not in GONE and not isinstance(exc, FileNotFoundError):
                raise
            self._reload()
            return
        self._others |= self._state.apply_streams(streams)
        self.problems += self._loaded.problems  # e.g. a record long left incomplete
        self._loaded.problems = []

    def _reload(self) -> None:
        """Read the journal again (another process compacted it); note what changed. Only a
        fingerprint of each row is kept meanwhile: 100,000 entries are not held twice. If
        the read fails, the fingerprints stay until a later read succeeds."""
        if self._before is None:
            self._before = {lid: _fingerprint(row) for lid, row in self._state.rows.items()}
        self._data = None  # let the old rows go before the new ones are read
        self.load()

    def _write(self, events: list[Event]) -> list[int]:
        """Append events to this process's file (fsync-ed), then apply them here."""
        if not events:
            return []
        if self._closed:
            raise JournalError("the task journal is closed")
        # A number once used is never taken again, even after compaction removed its file:
        # readers remember how far they read each file by its name.
        self._writer.floor = max(self._writer.floor, self._loaded.max_writer + 1)
        self._writer.append([_line(batched(events))])
        if self._writer.path is not None:
            self._loaded.offsets[self._writer.path.name] = self._writer.size
        changed: list[int] = []
        for ev in events:
            changed += self._state.apply(ev)
        return changed

    def _new_ids(self, count: int) -> list[int]:
        """Local ids for ``count`` new entries (a new writer number when a block fills)."""
        ids: list[int] = []
        while len(ids) < count:
            if self._writer.number is None or self._seq >= BLOCK - 1:
                self._writer.claim(above=max(self._loaded.max_writer, self._writer.number or 0))
                self._seq = 0
            assert self._writer.number is not None
            take = min(count - len(ids), BLOCK - 1 - self._seq)
            base = self._writer.number * BLOCK + self._seq
            ids += range(base + 1, base + take + 1)
            self._seq += take
        return ids

    def _resolve(self, keys: Iterable[str | int]) -> list[JournalEntry]:
        local_ids, task_ids = _split_keys(keys)
        keys_found: list[int | str] = [*local_ids, *task_ids]
        rows = [self._state.find(k) for k in keys_found]
        return list({row.local_id: row for row in rows if row is not None}.values())


def task_event(now: float, ref: int | str, task: Task, state: str, task_id: str | None) -> Event:
    """A ``T`` event: what the service said about a task."""
    return [
        "T", now, ref, task_id, state, task.operation.value, task.source_path,
        task.target_path, task.duplicate_handle_type, task.error_code, task.error_msg,
        task.total_num, task.processed_num, task.total_size, task.processed_size,
        task.progress, task.submit_time, task.update_time,
    ]  # fmt: skip
