"""Where the curated tables live and how their integrity is checked (sha256 recorded in ``datasets/metadata.json``)."""

from __future__ import annotations

import hashlib
import json
import os
from importlib import resources
from pathlib import Path
from typing import Any

from descriptors.errors import DataIntegrityError

__all__ = ["DATASETS_ENV", "data_hashes", "datasets_dir", "file_sha256", "load_metadata", "verify_hash"]

#: Environment variable that points the project at another datasets folder.
DATASETS_ENV = "INTERLAYER_DATASETS"


def datasets_dir() -> Path:
    """Folder holding the curated tables.

    Order: ``$INTERLAYER_DATASETS``; the copy shipped inside the wheel
    (``descriptors/_datasets``); the ``datasets/`` folder of a source checkout.
    """
    env = os.environ.get(DATASETS_ENV)
    if env:
        return Path(env)
    shipped = Path(str(resources.files("descriptors"))) / "_datasets"
    if (shipped / "metadata.json").is_file():
        return shipped
    checkout = Path(__file__).resolve().parents[2] / "datasets"
    if (checkout / "metadata.json").is_file():
        return checkout
    raise DataIntegrityError("cannot find the datasets folder (set INTERLAYER_DATASETS or reinstall the package)")


def file_sha256(path: Path) -> str:
    """sha256 hex digest of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load_metadata() -> dict[str, Any]:
    """Parsed ``datasets/metadata.json``."""
    return json.loads((datasets_dir() / "metadata.json").read_text(encoding="utf-8"))


def data_hashes() -> dict[str, str]:
    """``{file: sha256}`` of every curated file, as recorded in ``metadata.json`` (for run records)."""
    return {name: entry["sha256"] for name, entry in load_metadata()["files"].items()}


def verify_hash(name: str) -> str:
    """Check a shipped file against the sha256 in metadata.json; return the hash."""
    meta = load_metadata()["files"]
    if name not in meta:
        raise DataIntegrityError(f"datasets/{name} is not listed in datasets/metadata.json")
    digest = file_sha256(datasets_dir() / name)
    if digest != meta[name]["sha256"]:
        raise DataIntegrityError(
            f"datasets/{name} does not match its sha256 in metadata.json "
            f"(edited without updating metadata? run: python -m descriptors.maintain --update-hashes)"
        )
    return digest
