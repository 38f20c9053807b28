"""The journal folder as this process has read it: every writer's records folded into
entries in memory, read on first need and kept up to date with what others append.

:class:`JournalFolder` is a collaborator of :class:`efile_tui.store.journal.Journal`; it
reads and never writes a record (the compaction it starts aside).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from efile_tui.i18n import N_, Msg
from efile_tui.store.fs import GONE, StateFileError
from efile_tui.store.journal import compaction, files
from efile_tui.store.journal.entry import JournalEntry
from efile_tui.store.journal.fold import Event, JournalState
from efile_tui.store.journal.migrate import LEGACY_FILE, migrate_legacy
from efile_tui.store.journal.writer import BLOCK


def _fingerprint(row: JournalEntry) -> int:
    """A number that changes when any value of the row does (in practice: a 64-bit hash)."""
    try:
        return hash(row)
    except TypeError:  # a value that cannot be hashed (a malformed record): compare as text
        return hash(repr(row))


class JournalFolder:
    """The entries of the journal folder ``path``, read when first needed.

    ``own`` names this process's writer file (its records are applied as they are written,
    never read back). Not thread-safe by itself: the :class:`Journal` holding it locks.
    """

    def __init__(self, path: Path, own: Callable[[], str | None]) -> None:
        self.path = path
        self._own = own
        self.problems: list[str] = []
        self.others: set[int] = set()  # entries other writers changed, not yet reported
        self._data: files.Loaded | None = None
        # Fingerprints of the rows held before a reload (kept until a read succeeds, so
        # rows another process changed meanwhile are reported by refresh all the same).
        self._before: dict[int, int] | None = None
        self.after_first_read: Callable[[], object] | None = None  # called once, after it

    @property
    def read(self) -> bool:
        """True once the files were read."""
        return self._data is not None

    def highest_writer(self) -> int:
        """The highest writer number read so far (0 before the first read)."""
        return 0 if self._data is None else self._data.max_writer

    def load(self) -> None:
        """Read the files now, if they were not read yet."""
        if self._data is not None:
            return
        legacy = self.path.parent / LEGACY_FILE
        loaded = files.load(self.path)
        if legacy.is_file() or compaction.should_compact(
            self.path, files.list_folder(self.path), loaded
        ):
            loaded = self._compact(legacy, loaded)
        self._data = loaded
        self.problems += loaded.problems
        loaded.problems = []
        if self._before is not None:
            before, self._before = self._before, None
            self.others |= {
                lid
                for lid, row in loaded.state.rows.items()
                if before.get(lid) != _fingerprint(row)
            }
        if self.after_first_read is not None:
            then, self.after_first_read = self.after_first_read, None
            then()

    @property
    def loaded(self) -> files.Loaded:
        """What was read (read now if it was not)."""
        if self._data is None:
            self.load()
        assert self._data is not None
        return self._data

    @property
    def state(self) -> JournalState:
        """The entries folded from every file (read now if they were not)."""
        return self.loaded.state

    def _compact(self, legacy: Path, loaded: files.Loaded) -> files.Loaded:
        """Import an old journal and fold gone writers' files into a snapshot (best effort:
        a read-only folder or another process compacting leaves things as they are); the
        journal as it is then. ``loaded``: what was just read, written as the snapshot
        when nothing changed since (not read again)."""
        try:
            if legacy.is_file():
                self.problems += migrate_legacy(self.path, legacy, block=BLOCK)
            compacted = compaction.compact(self.path, keep=set(), loaded=loaded)
        except StateFileError as exc:
            self.problems.append(exc.message)
            compacted = None
        except OSError as exc:
            if exc.errno not in GONE:
                self.problems.append(
                    Msg(
                        N_("the task journal {path} was not compacted: {reason}"),
                        path=str(self.path),
                        reason=str(exc),
                    )
                )
            compacted = None
        if compacted is not None:
            return compacted
        return loaded if compaction.is_current(self.path, loaded) else files.load(self.path)

    def sync(self) -> None:
        """Read what other writers appended since the last look."""
        if self._data is None:
            self.load()  # a first read reads everything
            return
        listing = files.list_folder(self.path)
        try:
            if listing.snapshots and max(listing.snapshots) > self._data.generation:
                raise FileNotFoundError  # compacted: reload below
            streams = files.read_files(self.path, listing, self._data, skip=self._own())
        except OSError as exc:
            if exc.errno not in GONE and not isinstance(exc, FileNotFoundError):
                raise
            self._reload()
            return
        self.others |= self._data.state.apply_streams(streams)
        self.problems += self._data.problems  # e.g. a record long left incomplete
        self._data.problems = []

    def _reload(self) -> None:
        """Read the journal again (another process compacted it); note what changed. Only a
        fingerprint of each row is kept meanwhile: 100,000 entries are not held twice. If
        the read fails, the fingerprints stay until a later read succeeds."""
        if self._before is None and self._data is not None:
            self._before = {lid: _fingerprint(row) for lid, row in self._data.state.rows.items()}
        self._data = None  # let the old rows go before the new ones are read
        self.load()

    def written(self, name: str | None, size: int, events: list[Event]) -> list[int]:
        """Our own ``events`` were appended to our file ``name`` (now ``size`` bytes): apply
        them to what was read (nothing to do before a first read, which will read them from
        the file). Returns the local ids they changed."""
        if self._data is None:
            return []
        if name is not None:
            self._data.offsets[name] = size
        changed: list[int] = []
        for ev in events:
            changed += self._data.state.apply(ev)
        return changed
