"""Project hygiene: layers point one way; ruff and mypy are clean; README matches CI; no
private Textual access (nothing imports ``textual._*`` or touches a ``_`` attribute of a
Textual class: reading one, writing one, or shadowing one in a subclass)."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from functools import cache
from importlib.util import find_spec
from pathlib import Path

import pytest
import textual
from textual.widget import Widget

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
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 450
    ]
    assert not big, big


def test_ci_runs_exactly_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = "python -m pip install '.[test]' && python -m pytest"
    assert command in readme
    assert any(line.strip() == command for line in ci.splitlines())
    # What that command leaves out (pyproject's addopts) runs next, on its own line.
    assert 'python -m pytest -q -m "soak or lint"' in ci.splitlines()


@pytest.mark.lint
@pytest.mark.skipif(find_spec("ruff") is None, reason="ruff is not installed")
def test_ruff_clean() -> None:
    # The ruff of this interpreter (a test extra), whatever is first on PATH.
    trees = [d for d in ("efile_tui", "tests", "bench", "screenshots") if (ROOT / d).is_dir()]
    for args in (["check", *trees], ["format", "--check", "efile_tui"]):
        proc = subprocess.run(
            [sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.lint
def test_mypy_clean() -> None:
    pytest.importorskip("mypy")
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "efile_tui"], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout[-4000:]


# -- no private Textual access ------------------------------------------------------
#
# Textual's private names are collected from its own source: every ``_name`` a Textual
# class defines (methods, class attributes, ``self._name = ...``). Any ``obj._name`` in a
# module of ours that uses Textual, with ``_name`` among them, is private access or a
# collision with Textual's internals; either can break with any Textual release.


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


@cache
def textual_private_names() -> dict[str, frozenset[str]]:
    """The ``_``-prefixed attribute names each Textual class defines (by module.qualname):
    methods, class attributes and ``self._name = ...`` in its methods."""
    root = Path(textual.__file__).parent
    found: dict[str, frozenset[str]] = {}
    for path in root.rglob("*.py"):
        module = ".".join(("textual", *path.relative_to(root).with_suffix("").parts))
        module = module.removesuffix(".__init__")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
            names: set[str] = set()
            for node in ast.walk(cls):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _private(node.name):
                    names.add(node.name)
                elif (
                    isinstance(node, ast.Attribute)
                    and isinstance(node.ctx, ast.Store)
                    and isinstance(node.value, ast.Name)
                    and node.value.id == "self"
                    and _private(node.attr)
                ):
                    names.add(node.attr)
            for stmt in cls.body:
                targets = (
                    stmt.targets
                    if isinstance(stmt, ast.Assign)
                    else [stmt.target]
                    if isinstance(stmt, ast.AnnAssign)
                    else []
                )
                names.update(t.id for t in targets if isinstance(t, ast.Name) and _private(t.id))
            found[f"{module}.{cls.name}"] = frozenset(names)
    return found


def every_textual_private_name() -> frozenset[str]:
    """Every private name of every Textual class."""
    return frozenset().union(*textual_private_names().values())


def inherited_private_names(cls: type) -> frozenset[str]:
    """The private names of the Textual classes ``cls`` derives from."""
    names = textual_private_names()
    return frozenset().union(
        *(names.get(f"{c.__module__}.{c.__qualname__}", frozenset()) for c in cls.__mro__)
    )


def private_uses(source: str, namespace: dict[str, object] | None = None) -> list[str]:
    """Private Textual imports and attributes in one module's source, as messages.

    ``namespace``: the module's globals, to find which of its classes derive from Textual
    classes; inside those, ``self._name`` counts when a Textual base defines ``_name``.
    Elsewhere, ``obj._name`` counts when any Textual class defines ``_name`` (``obj`` not a
    module of another library).
    """
    tree = ast.parse(source)
    uses_textual = False
    other_modules: set[str] = set()
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                uses_textual |= top == "textual"
                if top != "textual":
                    other_modules.add(alias.asname or top)
                if top == "textual" and any(_private(p) for p in alias.name.split(".")[1:]):
                    problems.append(f"line {node.lineno}: import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.module:
            parts = node.module.split(".")
            if parts[0] == "textual":
                uses_textual = True
                private = [a.name for a in node.names if _private(a.name)]
                if any(_private(p) for p in parts[1:]) or private:
                    problems.append(f"line {node.lineno}: from {node.module} import ...")
    if not uses_textual:
        return problems
    everything = every_textual_private_name()
    inside: dict[int, frozenset[str]] = {}  # id(node) -> private names of the class's bases
    for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
        obj = (namespace or {}).get(cls.name)
        names = inherited_private_names(obj) if isinstance(obj, type) else everything
        for node in ast.walk(cls):
            inside[id(node)] = names
        for node in cls.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name in names:
                problems.append(f"line {node.lineno}: def {node.name} (a Textual private name)")
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or not _private(node.attr):
            continue
        base = node.value
        if isinstance(base, ast.Name) and base.id in other_modules:
            continue
        is_self = isinstance(base, ast.Name) and base.id == "self"
        names = inside.get(id(node), everything) if is_self else everything
        if node.attr in names:
            problems.append(f"line {node.lineno}: .{node.attr}")
    return sorted(set(problems))


def test_textual_private_names_are_found() -> None:
    names = every_textual_private_name()
    # Names the old task and path tables used: the check must know them.
    for name in ("_data", "_row_locations", "_new_rows", "_update_count", "_y_offsets"):
        assert name in names


def test_the_check_catches_private_access() -> None:
    bad = (
        "import os\n"
        "from textual._two_way_dict import TwoWayDict\n"
        "from textual.widgets import DataTable\n"
        "def f(t: DataTable) -> None:\n"
        "    t._row_locations = {}\n"
        "    t._require_update_dimensions = True\n"
        "    os._exit(0)\n"
    )
    assert len(private_uses(bad)) == 3
    widget = "from textual.widget import Widget\nclass W(Widget):\n    def f(self):\n"
    assert private_uses(widget + "        self._size = 1\n", {"W": type("W", (Widget,), {})})
    assert private_uses("from textual.widgets import DataTable\nx = 1\n") == []


def test_no_module_uses_private_textual_names() -> None:
    found = {}
    for path in sorted(PKG.rglob("*.py")):
        name = ".".join(path.relative_to(PKG.parent).with_suffix("").parts)
        source = path.read_text(encoding="utf-8")
        uses = "textual" in source and not name.endswith("__main__")
        namespace = vars(importlib.import_module(name)) if uses else None
        problems = private_uses(source, namespace)
        if problems:
            found[str(path.relative_to(PKG))] = problems
    assert not found, f"private Textual access: {found}"


def test_version_loads_no_network_or_ui_library() -> None:
    """``efile-tui --version`` answers before the HTTP client, asyncio's event loop machinery
    or Textual is imported (each costs tens of milliseconds at every start)."""
    code = (
        "import sys, runpy\n"
        "sys.argv = ['efile-tui', '--version']\n"
        "try:\n    runpy.run_module('efile_tui', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print(sorted(m for m in ('httpx', 'textual', 'rich', 'keyring') if m in sys.modules))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.stdout.strip().splitlines()[-1] == "[]", proc.stdout + proc.stderr
