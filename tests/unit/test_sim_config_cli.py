"""Faults validation, seeding and the CLI's option checks."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pytest

from efile_tui.sim import cli as sim_cli
from efile_tui.sim.clock import SimClock
from efile_tui.sim.config import Faults
from efile_tui.sim.seed import seed_tree


def test_faults_update_validates() -> None:
    faults = Faults()
    faults.update({"latency": 0.5, "error_rate": 0.25, "throttle_rps": 10, "seed": 3})
    assert faults.as_dict() == {
        "latency": 0.5,
        "submit_latency": 0.0,
        "refuse_cancel": 0.0,
        "error_rate": 0.25,
        "drop_rate": 0.0,
        "malformed_rate": 0.0,
        "throttle_rps": 10.0,
        "seed": 3,
    }
    for bad in ({"error_rate": 1.5}, {"latency": -1}, {"nope": 1}, {"drop_rate": "x"}):
        with pytest.raises(ValueError):
            faults.update(bad)
    faults.update({"throttle_rps": None})
    assert faults.throttle_rps is None and faults.error_rate == 0.25


def test_clock_advances_and_is_monotone() -> None:
    clock = SimClock(frozen_at=100.0)
    clock.advance(5)
    assert clock.now() == 105.0
    with pytest.raises(ValueError):
        clock.advance(-1)
    live = SimClock()
    assert abs(live.now() - time.time()) < 1


def test_seed_tree(tmp_path: Path) -> None:
    started = time.monotonic()
    counts = seed_tree(tmp_path / "home", small_files=200, large_size=2**20, many_files=200)
    assert time.monotonic() - started < 5
    files = [p for p in (tmp_path / "home").rglob("*") if p.is_file()]
    dirs = [p for p in (tmp_path / "home").rglob("*") if p.is_dir()]
    assert counts["files"] == len(files)
    assert counts["dirs"] == len(dirs)
    assert counts["bytes"] == sum(p.stat().st_size for p in files)
    assert len(list((tmp_path / "home" / "big-folder").iterdir())) == 200
    assert len(list((tmp_path / "home").glob("proj-*/checkpoints/ckpt-*.pt"))) == 3
    assert list((tmp_path / "home").glob("proj-*/run-*/output/step-*.dat"))
    again = seed_tree(tmp_path / "again", small_files=200, large_size=2**20, many_files=200)
    assert again == counts  # deterministic for a given rng_seed


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    sim_cli.add_arguments(parser)
    return parser.parse_args(argv)


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        ((), "--root"),
        (("--root", "/definitely/missing"), "--root"),
        (("--root", ".", "--error-rate", "1.5"), "--error-rate"),
    ],
)
def test_cli_usage_errors(
    argv: tuple[str, ...], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert sim_cli.run(parse(*argv)) == 2
    assert needle in capsys.readouterr().err


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (("--drop-rate", "-0.1"), "--drop-rate"),
        (("--malformed-rate", "2"), "--malformed-rate"),
        (("--port", "70000"), "--port"),
        (("--latency", "-1"), "--latency"),
    ],
)
def test_cli_option_checks(
    tmp_path: Path, extra: tuple[str, ...], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert sim_cli.run(parse("--root", str(tmp_path), *extra)) == 2
    assert needle in capsys.readouterr().err


def test_cli_root_must_be_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "f"
    file.write_text("x")
    assert sim_cli.run(parse("--root", str(file))) == 2
    assert "--root" in capsys.readouterr().err
