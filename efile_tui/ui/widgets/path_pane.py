"""The path pane: browse remote folders page by page and mark paths for an action.

The pane never talks to the service: it posts :class:`PageWanted`, the screen answers with
:meth:`PathPane.show_page` / :meth:`PathPane.show_error`, and only the answer to the newest
request counts (answers for a folder the user has left are dropped).

The listing's window and its requests are a UI-free model (``core.paging.Paging``); the
pane turns keys and scrolling into its requests and renders its rows. ``Home`` and ``End``
fetch the folder's first and last page directly. The view and the cursor move with their
rows when a page joins the window above them: nothing on screen jumps.

Navigation is tentative: the old folder stays on screen until the new one's first page
arrives, so a failed jump leaves the user where they were. The pane is composed of its
path bar (``path_bar.PathBar``), its table (``path_table.PathTable``) and its marks with the
actions on the marked paths (``path_marks.PathMarks``, an object the pane owns and that
redraws the info line through the pane's ``update_info``).
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import replace
from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Static

from efile_tui import glyphs
from efile_tui.api.models import DirPage
from efile_tui.core.paging import (
    EARLIER_KEY,
    PARENT_KEY,
    PageRequest,
    Paging,
    Query,
    count_text,
)
from efile_tui.core.text import clean
from efile_tui.core.validate import normalise_path
from efile_tui.i18n import N_, _
from efile_tui.ui.format import error_text
from efile_tui.ui.messages import (
    MarksCleared,
    PageWanted,
)
from efile_tui.ui.widgets.fields import FIELD_KEYS, field_has_focus, keep_typeahead, opened_field
from efile_tui.ui.widgets.folding import fold_into_border
from efile_tui.ui.widgets.path_bar import PathBar
from efile_tui.ui.widgets.path_marks import PathMarks
from efile_tui.ui.widgets.path_table import PathTable, cell_map, columns, earlier_map
from efile_tui.ui.widgets.vtable import Cell, VirtualTable

NARROW_BELOW = 60  # pane width under which type and modified are hidden
SORTS = ("name", "size", "lastModifiedTime")
SORT_LABELS = {"name": N_("name"), "size": N_("size"), "lastModifiedTime": N_("time")}
# Biggest and newest first is what an operator looking for space wants.
DEFAULT_ORDER = {"name": "asc", "size": "desc", "lastModifiedTime": "desc"}


class PathPane(Vertical):
    """Folder browser with lazy paging, server-side sort/filter and persistent marks."""

    DEFAULT_CSS = """
    PathPane { height: 1fr; }
    PathPane > #path-info { color: $text-muted; padding: 0 1; height: auto; max-height: 2; }
    PathPane > #path-info.-error { color: $text-error; }
    PathPane.-folded > #path-info { display: none; }
    PathPane > #path-filter { border: none; height: 1; padding: 0 1; display: none; }
    PathPane > #path-table { height: 1fr; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("backspace", "up", N_("Up"), id="path.up"),
        Binding("space", "toggle_mark", N_("Mark"), id="path.mark"),
        Binding("shift+down", "extend_mark(1)", N_("Mark down"), show=False, id="path.mark_down"),
        Binding("shift+up", "extend_mark(-1)", N_("Mark up"), show=False, id="path.mark_up"),
        Binding("v", "mark_range", N_("Mark range"), show=False, id="path.mark_range"),
        Binding("a", "mark_all", N_("Mark all"), show=False, id="path.mark_all"),
        Binding("i", "invert_marks", N_("Invert marks"), show=False, id="path.invert"),
        Binding("escape,u", "escape", N_("Clear marks"), show=False, id="path.clear"),
        Binding("s", "cycle_sort", N_("Sort"), id="path.sort"),
        Binding("S", "reverse_sort", N_("Reverse sort"), show=False, id="path.reverse"),
        Binding("slash", "filter", N_("Filter"), id="path.filter"),
        Binding("g,ctrl+l", "focus_path_bar", N_("Go to"), id="path.goto"),
        Binding("d", "delete", N_("Delete"), id="path.delete"),
        Binding("C", "copy_marked", N_("Copy…"), id="path.copy"),
        Binding("M", "move_marked", N_("Move…"), id="path.move"),
        Binding("y", "yank_path", N_("Copy path"), show=False, id="path.yank"),
        *FIELD_KEYS,
    ]

    def __init__(self, home: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.home = normalise_path(home or "/")
        self.paging = Paging(self.home)
        self.marking = PathMarks(
            self.paging,
            lambda: self.table,
            changed=self.update_info,
            post=self.post_message,
            warn=lambda text: self.notify(text, severity="warning"),
        )
        self.syncing = False  # the table is being updated: do not ask for pages
        self.list_error: str | None = None
        self.narrow = False

    def compose(self) -> ComposeResult:
        """Path bar, its message line, the info row and the table (the filter input comes
        after the first frame: ``filter_field``)."""
        yield PathBar(self.home, current=lambda: self.paging.query.path, jump=self.jump)
        yield Static("", id="path-info", markup=False)
        yield PathTable(
            id="path-table",
            cells=self.row_cells,
            marked=self.marking.marks.__contains__,
            to_top=lambda: self.send(self.paging.to_top()),
            to_end=lambda: self.send(self.paging.to_end()),
        )

    def on_key(self, event: events.Key) -> None:
        """Keys typed right after ``/`` go into the field it opens (see keep_typeahead)."""
        keep_typeahead(
            self,
            event,
            {
                "slash": self.action_filter,
                "g": self.action_focus_path_bar,
                "ctrl+l": self.action_focus_path_bar,
            },
        )

    def on_mount(self) -> None:
        """Build the (empty) table and ask for the home folder once the first frame is up
        (the first request loads the HTTP machinery)."""
        self.rebuild_table(None, 0)
        self.watch(self.table, "scroll_y", self.maybe_load_more, init=False)
        self.call_after_refresh(self.send, self.paging.ask(PageRequest(self.paging.query)))

    @property
    def current_path(self) -> str:
        """The folder whose entries the table shows."""
        return self.paging.query.path

    @property
    def table(self) -> PathTable:
        """The listing."""
        return self.query_one("#path-table", PathTable)

    @property
    def bar(self) -> PathBar:
        """The path bar."""
        return self.query_one(PathBar)

    def focus_table(self) -> None:
        """Move focus to the listing."""
        self.table.focus()

    def navigate(self, path: str, *, select: str | None = None) -> None:
        """Open ``path`` (absolute); the table changes when its first page arrives."""
        self.open(normalise_path(path), select=select)

    def refresh_folder(self) -> None:
        """Reload the current folder (after a delete), keeping the cursor where it can."""
        table = self.table
        self.send(self.paging.reload(table.cursor_key, table.cursor_row))

    # -- pages ---------------------------------------------------------------------------

    def show_page(self, request_id: int, page: DirPage) -> bool:
        """Take the answer to a PageWanted; False (and ignored) when it is stale."""
        paging, table = self.paging, self.table
        if (request := paging.take(request_id)) is None:
            return False
        self.list_error = None
        done = paging.accept(
            request,
            page.entries,
            page.total,
            at=table.focus_rows(),
            cursor=lambda: (table.cursor_key, table.cursor_row),
        )
        if done.again is not None:
            self.send(done.again)
            return True
        self.marking.refresh_entries(done.fresh)
        if request.replace:
            select = request.select
            if request.at_end and paging.entries:
                select = paging.entries[-1].path
            self.rebuild_table(select, request.keep_row)
            bar = self.bar
            if request.from_bar or not bar.field.has_focus:  # never overwrite what is typed
                bar.show(paging.query.path, None)
            if request.from_bar:
                table.focus()
        else:
            self.syncing = True  # the scroll and cursor moves below must not ask for pages
            try:
                table.set_rows(paging.row_keys(), shift=done.shift)
            finally:
                self.syncing = False
        self.update_info()
        self.call_after_refresh(self.maybe_load_more)
        return True

    def show_error(self, request_id: int, error: BaseException) -> bool:
        """Take a failed PageWanted; keeps what is shown. False when stale."""
        if (request := self.paging.take(request_id)) is None:
            return False
        problem = error_text(error)
        if request.from_bar:
            self.bar.show(None, problem)  # shown once: under the path bar
        else:
            self.list_error = problem
        self.update_info()
        return True

    def send(self, want: PageRequest | None) -> bool:
        """Post a PageWanted for a request of the model (True when there was one)."""
        if want is None:
            return False
        q = want.query
        self.post_message(
            PageWanted(
                want.request_id, q.path, want.start, want.limit, q.order_by, q.order, q.keyword
            )
        )
        self.update_info()
        return True

    def open(self, path: str, *, select: str | None = None, from_bar: bool = False) -> None:
        """Ask for a folder's first page (same sort, no filter)."""
        self.hide_filter()
        query = replace(self.paging.query, path=path, keyword=None)
        self.send(self.paging.ask(PageRequest(query, select=select, from_bar=from_bar)))

    def relist(self, query: Query) -> None:
        """Same folder, new sort or filter: start again from the first page."""
        self.send(self.paging.ask(PageRequest(query, select=self.table.cursor_key)))

    def maybe_load_more(self) -> None:
        """Request the page after (or before) the window when the user nears its end."""
        if not self.syncing:
            table = self.table
            self.send(self.paging.more(*table.focus_rows(), table.row_count))

    def on_virtual_table_row_highlighted(self, event: VirtualTable.RowHighlighted) -> None:
        """Cursor moved: maybe fetch the next page."""
        event.stop()
        self.maybe_load_more()

    def on_virtual_table_row_selected(self, event: VirtualTable.RowSelected) -> None:
        """Enter (or a click on the cursor row) opens a folder."""
        event.stop()
        self.action_open()

    # -- rows ------------------------------------------------------------------------------

    def row_cells(self, key: str) -> Sequence[Cell]:
        """The cells of the row with this key, in column order."""
        if key == PARENT_KEY:
            values = cell_map(None, False)
        elif key == EARLIER_KEY:
            values = earlier_map(self.paging.start)
        else:
            entry = self.paging.entry(key)
            values = cell_map(entry, key in self.marking.marks) if entry else {}
        return [values.get(c.key, ("", "")) for c in self.table.table_columns]

    def rebuild_table(self, select: str | None, keep_row: int) -> None:
        """Replace the table's rows (new folder, sort, filter or column set)."""
        table, keys = self.table, self.paging.row_keys()
        self.syncing = True  # an emptied table scrolled to the top wants no pages
        try:
            table.show_columns(columns(self.narrow))
            table.scroll_to(y=0, animate=False, immediate=True)
            table.cursor_row = 0
            table.set_rows(keys)
        finally:
            self.syncing = False
        row = keys.index(select) if select in keys else min(keep_row, max(0, len(keys) - 1))
        table.move_cursor(row)

    def on_resize(self, event: events.Resize) -> None:
        """Hide type/modified below NARROW_BELOW columns; refit the name column."""
        self.narrow = event.size.width < NARROW_BELOW
        self.table.show_columns(columns(self.narrow))
        self.update_info()

    def update_info(self) -> None:
        """Redraw the info line: folder, how much is loaded, sort, filter, marks, errors."""
        paging = self.paging
        q = paging.query
        parts = [] if self.narrow else [posixpath.basename(q.path) or "/"]
        parts.append(count_text(paging.start, len(paging.entries), paging.total))
        g = glyphs.current()
        arrow = g.up if q.order == "asc" else g.down
        parts.append(_("sort: {key} {arrow}").format(key=_(SORT_LABELS[q.order_by]), arrow=arrow))
        if q.keyword:
            parts.append(_("filter: “{text}”").format(text=q.keyword))
        if marked := self.marking.summary():
            parts.append(marked)
        if paging.pending is not None:
            going = paging.pending.query.path
            dots = g.ellipsis
            opening = _("opening {path}").format(path=going)
            parts.append((_("loading") if going == q.path else opening) + dots)
        if self.list_error:
            parts.append(f"{g.warn} {self.list_error}")
        info = self.query_one("#path-info", Static)
        info.update(text := clean(f" {g.sep} ".join(parts)))
        info.set_class(bool(self.list_error), "-error")
        fold_into_border(self, text, _("Paths"), clean(q.path))

    def action_open(self) -> None:
        """Open the folder under the cursor (``..`` goes up; files do nothing)."""
        if self.table.cursor_key == PARENT_KEY:
            return self.action_up()
        entry = self.paging.entry_at(self.table.cursor_row)
        if entry is not None and entry.is_dir:
            self.open(normalise_path(entry.path))

    def action_up(self) -> None:
        """Go to the parent folder, with the cursor on the folder we came from."""
        path = self.paging.query.path
        if path != "/":
            self.open(posixpath.dirname(path), select=path)

    def action_cycle_sort(self) -> None:
        """Sort by name → size → time (server-side), each with its natural order."""
        nxt = SORTS[(SORTS.index(self.paging.query.order_by) + 1) % len(SORTS)]
        self.relist(replace(self.paging.query, order_by=nxt, order=DEFAULT_ORDER[nxt]))

    def action_reverse_sort(self) -> None:
        """Reverse the current sort order."""
        order = "desc" if self.paging.query.order == "asc" else "asc"
        self.relist(replace(self.paging.query, order=order))

    def filter_field(self) -> Input:
        """The keyword input (hidden until ``/``), made after the first frame."""
        return opened_field(
            self, "path-filter", _("keyword (Enter applies, Esc clears)"), self.table
        )

    def action_filter(self) -> None:
        """Show the keyword input (server-side filter on this folder)."""
        field = self.filter_field()
        field.value = self.paging.query.keyword or ""
        field.display = True
        self.screen.set_focus(field)

    def hide_filter(self) -> None:
        self.filter_field().display = False

    def action_focus_path_bar(self) -> None:
        """Focus the path bar with its text selected, ready to type a path."""
        self.bar.focus_for_typing()

    def jump(self, path: str) -> None:
        """Open a path typed into the path bar (valid and normalised)."""
        self.open(path, from_bar=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        focused = self.screen.focused
        if action == "field_enter":  # the path bar's Enter stays its own (see _jump)
            return field_has_focus(self) and focused is not None and focused.id == "path-filter"
        if action == "field_escape":
            return field_has_focus(self)
        return True

    def action_field_enter(self) -> None:
        """Enter in the filter box: list the folder with that keyword."""
        keyword = self.query_one("#path-filter", Input).value.strip() or None
        self.hide_filter()
        self.screen.set_focus(self.table)
        if keyword != self.paging.query.keyword:
            self.relist(replace(self.paging.query, keyword=keyword))

    @on(Input.Submitted, "#path-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        # Enter normally arrives through the priority binding; this is for one that came
        # queued behind the ``/`` that opened the box.
        event.stop()
        self.action_field_enter()

    def action_field_escape(self) -> None:
        """Esc in the filter box or the path bar (see ``action_escape``)."""
        self.action_escape()

    def action_escape(self) -> None:
        """Leave the filter (clearing it) or the path bar; elsewhere, clear all marks."""
        focused = self.screen.focused
        where = focused.id if focused is not None else None
        if where == "path-filter":
            self.hide_filter()
            if self.paging.query.keyword:
                self.relist(replace(self.paging.query, keyword=None))
        elif where == "path-bar":
            self.bar.show(self.paging.query.path, None)
        elif self.list_error or self.bar.has_problem:
            self.list_error = None  # first Esc: the error goes
            self.bar.show(None, None)
            self.update_info()
        elif self.marking.marks:
            cleared = dict(self.marking.marks)
            self.marking.clear_marks()
            self.post_message(MarksCleared(cleared))
        self.screen.set_focus(self.table)

    # -- the marks' keys (see PathMarks) ---------------------------------------------------

    def action_toggle_mark(self) -> None:
        """Toggle the mark on the cursor row and move down."""
        self.marking.toggle_mark()

    def action_extend_mark(self, step: int) -> None:
        """Mark the cursor row, move ``step`` rows and mark that one too."""
        self.marking.extend_mark(step)

    def action_mark_range(self) -> None:
        """Mark every row between the last marked row and the cursor."""
        self.marking.mark_range()

    def action_mark_all(self) -> None:
        """Mark every loaded entry of this folder."""
        self.marking.mark_all()

    def action_invert_marks(self) -> None:
        """Invert the marks of the loaded entries of this folder."""
        self.marking.invert_marks()

    def action_delete(self) -> None:
        """Ask the screen to delete the marked paths (or the cursor row)."""
        self.marking.delete()

    def action_copy_marked(self) -> None:
        """Ask the screen to copy the marked paths."""
        self.marking.copy_marked()

    def action_move_marked(self) -> None:
        """Ask the screen to move the marked paths."""
        self.marking.move_marked()

    def action_yank_path(self) -> None:
        """Copy the cursor row's path to the clipboard."""
        self.marking.yank_path()
