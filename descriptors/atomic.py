"""Atomic writes, the project's only module for them.

* :func:`atomic_target` — one file: write to a temporary file in the target folder, then ``os.replace``.
* :func:`atomic_folder` — a whole folder: staged next to its target, then swapped in by one rename.
* :func:`staged_run` — a run folder: files are staged in a hidden folder and moved in, ``run.json`` last.

Shared by the descriptors (the structure cache) and ``screen`` (models, reports, figures, run folders).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from descriptors.errors import InputError

__all__ = ["atomic_folder", "atomic_target", "move_folder", "remove_folder", "remove_stale_staging", "staged_run"]


@contextmanager
def atomic_target(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it replaces ``path``, on failure it is removed.

    A reader never sees a half-written file, and an earlier file at ``path`` survives a failed write.
    """
    path = Path(path)
    if not path.parent.exists():
        raise InputError(f"{path.parent}: folder does not exist")
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=path.suffix)
    except OSError as exc:
        raise InputError(f"{path}: cannot write here ({exc.strerror})") from None
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


@contextmanager
def staged_run(out: Path, run: dict[str, Any], t0: float) -> Iterator[Path]:
    """Yield a staging folder inside ``out``; on success write ``run.json`` (with ``total_seconds``) and move every
    file into ``out``, ``run.json`` last, so a folder with ``run.json`` holds a finished run. The staging folder
    is removed either way; earlier files in ``out`` survive a failure."""
    try:
        staging = Path(tempfile.mkdtemp(dir=out, prefix=".staging-"))
    except OSError as exc:
        raise InputError(f"{out}: cannot write the run here ({exc.strerror})") from None
    try:
        yield staging
        run["total_seconds"] = round(time.perf_counter() - t0, 3)
        (staging / "run.json").write_text(json.dumps(run, indent=2, default=_json_default) + "\n", encoding="utf-8")
        for p in sorted(staging.iterdir(), key=lambda p: p.name == "run.json"):
            p.replace(out / p.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _json_default(v: Any) -> Any:
    """numpy scalars as Python values (NaN as null), anything else as text."""
    if hasattr(v, "item"):
        v = v.item()
        return None if isinstance(v, float) and v != v else v
    return str(v)


@contextmanager
def atomic_folder(final: str | Path, *, replace: bool = True) -> Iterator[Path]:
    """Yield an empty staging folder next to ``final``; on success it becomes ``final`` in one rename.

    An existing ``final`` is swapped out (and then removed) only if ``replace``; otherwise it is an error.
    On failure the staging folder is removed and ``final`` is left as it was.
    """
    final = Path(final)
    if final.exists() and not replace:
        raise InputError(f"{final} already exists")
    try:
        staging = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}-"))
    except OSError as exc:
        raise InputError(f"{final.parent}: cannot write here ({exc.strerror})") from None
    try:
        yield staging
        if final.exists():
            old = final.parent / f".{final.name}-old-{os.getpid()}-{staging.name}"
            os.rename(final, old)
            os.rename(staging, final)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(staging, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def remove_stale_staging(parent: str | Path, pattern: str, older_than_s: float = 600.0) -> list[str]:
    """Remove staging folders matching ``pattern`` in ``parent`` that a killed writer left behind (untouched for
    ``older_than_s`` seconds; a live write takes well under a second). Returns the names removed."""
    removed = []
    now = time.time()
    for p in Path(parent).glob(pattern):
        try:
            if p.is_dir() and now - p.stat().st_mtime > older_than_s:
                shutil.rmtree(p)
                removed.append(p.name)
        except OSError:
            continue
    return removed


def move_folder(src: str | Path, dst: str | Path) -> None:
    """Move a folder to a free name in one rename (same file system); an existing ``dst`` is an error, never merged."""
    src, dst = Path(src), Path(dst)
    if dst.exists():
        raise InputError(f"{dst}: already exists; not moving {src} onto it")
    os.rename(src, dst)


def remove_folder(path: str | Path) -> None:
    """Remove a folder so that no reader ever sees it half-deleted: renamed to a hidden name first, then deleted."""
    path = Path(path)
    gone = path.parent / f".{path.name}-deleted-{os.getpid()}"
    os.rename(path, gone)
    shutil.rmtree(gone, ignore_errors=True)
