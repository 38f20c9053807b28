"""A sample tree written on first use: the demo's simulator serves at once.

The root gets the sample's top-level file and an empty placeholder for each top-level
folder (the projects, the big folder): a few entries, written in a millisecond. A folder's
content is made and written the first time anything at or below it is used (listed,
stat'ed, named by a task as source or target: ``settle``, which the simulator's sandbox
calls on every path it maps), or by a background thread some seconds after start. Either
way it is written into a staging folder beside the root and renamed over its placeholder
whole, so nothing ever sees it half-written; after that it is ordinary files, so listing,
delete, copy and move behave (and take the time) they do on any tree.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from pathlib import Path

from efile_tui.sim.seed import (
    BIG_FOLDER,
    README,
    README_TEXT,
    SampleFile,
    big_folder,
    project_names,
    sample_files,
    write_files,
)


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
        self.big = big
        self.small_files = small_files
        self._stop = threading.Event()
        self._files: dict[str, list[SampleFile]] | None = None  # made on first use
        self._made = threading.Lock()
        names = project_names(4) + ([BIG_FOLDER] if big > 0 else [])
        write_files(self.root, [SampleFile(README, README_TEXT, len(README_TEXT))])
        for name in names:
            (self.root / name).mkdir()
        self._pending = set(names)
        self._locks = {name: threading.Lock() for name in names}
        self._thread: threading.Thread | None = None

    @property
    def pending(self) -> set[str]:
        """The top-level folders not written yet."""
        return set(self._pending)

    def settle(self, real: Path) -> None:
        """Write the top-level folder holding ``real`` (an on-disk path) if it is still a
        placeholder; return once it is whole."""
        if not self._pending:
            return
        top = os.path.relpath(real, self.root).split(os.sep, 1)[0]
        if top in self._pending:
            self._write(top)

    def _folder_files(self, name: str) -> list[SampleFile]:
        with self._made:
            if self._files is None:
                self._files = {}
                for file in sample_files(small_files=self.small_files):
                    top, sep, rest = file.rel.partition("/")
                    if sep:
                        self._files.setdefault(top, []).append(
                            SampleFile(rest, file.data, file.size)
                        )
        return self._files.get(name, [])

    def _write(self, name: str) -> None:
        with self._locks[name]:
            if name not in self._pending:
                return
            work = Path(tempfile.mkdtemp(prefix="lazy-", dir=self.staging))
            try:
                if name == BIG_FOLDER:
                    big_folder(work / name, self.big, self._stop.is_set)
                else:
                    write_files(work / name, self._folder_files(name), stopped=self._stop.is_set)
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
            for name in sorted(self._locks, key=lambda n: (n == BIG_FOLDER, n)):
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
