"""A bounded walk of what a delete would remove: counts, bytes, deepest path, largest files.

The walk (:mod:`efile_tui.core.walk`) lists each parent of the given paths once, then the
folders among them breadth-first with a few requests in flight, and stops at an entry limit
or a time limit (each request is also cut off at the time left), saying which and how much
it covered; both limits grow with the number of paths. A folder that cannot be listed is
recorded and the walk goes on; the result is then marked incomplete. Links are counted as
one entry and never followed (deleting a link does not delete its target).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from efile_tui.core.validate import normalise_path
from efile_tui.core.walk import PROTECTED_KEPT, DirLister, Walk
from efile_tui.core.words import human_size
from efile_tui.i18n import Msg, _, joined, nmsg, shown

__all__ = ["PROTECTED_KEPT", "DeletePreview", "DirLister", "outermost", "preview_delete"]

BASE_SECONDS = 5.0  # the time limit of a walk of one path …
SECONDS_PER_PATH = 0.002  # … and what each further listed path adds (20,000 paths: 45 s)
BASE_ENTRIES = 20_000  # entries found inside the paths before the walk stops


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
    protected_in: tuple[tuple[str, str], ...] = ()  # (given path, first reason) each
    unfinished: tuple[str, ...] = ()  # given paths whose tree was not listed whole
    paths: int = 0  # given paths (after dropping those inside another)
    folders_listed: int = 0

    @property
    def covered(self) -> Msg:
        """What the walk covered, e.g. "19,500 of 20,000 paths, 12 folders listed"."""
        done = self.paths - len(self.unfinished)
        return nmsg(
            "{done} of {n} path, {folders} folders listed",
            "{done} of {n} paths, {folders} folders listed",
            self.paths,
            done=f"{done:,}",
            n=f"{self.paths:,}",
            folders=f"{self.folders_listed:,}",
        )

    def summary_lines(self) -> list[str]:
        """The preview as short lines for a confirmation dialog."""
        more = "" if self.complete else "+"  # a bound was hit: at least this much
        lines = [
            _("files: {files}{more}, folders: {dirs}{more}, size: {size}{more}").format(
                files=f"{self.files:,}",
                dirs=f"{self.dirs:,}",
                size=human_size(self.bytes),
                more=more,
            ),
            _("deepest: {path} (depth {depth})").format(
                path=self.deepest_path, depth=self.max_depth
            ),
        ]
        if self.protected:
            n = f"{len(self.protected)}{more_protected(self)}"
            lines.append(_("PROTECTED inside ({n}):").format(n=n))
            lines.extend(f"  {shown(reason)}" for _path, reason in self.protected[:5])
        if self.largest:
            lines.append(_("largest:"))
            lines.extend(f"  {human_size(size):>10}  {path}" for path, size in self.largest)
        if not self.complete:
            why = shown(self.stopped_because or _("unknown reason"))
            lines.append(_("preview incomplete: {why}").format(why=why))
            lines.append(_("covered: {what}").format(what=shown(self.covered)))
        lines.extend(f"  ! {shown(error)}" for error in self.errors[:5])
        if len(self.errors) > 5:
            lines.append("  " + _("… and {n} more errors").format(n=len(self.errors) - 5))
        return lines


def more_protected(preview: DeletePreview) -> str:
    """``+`` when the walk may have missed further protected paths."""
    return "+" if len(preview.protected) >= PROTECTED_KEPT or not preview.complete else ""


def outermost(paths: Sequence[str]) -> list[str]:
    """Normalised paths without duplicates or paths inside another given path.

    Sorted by components, a path's descendants come right after it: each path is compared
    with the last one kept only (O(N log N))."""
    result: list[str] = []
    for path in sorted({normalise_path(p) for p in paths}, key=lambda p: p.split("/")):
        last = result[-1] if result else None
        if last is None or not (path == last or path.startswith(last.rstrip("/") + "/")):
            result.append(path)
    return result


async def preview_delete(
    client: DirLister,
    paths: Sequence[str],
    *,
    is_dir: Mapping[str, bool] | None = None,
    sizes: Mapping[str, int] | None = None,
    max_entries: int | None = None,
    max_seconds: float | None = None,
    page_size: int = 1000,
    concurrency: int = 4,
    clock: Callable[[], float] = time.monotonic,
    protected: Callable[[str], str | None] | None = None,
) -> DeletePreview:
    """Walk ``paths`` within the bounds and report what deleting them would remove.

    ``is_dir`` and ``sizes`` carry what the caller already knows (the path pane knows the
    type and size of what it shows); paths of unknown type are looked up in their parent
    folder, each parent listed once. Paths inside another given path are counted once.
    ``protected`` names why a path found inside must not be destroyed (the deny list's
    wildcards): such paths are reported in ``protected``, and the given paths holding one
    in ``protected_in``. The limits default to ones that grow with the number of paths;
    the time limit counts from the start of the walk.
    """
    roots = outermost(paths)
    walk = Walk(
        client,
        roots,
        max_entries=BASE_ENTRIES + len(roots) if max_entries is None else max_entries,
        max_seconds=(
            BASE_SECONDS + SECONDS_PER_PATH * max(0, len(roots) - 1)
            if max_seconds is None
            else max_seconds
        ),
        page_size=page_size,
        clock=clock,
        protect=protected,
    )
    await walk.run(
        {normalise_path(k): v for k, v in (is_dir or {}).items()},
        {normalise_path(k): v for k, v in (sizes or {}).items()},
        concurrency,
    )
    stopped = walk.stopped
    if stopped is None and walk.errors:
        stopped = _errors_reason(len(walk.errors) - walk.missing, walk.missing)
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
        protected_in=tuple((roots[i], reason) for i, reason in sorted(walk.protected_in.items())),
        unfinished=tuple(roots[i] for i in walk.unfinished()),
        paths=len(roots),
        folders_listed=walk.listed,
    )


def _errors_reason(unlisted: int, missing: int) -> Msg:
    parts = []
    if unlisted:
        parts.append(
            nmsg(
                "{n} folder could not be listed",
                "{n} folders could not be listed",
                unlisted,
                n=unlisted,
            )
        )
    if missing:
        parts.append(nmsg("{n} path not found", "{n} paths not found", missing, n=missing))
    return joined("; ", parts)


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
