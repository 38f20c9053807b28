"""Project hygiene: layers point one way; ruff and mypy are clean; README matches CI."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "efile_tui"


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize(
    "layer, forbidden",
    [
        (
            "api",
            (
                "textual",
                "keyring",
                "efile_tui.ui",
                "efile_tui.store",
                "efile_tui.core",
                "efile_tui.cli",
                "efile_tui.sim",
                "sqlite3",
            ),
        ),
        ("core", ("textual", "efile_tui.ui", "efile_tui.cli")),
        ("store", ("textual", "efile_tui.ui", "efile_tui.cli")),
        (
            "sim",
            (
                "textual",
                "efile_tui.ui",
                "efile_tui.store",
                "efile_tui.api",
                "efile_tui.core",
                "efile_tui.cli",
            ),
        ),
        ("ui", ("efile_tui.cli",)),
    ],
)
def test_layers_point_one_way(layer: str, forbidden: tuple[str, ...]) -> None:
    bad = []
    for path in (PKG / layer).rglob("*.py"):
        for name in imports_of(path):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                bad.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not bad, "\n".join(bad)


def test_modules_stay_small() -> None:
    big = [
        f"{p.relative_to(ROOT)}: {n} lines"
        for p in PKG.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600
    ]
    assert not big, big


def test_ci_runs_exactly_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = "python -m pip install '.[test]' && python -m pytest"
    assert command in readme
    assert any(line.strip() == command for line in ci.splitlines())


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is not installed")
def test_ruff_clean() -> None:
    trees = [d for d in ("efile_tui", "tests", "bench", "screenshots") if (ROOT / d).is_dir()]
    for args in (["check", *trees], ["format", "--check", "efile_tui"]):
        proc = subprocess.run(["ruff", *args], cwd=ROOT, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_clean() -> None:
    pytest.importorskip("mypy")
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "efile_tui"], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout[-4000:]
