"""Remote paths read from a file or standard input, checked one by one before any is sent.

One path a line (or NUL-separated, for names that hold a newline, as ``find -print0``
writes them). Blank lines are skipped; a trailing carriage return (a file saved on Windows)
is dropped. Every bad line is named by its number and the reason, all of them at once, and
nothing is accepted unless every line is.
"""

from __future__ import annotations

from collections.abc import Sequence

from efile_tui.core.terminal import decode_input, encodings_named
from efile_tui.core.validate import InputError, normalise_path, not_text, path_problem, shown
from efile_tui.i18n import N_, Msg

MAX_PROBLEMS_SHOWN = 50


def split_records(data: bytes, *, nul: bool) -> list[tuple[int, bytes]]:
    """(record number, bytes) for each non-blank record; numbers count blank ones too."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if nul:
        raw = data.split(b"\0")
    else:
        raw = [line[:-1] if line.endswith(b"\r") else line for line in data.split(b"\n")]
    return [(n, rec) for n, rec in enumerate(raw, 1) if rec.strip()]


def read_path_list(
    data: bytes, *, source: str, nul: bool = False, already: Sequence[str] = ()
) -> list[str]:
    """The normalised paths in ``data``; InputError lists every bad record by number.

    ``source`` names the input in messages (``--from-file list.txt``); ``already`` holds
    paths given another way (the command line), which a record may not repeat.
    """
    unit = N_("record {n}") if nul else N_("line {n}")
    problems: list[str] = []
    seen: dict[str, str] = {normalise_path(p): Msg(N_("the command line")) for p in already}
    paths: list[str] = []
    for number, raw in split_records(data, nul=nul):
        where = Msg(N_("{source} {unit}"), source=source, unit=Msg(unit, n=number))
        text = decode_input(raw)
        if not_text(text):
            problems.append(
                Msg(
                    N_(
                        "{where}: {text} is not valid {encodings} (the bytes shown as \\x..): "
                        "save the file as UTF-8"
                    ),
                    where=where,
                    text=shown(text),
                    encodings=encodings_named(),
                )
            )
            continue
        problem = path_problem(text)
        if problem:
            problems.append(Msg(N_("{where}: {problem}"), where=where, problem=problem))
            continue
        norm = normalise_path(text)
        if norm in seen:
            problems.append(
                Msg(
                    N_("{where}: {text} repeats {earlier}: remove the duplicate"),
                    where=where,
                    text=shown(text),
                    earlier=seen[norm],
                )
            )
            continue
        seen[norm] = Msg(unit, n=number)
        paths.append(norm)
    if not paths and not problems:
        empty = N_("{source} holds no path: give one absolute path a record")
        if not nul:
            empty = N_("{source} holds no path: give one absolute path a line")
        problems.append(Msg(empty, source=source))
    if problems:
        shown_problems = problems[:MAX_PROBLEMS_SHOWN]
        more = len(problems) - MAX_PROBLEMS_SHOWN
        if more > 0:
            many = N_("… and {n} more bad records") if nul else N_("… and {n} more bad lines")
            shown_problems.append(Msg(many, n=more))
        raise InputError(shown_problems)
    return paths
