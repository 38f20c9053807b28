"""One path for every action, whichever front end starts it.

1. **Plan** (:class:`~efile_tui.core.protect.Plan`): the items and the operation.
2. **Protect** (:func:`~efile_tui.core.protect.inspect`): every path the action would
   destroy is checked; refused items carry their reason.
3. **Confirmation data** (:func:`prepare` → :class:`Confirmation`): what the front end
   must show and ask, computed once. The CLI prints it and asks on a terminal (``--yes``
   otherwise); the TUI shows it in its dialog. Neither decides a rule.
4. **Journal intent → send in batches → record answers → audit** (:func:`run`, through
   :func:`~efile_tui.core.operations.submit_tracked`), refused plans never reach it.

Cancelling has the same shape: :func:`~efile_tui.core.cancelplan.plan_cancel` then
:func:`~efile_tui.core.operations.cancel_tracked`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from efile_tui.api.models import Operation, SubmitOutcome
from efile_tui.core.operations import Context, submit_tracked
from efile_tui.core.preview import DeletePreview, DirLister
from efile_tui.core.protect import Inspection, Plan, Rules, inspect, walk_refusals
from efile_tui.i18n import joined

GIB = 1024**3


class Refused(Exception):
    """The plan would destroy protected paths; nothing may be sent."""

    def __init__(self, refused: Mapping[str, str]) -> None:
        self.refused = dict(refused)
        super().__init__(joined("\n", self.refused.values()))


@dataclass(frozen=True)
class Thresholds:
    """From which size a delete must be confirmed by typing (the count, or the name)."""

    files: int = 1000
    paths: int = 10
    depth: int = 5
    bytes: int = 10 * GIB


DEFAULT_THRESHOLDS = Thresholds()


@dataclass
class Confirmation:
    """What a front end must show and ask before :func:`run`."""

    plan: Plan
    refused: dict[str, str] = field(default_factory=dict)
    overwritten: list[str] = field(default_factory=list)
    preview: DeletePreview | None = None
    ask: bool = True  # must be confirmed: on a terminal, or --yes
    typed: bool = False  # the confirmation is typed (``expected``), not a key
    expected: str = ""
    accept_incomplete: bool = False  # the walk did not finish: accepting that is explicit

    @property
    def allowed(self) -> bool:
        """Nothing protected would be destroyed."""
        return not self.refused

    @property
    def sources(self) -> list[str]:
        """The paths acted on."""
        return self.plan.sources


def must_ask(plan: Plan) -> bool:
    """Deletes, moves and every cover are confirmed; a copy keeping both is not."""
    return plan.operation is not Operation.COPY or plan.covers


def typed_by_count(
    paths: Sequence[str], thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> tuple[bool, str]:
    """(typed, expected text) before any walk: a delete of many paths is confirmed by
    typing their count; the text is the count (several paths) or the last path component
    (one path)."""
    expected = posixpath.basename(paths[0].rstrip("/")) if len(paths) == 1 else str(len(paths))
    return len(paths) > thresholds.paths, expected


def delete_guards(
    paths: Sequence[str],
    preview: DeletePreview | None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> tuple[bool, str, bool]:
    """(typed, expected text, accept incomplete) for deleting ``paths``.

    Besides many paths (:func:`typed_by_count`), a walk that found many files, deep
    folders or many bytes, or that did not finish (``preview`` None: it failed), makes the
    confirmation typed; an unfinished walk must also be accepted explicitly.
    """
    typed, expected = typed_by_count(paths, thresholds)
    if preview is None:
        return True, expected, True
    big = (
        preview.files > thresholds.files
        or preview.max_depth > thresholds.depth
        or preview.bytes > thresholds.bytes
    )
    return typed or big or not preview.complete, expected, not preview.complete


def confirmation(
    plan: Plan, found: Inspection, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> Confirmation:
    """The confirmation data of an inspected plan."""
    refused = dict(found.refused)
    preview = found.preview
    if preview is not None and preview.protected and plan.destroys_sources:
        roots = [s for s in plan.sources if s not in refused]
        for path, reason in walk_refusals(roots, preview, blind=False).items():
            refused.setdefault(path, reason)
    typed = accept = False
    expected = ""
    if plan.operation is Operation.DELETE:
        typed, expected, accept = delete_guards(plan.sources, preview, thresholds)
        if preview is None:  # no walk was asked for: only the count decides
            (typed, expected), accept = typed_by_count(plan.sources, thresholds), False
    return Confirmation(
        plan, refused, list(found.overwritten), preview, must_ask(plan), typed, expected, accept
    )


async def prepare(
    client: DirLister,
    plan: Plan,
    rules: Rules,
    *,
    preview: bool = False,
    is_dir: Mapping[str, bool] | None = None,
    sizes: Mapping[str, int] | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> Confirmation:
    """Protect and compute the confirmation data (``preview``: walk a delete's sources
    to count them, even when no rule needs the walk)."""
    found = await inspect(client, plan, rules, preview=preview, is_dir=is_dir, sizes=sizes)
    return confirmation(plan, found, thresholds)


async def run(
    ctx: Context,
    confirmed: Confirmation,
    *,
    on_batch: Callable[[Sequence[int], list[SubmitOutcome]], None] | None = None,
) -> list[SubmitOutcome]:
    """Journal the intent, send in batches, record every answer, audit; raises
    :class:`Refused` (nothing sent) when the plan would destroy a protected path."""
    if confirmed.refused:
        raise Refused(confirmed.refused)
    plan = confirmed.plan
    return await submit_tracked(
        ctx, plan.operation, plan.items, on_batch=on_batch, label=plan.label
    )


__all__ = [
    "Confirmation",
    "Inspection",
    "Plan",
    "Refused",
    "Rules",
    "Thresholds",
    "confirmation",
    "delete_guards",
    "must_ask",
    "prepare",
    "run",
    "typed_by_count",
]
