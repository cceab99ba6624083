"""The house rules, executable (docs/architecture.md explains them).

1. Layers: a package imports only packages of lower layers (and the top-level
   ``curienn`` for ``__version__``/``CONVENTIONS_VERSION`` and its lazy
   sub-package attributes, which count as imports of those packages).
2. Packages talk through public names: no import of another package's
   underscore module or underscore name, anywhere in ``src/``.
3. Imports sit at the top of the file. Inside functions only: the optional
   dependencies (``OPTIONAL``) and scipy's sub-modules; in ``symmetry``, torch
   and ``curienn.o3`` (the package is numpy-only at import); in ``cli``, torch,
   numpy and public ``curienn`` packages (``curienn --help`` does not load torch).
4. No file in ``src/curienn`` is longer than ``MAX_LINES``.
5. No import cycle between the modules of a package (function-local imports included).
6. The examples and benchmarks use public names only.
"""

from __future__ import annotations

import ast
import functools
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "curienn"

#: the layers, bottom first; a package may import the packages of lower layers
LAYERS = [
    ("o3", "optim"),
    ("nn",),
    ("io",),
    ("models", "testing"),
    ("symmetry",),
    ("breaking", "dynamics"),
    ("plot", "compat"),
    ("cli",),
]
RANK = {pkg: k for k, layer in enumerate(LAYERS) for pkg in layer}
#: importable inside functions anywhere: optional dependencies (and heavy scipy sub-modules)
OPTIONAL = {"ase", "spglib", "spgrep", "matplotlib", "tqdm", "e3nn", "scipy"}
#: importable inside functions in one package, and why
LAZY_ALLOWED = {
    "symmetry": {"torch", "curienn.o3"},  # numpy-only at import time
    "cli": {"torch", "numpy", "curienn.*"},  # --help without torch; public packages only
}
MAX_LINES = 450


def _modules():
    return sorted(p for p in SRC.rglob("*.py") if ".egg-info" not in str(p))


def _name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _package(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in RANK else None


def _resolve(path: Path, node: ast.ImportFrom) -> str:
    """Absolute module of ``from ... import`` (relative imports resolved)."""
    if node.level == 0:
        return node.module or ""
    here = _name(path).split(".")
    if path.name != "__init__.py":
        here = here[:-1]
    base = here[: len(here) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


class _Imports(ast.NodeVisitor):
    """Every import of a file: ``(target module, imported names, line, inside a function)``,
    plus ``curienn.<pkg>`` attribute chains after ``import curienn``."""

    def __init__(self, path: Path):
        self.path, self.depth, self.found = path, 0, []

    def visit_FunctionDef(self, node):
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Import(self, node):
        for a in node.names:
            self.found.append((a.name, [], node.lineno, self.depth > 0))

    def visit_ImportFrom(self, node):
        self.found.append((_resolve(self.path, node), [a.name for a in node.names], node.lineno, self.depth > 0))

    def visit_Attribute(self, node):
        chain, x = [], node
        while isinstance(x, ast.Attribute):
            chain.append(x.attr)
            x = x.value
        if isinstance(x, ast.Name) and x.id == "curienn" and chain:
            self.found.append((".".join(["curienn", *reversed(chain)]), [], node.lineno, self.depth > 0))
        else:
            self.generic_visit(node)


@functools.lru_cache(maxsize=None)
def _imports(path: Path):
    v = _Imports(path)
    v.visit(ast.parse(path.read_text()))
    return v.found


def _submodule_targets(target: str, names: list[str]) -> list[str]:
    """``from pkg import a, b``: the sub-modules among a, b (files), else ``pkg`` itself."""
    base = SRC.parent.joinpath(*target.split("."))
    subs = [f"{target}.{n}" for n in names if (base / f"{n}.py").exists() or (base / n / "__init__.py").exists()]
    return subs or [target]


ALL = [(p, imp) for p in _modules() for imp in _imports(p)]


def _where(path, line):
    return f"{path.relative_to(SRC.parent)}:{line}"


def test_layers():
    bad = []
    for path, (target, names, line, _) in ALL:
        mine = _package(_name(path))
        for t in _submodule_targets(target, names) if target == "curienn" else [target]:
            theirs = _package(t)
            if mine and theirs and theirs != mine and RANK[theirs] >= RANK[mine]:
                bad.append(f"{_where(path, line)}: {mine} (layer {RANK[mine]}) imports {t} (layer {RANK[theirs]})")
    assert not bad, "imports against the layers:\n" + "\n".join(bad)


def test_packages_use_each_others_public_names_only():
    bad = []
    for path, (target, names, line, _) in ALL:
        mine = _package(_name(path))
        if not target.startswith("curienn"):
            continue
        for t in _submodule_targets(target, names) if target == "curienn" else [target]:
            theirs = _package(t)
            if theirs is None or theirs == mine:
                continue
            private = [p for p in t.split(".")[2:] if p.startswith("_")]
            private += [n for n in names if n.startswith("_") and not n.startswith("__") and t != "curienn"]
            if private:
                bad.append(f"{_where(path, line)}: {t} {names or ''} (private: {private})")
    assert not bad, "imports of another package's private names:\n" + "\n".join(bad)


def test_examples_and_benchmarks_use_public_names_only():
    bad = []
    root = SRC.parents[1]
    for path in sorted(root.glob("examples/*.py")) + sorted(root.glob("benchmarks/*.py")):
        for target, names, line, _ in _imports(path):
            if target.startswith("curienn") and (any(p.startswith("_") for p in target.split(".")[1:])
                                                 or any(n.startswith("_") for n in names)):
                bad.append(f"{path.name}:{line}: {target} {names}")
    assert not bad, "private curienn names in examples/benchmarks:\n" + "\n".join(bad)


def _lazy_ok(package: str | None, target: str) -> bool:
    top = target.split(".")[0]
    if top in OPTIONAL:
        return True
    allowed = LAZY_ALLOWED.get(package or "", set())
    if top in allowed or target in allowed:
        return True
    public = top == "curienn" and not any(p.startswith("_") for p in target.split(".")[1:])
    return "curienn.*" in allowed and public


def test_imports_at_the_top_of_files():
    bad = []
    for path in _modules():
        package = _package(_name(path))
        for target, names, line, local in _imports(path):
            if not local or (target.startswith("curienn.") and not names and _is_attr(path, line, target)):
                continue
            targets = _submodule_targets(target, names) if target == "curienn" else [target]
            if not all(_lazy_ok(package, t) for t in targets):
                bad.append(f"{_where(path, line)}: import of {target} {names or ''} inside a function")
    assert not bad, "imports inside functions (move them to the top of the file):\n" + "\n".join(bad)


@functools.lru_cache(maxsize=None)
def _lines(path: Path) -> list:
    return path.read_text().splitlines()


def _is_attr(path: Path, line: int, target: str) -> bool:
    """Whether the ``curienn.x`` at ``line`` is an attribute chain (not an import statement)."""
    text = _lines(path)[line - 1]
    return f"import {target}" not in text and f"from {target}" not in text


def test_no_file_is_too_long():
    long = {str(p.relative_to(SRC.parent)): n for p in _modules() if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not long, f"files over {MAX_LINES} lines (split them by concept): {long}"


def _cycles(graph: dict) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in list(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycle_inside_a_package():
    known = {_name(p) for p in _modules()}
    graph: dict = {}
    for path in _modules():
        me = _name(path)
        for target, names, _, _ in _imports(path):
            for t in _submodule_targets(target, names):
                while t not in known and "." in t:
                    t = t.rsplit(".", 1)[0]
                if t != me and t in known and _package(t) and _package(t) == _package(me):
                    graph.setdefault(me, set()).add(t)
    assert not _cycles(graph), f"import cycles: {_cycles(graph)}"


def test_the_rules_catch_violations(tmp_path, monkeypatch):
    """The checks above can fail: run them on made-up files."""
    bad = tmp_path / "curienn" / "nn" / "_bad.py"
    bad.parent.mkdir(parents=True)
    bad.write_text("import numpy\nfrom curienn.breaking._search import X\n\ndef f():\n    import json\n")
    monkeypatch.setattr(sys.modules[__name__], "SRC", tmp_path / "curienn")
    found = _imports(bad)
    assert ("curienn.breaking._search", ["X"], 2, False) in found and ("json", [], 5, True) in found
    assert RANK["breaking"] > RANK["nn"] and not _lazy_ok("nn", "json") and _lazy_ok("cli", "curienn.breaking")
    assert not _lazy_ok("cli", "curienn.breaking._search")
    assert _cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]


@pytest.mark.parametrize("package", ["symmetry"])
def test_numpy_only_packages_do_not_load_torch(package):
    code = f"import sys, curienn.{package}; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_help_does_not_load_torch():
    code = "import sys, curienn.cli; curienn.cli.build_parser(); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
