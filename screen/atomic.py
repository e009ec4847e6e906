"""Atomic file writes and staged run folders (``atomic_target`` lives in ``descriptors.atomic``)."""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from descriptors.atomic import atomic_target

__all__ = ["atomic_target", "staged_run"]


@contextmanager
def staged_run(out: Path, run: dict[str, Any], t0: float) -> Iterator[Path]:
    """Yield a staging folder inside ``out``; on success write ``run.json`` (with ``total_seconds``) and move every
    file into ``out``, ``run.json`` last, so a folder with ``run.json`` holds a finished run. The staging folder
    is removed either way; earlier files in ``out`` survive a failure."""
    staging = Path(tempfile.mkdtemp(dir=out, prefix=".staging-"))
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
