"""Sandbox mapping: normalisation, home confinement, symlink escapes, special characters."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from efile_tui.sim.errors import SimError
from efile_tui.sim.fs import Sandbox

HOME = "/public/home/demo"


@pytest.fixture
def box(tmp_path: Path) -> Sandbox:
    root = tmp_path / "root"
    (root / "a" / "b").mkdir(parents=True)
    (root / "a" / "f.txt").write_text("x")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_text("s")
    os.symlink(outside, root / "escape")
    os.symlink(root / "a", root / "inside-link")
    return Sandbox(root, HOME)


def code_of(fn: object, *args: object, **kw: object) -> str:
    with pytest.raises(SimError) as info:
        fn(*args, **kw)  # type: ignore[operator]
    return info.value.code


def test_home_maps_to_root(box: Sandbox) -> None:
    assert box.to_real(HOME) == box.root
    assert box.to_real(HOME + "/") == box.root
    assert box.to_real(HOME + "/a/f.txt") == box.root / "a" / "f.txt"
    assert box.to_real("//public//home/demo/./a/b/../f.txt") == box.root / "a" / "f.txt"


def test_virtual_round_trip(box: Sandbox) -> None:
    assert box.to_virtual(box.root) == HOME
    assert box.to_virtual(box.root / "a" / "b") == HOME + "/a/b"


@pytest.mark.parametrize(
    "path",
    ["/public/home/other", "/public/home/demo2/x", "/etc/passwd", HOME + "/../other", "/"],
)
def test_outside_home_is_denied(box: Sandbox, path: str) -> None:
    assert code_of(box.to_real, path) == "911030"


def test_dotdot_that_stays_inside_is_fine(box: Sandbox) -> None:
    assert box.to_real(HOME + "/a/b/../../a") == box.root / "a"


def test_dotdot_escaping_home_is_denied(box: Sandbox) -> None:
    assert code_of(box.to_real, HOME + "/a/../../../../etc") == "911030"


def test_symlink_escape_is_denied(box: Sandbox) -> None:
    assert code_of(box.to_real, HOME + "/escape") == "911030"
    assert code_of(box.to_real, HOME + "/escape/secret") == "911030"
    # The link itself may be addressed without following it (delete removes the link).
    assert box.to_real(HOME + "/escape", follow_last=False) == box.root / "escape"
    assert code_of(box.to_real, HOME + "/escape/secret", follow_last=False) == "911030"


def test_symlink_inside_root_is_allowed(box: Sandbox) -> None:
    assert box.to_real(HOME + "/inside-link/f.txt") == box.root / "inside-link" / "f.txt"


@pytest.mark.parametrize("bad", ["a\nb", "a\rb", "a\x00b", "a\x1fb", "a\x7fb"])
def test_special_characters(box: Sandbox, bad: str) -> None:
    assert code_of(box.to_real, f"{HOME}/{bad}") == "911029"


def test_relative_empty_and_wrong_type(box: Sandbox) -> None:
    assert code_of(box.to_real, "a/f.txt") == "10004"
    assert code_of(box.to_real, "") == "10003"
    assert code_of(box.to_real, None) == "10003"
    assert code_of(box.to_real, 42) == "10004"
