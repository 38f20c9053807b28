"""The header line: staleness in words, endpoint, freshness, counts by status, interval."""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from efile_tui import glyphs
from efile_tui.core.freshness import stale_level, stale_marker
from efile_tui.core.text import clean
from efile_tui.i18n import N_, _
from efile_tui.ui.format import ago

STALE_NOTE = N_(
    "The task table shows the last answer ({ago}); polling goes on and the header says "
    "when the data is fresh again."
)


class StatusBar(Widget):
    """``STALE: refused · user@region · updated 3 s ago · ▶4 …2 ✓10 ✗1 ⊘0 · poll 2 s``.

    Parts that do not fit the width are left out whole, the least needed first: the poll
    interval, the counts of ended tasks (done, cancelled, expired), the endpoint, the last
    error's details, the counts that need a look (running, waiting, failed, outcome
    unknown, vanished) and the age; the stale marker with its reason (and PAUSED) stays at
    every width. The marker is words, so staleness shows without colour (``NO_COLOR``);
    the bar also gets the class ``-amber`` after a few missed polls and ``-red`` after
    many. The first stale period of a session is also told as a notification (kept in
    ``N``).
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
    reason: reactive[str] = reactive("")  # the last failed poll's cause in a few words
    retry_at: reactive[float | None] = reactive(None)  # when the failed poll is retried
    counts: reactive[Counter[str]] = reactive(Counter)

    def __init__(self, *, id: str | None = None, endpoint: str = "", interval: float = 2.0) -> None:
        super().__init__(id=id)
        self.set_reactive(StatusBar.endpoint, endpoint)
        self.set_reactive(StatusBar.interval, interval)
        self._now = time.monotonic
        self.stale_told = False  # the first stale period has been notified
        self._started = self._now()  # before the first answer, staleness counts from here

    def on_mount(self) -> None:
        self._redraw()  # the first frame shows the line
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

    def watch_reason(self) -> None:
        self._redraw()

    def watch_counts(self) -> None:
        self._redraw()

    @property
    def age(self) -> float | None:
        """Seconds since the last good poll (None: none yet)."""
        return None if self.last_ok is None else self._now() - self.last_ok

    @property
    def unanswered(self) -> float:
        """Seconds since the last good poll (or since the start, before the first)."""
        return self._now() - (self._started if self.last_ok is None else self.last_ok)

    @property
    def staleness(self) -> str:
        """ "", "amber" or "red": how far behind the data on screen is."""
        if self.paused:
            return ""
        age = None if self.last_ok is None and self.error else self.unanswered
        return stale_level(age, self.interval, failed=bool(self.error))

    @property
    def marker(self) -> str:
        """``STALE: refused`` while the data is stale, else ""."""
        return stale_marker(self.staleness, self.reason, self.unanswered)

    def on_resize(self) -> None:
        self._redraw()

    def watch_retry_at(self) -> None:
        self._redraw()

    def _error(self) -> str:
        """The last failed poll's problem, and when it is retried (counted down each
        second; "retrying" while the retry waits for its answer)."""
        if not self.error or self.paused:
            return ""
        problem = clean(self.error)
        if self.retry_at is None:
            return problem
        left = math.ceil(self.retry_at - self._now())
        if left > 0:
            return _("{problem}; retry in {seconds} s").format(problem=problem, seconds=left)
        return _("{problem}; retrying").format(problem=problem)

    def _redraw(self) -> None:
        """Restyle and repaint the line (its text is made by ``render``, for the width it
        has then), and tell the first stale period of the session."""
        stale = self.staleness
        self.set_class(stale == "amber", "-amber")
        self.set_class(stale == "red", "-red")
        self.refresh()
        marker = self.marker
        age = self.age
        if stale and not self.stale_told:
            self.stale_told = True
            self.app.notify(
                _(STALE_NOTE).format(
                    ago=_("updated {ago}").format(ago=ago(age))
                    if age is not None
                    else _("none yet")
                ),
                title=marker[:1].upper() + marker[1:],
                severity="warning",
                timeout=10,
            )

    def render(self) -> Content:
        """The line for the width the bar has (the whole screen's before its first
        layout), so the first frame already shows it."""
        g = glyphs.current()
        c = self.counts
        counts = [  # (text, priority): those that need a look outlast those of ended tasks
            (f"{g.of('processing')}{c.get('processing', 0)}", NEEDED),
            (f"{g.of('waiting')}{c.get('waiting', 0)}", NEEDED),
            (f"{g.of('complete')}{c.get('complete', 0)}", ENDED),
            (f"{g.of('fail')}{c.get('fail', 0) + c.get('rejected', 0)}", NEEDED),
            (f"{g.of('cancel')}{c.get('cancel', 0)}", ENDED),
        ]
        if c.get("outcome unknown"):
            counts.append((f"?{c['outcome unknown']}", NEEDED))
        if c.get("expired"):
            counts.append((f"{g.expired}{c['expired']}", ENDED))
        if c.get("vanished"):
            counts.append((f"{g.of('vanished')}{c['vanished']}", NEEDED))
        age = self.age
        if self.paused:
            fresh = _("PAUSED")
        elif age is None:
            fresh = _("connecting") + g.ellipsis if not self.error else _("no data yet")
        else:
            fresh = _("updated {ago}").format(ago=ago(age))
        sep = f" {g.sep} "
        parts = [
            Part(self.marker, KEEP),
            Part(clean(self.endpoint), 5),
            Part(fresh, KEEP if self.paused else 2),
            Part(self._error(), 4),
            Part(" ".join(t for t, _p in counts), NEEDED, words=tuple(p for _t, p in counts)),
            Part(_("poll {seconds} s").format(seconds=f"{self.interval:g}"), 7),
        ]
        width = self.content_size.width or self.app.size.width - self.styles.gutter.width
        return Content(fit_parts(parts, sep, max(1, width)))  # literal text, never markup


KEEP = 0  # the priority of parts that stay at every width
NEEDED = 3  # counts of tasks that need a look: running, waiting, failed, unknown, vanished
ENDED = 6  # counts of tasks that ended as asked: done, cancelled, expired


@dataclass(frozen=True)
class Part:
    """One part of the header: its text and how much it is needed (0 most). ``by_word``:
    it may lose words (the counts), the last first; ``words``: one priority per word
    instead, so words are left out by their own need (implies ``by_word``)."""

    text: str
    priority: int
    by_word: bool = False
    words: tuple[int, ...] = ()

    def units(self) -> list[tuple[float, str]]:
        """What may be left out on its own: (priority, text), in the order shown."""
        if not (self.by_word or self.words):
            return [(self.priority, self.text)]
        words = self.text.split(" ")
        if not self.words:  # the last word goes first
            return [(self.priority + n / (len(words) + 1), w) for n, w in enumerate(words)]
        return list(zip(self.words, words, strict=True))


def fit_parts(parts: Sequence[Part], sep: str, width: int) -> str:
    """The parts that fit ``width``, in their order; the least needed (highest priority
    number) are left out first, whole, except that a part's words may be left out one by
    one (see :class:`Part`). Never cuts a word; a part needed at every width is kept even
    if it alone is wider (the terminal crops it)."""
    shown = [p for p in parts if p.text]
    units = [
        (priority, i, j, text)
        for i, part in enumerate(shown)
        for j, (priority, text) in enumerate(part.units())
    ]
    kept: dict[tuple[int, int], str] = {}

    def line(trial: dict[tuple[int, int], str]) -> str:
        words: dict[int, list[str]] = {}
        for i, j in sorted(trial):
            words.setdefault(i, []).append(trial[i, j])
        return sep.join(" ".join(words[i]) for i in sorted(words))

    for priority, i, j, text in sorted(units, key=lambda u: u[:3]):
        trial = {**kept, (i, j): text}
        if priority == KEEP or cell_len(line(trial)) <= width:
            kept = trial
    return line(kept)
