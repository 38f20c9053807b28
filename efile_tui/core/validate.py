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
from efile_tui.i18n import N_, Msg, joined

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
        super().__init__(joined("\n", self.problems))


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
        return Msg(
            N_(
                "{what} {text} is not valid {encodings} (the bytes shown as \\x..): pass it "
                "in UTF-8"
            ),
            what=what,
            text=shown(text),
            encodings=encodings_named(),
        )
    bad = _CONTROL.search(text)
    if bad:
        return Msg(
            N_(
                "{what} {text} contains the control character {char} at position {n} "
                "(newline, tab, NUL, escape…): remove it"
            ),
            what=what,
            text=shown(text),
            char=repr(bad.group()),
            n=bad.start() + 1,
        )
    return None


def path_problem(path: str) -> str | None:
    """Why ``path`` is not an acceptable remote absolute path, or None."""
    if not path or not path.strip():
        return Msg(N_("empty path: give an absolute path such as /public/home/USER/dir"))
    if not_text(path):
        return Msg(
            N_(
                "path {path} is not valid {encodings} (the bytes shown as \\x..): rename it "
                "or pass it correctly encoded"
            ),
            path=shown(path),
            encodings=encodings_named(),
        )
    size = len(path.encode("utf-8"))
    if not path.startswith("/"):
        if path.lstrip().startswith("/"):
            return Msg(
                N_("path {path} starts with a space: remove the leading space"), path=shown(path)
            )
        return Msg(
            N_("path {path} is relative: give the absolute path (starting with /)"),
            path=shown(path),
        )
    bad = _CONTROL.search(path)
    if bad:
        return Msg(
            N_(
                "path {path} contains the control character {char} at position {n} "
                "(newline, tab, NUL, escape…): rename the file or remove the character from "
                "the argument"
            ),
            path=shown(path),
            char=repr(bad.group()),
            n=bad.start() + 1,
        )
    if size > MAX_PATH_LEN:
        return Msg(
            N_("path {path} is {size} bytes long; the limit is {limit} bytes: give a shorter path"),
            path=shown(path),
            size=size,
            limit=MAX_PATH_LEN,
        )
    parts = path.split("/")
    if ".." in parts:
        return Msg(
            N_("path {path} contains '..': give the resolved absolute path instead"),
            path=shown(path),
        )
    for part in parts:
        name_bytes = len(part.encode("utf-8"))
        if name_bytes > MAX_NAME_BYTES:
            return Msg(
                N_(
                    "path {path} has a name of {size} bytes ({name}); names are limited to "
                    "{limit} bytes: shorten that name"
                ),
                path=shown(path),
                size=name_bytes,
                name=shown(part, 40),
                limit=MAX_NAME_BYTES,
            )
    return None


def check_paths(paths: Sequence[str], *, what: str = N_("path")) -> list[str]:
    """Validate and normalise remote paths; duplicates (after normalising) are rejected."""
    problems: list[str] = []
    result: list[str] = []
    seen: dict[str, str] = {}
    if not paths:
        raise InputError(
            [Msg(N_("no {what} given: give at least one absolute path"), what=Msg(what))]
        )
    for raw in paths:
        problem = path_problem(raw)
        if problem:
            problems.append(problem)
            continue
        norm = normalise_path(raw)
        if norm in seen:
            same = Msg(N_(" (same as {path})"), path=shown(seen[norm])) if seen[norm] != raw else ""
            twice = N_("{what} {path} is given twice{same}: remove the duplicate")
            problems.append(Msg(twice, what=Msg(what), path=shown(raw), same=same))
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
        bad_text = text_problem(tid, Msg(N_("task id")))
        if not tid:
            problems.append(Msg(N_("empty task id: remove the blank entry")))
        elif bad_text:
            problems.append(bad_text)
        elif not (_TASK_ID.match(tid) or (prefixes and _ID_PREFIX.match(tid))):
            short = (
                Msg(N_(", or their first 6 or more as the table shows them")) if prefixes else ""
            )
            text = N_(
                "task id {id} is not a task id: ids are 32 hexadecimal characters "
                "(0-9, a-f){short}: correct or remove it"
            )
            problems.append(Msg(text, id=shown(raw), short=short))
        elif tid in seen:
            problems.append(Msg(N_("task id {id} is given twice: remove the duplicate"), id=tid))
        else:
            seen.add(tid)
            result.append(tid)
    if not ids:
        text = N_(
            "no task id given: give at least one task id (32 hex characters, as "
            "`efile-tui tasks` shows them)"
        )
        problems.append(Msg(text))
    elif len(result) > limit:
        text = N_("{n} task ids given; at most {limit} are accepted at once: split the list")
        problems.append(Msg(text, n=len(result), limit=limit))
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
                Msg(
                    N_(
                        "{source} line {n} {text} is not valid {encodings} (the bytes shown as "
                        "\\x..): save the file as UTF-8"
                    ),
                    source=source,
                    n=number,
                    text=shown(text),
                    encodings=encodings_named(),
                )
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
                Msg(
                    N_(
                        "{key} is neither a task id nor a local:N key (see `efile-tui tasks "
                        "--json`): fix or remove it"
                    ),
                    key=shown(raw),
                )
            )
    if not result and not problems:
        problems.append(
            Msg(N_("give the task ids (or local:N keys from `tasks --json`) to dismiss"))
        )
    if problems:
        raise InputError(problems)
    return list(result)


SHALLOW_PARTS = 3  # /public/home/USER, /work/home/USER: a home folder is this deep
NOTHING_LIFTS = Msg(N_("(too close to the root: never deleted, moved away or overwritten)"))


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
        return Msg(N_("/ is the root of the file system {why}"), why=NOTHING_LIFTS)
    if len(parts) < SHALLOW_PARTS:
        return Msg(
            N_("{path} has fewer than three path components {why}"), path=norm, why=NOTHING_LIFTS
        )
    allowed = norm in {normalise_path(a) for a in allow}
    if home and not allowed:
        home_n = normalise_path(home)
        if norm == home_n:
            return Msg(N_("{path} is your home folder"), path=norm)
        if _is_under(home_n, norm):
            return Msg(N_("{path} contains your home folder"), path=norm)
    denied = _deny_reason(norm, parts, deny)
    if denied or allowed:
        return denied
    if len(parts) == SHALLOW_PARTS:
        return Msg(
            N_(
                "{path} has only three path components: it may be a home folder (like "
                "/public/home/USER)"
            ),
            path=norm,
        )
    return None


OVERRIDE_HINT = N_(
    "to delete such a path on purpose, use the CLI and name it again with --allow-protected PATH"
)
DENY_HINT = N_("deny-list entries are lifted only by editing the profile's deny_paths")
ABSOLUTE_HINT = N_("name a deeper path: nothing lifts the rule for / and paths that short")


def override_hint(reasons: Iterable[str]) -> Msg:
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
    return joined("; ", (Msg(hint) for hint in hints))


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
                return Msg(N_("{path} matches the deny-list entry {entry}"), path=norm, entry=entry)
            continue
        if norm == entry_n or _is_under(norm, entry_n):
            return Msg(
                N_("{path} is protected by the deny-list entry {entry}"), path=norm, entry=entry
            )
        if _is_under(entry_n, norm):
            return Msg(
                N_("{path} contains {entry}, protected by the deny-list"), path=norm, entry=entry
            )
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
