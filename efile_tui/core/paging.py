"""A window on a remote folder listing, fetched page by page (no UI).

A listing starts with one page of ``PAGE_SIZE`` entries. The window holds at most
``MAX_ROWS`` consecutive entries (``WINDOW_PAGES`` pages) from entry ``start`` on. When
the rows the user is at come within ``LOOKAHEAD`` rows of the window's last row, the next
page is asked for; within ``LOOKAHEAD`` of its first row, if the window starts after the
folder's first entry, the page before it. One request is in flight at a time, and only
the answer to the newest one counts. Past ``MAX_ROWS``, entries are dropped at the end
away from the new page (never rows in view), so memory stays bounded however big the
folder is. ``to_end`` asks for the folder's last page directly and ``to_top`` for its
first, so both ends of a 100,000-entry folder are one request away.

Rows: the window's entries, after one lead row: ``..`` (the parent folder), or, for a
window starting after entry 0, a row counting the entries before it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from efile_tui.api.client import unseen
from efile_tui.api.models import FileEntry
from efile_tui.i18n import _, ngettext

PAGE_SIZE = 200
LOOKAHEAD = 50
WINDOW_PAGES = 10
MAX_ROWS = WINDOW_PAGES * PAGE_SIZE  # entries held at most (a few more while in view)
REFRESH_MAX = MAX_ROWS  # a refresh reloads the window in one request
PARENT_KEY = ".."
EARLIER_KEY = "\x00earlier"  # the first row of a window that starts after entry 0


@dataclass(frozen=True)
class Query:
    """Which listing: folder, server-side sort and keyword filter."""

    path: str
    order_by: str = "name"
    order: str = "asc"
    keyword: str | None = None


@dataclass(frozen=True)
class PageRequest:
    """One page asked for, and what to do with it when it arrives."""

    query: Query
    start: int = 0  # index in the listing of the page's first entry
    limit: int = PAGE_SIZE
    replace: bool = True  # a (new) listing or a jump: the page replaces the window
    before: bool = False  # the page goes before the window (scrolling back up)
    from_bar: bool = False  # typed in the path bar: report errors there
    select: str | None = None  # row key to put the cursor on when the page arrives
    keep_row: int = 0  # else this row (clamped)
    at_end: bool = False  # else, the cursor goes to the last row
    request_id: int = 0


@dataclass(frozen=True)
class Accepted:
    """What an answer did to the window."""

    request: PageRequest
    fresh: list[FileEntry]  # the entries not held before
    shift: int = 0  # rows held before and after moved by this many places
    again: PageRequest | None = None  # the folder shrank under the window: ask this instead


class Paging:
    """The window of one listing, and the request in flight."""

    def __init__(self, path: str) -> None:
        self.query = Query(path)
        self.entries: list[FileEntry] = []  # listing[start:start + len(entries)]
        self.index: dict[str, int] = {}  # path -> position in entries
        self.start = 0
        self.total: int | None = None
        self.pending: PageRequest | None = None
        self.seq = 0

    # -- rows --------------------------------------------------------------------------

    def lead_keys(self) -> list[str]:
        """The rows above the entries: ``..``, or the earlier-entries row."""
        if self.start > 0:
            return [EARLIER_KEY]
        return [PARENT_KEY] if self.query.path != "/" else []

    def row_keys(self) -> list[str]:
        """Every row's key: the lead row, then the entries' paths."""
        return self.lead_keys() + [e.path for e in self.entries]

    def entry_at(self, row: int) -> FileEntry | None:
        """The entry on ``row`` (None for the lead row or outside the window)."""
        index = row - len(self.lead_keys())
        return self.entries[index] if 0 <= index < len(self.entries) else None

    def entry(self, path: str) -> FileEntry | None:
        """The held entry for ``path``."""
        index = self.index.get(path)
        return None if index is None else self.entries[index]

    @property
    def end(self) -> int:
        """Index in the listing just after the window's last entry."""
        return self.start + len(self.entries)

    # -- requests ----------------------------------------------------------------------

    def ask(self, want: PageRequest) -> PageRequest:
        """Make ``want`` the request in flight (the only one whose answer counts)."""
        self.seq += 1
        self.pending = replace(want, request_id=self.seq)
        return self.pending

    def take(self, request_id: int) -> PageRequest | None:
        """The pending request this answers, or None when the answer is stale."""
        pending = self.pending
        if pending is None or request_id != pending.request_id:
            return None
        self.pending = None
        return pending

    def more(self, lo: int, hi: int, rows: int) -> PageRequest | None:
        """The page to ask for when the user is at rows ``lo``–``hi`` of ``rows``."""
        if self.pending is not None or self.total is None:
            return None
        if self.end < self.total and hi >= rows - LOOKAHEAD:
            return self.ask(PageRequest(self.query, replace=False, start=self.end))
        if self.start > 0 and lo < len(self.lead_keys()) + LOOKAHEAD:
            start = max(0, self.start - PAGE_SIZE)
            want = PageRequest(self.query, replace=False, before=True, start=start)
            return self.ask(replace(want, limit=self.start - start))
        return None

    def to_top(self) -> PageRequest | None:
        """Home: the first page, when the window starts after the folder's first entry."""
        return self.ask(PageRequest(self.query)) if self.start > 0 else None

    def to_end(self) -> PageRequest | None:
        """End: the last page, when the window stops before the folder's last entry."""
        if self.total is None or self.end >= self.total:
            return None
        start = max(0, self.total - PAGE_SIZE)
        return self.ask(PageRequest(self.query, start=start, at_end=True))

    def reload(self, select: str | None, keep_row: int) -> PageRequest:
        """The window again, where it is (after a change to the folder)."""
        limit = min(max(len(self.entries), PAGE_SIZE), REFRESH_MAX)
        want = PageRequest(self.query, select=select, keep_row=keep_row, start=self.start)
        return self.ask(replace(want, limit=limit))

    # -- answers -----------------------------------------------------------------------

    def accept(
        self,
        request: PageRequest,
        entries: Sequence[FileEntry],
        total: int,
        *,
        at: tuple[int, int] = (0, 0),
        cursor: Callable[[], tuple[str | None, int]] = lambda: (None, 0),
    ) -> Accepted:
        """Take a page (``at``: the rows the user is at; ``cursor``: its key and row)."""
        if not entries and (request.before or (request.replace and request.start > 0)):
            # The folder shrank under the window: start again from its first page.
            select, row = cursor()
            again = replace(request, replace=True, before=False, start=0, at_end=False)
            return Accepted(
                request, [], again=self.ask(replace(again, select=select, keep_row=row))
            )
        if request.replace:
            self.query = request.query
            self.entries, self.index, self.start = [], {}, request.start
            fresh = self.new_entries(entries)
            self.entries = fresh
            shift = 0
        else:
            fresh, shift = self.grow(request, entries, at)
        if not fresh and not request.replace:
            self.start = 0  # only repeats (``start`` ignored): no earlier pages either
        self.index = {e.path: i for i, e in enumerate(self.entries)}
        # A page with nothing new (empty, or only repeats: a service ignoring ``start``)
        # means the server ran out early: stop asking, whatever its ``total`` says (the
        # paging rule, ``api.client.unseen``; a window keeps what came, it does not fail).
        self.total = max(total, self.end) if fresh else self.end
        return Accepted(request, fresh, shift)

    def new_entries(self, entries: Sequence[FileEntry]) -> list[FileEntry]:
        """The entries not held yet (the paging rule: ``api.client.unseen``)."""
        return unseen(entries, set(self.index))

    def grow(
        self, request: PageRequest, entries: Sequence[FileEntry], at: tuple[int, int]
    ) -> tuple[list[FileEntry], int]:
        """Add a page at one end of the window and drop the surplus at the other end;
        returns the new entries and how far the rows held before moved."""
        lo, hi = at
        lead, old = len(self.lead_keys()), self.entries
        fresh = self.new_entries(entries)
        if request.before:
            # Keep the rows in view: old row r is entry len(fresh) + r - lead now.
            keep = max(MAX_ROWS, len(fresh) + hi + LOOKAHEAD + 1 - lead)
            self.entries, self.start = (fresh + old)[:keep], request.start
            moved = len(fresh)
        else:
            # Drop rows above the view only, from the top of the window.
            drop = max(0, min(len(old) + len(fresh) - MAX_ROWS, lo - LOOKAHEAD - lead))
            self.entries = old[drop:] + fresh
            self.start += drop
            moved = -drop
        return fresh, moved + len(self.lead_keys()) - lead


def count_text(start: int, held: int, total: int | None) -> str:
    """How much of the folder is held: ``200 of 100,000 loaded``, ``5 entries``…"""
    if total is None:
        return _("… entries")
    if start > 0:
        return _("{first}–{last} of {total} loaded").format(
            first=f"{start + 1:,}", last=f"{start + held:,}", total=f"{total:,}"
        )
    if held < total:
        return _("{n} of {total} loaded").format(n=f"{held:,}", total=f"{total:,}")
    return ngettext("{n} entry", "{n} entries", total).format(n=f"{total:,}")


__all__ = [
    "EARLIER_KEY",
    "LOOKAHEAD",
    "MAX_ROWS",
    "PAGE_SIZE",
    "PARENT_KEY",
    "Accepted",
    "PageRequest",
    "Paging",
    "Query",
    "count_text",
]
