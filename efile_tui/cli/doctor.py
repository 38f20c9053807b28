"""``efile-tui doctor``: a health check — state folder, journal, terminal, token, service.

One screen (or ``--json``, keys in the API's camelCase, with a top-level ``problems`` list)
with, for each problem found, what to do about it and its exit code; exit 0 when healthy,
else the highest of the problems' exit codes (those of the rest of the CLI: 4 token,
3 service, 2 settings, 1 state folder or journal). The connection check sends one cheap
request (the home folder's first entry) under a short deadline: it tells whether the
service answers and whether it accepts the token. A usable ``EFILE_TOKEN`` makes a missing
keyring a note, not a problem. It reads and never writes: no journal is created, migrated
or compacted, no token renewed or stored by looking.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from efile_tui.cli.common import (
    EXIT_AUTH,
    EXIT_FAILED,
    EXIT_OK,
    add_connection_args,
    add_json_arg,
    emit_json,
)
from efile_tui.core.text import clean
from efile_tui.i18n import N_, Msg, _, shown

SERVICE_DEADLINE = 5.0  # seconds for the one request to the service


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``doctor``."""
    p = sub.add_parser(
        "doctor",
        help=_(
            "health check: state folder, journal, terminal, token, and whether the service "
            "answers and accepts the token"
        ),
        description=_(
            "Check what efile-tui needs: the state folder and journal, the terminal, where "
            "the token comes from, and — with one request under a short deadline — whether "
            "the service answers and accepts the token. Reads only."
        ),
        epilog=_(
            "Exit codes: 0 healthy; 4 no token, no usable keyring or the token refused; "
            "3 the service did not answer; 2 a setting or option is unusable; 1 a problem "
            "with the state folder or journal. Several problems: the highest. Each problem "
            "is named with what to do."
        ),
    )
    add_json_arg(p)
    add_connection_args(p)
    p.set_defaults(handler=run)


def _size(paths: Iterable[Path]) -> tuple[int, int]:
    count = total = 0
    for path in paths:
        try:
            total += path.lstat().st_size
            count += 1
        except OSError:
            pass
    return count, total


def state_report() -> dict[str, Any]:
    """The state folder, its filesystem, the journal's and audit log's files, and problems."""
    from efile_tui.config import state_dir_source
    from efile_tui.store.audit import AUDIT_DIR, LEGACY_FILE, AuditLog
    from efile_tui.store.eventlog import Writer
    from efile_tui.store.fs import StateFileError, filesystem
    from efile_tui.store.journal import JOURNAL_FILE
    from efile_tui.store.journal import LEGACY_FILE as OLD_JOURNAL
    from efile_tui.store.journal import files as journal_files

    folder, chosen_by = state_dir_source()
    fs = filesystem(folder)
    problems: list[dict[str, str]] = []
    report: dict[str, Any] = {
        "folder": str(folder),
        "chosenBy": chosen_by,
        "exists": folder.is_dir(),
        "filesystem": {"type": fs.fstype, "mountPoint": fs.mount_point, "source": fs.source},
        "shared": fs.shared,
    }
    jdir = folder / JOURNAL_FILE
    listing = journal_files.list_folder(jdir)
    logs = [jdir / name for name in listing.files.values()]
    snaps = [jdir / name for name in listing.snapshots.values()]
    journal: dict[str, Any] = {"folder": str(jdir), "writerFiles": len(logs)}
    journal["snapshots"] = len(snaps)
    journal["bytes"] = _size([*logs, *snaps])[1]
    try:
        loaded = journal_files.load(jdir)
        state = loaded.state
        journal["entries"] = sum(1 for lid in state.rows if state.visible(lid))
        hosts: dict[str, int] = {}
        gone = 0
        for name in listing.files.values():
            writer = Writer.parse((loaded.headers.get(name) or {}).get("writer"))
            host = writer.host if writer else "?"
            hosts[host] = hosts.get(host, 0) + 1
            gone += journal_files.writer_gone(loaded, jdir, name)
        journal["filesByHost"] = hosts
        journal["filesOfEndedWriters"] = gone
        for problem in loaded.problems:
            fix = N_(
                "the rest of the journal is intact; keep the file for inspection or remove the "
                "bad line"
            )
            problems.append({"problem": problem, "fix": Msg(fix)})
    except (StateFileError, OSError) as exc:
        problems.append({"problem": str(exc), "fix": Msg(N_("see the message"))})
    old = folder / OLD_JOURNAL
    journal["oldJournal"] = (
        N_("waiting to be imported") if old.is_file()
        else N_("imported (backup kept)") if old.with_name(OLD_JOURNAL + ".migrated").exists()
        else N_("none")
    )  # fmt: skip
    report["journal"] = journal
    adir = folder / AUDIT_DIR
    count, size = _size(adir.glob("*.log"))
    report["audit"] = {"folder": str(adir), "writerFiles": count, "bytes": size}
    report["audit"]["oldFile"] = (folder / LEGACY_FILE).exists()
    try:
        AuditLog(adir)
    except StateFileError as exc:
        problems.append({"problem": str(exc), "fix": Msg(N_("see the message"))})
    if fs.fstype == "unknown":
        problems.append({
            "problem": Msg(
                N_("the filesystem of {folder} could not be identified; treated as shared"),
                folder=str(folder),
            ),
            "fix": Msg(N_("nothing to do: the journal is safe on shared folders")),
        })  # fmt: skip
    if not report["exists"]:
        report["note"] = N_("nothing written yet: the folder is created on first use")
    report["problems"] = problems
    return report


def keyring_report() -> dict[str, Any]:
    """The keyring backend in use, why, and why the others were not."""
    from efile_tui.store.tokens import TokenStore

    report = TokenStore("keyring", allow_prompting=False).diagnose()
    out = report.to_json()
    if not report.usable:
        out["fix"] = Msg(
            N_(
                "run a Secret Service (e.g. gnome-keyring under D-Bus), or keep the token in a "
                "private file: efile-tui login --token-store file"
            )
        )
    return out


def terminal_report() -> dict[str, Any]:
    """Encoding and colour depth as the TUI will see them."""
    from efile_tui.core.terminal import plan

    chosen = plan()
    return {
        "term": chosen.term,
        "colours": chosen.colours,
        "localeEncoding": chosen.locale_encoding,
        "encoding": chosen.encoding,
        "glyphs": chosen.glyphs.name,
        "reasons": list(chosen.reasons),
    }


def _human(data: dict[str, Any]) -> list[str]:
    from efile_tui.cli.doctor_service import connection_lines

    s, j, a = data["state"], data["state"]["journal"], data["state"]["audit"]
    fs = s["filesystem"]
    shared = (
        _("shared with other hosts (each process writes its own files: safe)")
        if s["shared"]
        else _("local to this host")
    )
    lines = [
        _("state folder: {folder}  (chosen by {how})").format(
            folder=s["folder"], how=shown(s["chosenBy"])
        ),
        "  "
        + _("filesystem: {type} at {mount} — treated as {shared}").format(
            type=fs["type"], mount=fs["mountPoint"], shared=shared
        ),
        "  "
        + _(
            "journal: {folder}: {n} entries, {files} writer file(s), {snaps} snapshot(s), "
            "{bytes} bytes"
        ).format(
            folder=j["folder"],
            n=j.get("entries", "?"),
            files=j["writerFiles"],
            snaps=j["snapshots"],
            bytes=f"{j['bytes']:,}",
        ),
    ]
    if j.get("filesByHost"):
        hosts = ", ".join(f"{h}: {n}" for h, n in sorted(j["filesByHost"].items()))
        lines.append(
            "    "
            + _(
                "writer files by host: {hosts}; of ended writers: {n} (folded into a snapshot "
                "when many)"
            ).format(hosts=hosts, n=j["filesOfEndedWriters"])
        )
    old = str(j["oldJournal"])
    lines.append("    " + _("old journal.sqlite3: {state}").format(state=_(old)))
    older = _(" (+ audit.jsonl of an older version)") if a["oldFile"] else ""
    lines.append(
        "  "
        + _("audit log: {folder}: {n} file(s), {bytes} bytes").format(
            folder=a["folder"], n=a["writerFiles"], bytes=f"{a['bytes']:,}"
        )
        + older
    )
    note = s.get("note")  # an N_() text; a literal inside _() would be read as a msgid
    if note:
        lines.append("  " + _(note))
    lines.append(
        "  " + _('move it: EFILE_TUI_STATE_DIR=DIR, or state_dir = "DIR" in the config file')
    )
    k = data["keyring"]
    usable = _("usable") if k["usable"] else _("NOT usable")
    active = k["active"]
    lines.append(
        _("keyring: {label} ({kind}), chosen by {how}: {usable} — {why}").format(
            label=active["label"],
            kind=active["kind"],
            how=shown(k["chosenBy"]),
            usable=usable,
            why=shown(k["reason"]),
        )
    )
    for other in k.get("rejected", []):
        lines.append(
            "  "
            + _("not used: {label}: {why}").format(label=other["label"], why=shown(other["reason"]))
        )
    t = data["terminal"]
    lines.append(
        _(
            "terminal: TERM={term}, {colours} colours, locale {locale}, writing {encoding} with "
            "{glyphs} symbols"
        ).format(
            term=t["term"] or _("(unset)"),
            colours=t["colours"],
            locale=t["localeEncoding"],
            encoding=t["encoding"],
            glyphs=t["glyphs"],
        )
    )
    lines += [f"  {shown(reason)}" for reason in t["reasons"]]
    lines += connection_lines(data["connection"])
    lines += [_("note: {note}").format(note=shown(note)) for note in data["notes"]]
    problems = data["problems"]
    if problems:
        lines.append(_("problems: {n}").format(n=len(problems)))
    else:
        lines.append(_("problems: none — healthy"))
    for problem in problems:
        lines += [
            f"  ✗ {shown(problem['problem'])}",
            "    " + _("what to do: {fix}").format(fix=shown(problem["fix"])),
        ]
    return lines


async def run(args: argparse.Namespace) -> int:
    """Print the report; exit 0 when healthy, else the highest problem's exit code."""
    from efile_tui.cli.doctor_service import connection_report
    from efile_tui.store.fs import StateFileError

    try:
        state = state_report()
    except StateFileError as exc:
        state = {"problems": [{"problem": str(exc), "fix": Msg(N_("see the message"))}]}
    keyring = keyring_report()
    connection = await connection_report(args, SERVICE_DEADLINE)
    data = camel({"state": state, "keyring": keyring, "terminal": terminal_report()})
    data["connection"] = connection
    problems = [
        {"check": "state", **p, "exitCode": EXIT_FAILED} for p in data["state"].pop("problems")
    ]
    notes: list[str] = []
    if not keyring["usable"]:
        if connection.get("tokenSource") == "EFILE_TOKEN":
            notes.append(
                Msg(
                    N_("no usable keyring ({why}); EFILE_TOKEN is used instead"),
                    why=keyring["reason"],
                )
            )
        else:
            problems.append(
                {
                    "check": "keyring",
                    "problem": keyring["reason"],
                    "fix": keyring["fix"],
                    "exitCode": EXIT_AUTH,
                }
            )
    problems += [{"check": "connection", **p} for p in connection.pop("problems")]
    data["healthy"] = not problems
    data["problems"] = problems
    data["notes"] = notes
    if args.json:
        emit_json(data)
    else:
        for line in _human(data):
            print(clean(line))
    return max((p["exitCode"] for p in problems), default=EXIT_OK)


def camel(data: Any) -> Any:
    """``data`` with every dict key in camelCase (``chosen_by`` → ``chosenBy``)."""
    if isinstance(data, dict):
        return {_camel_key(str(k)): camel(v) for k, v in data.items()}
    if isinstance(data, list):
        return [camel(v) for v in data]
    return data


def _camel_key(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)
