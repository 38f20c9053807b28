"""The fault-injection soak in the test suite: the report must show zeros where required.

It runs the whole soak of ``driver.py`` (1,000 deletes, 200 cancels, every fault at once)
and prints its report, so CI's log carries the figures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.soak.driver import SoakParams, run_soak

pytestmark = pytest.mark.soak


@pytest.mark.timeout(600)
async def test_soak_with_every_fault(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = await run_soak(SoakParams(), tmp_path)
    with capsys.disabled():
        print("\n--- soak report ---\n" + report.text())
    assert report.crashes == 0, report.crash_details
    assert report.lost == 0, report.lost_details
    assert report.shown_correctly == report.shown, report.wrong_details[:10]
    assert report.submitted == 1000 and report.journal_entries >= report.submitted
    assert report.cancel_marked == 200
    assert report.cancel_sent == report.cancel_asked, report.cancel_wrong  # the request log
    assert not report.cancel_wrong and report.cancel_asked + report.cancel_ended_first == 200
    assert report.problems == []
    # The faults really happened (a soak without them would prove nothing).
    assert report.throttled and report.errors_injected and report.dropped and report.malformed
