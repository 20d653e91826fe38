"""The layering rules of DESIGN.md, checked by an `ast` walk over the khal package (nothing is imported).

Rules:
- no module under khal/targets, khal/runtime, khal/passes or khal/dialects imports khal.frontend, at
  module level, inside a function or under `if TYPE_CHECKING:` (any import is a dependency);
- khal/compiler.py imports nothing from khal.runtime (anywhere in the file);
- khal/types.py imports nothing of khal (anywhere in the file);
- there is no import cycle among khal's modules.

For the cycle rule only module-level imports are edges: an import inside a function runs when the
function is called, after both modules have finished initialising, so a lazy import is how a layer
reaches one above it (the driver, `kernel.py`) without a circle; imports under `if TYPE_CHECKING:`
never run and are not edges either. An import `a.b.c` is an edge to `a.b.c` alone, not to the
packages `a` and `a.b` that Python initialises on the way (every module would otherwise depend on
`khal/__init__.py`).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import khal

PACKAGE_ROOT = Path(khal.__file__).resolve().parent
LOW_LAYERS = ("khal.targets", "khal.runtime", "khal.passes", "khal.dialects")


@dataclass(frozen=True)
class Import:
    """One import statement's target module, where it sits and whether it runs at import time."""

    source: str  # the importing module
    target: str  # the imported module (a khal module, or a name outside khal)
    line: int
    module_level: bool  # runs when the importing module is imported
    type_only: bool = False  # under `if TYPE_CHECKING:`: never runs


def module_name(path: Path) -> str:
    """`khal/frontend/types.py` -> `khal.frontend.types`; a package's `__init__.py` -> the package."""
    parts = list(path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def khal_modules() -> dict[str, Path]:
    """Every module of the package, by dotted name."""
    return {module_name(p): p for p in sorted(PACKAGE_ROOT.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _resolve(node: ast.ImportFrom, source: str, is_package: bool) -> str:
    """The absolute module a `from ... import` reads from (relative imports resolved)."""
    if node.level == 0:
        return node.module or ""
    base = source.split(".") if is_package else source.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> list[Import]:
    """The imports in one module, each marked module-level or not."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found: list[Import] = []

    def visit(node: ast.AST, module_level: bool, type_only: bool) -> None:
        if isinstance(node, ast.Import):
            found.extend(Import(name, a.name, node.lineno, module_level, type_only) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(node, name, is_package)
            for a in node.names:
                sub = f"{base}.{a.name}"  # `from khal import types` imports the module khal.types
                target = sub if sub in modules else base
                found.append(Import(name, target, node.lineno, module_level, type_only))
        inner = module_level
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            inner = False
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                visit(child, False, True)
            for child in node.orelse:
                visit(child, module_level, type_only)
            return
        for child in ast.iter_child_nodes(node):
            visit(child, inner, type_only)

    visit(tree, True, False)
    return found


def all_imports() -> list[Import]:
    """Every import in the package."""
    modules = khal_modules()
    return [imp for name, path in modules.items() for imp in imports_of(name, path, modules)]


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_low_layers_never_import_the_frontend() -> None:
    bad = [
        f"{i.source}:{i.line} imports {i.target}"
        for i in all_imports()
        if any(_within(i.source, layer) for layer in LOW_LAYERS) and _within(i.target, "khal.frontend")
    ]
    assert not bad, "layers below the frontend import it:\n" + "\n".join(bad)


def test_driver_does_not_import_the_runtime() -> None:
    bad = [
        f"{i.source}:{i.line} imports {i.target}"
        for i in all_imports()
        if i.source == "khal.compiler" and _within(i.target, "khal.runtime")
    ]
    assert not bad, "khal/compiler.py imports the runtime:\n" + "\n".join(bad)


def test_types_import_nothing_of_khal() -> None:
    bad = [
        f"{i.source}:{i.line} imports {i.target}"
        for i in all_imports()
        if i.source == "khal.types" and _within(i.target, "khal")
    ]
    assert not bad, "khal/types.py imports khal:\n" + "\n".join(bad)


def test_frontend_never_imports_the_kernel_objects() -> None:
    # kernel.py imports the frontend (lazily); the frontend recognises kernels and funcs by their
    # marker attributes, so it reaches back only for type annotations.
    bad = [
        f"{i.source}:{i.line} imports {i.target}"
        for i in all_imports()
        if _within(i.source, "khal.frontend") and i.target == "khal.kernel" and not i.type_only
    ]
    assert not bad, "the frontend imports khal.kernel:\n" + "\n".join(bad)


def test_kernel_objects_import_the_frontend_lazily() -> None:
    bad = [
        f"{i.source}:{i.line} imports {i.target}"
        for i in all_imports()
        if i.source == "khal.kernel" and _within(i.target, "khal.frontend") and i.module_level
    ]
    assert not bad, "khal/kernel.py imports the frontend at module level:\n" + "\n".join(bad)


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of the graph (a list of modules, the first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for root in sorted(edges):
        if state.get(root):
            continue
        path, stack = [root], [iter(sorted(edges[root]))]
        state[root] = 1
        while stack:  # iterative DFS: the module graph is deep enough to matter on small stacks
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            elif not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(sorted(edges.get(nxt, ()))))
    return None


def test_no_import_cycle() -> None:
    modules = khal_modules()
    edges: dict[str, set[str]] = {name: set() for name in modules}
    for i in all_imports():
        if i.module_level and i.target in modules and i.target != i.source:
            edges[i.source].add(i.target)
    cycle = find_cycle(edges)
    assert cycle is None, "import cycle among khal's modules: " + " -> ".join(cycle or [])


def test_cycle_finder_finds_cycles() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None
