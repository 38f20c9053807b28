"""The one sanitiser for untrusted text: clean(), literal(), json_dumps()."""

from __future__ import annotations

import json
import unicodedata

import pytest
from rich.console import Console
from rich.text import Text

from efile_tui.core.text import clean, json_dumps, literal
from tests.hostile import CORPUS, EVERYTHING, MARKUP, raw_controls


@pytest.mark.parametrize("s", CORPUS)
def test_clean_leaves_nothing_raw(s: str) -> None:
    out = clean(s)
    assert raw_controls(out) == []
    assert "\n" not in out and "\t" not in out


def test_every_control_and_format_character_is_replaced() -> None:
    # The whole of Unicode, by category: nothing that is Cc/Cf/Zl/Zp/Cs survives.
    bad = [
        chr(cp)
        for cp in range(0x110000)
        if unicodedata.category(chr(cp)) in ("Cc", "Cf", "Zl", "Zp", "Cs")
    ]
    out = clean("".join(bad))
    left = [c for c in out if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Cs")]
    assert left == []


@pytest.mark.parametrize(
    "raw, shown",
    [
        ("a\x1b[2Jb", "a␛[2Jb"),
        ("bell\x07", "bell␇"),
        ("x\ry", "x␍y"),
        ("del\x7f", "del␡"),
        ("\x9b2J", "\\x9b2J"),
        ("evil\u202etxt", "evil\\u202etxt"),
        ("\u2066i\u2069", "\\u2066i\\u2069"),
        ("zero\u200bwidth", "zero\\u200bwidth"),
        ("tag\U000e0041", "tag\\U000e0041"),
        ("bytes\udcff", "bytes\\xff"),
        ("a\tb\nc", "a␉b␊c"),
    ],
)
def test_stand_ins_are_visible(raw: str, shown: str) -> None:
    assert clean(raw) == shown


def test_keep_newlines_keeps_only_tab_and_newline() -> None:
    assert clean("a\tb\r\nc\rd\x1b", keep_newlines=True) == "a\tb\nc␍d␛"


def test_readable_text_is_untouched() -> None:
    for s in ["数据文件夹/结果.csv", "😀🎉 emoji.txt", "plain [brackets] stay", "e\u0301"]:
        assert clean(s) is s or clean(s) == s


def test_non_strings() -> None:
    assert clean(None) == ""
    assert clean(42) == "42"
    assert clean(b"\x1b") == "b'\\x1b'"


@pytest.mark.parametrize("s", [*MARKUP, EVERYTHING])
def test_literal_is_never_markup(s: str) -> None:
    text = literal(s)
    assert isinstance(text, Text)
    assert text.plain == clean(s)
    assert text.spans == []
    console = Console(width=400, record=True, color_system=None)
    console.print(text)
    assert console.export_text().rstrip("\n") == clean(s)


def test_literal_style_and_options() -> None:
    text = literal("[b]x[/b]", "bold", no_wrap=True, overflow="ellipsis")
    assert text.plain == "[b]x[/b]" and str(text.style) == "bold" and text.no_wrap


@pytest.mark.parametrize("s", [*CORPUS, EVERYTHING])
def test_json_dumps_is_valid_inert_and_lossless(s: str) -> None:
    out = json_dumps({"name": s, "list": [s]}, indent=2)
    assert raw_controls(out.replace("\n", "")) == []
    assert json.loads(out) == {"name": s, "list": [s]}


def test_json_dumps_non_finite_numbers_become_null() -> None:
    out = json_dumps({"a": float("nan"), "b": [float("inf")], "c": 1.5})
    assert json.loads(out) == {"a": None, "b": [None], "c": 1.5}


def test_json_dumps_keeps_readable_text() -> None:
    assert json_dumps("数据😀") == '"数据😀"'


def test_the_cli_streams_show_every_write_cleaned() -> None:
    import io

    from efile_tui.cli.common import CleanStream

    raw = io.StringIO()
    stream = CleanStream(raw)
    stream.write("a\x1b[2J\n")
    stream.writelines(["b\x9b\n", "c\u202e\td\n"])
    print("e\x07", file=stream)
    assert raw.getvalue() == "a␛[2J\nb\\x9b\nc\\u202e\td\ne␇\n"
