"""The import rules between the package's rooms, read from the source with ast (nothing imported).

- classify/ is a library: it imports only `monitor.core.models` and itself, and other code imports
  it only through its package (`from monitor.classify import ...`), its one public API;
- replies/ imports no store;
- connectors/ import only the core's models, config and postjson, the store, and themselves;
- no import cycle between modules;
- at most 10 plain modules directly in `monitor/`;
- no two modules with one name (a package's `__init__` and `__main__` aside).

Every import counts, the lazy ones in a function and the type-only ones too. Each allow-list below
names today's exceptions exactly: they are debts of the regrouping (issue 22) and must shrink to
empty. Never add to them; remove an entry when its import goes (the test then asks you to).
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "monitor"

# classify/ -> anything but core.models and itself: none since the detectors are built from plain
# data (the Brand value in core.models, list paths, model folders; the settings are read in
# core.pipeline.build_detectors) and classify finds its own shipped files (classify.bundled).
CLASSIFY_EXCEPTIONS: set[tuple[str, str]] = set()
# outside classify/ -> a classify module other than the package: none since `monitor.classify`
# names what other code uses (tests and bench/ may still reach inside).
CLASSIFY_API_EXCEPTIONS: set[tuple[str, str]] = set()
# replies/ -> the store: none since the rate limits and the outbound checks moved beside the
# sender (runtime/); replies/ is pure.
REPLIES_EXCEPTIONS: set[tuple[str, str]] = set()
# connectors/ -> beyond models, config, postjson, the store and themselves: none since the
# Telegram command layer moved to the desk (desk.telegram_commands) and the runtime attaches it.
CONNECTORS_EXCEPTIONS: set[tuple[str, str]] = set()
# Cycles not broken yet, each as the set of modules in it: none since the Telegram connector no
# longer imports its command layer (it exposes a hook the layer is attached to).
CYCLE_EXCEPTIONS: set[frozenset[str]] = set()
# File names more than one module has: none since classify's detectors are named for what they
# find (secrets/leaks, impersonation/impostors, support/classifier) and its registries for what
# they hold (builtin, impersonation/brand_registry).
SAME_NAME_EXCEPTIONS: set[str] = set()


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def resolve(name: str) -> str:
    """The module an imported name lives in: itself if a module, else the nearest module above."""
    while name not in MODULES and "." in name:
        name = name.rpartition(".")[0]
    return name


def imports(module: str) -> set[str]:
    """The other monitor modules `module` imports."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(resolve(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the package, one level up per extra dot
                anchor = package.rsplit(".", node.level - 1)[0]
                base = f"{anchor}.{base}" if base else anchor
            found.update(resolve(f"{base}.{alias.name}") for alias in node.names)
    return {name for name in found if name in MODULES and name != module}


def in_room(module: str, room: str) -> bool:
    return module == room or module.startswith(room + ".")


def outside(room: str, allowed: tuple[str, ...]) -> set[tuple[str, str]]:
    """(module, import) pairs where the room imports beyond itself and the allowed rooms."""
    return {
        (module, name)
        for module in MODULES
        if in_room(module, room)
        for name in imports(module)
        if not in_room(name, room) and not any(in_room(name, ok) for ok in allowed)
    }


def cycles(graph: dict[str, set[str]]) -> set[frozenset[str]]:
    """The cycles of an import graph: strongly connected components of two or more (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: set[frozenset[str]] = set()

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = {stack.pop()}
            while node not in component:
                component.add(stack.pop())
            if len(component) > 1:
                found.add(frozenset(component))

    for module in graph:
        if module not in index:
            visit(module)
    return found


def test_classify_imports_only_models_and_itself() -> None:
    assert outside("monitor.classify", ("monitor.core.models",)) == CLASSIFY_EXCEPTIONS


def test_other_code_imports_classify_only_through_its_package() -> None:
    found = {
        (module, name)
        for module in MODULES
        if not in_room(module, "monitor.classify")
        for name in imports(module)
        if in_room(name, "monitor.classify") and name != "monitor.classify"
    }
    assert found == CLASSIFY_API_EXCEPTIONS


def test_replies_import_no_store() -> None:
    found = outside("monitor.replies", ())
    assert {(m, name) for m, name in found if in_room(name, "monitor.store")} == REPLIES_EXCEPTIONS


def test_connectors_import_only_values_store_and_themselves() -> None:
    allowed = (
        "monitor.core.models",
        "monitor.core.config",
        "monitor.core.postjson",
        "monitor.store",
    )
    assert outside("monitor.connectors", allowed) == CONNECTORS_EXCEPTIONS


def test_no_import_cycle() -> None:
    assert cycles({module: imports(module) for module in MODULES}) == CYCLE_EXCEPTIONS


def test_at_most_ten_plain_modules_in_the_package_root() -> None:
    assert len(list(PACKAGE.glob("*.py"))) <= 10


def test_no_two_modules_share_a_name() -> None:
    names = Counter(p.name for p in PACKAGE.rglob("*.py") if p.stem not in ("__init__", "__main__"))
    assert {name for name, count in names.items() if count > 1} == SAME_NAME_EXCEPTIONS


def test_the_reader_finds_imports_and_cycles() -> None:
    """The rules would pass vacuously if the reader found nothing: it finds imports and cycles."""
    assert "monitor.core.models" in imports("monitor.classify.base")
    assert "monitor.store.sqlite" in imports("monitor.store")
    assert "monitor.cli.train" in imports("monitor.cli.training")  # lazy, in a function
    assert "monitor.classify" in imports("monitor.core.pipeline")  # the package, by its names
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"e", "d"}}
    assert cycles(graph) == {frozenset({"a", "b", "c"})}
