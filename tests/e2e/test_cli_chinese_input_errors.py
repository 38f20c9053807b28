"""Rejected input reads in Chinese in the Chinese UI: task filters and ``--from-file`` lists
(the flags, paths and the values given stay as typed)."""

from __future__ import annotations

from tests.conftest import HOME, Sim

CHINESE = {"EFILE_TUI_LANG": "zh_CN"}


def test_a_bad_task_filter_is_named_in_chinese(sim: Sim) -> None:
    bad = sim.cli("tasks", "--status", "nope", "--op", "zap", "--since", "yesterday", env=CHINESE)
    assert bad.code == 2, bad.err
    assert "--status 'nope' 不是状态" in bad.err, bad.err
    assert "--op 'zap' 不是操作" in bad.err, bad.err
    assert "--since：'yesterday' 不是时间" in bad.err, bad.err
    assert "is not" not in bad.err, bad.err


def test_a_bad_path_list_is_named_in_chinese(sim: Sim) -> None:
    listing = sim.root.parent / "list.txt"
    listing.write_text(f"relative/x\n{HOME}/a\n{HOME}/a\n")
    bad = sim.cli("rm", "--dry-run", "--from-file", str(listing), env=CHINESE)
    assert bad.code == 2, bad.err
    assert "第 1 行：路径 'relative/x' 是相对路径" in bad.err, bad.err
    assert f"第 3 行：'{HOME}/a' 与第 2 行重复" in bad.err, bad.err
    empty = sim.root.parent / "empty.txt"
    empty.write_text("\n")
    bad = sim.cli("rm", "--dry-run", "--from-file", str(empty), env=CHINESE)
    assert "中没有路径：每行给出一个绝对路径" in bad.err, bad.err
    assert "line" not in bad.err and "repeats" not in bad.err, bad.err


def test_an_unsafe_state_folder_is_named_in_chinese(sim: Sim) -> None:
    state = sim.root.parent / "open-state"
    state.mkdir()
    state.chmod(0o777)
    bad = sim.cli("tasks", env={**CHINESE, "EFILE_TUI_STATE_DIR": str(state)})
    assert bad.code != 0
    assert f"{state}" in bad.err and "此文件夹可被其他用户修改（权限 777）" in bad.err, bad.err
    assert f"chmod go-w {state}" in bad.err and "other users" not in bad.err, bad.err
