"""``tasks report``: one row per task with its final state, error code and message.

For an operator's ticket or e-mail: CSV (spreadsheet-safe) or JSON, the same filter flags as
``tasks``, fresh states from the service first.
"""

from __future__ import annotations

import argparse
import csv
from collections.abc import Sequence
from typing import Any

from efile_tui.cli.common import EXIT_OK, data_output, open_context, say
from efile_tui.cli.select import chosen_entries, entry_key, keys_or_query
from efile_tui.core.query import entry_status
from efile_tui.core.text import clean, json_dumps
from efile_tui.i18n import _
from efile_tui.store.journal import VANISHED, JournalEntry, iso_time

REPORT_FIELDS = (
    "taskId",
    "journalKey",
    "operationType",
    "sourcePath",
    "targetPath",
    "status",
    "final",
    "errorCode",
    "errorMsg",
    "submittedAt",
    "finalAt",
    "lastSeenAt",
    "origin",
)
# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def report_row(entry: JournalEntry) -> dict[str, Any]:
    """One report row (API field names where they exist)."""
    return {
        "taskId": entry.task_id,
        "journalKey": entry_key(entry),
        "operationType": entry.operation.value,
        "sourcePath": entry.source_path,
        "targetPath": entry.target_path,
        "status": entry_status(entry),
        "final": entry.ended,
        "errorCode": entry.error_code,
        "errorMsg": entry.error_msg,
        "submittedAt": iso_time(entry.submitted_at),
        "finalAt": iso_time(entry.final_at),
        "lastSeenAt": iso_time(entry.last_seen_at),
        "origin": entry.origin,
    }


def csv_cell(value: object) -> str:
    """A CSV cell: control characters made visible, formulas defused with a leading '."""
    if value is None:
        return ""
    text = clean(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_report(rows: Sequence[dict[str, Any]], fmt: str) -> None:
    """Rows on stdout as CSV (header first) or as one JSON array."""
    with data_output() as out:
        if fmt == "json":
            out.write(json_dumps(list(rows), indent=2) + "\n")
            out.flush()
            return
        writer = csv.writer(out, lineterminator="\n")
        fields = list(rows[0]) if rows else list(REPORT_FIELDS)
        writer.writerow(fields)
        for row in rows:
            writer.writerow([csv_cell(row.get(f)) for f in fields])
        out.flush()


async def cmd_report(args: argparse.Namespace) -> int:
    """Write the report of the tasks named (ids, prefixes, local:N) or the filters match
    (default: the journal's last 24 h)."""
    keys, query = keys_or_query(args, args.ids)
    async with open_context(args) as (_conn, ctx):
        entries = await chosen_entries(args, ctx, keys, query)
    rows = [report_row(e) for e in entries]
    write_report(rows, "json" if args.json else args.format)
    ended = sum(row["final"] for row in rows)
    failed = sum(row["status"] in ("fail", "rejected") for row in rows)
    vanished = sum(row["status"] == VANISHED for row in rows)
    say(
        _("report: {n} task(s), {ended} ended, {failed} failed or rejected").format(
            n=len(rows), ended=ended, failed=failed
        )
        + (_(", {n} vanished").format(n=vanished) if vanished else "")
    )
    return EXIT_OK
