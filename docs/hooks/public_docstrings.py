"""MkDocs hook: the build fails on a public name without a docstring.

Before the build, every package of ``descriptors`` and ``screen`` is imported and each name of its ``__all__`` is
resolved as Python resolves it (a lazy ``_EXPORTS`` name imports its submodule); the docstring is then read from the
source as the API reference reads it (griffe, with this folder's extensions: a lazy export is an alias of the object in
its submodule, and a constant's ``#:`` comment is its docstring). One line per name that does not resolve or has no
docstring (``module.name: no docstring``), and the build stops.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import griffe
from griffe_interlayer import CommentDocstrings, LazyExports
from mkdocs.exceptions import PluginError

PACKAGES = ("descriptors", "screen")


def _resolve(package: str, name: str) -> Any:
    """``package.name`` as Python resolves it (a lazy export imports its submodule; ``__all__`` may name a subpackage)."""
    module = importlib.import_module(package)
    try:
        return getattr(module, name)
    except AttributeError as error:
        try:
            return importlib.import_module(f"{package}.{name}")
        except ModuleNotFoundError:
            raise error from None


def missing_docstrings(root: Path) -> list[str]:
    """One line per public name of the packages under ``root`` that does not resolve or has no docstring."""
    if sys.path[0] != str(root):
        sys.path.insert(0, str(root))  # import the checkout's packages, not an installed copy of them
    loader = griffe.GriffeLoader(extensions=griffe.load_extensions(LazyExports, CommentDocstrings), search_paths=[str(root)])
    problems = []
    for top in PACKAGES:
        tree = loader.load(top)
        for init in sorted((root / top).rglob("__init__.py")):
            package = ".".join(init.parent.relative_to(root).parts)
            static = tree if package == top else tree[package.split(".", 1)[1]]
            for name in getattr(importlib.import_module(package), "__all__", ()):
                try:
                    _resolve(package, name)
                except Exception as error:  # an import error of any kind is the message
                    problems.append(f"{package}.{name}: does not resolve ({type(error).__name__}: {error})")
                    continue
                try:
                    docstring = static[name].docstring
                except (KeyError, griffe.AliasResolutionError) as error:
                    problems.append(f"{package}.{name}: not found in the source ({type(error).__name__}: {error})")
                    continue
                if docstring is None or not docstring.value.strip():
                    problems.append(f"{package}.{name}: no docstring")
    return problems


def on_pre_build(config: Any, **kwargs: Any) -> None:
    """Raise with every public name that does not resolve or has no docstring."""
    problems = missing_docstrings(Path(config.config_file_path).parent)
    if problems:
        raise PluginError("public names that do not resolve or have no docstring:\n" + "\n".join(problems))
