"""Lazy re-exports for package ``__init__`` modules (PEP 562).

A package names what it offers in ``__all__``, but importing one of its modules (or the package) does not import
the others: ``interlayer --help`` and ``import screen.model.fields`` stay cheap, and no package ``__init__`` can
create an import circle between rooms.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_exports(package: str, exports: dict[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return ``(__getattr__, __dir__)`` for ``package`` that import ``name`` from ``package.<module>`` on first use.

    Args:
        package: the package's ``__name__``.
        exports: ``{public name: submodule name}``.
    """

    def __getattr__(name: str) -> Any:
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{exports[name]}"), name)
        globals_ = importlib.import_module(package).__dict__
        globals_[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(exports)

    return __getattr__, __dir__
