"""Pausing garbage collection from several threads at once (efile_tui.gcpause)."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from efile_tui import gcpause


@pytest.fixture(autouse=True)
def collection_on() -> Iterator[None]:
    gc.enable()
    yield
    gc.enable()


def test_collection_stays_off_until_the_last_of_two_threads_pauses_ends() -> None:
    entered, leave = threading.Event(), threading.Event()

    def other() -> None:
        with gcpause.paused(freeze=True):
            entered.set()
            leave.wait(5)

    thread = threading.Thread(target=other)
    thread.start()
    assert entered.wait(5)
    with gcpause.paused(freeze=True):  # begun while the other thread's pause lasts
        leave.set()
        thread.join(5)
        assert not gc.isenabled()  # the other pause ended first: this one still holds
    assert gc.isenabled()


def test_a_pause_leaves_collection_off_when_start_up_turned_it_off() -> None:
    gc.disable()
    with gcpause.paused():
        pass
    assert not gc.isenabled()


def test_resume_under_a_pause_turns_collection_on_when_the_pause_ends() -> None:
    gc.disable()  # as efile-tui starts the TUI
    with gcpause.paused():
        gcpause.resume()  # the first frame is up while the journal is read
        assert not gc.isenabled()
    assert gc.isenabled()


def test_resume_with_no_pause_freezes_what_start_up_made() -> None:
    gc.disable()
    before = gc.get_freeze_count()
    made = [[i] for i in range(1000)]
    gcpause.resume()
    assert gc.isenabled()
    assert gc.get_freeze_count() >= before + len(made)
    gc.unfreeze()
