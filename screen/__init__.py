"""Model, search and CLI of interlayer-screen.

``screen.run_study`` is the Python face of ``interlayer screen`` (imported lazily, so that
``import screen`` stays cheap for the CLI).
"""

from __future__ import annotations

from typing import Any

__all__ = ["run_study"]


def __getattr__(name: str) -> Any:
    if name == "run_study":
        from screen.study import run_study

        return run_study
    raise AttributeError(f"module 'screen' has no attribute {name!r}")
