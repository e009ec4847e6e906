"""Output folders: the tool writes only into a folder it created, an empty one, or a previous run of its own."""

from __future__ import annotations

from pathlib import Path

from descriptors.errors import InputError

__all__ = ["require_own_folder"]


def require_own_folder(out: Path, own_markers: tuple[str, ...] = ("run.json",)) -> None:
    """Refuse a folder that holds files but none of ``own_markers`` (a previous run's): it is somebody else's."""
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: exists and is not a folder")
    if not out.is_dir() or any((out / m).exists() for m in own_markers):
        return
    foreign = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    if foreign:
        raise InputError(f"{out}: is not empty and holds no run of this tool ({foreign[0]}, ...); "
                         "choose an empty or new folder with --output")
