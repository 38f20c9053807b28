"""Error mapping for every documented code; lenient model parsing."""

from __future__ import annotations

import pytest

from efile_tui.api import errors
from efile_tui.api.auth import aksk_signature, parse_region, pick_region_token, token_expiry
from efile_tui.api.models import CancelResult, FileEntry, RegionToken, Task, TaskStatus

SEED_CODES = (
    "10001 10003 10004 10009 911009 911020 911021 911022 911025 911029 911030 911031 "
    "911034 911404 911406 911501 911502 911504 911505 911506 911507 911700 911048"
).split()

EXPECTED = {
    "10008": errors.TokenExpired,
    "911406": errors.TokenExpired,
    "10007": errors.AccountFrozen,
    "911020": errors.NotFound,
    "911021": errors.AlreadyExists,
    "911030": errors.PermissionDenied,
    "911048": errors.RateLimited,
    "10004": errors.InvalidArgument,
    "911501": errors.StorageFull,
    "911507": errors.ConflictError,
    "10001": errors.InternalError,
}


@pytest.mark.parametrize("code", [*SEED_CODES, "10007", "10008"])
def test_every_documented_code_has_a_class_and_human_message(code: str) -> None:
    err = errors.error_for(code, "server text", context="rm /a/b/c")
    assert type(err) is not errors.ApiError, f"{code} falls back to the generic class"
    assert err.code == code
    assert err.title in errors.CODE_TABLE[code][0]
    assert "rm /a/b/c" in str(err) and code in str(err) and "server text" in str(err)
    if code in EXPECTED:
        assert isinstance(err, EXPECTED[code])


def test_unknown_code_surfaces_code_and_msg() -> None:
    err = errors.error_for(424242, "strange")
    assert type(err) is errors.ApiError
    assert "424242" in str(err) and "strange" in str(err)


def test_task_parsing_is_lenient() -> None:
    t = Task.from_api(
        {
            "taskId": "abc",
            "status": "PROCESSING",
            "totalNum": "10",
            "processedNum": 4,
            "totalSize": None,
            "synchronousExecution": "false",
            "operationType": "delete",
            "brandNewField": [1, 2],
        }
    )
    assert t.status is TaskStatus.PROCESSING and t.total_num == 10 and t.total_size == 0
    assert t.percent == 40.0
    assert Task.from_api({"taskId": "x", "status": "weird"}).status is TaskStatus.UNKNOWN
    # The documented example: complete with processedSize 0 of totalSize 5.
    done = Task.from_api({"taskId": "y", "status": "complete", "totalSize": 5, "processedSize": 0})
    assert done.percent == 100.0
    odd = Task.from_api({"taskId": "z", "status": "processing", "totalNum": 2, "processedNum": 5})
    assert odd.percent == 100.0
    assert Task.from_api({"taskId": "q", "status": "waiting"}).percent is None
    assert Task.from_api(t.to_api()) == t


def test_cancel_result_and_file_entry() -> None:
    assert CancelResult.from_api({"taskId": "a", "result": "true", "status": "cancel"}).result
    r = CancelResult.from_api({"taskId": "a", "result": False, "status": ""})
    assert r.status is None and r.verdict == "unknown or expired"
    e = FileEntry.from_api({"name": "x", "type": "dir"}, "/p/q")
    assert e.is_dir and e.path == "/p/q/x"


def test_region_parsing_picks_enabled_and_normalises() -> None:
    region = parse_region(
        {
            "id": 11112,
            "name": "r",
            "clusterUserInfo": {"userName": "u", "homePath": "/public/home/u"},
            "efileUrls": [
                {"enable": "false", "url": "http://dead"},
                {"enable": "true", "url": "https://live:65103/efile/"},
            ],
        }
    )
    assert region.efile_url == "https://live:65103" and region.home_path == "/public/home/u"
    tokens = [
        RegionToken("0", "ac", "plat"),
        RegionToken("11112", "r", "reg"),
        RegionToken("2", "off", None),
    ]
    assert pick_region_token(tokens) == "reg"
    assert pick_region_token(tokens, "r") == "reg"
    assert "reg" not in repr(tokens[1])


def test_token_expiry_and_signature() -> None:
    import base64
    import json

    payload = base64.urlsafe_b64encode(json.dumps({"expireTime": "1700000000000"}).encode())
    assert token_expiry("h." + payload.decode().rstrip("=") + ".s") == 1700000000.0
    assert token_expiry("not-a-jwt") is None
    sig = aksk_signature("u", "ak", "1700000000", "sk")
    assert len(sig) == 64 and sig == aksk_signature("u", "ak", "1700000000", "sk")
