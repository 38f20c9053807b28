"""This process's side of the journal: its own writer file and the local ids it hands out.

A process appends to a file only it writes (:class:`~efile_tui.store.eventlog.WriterFile`),
so recording an event needs no read of anyone else's records: the file's number is taken
above the highest number the folder has ever used (:func:`files.highest_writer`: a listing
and the newest snapshot's header), never from a full read.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from efile_tui.api.models import Task
from efile_tui.store.eventlog import Writer, WriterFile
from efile_tui.store.journal import files
from efile_tui.store.journal.fold import Event, batched

BLOCK = 100_000  # local ids per writer number


def _line(event: Event) -> bytes:
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


class JournalWriter:
    """This process's writer file in the journal folder ``path``.

    ``known_highest`` gives the highest writer number the caller has read (0 when it has
    read nothing): a number once used is never taken again, even after compaction removed
    its file, since readers remember how far they read each file by its name.
    """

    def __init__(self, path: Path, known_highest: Callable[[], int]) -> None:
        self.path = path
        self._file = WriterFile(path)
        self._known_highest = known_highest
        self._seq = 0

    @property
    def writer(self) -> Writer:
        """Who writes (host, pid, start time): stored with each intent."""
        return self._file.writer

    @property
    def name(self) -> str | None:
        """The file's name once claimed."""
        return None if self._file.path is None else self._file.path.name

    @property
    def size(self) -> int:
        """Bytes written to the file: where a reader of it stops."""
        return self._file.size

    def new_ids(self, count: int) -> list[int]:
        """Local ids for ``count`` new entries: ``writer number × BLOCK + n``, a new writer
        number when a block fills."""
        ids: list[int] = []
        while len(ids) < count:
            if self._file.number is None or self._seq >= BLOCK - 1:
                self._file.claim(above=max(self._highest(), self._file.number or 0))
                self._seq = 0
            assert self._file.number is not None
            take = min(count - len(ids), BLOCK - 1 - self._seq)
            base = self._file.number * BLOCK + self._seq
            ids += range(base + 1, base + take + 1)
            self._seq += take
        return ids

    def append(self, events: list[Event]) -> None:
        """Write ``events`` as one record (one write, fsync-ed): on disk when this returns."""
        if self._file.number is None:
            self._file.floor = max(self._file.floor, self._highest() + 1)
        else:
            self._file.floor = max(self._file.floor, self._known_highest() + 1)
        self._file.append([_line(batched(events))])

    def _highest(self) -> int:
        return max(self._known_highest(), files.highest_writer(self.path))

    def close(self) -> None:
        """Close the file (a later append claims a new one)."""
        self._file.close()


def task_event(now: float, ref: int | str, task: Task, state: str, task_id: str | None) -> Event:
    """A ``T`` event: what the service said about a task."""
    return [
        "T", now, ref, task_id, state, task.operation.value, task.source_path,
        task.target_path, task.duplicate_handle_type, task.error_code, task.error_msg,
        task.total_num, task.processed_num, task.total_size, task.processed_size,
        task.progress, task.submit_time, task.update_time,
    ]  # fmt: skip
