"""The task side of the main screen: info line, filter input and the task table."""

from __future__ import annotations

from dataclasses import replace

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from efile_tui import glyphs
from efile_tui.core.query import OPERATIONS, TaskQuery, parse_status
from efile_tui.core.query_text import SYNTAX, parse_query, query_text
from efile_tui.core.taskview import TaskView
from efile_tui.core.text import clean
from efile_tui.core.validate import InputError
from efile_tui.i18n import N_, _
from efile_tui.ui.widgets.fields import FIELD_KEYS, field_has_focus, keep_typeahead, opened_field
from efile_tui.ui.widgets.folding import fold_into_border
from efile_tui.ui.widgets.task_table import TaskTable

# The `f` key's steps, in the command line's --status names: all, running, needs a look
# (fail, rejected, outcome unknown), complete, cancel.
STATUS_CYCLE: list[frozenset[str]] = [
    frozenset(),
    *(
        frozenset().union(*map(parse_status, names.split(",")))
        for names in ("running", "fail,rejected,unknown", "complete", "cancel")
    ),
]
OPERATION_CYCLE: list[frozenset[str]] = [frozenset(), *(frozenset({op}) for op in OPERATIONS)]


class TaskPane(Vertical):
    """Hosts the task table with its filter and the "N marked (M hidden)" line."""

    DEFAULT_CSS = """
    TaskPane { height: 1fr; }
    TaskPane #task-info { height: 1; color: $text-muted; padding: 0 1; }
    TaskPane.-folded #task-info { display: none; }
    TaskPane #task-filter { border: none; height: 1; padding: 0 1; display: none; }
    TaskPane.-filtering #task-filter { display: block; }
    TaskPane TaskTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("slash", "filter", N_("Filter")),
        Binding("f", "cycle_status", N_("Status filter")),
        Binding("o", "cycle_operation", N_("Op filter"), show=False),
        Binding("escape", "clear_filter", N_("Clear filter"), show=False),
        *FIELD_KEYS,
    ]

    def __init__(self, view: TaskView, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view = view
        self.filter_problem = ""  # why the text in the filter box is not a query

    def compose(self) -> ComposeResult:
        yield Static("", id="task-info", markup=False)
        yield TaskTable(self.view, id="task-table")

    @property
    def table(self) -> TaskTable:
        """The task table."""
        return self.query_one(TaskTable)

    def on_key(self, event: events.Key) -> None:
        """Keys typed right after ``/`` go into the field it opens (see keep_typeahead)."""
        keep_typeahead(self, event, {"slash": self.action_filter})

    def on_mount(self) -> None:
        self.update_info()

    def update_info(self) -> None:
        """Redraw the info line from the view."""
        visible = self.table.row_keys
        hidden = self.view.hidden_marked(visible)
        marked = len(self.view.marks)
        parts = [
            _("{n} of {total} tasks").format(
                n=f"{len(visible):,}", total=f"{len(self.view.rows):,}"
            )
        ]
        if self.view.loading or not self.view.order_ready():
            parts.append(_("loading…"))
        if marked:
            more = _(" ({n} hidden by filter)").format(n=hidden) if hidden else ""
            parts.append(_("{n} marked").format(n=marked) + more)
        g = glyphs.current()
        arrow = g.down if self.view.reverse else g.up
        parts.append(_("sort: {key} {arrow}").format(key=_(self.view.sort_key), arrow=arrow))
        if self.view.filter.active:
            parts.append(_("filter: {query}").format(query=self.view.filter.describe()))
        if self.filter_problem:
            parts.append(_("not a filter: {problem}").format(problem=self.filter_problem))
        text = clean(f" {g.sep} ".join(parts))
        info = self.query_one("#task-info", Static)
        if text != info.content:  # one fixed-height line: no re-layout of the screen needed
            info.update(text, layout=False)
        fold_into_border(self, text, _("Tasks"))

    def on_task_table_changed(self) -> None:
        self.update_info()

    def action_filter(self) -> None:
        """Show the filter box, holding the current filter as query text."""
        self.add_class("-filtering")
        box = self.filter_box()
        box.value = query_text(self.view.filter)
        self.screen.set_focus(box)

    def filter_box(self) -> Input:
        """The filter input (hidden until ``/``), made after the first frame."""
        hint = _("filter: {syntax}; enter applies, esc clears").format(syntax=SYNTAX)
        return opened_field(self, "task-filter", hint, before=self.table)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "task-filter":
            return
        try:
            query = parse_query(event.value)
        except InputError as exc:
            # Half-typed (status:runn): the last good filter stays while the reason shows.
            self.filter_problem = exc.problems[0].removeprefix("--")
            self.update_info()
            return
        self.filter_problem = ""
        self.set_filter(query)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("field_enter", "field_escape"):
            return field_has_focus(self)
        return True

    def on_input_submitted(self, event: Input.Submitted) -> None:
        # Enter normally arrives through the priority binding; this is for one that came
        # queued behind the ``/`` that opened the box.
        if event.input.id == "task-filter":
            self.action_field_enter()

    def action_field_enter(self) -> None:
        """Close the filter box, keeping its filter (applied as it was typed)."""
        self.remove_class("-filtering")
        self.screen.set_focus(self.table)

    def action_field_escape(self) -> None:
        """Close the filter box and clear the filter."""
        self.action_clear_filter()

    def action_clear_filter(self) -> None:
        """Show every task again (from the filter box, or after it was closed); marks stay."""
        self.filter_problem = ""
        self.set_filter(TaskQuery())
        if self.has_class("-filtering"):
            self.remove_class("-filtering")
            self.screen.set_focus(self.table)

    def action_cycle_status(self) -> None:
        """Cycle the status filter: all → running → fail/rejected/unknown → complete →
        cancel."""
        current = self.view.filter.statuses
        i = STATUS_CYCLE.index(current) if current in STATUS_CYCLE else 0
        self.set_filter(
            replace(self.view.filter, statuses=STATUS_CYCLE[(i + 1) % len(STATUS_CYCLE)])
        )

    def action_cycle_operation(self) -> None:
        """Cycle the operation filter: all → delete → copy → move."""
        cycle = OPERATION_CYCLE
        current = self.view.filter.operations
        i = cycle.index(current) if current in cycle else 0
        self.set_filter(replace(self.view.filter, operations=cycle[(i + 1) % len(cycle)]))

    def set_filter(self, query: TaskQuery) -> None:
        """Show the tasks ``query`` matches; marks stay (hidden marked rows are counted)."""
        if query != self.view.filter:
            self.view.filter = query
            self.table.sync()
        self.update_info()
