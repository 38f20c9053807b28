"""Input checks and safety rules, applied before anything is sent.

Every rejection names the offending item and says how to fix it, and checks report all
bad items at once rather than stopping at the first.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Iterable, Sequence

from efile_tui.core.terminal import decode_input, encodings_named

MAX_PATH_LEN = 4096  # bytes (UTF-8), the Linux PATH_MAX
MAX_NAME_BYTES = 255
MAX_CANCEL_IDS = 10_000
SHOWN_MAX = 80  # longer input is shown with its middle elided
# C0 controls, DEL, C1 controls and the Unicode line/paragraph separators: none of them
# belongs in a path or an id, and echoing them back could move the terminal cursor.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# A task id is hexadecimal (32 digits from the service; dashes allowed as in a UUID):
# words, paths and typos are refused before they reach the journal.
_TASK_ID = re.compile(r"^(?=(?:-*[0-9A-Fa-f]){16})[0-9A-Fa-f-]{16,64}$")
_LOCAL_KEY = re.compile(r"^local:[0-9]{1,18}$")
# The start of a task id, as the TUI shows it (at least 6 characters): the journal says
# which task it is (efile_tui.core.ids).
_ID_PREFIX = re.compile(r"^[0-9A-Fa-f]{6,64}$")


class InputError(ValueError):
    """Input rejected before any request; ``problems`` lists one line per bad item."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def shown(text: str, limit: int = SHOWN_MAX) -> str:
    """A safe, visible, bounded rendering of user input for messages.

    Control characters and bytes that were not UTF-8 (surrogate escapes from the command
    line) are escaped; text longer than ``limit`` keeps its start and end around a ``…``.
    """
    safe = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    if len(safe) > limit:
        head = limit * 2 // 3
        safe = safe[:head] + "…" + safe[-(limit - head - 1) :]
    return repr(safe)


def normalise_path(path: str) -> str:
    """Collapse ``//`` and ``/./`` and drop a trailing slash (``..`` is rejected, not resolved)."""
    parts = [p for p in path.split("/") if p not in ("", ".")]
    return "/" + "/".join(parts)


def not_text(text: str) -> bool:
    """``text`` holds bytes that were valid in no input encoding (surrogate escapes)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def text_problem(text: str, what: str) -> str | None:
    """Why ``text`` (named ``what`` in the message) is not valid UTF-8 free of controls."""
    if not_text(text):
        return (
            f"{what} {shown(text)} is not valid {encodings_named()} (the bytes shown as "
            "\\x..): pass it in UTF-8"
        )
    bad = _CONTROL.search(text)
    if bad:
        return (
            f"{what} {shown(text)} contains the control character {bad.group()!r} "
            f"at position {bad.start() + 1} (newline, tab, NUL, escape…): remove it"
        )
    return None


def path_problem(path: str) -> str | None:
    """Why ``path`` is not an acceptable remote absolute path, or None."""
    if not path or not path.strip():
        return "empty path: give an absolute path such as /public/home/USER/dir"
    if not_text(path):
        return (
            f"path {shown(path)} is not valid {encodings_named()} (the bytes shown as \\x..): "
            "rename it or pass it correctly encoded"
        )
    size = len(path.encode("utf-8"))
    if not path.startswith("/"):
        if path.lstrip().startswith("/"):
            return f"path {shown(path)} starts with a space: remove the leading space"
        return f"path {shown(path)} is relative: give the absolute path (starting with /)"
    bad = _CONTROL.search(path)
    if bad:
        return (
            f"path {shown(path)} contains the control character {bad.group()!r} "
            f"at position {bad.start() + 1} (newline, tab, NUL, escape…): "
            "rename the file or remove the character from the argument"
        )
    if size > MAX_PATH_LEN:
        return (
            f"path {shown(path)} is {size} bytes long; the limit is {MAX_PATH_LEN} bytes: "
            "give a shorter path"
        )
    parts = path.split("/")
    if ".." in parts:
        return f"path {shown(path)} contains '..': give the resolved absolute path instead"
    for part in parts:
        name_bytes = len(part.encode("utf-8"))
        if name_bytes > MAX_NAME_BYTES:
            return (
                f"path {shown(path)} has a name of {name_bytes} bytes ({shown(part, 40)}); "
                f"names are limited to {MAX_NAME_BYTES} bytes: shorten that name"
            )
    return None


def check_paths(paths: Sequence[str], *, what: str = "path") -> list[str]:
    """Validate and normalise remote paths; duplicates (after normalising) are rejected."""
    problems: list[str] = []
    result: list[str] = []
    seen: dict[str, str] = {}
    if not paths:
        raise InputError([f"no {what} given: give at least one absolute path"])
    for raw in paths:
        problem = path_problem(raw)
        if problem:
            problems.append(problem)
            continue
        norm = normalise_path(raw)
        if norm in seen:
            problems.append(
                f"{what} {shown(raw)} is given twice"
                + (f" (same as {shown(seen[norm])})" if seen[norm] != raw else "")
                + ": remove the duplicate"
            )
            continue
        seen[norm] = raw
        result.append(norm)
    if problems:
        raise InputError(problems)
    return result


def check_task_ids(
    ids: Sequence[str], *, limit: int = MAX_CANCEL_IDS, prefixes: bool = True
) -> list[str]:
    """Validate task ids (non-empty, plain tokens, no duplicates, at most ``limit``); with
    ``prefixes``, the start of an id (6 or more hexadecimal characters) passes too."""
    problems: list[str] = []
    result: list[str] = []
    seen: set[str] = set()
    for raw in ids:
        tid = raw.strip()
        bad_text = text_problem(tid, "task id")
        if not tid:
            problems.append("empty task id: remove the blank entry")
        elif bad_text:
            problems.append(bad_text)
        elif not (_TASK_ID.match(tid) or (prefixes and _ID_PREFIX.match(tid))):
            short = ", or their first 6 or more as the table shows them" if prefixes else ""
            problems.append(
                f"task id {shown(raw)} is not a task id: ids are 32 hexadecimal characters "
                f"(0-9, a-f){short}: correct or remove it"
            )
        elif tid in seen:
            problems.append(f"task id {tid} is given twice: remove the duplicate")
        else:
            seen.add(tid)
            result.append(tid)
    if not ids:
        problems.append(
            "no task id given: give at least one task id (32 hex characters, "
            "as `efile-tui tasks` shows them)"
        )
    elif len(result) > limit:
        problems.append(
            f"{len(result)} task ids given; at most {limit} are accepted at once: split the list"
        )
    if problems:
        raise InputError(problems)
    return result


def read_ids(lines: Iterable[str]) -> list[str]:
    """Task ids from a file or stdin: one or more per line, ``#`` comments and blanks ignored."""
    ids: list[str] = []
    for line in lines:
        text = line.split("#", 1)[0]
        ids.extend(t for t in re.split(r"[\s,]+", text) if t)
    return ids


def decode_lines(data: bytes, *, source: str) -> list[str]:
    """Split file or stdin bytes into text lines; every line that is not UTF-8 is rejected.

    A leading byte-order mark is dropped. ``source`` names the input in messages
    (``--ids-file ids.txt``, ``standard input``); each bad line is named by its number.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines: list[str] = []
    problems: list[str] = []
    for number, raw in enumerate(data.splitlines(), 1):
        text = decode_input(raw)
        if not_text(text):
            problems.append(
                f"{source} line {number} {shown(text)} is not valid {encodings_named()} "
                "(the bytes shown as \\x..): save the file as UTF-8"
            )
        else:
            lines.append(text)
    if problems:
        raise InputError(problems)
    return lines


def check_journal_keys(keys: Sequence[str]) -> list[str]:
    """Validate journal keys (task ids or ``local:N``); duplicates are kept once."""
    problems: list[str] = []
    result: dict[str, None] = {}
    for raw in keys:
        key = raw.strip()
        if not key:
            continue
        if _LOCAL_KEY.match(key) or _TASK_ID.match(key) or _ID_PREFIX.match(key):
            result.setdefault(key, None)
        else:
            problems.append(
                f"{shown(raw)} is neither a task id nor a local:N key "
                "(see `efile-tui tasks --json`): fix or remove it"
            )
    if not result and not problems:
        problems.append("give the task ids (or local:N keys from `tasks --json`) to dismiss")
    if problems:
        raise InputError(problems)
    return list(result)


SHALLOW_PARTS = 3  # /public/home/USER, /work/home/USER: a home folder is this deep
NOTHING_LIFTS = "(too close to the root: never deleted, moved away or overwritten)"


def protected_reason(
    path: str, *, home: str | None, deny: Sequence[str] = (), allow: Sequence[str] = ()
) -> str | None:
    """Why deleting (or moving away, or overwriting) ``path`` is refused, or None.

    Refused always: ``/`` and anything with fewer than three components (``/public/home``),
    and deny-list entries — the entry itself, anything under it, and every folder that
    contains it (deleting those would destroy it too). Deny entries may use shell wildcards
    (``*/checkpoints``).

    Refused unless ``path`` is listed in ``allow`` (a deliberate override, path by path):
    every path of three components (``/public/home/USER``, ``/work/home/USER`` — a home
    folder, whether or not the home is known) and the known home folder and its ancestors.
    """
    norm = normalise_path(path)
    parts = [p for p in norm.split("/") if p]
    if not parts:
        return f"/ is the root of the file system {NOTHING_LIFTS}"
    if len(parts) < SHALLOW_PARTS:
        return f"{norm} has fewer than three path components {NOTHING_LIFTS}"
    allowed = norm in {normalise_path(a) for a in allow}
    if home and not allowed:
        home_n = normalise_path(home)
        if norm == home_n:
            return f"{norm} is your home folder"
        if _is_under(home_n, norm):
            return f"{norm} contains your home folder"
    denied = _deny_reason(norm, parts, deny)
    if denied or allowed:
        return denied
    if len(parts) == SHALLOW_PARTS:
        return (
            f"{norm} has only three path components: it may be a home folder "
            "(like /public/home/USER)"
        )
    return None


OVERRIDE_HINT = (
    "to delete such a path on purpose, use the CLI and name it again with --allow-protected PATH"
)
DENY_HINT = "deny-list entries are lifted only by editing the profile's deny_paths"
ABSOLUTE_HINT = "name a deeper path: nothing lifts the rule for / and paths that short"


def override_hint(reasons: Iterable[str]) -> str:
    """What the user can do about these refusals, and only what works: ``--allow-protected``
    for a home folder or a three-component path, the profile for a deny-list entry,
    nothing for ``/`` and paths of fewer than three components."""
    hints: dict[str, None] = {}
    for reason in reasons:
        if NOTHING_LIFTS in reason:
            hints[ABSOLUTE_HINT] = None
        elif "deny-list" in reason:
            hints[DENY_HINT] = None
        else:
            hints[OVERRIDE_HINT] = None
    return "; ".join(hints)


def denied_reason(path: str, deny: Sequence[str]) -> str | None:
    """Why the deny list protects ``path`` (the entry, under it, or containing it), or None.

    A folder above a wildcard entry's matches (``*/checkpoints``) is not caught here: only a
    walk of the folder finds them (see ``preview_delete``'s ``protected``).
    """
    norm = normalise_path(path)
    return _deny_reason(norm, [p for p in norm.split("/") if p], deny)


def has_wildcards(deny: Sequence[str]) -> bool:
    """True when some deny-list entry uses shell wildcards."""
    return any(_has_glob(entry) for entry in deny)


def _deny_reason(norm: str, parts: Sequence[str], deny: Sequence[str]) -> str | None:
    for entry in deny:
        entry_n = normalise_path(entry) if not _has_glob(entry) else entry.rstrip("/")
        if _has_glob(entry_n):
            if fnmatch.fnmatchcase(norm, entry_n) or any(
                fnmatch.fnmatchcase(posixpath.join("/", *parts[:i]), entry_n)
                for i in range(1, len(parts))
            ):
                return f"{norm} matches the deny-list entry {entry}"
            continue
        if norm == entry_n or _is_under(norm, entry_n):
            return f"{norm} is protected by the deny-list entry {entry}"
        if _is_under(entry_n, norm):
            return f"{norm} contains {entry}, protected by the deny-list"
    return None


def refused_items(
    operation: str,
    items: Iterable[tuple[str, str | None, str | None]],
    *,
    home: str | None,
    deny: Sequence[str] = (),
    allow: Sequence[str] = (),
) -> dict[str, str]:
    """The paths a submit would destroy that are protected, with the reason for each.

    ``items`` are ``(source, target, on_conflict)``. A delete or a move destroys its source;
    a copy or move with ``cover`` overwrites ``target/<name of source>``.
    """
    refused: dict[str, str] = {}
    for source, target, on_conflict in items:
        hit: list[str] = []
        if operation in ("delete", "move"):
            hit.append(source)
        if target and on_conflict == "cover":
            hit.append(posixpath.join(target, posixpath.basename(normalise_path(source))))
        for path in hit:
            reason = protected_reason(path, home=home, deny=deny, allow=allow)
            if reason:
                refused[path] = reason
    return refused


def _has_glob(text: str) -> bool:
    return any(c in text for c in "*?[")


def _is_under(child: str, parent: str) -> bool:
    """True when ``child`` is strictly inside ``parent`` (both normalised)."""
    return child.startswith(parent.rstrip("/") + "/")
