"""The import graph of the project's packages: no cycle, and the layers stay apart.

Every module of `bot`, `ft_client`, `storage` and `sandbox` is parsed with `ast` (nothing is
imported): `import`/`from … import` statements anywhere in the file (module level and function
bodies) and `importlib.import_module("literal")` calls. Imports under `if TYPE_CHECKING:` never
run, so they are left out: they are how annotations name a type without an import-time circle.
An f-string with a literal prefix (`import_module(f"bot.handlers.{name}")`) may reach any module
under that prefix, so it counts as an import of each of them:
a cycle hidden behind it is a cycle too.

`from a.b import c` is an edge to `a.b.c` when `c` is a submodule, to `a.b` otherwise. A
submodule importing its own package's `__init__` while that `__init__` imports the submodule
is reported like any other cycle.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "ft_client", "storage", "sandbox")
# What is true today: the offline demo runner (`ft-bot demo`) is the one module outside `sandbox`
# that starts the emulators; tests and benchmarks, not walked here, use them freely.
SANDBOX_IMPORTERS = frozenset({"bot.demo_runner"})


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    file: str  # relative to the walked root
    line: int

    def where(self) -> str:
        return f"{self.file}:{self.line}"


def discover_modules(root: Path, packages: Iterable[str]) -> dict[str, Path]:
    """Dotted module name → file, for every `.py` file of the given top-level packages."""
    modules: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def _known(name: str, modules: Collection[str]) -> str | None:
    """The longest known module that `name` is, or is an attribute of (None: not ours)."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def _package_of(module: str, path: Path) -> list[str]:
    parts = module.split(".")
    return parts if path.name == "__init__.py" else parts[:-1]


def _imported_names(module: str, path: Path, modules: Collection[str]) -> Iterator[tuple[str, int]]:
    """(imported module, line) for every import of one file, ours only."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    typing_only = _type_checking_nodes(tree)
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = _known(alias.name, modules)
                if target:
                    yield target, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = _package_of(module, path)
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            for alias in node.names:
                # `from a.b import c`: the submodule a.b.c if there is one, else a.b itself.
                target = _known(f"{base}.{alias.name}", modules)
                if target:
                    yield target, node.lineno
        elif isinstance(node, ast.Call) and _is_import_module(node.func) and node.args:
            argument = node.args[0]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                target = _known(argument.value, modules)
                if target:
                    yield target, node.lineno
            elif isinstance(argument, ast.JoinedStr) and argument.values:
                first = argument.values[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    for candidate in sorted(modules):
                        if candidate.startswith(first.value):
                            yield candidate, node.lineno


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """ids of every node inside an `if TYPE_CHECKING:` body (never executed at run time)."""
    hidden: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and (
            (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
            or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING")
        ):
            for statement in node.body:
                hidden.update(id(inner) for inner in ast.walk(statement))
    return hidden


def _is_import_module(func: ast.expr) -> bool:
    if isinstance(func, ast.Attribute):
        return (
            func.attr == "import_module"
            and isinstance(func.value, ast.Name)
            and func.value.id == "importlib"
        )
    return isinstance(func, ast.Name) and func.id == "import_module"


def import_graph(root: Path, packages: Iterable[str]) -> dict[str, dict[str, Edge]]:
    """source module → {target module → one place it is imported} for the packages under `root`."""
    modules = discover_modules(root, packages)
    graph: dict[str, dict[str, Edge]] = {name: {} for name in modules}
    for module, path in modules.items():
        for target, line in _imported_names(module, path, modules):
            if target != module:
                file = path.relative_to(root).as_posix()
                graph[module].setdefault(target, Edge(module, target, file, line))
    return graph


def find_cycles(graph: dict[str, dict[str, Edge]]) -> list[list[Edge]]:
    """Cycles found by a depth-first walk (at least one per tangle), each as its edges."""
    cycles: list[list[Edge]] = []
    state: dict[str, str] = {}  # "open" while on the walk's path, "done" once left
    path: list[Edge] = []

    def visit(module: str) -> None:
        state[module] = "open"
        for target in sorted(graph.get(module, {})):
            edge = graph[module][target]
            if state.get(target) == "open":
                # On the walk's path (never `module` itself: no self edges): a cycle back to it.
                start = next(i for i, e in enumerate(path) if e.source == target)
                cycles.append([*path[start:], edge])
            elif target not in state:
                path.append(edge)
                visit(target)
                path.pop()
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module)
    return cycles


def describe(cycle: list[Edge]) -> str:
    names = " -> ".join([cycle[0].source, *(edge.target for edge in cycle)])
    places = ", ".join(edge.where() for edge in cycle)
    return f"{names} ({places})"


def imports_between(graph: dict[str, dict[str, Edge]], sources: str, targets: str) -> list[Edge]:
    """Imports from modules of package `sources` to modules of package `targets`."""

    def inside(module: str, package: str) -> bool:
        return module == package or module.startswith(package + ".")

    return [
        edge
        for source, edges in sorted(graph.items())
        if inside(source, sources)
        for target, edge in sorted(edges.items())
        if inside(target, targets)
    ]


# --------------------------------------------------------------------------------------------
# The project


def test_the_project_has_no_import_cycle() -> None:
    graph = import_graph(ROOT, PACKAGES)
    assert graph.get("bot.app"), "the walk found no import at all"
    cycles = find_cycles(graph)
    assert not cycles, "import cycles:\n" + "\n".join(describe(c) for c in cycles)


def test_ft_client_and_storage_never_import_bot() -> None:
    graph = import_graph(ROOT, PACKAGES)
    for lower in ("ft_client", "storage"):
        wrong = imports_between(graph, lower, "bot")
        assert not wrong, [f"{e.source} -> {e.target} ({e.where()})" for e in wrong]


def test_sandbox_stays_apart() -> None:
    graph = import_graph(ROOT, PACKAGES)
    importers = {
        edge.source
        for package in ("bot", "ft_client", "storage")
        for edge in imports_between(graph, package, "sandbox")
    }
    assert importers == SANDBOX_IMPORTERS
    # The emulators stand in for the real services: they never use the bot.
    assert not imports_between(graph, "sandbox", "bot")


# --------------------------------------------------------------------------------------------
# The checker itself, on throwaway packages


def write_tree(root: Path, files: dict[str, str]) -> None:
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source), encoding="utf-8")


def test_a_cycle_through_function_level_and_importlib_imports_is_found(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from pkg import b\n",
            "pkg/b.py": """\
                import importlib


                def later():
                    return importlib.import_module("pkg.c")
                """,
            "pkg/c.py": """\
                def later():
                    from . import a
                """,
            "pkg/d.py": "import pkg.a\n",
        },
    )
    graph = import_graph(tmp_path, ["pkg"])
    assert set(graph["pkg.a"]) == {"pkg.b"}  # `from pkg import b`: the submodule, not pkg
    assert set(graph["pkg.b"]) == {"pkg.c"}
    assert set(graph["pkg.c"]) == {"pkg.a"}
    [cycle] = find_cycles(graph)
    assert describe(cycle).startswith("pkg.a -> pkg.b -> pkg.c -> pkg.a (pkg/a.py:1, ")

    # The same tree without the hidden import back: no cycle.
    write_tree(tmp_path, {"pkg/c.py": "def later():\n    pass\n"})
    assert find_cycles(import_graph(tmp_path, ["pkg"])) == []


def test_a_submodule_importing_its_package_init_is_a_cycle(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pkg/__init__.py": "from pkg.worker import run\n\nLIMIT = 3\n",
            "pkg/worker.py": """\
                def run():
                    from pkg import LIMIT

                    return LIMIT
                """,
        },
    )
    graph = import_graph(tmp_path, ["pkg"])
    assert set(graph["pkg.worker"]) == {"pkg"}  # LIMIT is a name, not a submodule
    assert [describe(c).split(" (")[0] for c in find_cycles(graph)] == ["pkg -> pkg.worker -> pkg"]


def test_imports_for_type_checking_only_are_not_edges(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pkg/__init__.py": "from pkg.worker import run\n",
            "pkg/worker.py": """\
                import typing
                from typing import TYPE_CHECKING

                if TYPE_CHECKING:
                    from pkg import run
                if typing.TYPE_CHECKING:
                    import pkg
                else:
                    import pkg.other
                """,
            "pkg/other.py": "",
        },
    )
    graph = import_graph(tmp_path, ["pkg"])
    assert set(graph["pkg.worker"]) == {"pkg.other"}  # the else branch runs
    assert find_cycles(graph) == []


def test_an_import_module_with_an_f_string_prefix_reaches_every_module_under_it(
    tmp_path: Path,
) -> None:
    write_tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/factory.py": """\
                from importlib import import_module

                MODULES = [import_module(f"app.handlers.{n}") for n in ("one", "two")]
                """,
            "app/handlers/__init__.py": "",
            "app/handlers/one.py": "",
            "app/handlers/two.py": "from app.factory import MODULES\n",
        },
    )
    graph = import_graph(tmp_path, ["app"])
    assert {"app.handlers.one", "app.handlers.two"} <= set(graph["app.factory"])
    assert [describe(c).split(" (")[0] for c in find_cycles(graph)] == [
        "app.factory -> app.handlers.two -> app.factory"
    ]


def test_a_lower_layer_importing_bot_is_reported(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "bot/__init__.py": "",
            "bot/render.py": "",
            "storage/__init__.py": "",
            "storage/db.py": "def f():\n    from bot.render import escape\n",
            "ft_client/__init__.py": "from storage import db\n",
        },
    )
    graph = import_graph(tmp_path, ["bot", "storage", "ft_client"])
    assert [(e.source, e.target) for e in imports_between(graph, "storage", "bot")] == [
        ("storage.db", "bot.render")
    ]
    assert imports_between(graph, "ft_client", "bot") == []
    assert find_cycles(graph) == []
