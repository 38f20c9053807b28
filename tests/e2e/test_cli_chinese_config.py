"""A broken config file, bad deadlines and profile names, and a damaged journal read in
Chinese under ``LANG=zh_CN.UTF-8``: the message names the key and the fix in Chinese,
what was typed (keys, values, commands, paths) stays as typed, and no English word of
ours is left. The English text is unchanged (checked byte for byte)."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from tests.cli_runner import CliResult, run_in_process
from tests.conftest import HOME, Sim

# What the Chinese message holds, for each config file (the key named, the fix in Chinese).
CASES = [
    ("profiles = 3\n", "“profiles”必须是表（[profiles.NAME] 小节）"),
    ('[profiles."bad name"]\n', "[profiles.bad name]：配置名称 'bad name' 无效"),
    ("profiles = {lab = 3}\n", "“profiles.lab”必须是表"),
    ('[profiles.lab]\ndeny_paths = ["keep"]\n', "中的条目 'keep' 不是绝对路径（请以 / 或 *"),
    ('[profiles.lab]\ndeny_paths = "/keep"\n', "“profiles.lab.deny_paths”必须是字符串列表"),
    ("[profiles.lab]\nwalk_budget = -1\n", "“profiles.lab.walk_budget”必须大于 0 且不超过 3600 秒"),
    ('[profiles.lab]\nrequest_deadline = "soon"\n', "必须是秒数，而不是 'soon'"),
    ("[profiles.lab]\nrequest_deadline = [1]\n", ".request_deadline”必须是秒数，而不是列表"),
    ("[profiles.lab]\nrequest_deadline = true\n", "必须是秒数，而不是布尔值"),
    ("[profiles.lab]\nvanish_after_misses = 0\n", "必须是应答次数的整数，至少为 1"),
    ("[profiles.lab]\nvanish_after_seconds = -1\n", "必须是秒数，不小于 0"),
    ('[profiles.lab]\npassword = "hunter2"\n', "“profiles.lab.password”看起来是机密信息"),
    ("[profiles.lab]\nuser = [1]\n", "“profiles.lab.user”必须是字符串，而不是列表"),
]  # fmt: skip
WORD = re.compile(r"[A-Za-z][A-Za-z_]{2,}")


def chinese_env(**extra: str) -> dict[str, str]:
    """This process's environment under ``LANG=zh_CN.UTF-8`` (nothing set before it)."""
    skip = ("EFILE_TUI_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES")
    env = {k: v for k, v in os.environ.items() if k not in skip}
    return {**env, "LANG": "zh_CN.UTF-8", **extra}


def service(sim: Sim) -> dict[str, str]:
    """The variables that point the CLI at the simulator."""
    return {k: sim.env[k] for k in ("EFILE_URL", "EFILE_TOKEN", "EFILE_HOME")}


def write_config(text: str) -> Path:
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "efile-tui" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(text)
    return config


def english_words(err: str, *kept: str, typed: str = "") -> set[str]:
    """The English words left in ``err`` once the ``kept`` texts (paths, the OS's or
    sqlite's own words) are taken out, besides the program's name, its commands and the
    words of what was ``typed`` (keys, values)."""
    for text in sorted(kept, key=len, reverse=True):
        err = err.replace(text, " ")
    allowed = {"efile", "tui", "EFILE_TOKEN", "login", "NAME", *WORD.findall(typed)}
    return set(WORD.findall(err)) - allowed


@pytest.mark.parametrize(
    ("toml", "expected"), CASES, ids=[re.sub(r"\W+", "-", t).strip("-") for t, _ in CASES]
)
def test_a_bad_config_file_is_explained_in_chinese(toml: str, expected: str) -> None:
    config = write_config(toml)
    bad = run_in_process(("ls", HOME), chinese_env())
    assert bad.code == 1, bad.err
    assert f"配置文件 {config}：" in bad.err and expected in bad.err, bad.err
    assert not english_words(bad.err, str(config), typed=toml), bad.err
    assert "hunter2" not in bad.err


def english(result: CliResult, config: Path) -> str:
    return result.err.replace(str(config), "CONFIG")


def test_the_english_text_is_unchanged() -> None:
    env = {**os.environ, "EFILE_TUI_LANG": "en"}
    expected = {
        "profiles = 3\n": "'profiles' must be a table ([profiles.NAME] sections)",
        '[profiles."bad name"]\n': "[profiles.bad name]: invalid profile name 'bad name'",
        '[profiles.lab]\ndeny_paths = ["keep"]\n': "'profiles.lab.deny_paths' entry 'keep' "
        "is not an absolute path (start it with / or a * wildcard)",
        "[profiles.lab]\nrequest_deadline = [1]\n": "'profiles.lab.request_deadline' must be "
        "a number of seconds, not a list",
        "[profiles.lab]\nwalk_budget = 4000\n": "'profiles.lab.walk_budget' must be more than "
        "0 and at most 3600 seconds",
        "[profiles.lab]\nvanish_after_misses = 0\n": "'profiles.lab.vanish_after_misses' must "
        "be a whole number of answers, 1 or more",
        '[profiles.lab]\ntoken = "x"\n': "'profiles.lab.token' looks like a secret; secrets "
        "are never read from the config file (remove it; use `efile-tui login` or EFILE_TOKEN)",
    }
    for toml, problem in expected.items():
        config = write_config(toml)
        bad = run_in_process(("ls", HOME), env)
        assert english(bad, config) == f"efile-tui: config file CONFIG: {problem}\n", bad.err


def test_bad_deadlines_and_profile_names_are_named_in_chinese(sim: Sim) -> None:
    env = chinese_env(**service(sim))
    bad = run_in_process(("ls", "--deadline", "4000", HOME), env)
    assert bad.code == 2 and "--deadline 必须大于 0 且不超过 3600 秒" in bad.err, bad.err
    bad = run_in_process(("ls", HOME), {**env, "EFILE_DEADLINE": "soon"})
    assert bad.code == 2, bad.err
    assert "EFILE_DEADLINE='soon' 必须是秒数，而不是 'soon'" in bad.err, bad.err
    assert not english_words(bad.err, typed="EFILE_DEADLINE soon"), bad.err
    bad = run_in_process(("rm", "--dry-run", "--walk-budget", "0", f"{HOME}/a"), env)
    assert bad.code == 2 and "--walk-budget 必须大于 0 且不超过 3600 秒" in bad.err, bad.err
    bad = run_in_process(("login", "--profile", "bad name"), env)
    assert bad.code == 2, bad.err
    assert "配置名称 'bad name' 无效：只能使用字母、数字" in bad.err, bad.err
    assert not english_words(bad.err, typed="bad name"), bad.err


def test_a_damaged_journal_is_set_aside_with_a_notice_in_chinese(sim: Sim) -> None:
    """An unreadable snapshot and an unreadable old journal are moved aside, and the
    notices read in Chinese (the paths and sqlite's own words as they are)."""
    state = Path(os.environ["XDG_STATE_HOME"]) / "efile-tui"
    journal = state / "journal"
    journal.mkdir(parents=True, mode=0o700)
    state.chmod(0o700)
    snap = journal / "snap-00000001.json"
    snap.write_bytes(b"not a snapshot\n")
    old = time.time() - 3600  # long past the grace of a snapshot still being written
    os.utime(snap, (old, old))
    legacy = state / "journal.sqlite3"
    legacy.write_bytes(b"not a database" * 100)
    result = run_in_process(("tasks",), chinese_env(**service(sim)))
    assert result.code == 0, result.err
    [snap_aside] = journal.glob("snap-00000001.json.unreadable-*")
    [old_aside] = state.glob("journal.sqlite3.unreadable-*")
    assert f"无法读取的任务记录快照 {snap} 已移到一旁，改名为 {snap_aside.name}" in result.err
    assert f"旧的任务记录 {legacy} 无法读取（" in result.err, result.err
    assert f"已移到一旁，改名为 {old_aside}，没有从中导入任何内容" in result.err, result.err
    said = "\n".join(line for line in result.err.splitlines() if "警告" in line)
    kept = (str(old_aside), str(legacy), str(snap), snap_aside.name, "file is not a database")
    assert not english_words(said, *kept), result.err


def test_an_unknown_language_and_a_logout_read_in_chinese(sim: Sim) -> None:
    """``EFILE_TUI_LANG`` naming no catalog is warned about in the language the locale
    then chooses; logout names the token file it removed in Chinese."""
    from efile_tui.store.token_file import token_dir
    from efile_tui.store.tokens import TokenStore

    env = chinese_env(**service(sim), EFILE_TUI_LANG="fr")
    result = run_in_process(("ls", HOME), env)
    assert result.code == 0, result.err
    assert "efile-tui：警告：EFILE_TUI_LANG='fr'：请使用 en, zh_CN 之一" in result.err, result.err
    TokenStore("file").set("lab", "not-a-real-token")
    env = chinese_env(PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    result = run_in_process(("logout", "--profile", "lab"), env)
    assert f"lab：已从 文件 {token_dir() / 'lab'} 删除令牌" in result.err, result.err
    assert not english_words(result.err, str(token_dir() / "lab"), typed="lab"), result.err


# argparse's own errors: (command line, what the Chinese message says, argparse's English)
ARGPARSE = [
    (("ls", "--sort", "zzz"), "参数 --sort：无效的选项：'zzz'（可选：",
     "argument --sort: invalid choice: 'zzz' (choose from "),
    (("ls", "--limit", "many"), "参数 --limit：无效的 int 值：'many'",
     "argument --limit: invalid int value: 'many'"),
    (("ls", "--limit"), "参数 --limit：需要一个参数值", "argument --limit: expected one argument"),
    (("tasks", "--ids", "--json"), "参数 --json：不能与参数 --ids 同时使用",
     "argument --json: not allowed with argument --ids"),
    (("cp",), "缺少以下必需参数：DEST", "the following arguments are required: DEST"),
    (("ls", "--deadline", "0"), "参数 --deadline：--deadline 必须大于 0 且不超过 3600 秒",
     "argument --deadline: --deadline must be more than 0 and at most 3600 seconds"),
]  # fmt: skip


def test_argparse_errors_read_in_chinese_and_stay_as_they_were_in_english() -> None:
    for words, chinese, english in ARGPARSE:
        bad = run_in_process(words, chinese_env())
        assert bad.code == 2 and f"：错误：{chinese}" in bad.err, bad.err
        [said] = [line for line in bad.err.splitlines() if "错误" in line]
        assert not english_words(said, typed=" ".join(words) + " int name size time DEST"), said
        bad = run_in_process(words, {**os.environ, "EFILE_TUI_LANG": "en"})
        assert bad.code == 2 and f"{words[0]}: error: {english}" in bad.err, bad.err
