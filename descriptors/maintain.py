"""Maintainers' entry point: ``python -m descriptors.maintain --update-hashes`` rewrites the sha256 and row counts
of ``datasets/metadata.json`` after a curated file was edited on purpose.

It sits at the top of the descriptors package because it reads every kind of curated file, the structure cache included.
"""

from __future__ import annotations

import json

from descriptors.atomic import atomic_target
from descriptors.data.curated import SCHEMAS, read_validated_csv
from descriptors.data.files import datasets_dir, file_sha256
from descriptors.errors import DataIntegrityError
from descriptors.mlip.structure_cache import read_cache


def update_hashes() -> None:
    """Rewrite the sha256 entries of metadata.json (maintainers only)."""
    root = datasets_dir()
    meta_path = root / "metadata.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    for name, entry in meta["files"].items():
        entry["sha256"] = file_sha256(root / name)
        if name in SCHEMAS:
            entry["rows"] = len(read_validated_csv(root / name, SCHEMAS[name], label=f"datasets/{name}"))
        elif name.startswith("computed/") and name.endswith(".csv"):
            contents = read_cache(root / name)
            if contents.rejected:
                raise DataIntegrityError("; ".join(contents.messages()))
            entry["rows"] = len(contents.rows)
    with atomic_target(meta_path) as tmp:
        tmp.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    import sys

    if sys.argv[1:] == ["--update-hashes"]:
        update_hashes()
        print("metadata.json hashes updated")
    else:
        print("usage: python -m descriptors.maintain --update-hashes")
