"""A pane's own header lines folded into its border where rows are short.

``ui.layout`` decides (and sets the ``-folded`` class on both panes); each pane hands its
info line here whenever it redraws it, so the border always says what the line would.
"""

from __future__ import annotations

from textual.widget import Widget

from efile_tui import glyphs

FOLDED = "-folded"  # the class of a pane whose header lines are in its border


def fold_into_border(pane: Widget, info: str, title: str, where: str = "") -> None:
    """Show ``info`` in ``pane``'s bottom border while it is folded (and ``where``, the
    folder a path pane shows, after its ``title``); the plain title otherwise."""
    folded = pane.has_class(FOLDED)
    sep = glyphs.current().sep
    pane.border_title = f"{title} {sep} {where}" if folded and where else title
    pane.border_subtitle = info if folded else ""
