"""The study file's keys as documentation, generated from the pydantic schema: a Markdown table (type, unit, default,
bounds) for ``docs/screening.md`` and the JSON Schema for editors (``interlayer schema``)."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["study_json_schema", "study_keys_markdown", "unit_of"]

#: Unit by the key's suffix (the study file names every quantity with its unit).
_UNITS = (("_mah_cm2", "mAh/cm²"), ("_mAh_cm2", "mAh/cm²"), ("_ma_cm2", "mA/cm²"), ("_mAh_g", "mAh/g"), ("_usd_kg", "USD/kg"),
          ("_usd_m2", "USD/m²"), ("_usd", "USD"), ("_g_cm3", "g/cm³"), ("_cm2", "cm²"), ("_nm", "nm"), ("_um", "µm"),
          ("_mpa", "MPa"), ("_mV", "mV"), ("_pct", "%"), ("_m2", "USD/m²"), ("_V", "V"), ("temperature_c", "°C"))
#: Tables that only `resolve()` fills, not a user.
_RESOLVED = {"metal_choices", "carbon_choices", "carbon_merged", "source_path", "source_sha256"}


def unit_of(key: str) -> str:
    """The unit a key's name carries (empty for counts, fractions, names and switches)."""
    for suffix, unit in _UNITS:
        if key.endswith(suffix):
            return unit
    return ""


def study_json_schema() -> dict[str, Any]:
    """JSON Schema of a study file (pydantic's), without the fields the tool fills in itself."""
    from screen.search.spec import StudySpec

    schema = StudySpec.model_json_schema()
    for name in _RESOLVED:
        schema.get("properties", {}).pop(name, None)
    schema["title"] = "interlayer-screen study file"
    return schema


def _type(field: Any) -> str:
    text = str(field.annotation).replace("typing.", "").replace("<class '", "").replace("'>", "")
    return text.replace("NoneType", "none").replace("Literal", "one of ")


def _bounds(field: Any) -> str:
    parts = []
    for m in field.metadata:
        for attr, sign in (("ge", "≥"), ("gt", ">"), ("le", "≤"), ("lt", "<"), ("min_length", "length ≥"),
                           ("max_length", "length ≤")):
            v = getattr(m, attr, None)
            if v is not None:
                parts.append(f"{sign} {v:g}" if isinstance(v, int | float) and not isinstance(v, bool) else f"{sign} {v}")
    return ", ".join(parts)


def _rows(model: Any, table: str) -> list[str]:
    from pydantic import BaseModel

    rows = []
    for key, f in model.model_fields.items():
        sub = f.annotation
        if isinstance(sub, type) and issubclass(sub, BaseModel):  # a nested table, e.g. [scalarisation.weights]
            rows += _rows(sub, f"{table}.{key}")
            continue
        inner = getattr(sub, "__args__", ())
        if str(sub).startswith("list[") and inner and isinstance(inner[0], type) and issubclass(inner[0], BaseModel):
            rows += _rows(inner[0], f"[{table}.{key}]")  # an array of tables, e.g. [[compare.cells]]
            continue
        default = "required" if f.is_required() else json.dumps(f.default, default=str)
        rows.append(f"| `[{table}] {key}` | {_type(f).replace('|', 'or')} | {unit_of(key)} | {default.replace('|', '/')} "
                    f"| {_bounds(f)} |")
    return rows


def study_keys_markdown() -> str:
    """One Markdown table row per key of every study-file table: ``[table] key``, type, unit, default, bounds."""
    from screen.search.spec import StudySpec

    rows = ["| key | type | unit | default | bounds |", "|---|---|---|---|---|"]
    for table, tfield in StudySpec.model_fields.items():
        if table not in _RESOLVED:
            rows += _rows(tfield.annotation, table)
    return "\n".join(rows) + "\n"
