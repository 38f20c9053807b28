"""Which tasks: the one filter model behind the CLI's flags and the TUI's filters.

A :class:`TaskQuery` holds every condition a user can set — statuses, operations, source
and target globs, a submit-time window, a label, the origin, "failed only" and free text —
and :meth:`TaskQuery.matches` tests a journal entry (or the plain :class:`TaskFacts` a table
row can give) against all of them. Conditions of different kinds must all hold; several
values of one kind (``--status waiting --status fail``) are alternatives.

Status names are the service's (``waiting``, ``processing``, ``complete``, ``fail``,
``cancel``) plus the journal's own: ``submitting`` (sent, no answer yet), ``unknown`` (the
answer was lost, or an imported id not yet seen), ``rejected`` (refused before a task
existed) and ``vanished`` (gone from the service before it was seen to end; ``expired``
is another name for it). Two groups:
``running`` = waiting + processing, ``final`` = complete + fail + cancel + rejected.

Globs follow the shell: ``*`` and ``?`` stay within one path component, ``**`` crosses
them, ``[...]`` is a class. A source or target glob matches a task whose path is the
match *or lies under it*, so ``/public/home/me/run-*`` selects everything inside the
``run-…`` folders too.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from fnmatch import translate
from typing import Protocol

from efile_tui.core.validate import InputError, shown, text_problem
from efile_tui.i18n import N_, Msg
from efile_tui.store.journal import (
    ORIGIN_IMPORTED,
    ORIGIN_SUBMITTED,
    JournalEntry,
)

TASK_STATUSES = ("waiting", "processing", "complete", "fail", "cancel")
JOURNAL_STATUSES = ("submitting", "unknown", "rejected", "vanished")
STATUS_GROUPS: dict[str, frozenset[str]] = {
    "running": frozenset({"waiting", "processing"}),
    "final": frozenset({"complete", "fail", "cancel", "rejected"}),
}
STATUS_ALIASES = {
    "canceled": "cancel",
    "cancelled": "cancel",
    "failed": "fail",
    "completed": "complete",
    "done": "complete",
    "outcome-unknown": "unknown",
    "outcome unknown": "unknown",
    "expired": "vanished",
    "gone": "vanished",
}
STATUS_NAMES = (*TASK_STATUSES, *JOURNAL_STATUSES, *STATUS_GROUPS)
OPERATIONS = ("delete", "copy", "move")
OPERATION_ALIASES = {"rm": "delete", "cp": "copy", "mv": "move", "remove": "delete"}
ORIGINS = (ORIGIN_SUBMITTED, ORIGIN_IMPORTED)
FAILED_STATES = frozenset({"fail", "rejected"})
MAX_LABEL = 200

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_RELATIVE = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhdw])(?:\s*ago)?$")


class Facts(Protocol):
    """What a query looks at: :class:`TaskFacts`, or a task table row.

    ``state`` uses the status names of this module (``unknown`` for an outcome unknown,
    ``vanished`` for a task gone from the service before it ended).
    """

    @property
    def state(self) -> str: ...
    @property
    def operation(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def target(self) -> str: ...
    @property
    def submitted(self) -> float: ...
    @property
    def label(self) -> str | None: ...
    @property
    def origin(self) -> str: ...
    @property
    def task_id(self) -> str | None: ...
    @property
    def error(self) -> str: ...


@dataclass(frozen=True)
class TaskFacts:
    """What a query looks at, as plain values taken from a journal entry (see :class:`Facts`)."""

    state: str
    operation: str
    source: str = ""
    target: str = ""
    submitted: float = 0.0
    label: str | None = None
    origin: str = ORIGIN_SUBMITTED
    task_id: str | None = None
    error: str = ""

    @classmethod
    def from_entry(cls, entry: JournalEntry) -> TaskFacts:
        """The facts of one journal entry."""
        return cls(
            state=entry_status(entry),
            operation=entry.operation.value,
            source=entry.source_path or "",
            target=entry.target_path or "",
            submitted=entry.submitted_at,
            label=entry.label,
            origin=entry.origin,
            task_id=entry.task_id,
            error=" ".join(x for x in (entry.error_code, entry.error_msg) if x),
        )


def entry_status(entry: JournalEntry) -> str:
    """The status name a query sees for a journal entry (see the module docstring)."""
    return entry.status


@dataclass(frozen=True)
class TaskQuery:
    """A set of conditions on tasks; the empty query matches everything."""

    statuses: frozenset[str] = frozenset()  # concrete names; groups already expanded
    operations: frozenset[str] = frozenset()
    sources: tuple[str, ...] = ()  # globs
    targets: tuple[str, ...] = ()
    since: float | None = None  # submitted at or after (epoch seconds)
    until: float | None = None  # submitted before
    labels: tuple[str, ...] = ()  # exact, or globs
    origin: str | None = None
    failed: bool = False
    text: str = ""
    # Compiled once per query, so that matching 100,000 rows stays cheap.
    # (Derived from the fields above, so not compared.)
    _source_re: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)
    _target_re: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)
    _label_re: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)
    _needle: str = field(default="", init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        derived = {
            "_source_re": _under_regex(self.sources),
            "_target_re": _under_regex(self.targets),
            "_label_re": re.compile("|".join(map(translate, self.labels))) if self.labels else None,
            "_needle": self.text.lower(),
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)

    @property
    def active(self) -> bool:
        """Any condition is set."""
        return bool(
            self.statuses
            or self.operations
            or self.sources
            or self.targets
            or self.since is not None
            or self.until is not None
            or self.labels
            or self.origin
            or self.failed
            or self.text
        )

    def matches(self, item: JournalEntry | Facts) -> bool:
        """True when ``item`` (a journal entry, or a table row) satisfies every condition."""
        facts = TaskFacts.from_entry(item) if isinstance(item, JournalEntry) else item
        if self.statuses and facts.state not in self.statuses:
            return False
        if self.failed and facts.state not in FAILED_STATES:
            return False
        if self.operations and facts.operation not in self.operations:
            return False
        if self.origin and facts.origin != self.origin:
            return False
        if self.since is not None and facts.submitted < self.since:
            return False
        if self.until is not None and facts.submitted >= self.until:
            return False
        if self._label_re is not None:
            label = facts.label
            if not label or not self._label_re.match(label):
                return False
        source_re, target_re = self._source_re, self._target_re
        if source_re is not None and not (facts.source and source_re.fullmatch(facts.source)):
            return False
        if target_re is not None and not (facts.target and target_re.fullmatch(facts.target)):
            return False
        if self._needle:
            hay = f"{facts.task_id or ''} {facts.source} {facts.target} {facts.label or ''}"
            return self._needle in f"{hay} {facts.error}".lower()
        return True

    def select(self, items: Iterable[JournalEntry]) -> list[JournalEntry]:
        """The entries that match, in the order given."""
        return [e for e in items if self.matches(e)] if self.active else list(items)

    def describe(self) -> str:
        """A short human summary (``status=running source=/a/*``); empty for no condition."""
        parts = []
        if self.statuses:
            parts.append("status=" + ",".join(group_names(self.statuses)))
        if self.failed:
            parts.append("failed")
        if self.operations:
            parts.append("op=" + ",".join(sorted(self.operations)))
        parts += [f"source={g}" for g in self.sources]
        parts += [f"target={g}" for g in self.targets]
        if self.since is not None:
            parts.append(f"since={_stamp(self.since)}")
        if self.until is not None:
            parts.append(f"until={_stamp(self.until)}")
        parts += [f"label={g}" for g in self.labels]
        if self.origin:
            parts.append(f"origin={self.origin}")
        if self.text:
            parts.append(f"text={self.text!r}")
        return " ".join(parts)

    @classmethod
    def from_options(
        cls,
        *,
        statuses: Sequence[str] = (),
        operations: Sequence[str] = (),
        sources: Sequence[str] = (),
        targets: Sequence[str] = (),
        since: str | None = None,
        until: str | None = None,
        labels: Sequence[str] = (),
        origin: str | None = None,
        failed: bool = False,
        text: str = "",
        now: float | None = None,
    ) -> TaskQuery:
        """Build a query from option texts (CLI flags, a TUI form), checking every one.

        Raises :class:`InputError` naming each bad value and the accepted ones.
        """
        problems: list[str] = []
        status_set: set[str] = set()
        for value in _split(statuses):
            try:
                status_set |= parse_status(value)
            except ValueError as exc:
                problems.append(exc.args[0])
        op_set: set[str] = set()
        for value in _split(operations):
            op = OPERATION_ALIASES.get(value.lower(), value.lower())
            if op in OPERATIONS:
                op_set.add(op)
            else:
                problems.append(
                    Msg(
                        N_("--op {value} is not an operation: use one of {names}"),
                        value=shown(value),
                        names=", ".join(OPERATIONS),
                    )
                )
        for what, values in (
            ("--source", sources),
            ("--target", targets),
            ("--label", labels),
            ("--text", [text] if text else []),
        ):
            problems += [p for v in values if (p := text_problem(v, what))]
        if origin is not None and origin not in ORIGINS:
            problems.append(
                Msg(
                    N_("--origin {value} is not an origin: use {first} or {second}"),
                    value=shown(origin),
                    first=ORIGINS[0],
                    second=ORIGINS[1],
                )
            )
        clock = time.time() if now is None else now
        times: dict[str, float | None] = {"since": None, "until": None}
        for name, when in (("since", since), ("until", until)):
            if when is not None:
                try:
                    times[name] = parse_time(when, now=clock)
                except ValueError as exc:
                    problems.append(Msg(N_("--{name}: {problem}"), name=name, problem=exc.args[0]))
        if problems:
            raise InputError(problems)
        return cls(
            statuses=frozenset(status_set),
            operations=frozenset(op_set),
            sources=tuple(_clean_glob(g) for g in sources),
            targets=tuple(_clean_glob(g) for g in targets),
            since=times["since"],
            until=times["until"],
            labels=tuple(labels),
            origin=origin,
            failed=failed,
            text=text,
        )


def label_problem(label: str, what: str = "--label") -> str | None:
    """Why ``label`` cannot be stored (blank, too long, control characters), or None."""
    if not label.strip():
        return Msg(N_("{what} is empty: give a short text such as run-42"), what=what)
    if len(label) > MAX_LABEL:
        return Msg(
            N_("{what} has {n} characters; at most {limit}: shorten it"),
            what=what,
            n=len(label),
            limit=MAX_LABEL,
        )
    return text_problem(label, what)


def parse_status(value: str) -> frozenset[str]:
    """The concrete statuses a name stands for (a group expands); ValueError if unknown."""
    name = value.strip().lower()
    name = STATUS_ALIASES.get(name, name)
    if name in STATUS_GROUPS:
        return STATUS_GROUPS[name]
    if name in TASK_STATUSES or name in JOURNAL_STATUSES:
        return frozenset({name})
    raise ValueError(
        Msg(
            N_("--status {value} is not a status: use one of {names}"),
            value=shown(value),
            names=", ".join(STATUS_NAMES),
        )
    )


def parse_time(text: str, *, now: float) -> float:
    """Epoch seconds for ``2h``/``3d``/``30m``/``1w``/``45s`` (that long before ``now``), an
    ISO date (``2026-12-01``, local midnight) or date and time (``2026-12-01T14:00``,
    ``2026-12-01 14:00:00``, with an optional UTC offset). ValueError says what is accepted."""
    value = text.strip().lower()
    match = _RELATIVE.match(value)
    if match:
        return now - float(match.group(1)) * _UNITS[match.group(2)]
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            Msg(
                N_(
                    "{text} is not a time: give a duration back from now (30m, 2h, 3d, 1w) "
                    "or a date/time (2026-12-01, 2026-12-01T14:00)"
                ),
                text=shown(text),
            )
        ) from None
    return moment.timestamp()  # a naive time is local time


def glob_regex(pattern: str) -> re.Pattern[str]:
    """A regex for a path glob: ``*``/``?`` within a component, ``**`` across them."""
    out = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = pattern.find("]", i + 2 if pattern[i + 1 : i + 2] in ("!", "]") else i + 1)
            if end < 0:
                out.append(re.escape(char))
            else:
                body = pattern[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body.replace(chr(92), chr(92) * 2)}]")
                i = end + 1
                continue
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out))


def _under_regex(globs: Sequence[str]) -> re.Pattern[str] | None:
    """One regex for "matches one of ``globs``, or lies under a folder that does" (None for
    no globs): compiled once per query, one test per path."""
    if not globs:
        return None
    either = "|".join(glob_regex(g).pattern for g in globs)
    return re.compile(f"(?:{either})(?:/.*)?", re.S)


def _clean_glob(pattern: str) -> str:
    """Drop a trailing slash (``/a/run-*/`` means the same folders as ``/a/run-*``)."""
    return pattern.rstrip("/") or "/"


def _split(values: Iterable[str]) -> list[str]:
    """Repeated and comma-separated values (``--status a,b --status c``), blanks dropped."""
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def group_names(statuses: frozenset[str]) -> list[str]:
    """Status names with complete groups shown by their group name."""
    rest = set(statuses)
    names = []
    for group, members in STATUS_GROUPS.items():
        if members <= rest:
            names.append(group)
            rest -= members
    return names + sorted(rest)


def _stamp(ts: float) -> str:
    return datetime.fromtimestamp(ts).isoformat(sep=" ", timespec="minutes")


__all__ = [
    "OPERATIONS",
    "ORIGINS",
    "STATUS_GROUPS",
    "STATUS_NAMES",
    "Facts",
    "TaskFacts",
    "TaskQuery",
    "entry_status",
    "glob_regex",
    "group_names",
    "label_problem",
    "parse_status",
    "parse_time",
]
