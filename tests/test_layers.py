"""The project's import structure, read from the source with ``ast`` (nothing is imported).

- ``retrieval/`` and ``ranker/`` are libraries: of ``assistant`` they may import only
  ``assistant.core`` (settings, errors, device and threads, the database), at module level,
  inside functions or under ``TYPE_CHECKING`` alike.
- The modules of ``assistant``, ``retrieval`` and ``ranker`` import one another without a
  circle, counting function-local imports: an import that has to hide inside a function to
  avoid a circle means the shared piece sits in the wrong module.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("assistant", "retrieval", "ranker")
LIBRARIES = ("retrieval", "ranker")
CORE = "assistant.core"

# Circles the test tolerates, each with the reason it is hard to break. Keep it empty.
KNOWN_CYCLES: dict[tuple[str, ...], str] = {}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    """Every module of the project's packages, by dotted name."""
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[_module_name(path)] = path
    return found


def _imports(path: Path, module: str) -> Iterator[tuple[int, str, list[str]]]:
    """``(line, imported module, names)`` for every import statement anywhere in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, []
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = module.split(".")
                if not is_package:
                    base = base[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            yield node.lineno, target, [alias.name for alias in node.names]


def _targets(name: str, names: list[str], modules: dict[str, Path]) -> set[str]:
    """The project modules one import statement runs: the module itself (or, for
    ``from pkg import sub``, the submodule) and every package above it."""
    out: set[str] = set()
    parts = name.split(".")
    for i in range(1, len(parts) + 1):
        prefix = ".".join(parts[:i])
        if prefix in modules:
            out.add(prefix)
    for imported in names:
        sub = f"{name}.{imported}"
        if sub in modules:
            out.add(sub)
    return out


def import_graph() -> dict[str, set[str]]:
    """Module -> the project modules it imports (a package's ancestors are left out:
    they are running already when it is imported)."""
    modules = project_modules()
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        edges: set[str] = set()
        for _line, name, names in _imports(path, module):
            edges |= _targets(name, names, modules)
        ancestors = {".".join(module.split(".")[:i]) for i in range(1, module.count(".") + 1)}
        graph[module] = edges - ancestors - {module}
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each as one
    circle through its members, sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0

    def visit(start: str) -> None:  # iterative, so deep graphs cannot overflow the stack
        nonlocal counter
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_circle(sorted(c), graph) for c in sorted(components)]


def _circle(members: list[str], graph: dict[str, set[str]]) -> list[str]:
    """One path ``a -> ... -> a`` inside a strongly connected component (for the message)."""
    inside = set(members)
    start = members[0]
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for child in sorted(graph[node] & inside):
            if child == start:
                return paths[node] + [start]
            if child not in paths:
                paths[child] = paths[node] + [child]
                queue.append(child)
    return members  # pragma: no cover - a component always closes


def test_libraries_import_only_assistant_core() -> None:
    modules = project_modules()
    bad = []
    for module, path in modules.items():
        if module.split(".")[0] not in LIBRARIES:
            continue
        for line, name, names in _imports(path, module):
            targets = [name] if name != "assistant" else [f"assistant.{n}" for n in names]
            for target in targets:
                if target.split(".")[0] != "assistant":
                    continue
                if target != CORE and not target.startswith(CORE + "."):
                    bad.append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    assert not bad, "retrieval/ and ranker/ may import only assistant.core:\n" + "\n".join(bad)


def test_no_import_cycles() -> None:
    cycles = [c for c in find_cycles(import_graph()) if tuple(sorted(set(c))) not in KNOWN_CYCLES]
    assert not cycles, "import circles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_known_cycles_still_exist() -> None:
    """An exception that no longer happens is taken out of ``KNOWN_CYCLES``."""
    present = {tuple(sorted(set(c))) for c in find_cycles(import_graph())}
    assert not set(KNOWN_CYCLES) - present


def test_cycle_finder_sees_function_local_and_relative_imports(tmp_path: Path) -> None:
    """The checker itself: a circle closed only by an import inside a function is found."""
    graph = {"p.a": {"p.b"}, "p.b": {"p.c"}, "p.c": {"p.a"}, "p.d": {"p.a"}}
    assert find_cycles(graph) == [["p.a", "p.b", "p.c", "p.a"]]
    source = "def f():\n    from .b import thing\n"
    (tmp_path / "a.py").write_text(source)
    found = list(_imports(tmp_path / "a.py", "p.a"))
    assert found == [(2, "p.b", ["thing"])]
