"""The layers only look down: core <- index <- assistant <- ui (evals and tests may use all)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BELOW = {
    "core": set(),
    "index": {"core"},
    "assistant": {"core", "index"},
    "ui": {"core", "index", "assistant"},
}
PROJECT = set(BELOW) | {"evals", "tests"}


def imported_packages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & PROJECT


@pytest.mark.parametrize("package", sorted(BELOW))
def test_package_imports_only_layers_below(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files
    wrong = {
        f"{path.relative_to(ROOT)} imports {other}"
        for path in files
        for other in imported_packages(path) - BELOW[package] - {package}
    }
    assert not wrong, sorted(wrong)


def module_graph() -> dict[str, set[str]]:
    modules = {
        ".".join(path.relative_to(ROOT).with_suffix("").parts): path
        for pkg in BELOW
        for path in (ROOT / pkg).rglob("*.py")
    }
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                targets |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
            elif isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names}
        graph[name] = {t for t in targets if t in modules and t != name and not t.endswith("__init__")}
    return graph


def test_no_module_imports_a_module_that_imports_it_back() -> None:
    graph = module_graph()
    assert "assistant.pipeline" in graph and graph["assistant.pipeline"]
    seen: set[str] = set()
    cycles = []

    def visit(node: str, stack: list[str]) -> None:
        if node in stack:
            cycles.append(" -> ".join([*stack[stack.index(node) :], node]))
            return
        if node in seen:
            return
        seen.add(node)
        for target in sorted(graph[node]):
            visit(target, [*stack, node])

    for node in sorted(graph):
        visit(node, [])
    assert not cycles, cycles
