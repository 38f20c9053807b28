"""A sample tree written on first use: the demo's simulator serves at once.

The root gets its top-level files and an empty placeholder for each top-level folder
(a project, the big folder): a few entries, written in milliseconds. A folder's content is
written the first time anything at or below it is used (listed, stat'ed, named by a task
as source or target: ``settle``, called by the simulator's sandbox on every path it maps),
or by a background thread some seconds after start. Either way it is written into a
staging folder beside the root and renamed over its placeholder whole, so nothing ever
sees it half-written; after that it is ordinary files, so listing, delete, copy and move
behave (and take the time) they do on any tree.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from efile_tui.sim.seed import BIG_FOLDER, SampleFile, big_folder, sample_files, write_files


class Stopped(Exception):
    """Writing a folder was given up because the tree is being stopped."""


class LazyTree:
    """The sample tree of ``seed.sample_files`` (and a big folder of ``big`` entries)
    under ``root``, each top-level folder written when first used.

    ``staging`` is a folder on the same file system as ``root`` (not below it).
    """

    def __init__(self, root: Path, staging: Path, *, big: int = 0, small_files: int = 3000) -> None:
        self.root = Path(os.path.realpath(root))
        self.staging = Path(staging)
        self._stop = threading.Event()
        self._writers: dict[str, Callable[[Path], None]] = {}
        by_folder: dict[str, list[SampleFile]] = {}
        for file in sample_files(small_files=small_files):
            top, sep, rest = file.rel.partition("/")
            if sep:
                by_folder.setdefault(top, []).append(SampleFile(rest, file.data, file.size))
            else:
                write_files(self.root, [file])
        for name, files in by_folder.items():
            self._writers[name] = self._files_writer(files)
        if big > 0:
            self._writers[BIG_FOLDER] = lambda path: big_folder(path, big, self._stop.is_set)
        for name in self._writers:
            (self.root / name).mkdir()
        self._pending = set(self._writers)
        self._locks = {name: threading.Lock() for name in self._writers}
        self._thread: threading.Thread | None = None

    def _files_writer(self, files: list[SampleFile]) -> Callable[[Path], None]:
        def write(path: Path) -> None:
            write_files(path, files, stopped=self._stop.is_set)

        return write

    @property
    def pending(self) -> set[str]:
        """The top-level folders not written yet."""
        return set(self._pending)

    def settle(self, real: Path) -> None:
        """Write the top-level folder holding ``real`` (an on-disk path) if it is still a
        placeholder; return once it is whole."""
        if not self._pending:
            return
        rel = os.path.relpath(real, self.root)
        top = rel.split(os.sep, 1)[0]
        if top in self._pending:
            self._write(top)

    def _write(self, name: str) -> None:
        with self._locks[name]:
            if name not in self._pending:
                return
            work = Path(tempfile.mkdtemp(prefix="lazy-", dir=self.staging))
            try:
                self._writers[name](work / name)
                if self._stop.is_set():
                    raise Stopped(name)
                os.replace(work / name, self.root / name)  # over the empty placeholder
            finally:
                shutil.rmtree(work, ignore_errors=True)
            self._pending.discard(name)

    def fill_later(self, delay: float) -> None:
        """Write every pending folder from a thread of its own, starting after ``delay``
        seconds (the projects first, the big folder last)."""

        def fill() -> None:
            if self._stop.wait(delay):
                return
            for name in sorted(self._writers, key=lambda n: (n == BIG_FOLDER, n)):
                try:
                    self._write(name)
                except Stopped:
                    return

        self._thread = threading.Thread(target=fill, name="sample-tree", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the background writing (within a file or 500 empty ones) and wait for it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
