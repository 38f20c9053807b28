"""The catalogs hold exactly the strings the code shows, translated, and the ``.mo`` files are
their ``.po`` compiled (see efile_tui/locale/README.md)."""

from __future__ import annotations

import ast
import io
import re
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from efile_tui import i18n

PACKAGE = Path(i18n.__file__).resolve().parent
KEYWORDS = {"_": None, "ngettext": (1, 2), "nmsg": (1, 2), "N_": None}
CATALOGS = sorted(i18n.LOCALE_DIR.glob("*/LC_MESSAGES/efile_tui.po"))


def _key(message: str | tuple[str, ...]) -> str:
    return message[0] if isinstance(message, tuple) else message


def extracted() -> dict[str, tuple[str, ...] | str]:
    """Every string the code passes to ``_``, ``ngettext`` or ``N_``: msgid → message."""
    found: dict[str, tuple[str, ...] | str] = {}
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(PACKAGE), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        found.setdefault(_key(message), message)
    return found


def load(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f)


def _entry(message: tuple[str, ...] | str) -> str:
    def q(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'

    if isinstance(message, tuple):
        return f'msgid {q(message[0])}\nmsgid_plural {q(message[1])}\nmsgstr[0] ""\n'
    return f'msgid {q(message)}\nmsgstr ""\n'


def test_there_is_a_chinese_catalog() -> None:
    assert [p.parts[-3] for p in CATALOGS] == ["zh_CN"]


def test_every_string_shown_is_in_every_catalog_and_no_entry_is_obsolete() -> None:
    code = extracted()
    assert len(code) > 0
    for path in CATALOGS:
        catalog = load(path)
        have = {_key(m.id) for m in catalog if m.id}
        missing = [code[k] for k in code if k not in have]
        obsolete = sorted(have - set(code))
        assert not missing, f"{path}: add (then translate and compile):\n\n" + "\n".join(
            _entry(m) for m in missing
        )
        assert not obsolete, f"{path}: entries no longer in the code (remove): {obsolete}"


def test_every_entry_is_translated_once_with_the_same_placeholders() -> None:
    for path in CATALOGS:
        text = path.read_text("utf-8")
        ids = re.findall(r'^msgid "(.*)"$', text, re.M)
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        assert not dupes, f"{path}: entries twice (a merge added both): {dupes}"
        catalog = load(path)
        for message in catalog:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            assert all(strings), f"{path}: not translated: {message.id!r}"
            assert not message.fuzzy, f"{path}: fuzzy (check and clear the flag): {message.id!r}"
            source = _key(message.id)
            for translated in strings:
                assert _fields(translated) == _fields(source), (
                    f"{path}: placeholders differ: {source!r} vs {translated!r}"
                )
        problems = [(m.id, errs) for m, errs in catalog.check() if errs]
        assert not problems, problems


def test_every_entry_has_one_msgstr_and_the_plural_forms_of_its_language() -> None:
    """A union merge can glue a second ``msgstr`` to an entry (the ``.po`` then reads
    the last one); a plural entry has exactly one ``msgstr[i]`` for each form the
    language's ``Plural-Forms`` header names, and that header is the language's own."""
    for path in CATALOGS:
        catalog = load(path)
        expected = get_plural(path.parts[-3])
        forms = dict(catalog.mime_headers).get("Plural-Forms", "").replace(" ", "")
        assert forms == f"nplurals={expected.num_plurals};plural={expected.plural_expr};", forms
        blocks = path.read_text("utf-8").rstrip("\n").split("\n\n")
        for block in blocks[1:]:
            keywords = re.findall(r"^(msgid_plural|msgid|msgstr(?:\[\d+\])?) ", block, re.M)
            if "msgid_plural" in keywords:
                want = ["msgid", "msgid_plural"]
                want += [f"msgstr[{i}]" for i in range(catalog.num_plurals)]
            else:
                want = ["msgid", "msgstr"]
            assert keywords == want, f"{path}: entry with {keywords} (want {want}):\n{block}"


def _fields(text: str) -> list[str]:
    """The ``%(name)s`` and ``{name}`` placeholders of a message, sorted."""
    return sorted(re.findall(r"%\([a-z_]+\)[a-z]|%[sd]|\{[a-z_]*\}", text))


# Calls that show their text to people: a literal with words in them must go through _().
SHOWN_BY = {"notify", "say", "print", "Label", "Static", "Button", "CliError", "warn", "confirm",
            "ring", "InputError", "StateFileError", "TokenFileError", "ConfigError",
            "SettingError", "ArgumentTypeError", "exit", "fail"}  # fmt: skip
# Lists of problems a person is shown (a journal's, a config reader's): ``problems.append(…)``.
SHOWN_LISTS = "problems"
WORDS = re.compile(r"[A-Za-z]{2,}")


def _literal_words(node: ast.expr) -> list[str]:
    """The words in a literal (or an f-string's literal parts, or a sum of them)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return WORDS.findall(node.value.replace("efile-tui", ""))
    if isinstance(node, ast.JoinedStr):
        return [w for part in node.values for w in _literal_words(part)]
    if isinstance(node, ast.BinOp):
        return _literal_words(node.left) + _literal_words(node.right)
    return []


def _name(node: ast.expr | None) -> str:
    """The name of ``x`` or ``a.x`` ("" for anything else)."""
    return (
        node.id
        if isinstance(node, ast.Name)
        else node.attr
        if isinstance(node, ast.Attribute)
        else ""
    )


def _plain_title(node: ast.AST) -> bool:
    """``title = "Words"``: a title not marked for the catalog."""
    return (
        isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "title" for t in node.targets)
        and bool(_literal_words(node.value))
    )


def test_no_text_for_people_is_passed_to_the_screen_untranslated() -> None:
    """Every literal with words given to a call that shows it (notify, say, print, Label,
    Static, Button, CliError, an app's exit message, a config or argument error…) or put in
    a list of problems shown later is wrapped in ``_()`` (the program's name aside)."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "sim" in path.relative_to(PACKAGE).parts:  # the simulator speaks for the service
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if _plain_title(node):  # an error's title, shown as _(exc.title): N_("…")
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: title = …")
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else ""
            )
            owner = func.value if isinstance(func, ast.Attribute) else None
            listed = name == "append" and _name(owner).endswith(SHOWN_LISTS)
            if name not in SHOWN_BY and not listed:
                continue
            args = [*node.args, *(k.value for k in node.keywords if k.arg in ("title", "message"))]
            for arg in args:
                if _literal_words(arg):
                    found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: {name}(…)")
    assert not found, "wrap in _() (efile_tui.i18n):\n" + "\n".join(found)


def test_every_mo_is_its_po_compiled() -> None:
    for path in CATALOGS:
        out = io.BytesIO()
        write_mo(out, load(path))
        mo = path.with_suffix(".mo")
        assert mo.exists() and mo.read_bytes() == out.getvalue(), (
            f"{mo} is not {path.name} compiled: run pybabel compile -d efile_tui/locale "
            "-D efile_tui"
        )
