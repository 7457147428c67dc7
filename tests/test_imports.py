"""The import graph of roadmap/: no cycles, and imports only run down the layers (issue 15).

Every import counts: at module level, inside functions, and under TYPE_CHECKING (a type-only
import is still a dependency a reader must follow).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path

from tests.conftest import REPO

PACKAGE = "roadmap"
# Layers by package prefix, lowest first: a module may import its own layer and the ones below.
# The prefixes are the planned subpackages (issue 15: commands -> render -> decide -> load, write
# beside render); a module under none of them (today: all of them) is checked for cycles only.
LAYERS: Mapping[str, int] = {
    "roadmap.load": 1,
    "roadmap.decide": 2,
    "roadmap.render": 3,
    "roadmap.write": 3,
    "roadmap.commands": 4,
}

Graph = Mapping[str, frozenset[str]]


def module_name(file: Path, root: Path) -> str:
    parts = file.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(tree: ast.Module, name: str, modules: set[str]) -> set[str]:
    """The package's modules that `tree` (module `name`) imports, anywhere in its body."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's own package
                package = name.rsplit(".", node.level)[0]
                base = f"{package}.{base}" if base else package
            # `from roadmap import batch` names a module; `from roadmap.decide.plan import Plan` a name in one.
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        else:
            continue
        found.update(target for target in targets if target in modules and target != name)
    return found


def import_graph(root: Path) -> dict[str, frozenset[str]]:
    files = {module_name(file, root): file for file in sorted(root.rglob("*.py"))}
    modules = set(files)
    return {
        name: frozenset(imported(ast.parse(file.read_text(encoding="utf-8")), name, modules))
        for name, file in files.items()
    }


def cycles(graph: Graph) -> list[list[str]]:
    """Every group of modules that import each other, round and round (strongly connected, >1 module
    or a module importing itself), each as a sorted list."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, ()):
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def layer_of(module: str, layers: Mapping[str, int]) -> tuple[str, int] | None:
    """The longest prefix of `layers` that `module` is, or is inside of, with its rank."""
    matches = [(prefix, rank) for prefix, rank in layers.items() if module == prefix or module.startswith(prefix + ".")]
    return max(matches, key=lambda match: len(match[0]), default=None)


def layer_violations(graph: Graph, layers: Mapping[str, int]) -> list[str]:
    """Every import of a higher layer, as `importer -> imported (layer -> layer)`."""
    found = []
    for importer, targets in sorted(graph.items()):
        own = layer_of(importer, layers)
        for target in sorted(targets):
            other = layer_of(target, layers)
            if own is not None and other is not None and other[1] > own[1]:
                found.append(f"{importer} -> {target} ({own[0]} -> {other[0]})")
    return found


def test_the_package_has_no_import_cycle() -> None:
    graph = import_graph(REPO / PACKAGE)
    assert len(graph) > 20  # the walk found the package
    assert cycles(graph) == []


def test_imports_run_down_the_layers() -> None:
    graph = import_graph(REPO / PACKAGE)
    assert sum(1 for module in graph if layer_of(module, LAYERS)) >= 30  # the layers hold the package
    assert layer_violations(graph, LAYERS) == []


def test_the_shared_top_level_modules_import_no_layer() -> None:
    """errors, limits, vocabulary and slug are importable from every layer, so they use none;
    only the command line (cli, __main__) sits above the layers."""
    graph = import_graph(REPO / PACKAGE)
    above = {f"{PACKAGE}.cli", f"{PACKAGE}.__main__"}
    shared = [m for m in graph if layer_of(m, LAYERS) is None and m not in above and m != PACKAGE]
    assert len(shared) >= 4
    assert {m: sorted(d for d in graph[m] if layer_of(d, LAYERS)) for m in shared} == {m: [] for m in shared}


def test_cycles_are_found_across_function_level_and_type_only_imports(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from pkg.b import g\n")
    (package / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import f\ndef g(): ...\n"
    )
    (package / "c.py").write_text("from pkg import a\nfrom . import d\n")
    (package / "d.py").write_text("import pkg.c\n")
    (package / "e.py").write_text("from pkg.a import f\n")
    graph = import_graph(package)
    assert graph["pkg.a"] == {"pkg.b"} and graph["pkg.c"] == {"pkg.a", "pkg.d"}
    assert cycles(graph) == [["pkg.a", "pkg.b"], ["pkg.c", "pkg.d"]]


def test_the_layer_rule_sees_an_upward_import_once_subpackages_exist() -> None:
    graph = {
        "roadmap.cli": frozenset({"roadmap.commands.build"}),
        "roadmap.commands.build": frozenset({"roadmap.render.html", "roadmap.write.output", "roadmap.errors"}),
        "roadmap.render.html": frozenset({"roadmap.decide.plan", "roadmap.write.output"}),
        "roadmap.decide.plan": frozenset({"roadmap.load.profile", "roadmap.render.html"}),
        "roadmap.load.profile": frozenset({"roadmap.vocabulary"}),
        "roadmap.write.output": frozenset(),
        "roadmap.errors": frozenset(),
        "roadmap.vocabulary": frozenset(),
    }
    assert layer_violations(graph, LAYERS) == [
        "roadmap.decide.plan -> roadmap.render.html (roadmap.decide -> roadmap.render)"
    ]
    assert layer_of("roadmap.render", LAYERS) == ("roadmap.render", 3)
    assert layer_of("roadmap.renderer", LAYERS) is None  # a prefix is a package, not a spelling
