"""When a task the service stops returning counts as vanished: plain data, imported by the
settings (``config``), the journal (``store.journal``) and everything above them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from efile_tui.i18n import N_, Msg

VANISH_KEYS = ("vanish_after_misses", "vanish_after_seconds")  # a profile's settings
Fail = Callable[[str, str], Exception]  # (key, what is wrong with its value) -> error


class VanishRule(NamedTuple):
    """When a task the service stops returning counts as vanished.

    The service answers for a task until 24 h after it ends; a task it leaves out of an
    answer before it was seen to end has been lost (a restarted or mixed-up service, a
    mistyped import). A lagging service may miss a task once, so it counts as vanished
    only once it has been missing from ``misses`` answers over at least ``seconds`` (an
    imported id the service has never reported: at the first answer without it).
    """

    misses: int = 3
    seconds: float = 60.0

    @classmethod
    def from_toml(cls, table: Mapping[str, Any], fail: Fail) -> VanishRule:
        """The rule a profile's table sets (the defaults for what it leaves out); a bad
        value raises ``fail(key, what is wrong)``."""
        misses = table.get(VANISH_KEYS[0], cls._field_defaults["misses"])
        if isinstance(misses, bool) or not isinstance(misses, int) or misses < 1:
            raise fail(VANISH_KEYS[0], Msg(N_("must be a whole number of answers, 1 or more")))
        seconds = table.get(VANISH_KEYS[1], cls._field_defaults["seconds"])
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
            raise fail(VANISH_KEYS[1], Msg(N_("must be a number of seconds, 0 or more")))
        return cls(misses, float(seconds))

    def to_toml(self) -> dict[str, Any]:
        """The profile settings that differ from the defaults."""
        default = VanishRule()
        out: dict[str, Any] = {}
        if self.misses != default.misses:
            out[VANISH_KEYS[0]] = self.misses
        if self.seconds != default.seconds:
            out[VANISH_KEYS[1]] = float(self.seconds)
        return out


DEFAULT_VANISH = VanishRule()


__all__ = ["DEFAULT_VANISH", "VANISH_KEYS", "VanishRule"]
