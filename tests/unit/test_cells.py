"""Cells: widths, padding and elision in terminal cells (core/cells.py)."""

from __future__ import annotations

import random

import pytest

from efile_tui.core.cells import elide, elide_apart, head, pad, tail, width

CLIMATE = "/public/home/demo/proj-climate/run-0032"
CFD = "/public/home/demo/proj-cfd/run-0032"
CFD_33 = "/public/home/demo/proj-cfd/run-0033"


def test_width_and_pad_count_wide_characters_as_two() -> None:
    assert width("数据a") == 5
    assert pad("数据", 6) == "数据  " and pad("ab", 4, justify="right") == "  ab"
    assert pad("information", 5) == "information"  # never cut


def test_head_and_tail_never_cut_a_wide_character() -> None:
    assert head("数据项目", 3) == "数" and tail("数据项目", 3) == "目"
    assert head("abc", 10) == "abc"


@pytest.mark.parametrize("where", ["end", "start", "middle"])
def test_elide_fits_and_keeps_wide_characters_whole(where: str) -> None:
    text = "/数据/项目甲/结果-final"
    for cells in range(1, 30):
        out = elide(text, cells, where)  # type: ignore[arg-type]
        assert width(out) <= cells
        assert all(ch in text + "…" for ch in out)
    assert elide("/a/b/c", 10) == "/a/b/c"
    assert elide("/public/home/x", 8, "start") == "…/home/x"


def test_sources_that_share_an_end_are_told_apart() -> None:
    # The case of the issue: both ended "…te/run-0032"-like at 60 columns.
    out = elide_apart([CLIMATE, CFD, CFD_33], 24)
    assert out == [
        "…o/proj-climate/run-0032",
        "…/demo/proj-cfd/run-0032",
        "…/demo/proj-cfd/run-0033",
    ]
    narrow = elide_apart([CLIMATE, CFD], 12)
    assert len(set(narrow)) == 2 and all(width(o) <= 12 for o in narrow)


def test_the_first_component_shows_when_every_row_has_room() -> None:
    out = elide_apart([CLIMATE, CFD, CFD_33], 38)
    assert out[0] == "/public/…me/demo/proj-climate/run-0032"
    assert out[1:] == [CFD, CFD_33]  # they fit: whole


def test_elide_apart_keeps_distinct_texts_distinct() -> None:
    rng = random.Random(21)
    parts = ["proj-climate", "proj-cfd", "run-0032", "run-0033", "数据", "out", "a"]
    for _ in range(300):
        texts = list(
            dict.fromkeys(
                "/" + "/".join(rng.choice(parts) for _ in range(rng.randint(1, 6)))
                for _ in range(rng.randint(2, 8))
            )
        )
        cells = rng.randint(6, 40)
        out = elide_apart(texts, cells)
        assert len(set(out)) == len(texts), (texts, cells, out)
        for text, shown in zip(texts, out, strict=True):
            assert shown == text or "…" in shown
            if width(text) <= cells:
                assert shown == text
            start, _, end = shown.partition("…")
            assert text.startswith(start) and text.endswith(end)


def test_strict_keeps_the_width_and_the_difference() -> None:
    a, b = "/x/proj-climate/output/run-0032", "/x/proj-cfd/output/run-0032"
    for cells in range(3, 40):
        out = elide_apart([a, b], cells, strict=True)
        assert all(width(o) <= cells for o in out), (cells, out)
        assert out[0] != out[1], (cells, out)
    assert elide_apart([a, b], 12, strict=True) == ["…e/o…un-0032", "…d/o…un-0032"]
