"""The shape of the code: packages in layers, no import cycles, framework-free cores.

The import graph is read from the source with :mod:`ast` (every import, at module level
or inside a function), so a cycle hidden in a function-level import is found too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: The app's packages, lowest first: each may import only the packages before it.
LAYERS = (
    "storage",
    "phone",
    "gateways",
    "accounts",
    "echo",
    "api",
    "crosspost",
    "operators",
    "cli",
)
#: Modules of the app that must not import Flask or Werkzeug (the domain, the codecs' peers).
FRAMEWORK_FREE = (
    "mobile_gateway.storage.models",
    "mobile_gateway.storage.upsert",
    "mobile_gateway.phone.terminals",
    "mobile_gateway.phone.i18n",
    "mobile_gateway.phone.links",
    "mobile_gateway.phone.invisible",
    "mobile_gateway.gateways.range_import",
    "mobile_gateway.accounts.users",
    "mobile_gateway.accounts.passwords",
    "mobile_gateway.accounts.sessions",
    "mobile_gateway.accounts.easy_login",
    "mobile_gateway.accounts.user_search",
    "mobile_gateway.accounts.form_tokens",
    "mobile_gateway.echo.echoes",
    "mobile_gateway.echo.errors",
    "mobile_gateway.echo.feedback",
    "mobile_gateway.echo.friends",
    "mobile_gateway.echo.mentions",
    "mobile_gateway.echo.notifications",
    "mobile_gateway.echo.paging",
    "mobile_gateway.echo.people",
    "mobile_gateway.echo.profiles",
    "mobile_gateway.echo.service_period",
    "mobile_gateway.echo.text",
    "mobile_gateway.api.tokens",
    "mobile_gateway.api.emoji_text",
    "mobile_gateway.api.atom",
    "mobile_gateway.crosspost.addresses",
    "mobile_gateway.crosspost.fetching",
    "mobile_gateway.crosspost.entries",
    "mobile_gateway.crosspost.subscriptions",
    "mobile_gateway.crosspost.worker",
    *(
        f"mobile_gateway.operators.emoji_{name}"
        for name in ("layer", "notation", "lookup", "checks", "preview", "review", "changes", "csv")
    ),
)
#: Web frameworks and storage libraries that carrier_emoji, bytes in and str out, never imports.
NOT_FOR_CARRIER_EMOJI = ("mobile_gateway", "flask", "werkzeug", "jinja2", "sqlalchemy")


def module_name(path: Path, root: Path) -> str:
    """Return the dotted name of a source file under *root*."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, root: Path, modules: set[str]) -> set[str]:
    """Return every module the file imports (absolute names; ``from pkg import mod`` as mod)."""
    name = module_name(path, root)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                found.add(submodule if submodule in modules else target)
    return found


def import_graph(package: str, root: Path = ROOT) -> dict[str, set[str]]:
    """Return module -> imported modules (all imports, not only the package's own)."""
    files = {module_name(path, root): path for path in (root / package).rglob("*.py")}
    # Extension modules (``_speedups.c``) are modules too: leaves that import nothing here.
    compiled = {module_name(path, root) for path in (root / package).rglob("*.c")}
    known = set(files) | compiled
    return {name: imports_of(path, root, known) - {name} for name, path in files.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return the strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph.get(node, ()):
            if other not in graph:
                continue
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def layer_of(module: str) -> str | None:
    """Return the package of the app a module belongs to (None for the top-level modules)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    """The import graph of mobile_gateway."""
    return import_graph("mobile_gateway")


class TestTheChecksThemselves:
    """The checks below would see what they look for."""

    def test_a_cycle_is_found(self):
        """Three modules importing round in a circle make one cycle; a chain makes none."""
        assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
        assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []

    def test_function_level_imports_count(self, tmp_path):
        """An import inside a function is an edge of the graph like one at the top."""
        package = tmp_path / "pkg"
        package.mkdir()
        (package / "__init__.py").write_text("")
        (package / "a.py").write_text("def f():\n    from . import b\n")
        (package / "b.py").write_text("from .a import f\n")
        assert cycles(import_graph("pkg", tmp_path)) == [["pkg.a", "pkg.b"]]


class TestLayers:
    """Each package of the app imports only packages below it, and nothing imports in a circle."""

    def test_no_import_cycle(self, graph):
        """No two modules of mobile_gateway import each other, directly or round a circle."""
        assert cycles(graph) == []

    def test_packages_import_only_lower_layers(self, graph):
        """storage < phone < gateways < accounts < echo < api < crosspost < operators < cli."""
        wrong = []
        for module, imported in graph.items():
            mine = layer_of(module)
            if mine is None:
                continue
            allowed = set(LAYERS[: LAYERS.index(mine) + 1])
            for other in imported:
                theirs = layer_of(other)
                if other.startswith("mobile_gateway") and (theirs is None or theirs not in allowed):
                    if other not in ("mobile_gateway.config",):
                        wrong.append(f"{module} imports {other}")
        assert wrong == []

    def test_only_views_import_views(self, graph):
        """Domain and request-path modules import no views module."""
        wrong = [
            f"{module} imports {other}"
            for module, imported in graph.items()
            if not module.endswith("views") and layer_of(module) not in (None, "cli")
            for other in imported
            if other.startswith("mobile_gateway") and other.endswith("views")
        ]
        assert wrong == []

    def test_domain_modules_do_without_flask(self, graph):
        """The domain modules take a database session, never the request."""
        wrong = [
            f"{module} imports {other}"
            for module, imported in graph.items()
            if any(module == name or module.startswith(name + ".") for name in FRAMEWORK_FREE)
            for other in imported
            if other.split(".")[0] in ("flask", "werkzeug")
        ]
        assert wrong == []


class TestCarrierEmoji:
    """carrier_emoji is a library of its own: bytes in, str out, no app, no framework."""

    def test_imports_no_app_and_no_framework(self):
        """No module of carrier_emoji imports mobile_gateway, Flask, Jinja or SQLAlchemy."""
        graph = import_graph("carrier_emoji")
        wrong = [
            f"{module} imports {other}"
            for module, imported in graph.items()
            for other in imported
            if other.split(".")[0] in NOT_FOR_CARRIER_EMOJI
        ]
        assert wrong == []

    def test_no_import_cycle(self):
        """No two modules of carrier_emoji import each other."""
        assert cycles(import_graph("carrier_emoji")) == []


def test_no_module_is_too_long():
    """Every module but the generated emoji table stays under 450 lines (the house's split)."""
    long = [
        f"{path.relative_to(ROOT)}: {n}"
        for package in ("mobile_gateway", "carrier_emoji")
        for path in (ROOT / package).rglob("*.py")
        if path.name != "table.py"
        and (n := len(path.read_text(encoding="utf-8").splitlines())) > 450
    ]
    assert long == []
