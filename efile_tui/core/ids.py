"""Task ids as people type them: a unique prefix of the journal's ids, as the table shows.

The TUI shows the first 8 characters of an id; every command that takes ids takes any
prefix of 6 or more hexadecimal characters that names exactly one task of the journal. An
ambiguous prefix is refused with its candidates; ``local:N`` keys pass unchanged; a full
id the journal does not hold passes too (``tasks ID``, ``cancel ID`` and ``watch ID`` work
on tasks started elsewhere).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from efile_tui.core.validate import InputError, shown
from efile_tui.i18n import N_, Msg
from efile_tui.store.journal import Journal

MIN_PREFIX = 6
CANDIDATES_SHOWN = 5
_FULL_ID = re.compile(r"^(?=(?:-*[0-9A-Fa-f]){16})[0-9A-Fa-f-]{16,64}$")


def expand_ids(journal: Journal, keys: Sequence[str], *, prefixes: bool = True) -> list[str]:
    """``keys`` with each prefix replaced by the one task id it starts (duplicates once).

    Raises :class:`InputError` naming every key that is ambiguous (with its candidates) or
    that starts no task of the journal and is not a whole id; nothing is accepted then.
    With ``prefixes=False`` (ids to import), only whole ids are taken.
    """
    problems: list[str] = []
    out: dict[str, None] = {}
    for key in keys:
        if key.startswith("local:") or journal.get(key) is not None:
            out.setdefault(key, None)
            continue
        found = journal.task_ids_starting(key, limit=CANDIDATES_SHOWN + 1) if prefixes else []
        if len(found) == 1:
            out.setdefault(found[0], None)
        elif found:
            more = " …" if len(found) > CANDIDATES_SHOWN else ""
            problems.append(
                Msg(
                    N_("{key} is ambiguous: it starts {ids}{more}: give more characters"),
                    key=shown(key),
                    ids=", ".join(found[:CANDIDATES_SHOWN]),
                    more=more,
                )
            )
        elif _FULL_ID.match(key):
            out.setdefault(key, None)
        elif prefixes:
            text = N_(
                "no task in the journal starts with {key}: give the whole id, or see "
                "`efile-tui tasks --all`"
            )
            problems.append(Msg(text, key=shown(key)))
        else:
            text = N_("{key} is not a whole task id (32 hexadecimal characters)")
            problems.append(Msg(text, key=shown(key)))
    if problems:
        raise InputError(problems)
    return list(out)


__all__ = ["CANDIDATES_SHOWN", "MIN_PREFIX", "expand_ids"]
