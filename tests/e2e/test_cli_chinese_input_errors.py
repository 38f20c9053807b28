"""Rejected input and refused state read in Chinese in the Chinese UI: task filters,
``--from-file`` lists, unsafe state folders and token files (the flags, paths and the
values given stay as typed)."""

from __future__ import annotations

import os
from pathlib import Path

from efile_tui.store.token_file import token_dir
from efile_tui.store.tokens import TokenStore
from tests.cli_runner import run_in_process
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


def test_an_open_token_file_is_refused_in_chinese(sim: Sim) -> None:
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "efile-tui" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        'default_profile = "lab"\n\n[profiles.lab]\n'
        f'efile_url = "{sim.server.url}"\nhome_path = "{HOME}"\ntoken_store = "file"\n'  # type: ignore[attr-defined]
    )
    TokenStore("file").set("lab", sim.server.token)  # type: ignore[attr-defined]
    (token_dir() / "lab").chmod(0o644)
    env = {k: v for k, v in sim.env.items() if k not in ("EFILE_URL", "EFILE_TOKEN", "EFILE_HOME")}
    bad = run_in_process(("ls", HOME), {**env, **CHINESE})
    assert bad.code == 4, bad.err
    assert f"拒绝读取令牌文件 {token_dir() / 'lab'}：其权限为 0644" in bad.err, bad.err
    assert f"chmod 600 {token_dir() / 'lab'}" in bad.err and "refusing" not in bad.err, bad.err


def test_a_bad_config_value_is_named_in_chinese(sim: Sim) -> None:
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "efile-tui" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[profiles.lab]\nbell = "yes"\n')
    bad = sim.cli("ls", HOME, env=CHINESE)
    assert bad.code != 0
    assert f"配置文件 {config}：“profiles.lab.bell”必须是 true 或 false" in bad.err, bad.err
    assert "must be" not in bad.err, bad.err


def test_no_usable_keyring_is_explained_in_chinese(sim: Sim) -> None:
    """A headless login node without a keyring is the common first meeting: the explanation
    and its ways on read in Chinese, the commands in it stay as typed."""
    env = {k: v for k, v in sim.env.items() if k != "EFILE_TOKEN"}
    env.update(CHINESE, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    args = ["login", "--platform-url", sim.server.url, "--user", "demo"]  # type: ignore[attr-defined]
    login = run_in_process([*args, "--org-id", "demo-org", "--password-stdin"], env, "pw\n")
    assert login.code == 4, login.err
    assert "没有可用的密钥环来保存令牌" in login.err, login.err
    assert "keyring 找不到可用的后端" in login.err, login.err
    assert "efile-tui login --token-store file" in login.err, login.err
    assert "no usable keyring" not in login.err and "Ways on" not in login.err, login.err
