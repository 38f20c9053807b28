"""The rulebook: which paths an action would destroy, and which of them are protected.

Every front end asks here (through :mod:`efile_tui.core.pipeline`); none decides a rule.

An action destroys its delete and move sources, and every existing entry a copy or move
with ``cover`` overwrites (``TARGET/<name of the source>``). Each such path is checked
against the rules (:func:`~efile_tui.core.validate.protected_reason`): ``/`` and shallow
paths, home-like paths, the home folder and its parents, the deny list's exact entries and
wildcards. A wildcard entry (``*/keep-me``) can match deep inside a folder, so when the
deny list has one, a bounded walk looks inside every source the action destroys and inside
every entry a cover would overwrite; a walk that cannot finish refuses what it did not see.
"""

from __future__ import annotations

import posixpath
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from efile_tui.api.errors import EfileError, NotFound
from efile_tui.api.models import Operation, SubmitItem
from efile_tui.core.preview import DeletePreview, DirLister, existing_names
from efile_tui.core.preview import preview_delete as walk_paths
from efile_tui.core.validate import (
    denied_reason,
    has_wildcards,
    normalise_path,
    path_problem,
    protected_reason,
)
from efile_tui.i18n import N_, Msg


@dataclass(frozen=True)
class Rules:
    """What protects paths: the home folder (None: unknown), the deny list, and the paths
    deliberately allowed (``--allow-protected``; never lifts a deny-list entry); and the
    time a walk that checks them may take (None: one that grows with the paths)."""

    home: str | None = None
    deny: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()
    walk_seconds: float | None = None

    @property
    def walks(self) -> bool:
        """True when a wildcard deny entry makes a walk inside destroyed folders necessary."""
        return has_wildcards(self.deny)

    def reason(self, path: str) -> str | None:
        """Why destroying ``path`` itself is refused, or None."""
        return protected_reason(path, home=self.home, deny=self.deny, allow=self.allow)

    def inside(self, path: str) -> str | None:
        """Why an entry found inside a destroyed folder is protected (the deny list)."""
        return denied_reason(path, self.deny)


@dataclass(frozen=True)
class Plan:
    """What is to be done: the operation and its items (all sharing one target)."""

    operation: Operation
    items: tuple[SubmitItem, ...]
    label: str | None = None

    @classmethod
    def of(
        cls,
        operation: Operation,
        sources: Sequence[str],
        target: str | None = None,
        on_conflict: str | None = None,
        *,
        label: str | None = None,
    ) -> Plan:
        """A plan from source paths (and, for a copy or move, the target and policy)."""
        items = tuple(SubmitItem(s, target, on_conflict if target else None) for s in sources)
        return cls(operation, items, label)

    @property
    def sources(self) -> list[str]:
        """The source paths, in order."""
        return [i.source_path for i in self.items]

    @property
    def target(self) -> str | None:
        """The target folder of a copy or move."""
        return self.items[0].target_path if self.items else None

    @property
    def covers(self) -> bool:
        """A copy or move that overwrites what exists at the target."""
        return any(i.duplicate_handle_type == "cover" for i in self.items)

    @property
    def destroys_sources(self) -> bool:
        """A delete or move: the sources are gone afterwards."""
        return self.operation in (Operation.DELETE, Operation.MOVE)


def landing_path(item: SubmitItem) -> str:
    """Where a copied or moved source lands: ``TARGET/<name of the source>``."""
    return posixpath.join(
        item.target_path or "/", posixpath.basename(normalise_path(item.source_path))
    )


def target_problem(
    operation: Operation, sources: Sequence[str], target: str, on_conflict: str
) -> str | None:
    """Why ``target`` cannot receive ``sources``, or None (checks only what is known
    without asking the service)."""
    text = target.strip()
    problem = path_problem(text)
    if problem:
        return problem
    norm = normalise_path(text)
    move = operation is Operation.MOVE
    for source in sources:
        src = normalise_path(source)
        if norm == src:
            if move:
                return Msg(N_("the target {target} is one of the paths being moved"), target=norm)
            return Msg(N_("the target {target} is one of the paths being copied"), target=norm)
        if norm.startswith(src.rstrip("/") + "/"):
            if move:
                text = N_("the target {target} is inside {source}, which is being moved")
            else:
                text = N_("the target {target} is inside {source}, which is being copied")
            return Msg(text, target=norm, source=src)
        if posixpath.dirname(src) == norm:
            if move:
                return Msg(
                    N_("{source} is already in {target}: pick another folder"),
                    source=src,
                    target=norm,
                )
            if on_conflict == "cover":
                return Msg(
                    N_("copying {source} onto itself with overwrite: choose keep both"),
                    source=src,
                )
    return None


def refusals(plan: Plan, rules: Rules) -> dict[str, str]:
    """The protected paths the plan would destroy, with the reason for each; no request.

    Keys are the destroyed paths: a source, or the ``TARGET/<name>`` a cover overwrites
    (checked whether or not it exists: refusing costs nothing, a walk finds the rest).
    """
    refused: dict[str, str] = {}
    for item in plan.items:
        hit: list[str] = []
        if plan.destroys_sources:
            hit.append(normalise_path(item.source_path))
        if item.target_path and item.duplicate_handle_type == "cover":
            hit.append(landing_path(item))
        for path in hit:
            reason = rules.reason(path)
            if reason:
                refused[path] = reason
    return refused


@dataclass
class Inspection:
    """What looking at the service found: refusals, what a cover overwrites, the walk."""

    refused: dict[str, str] = field(default_factory=dict)
    overwritten: list[str] = field(default_factory=list)  # existing entries a cover replaces
    preview: DeletePreview | None = None  # the walk of the sources (delete), when made


async def overwritten_entries(client: DirLister, plan: Plan) -> list[str]:
    """The existing entries a cover would overwrite (one listing of the target, a few
    keyword asks in a big one). A target that does not exist overwrites nothing; any other
    failure raises ``EfileError``."""
    covered = [i for i in plan.items if i.duplicate_handle_type == "cover"]
    if not covered or not plan.target:
        return []
    names = [posixpath.basename(normalise_path(i.source_path)) for i in covered]
    try:
        found = set(await existing_names(client, plan.target, names, asks=len(names)))
    except NotFound:
        return []
    return [landing_path(i) for i, n in zip(covered, names, strict=True) if n in found]


async def inspect(
    client: DirLister,
    plan: Plan,
    rules: Rules,
    *,
    preview: bool = False,
    is_dir: Mapping[str, bool] | None = None,
    sizes: Mapping[str, int] | None = None,
) -> Inspection:
    """Check the plan against every rule, looking at the service where a rule needs it.

    ``preview``: walk the sources even when no rule needs it (a delete dialog and a dry
    run show what the walk counted). Refused paths are never walked.
    """
    found = Inspection(refusals(plan, rules))
    refused = found.refused
    if plan.covers:
        try:
            found.overwritten = await overwritten_entries(client, plan)
        except EfileError as exc:
            for item in plan.items:
                if item.duplicate_handle_type == "cover":
                    path = landing_path(item)
                    refused.setdefault(
                        path,
                        Msg(
                            N_("{path}: what a cover would overwrite could not be checked ({why})"),
                            path=path,
                            why=exc.message,
                        ),
                    )
    walked = [p for p in (normalise_path(s) for s in plan.sources) if p not in refused]
    guard = plan.destroys_sources and rules.walks
    if walked and (preview or guard):
        found.preview = await walk_paths(
            client,
            walked,
            is_dir=is_dir,
            sizes=sizes,
            protected=rules.inside if rules.deny and plan.destroys_sources else None,
            max_seconds=rules.walk_seconds,
        )
        if guard:
            refused.update(walk_refusals(walked, found.preview))
    covered = [p for p in found.overwritten if p not in refused]
    if covered and rules.walks:
        walk = await walk_paths(
            client, covered, protected=rules.inside, max_seconds=rules.walk_seconds
        )
        refused.update(walk_refusals(covered, walk, overwrite=True))
    return found


def walk_refusals(
    roots: Sequence[str], walk: DeletePreview, *, overwrite: bool = False, blind: bool = True
) -> dict[str, str]:
    """The walked roots a wildcard protects: one holding a protected path, and (``blind``)
    every root the walk could not see whole (it stopped first, or a folder inside could
    not be listed). A root inside another walked root is judged with it."""
    refused: dict[str, str] = {}
    holding = dict(walk.protected_in)
    unfinished = set(walk.unfinished)
    why = walk.stopped_because or Msg(N_("a folder could not be listed"))
    for root in roots:
        inside = [r for p, r in walk.protected if _within(normalise_path(p), root)]
        reason = holding.get(normalise_path(root)) or next(iter(inside), None)
        if reason:
            refused[root] = Msg(
                N_("{path} holds a protected path: {reason}"), path=root, reason=reason
            )
        elif blind and _walked_as(root, unfinished) is not None:
            if overwrite:
                text = N_(
                    "{path} could not be checked completely against the deny list's wildcards "
                    "before overwriting it ({why}): act on smaller parts of it"
                )
            else:
                text = N_(
                    "{path} could not be checked completely against the deny list's wildcards "
                    "before destroying it ({why}): act on smaller parts of it"
                )
            refused[root] = Msg(text, path=root, why=why)
    return refused


def _walked_as(root: str, keys: Collection[str]) -> str | None:
    """``root`` or the folder above it that is among ``keys`` (the walk's own roots)."""
    path = normalise_path(root)
    while True:
        if path in keys:
            return path
        parent = posixpath.dirname(path)
        if parent == path:
            return None
        path = parent


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")
