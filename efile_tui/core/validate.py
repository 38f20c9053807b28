"""Input checks and safety rules, applied before anything is sent.

Every rejection names the offending item and says how to fix it, and checks report all
bad items at once rather than stopping at the first.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Iterable, Sequence

MAX_PATH_LEN = 4096
MAX_NAME_BYTES = 255
MAX_CANCEL_IDS = 10_000
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TASK_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class InputError(ValueError):
    """Input rejected before any request; ``problems`` lists one line per bad item."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def _shown(text: str) -> str:
    """A safe, visible rendering of user input (control and undecodable characters escaped)."""
    return repr(text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace"))


def normalise_path(path: str) -> str:
    """Collapse ``//`` and ``/./`` and drop a trailing slash (``..`` is rejected, not resolved)."""
    parts = [p for p in path.split("/") if p not in ("", ".")]
    return "/" + "/".join(parts)


def path_problem(path: str) -> str | None:
    """Why ``path`` is not an acceptable remote absolute path, or None."""
    if not path or not path.strip():
        return "empty path: give an absolute path such as /public/home/USER/dir"
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return f"path {_shown(path)} is not valid UTF-8: rename it or pass it correctly encoded"
    if not path.startswith("/"):
        return f"path {_shown(path)} is relative: give the absolute path (starting with /)"
    if _CONTROL.search(path):
        return f"path {_shown(path)} contains control characters (newline, tab, NUL…)"
    if len(path) > MAX_PATH_LEN:
        return f"path {_shown(path[:40] + '…')} is {len(path)} characters; the limit is 4096"
    parts = path.split("/")
    if ".." in parts:
        return f"path {_shown(path)} contains '..': give the resolved absolute path instead"
    for part in parts:
        if len(part.encode("utf-8")) > MAX_NAME_BYTES:
            return f"path {_shown(path[:40] + '…')} has a name longer than 255 bytes"
    return None


def check_paths(paths: Sequence[str], *, what: str = "path") -> list[str]:
    """Validate and normalise remote paths; duplicates (after normalising) are rejected."""
    problems: list[str] = []
    result: list[str] = []
    seen: dict[str, str] = {}
    if not paths:
        raise InputError([f"no {what} given"])
    for raw in paths:
        problem = path_problem(raw)
        if problem:
            problems.append(problem)
            continue
        norm = normalise_path(raw)
        if norm in seen:
            problems.append(
                f"{what} {_shown(raw)} is given twice"
                + (f" (same as {_shown(seen[norm])})" if seen[norm] != raw else "")
                + ": remove the duplicate"
            )
            continue
        seen[norm] = raw
        result.append(norm)
    if problems:
        raise InputError(problems)
    return result


def check_task_ids(ids: Sequence[str], *, limit: int = MAX_CANCEL_IDS) -> list[str]:
    """Validate task ids (non-empty, plain tokens, no duplicates, at most ``limit``)."""
    problems: list[str] = []
    result: list[str] = []
    seen: set[str] = set()
    for raw in ids:
        tid = raw.strip()
        if not tid:
            problems.append("empty task id: remove the blank entry")
        elif not _TASK_ID.match(tid):
            problems.append(
                f"task id {_shown(raw)} is not valid: ids are letters, digits, '-' or '_' "
                "(32 hex characters from the service)"
            )
        elif tid in seen:
            problems.append(f"task id {tid} is given twice: remove the duplicate")
        else:
            seen.add(tid)
            result.append(tid)
    if not ids:
        problems.append("no task id given")
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


def protected_reason(path: str, *, home: str | None, deny: Sequence[str] = ()) -> str | None:
    """Why deleting ``path`` is refused, or None when it is allowed.

    Refused: ``/``; anything with fewer than three components (``/public/home``); the home
    root itself and its ancestors; and deny-list entries — the entry itself, anything
    under it, and every folder that contains it (deleting those would destroy it too).
    Deny entries may use shell wildcards (``*/checkpoints``).
    """
    norm = normalise_path(path)
    parts = [p for p in norm.split("/") if p]
    if not parts:
        return "/ is the root of the file system"
    if len(parts) < 3:
        return f"{norm} has fewer than three path components (too close to the root)"
    if home:
        home_n = normalise_path(home)
        if norm == home_n:
            return f"{norm} is your home folder"
        if _is_under(home_n, norm):
            return f"{norm} contains your home folder"
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
            return f"{norm} contains the protected path {entry}"
    return None


def _has_glob(text: str) -> bool:
    return any(c in text for c in "*?[")


def _is_under(child: str, parent: str) -> bool:
    """True when ``child`` is strictly inside ``parent`` (both normalised)."""
    return child.startswith(parent.rstrip("/") + "/")
