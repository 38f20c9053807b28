"""The walk under a delete preview or a protection check: work in proportion to folders.

Listed paths of unknown type are grouped by parent folder; each parent is listed once (in
pages, stopping as soon as every wanted name was seen, or asking the service's keyword
filter for the few names left when that is cheaper than the pages left), which tells the
type and size of every listed path at once. Only then are the folders among them walked,
breadth-first with a few requests in flight. A parent that cannot be listed falls back to
probing its paths one by one.

Every listed path (a *root*) is followed until its whole tree was listed: a root is
*unfinished* when the walk stopped before that, or a folder under it could not be listed.
A time limit or an entry limit stops the walk; each request is cut off at the time left.
"""

from __future__ import annotations

import asyncio
import heapq
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from efile_tui.api.errors import EfileError, NotAFolder, NotFound
from efile_tui.api.models import DirPage, FileEntry
from efile_tui.i18n import N_, Msg

LARGEST = 5
PROTECTED_KEPT = 20


class DirLister(Protocol):
    """What the walk needs from a client (``EfileClient`` fits)."""

    async def list_dir(
        self, path: str, *, start: int = 0, limit: int = 100, keyword: str | None = None
    ) -> DirPage:
        """One page of a folder listing."""
        ...


@dataclass
class _Parent:
    """A folder to list once, and the listed paths (name → root number) wanted in it."""

    path: str
    wanted: dict[str, int]


@dataclass
class _Folder:
    """A folder to list whole: ``root`` is the number of the listed path it is under."""

    path: str
    depth: int
    root: int
    probe: bool = False  # a listed path of unknown type (its parent could not be listed)


@dataclass
class Walk:
    """One walk over every listed path of a command, and what it found."""

    client: DirLister
    roots: list[str]
    max_entries: int
    max_seconds: float
    page_size: int
    clock: Callable[[], float]
    protect: Callable[[str], str | None] | None = None
    started: float = 0.0
    files: int = 0
    dirs: int = 0
    bytes: int = 0
    seen: int = 0
    listed: int = 0  # folders listed to the end
    missing: int = 0  # listed paths their parent does not hold
    deepest: tuple[int, str] = (0, "")
    largest: list[tuple[int, str]] = field(default_factory=list)  # min-heap of (size, path)
    errors: list[str] = field(default_factory=list)
    protected: list[tuple[str, str]] = field(default_factory=list)
    protected_in: dict[int, str] = field(default_factory=dict)  # root → first reason
    pending: list[int] = field(default_factory=list)  # per root: folders not yet listed whole
    failed: set[int] = field(default_factory=set)  # roots a folder of which failed
    stopped: str | None = None
    crash: BaseException | None = None
    queue: asyncio.Queue[_Parent | _Folder] = field(default_factory=asyncio.Queue)

    def __post_init__(self) -> None:
        self.pending = [1] * len(self.roots)  # each root: its own type or listing is due

    # -- bookkeeping ----------------------------------------------------------------------

    def remaining(self) -> float:
        return self.max_seconds - (self.clock() - self.started)

    def halt(self, reason: str) -> None:
        """Stop the walk: forget queued work so the workers run out of it."""
        if self.stopped is None:
            self.stopped = reason
        while not self.queue.empty():
            self.queue.get_nowait()
            self.queue.task_done()

    def unfinished(self) -> list[int]:
        """The roots whose whole tree was not listed."""
        return [i for i, n in enumerate(self.pending) if n or i in self.failed]

    def note_depth(self, path: str, depth: int) -> None:
        best_depth, best_path = self.deepest
        if depth > best_depth or (depth == best_depth and (not best_path or path < best_path)):
            self.deepest = (depth, path)

    def add_file(self, path: str, size: int, depth: int) -> None:
        self.files += 1
        self.bytes += size
        self.note_depth(path, depth)
        item = (size, path)
        if len(self.largest) < LARGEST:
            heapq.heappush(self.largest, item)
        elif item > self.largest[0]:
            heapq.heapreplace(self.largest, item)

    def add_root_dir(self, root: int) -> None:
        """A listed path that is a folder: counted, and walked (its ``open`` passes on)."""
        self.dirs += 1
        self.note_depth(self.roots[root], 0)
        self.queue.put_nowait(_Folder(self.roots[root], 0, root))

    def add_root_file(self, root: int, size: int) -> None:
        self.add_file(self.roots[root], size, 0)
        self.pending[root] -= 1

    def add_entry(self, entry: FileEntry, depth: int, root: int) -> None:
        if self.protect is not None:
            reason = self.protect(entry.path)
            if reason:
                self.protected_in.setdefault(root, reason)
                if len(self.protected) < PROTECTED_KEPT:
                    self.protected.append((entry.path, reason))
        if entry.is_dir and not entry.is_symlink:
            self.dirs += 1
            self.note_depth(entry.path, depth)
            self.pending[root] += 1
            self.queue.put_nowait(_Folder(entry.path, depth, root))
        else:
            self.add_file(entry.path, entry.size or 0, depth)

    # -- requests -------------------------------------------------------------------------

    async def page(self, path: str, start: int, keyword: str | None = None) -> DirPage | None:
        """One listing call cut off at the time left; None when the time is up."""
        left = self.remaining()
        if left <= 0:
            self.halt(self._time_limit())
            return None
        try:
            return await asyncio.wait_for(
                self.client.list_dir(path, start=start, limit=self.page_size, keyword=keyword),
                timeout=left,
            )
        except asyncio.TimeoutError:
            self.halt(self._time_limit())
            return None

    def _time_limit(self) -> Msg:
        return Msg(N_("time limit ({seconds} s)"), seconds=f"{self.max_seconds:g}")

    async def folder(self, job: _Folder) -> None:
        """List every page of one folder; its sub-folders are queued."""
        start, names = 0, set[str]()
        while self.stopped is None:
            try:
                page = await self.page(job.path, start)
            except NotAFolder:
                if job.probe:  # a plain file after all (its size is not known)
                    self.add_root_file(job.root, 0)
                    return
                raise
            if page is None:
                return
            if job.probe and start == 0:
                self.dirs += 1
                self.note_depth(job.path, 0)
            fresh = [e for e in page.entries if e.name not in names]
            if page.entries and not fresh:  # a service ignoring ``start``: never counted twice
                self.halt(Msg(N_("the listing of {path} repeats itself"), path=job.path))
                return
            names.update(e.name for e in fresh)
            for entry in fresh:
                if self.seen >= self.max_entries:
                    self.halt(Msg(N_("entry limit ({n})"), n=f"{self.max_entries:,}"))
                    return
                self.seen += 1
                self.add_entry(entry, job.depth + 1, job.root)
            start += len(page.entries)
            if not page.entries or start >= page.total:
                self.listed += 1
                self.pending[job.root] -= 1
                return

    async def parent(self, job: _Parent) -> None:
        """List a parent folder until every wanted name was met (or ask the keyword filter
        for the few left); each listed path found is a file (counted) or a folder (queued);
        a name the parent does not hold is an error."""
        wanted = dict(job.wanted)
        try:
            start = 0
            while wanted and self.stopped is None:
                page = await self.page(job.path, start)
                if page is None:
                    return
                self._found(page, wanted)
                start += len(page.entries)
                if not page.entries or start >= page.total:
                    break
                pages_left = -(-(page.total - start) // self.page_size)
                if len(wanted) < pages_left:  # cheaper: one filtered request per name
                    await self._by_keyword(job.path, wanted)
                    break
        except EfileError as exc:
            if isinstance(exc, (NotAFolder, NotFound)):
                for root in wanted.values():
                    self._missing(
                        root, Msg("{path}: {why}", path=self.roots[root], why=exc.message)
                    )
                return
            for root in wanted.values():  # cannot list the parent: look at each path alone
                self.queue.put_nowait(_Folder(self.roots[root], 0, root, probe=True))
            return
        if self.stopped is None:
            for root in wanted.values():
                self._missing(
                    root, Msg(N_("{path}: no such file or folder"), path=self.roots[root])
                )

    async def _by_keyword(self, path: str, wanted: dict[str, int]) -> None:
        for name in list(wanted):
            start = 0
            while name in wanted and self.stopped is None:
                page = await self.page(path, start, keyword=name)
                if page is None:
                    return
                self._found(page, wanted)
                start += len(page.entries)
                if not page.entries or start >= page.total:
                    break

    def _found(self, page: DirPage, wanted: dict[str, int]) -> None:
        for entry in page.entries:
            root = wanted.pop(entry.name, None)
            if root is None:
                continue
            if entry.is_dir and not entry.is_symlink:
                self.add_root_dir(root)
            else:
                self.add_root_file(root, entry.size or 0)

    def _missing(self, root: int, error: str) -> None:
        self.missing += 1
        self.errors.append(error)
        self.failed.add(root)
        self.pending[root] -= 1

    async def worker(self) -> None:
        while True:
            job = await self.queue.get()
            try:
                if isinstance(job, _Parent):
                    await self.parent(job)
                else:
                    await self.folder(job)
            except EfileError as exc:
                self.errors.append(Msg("{path}: {why}", path=job.path, why=exc.message))
                if isinstance(job, _Folder):
                    self.failed.add(job.root)
            except Exception as exc:  # not a service error: stop, and re-raise to the caller
                self.crash = exc
                self.halt(Msg(N_("walk failed: {kind}"), kind=type(exc).__name__))
            finally:
                self.queue.task_done()

    async def run(self, kinds: dict[str, bool], sizes: dict[str, int], concurrency: int) -> None:
        """Walk every root (``kinds``/``sizes``: what the caller knows of some of them)."""
        self.started = self.clock()
        by_parent: dict[str, dict[str, int]] = {}
        folders: list[int] = []
        for number, root in enumerate(self.roots):
            kind = kinds.get(root)
            parent = posixpath.dirname(root)
            if kind is False:
                self.add_root_file(number, sizes.get(root, 0))
            elif kind is True:
                folders.append(number)
            elif parent == root:  # "/": no parent to ask
                self.queue.put_nowait(_Folder(root, 0, number, probe=True))
            else:
                by_parent.setdefault(parent, {})[posixpath.basename(root)] = number
        for parent, wanted in by_parent.items():  # every parent first, then descend
            self.queue.put_nowait(_Parent(parent, wanted))
        for number in folders:
            self.add_root_dir(number)
        workers = [asyncio.ensure_future(self.worker()) for _ in range(max(1, concurrency))]
        try:
            await self.queue.join()
        finally:
            for task in workers:
                task.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
        if self.crash is not None:
            raise self.crash
