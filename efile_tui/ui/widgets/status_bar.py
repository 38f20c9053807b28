"""The header line: endpoint, poll interval, freshness and counts by status."""

from __future__ import annotations

import time
from collections import Counter

from textual.reactive import reactive
from textual.widgets import Static

from efile_tui.core import glyphs
from efile_tui.core.text import clean
from efile_tui.ui.format import ago

STALE_AMBER = 3.0  # missed intervals before "amber"
STALE_RED = 10.0
COUNTS_PART = 2  # index of the counts among the header's parts


class StatusBar(Static):
    """``user@region · updated 3 s ago · ▶4 …2 ✓10 ✗1 ⊘0 · poll 2 s``.

    Parts that do not fit the width are left out whole (the counts one by one).

    The freshness part gets the class ``-amber`` after a few missed polls and ``-red``
    after many, so staleness is shown by colour and by the words "stale" / "STALE".
    """

    DEFAULT_CSS = """
    StatusBar {
        height: 1;
        background: $primary-background;
        color: $text;
        padding: 0 1;
    }
    StatusBar.-amber { background: $warning 40%; }
    StatusBar.-red { background: $error 50%; text-style: bold; }
    """

    endpoint: reactive[str] = reactive("")
    interval: reactive[float] = reactive(2.0)
    paused: reactive[bool] = reactive(False)
    last_ok: reactive[float | None] = reactive(None)
    error: reactive[str] = reactive("")
    counts: reactive[Counter[str]] = reactive(Counter)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self._now = time.monotonic

    def on_mount(self) -> None:
        self.set_interval(1.0, self._redraw)

    def watch_endpoint(self) -> None:
        self._redraw()

    def watch_interval(self) -> None:
        self._redraw()

    def watch_paused(self) -> None:
        self._redraw()

    def watch_last_ok(self) -> None:
        self._redraw()

    def watch_error(self) -> None:
        self._redraw()

    def watch_counts(self) -> None:
        self._redraw()

    @property
    def staleness(self) -> str:
        """ "", "amber" or "red": how far behind the data on screen is."""
        if self.paused or (self.last_ok is None and not self.error):
            return ""
        age = self._now() - self.last_ok if self.last_ok is not None else float("inf")
        if age > max(30.0, self.interval * STALE_RED):
            return "red"
        if age > max(8.0, self.interval * STALE_AMBER):
            return "amber"
        return ""

    def on_resize(self) -> None:
        self._redraw()

    def _redraw(self) -> None:
        g = glyphs.current()
        c = self.counts
        counts = [
            f"{g.of('processing')}{c.get('processing', 0)}",
            f"{g.of('waiting')}{c.get('waiting', 0)}",
            f"{g.of('complete')}{c.get('complete', 0)}",
            f"{g.of('fail')}{c.get('fail', 0) + c.get('rejected', 0)}",
            f"{g.of('cancel')}{c.get('cancel', 0)}",
        ]
        if c.get("outcome unknown"):
            counts.append(f"?{c['outcome unknown']}")
        if c.get("expired"):
            counts.append(f"{g.expired}{c['expired']}")
        if self.paused:
            fresh = "PAUSED"
        elif self.last_ok is None:
            fresh = "connecting" + g.ellipsis if not self.error else "no data yet"
        else:
            fresh = f"updated {ago(self._now() - self.last_ok)}"
        stale = self.staleness
        if stale == "amber":
            fresh += " (stale)"
        elif stale == "red":
            fresh += " (STALE)"
        if self.error and not self.paused:
            fresh += f" {g.dash} {clean(self.error)}"
        self.set_class(stale == "amber", "-amber")
        self.set_class(stale == "red", "-red")
        sep = f" {g.sep} "
        parts = [clean(self.endpoint), fresh, " ".join(counts), f"poll {self.interval:g} s"]
        text = fit_parts(parts, sep, max(1, self.size.width - 2))
        if text != self.content:  # one fixed-height line: no re-layout of the screen needed
            self.update(text, layout=False)


def fit_parts(parts: list[str], sep: str, width: int) -> str:
    """Join whole parts while they fit, leaving out a part that does not; the counts (the
    part with the symbols, third) may end early, between two counts. Never cuts a word."""
    out = ""
    for i, part in enumerate(parts):
        words = part.split(" ") if i == COUNTS_PART else [part]
        for j, word in enumerate(words):
            trial = out + ((sep if out else "") if j == 0 else " ") + word
            if len(trial) > width:
                break
            out = trial
    return out
