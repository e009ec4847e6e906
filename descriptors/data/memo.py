"""A disk memo for descriptors that are costly to compute and fixed by the data and the code: :func:`disk_memo`.

A screening process needs the same per-metal descriptors every run (Li–M convex hulls, solubility scores, layer
bookkeeping for some sixty metals: about two seconds, most of it building phase diagrams). They depend only on the
curated data, the arguments and this package's code, so they are kept in a JSON file per function under the cache
folder (``$INTERLAYER_CACHE_DIR``, else ``$XDG_CACHE_HOME/interlayer-screen``, else ``~/.cache/interlayer-screen``),
named by a fingerprint of the data's sha256 and of every source file of the package: any change of either starts a
new file. Values are plain JSON (no pickle), written atomically; a folder that cannot be written only costs the
recomputation.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from descriptors.atomic import atomic_target
from descriptors.data.files import data_hashes

CACHE_ENV = "INTERLAYER_CACHE_DIR"
_PACKAGES = ("descriptors", "screen")


def cache_dir() -> Path:
    """The cache folder (see the module docstring)."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "interlayer-screen"


@functools.cache
def code_digest(folders: tuple[str, ...] = _PACKAGES) -> str:
    """sha256 of every Python source file under ``folders`` (paths from the install root, e.g. ``"screen/model"``)."""
    root = Path(__file__).resolve().parents[2]
    h = hashlib.sha256()
    for folder in folders:
        for p in sorted((root / folder).rglob("*.py")):
            h.update(p.relative_to(root).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def fingerprint() -> str:
    """sha256 (16 hex) of the curated data's hashes and the package's source code."""
    payload = json.dumps({"data": data_hashes(), "code": code_digest()}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def disk_memo(namespace: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Memoise a function of JSON-able arguments with a JSON-able result on disk and in memory."""

    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        state: dict[str, Any] = {}

        def table() -> tuple[Path, dict[str, Any]]:
            path = cache_dir() / f"{namespace}-{fingerprint()}.json"
            if state.get("path") != path:
                try:
                    state["values"] = json.loads(path.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    state["values"] = {}
                state["path"] = path
            return path, state["values"]

        @functools.wraps(fn)
        def inner(*args: Any) -> Any:
            path, values = table()
            key = json.dumps(args)
            if key in values:
                return values[key]
            result = fn(*args)
            values[key] = result
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                with atomic_target(path) as tmp:
                    tmp.write_text(json.dumps(values), encoding="utf-8")
            except OSError:
                pass
            return result

        inner.cache_clear = state.clear  # type: ignore[attr-defined]
        return inner

    return wrap
