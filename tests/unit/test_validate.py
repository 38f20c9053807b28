"""Input checks and delete safety rules."""

from __future__ import annotations

import pytest

from efile_tui.core.validate import (
    InputError,
    check_paths,
    check_task_ids,
    protected_reason,
    read_ids,
)

HOME = "/public/home/demo"


@pytest.mark.parametrize(
    "bad, words",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("relative/path", "relative"),
        ("/a/b/../c", "'..'"),
        ("/a/b/c\nd", "control"),
        ("/a/" + "x" * 300, "255 bytes"),
        ("/" + "a/" * 2100, "4096"),
        ("/a/b/\udcff", "UTF-8"),
    ],
)
def test_bad_paths_are_named_with_a_fix(bad: str, words: str) -> None:
    with pytest.raises(InputError) as info:
        check_paths(["/ok/path/here", bad])
    assert len(info.value.problems) == 1
    assert words in info.value.problems[0]


def test_all_problems_reported_and_duplicates_caught() -> None:
    with pytest.raises(InputError) as info:
        check_paths(["rel", "/a/b/c", "/a//b/c/", ""])
    assert len(info.value.problems) == 3
    assert "twice" in info.value.problems[1]
    assert check_paths(["/a//b/./c/", "/a/b/d"]) == ["/a/b/c", "/a/b/d"]
    assert check_paths(["/a/b/空 格 &$"]) == ["/a/b/空 格 &$"]


def test_task_ids() -> None:
    ok = ["0123456789abcdef0123456789ABCDEF", "12345678-9abc-def0-1234-56789abcdef0"]
    assert check_task_ids([f" {ok[0]} ", ok[1]]) == ok
    for bad in (["a", "a"], [""], ["a b"], [], ["x;rm"], ["not-an-id"], ["abc"], ["g" * 32]):
        with pytest.raises(InputError):
            check_task_ids(bad)
    with pytest.raises(InputError, match="at most 500"):
        check_task_ids([f"{i:032x}" for i in range(501)], limit=500)
    assert read_ids(["a b,c  # comment", "", "# x", "d"]) == ["a", "b", "c", "d"]


@pytest.mark.parametrize(
    "path, allowed",
    [
        ("/", False),
        ("/public", False),
        ("/public/home", False),
        (HOME, False),
        (HOME + "/", False),
        (HOME + "/proj", False),
        (HOME + "/other", True),
        (HOME + "/proj/keep", False),
        (HOME + "/proj/keep/inner", False),
        (HOME + "/x/checkpoints", False),
        (HOME + "/x/checkpoints/step1", False),
        (HOME + "/x/other", True),
    ],
)
def test_protected_paths(path: str, allowed: bool) -> None:
    deny = [HOME + "/proj/keep", "*/checkpoints"]
    reason = protected_reason(path, home=HOME, deny=deny)
    assert (reason is None) is allowed, reason
    if not allowed:
        assert reason


def test_parent_of_denied_path_is_refused() -> None:
    reason = protected_reason(HOME + "/proj", home=HOME, deny=[HOME + "/proj/keep"])
    assert reason and "contains" in reason
