"""Loading and validating the curated tables in ``datasets/``.

Every table has a row schema (pydantic) that is enforced on load; a bad cell
raises :class:`~descriptors.errors.InputError` naming the file, the line and
the column. Every shipped file's sha256 is recorded in
``datasets/metadata.json`` and checked on load, so silent edits are caught.

The same validators are used for user-supplied files (for example fresh lab
results), so the rules are identical for curated and new data.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path
from typing import Any, cast

import pandas as pd
from pydantic import BaseModel, ValidationError

from descriptors.data.files import datasets_dir, verify_hash
from descriptors.data.rows import (  # noqa: F401  (the row schemas are also reachable from here)
    ARCHITECTURES,
    CARBON_PROPERTIES,
    DEPOSITION_PROCESSES,
    ELECTROLYTE_CONTACT_OUTCOMES,
    LI_LOCATIONS,
    SCHEMAS,
    STACK_QUANTITIES,
    STRUCTURAL_CLASSES,
    VALUE_ORIGINS,
    CarbonPropertyRow,
    CellStackRow,
    ElectrolyteContactRow,
    ElementPriceRow,
    FilmContinuityRow,
    FormationEnergyRow,
    LiBinaryRow,
    MiedemaRow,
    NucleationRow,
    OutcomeRow,
    ThermochemistryRow,
    ValueOrigin,
)
from descriptors.errors import InputError


def read_validated_csv(path: Path | str, schema: type[BaseModel], *, label: str | None = None) -> pd.DataFrame:
    """Read a CSV and validate every row against ``schema``.

    Raises :class:`InputError` with ``file: line N, column 'c': problem`` for the
    first bad cell, or for missing/unknown columns. Values are returned typed
    (floats, bools, ``None`` for empty cells).
    """
    path = Path(path)
    label = label or str(path)
    if not path.is_file():
        raise InputError(f"{label}: file not found")
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:  # a byte-order mark (Excel's UTF-8 CSV) is accepted
            reader = csv.DictReader(fh)
            header = reader.fieldnames or []
            rows = list(reader)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"{label}: not a readable UTF-8 CSV ({exc})") from None
    if not header:
        raise InputError(f"{label}: empty file (no header)")
    fields = schema.model_fields
    required = {n for n, f in fields.items() if f.is_required()}
    missing = sorted(required - set(header))
    if missing:
        raise InputError(f"{label}: missing column(s) {', '.join(missing)}")
    unknown = [h for h in header if h not in fields]
    if unknown:
        raise InputError(f"{label}: unknown column(s) {', '.join(unknown)} (allowed: {', '.join(fields)})")
    records = []
    for i, raw in enumerate(rows, start=2):
        if None in raw:
            raise InputError(f"{label}: line {i}: more cells than header columns")
        cells = {k: v for k, v in raw.items() if not (v == "" and not fields[k].is_required())}
        try:
            records.append(schema.model_validate(cells).model_dump())
        except ValidationError as exc:
            err = exc.errors()[0]
            col = err["loc"][0] if err["loc"] else "row"
            msg = err["msg"].removeprefix("Value error, ")
            raise InputError(f"{label}: line {i}, column '{col}': {msg}") from None
    return pd.DataFrame.from_records(records, columns=list(fields))


@cache
def _load_cached(name: str) -> pd.DataFrame:
    verify_hash(name)
    return read_validated_csv(datasets_dir() / name, SCHEMAS[name], label=f"datasets/{name}")


def load_table(name: str) -> pd.DataFrame:
    """Load one curated table (hash-checked, schema-validated). Returns a copy."""
    if name not in SCHEMAS:
        raise InputError(f"unknown dataset '{name}' (known: {', '.join(SCHEMAS)})")
    return _load_cached(name).copy()


def carbon_presets() -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Carbon presets as ``{preset: {property: [row, ...]}}`` from ``carbons.csv``."""
    out: dict[str, dict[str, list[dict[str, Any]]]] = {}
    # pandas-stubs keys records by Hashable; these column labels are str
    rows = cast("list[dict[str, Any]]", load_table("carbons.csv").to_dict("records"))
    for row in rows:
        out.setdefault(row["preset"], {}).setdefault(row["property"], []).append(row)
    return out
