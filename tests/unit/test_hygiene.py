"""Project hygiene: layers point one way; ruff and mypy are clean; README matches CI; no
private Textual access (nothing imports ``textual._*`` or touches a ``_`` attribute of a
Textual class: reading one, writing one, or shadowing one in a subclass)."""

from __future__ import annotations

import ast
import importlib
import re
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
    assert 'python -m pytest -q -m "soak or lint or load"' in ci.splitlines()


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
    """``efile-tui --version`` answers before the HTTP client, asyncio, Textual, the
    translations or the rest of the command line are imported (each costs milliseconds to
    tens of milliseconds at every start)."""
    code = (
        "import sys, runpy\n"
        "sys.argv = ['efile-tui', '--version']\n"
        "try:\n    runpy.run_module('efile_tui', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print(sorted(m for m in ('httpx', 'textual', 'rich', 'keyring', 'asyncio', "
        "'efile_tui.cli.run', 'efile_tui.i18n') if m in sys.modules))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.stdout.strip().splitlines()[-1] == "[]", proc.stdout + proc.stderr


# -- the structure: no import circles, layers only downward, no stub methods ------------
#
# The import graph is read from the source (every import, also inside functions), leaving
# out imports under ``if TYPE_CHECKING:`` (they never run). ``from package import name``
# is an edge to ``package.name`` when that is a module, else to ``package``.

# Layers, lowest first: a module may import its own layer and the ones below, never one
# above. The simulator stands alone: it imports only itself, and only the CLI starts it.
LAYERS = (
    "efile_tui",
    "glyphs",
    "gcpause",
    "i18n",
    "vanish",
    "locations",
    "api",
    "config",
    "store",
    "core",
    "ui",
    "cli",
    "__main__",
)
SIM = "sim"

# Circles still being taken apart by another change, each named. Empty the set as they go:
# a circle not listed here fails the test.
ALLOWED_CIRCLES: set[frozenset[str]] = set()
# Base-class stubs (``raise NotImplementedError``) allowed while being replaced by
# composition, each named ("path: Class.method"). None are left.
ALLOWED_STUBS: set[str] = set()


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def module_imports(path: Path, name: str, modules: set[str]) -> set[str]:
    """The modules of ours ``path`` (module ``name``) imports, TYPE_CHECKING aside."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking(child):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import):
                found.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
                    for _ in range(child.level - 1):
                        package = package.rpartition(".")[0]
                    base = f"{package}.{base}" if base else package
                for alias in child.names:
                    found.add(full if (full := f"{base}.{alias.name}") in modules else base)
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return {m for m in found if m in modules and m != name}


@cache
def import_graph() -> dict[str, frozenset[str]]:
    paths = {module_name(p): p for p in PKG.rglob("*.py")}
    names = set(paths)
    return {name: frozenset(module_imports(p, name, names)) for name, p in paths.items()}


def circles(graph: dict[str, frozenset[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            step = next(edges, None)
            if step is not None:
                if step not in index:
                    index[step] = low[step] = len(index)
                    stack.append(step)
                    on_stack.add(step)
                    work.append((step, iter(sorted(graph[step]))))
                elif step in on_stack:
                    low[node] = min(low[node], index[step])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(frozenset(component))
    return found


def test_the_circle_finder_finds_a_circle() -> None:
    graph = {"a": frozenset({"b"}), "b": frozenset({"c"}), "c": frozenset({"a"}), "d": frozenset()}
    assert circles(graph) == [frozenset({"a", "b", "c"})]
    assert circles({"a": frozenset({"b"}), "b": frozenset()}) == []


def test_no_import_circles() -> None:
    found = circles(import_graph())
    unexpected = [sorted(c) for c in found if c not in ALLOWED_CIRCLES]
    assert not unexpected, unexpected
    gone = [sorted(c) for c in ALLOWED_CIRCLES if c not in found]
    assert not gone, f"no longer a circle, remove its allowance: {gone}"


def layer_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def test_layers_point_only_downward() -> None:
    bad = []
    for module, imported in import_graph().items():
        here = layer_of(module)
        for other in imported:
            there = layer_of(other)
            if here == there:
                continue
            if SIM in (here, there):
                ok = here == "cli" and there == SIM
            else:
                ok = LAYERS.index(there) < LAYERS.index(here)
            if not ok:
                bad.append(f"{module} ({here}) imports {other} ({there})")
    assert not bad, "\n".join(sorted(bad))


def test_every_module_is_in_a_layer() -> None:
    unknown = {layer_of(m) for m in import_graph()} - {*LAYERS, SIM}
    assert not unknown, unknown


def stubs() -> set[str]:
    """Methods whose body (after a docstring) only raises NotImplementedError."""
    found = set()
    for path in sorted(PKG.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
            for fn in cls.body:
                if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                body = [
                    s
                    for s in fn.body
                    if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
                ]
                if len(body) == 1 and isinstance(body[0], ast.Raise) and body[0].exc is not None:
                    exc = body[0].exc
                    raised = exc.func if isinstance(exc, ast.Call) else exc
                    if isinstance(raised, ast.Name) and raised.id == "NotImplementedError":
                        found.add(f"{path.relative_to(ROOT)}: {cls.name}.{fn.name}")
    return found


def test_no_stub_methods() -> None:
    found = stubs()
    assert not found - ALLOWED_STUBS, sorted(found - ALLOWED_STUBS)
    assert not ALLOWED_STUBS - found, f"no longer a stub: {sorted(ALLOWED_STUBS - found)}"


def test_nothing_reaches_into_the_clients_transport() -> None:
    """Outside ``api/`` the client is used through its own methods (``request_count``,
    ``use_token``, ...), never through ``client.http``."""
    bad = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in PKG.rglob("*.py")
        if path.relative_to(PKG).parts[0] != "api"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"client\.http\b", line)
    ]
    assert not bad, bad
