"""The shape of the code (docs/architecture.md): imports point one way, from the assembly down
through the domains to the shared library, and no two files import each other, at module level
or inside a function.

The layers, bottom to top; a module may import its own layer's modules and those below:

    library      portal/lib/            imports no domain
    accounts     portal/accounts/       people, networks, roles, log-in, audit log, outbox
    books        ledger/books/          budget years, accounts, entries, booking
    proposals    proposals/             rounds, themes, proposals, budget lines, attachments
    review       review/                reviewers, conflicts, scores, advice, decisions
    projects     ledger/projects/       payments, reports, settlement, projectenbank, SPUK
    assembly     portal/ (the rest)     app, API, CLI, demo, the routes; imported by nobody

A lower part that needs a higher one's help gets it through a registered hook (e.g.
`proposals.controllers.register_detail_section`), which the assembly wires up.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("portal", "proposals", "review", "ledger")

# (layer, module prefixes), bottom first; the first prefix that matches decides.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("library", ("portal.lib",)),
    ("accounts", ("portal.accounts",)),
    ("books", ("ledger.books",)),
    ("proposals", ("proposals",)),
    ("review", ("review",)),
    ("projects", ("ledger.projects",)),
    ("assembly", ("portal", "ledger")),  # the rest of portal; ledger's Piccolo app config
]
RANK = {name: rank for rank, (name, _) in enumerate(LAYERS)}


def layer_of(module: str) -> str:
    for name, prefixes in LAYERS:
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return name
    raise AssertionError(f"{module} is in no layer")


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = modules()


def resolve(name: str) -> str | None:
    """The module of ours an imported dotted name is (or is in)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str) -> set[str]:
    """Every module of ours that `module` imports, anywhere in the file."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(), str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for name in names:
            target = resolve(name)
            # `from portal.lib import db` names the package and the module: the module counts.
            if target is not None and target != module:
                found.add(target)
    # A package's __init__ is imported with any of its modules: not an arrow of its own.
    return {t for t in found if not module.startswith(t + ".")}


GRAPH = {module: imports_of(module) for module in MODULES}


def test_every_module_is_in_a_layer() -> None:
    for module in MODULES:
        layer_of(module)


def test_imports_point_down() -> None:
    wrong = sorted(
        f"{module} ({layer_of(module)}) imports {target} ({layer_of(target)})"
        for module, targets in GRAPH.items()
        for target in targets
        if RANK[layer_of(target)] > RANK[layer_of(module)]
    )
    assert not wrong, "Imports that point up:\n" + "\n".join(wrong)


def test_the_library_imports_no_domain() -> None:
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        if layer_of(module) == "library"
        for target in targets
        if layer_of(target) != "library"
    )
    assert not wrong, "\n".join(wrong)


def test_nothing_imports_the_assembly() -> None:
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        if layer_of(module) != "assembly"
        for target in targets
        if layer_of(target) == "assembly"
    )
    assert not wrong, "\n".join(wrong)


def _cycles() -> list[list[str]]:
    """Strongly connected groups of more than one file (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in GRAPH[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    return groups


def test_no_two_files_import_each_other() -> None:
    cycles = _cycles()
    assert not cycles, "Files that import each other (directly or round about):\n" + "\n".join(
        " <-> ".join(group) for group in cycles
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from ledger.projects import spuk\n", "ledger.projects.spuk"),
        ("def f():\n    from review import services\n", "review.services"),
        ("import proposals.rules\n", "proposals.rules"),
    ],
)
def test_the_scan_sees_every_kind_of_import(
    source: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The checks above would pass vacuously if the scan missed a kind of import."""
    probe = tmp_path / "probe.py"
    probe.write_text(source)
    monkeypatch.setitem(MODULES, "portal.lib.probe", probe)
    assert expected in imports_of("portal.lib.probe")


# A module one can hold in one's head (issue 14). Modules still above it are listed with their
# size today; a listed module may not grow, and leaves the list once it is split.
MAX_LINES = 600
TOO_BIG_FOR_NOW: dict[str, int] = {}


def test_no_module_is_too_big_to_read() -> None:
    sizes = {m: len(p.read_text().splitlines()) for m, p in MODULES.items()}
    too_big = {
        m: n for m, n in sizes.items() if n > MAX_LINES and n > TOO_BIG_FOR_NOW.get(m, MAX_LINES)
    }
    assert too_big == {}, f"over {MAX_LINES} lines; split along a seam: {too_big}"
    split = [m for m in TOO_BIG_FOR_NOW if sizes.get(m, 0) <= MAX_LINES]
    assert split == [], f"no longer too big, take them off TOO_BIG_FOR_NOW: {split}"
