"""The keyring report, old-journal import reasons and the stalled-shutdown line in Chinese;
``--json`` and stored text stay English (``auth status`` and ``doctor`` from the entry point)."""

from __future__ import annotations

import json

import pytest

from efile_tui import i18n
from efile_tui.store.journal.rows import RowReader
from efile_tui.ui import hangup
from tests.conftest import Sim

ZH = {
    "LANG": "zh_CN.UTF-8",
    **dict.fromkeys(("EFILE_TUI_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES"), ""),
}
PLAINTEXT = {**ZH, "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring"}
NO_BACKEND = {**ZH, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


def test_auth_status_reads_the_plaintext_backend_in_chinese_and_json_in_english(sim: Sim) -> None:
    human = sim.cli("auth", "status", env=PLAINTEXT)
    assert human.code == 0, (human.out, human.err)
    assert "以 base64 保存在" in human.out and "，并不保密；允许使用，这是您的选择" in human.out
    assert "令牌由 PlaintextKeyring 以明文保存（以 base64 保存在" in human.out
    assert "stores base64" not in human.out and "plain text by" not in human.out
    data = json.loads(sim.cli("auth", "status", "--json", env=PLAINTEXT).out)["keyring"]
    assert data["reason"].endswith(", not secret; allowed, you chose it")
    assert data["warning"].startswith("the token is stored in plain text by PlaintextKeyring (")
    assert data["chosen_by"] == "PYTHON_KEYRING_BACKEND"


def test_doctor_reads_a_missing_backend_in_chinese_and_json_in_english(sim: Sim) -> None:
    human = sim.cli("doctor", env=NO_BACKEND)
    assert human.code == 0, (human.out, human.err)
    assert "没有后端：没有 D-Bus 会话或没有 Secret Service（通过 SSH 登录时常见）" in human.out
    assert "no D-Bus session or" not in human.out
    data = json.loads(sim.cli("doctor", "--json", env=NO_BACKEND).out)["keyring"]
    assert data["reason"] == "no backend: no D-Bus session or no Secret Service (typical over SSH)"


@pytest.fixture
def chinese() -> object:
    i18n.use("zh_CN")
    yield
    i18n.use("en")


@pytest.mark.usefixtures("chinese")
def test_an_old_journal_that_is_not_rows_is_named_in_chinese_and_stored_in_english() -> None:
    for data, english, chinese_text in [
        ({"rows": 1}, "not journal rows", "不是任务记录的行"),
        ([["x"]], "not a journal row", "不是一行任务记录"),
    ]:
        with pytest.raises(ValueError) as caught:
            RowReader()(data)
        assert str(caught.value) == english and i18n.shown_error(caught.value) == chinese_text


@pytest.mark.usefixtures("chinese")
def test_a_stalled_shutdown_is_reported_in_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    written: list[bytes] = []
    monkeypatch.setattr(hangup.os, "write", lambda fd, data: written.append(data) or len(data))
    monkeypatch.setattr(hangup.os, "_exit", lambda code: written.append(str(code).encode()))
    hangup.forced_exit("SIGHUP")
    assert written == ["efile-tui：正在退出（SIGHUP）；正常关闭停滞，已强制结束\n".encode(), b"129"]
