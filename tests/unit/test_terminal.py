"""Output encoding and symbol choice (core.terminal, efile_tui.glyphs), and the CLI under
non-UTF-8 locales."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from efile_tui import glyphs
from efile_tui.core import terminal
from tests.conftest import HOME, Sim

UNICODE_SYMBOLS = "▶✓✗⊘▱╭─│●"


def test_auto_writes_utf8_under_a_gb18030_locale() -> None:
    p = terminal.plan(env={"TERM": "xterm-256color"}, locale_enc="gb18030")
    assert p.encoding == "utf-8" and p.locale_encoding == "gb18030"
    assert p.glyphs is glyphs.UNICODE
    assert any("EFILE_TUI_ENCODING=locale" in r for r in p.reasons)


def test_locale_encoding_that_cannot_encode_the_symbols_picks_ascii() -> None:
    p = terminal.plan(encoding="locale", env={"TERM": "xterm"}, locale_enc="gb2312")
    assert p.encoding == "gb2312" and p.glyphs is glyphs.ASCII


@pytest.mark.parametrize("term", ["linux", "vt100", "vt220"])
def test_old_terminals_get_ascii(term: str) -> None:
    assert terminal.plan(env={"TERM": term}, locale_enc="utf-8").glyphs is glyphs.ASCII


def test_flag_beats_environment_beats_profile() -> None:
    env = {"TERM": "linux", terminal.GLYPHS_ENV: "unicode"}
    assert terminal.plan(env=env, locale_enc="utf-8").glyphs is glyphs.UNICODE
    assert terminal.plan(glyph_choice="ascii", env=env, locale_enc="utf-8").glyphs is glyphs.ASCII
    assert (
        terminal.plan(profile_glyphs="ascii", env={"TERM": "xterm"}, locale_enc="utf-8").glyphs
        is glyphs.ASCII
    )


def test_bad_values_are_named() -> None:
    with pytest.raises(ValueError, match="EFILE_TUI_ENCODING"):
        terminal.plan(env={terminal.ENCODING_ENV: "latin9"}, locale_enc="utf-8")
    with pytest.raises(ValueError, match="glyphs"):
        terminal.plan(glyph_choice="fancy", env={}, locale_enc="utf-8")


def test_ascii_stream_maps_every_symbol_to_one_cell_and_never_escapes() -> None:
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="utf-8")
    p = terminal.plan(encoding="locale", env={"TERM": "xterm"}, locale_enc="gb2312")
    saved = glyphs.current()
    try:
        terminal.apply(p, (stream,))
        stream.write(UNICODE_SYMBOLS + " 中文 ⌛")
        stream.flush()
    finally:
        glyphs.use(saved)
    out = raw.getvalue().decode("gb2312")
    assert out == ">+x/-+-|* 中文 ??"  # ⌛ is two cells wide: two question marks
    assert "\\u" not in out


def test_every_unicode_symbol_has_a_same_width_ascii_stand_in() -> None:
    for word, symbol in glyphs.UNICODE.status.items():
        assert symbol.translate(glyphs.FALLBACK) == glyphs.ASCII.of(word)
    for char, ascii_char in glyphs.FALLBACK.items():
        assert len(ascii_char) == 1 and ascii_char.isascii(), chr(char)


def test_doctor_says_what_is_written_and_how_to_change_it(sim: Sim) -> None:
    if not _locale_available("zh_CN.gb18030"):
        pytest.skip("locale zh_CN.GB18030 not generated (localedef -i zh_CN -f GB18030 …)")
    env = {**sim.env, "LANG": "zh_CN.GB18030", "LC_ALL": "zh_CN.GB18030", "TERM": "xterm"}
    env["PYTHONUTF8"] = "0"
    proc = subprocess.run(
        [sys.executable, "-m", "efile_tui", "doctor"], env=env, capture_output=True, timeout=60
    )
    out = proc.stdout.decode("utf-8")
    assert "16 colours" in out and "writing utf-8" in out
    assert "EFILE_TUI_ENCODING=locale" in out


def _locale_available(name: str) -> bool:
    out = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout.lower()
    return name.lower().replace("-", "") in out.replace("-", "")


@pytest.mark.parametrize("lang", ["zh_CN", "zh_CN.GB18030"])
def test_cli_prints_under_chinese_locales_without_errors(sim: Sim, lang: str) -> None:
    if not _locale_available(lang if "." in lang else "zh_CN"):
        pytest.skip(f"locale {lang} not generated (localedef -i zh_CN -f GB2312 zh_CN)")
    env = {**sim.env, "LANG": lang, "LC_ALL": lang, "TERM": "xterm-256color", "PYTHONUTF8": "0"}
    project = sorted(p.name for p in sim.root.iterdir() if p.is_dir())[0]

    def cli(*args: str) -> tuple[str, str]:
        proc = subprocess.run(
            [sys.executable, "-m", "efile_tui", *args], env=env, capture_output=True, timeout=60
        )
        out, err = proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")
        assert proc.returncode == 0, err
        assert "Traceback" not in err and "\\u" not in out + err
        return out, err

    cli("rm", f"{HOME}/{project}", "--yes")
    out, _ = cli("tasks")
    assert "delete" in out
    # Written in UTF-8 (the terminal's encoding, not the locale's): Unicode symbols.
    assert set(out) & set(UNICODE_SYMBOLS)


def test_input_is_read_in_the_output_encoding_first_then_the_other() -> None:
    def order(choice: str, loc: str) -> tuple[str, ...]:
        return terminal.reading_order(terminal.plan(encoding=choice, env={}, locale_enc=loc))

    assert order("auto", "GB18030") == ("utf-8", "gb18030")
    assert order("locale", "GB18030") == ("gb18030", "utf-8")
    assert order("auto", "UTF-8") == order("locale", "utf8") == ("utf-8",)
