"""The import graph: layers by what things are, arrows only pointing down (docs/architecture.md).

Every import counts, lazy ones inside functions and those under ``TYPE_CHECKING`` too: each is a
dependency a reader has to follow. A unit is a top-level module or package of ``timescales``;
within a unit, modules may import each other, but not in a circle.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

import timescales

ROOT = Path(timescales.__file__).parent
PLUGINS = Path(__file__).resolve().parents[2] / "plugins"

# lowest first; a unit may import only units on a lower floor (docs/architecture.md)
FLOORS: tuple[tuple[str, ...], ...] = (
    # ground: the data's own language
    ("errors", "seen", "progress", "seed_sources", "version", "usercache"),
    ("dates", "calendar", "rulecache"),
    ("records", "findings"),
    ("contract",),
    ("tally", "rules"),
    ("plugins",),
    # the per-child machinery, the kinds of rule, the rule set that runs them
    ("evaluation",),
    ("kinds",),
    ("ruleset",),
    # inputs and outputs
    ("importers", "generate", "guard"),
    # the workforce: worker records against the workforce rules (the aggregates read it)
    ("workforce",),
    ("aggregates", "explain"),
    ("reporters", "worklist", "docs"),
    ("backends",),
    # the one pipeline, and the adapters over it
    ("pipeline",),
    ("parallel", "api"),
    ("service", "testing"),
    ("cli",),  # the command line, which also starts the service
    ("__main__", "__init__"),
)
LAYERS = {unit: floor for floor, units in enumerate(FLOORS) for unit in units}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every ``timescales`` module this file imports, anywhere in it."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "timescales")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            if module.split(".")[0] != "timescales":
                continue
            # ``from . import x`` / ``from .pkg import mod``: the submodules, when they are
            # ones; otherwise the module the names come from
            submodules = {f"{module}.{a.name}" for a in node.names}
            if all(_exists(m) for m in submodules):
                found.update(submodules)
            else:
                found.add(module)
    found.discard(name)
    return found


def _exists(module: str) -> bool:
    rel = Path(*module.split(".")[1:])
    return (ROOT / rel).with_suffix(".py").exists() or (ROOT / rel / "__init__.py").exists()


def _unit(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _graph() -> dict[str, set[str]]:
    return {_module_name(p): _imports(p) for p in sorted(ROOT.rglob("*.py"))}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_every_unit_has_a_floor() -> None:
    units = {_unit(m) for m in _graph()}
    assert units - LAYERS.keys() == set(), "give each new unit a floor in LAYERS"
    assert LAYERS.keys() - units == set(), "a floor for a unit that no longer exists"


def test_no_module_imports_in_a_circle() -> None:
    assert _cycle(_graph()) is None


def test_no_package_loops() -> None:
    units: dict[str, set[str]] = defaultdict(set)
    for module, imported in _graph().items():
        units[_unit(module)].update(_unit(m) for m in imported if _unit(m) != _unit(module))
    assert _cycle(dict(units)) is None


def test_arrows_only_point_down() -> None:
    upward = sorted(
        f"{module} -> {imported}"
        for module, targets in _graph().items()
        for imported in targets
        if _unit(imported) != _unit(module)
        and LAYERS.get(_unit(imported), 99) >= LAYERS.get(_unit(module), -1)
    )
    assert upward == []


# what a council plugin may import: the documented public contract
PUBLIC = {
    "timescales",
    "timescales.plugins",
    "timescales.contract",
    "timescales.importers",
    "timescales.records",
    "timescales.errors",
    "timescales.findings",
    "timescales.dates",
    "timescales.calendar",
}


@pytest.mark.parametrize("plugin", sorted(p.name for p in PLUGINS.iterdir() if p.is_dir()))
def test_council_plugins_use_only_public_contract_types(plugin: str) -> None:
    used = set()
    for path in (PLUGINS / plugin).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("timescales"):
                used.add(node.module)
            elif isinstance(node, ast.Import):
                used.update(a.name for a in node.names if a.name.startswith("timescales"))
    assert used <= PUBLIC, sorted(used - PUBLIC)
