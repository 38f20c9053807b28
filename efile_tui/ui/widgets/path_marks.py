"""The path pane's marks, and the actions on the marked paths.

Marks are absolute paths, each with the entry last seen for it, kept across navigation,
sorting, filtering and the listing's window dropping their rows. Delete, copy, move and
"copy path" act on the marked paths (or the cursor row when nothing is marked) by posting
a message to the screen; nothing here talks to the service.

``PathMarks`` is owned by the pane: it reads the pane's listing (its ``Paging`` and its
table) and tells the pane through callbacks when the info line needs redrawing, when a
message is to be posted and when a warning is to be shown.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable

from textual.message import Message

from efile_tui.api.models import FileEntry, Operation
from efile_tui.core import words
from efile_tui.core.paging import EARLIER_KEY, PARENT_KEY, Paging
from efile_tui.i18n import _
from efile_tui.ui.messages import CopyText, DeleteRequested, TransferRequested
from efile_tui.ui.widgets.path_table import PathTable


class PathMarks:
    """Which paths are marked, and what is done to them."""

    def __init__(
        self,
        paging: Paging,
        table: Callable[[], PathTable],
        *,
        changed: Callable[[], None],
        post: Callable[[Message], object],
        warn: Callable[[str], object],
    ) -> None:
        self.paging = paging  # the listing's window
        self.table_of = table
        self.changed = changed  # redraws the pane's info line (marks change its count)
        self.post = post
        self.warn = warn
        self.marks: dict[str, FileEntry] = {}
        self.mark_anchor: str | None = None

    @property
    def table(self) -> PathTable:
        """The listing."""
        return self.table_of()

    @property
    def marked_paths(self) -> list[str]:
        """Every marked path, in every folder, sorted."""
        return sorted(self.marks)

    @property
    def cursor_path(self) -> str | None:
        """Path of the row under the cursor (None on ``..`` or an empty folder)."""
        key = self.table.cursor_key
        return None if key in (None, PARENT_KEY, EARLIER_KEY) else key

    def summary(self) -> str | None:
        """The info line's part on marks (``3 marked (1 in other folders)``); None if none."""
        if not self.marks:
            return None
        here = [p for p in self.marks if posixpath.dirname(p) == self.paging.query.path]
        counts = (len(self.marks) - len(here), sum(p not in self.paging.index for p in here))
        labels = (_("{n} in other folders"), _("{n} not shown"))
        extra = [w.format(n=n) for n, w in zip(counts, labels, strict=True) if n]
        more = f" ({', '.join(extra)})" if extra else ""
        return _("{n} marked").format(n=len(self.marks)) + more

    def known_entry(self, path: str) -> FileEntry | None:
        """The last-seen entry for a marked or loaded path (for sizes and types)."""
        return self.marks.get(path) or self.paging.entry(path)

    def known_dirs(self, paths: Iterable[str]) -> dict[str, bool]:
        """Folder-or-not for each path the pane has seen (for the delete preview)."""
        found = ((p, self.known_entry(p)) for p in paths)
        return {p: e.is_dir and not e.is_symlink for p, e in found if e is not None}

    def known_sizes(self, paths: Iterable[str]) -> dict[str, int]:
        """Size of each path the pane has seen (files; folders report 0)."""
        found = ((p, self.known_entry(p)) for p in paths)
        return {p: e.size or 0 for p, e in found if e is not None}

    def refresh_entries(self, entries: Iterable[FileEntry]) -> None:
        """Keep the freshest size and type of the marked paths among these entries."""
        for entry in entries:
            if entry.path in self.marks:
                self.marks[entry.path] = entry

    def clear_marks(self) -> None:
        """Unmark everything, in every folder."""
        self.unmark(list(self.marks))

    def restore_marks(self, marks: dict[str, FileEntry]) -> None:
        """Mark these paths again (undo of a clear)."""
        self.marks.update(marks)
        self.table.refresh_rows(list(marks))
        self.changed()

    def unmark(self, paths: Iterable[str]) -> None:
        """Unmark these paths (e.g. after they were submitted for deletion)."""
        gone = [p for p in paths if self.marks.pop(p, None) is not None]
        self.table.refresh_rows(gone)
        self.mark_anchor = None
        self.changed()

    def set_mark(self, path: str, entry: FileEntry | None) -> None:
        """Mark (entry given) or unmark (None) one path and redraw its row if shown."""
        if entry is None:
            if self.marks.pop(path, None) is None:
                return
        else:
            self.marks[path], self.mark_anchor = entry, path
        self.table.refresh_rows([path])

    def mark_rows(self, rows: Iterable[int], mark: bool | None) -> None:
        """Mark (True), unmark (False) or toggle (None) the entries on these rows."""
        for row in rows:
            if (entry := self.paging.entry_at(row)) is not None:
                on = (entry.path not in self.marks) if mark is None else mark
                self.set_mark(entry.path, entry if on else None)
        self.changed()

    def toggle_mark(self) -> None:
        """Toggle the mark on the cursor row and move down."""
        table = self.table
        self.mark_rows([table.cursor_row], None)
        table.action_cursor_down()

    def extend_mark(self, step: int) -> None:
        """Mark the cursor row, move ``step`` rows and mark that one too (shift+arrows)."""
        table = self.table
        self.mark_rows([table.cursor_row], True)
        table.move_cursor(row=table.cursor_row + step)
        self.mark_rows([table.cursor_row], True)

    def mark_range(self) -> None:
        """Mark every row between the last marked row and the cursor."""
        row = self.table.cursor_row
        keys = self.paging.row_keys()
        start = keys.index(self.mark_anchor) if self.mark_anchor in keys else row
        self.mark_rows(range(min(start, row), max(start, row) + 1), True)
        self.mark_anchor = self.cursor_path

    def mark_all(self) -> None:
        """Mark every loaded entry of this folder."""
        self.mark_rows(range(self.table.row_count), True)
        if self.paging.total is not None and len(self.paging.entries) < self.paging.total:
            self.warn(
                _("Marked the {n} loaded entries of {total}; scroll to load more.").format(
                    n=f"{len(self.paging.entries):,}", total=f"{self.paging.total:,}"
                )
            )

    def invert_marks(self) -> None:
        """Invert the marks of the loaded entries of this folder."""
        self.mark_rows(range(self.table.row_count), None)

    def targets(self, verb: str) -> list[str]:
        """Marked paths, or the cursor row when nothing is marked (never ``..``)."""
        paths = self.marked_paths or ([self.cursor_path] if self.cursor_path else [])
        if not paths:
            self.warn(
                _("Nothing to {verb}: mark paths with space first.").format(
                    verb=words.operation(verb)
                )
            )
        return paths

    def delete(self) -> None:
        """Ask the screen to delete the marked paths (or the cursor row)."""
        if paths := self.targets("delete"):
            self.post(DeleteRequested(paths))

    def copy_marked(self) -> None:
        """Ask the screen to copy the marked paths (it asks for the target)."""
        if paths := self.targets("copy"):
            self.post(TransferRequested(Operation.COPY, paths))

    def move_marked(self) -> None:
        """Ask the screen to move the marked paths (it asks for the target)."""
        if paths := self.targets("move"):
            self.post(TransferRequested(Operation.MOVE, paths))

    def yank_path(self) -> None:
        """Copy the cursor row's path (``..``: the parent folder) to the clipboard."""
        key = self.table.cursor_key
        path = posixpath.dirname(self.paging.query.path) if key == PARENT_KEY else self.cursor_path
        if path is not None:
            self.post(CopyText(path, "path"))
