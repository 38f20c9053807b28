"""A bounded walk of what a delete would remove: counts, bytes, deepest path, largest files.

The walk lists folders breadth-first with a few requests in flight, and stops at an entry
limit or a time limit (each request is also cut off at the time left), saying which. A
folder that cannot be listed is recorded and the walk goes on; the result is then marked
incomplete. Links are counted as one entry and never followed (deleting a link does not
delete its target).
"""

from __future__ import annotations

import asyncio
import heapq
import posixpath
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from efile_tui.api.errors import EfileError, NotAFolder
from efile_tui.api.models import DirPage, FileEntry
from efile_tui.core.validate import normalise_path

LARGEST = 5
PROTECTED_KEPT = 20


class DirLister(Protocol):
    """What the walk needs from a client (``EfileClient`` fits)."""

    async def list_dir(
        self, path: str, *, start: int = 0, limit: int = 100, keyword: str | None = None
    ) -> DirPage:
        """One page of a folder listing."""
        ...


@dataclass(frozen=True)
class DeletePreview:
    """What a bounded walk found under the paths to delete."""

    files: int
    dirs: int
    bytes: int
    deepest_path: str
    max_depth: int  # levels below the deleted path (its direct children are at depth 1)
    largest: tuple[tuple[str, int], ...]  # up to 5 (path, size), biggest first
    complete: bool  # False when a bound was hit or a folder could not be listed
    stopped_because: str | None
    errors: tuple[str, ...] = ()
    protected: tuple[tuple[str, str], ...] = ()  # (path, reason) found inside, up to 20

    def summary_lines(self) -> list[str]:
        """The preview as short lines for a confirmation dialog."""
        more = "" if self.complete else "+"  # a bound was hit: at least this much
        lines = [
            f"files: {self.files:,}{more}, folders: {self.dirs:,}{more}, "
            f"size: {human_size(self.bytes)}{more}",
            f"deepest: {self.deepest_path} (depth {self.max_depth})",
        ]
        if self.protected:
            lines.append(f"PROTECTED inside ({len(self.protected)}{more_protected(self)}):")
            lines.extend(f"  {reason}" for _, reason in self.protected[:5])
        if self.largest:
            lines.append("largest:")
            lines.extend(f"  {human_size(size):>10}  {path}" for path, size in self.largest)
        if not self.complete:
            lines.append(f"preview incomplete: {self.stopped_because or 'unknown reason'}")
        lines.extend(f"  ! {error}" for error in self.errors[:5])
        if len(self.errors) > 5:
            lines.append(f"  … and {len(self.errors) - 5} more errors")
        return lines


def more_protected(preview: DeletePreview) -> str:
    """``+`` when the walk may have missed further protected paths."""
    return "+" if len(preview.protected) >= PROTECTED_KEPT or not preview.complete else ""


def human_size(n: int | None) -> str:
    """Bytes as a short human string (binary units); ``?`` when unknown (None)."""
    if n is None:
        return "?"
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(size) < 1024 or unit == "TiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"  # pragma: no cover - the loop always returns


def outermost(paths: Sequence[str]) -> list[str]:
    """Normalised paths without duplicates or paths inside another given path."""
    result: list[str] = []
    for path in sorted({normalise_path(p) for p in paths}):
        if not any(path == r or path.startswith(r.rstrip("/") + "/") for r in result):
            result.append(path)
    return result


@dataclass
class _Walk:
    client: DirLister
    max_entries: int
    max_seconds: float
    page_size: int
    clock: Callable[[], float]
    started: float = 0.0
    files: int = 0
    dirs: int = 0
    bytes: int = 0
    seen: int = 0
    deepest: tuple[int, str] = (0, "")
    largest: list[tuple[int, str]] = field(default_factory=list)  # min-heap of (size, path)
    errors: list[str] = field(default_factory=list)
    protect: Callable[[str], str | None] | None = None
    protected: list[tuple[str, str]] = field(default_factory=list)
    stopped: str | None = None
    crash: BaseException | None = None
    queue: asyncio.Queue[tuple[str, int, bool]] = field(default_factory=asyncio.Queue)

    def remaining(self) -> float:
        return self.max_seconds - (self.clock() - self.started)

    def halt(self, reason: str) -> None:
        """Stop the walk: forget queued folders so the workers run out of work."""
        if self.stopped is None:
            self.stopped = reason
        while not self.queue.empty():
            self.queue.get_nowait()
            self.queue.task_done()

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

    def add_entry(self, entry: FileEntry, depth: int) -> None:
        if self.protect is not None and len(self.protected) < PROTECTED_KEPT:
            reason = self.protect(entry.path)
            if reason:
                self.protected.append((entry.path, reason))
        if entry.is_dir and not entry.is_symlink:
            self.dirs += 1
            self.note_depth(entry.path, depth)
            self.queue.put_nowait((normalise_path(entry.path), depth, False))
        else:
            self.add_file(entry.path, entry.size or 0, depth)

    async def page(self, path: str, start: int, keyword: str | None = None) -> DirPage | None:
        """One listing call cut off at the time left; None when the time is up."""
        left = self.remaining()
        if left <= 0:
            self.halt(f"time limit ({self.max_seconds:g} s)")
            return None
        try:
            return await asyncio.wait_for(
                self.client.list_dir(path, start=start, limit=self.page_size, keyword=keyword),
                timeout=left,
            )
        except asyncio.TimeoutError:
            self.halt(f"time limit ({self.max_seconds:g} s)")
            return None

    async def folder(self, path: str, depth: int, probe: bool) -> None:
        """List every page of one folder (``probe``: a root of unknown type)."""
        start, names = 0, set[str]()
        while self.stopped is None:
            try:
                page = await self.page(path, start)
            except NotAFolder:
                if probe:  # a plain file after all
                    await self.root_file(path)
                    return
                raise
            if page is None:
                return
            if probe and start == 0:
                self.dirs += 1
                self.note_depth(path, 0)
            fresh = [e for e in page.entries if e.name not in names]
            if page.entries and not fresh:  # a service ignoring ``start``: never counted twice
                self.halt(f"the listing of {path} repeats itself")
                return
            names.update(e.name for e in fresh)
            for entry in fresh:
                if self.seen >= self.max_entries:
                    self.halt(f"entry limit ({self.max_entries:,})")
                    return
                self.seen += 1
                self.add_entry(entry, depth + 1)
            start += len(page.entries)
            if not page.entries or start >= page.total:
                return

    async def root_file(self, path: str) -> None:
        """A root that is a plain file: find its size in its parent (best effort)."""
        size = 0
        name = posixpath.basename(path)
        try:
            page = await self.page(posixpath.dirname(path), 0, keyword=name)
        except EfileError:
            page = None
        if page is not None:
            size = next((e.size or 0 for e in page.entries if e.name == name), 0)
        self.add_file(path, size, 0)

    async def worker(self) -> None:
        while True:
            path, depth, probe = await self.queue.get()
            try:
                await self.folder(path, depth, probe)
            except EfileError as exc:
                self.errors.append(f"{path}: {exc.message}")
            except Exception as exc:  # not a service error: stop, and re-raise to the caller
                self.crash = exc
                self.halt(f"walk failed: {type(exc).__name__}")
            finally:
                self.queue.task_done()


async def preview_delete(
    client: DirLister,
    paths: Sequence[str],
    *,
    is_dir: Mapping[str, bool] | None = None,
    sizes: Mapping[str, int] | None = None,
    max_entries: int = 20000,
    max_seconds: float = 5.0,
    page_size: int = 1000,
    concurrency: int = 4,
    clock: Callable[[], float] = time.monotonic,
    protected: Callable[[str], str | None] | None = None,
) -> DeletePreview:
    """Walk ``paths`` within the bounds and report what deleting them would remove.

    ``is_dir`` and ``sizes`` carry what the caller already knows (the path pane knows the
    type and size of what it shows); a path of unknown type is listed, and if the service
    says it is not a folder, its size is looked up in its parent. Paths inside another
    given path are counted once. ``protected`` names why a path found inside must not be
    destroyed (the deny list's wildcards): such paths are reported in ``protected``.
    """
    is_dir = {normalise_path(k): v for k, v in (is_dir or {}).items()}
    sizes = {normalise_path(k): v for k, v in (sizes or {}).items()}
    walk = _Walk(client, max_entries, max_seconds, page_size, clock, started=clock())
    walk.protect = protected
    for root in outermost(paths):
        kind = is_dir.get(root)
        if kind is False:
            walk.add_file(root, sizes.get(root, 0), 0)
        elif kind is True:
            walk.dirs += 1
            walk.note_depth(root, 0)
            walk.queue.put_nowait((root, 0, False))
        else:
            walk.queue.put_nowait((root, 0, True))
    workers = [asyncio.ensure_future(walk.worker()) for _ in range(max(1, concurrency))]
    try:
        await walk.queue.join()
    finally:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
    if walk.crash is not None:
        raise walk.crash
    stopped = walk.stopped
    if stopped is None and walk.errors:
        n = len(walk.errors)
        stopped = f"{n} folder{'s' if n != 1 else ''} could not be listed"
    largest = sorted(walk.largest, key=lambda item: (-item[0], item[1]))
    return DeletePreview(
        files=walk.files,
        dirs=walk.dirs,
        bytes=walk.bytes,
        deepest_path=walk.deepest[1],
        max_depth=walk.deepest[0],
        largest=tuple((path, size) for size, path in largest),
        complete=stopped is None,
        stopped_because=stopped,
        errors=tuple(walk.errors),
        protected=tuple(walk.protected),
    )


async def existing_names(
    client: DirLister, folder: str, names: Sequence[str], *, page: int = 500, asks: int = 10
) -> list[str]:
    """Which of ``names`` already exist in ``folder`` (for a copy/move dialog).

    One listing page first; for names not on it in a bigger folder, the server's keyword
    filter, at most ``asks`` more requests. Raises ``EfileError`` (e.g. no such folder).
    """
    wanted = list(dict.fromkeys(names))
    listing = await client.list_dir(folder, start=0, limit=page)
    here = {e.name for e in listing.entries}
    found = [n for n in wanted if n in here]
    if listing.total > len(listing.entries):
        for name in [n for n in wanted if n not in here][:asks]:
            hits = await client.list_dir(folder, start=0, limit=50, keyword=name)
            if any(e.name == name for e in hits.entries):
                found.append(name)
    return [n for n in wanted if n in found]
