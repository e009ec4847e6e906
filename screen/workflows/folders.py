"""Output folders: the tool writes only into a folder it created, an empty one, or a previous run of its own."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from descriptors.errors import InputError

__all__ = ["LOCK_NAME", "folder_lock", "make_output_folder", "require_own_folder"]


def make_output_folder(out: Path) -> None:
    """Create an output folder (and its parents), or one line saying why it cannot be."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{out}: cannot create the output folder ({exc.strerror})") from None

LOCK_NAME = ".interlayer.lock"


@contextmanager
def folder_lock(out: Path) -> Iterator[None]:
    """Hold an exclusive lock on the output folder for the whole run (created if missing). A second process that
    asks for the same folder gets one line and exit 2 instead of running the study alongside (workers of one study
    share it through ``--workers`` or ``--storage``, never through a second command on the same folder). A run refused
    inside the lock (an input error) removes the lock file and the folder if it created them."""
    new_folder, new_lock = not out.exists(), not (out / LOCK_NAME).exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd = os.open(out / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise InputError(f"{out}: cannot create the output folder or its lock file ({exc.strerror})") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise InputError(f"{out}: another interlayer process is running a study in this folder; wait for it to finish "
                         "or choose another --output") from None
    refused = False
    try:
        yield
    except InputError:
        refused = True
        raise
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
        if refused:  # a refused run leaves the folder as it found it: no lock file, no folder it made
            if new_lock:
                (out / LOCK_NAME).unlink(missing_ok=True)
            if new_folder and not any(out.iterdir()):
                out.rmdir()


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
