"""Import the old SQLite journal (``journal.sqlite3``, schema 1 or 2) once, without loss.

Its rows become a journal snapshot with their local ids kept (so ``local:N`` keys the
operator wrote down still work); the file is then renamed ``journal.sqlite3.migrated`` and
kept as a backup. A file that cannot be read is set aside (``.unreadable-<time>``) with a
message; one of a newer schema is left alone and reported.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from efile_tui.i18n import N_, Msg
from efile_tui.store.journal import compaction, files
from efile_tui.store.journal.entry import JournalEntry
from efile_tui.store.journal.rows import rows_from_json
from efile_tui.store.journal.schema import SCHEMA_VERSION, schema_version

LEGACY_FILE = "journal.sqlite3"
BACKUP_SUFFIX = ".migrated"
_LOCK_WAIT = 20.0

_COLUMNS = (
    "local_id, task_id, operation, source_path, target_path, conflict, profile, region,"
    " origin, state, submitted_at, updated_at, final_at, expired, cancel_requested_at,"
    " error_code, error_msg, total_num, processed_num, total_size, processed_size, progress,"
    " server_submit_time, server_update_time, {dismissed}, NULL, submitter"
)


def read_legacy(path: Path) -> tuple[list[JournalEntry], dict[int, str]]:
    """Rows of an old journal file as journal rows, and the writers of its unanswered
    intents. Raises sqlite3.Error, ValueError."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        version = schema_version(conn)
        if version > SCHEMA_VERSION or version < 1:
            problem = N_("schema version {version} is not one this efile-tui can import")
            raise ValueError(Msg(problem, version=version))
        dismissed = "dismissed_at" if version >= 2 else "NULL"
        query = f"SELECT {_COLUMNS.format(dismissed=dismissed)} FROM tasks ORDER BY local_id"
        rows = conn.execute(query).fetchall()
    finally:
        conn.close()
    out = []
    for row in rows:
        data = list(row)
        writer = data[-1]
        data[-1] = f"{writer}:" if writer else None  # host:pid, start time unknown
        out.append(data)
    return rows_from_json(out)


def migrate_legacy(folder: Path, legacy: Path, *, block: int) -> list[Msg]:
    """Import ``legacy`` into the journal ``folder`` unless done; return messages to show."""
    deadline = time.monotonic() + _LOCK_WAIT
    while not compaction.take_lock(folder):
        if time.monotonic() > deadline:
            return [
                Msg(
                    N_("the old task journal {path} is being imported by another process"),
                    path=str(legacy),
                )
            ]
        time.sleep(0.05)
    try:
        if not legacy.is_file():
            return []  # another process imported it meanwhile
        loaded = files.load(folder)
        if legacy.name not in loaded.migrated:
            try:
                rows, writers = read_legacy(legacy)
            except (sqlite3.Error, ValueError) as exc:
                return [_set_aside(legacy, exc)]
            taken = set(loaded.state.rows)
            top = max([*taken, *(row.local_id for row in rows), 0])
            for index, row in enumerate(rows):
                if row.local_id in taken:  # an id already used by a new writer: renumber
                    top += 1
                    rows[index] = row._replace(local_id=top)
                    if (writer := writers.pop(row.local_id, None)) is not None:
                        writers[top] = writer
            loaded.state.add_rows(rows, writers)
            loaded.migrated.append(legacy.name)
            loaded.max_writer = max(loaded.max_writer, top // block)
            compaction.write_snapshot(folder, loaded)
            count = len(rows)
        else:
            count = None
        backup = legacy.with_name(legacy.name + BACKUP_SUFFIX)
        os.replace(legacy, backup)
        for suffix in ("-wal", "-shm"):
            extra = Path(str(legacy) + suffix)
            if extra.exists():
                os.replace(extra, Path(str(backup) + suffix))
        if count is None:
            return []
        return [
            Msg(
                N_("imported {n} entries from the old task journal; it is kept as {path}"),
                n=count,
                path=str(backup),
            )
        ]
    finally:
        compaction.release_lock(folder)


def _set_aside(legacy: Path, exc: Exception) -> Msg:
    """Move the unreadable old journal out of the way; the notice to show."""
    if isinstance(exc, ValueError):
        return Msg(
            N_("the old task journal {path} was not imported: {reason}; upgrade efile-tui"),
            path=str(legacy),
            reason=exc.args[0] if len(exc.args) == 1 and isinstance(exc.args[0], Msg) else str(exc),
        )
    aside = legacy.with_name(f"{legacy.name}.unreadable-{int(time.time())}")
    try:
        os.replace(legacy, aside)
    except OSError as err:
        return Msg(
            N_("the old task journal {path} cannot be read ({reason}) nor set aside ({error})"),
            path=str(legacy),
            reason=str(exc),
            error=str(err),
        )
    return Msg(
        N_(
            "the old task journal {path} cannot be read ({reason}); it was set aside as "
            "{aside} and nothing was imported from it"
        ),
        path=str(legacy),
        reason=str(exc),
        aside=str(aside),
    )
