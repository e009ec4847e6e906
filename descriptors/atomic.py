"""Atomic file writes: write to a temporary file in the target folder, then ``os.replace``.

Shared by the descriptors (the structure cache) and ``screen`` (reports, models, figures).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from descriptors.errors import InputError


@contextmanager
def atomic_target(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it replaces ``path``, on failure it is removed.

    A reader never sees a half-written file, and an earlier file at ``path`` survives a failed write.
    """
    path = Path(path)
    if not path.parent.exists():
        raise InputError(f"{path.parent}: folder does not exist")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=path.suffix)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
