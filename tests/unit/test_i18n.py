"""The language is chosen as gettext chooses it, EFILE_TUI_LANG and the profile override it,
and plural forms follow the catalog's rule."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from efile_tui import i18n
from efile_tui.core import cells


@pytest.mark.parametrize(
    ("env", "profile", "expected"),
    [
        ({}, None, "en"),
        ({"LANG": "zh_CN.UTF-8"}, None, "zh_CN"),
        ({"LANG": "zh_CN.GB18030"}, None, "zh_CN"),
        ({"LANG": "zh_CN"}, None, "zh_CN"),
        ({"LANG": "C.UTF-8"}, None, "en"),
        ({"LANG": "zh_TW.UTF-8"}, None, "en"),  # no Traditional Chinese catalog
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}, None, "zh_CN"),
        ({"LANG": "zh_CN.UTF-8", "LC_ALL": "en_US.UTF-8"}, None, "en"),
        ({"LANG": "en_US.UTF-8", "LANGUAGE": "zh_TW:zh_CN:en"}, None, "zh_CN"),
        ({"LANG": "zh_CN.UTF-8", "LANGUAGE": "fr:de"}, None, "zh_CN"),
        ({"LANG": "zh_CN.UTF-8", "EFILE_TUI_LANG": "en"}, None, "en"),
        ({"LANG": "zh_CN.UTF-8"}, "en", "en"),
        ({"LANG": "C"}, "zh_CN", "zh_CN"),
        ({"EFILE_TUI_LANG": "zh_CN"}, "en", "zh_CN"),  # the environment beats the profile
    ],
)
def test_language_is_chosen_like_gettext(
    env: dict[str, str], profile: str | None, expected: str
) -> None:
    assert i18n.choose(env, profile) == expected


def test_a_language_without_a_catalog_is_refused_naming_the_choices() -> None:
    with pytest.raises(ValueError, match=r"EFILE_TUI_LANG='fr'.*en, zh_CN"):
        i18n.choose({"EFILE_TUI_LANG": "fr"})


def test_chinese_text_comes_from_the_catalog_and_english_is_the_source() -> None:
    i18n.use("zh_CN")
    assert i18n._("options") == "选项"
    i18n.use("en")
    assert i18n._("options") == "options"


def test_plural_forms_follow_each_language(monkeypatch: pytest.MonkeyPatch) -> None:
    forms = ("{n} entry in {path}", "{n} entries in {path}")  # efile-tui ls

    def shown() -> list[str]:
        return [i18n.ngettext(*forms, n).format(n=n, path="/d") for n in (0, 1, 2)]

    i18n.use("en")
    assert shown() == ["0 entries in /d", "1 entry in /d", "2 entries in /d"]
    i18n.use("zh_CN")  # Chinese has one form (Plural-Forms: nplurals=1)
    assert shown() == ["/d 中共 0 项", "/d 中共 1 项", "/d 中共 2 项"]


def test_help_in_chinese_wraps_by_terminal_cells() -> None:
    lines = cells.wrap("在终端中管理 SCNet efile 服务的文件任务。不带命令时打开 TUI 界面。", 20)
    assert all(cells.width(line) <= 20 for line in lines)
    assert "".join(lines).replace(" ", "") == (
        "在终端中管理SCNetefile服务的文件任务。不带命令时打开TUI界面。"
    )


def _run(env: dict[str, str], *args: str, config: Path | None = None) -> str:
    base = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        **env,
    }
    if config is not None:
        base["XDG_CONFIG_HOME"] = str(config)
    proc = subprocess.run(
        [sys.executable, "-m", "efile_tui", *args], env=base, capture_output=True, timeout=60
    )
    return proc.stdout.decode("utf-8")


def test_efile_tui_lang_en_overrides_a_chinese_lang_and_a_profile_chooses(
    tmp_path: Path,
) -> None:
    chinese = {"LANG": "zh_CN.UTF-8"}
    assert "选项" in _run(chinese, "--help")
    assert "options" in _run({**chinese, "EFILE_TUI_LANG": "en"}, "--help")
    (tmp_path / "efile-tui").mkdir()
    (tmp_path / "efile-tui" / "config.toml").write_text(
        '[profiles.default]\nlanguage = "en"\n\n[profiles.cn]\nlanguage = "zh_CN"\n'
    )
    assert "options" in _run(chinese, "--help", config=tmp_path)
    assert "选项" in _run({"LANG": "C.UTF-8"}, "--profile", "cn", "--help", config=tmp_path)
