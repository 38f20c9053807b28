"""Text that programs store stays English; people are shown it translated: the service's
error codes, the transport's errors and a journal's stored message (``i18n.Msg``)."""

from __future__ import annotations

import dataclasses
import json

import pytest

from efile_tui import i18n
from efile_tui.api.errors import ServiceUnreachable, error_for, shown_message
from efile_tui.api.http_errors import cannot_connect, outcome_lost
from efile_tui.core.tasktext import problem_text

ENGLISH = (
    "[911020] File does not exist (list /public/home/u/x): check the path; it may have been "
    "removed already — service said: 文件不存在"
)


@pytest.fixture
def chinese() -> None:
    i18n.use("zh_CN")


@pytest.mark.usefixtures("chinese")
def test_a_service_error_is_stored_in_english_and_shown_in_chinese() -> None:
    exc = error_for("911020", "文件不存在", context="list /public/home/u/x")
    assert exc.message == ENGLISH  # what the journal and JSON keep, in any language
    assert json.loads(json.dumps({"errorMsg": exc.message})) == {"errorMsg": ENGLISH}
    shown = i18n.shown_error(exc)
    assert shown == (
        "[911020] 文件不存在（list /public/home/u/x）：请检查路径，它可能已被删除 "
        "—— 服务返回：文件不存在"
    )
    assert i18n._(exc.title) == "文件不存在"


@pytest.mark.usefixtures("chinese")
def test_a_stored_message_read_back_from_the_journal_is_shown_in_chinese() -> None:
    stored = str(error_for("911030", "", context="async-remove (2 items)").message)
    assert type(stored) is str and stored.startswith("[911030] Permission denied")
    shown = shown_message("911030", stored)
    assert shown == "[911030] 权限不足（async-remove (2 items)）：你无权操作此路径"
    assert problem_text("911030", "no access") == "911030 权限不足: no access"
    assert shown_message("911030", "the service's own words") == "the service's own words"
    assert shown_message(None, stored) == stored  # no code: shown as given


def test_the_english_interface_shows_the_stored_text_unchanged() -> None:
    i18n.use("en")
    exc = error_for("911020", "文件不存在", context="list /public/home/u/x")
    assert i18n.shown_error(exc) == ENGLISH == shown_message("911020", ENGLISH)


@pytest.mark.usefixtures("chinese")
def test_a_lost_answer_is_stored_in_english_and_shown_in_chinese() -> None:
    import httpx

    refused = cannot_connect("async-remove (4 items)", "https://e", httpx.ConnectError("x"))
    assert isinstance(refused, ServiceUnreachable) and refused.reason == "refused"
    lost = outcome_lost("async-remove (4 items)", refused, ["/a", "/b", "/c", "/d"])
    assert lost.message == (
        "async-remove (4 items): the request was sent but its answer was lost (cannot connect "
        "to https://e (ConnectError)); the tasks may exist on the service. Not re-sent: check "
        "with `efile-tui tasks` and `efile-tui ls` before resubmitting. Paths: /a, /b, /c and "
        "1 more"
    )
    shown = i18n.shown_error(lost)
    assert shown.startswith("async-remove (4 items): 请求已发送，但应答丢失（无法连接 https://e")
    assert shown.endswith("路径：/a, /b, /c 等另 1 个")


def test_a_msg_is_copied_as_itself_even_when_a_field_holds_braces() -> None:
    from efile_tui.store.keyring_backends import BackendInfo

    folder = "/home/{odd}/keyring.cfg"
    where = i18n.Msg(i18n.N_("stores base64 in {where}, not secret"), where=folder)
    copied = dataclasses.asdict(BackendInfo("n", "l", "plaintext", where))["reason"]
    assert copied is where and copied == "stores base64 in /home/{odd}/keyring.cfg, not secret"
