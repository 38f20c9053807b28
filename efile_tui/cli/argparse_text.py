"""argparse's own error messages in the language in use.

argparse words its errors in English (``argument --limit: invalid int value: 'abc'``); each
template it uses is matched here and given through the catalog, the option names, values
and choices it quotes kept as they are. A message matching none is shown as argparse gave it.
"""

from __future__ import annotations

import re

from efile_tui.i18n import N_, _, ngettext

_COUNT = re.compile(r"expected (\d+) arguments?")  # argparse's ngettext: one form per number

# (argparse's wording, as a pattern of named parts; the message for people)
_TEMPLATES = tuple(
    (re.compile(pattern, re.S), template)
    for pattern, template in (
        (r"argument (?P<name>[^:]+): (?P<message>.*)", N_("argument {name}: {message}")),
        (
            r"invalid choice: (?P<value>.*) \(choose from (?P<choices>.*)\)",
            N_("invalid choice: {value} (choose from {choices})"),
        ),
        (r"invalid (?P<type>\w+) value: (?P<value>.*)", N_("invalid {type} value: {value}")),
        (r"expected one argument", N_("expected one argument")),
        (r"expected at most one argument", N_("expected at most one argument")),
        (r"expected at least one argument", N_("expected at least one argument")),
        (
            r"the following arguments are required: (?P<names>.*)",
            N_("the following arguments are required: {names}"),
        ),
        (
            r"one of the arguments (?P<names>.*) is required",
            N_("one of the arguments {names} is required"),
        ),
        (r"not allowed with argument (?P<name>.*)", N_("not allowed with argument {name}")),
        (
            r"ambiguous option: (?P<option>\S+) could match (?P<matches>.*)",
            N_("ambiguous option: {option} could match {matches}"),
        ),
    )
)


def translated(message: str) -> str:
    """argparse's error ``message`` in the language in use (as given if not one of its
    known templates); a quoted message (``argument X: …``) is translated in turn."""
    if count := _COUNT.fullmatch(message):
        n = int(count.group(1))
        return ngettext("expected {n} argument", "expected {n} arguments", n).format(n=n)
    for pattern, template in _TEMPLATES:
        match = pattern.fullmatch(message)
        if match is None:
            continue
        parts = match.groupdict()
        if "message" in parts:
            parts["message"] = translated(parts["message"])
        return _(template).format(**parts)
    return message


__all__ = ["translated"]
