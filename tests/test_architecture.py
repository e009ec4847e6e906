"""The house rules, checked on the source: one way down through the rooms, no import circles, small modules, one
atomic-write module, and a CLI whose import stays free of the heavy libraries."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("descriptors", "screen")

#: The rooms, lowest first. A module may import only from its own room or from rooms earlier in this list.
ROOMS: tuple[tuple[str, ...], ...] = (
    ("descriptors.errors", "descriptors.atomic", "descriptors.lazy"),
    ("descriptors.contract",),
    ("descriptors.data",),
    ("descriptors.solubility",),
    ("descriptors.graphitization",),
    ("descriptors.mlip",),
    ("descriptors.phases",),
    ("descriptors", "descriptors.maintain"),
    ("screen.model",),
    ("screen.cell",),
    ("screen.search",),
    ("screen.analysis",),
    ("screen.report",),
    ("screen.workflows",),
    ("screen.cli",),
    ("screen",),
)
MAX_LINES = 500


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The project module an import names (``from a.b import c`` may name module ``a.b.c`` or attribute ``c``)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _imports(module: str) -> set[str]:
    """Every project module ``module`` imports, at the top or inside a function."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # ``from pkg import submodule`` uses the submodule; ``from module import name`` uses the module
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        for n in names:
            target = _resolve(n)
            if target and target != module:
                out.add(target)
    return out


def _rank(module: str) -> int:
    best, rank = "", -1
    for i, room in enumerate(ROOMS):
        for prefix in room:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > len(best):
                best, rank = prefix, i
    return rank


GRAPH = {m: _imports(m) for m in MODULES}


def test_every_module_has_a_room() -> None:
    assert len(MODULES) > 40
    assert [m for m in MODULES if _rank(m) < 0] == []


def test_no_module_imports_a_higher_room() -> None:
    upward = sorted(f"{m} -> {t}" for m, targets in GRAPH.items() for t in targets if _rank(t) > _rank(m))
    assert upward == [], "imports that go up the house:\n" + "\n".join(upward)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_circles() -> None:
    assert _cycles(GRAPH) == []


def test_the_circle_finder_finds_a_circle() -> None:
    """The check above is only worth something if it sees a circle when there is one."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_is_small(module: str) -> None:
    n = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    assert n <= MAX_LINES, f"{module}: {n} lines"


def test_one_atomic_write_module() -> None:
    """Only descriptors.atomic renames files into place or makes temporary files and folders."""
    offenders = []
    for module, path in MODULES.items():
        if module == "descriptors.atomic":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                if (node.value.id, node.attr) in {("os", "replace"), ("os", "rename"), ("tempfile", "mkstemp"),
                                                  ("tempfile", "mkdtemp"), ("tempfile", "NamedTemporaryFile")}:
                    offenders.append(f"{module}: {node.value.id}.{node.attr}")
    assert offenders == []


def test_every_package_names_its_public_api() -> None:
    import importlib

    missing = []
    for module, path in MODULES.items():
        if path.name != "__init__.py" or module in ("screen.cli",):
            continue
        pkg = importlib.import_module(module)
        names = getattr(pkg, "__all__", None)
        if not names:
            missing.append(module)
            continue
        if module in ("descriptors",):
            continue
        for name in names:
            getattr(pkg, name)  # resolves every lazy export; a stale name raises here
    assert missing == []


def test_cli_import_stays_light() -> None:
    """``interlayer --help`` must not pay for pandas, pymatgen, optuna or scikit-learn."""
    code = ("import sys, screen.cli; from screen.cli import build_parser; build_parser(); "
            "print(sorted(m for m in ('numpy', 'pandas', 'pymatgen', 'optuna', 'sklearn', 'scipy', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_readme_architecture_names_every_room() -> None:
    """The README's Architecture section is where a newcomer looks first; a new room must appear there."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Architecture", 1)[1]
    rooms = sorted({p.parent.name for pkg in PACKAGES for p in (ROOT / pkg).glob("*/__init__.py")})
    assert [r for r in rooms if f"{r}/" not in block] == []


def _lazy_packages() -> dict[str, ast.Module]:
    out = {}
    for name, path in MODULES.items():
        if path.name == "__init__.py":
            tree = ast.parse(path.read_text(encoding="utf-8"))
            if any(isinstance(n, ast.Assign) and any(getattr(t, "id", None) == "_EXPORTS" for t in n.targets) for n in tree.body):
                out[name] = tree
    return out


@pytest.mark.parametrize("package", sorted(_lazy_packages()))
def test_type_checkers_see_what_a_package_exports_lazily(package):
    """A package's lazy ``_EXPORTS`` (what Python imports on first use) and its ``if TYPE_CHECKING:`` re-exports (what
    mypy and editors read, since they cannot follow ``__getattr__``) must name the same objects in the same modules;
    otherwise an editor would show ``Any`` for a public name, or a name that does not exist at run time."""
    tree = _lazy_packages()[package]
    exports = next(ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.Assign)
                   and any(getattr(t, "id", None) == "_EXPORTS" for t in n.targets))
    typed: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for imp in node.body:
                assert isinstance(imp, ast.ImportFrom) and imp.level == 1, f"{package}: only 'from .module import' here"
                for alias in imp.names:
                    assert alias.asname == alias.name, f"{package}: re-export '{alias.name}' as itself (PEP 484)"
                    typed[alias.name] = str(imp.module)
    assert typed == exports
