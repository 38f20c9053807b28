"""The language people read: gettext catalogs, chosen the way every gettext program chooses.

Text for people is written ``_("Delete")``, or ``ngettext("%(n)d task", "%(n)d tasks", n)``
where a number decides the form; text fixed at import time (key bindings, tables of names)
is marked ``N_("…")`` and passed through ``_()`` where it is shown. Text for programs (JSON,
exit codes, ``--ids``, the journal and audit files) is never translated.

The language (:func:`choose`): ``EFILE_TUI_LANG`` (``en`` or ``zh_CN``), else the profile's
``language``, else the first of ``LANGUAGE`` (a ``:`` list), ``LC_ALL``, ``LC_MESSAGES``,
``LANG`` that is set — as gettext reads them, so the locale need not be installed. A
language without a catalog reads English.

The catalogs: ``efile_tui/locale/<lang>/LC_MESSAGES/efile_tui.po`` (the source, edited with
Poedit, Weblate or by hand) and beside it the compiled ``efile_tui.mo`` the program reads.
``tests/unit/test_i18n_catalog.py`` fails when a string is missing, untranslated or obsolete,
or when the ``.mo`` is not the ``.po`` compiled (``pybabel compile``; see locale/README.md).
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

DOMAIN = "efile_tui"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANG_ENV = "EFILE_TUI_LANG"
LANGUAGES = ("en", "zh_CN")  # what EFILE_TUI_LANG and the profile's language accept
_GETTEXT_ENV = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_translation: gettext.NullTranslations | None = None
_language = "en"


def normalise(name: str) -> str | None:
    """``zh_CN.UTF-8``, ``zh-cn``, ``zh_Hans``, ``zh`` → ``zh_CN``; ``en_US`` → ``en``;
    a language without a catalog (or ``C``/``POSIX``) → None."""
    base = name.split(".", 1)[0].split("@", 1)[0].replace("-", "_").lower()
    if base in ("c", "posix", ""):
        return None
    if base == "en" or base.startswith("en_"):
        return "en"
    if base in ("zh", "zh_cn", "zh_sg", "zh_hans") or base.startswith("zh_hans_"):
        return "zh_CN"
    return None


def choose(env: Mapping[str, str] | None = None, profile: str | None = None) -> str:
    """The language to show: ``EFILE_TUI_LANG``, the profile's, then the gettext variables.

    Raises ValueError for an ``EFILE_TUI_LANG`` or profile value that names no catalog.
    """
    env = os.environ if env is None else env
    for value, where in ((env.get(LANG_ENV), LANG_ENV), (profile, "language")):
        if value:
            chosen = normalise(value)
            if chosen is None:
                raise ValueError(
                    Msg(
                        N_("{name}={value}: use one of {names}"),
                        name=where,
                        value=repr(value),
                        names=", ".join(LANGUAGES),
                    )
                )
            return chosen
    for name in _GETTEXT_ENV:  # the first set wins, as Python's gettext.find reads them
        value = env.get(name)
        if not value:
            continue
        if name == "LANGUAGE":  # a ':' list: the first with a catalog
            for item in value.split(":"):
                chosen = normalise(item)
                if chosen:
                    return chosen
            continue
        return normalise(value) or "en"
    return "en"


def use(language: str) -> None:
    """Show ``language`` from now on (``en`` or a language with a catalog)."""
    global _translation, _language
    _language = language
    if language == "en":
        _translation = gettext.NullTranslations()
        return
    _translation = gettext.translation(
        DOMAIN, localedir=str(LOCALE_DIR), languages=[language], fallback=True
    )


def setup(profile: str | None = None) -> str | None:
    """Choose the language from the environment and the profile's setting, and use it.

    Returns the problem with an unusable ``EFILE_TUI_LANG`` or setting (the gettext
    variables then decide), in the language then in use, or None.
    """
    try:
        use(choose(profile=profile))
    except ValueError as exc:
        use(choose({k: v for k, v in os.environ.items() if k != LANG_ENV}))
        return shown_error(exc)
    return None


def current() -> str:
    """The language in use (``en`` until one is chosen)."""
    _active()
    return _language


def _active() -> gettext.NullTranslations:
    if _translation is None:
        setup()
    assert _translation is not None
    return _translation


def _(message: str) -> str:
    """``message`` in the language in use."""
    return _active().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of ``singular``/``plural`` for the number ``n`` in the language in use."""
    return _active().ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without translating it yet (shown through ``_``)."""
    return message


class Msg(str):
    """Text that programs read in English and people read translated.

    A ``Msg`` *is* its English text (``template.format(**fields)``): stored in the journal,
    the audit log or JSON it never changes with the language. Where it is shown to a person,
    :func:`shown` gives it in the language in use: the template through the catalog, each
    field shown the same way (a field may be a ``Msg``). Write the template ``N_("…")``.
    """

    template: str
    fields: dict[str, object]
    plural: tuple[str, int] | None = None  # (plural template, the number): see nmsg

    def __new__(cls, template: str, /, **fields: object) -> Msg:
        self = super().__new__(cls, template.format(**fields))
        self.template = template
        self.fields = fields
        return self

    def __copy__(self) -> Msg:
        return self  # never changed after it is made

    def __deepcopy__(self, memo: dict[int, object]) -> Msg:
        return self  # (``dataclasses.asdict`` copies; rebuilt from its text, ``{`` would break)

    def shown(self) -> str:
        """This text in the language in use."""
        fields = {k: shown(v) if isinstance(v, str) else v for k, v in self.fields.items()}
        if self.plural is not None:
            return ngettext(self.template, self.plural[0], self.plural[1]).format(**fields)
        return _(self.template).format(**fields)


def nmsg(singular: str, plural: str, n: int, /, **fields: object) -> Msg:
    """A :class:`Msg` whose form the number ``n`` decides, as :func:`ngettext` does."""
    message = Msg(singular if n == 1 else plural, **fields)
    message.template = singular
    message.plural = (plural, n)
    return message


def joined(separator: str, parts: Iterable[str]) -> Msg:
    """``parts`` joined by ``separator``, each shown translated where it is a :class:`Msg`."""
    items = list(parts)
    sep = separator.replace("{", "{{").replace("}", "}}")
    template = sep.join(f"{{p{i}}}" for i in range(len(items)))
    return Msg(template, **{f"p{i}": part for i, part in enumerate(items)})


def shown(text: str) -> str:
    """``text`` for a person: a :class:`Msg` translated, any other text as it is."""
    return text.shown() if isinstance(text, Msg) else text


def shown_error(exc: BaseException) -> str:
    """An exception's text for a person: its message translated where it is a :class:`Msg`."""
    message = exc.args[0] if len(exc.args) == 1 else None
    return message.shown() if isinstance(message, Msg) else str(exc)


__all__ = [
    "DOMAIN",
    "LANGUAGES",
    "LANG_ENV",
    "LOCALE_DIR",
    "N_",
    "Msg",
    "_",
    "choose",
    "current",
    "joined",
    "ngettext",
    "nmsg",
    "normalise",
    "setup",
    "shown",
    "shown_error",
    "use",
]
