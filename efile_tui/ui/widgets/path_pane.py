"""The path pane: browse remote folders page by page and mark paths for an action.

The pane never talks to the service: it posts :class:`PageWanted`, the screen answers with
:meth:`PathPane.show_page` / :meth:`PathPane.show_error`, and only the answer to the newest
request counts (answers for a folder the user has left are dropped).

Paging: a listing starts with one page of ``PAGE_SIZE`` entries. The pane holds a window
of at most ``MAX_ROWS`` consecutive entries (``WINDOW_PAGES`` pages) from entry ``_start``
on. When the rows in view (and the cursor, while on screen) come within ``LOOKAHEAD`` rows
of the window's last row, the next page is requested; within ``LOOKAHEAD`` of its first
row, if the window starts after the folder's first entry, the page before it. One request
is in flight at a time. Past ``MAX_ROWS``, entries are dropped at the end away from the
new page (never rows in view or near the cursor), so memory stays bounded however big the
folder is; scrolling back fetches dropped pages again. The view and the cursor move with
their rows (``PathTable.follow``): nothing on screen jumps. A window starting after entry
0 begins with a row counting the entries before it; ``Home`` fetches the first page.
``End`` goes to the last row held, which asks for one more page, so a 100,000-entry folder
is never loaded in one go; for its far end, reverse the sort (``S``) or filter (``/``),
both done by the server. ``refresh_folder`` reloads the window where it is.

Navigation is tentative: the old folder stays on screen until the new one's first page
arrives, so a failed jump leaves the user where they were. Marks are absolute paths (with
the entry last seen for each), kept across navigation, sorting, filtering and the window
dropping their rows.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Input, Static

from efile_tui.api.models import DirPage, FileEntry, Operation
from efile_tui.core.validate import normalise_path, path_problem
from efile_tui.ui.messages import CopyText, DeleteRequested, PageWanted, TransferRequested
from efile_tui.ui.widgets.path_table import (
    PathTable,
    cell_map,
    columns,
    count_text,
    earlier_map,
)

PAGE_SIZE = 200
LOOKAHEAD = 50
WINDOW_PAGES = 10
MAX_ROWS = WINDOW_PAGES * PAGE_SIZE  # entries held at most (a few more while in view)
REFRESH_MAX = MAX_ROWS  # a refresh reloads the window in one request
NARROW_BELOW = 60  # pane width under which type and modified are hidden
PARENT_KEY = ".."
EARLIER_KEY = "\x00earlier"  # the first row of a window that starts after entry 0
SORTS = ("name", "size", "lastModifiedTime")
SORT_LABELS = {"name": "name", "size": "size", "lastModifiedTime": "time"}
# Biggest and newest first is what an operator looking for space wants.
DEFAULT_ORDER = {"name": "asc", "size": "desc", "lastModifiedTime": "desc"}


@dataclass(frozen=True)
class _Query:
    path: str
    order_by: str = "name"
    order: str = "asc"
    keyword: str | None = None


@dataclass(frozen=True)
class _Pending:
    query: _Query
    replace: bool = True  # first page of a (new) listing: swap the table's contents
    from_bar: bool = False  # typed in the path bar: report errors there
    select: str | None = None  # row key to put the cursor on when the page arrives
    keep_row: int = 0  # else this row (clamped)
    start: int = 0  # index in the listing of the page's first entry
    before: bool = False  # the page goes before the window (scrolling back up)
    request_id: int = 0


class PathPane(Vertical):
    """Folder browser with lazy paging, server-side sort/filter and persistent marks."""

    DEFAULT_CSS = """
    PathPane { height: 1fr; }
    PathPane > #path-bar { border: none; height: 1; padding: 0 1; }
    PathPane > #path-bar.-error { background: $error 30%; }
    PathPane > #path-bar-message { color: $text-error; padding: 0 1; display: none; }
    PathPane > #path-info { color: $text-muted; padding: 0 1; height: auto; max-height: 2; }
    PathPane > #path-info.-error { color: $text-error; }
    PathPane > #path-filter { border: none; height: 1; padding: 0 1; display: none; }
    PathPane > #path-table { height: 1fr; scrollbar-gutter: stable; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("backspace", "up", "Up", id="path.up"),
        Binding("space", "toggle_mark", "Mark", id="path.mark"),
        Binding("shift+down", "extend_mark(1)", "Mark down", show=False, id="path.mark_down"),
        Binding("shift+up", "extend_mark(-1)", "Mark up", show=False, id="path.mark_up"),
        Binding("v", "mark_range", "Mark range", show=False, id="path.mark_range"),
        Binding("a", "mark_all", "Mark all", show=False, id="path.mark_all"),
        Binding("i", "invert_marks", "Invert marks", show=False, id="path.invert"),
        Binding("escape,u", "escape", "Clear marks", show=False, id="path.clear"),
        Binding("s", "cycle_sort", "Sort", id="path.sort"),
        Binding("S", "reverse_sort", "Reverse sort", show=False, id="path.reverse"),
        Binding("slash", "filter", "Filter", id="path.filter"),
        Binding("g,ctrl+l", "focus_path_bar", "Go to", id="path.goto"),
        Binding("d", "delete", "Delete", id="path.delete"),
        Binding("C", "copy_marked", "Copy…", id="path.copy"),
        Binding("M", "move_marked", "Move…", id="path.move"),
        Binding("y", "yank_path", "Copy path", show=False, id="path.yank"),
    ]

    def __init__(self, home: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.home = normalise_path(home or "/")
        self._query = _Query(self.home)
        self._entries: list[FileEntry] = []  # the window: listing[_start:_start + len]
        self._index: dict[str, int] = {}  # path -> position in _entries
        self._start = 0
        self._syncing = False  # the table is being updated: do not ask for pages
        self._total: int | None = None
        self._pending: _Pending | None = None
        self._seq = 0
        self._error: str | None = None
        self._marks: dict[str, FileEntry] = {}
        self._anchor: str | None = None
        self._narrow = False

    def compose(self) -> ComposeResult:
        """Path bar, its message line, the info row, the filter input and the table."""
        yield Input(self.home, id="path-bar", placeholder="/absolute/path")
        yield Static("", id="path-bar-message", markup=False)
        yield Static("", id="path-info", markup=False)
        yield Input("", id="path-filter", placeholder="keyword (Enter applies, Esc clears)")
        yield PathTable(id="path-table", to_top=self._to_top)

    def on_mount(self) -> None:
        """Build the (empty) table and ask for the home folder."""
        table = self._table
        self._rebuild_table(None, 0)
        self.watch(table, "scroll_y", self._maybe_load_more, init=False)
        self._send(_Pending(self._query))

    @property
    def _table(self) -> PathTable:
        return self.query_one("#path-table", PathTable)

    @property
    def current_path(self) -> str:
        """The folder whose entries the table shows."""
        return self._query.path

    @property
    def marked_paths(self) -> list[str]:
        """Every marked path, in every folder, sorted."""
        return sorted(self._marks)

    @property
    def cursor_path(self) -> str | None:
        """Path of the row under the cursor (None on ``..`` or an empty folder)."""
        key = self._cursor_key()
        return None if key in (None, PARENT_KEY, EARLIER_KEY) else key

    def known_entry(self, path: str) -> FileEntry | None:
        """The last-seen entry for a marked or loaded path (for sizes and types)."""
        if path in self._marks:
            return self._marks[path]
        index = self._index.get(path)
        return None if index is None else self._entries[index]

    def known_dirs(self, paths: Iterable[str]) -> dict[str, bool]:
        """Folder-or-not for each path the pane has seen (for the delete preview)."""
        found = ((p, self.known_entry(p)) for p in paths)
        return {p: e.is_dir and not e.is_symlink for p, e in found if e is not None}

    def known_sizes(self, paths: Iterable[str]) -> dict[str, int]:
        """Size of each path the pane has seen (files; folders report 0)."""
        found = ((p, self.known_entry(p)) for p in paths)
        return {p: e.size for p, e in found if e is not None}

    def clear_marks(self) -> None:
        """Unmark everything, in every folder."""
        self.unmark(list(self._marks))

    def unmark(self, paths: Iterable[str]) -> None:
        """Unmark these paths (e.g. after they were submitted for deletion)."""
        for path in paths:
            self._set_mark(path, None)
        self._anchor = None
        self._update_info()

    def focus_table(self) -> None:
        """Move focus to the listing."""
        self._table.focus()

    def navigate(self, path: str, *, select: str | None = None) -> None:
        """Open ``path`` (absolute); the table changes when its first page arrives."""
        self._open(normalise_path(path), select=select)

    def refresh_folder(self) -> None:
        """Reload the current folder (after a delete), keeping the cursor where it can."""
        table = self._table
        want = _Pending(
            self._query, select=self._cursor_key(), keep_row=table.cursor_row, start=self._start
        )
        self._send(want, min(max(len(self._entries), PAGE_SIZE), REFRESH_MAX))

    def _take(self, request_id: int) -> _Pending | None:
        """The pending request this answers, or None when the answer is stale."""
        pending = self._pending
        if pending is None or request_id != pending.request_id:
            return None
        self._pending = None
        return pending

    def show_page(self, request_id: int, page: DirPage) -> bool:
        """Take the answer to a PageWanted; False (and ignored) when it is stale."""
        if (pending := self._take(request_id)) is None:
            return False
        self._error = None
        if not page.entries and (pending.before or (pending.replace and pending.start > 0)):
            # The folder shrank under the window: start again from its first page.
            table = self._table
            again = replace(pending, replace=True, before=False, start=0)
            self._send(replace(again, select=self._cursor_key(), keep_row=table.cursor_row))
            return True
        if pending.replace:
            self._query = pending.query
            self._entries, self._index, self._start = [], {}, pending.start
            self._entries = self._fresh(page.entries)
            self._index = {e.path: i for i, e in enumerate(self._entries)}
        else:
            self._grow(pending, page)
        end = self._start + len(self._entries)
        # An empty page means the server ran out early: stop asking.
        self._total = max(page.total, end) if page.entries else end
        if pending.replace:
            self._rebuild_table(pending.select, pending.keep_row)
            bar = self.query_one("#path-bar", Input)
            if pending.from_bar or not bar.has_focus:  # never overwrite what is being typed
                self._set_bar(self._query.path, None)
            if pending.from_bar:
                self._table.focus()
        self._update_info()
        self.call_after_refresh(self._maybe_load_more)
        return True

    def _fresh(self, entries: Iterable[FileEntry]) -> list[FileEntry]:
        """The entries not held yet; marked ones refresh their mark's size and type."""
        fresh: list[FileEntry] = []
        seen: set[str] = set()
        for entry in entries:
            # Entries can shift between pages when the folder changes: skip repeats.
            if entry.path in self._index or entry.path in seen:
                continue
            seen.add(entry.path)
            fresh.append(entry)
            if entry.path in self._marks:
                self._marks[entry.path] = entry  # keep the freshest size/type
        return fresh

    def _grow(self, pending: _Pending, page: DirPage) -> None:
        """Add a page at one end of the window and drop the surplus at the other end."""
        table = self._table
        lo, hi = table.focus_rows()
        lead, old = len(self._lead_keys()), self._entries
        fresh = self._fresh(page.entries)
        if pending.before:
            # Keep the rows in view: old row r is entry len(fresh) + r - lead now.
            keep = max(MAX_ROWS, len(fresh) + hi + LOOKAHEAD + 1 - lead)
            self._entries, self._start = (fresh + old)[:keep], pending.start
        else:
            # Drop rows above the view only, from the top of the window.
            drop = max(0, min(len(old) + len(fresh) - MAX_ROWS, lo - LOOKAHEAD - lead))
            self._entries = old[drop:] + fresh
            self._start += drop
        self._index = {e.path: i for i, e in enumerate(self._entries)}
        survivor = next((e.path for e in old if e.path in self._index), None)
        self._syncing = True  # the scroll and cursor moves below must not ask for pages
        try:
            table.set_rows(self._row_keys(), self._cells_for, anchor=survivor)
            if self._start > 0:
                table.update_cell(EARLIER_KEY, "name", earlier_map(self._start)["name"])
        finally:
            self._syncing = False

    def show_error(self, request_id: int, error: BaseException) -> bool:
        """Take a failed PageWanted; keeps what is shown. False when stale."""
        if (pending := self._take(request_id)) is None:
            return False
        self._error = getattr(error, "message", None) or str(error) or type(error).__name__
        if pending.from_bar:
            self._set_bar(None, self._error)
        self._update_info()
        return True

    def _send(self, want: _Pending, limit: int = PAGE_SIZE) -> None:
        """Post a PageWanted; from now on only its answer counts."""
        self._seq += 1
        self._pending = replace(want, request_id=self._seq)
        q = want.query
        self.post_message(
            PageWanted(self._seq, q.path, want.start, limit, q.order_by, q.order, q.keyword)
        )
        self._update_info()

    def _open(self, path: str, *, select: str | None = None, from_bar: bool = False) -> None:
        """Ask for a folder's first page (same sort, no filter)."""
        self._hide_filter()
        query = replace(self._query, path=path, keyword=None)
        self._send(_Pending(query, select=select, from_bar=from_bar))

    def _relist(self, query: _Query) -> None:
        """Same folder, new sort or filter: start again from the first page."""
        self._send(_Pending(query, select=self._cursor_key()))

    def _to_top(self) -> bool:
        """Home while the window starts after entry 0: fetch the first page (True)."""
        if self._start == 0:
            return False
        self._send(_Pending(self._query))
        return True

    def _maybe_load_more(self) -> None:
        """Request the page after (or before) the window when the user nears its end."""
        if self._pending is not None or self._syncing or self._total is None:
            return
        lo, hi = self._table.focus_rows()
        end = self._start + len(self._entries)
        if end < self._total and hi >= self._table.row_count - LOOKAHEAD:
            self._send(_Pending(self._query, replace=False, start=end))
        elif self._start > 0 and lo < len(self._lead_keys()) + LOOKAHEAD:
            start = max(0, self._start - PAGE_SIZE)
            want = _Pending(self._query, replace=False, before=True, start=start)
            self._send(want, self._start - start)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Cursor moved: maybe fetch the next page."""
        event.stop()
        self._maybe_load_more()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter (or a click on the cursor row) opens a folder."""
        event.stop()
        self.action_open()

    def _cells(self, values: dict[str, Text]) -> list[Text]:
        """One row in column order — all plain Text, no markup."""
        return [values.get(key, Text("")) for key, _ in columns(self._narrow)]

    def _cell_map(self, entry: FileEntry | None) -> dict[str, Text]:
        return cell_map(entry, entry is not None and entry.path in self._marks)

    def _rebuild_table(self, select: str | None, keep_row: int) -> None:
        """Replace the table's rows (new folder, sort, filter or column set)."""
        table, keys = self._table, self._row_keys()
        self._syncing = True  # an emptied table scrolled to the top wants no pages
        try:
            table.reset(columns(self._narrow))
            for key in keys:
                table.add_row(*self._cells_for(key), key=key)
        finally:
            self._syncing = False
        table.fit_name_column(self.size.width)
        row = keys.index(select) if select in keys else min(keep_row, max(0, len(keys) - 1))
        table.move_cursor(row=row, animate=False)

    def _cells_for(self, key: str) -> list[Text]:
        """The cells of the row with this key."""
        if key == PARENT_KEY:
            return self._cells(self._cell_map(None))
        if key == EARLIER_KEY:
            return self._cells(earlier_map(self._start))
        return self._cells(self._cell_map(self._entries[self._index[key]]))

    def _lead_keys(self) -> list[str]:
        """The rows above the entries: ``..``, or the earlier-entries row."""
        if self._start > 0:
            return [EARLIER_KEY]
        return [PARENT_KEY] if self._query.path != "/" else []

    def _row_keys(self) -> list[str]:
        return self._lead_keys() + [e.path for e in self._entries]

    def _row_key_at(self, row: int) -> str | None:
        lead = self._lead_keys()
        if 0 <= row < len(lead):
            return lead[row]
        entry = self._entry_at(row)
        return None if entry is None else entry.path

    def _cursor_key(self) -> str | None:
        return self._row_key_at(self._table.cursor_row)

    def on_resize(self, event: events.Resize) -> None:
        """Hide type/modified below NARROW_BELOW columns; refit the name column."""
        if (event.size.width < NARROW_BELOW) == self._narrow:
            return self._table.fit_name_column(event.size.width)
        self._narrow = not self._narrow
        self._rebuild_table(self._cursor_key(), self._table.cursor_row)
        self._update_info()

    def _update_info(self) -> None:
        q = self._query
        parts = [] if self._narrow else [posixpath.basename(q.path) or "/"]
        parts.append(count_text(self._start, len(self._entries), self._total))
        parts.append(f"sort: {SORT_LABELS[q.order_by]} {'↑' if q.order == 'asc' else '↓'}")
        if q.keyword:
            parts.append(f"filter: “{q.keyword}”")
        if self._marks:
            here = [p for p in self._marks if posixpath.dirname(p) == q.path]
            counts = (len(self._marks) - len(here), sum(p not in self._index for p in here))
            labels = ("in other folders", "not shown")
            extra = [f"{n} {w}" for n, w in zip(counts, labels, strict=True) if n]
            parts.append(f"{len(self._marks)} marked" + (f" ({', '.join(extra)})" if extra else ""))
        if self._pending is not None:
            going = self._pending.query.path
            parts.append("loading…" if going == q.path else f"opening {going}…")
        if self._error:
            parts.append(f"⚠ {self._error}")
        info = self.query_one("#path-info", Static)
        info.update(" · ".join(parts))
        info.set_class(bool(self._error), "-error")

    def _set_mark(self, path: str, entry: FileEntry | None) -> None:
        """Mark (entry given) or unmark (None) one path and redraw its row if shown."""
        if entry is None and self._marks.pop(path, None) is None:
            return
        if entry is not None:
            self._marks[path], self._anchor = entry, path
        if (index := self._index.get(path)) is not None:
            cells = self._cell_map(self._entries[index])
            for key in ("mark", "name"):
                self._table.update_cell(path, key, cells[key])

    def _entry_at(self, row: int) -> FileEntry | None:
        index = row - len(self._lead_keys())
        return self._entries[index] if 0 <= index < len(self._entries) else None

    def _mark_rows(self, rows: Iterable[int], mark: bool | None) -> None:
        """Mark (True), unmark (False) or toggle (None) the entries on these rows."""
        for row in rows:
            if (entry := self._entry_at(row)) is not None:
                on = (entry.path not in self._marks) if mark is None else mark
                self._set_mark(entry.path, entry if on else None)
        self._update_info()

    def action_toggle_mark(self) -> None:
        """Toggle the mark on the cursor row and move down."""
        table = self._table
        self._mark_rows([table.cursor_row], None)
        table.action_cursor_down()

    def action_extend_mark(self, step: int) -> None:
        """Mark the cursor row, move ``step`` rows and mark that one too (shift+arrows)."""
        table = self._table
        self._mark_rows([table.cursor_row], True)
        table.move_cursor(row=table.cursor_row + step)
        self._mark_rows([table.cursor_row], True)

    def action_mark_range(self) -> None:
        """Mark every row between the last marked row and the cursor."""
        row = self._table.cursor_row
        keys = self._row_keys()
        start = keys.index(self._anchor) if self._anchor in keys else row
        self._mark_rows(range(min(start, row), max(start, row) + 1), True)
        self._anchor = self.cursor_path

    def action_mark_all(self) -> None:
        """Mark every loaded entry of this folder."""
        self._mark_rows(range(self._table.row_count), True)
        if self._total is not None and len(self._entries) < self._total:
            loaded = f"{len(self._entries):,} loaded entries of {self._total:,}"
            self.notify(f"Marked the {loaded}; scroll to load more.", severity="warning")

    def action_invert_marks(self) -> None:
        """Invert the marks of the loaded entries of this folder."""
        self._mark_rows(range(self._table.row_count), None)

    def action_open(self) -> None:
        """Open the folder under the cursor (``..`` goes up; files do nothing)."""
        if self._cursor_key() == PARENT_KEY:
            return self.action_up()
        entry = self._entry_at(self._table.cursor_row)
        if entry is not None and entry.is_dir:
            self._open(normalise_path(entry.path))

    def action_up(self) -> None:
        """Go to the parent folder, with the cursor on the folder we came from."""
        path = self._query.path
        if path != "/":
            self._open(posixpath.dirname(path), select=path)

    def action_cycle_sort(self) -> None:
        """Sort by name → size → time (server-side), each with its natural order."""
        nxt = SORTS[(SORTS.index(self._query.order_by) + 1) % len(SORTS)]
        self._relist(replace(self._query, order_by=nxt, order=DEFAULT_ORDER[nxt]))

    def action_reverse_sort(self) -> None:
        """Reverse the current sort order."""
        order = "desc" if self._query.order == "asc" else "asc"
        self._relist(replace(self._query, order=order))

    def action_filter(self) -> None:
        """Show the keyword input (server-side filter on this folder)."""
        field = self.query_one("#path-filter", Input)
        field.value = self._query.keyword or ""
        field.display = True
        field.focus()

    def _hide_filter(self) -> None:
        self.query_one("#path-filter", Input).display = False

    def action_focus_path_bar(self) -> None:
        """Focus the path bar with its text selected, ready to type a path."""
        bar = self.query_one("#path-bar", Input)
        bar.focus()
        bar.select_all()

    def _set_bar(self, value: str | None, problem: str | None) -> None:
        bar = self.query_one("#path-bar", Input)
        if value is not None:
            bar.value = value
        bar.set_class(problem is not None, "-error")
        message = self.query_one("#path-bar-message", Static)
        message.update(problem or "")
        message.display = problem is not None

    @on(Input.Submitted, "#path-bar")
    def _jump(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        problem = path_problem(text)
        self._set_bar(None, problem)
        if problem is None:
            self._open(normalise_path(text), from_bar=True)

    @on(Input.Changed, "#path-bar")
    def _bar_edited(self, event: Input.Changed) -> None:
        event.stop()
        if event.value.strip() != self._query.path:
            self._set_bar(None, None)

    @on(Input.Submitted, "#path-filter")
    def _apply_filter(self, event: Input.Submitted) -> None:
        event.stop()
        keyword = event.value.strip() or None
        self._hide_filter()
        self._table.focus()
        if keyword != self._query.keyword:
            self._relist(replace(self._query, keyword=keyword))

    def action_escape(self) -> None:
        """Leave the filter (clearing it) or the path bar; elsewhere, clear all marks."""
        where = getattr(self.screen.focused, "id", None)
        if where == "path-filter":
            self._hide_filter()
            if self._query.keyword:
                self._relist(replace(self._query, keyword=None))
        elif where == "path-bar":
            self._set_bar(self._query.path, None)
        else:
            return self.clear_marks()
        self._table.focus()

    def _targets(self, verb: str) -> list[str]:
        """Marked paths, or the cursor row when nothing is marked (never ``..``)."""
        paths = self.marked_paths or ([self.cursor_path] if self.cursor_path else [])
        if not paths:
            self.notify(f"Nothing to {verb}: mark paths with space first.", severity="warning")
        return paths

    def action_delete(self) -> None:
        """Ask the screen to delete the marked paths (or the cursor row)."""
        if paths := self._targets("delete"):
            self.post_message(DeleteRequested(paths))

    def action_copy_marked(self) -> None:
        """Ask the screen to copy the marked paths (it asks for the target)."""
        if paths := self._targets("copy"):
            self.post_message(TransferRequested(Operation.COPY, paths))

    def action_move_marked(self) -> None:
        """Ask the screen to move the marked paths (it asks for the target)."""
        if paths := self._targets("move"):
            self.post_message(TransferRequested(Operation.MOVE, paths))

    def action_yank_path(self) -> None:
        """Copy the cursor row's path (``..``: the parent folder) to the clipboard."""
        key = self._cursor_key()
        path = posixpath.dirname(self._query.path) if key == PARENT_KEY else self.cursor_path
        if path is not None:
            self.post_message(CopyText(path, "path"))
