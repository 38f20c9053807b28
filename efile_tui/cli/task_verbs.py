"""``tasks VERB --help``: each verb of ``tasks`` has its own usage, words and options.

The verbs (``tasks add|dismiss|label|resolve|resubmit|report``) are words of the ``tasks``
command, so argparse alone would answer ``tasks resolve --help`` with the usage of
``tasks``; :func:`verb_help` answers it with the verb's own.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

from efile_tui.cli.common import add_connection_args
from efile_tui.cli.select import add_filter_args, add_format_args, add_ids_file_arg
from efile_tui.i18n import N_, _

KEYS = N_("task ids (or their first 6+ characters) or local:N keys")

# verb -> (its words, what it does, which option groups it takes)
VERBS: dict[str, tuple[str, str, str]] = {
    "add": ("ID… | --ids-file FILE|-", N_("Track task ids started elsewhere (whole ids)."), "i"),
    "dismiss": (
        "ID|local:N…",
        N_(
            "Hide entries you have dealt with: finished, vanished or outcome-unknown ones "
            "(running tasks are not dismissed)."
        ),
        "",
    ),
    "label": (
        "TEXT ID|local:N… | TEXT FILTERS",
        N_("Give tasks a label ('' clears it), by id or by filter."),
        "f",
    ),
    "resolve": (
        "[ID|local:N…] [FILTERS]",
        N_(
            "Settle submits whose answer was lost, and vanished tasks, by looking at their "
            "paths: done, not done, or undecided with the reason."
        ),
        "f",
    ),
    "resubmit": (
        "[ID|local:N… | FILTERS] [--yes]",
        N_("Submit again what failed or was found not done (default: every failed item)."),
        "fy",
    ),
    "report": (
        "[ID|local:N… | FILTERS] [--format csv|json]",
        N_("Write one row per task: its state, error code and message, times."),
        "fr",
    ),
}


def verb_parser(
    verb: str, parser: type[argparse.ArgumentParser] = argparse.ArgumentParser
) -> argparse.ArgumentParser:
    """The parser (of class ``parser``: the CLI's own) whose help describes ``tasks VERB``."""
    words, what, groups = VERBS[verb]
    p = parser(
        prog=f"efile-tui tasks {verb}",
        usage=f"efile-tui tasks {verb} {words}",
        description=_(what),
    )
    p.add_argument("keys", nargs="*", metavar="ID", help=_(KEYS))
    options: dict[str, Callable[[argparse.ArgumentParser], None]] = {
        "i": add_ids_file_arg,
        "f": add_filter_args,
        "r": add_format_args,
    }
    for key in groups:
        if key in options:
            options[key](p)
    if "f" in groups:
        p.add_argument("--all", action="store_true", help=_("include tasks finished over 24 h ago"))
    if "r" in groups:
        p.add_argument(
            "--format", choices=("csv", "json"), default="csv", help=_("report: output format")
        )
    if "y" in groups:
        p.add_argument("-y", "--yes", action="store_true", help=_("resubmit: do not ask"))
    add_connection_args(p)
    return p


def verb_help(
    words: Sequence[str], parser: type[argparse.ArgumentParser] = argparse.ArgumentParser
) -> str | None:
    """The help of ``tasks VERB … --help`` (None: not such a command line)."""
    if len(words) < 2 or words[0] != "tasks" or words[1] not in VERBS:
        return None
    if not any(w in ("-h", "--help") for w in words[2:]):
        return None
    return verb_parser(words[1], parser).format_help()


__all__ = ["VERBS", "verb_help", "verb_parser"]
