"""Task verbs that change the journal: ``tasks label``, ``tasks resolve``, ``tasks resubmit``."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from efile_tui.api.models import Operation, SubmitItem
from efile_tui.cli import columns, output
from efile_tui.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    confirm,
    emit_json,
    input_error,
    open_context,
    say,
)
from efile_tui.cli.select import chosen_entries, entry_key, entry_lines, keys_or_query
from efile_tui.cli.submit import label_problems
from efile_tui.core import resolve
from efile_tui.core.operations import Context, submit_tracked
from efile_tui.core.query import TaskQuery
from efile_tui.core.text import clean
from efile_tui.core.validate import InputError
from efile_tui.core.words import operation as operation_name
from efile_tui.i18n import _, shown
from efile_tui.store.journal import JournalEntry


async def cmd_label(args: argparse.Namespace) -> int:
    """``tasks label TEXT ID|local:N…`` (or with filters); an empty TEXT clears the label."""
    if not args.ids:
        raise CliError(_("usage: tasks label TEXT ID|local:N… (or filters); '' clears"), EXIT_USAGE)
    label, words = args.ids[0], args.ids[1:]
    problems = label_problems(label) if label else []
    if problems:
        raise input_error(InputError(problems))
    keys, query = keys_or_query(args, words)
    if not keys and not query.active:
        raise CliError(_("give the tasks to label: ids, local:N keys or filters"), EXIT_USAGE)
    async with open_context(args) as (_conn, ctx):
        entries = await chosen_entries(args, ctx, keys, query)
        changed = ctx.journal.set_label([e.local_id for e in entries], label or None)
    if args.json:
        emit_json({"label": label or None, "changed": [f"local:{n}" for n in changed]})
    what = _("labelled {label}").format(label=repr(clean(label))) if label else _("label cleared")
    say(
        _("{what}: {n} of {total} task(s) changed").format(
            what=what, n=len(changed), total=len(entries)
        )
    )
    return EXIT_OK


async def cmd_resolve(args: argparse.Namespace) -> int:
    """Check the paths of submits whose answer was lost and record what they show."""
    keys, query = keys_or_query(args, args.ids)
    async with open_context(args) as (_conn, ctx):
        if keys:
            entries = await chosen_entries(args, ctx, keys, query)
        else:
            entries = query.select(ctx.journal.unknown_outcomes(ctx.profile)) + query.select(
                [e for e in ctx.journal.entries(profile=ctx.profile) if e.vanished]
            )
        lost = [e for e in entries if e.outcome_unknown or e.vanished]
        skipped = len(entries) - len(lost)
        if skipped:
            say(_("{n} entr(y/ies) skipped: their outcome is known").format(n=skipped))
        if not lost:
            say(_("no submit with an unknown outcome and no vanished task to resolve"))
            return EXIT_OK
        verdicts = await resolve.check_all(ctx.client, lost)
        resolve.record(ctx.journal, verdicts)
    if args.json:
        emit_json(
            [
                {"journalKey": entry_key(v.entry), "sourcePath": v.entry.source_path,
                 "verdict": v.verdict, "reason": v.reason}
                for v in verdicts
            ]
        )  # fmt: skip
    else:
        rows = [
            [
                entry_key(v.entry),
                operation_name(v.entry.operation.value),
                f"{_(resolve.VERDICT_TEXT[v.verdict])}: {shown(v.reason)}",
            ]
            for v in verdicts
        ]
        for text in columns.table(rows):
            print(text)
    counts = {k: sum(v.verdict == k for v in verdicts) for k in resolve.VERDICT_TEXT}
    hint = _("; `efile-tui tasks resubmit --status rejected` submits the not-done again")
    say(
        _("{done} done, {not_done} not done, {undecided} undecided").format(
            done=counts[resolve.DONE],
            not_done=counts[resolve.NOT_DONE],
            undecided=counts[resolve.UNDECIDED],
        )
        + (hint if counts[resolve.NOT_DONE] else "")
    )
    return EXIT_FAILED if counts[resolve.UNDECIDED] else EXIT_OK


async def cmd_resubmit(args: argparse.Namespace) -> int:
    """Submit again what failed or was found not done; the old entries point to the new."""
    keys, query = keys_or_query(args, args.ids)
    if not keys and not query.active:
        query = TaskQuery(failed=True)
    async with open_context(args) as (conn, ctx):
        entries = await chosen_entries(args, ctx, keys, query)
        again = [e for e in entries if resolve.resubmittable(e)]
        if len(again) < len(entries):
            say(
                _(
                    "{n} task(s) skipped: only failed, rejected or not-done items not "
                    "resubmitted before can be submitted again"
                ).format(n=len(entries) - len(again))
            )
        if not again:
            say(_("nothing to resubmit"))
            return EXIT_OK
        for text in entry_lines(again[:20]):
            say("  " + text)
        confirm(
            _("Submit {n} item(s) again on {where}?").format(n=len(again), where=conn.label),
            assume_yes=args.yes,
        )
        code = EXIT_OK
        for (op, label), group in resolve.groups(again).items():
            code = max(code, await _resubmit_group(ctx, op, label, group))
    return code


async def _resubmit_group(
    ctx: Context, op: Operation, label: str | None, group: Sequence[JournalEntry]
) -> int:
    """Submit one group again, link old entries to the new ones, print one line per item."""
    items = [SubmitItem(e.source_path, e.target_path, e.conflict) for e in group]
    new_ids: list[int] = []
    outcomes = await submit_tracked(
        ctx, op, items, label=label, on_batch=lambda ids, _o: new_ids.extend(ids)
    )
    ctx.journal.link_resubmits(
        [(old.local_id, new) for old, new in zip(group, new_ids, strict=False)]
    )
    for old, outcome in zip(group, outcomes, strict=True):
        print(f"{entry_key(old)} -> {clean(output.outcome_line(outcome))}")
    return output.submit_exit_code(outcomes)
