"""The versioned cache of relaxed Li–M structures (one CSV row per relaxation).

The shipped file, ``datasets/computed/chgnet_li_m_structures.csv``, is listed in
``datasets/metadata.json`` with its sha256 and needs no torch to read. Users
extend a copy of it (``interlayer compute-binaries``; default location
``$XDG_DATA_HOME/interlayer-screen/computed/``, see :func:`default_user_cache`);
the CHGNet energy source reads the shipped rows and then the user's, later rows
replacing earlier ones with the same ``(metal, key, settings, potential_version)``.

Reading is row by row: a row that fails validation (torn line, missing energy
on an "ok" row, unknown element, non-numeric cell) is reported with its line
number and left out; the rest of the file is used. A file that is not a cache
at all (wrong header, not text) raises :class:`~descriptors.errors.InputError`
and is never overwritten. Writes go to a temporary file in the same folder and
are renamed into place, so an interrupted run leaves the previous file intact;
rejected lines are appended to ``<cache>.rejected.csv`` before the rewrite, so
nothing is lost.
"""

from __future__ import annotations

import csv
import io
import math
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from descriptors.errors import InputError

#: Schema version of the cache rows; bump when columns change meaning.
CACHE_SCHEMA = 1

#: Name of the shipped cache inside the datasets folder.
SHIPPED_NAME = "computed/chgnet_li_m_structures.csv"

ROLES = ("reference", "compound", "dilute", "random")

COLUMNS: tuple[str, ...] = (
    "metal", "key", "role", "prototype", "parent_lattice", "formula", "reduced_formula", "n_atoms", "x_li",
    "energy_eV_atom", "volume_A3_atom", "converged", "n_steps", "fmax_final_eV_A", "spacegroup_initial",
    "spacegroup_final", "status", "settings", "potential", "potential_version", "chgnet_version", "torch_version",
    "seconds", "computed_utc", "cache_schema", "value_origin", "source",
)

def default_user_cache() -> Path:
    """Where ``compute-binaries`` writes by default: ``$INTERLAYER_COMPUTED_DIR`` or the XDG data folder."""
    env = os.environ.get("INTERLAYER_COMPUTED_DIR")
    if env:
        return Path(env) / "chgnet_li_m_structures.csv"
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "interlayer-screen" / "computed"
    return base / "chgnet_li_m_structures.csv"


def row_id(row: dict[str, Any]) -> tuple[str, str, str, str]:
    """Identity of a row: the same structure, settings and potential version."""
    return (str(row["metal"]), str(row["key"]), str(row["settings"]), str(row["potential_version"]))


def _float(v: str, name: str, *, finite: bool = False) -> float:
    try:
        x = float(v) if v not in ("", None) else float("nan")
    except ValueError:
        raise ValueError(f"column {name}: '{v}' is not a number") from None
    if finite and not math.isfinite(x):
        raise ValueError(f"column {name}: needs a finite number, got '{v}'")
    return x


def _validate(raw: dict[str, str]) -> dict[str, Any]:
    """One row, typed; raises ValueError with the column at fault."""
    from descriptors.data.elements import check_metal

    missing = [c for c in COLUMNS if raw.get(c) is None]
    if missing:
        raise ValueError(f"missing cells: {', '.join(missing)} (torn or short line)")
    r: dict[str, Any] = {c: raw[c] for c in COLUMNS}
    if r["metal"] != "Li":
        try:
            r["metal"] = check_metal(r["metal"])
        except InputError as exc:
            raise ValueError(f"column metal: {exc}") from None
    if r["role"] not in ROLES:
        raise ValueError(f"column role: '{r['role']}' is not one of {', '.join(ROLES)}")
    if r["converged"] not in ("True", "False"):
        raise ValueError(f"column converged: '{r['converged']}' is not True/False")
    r["converged"] = r["converged"] == "True"
    for c in ("n_atoms", "n_steps", "cache_schema"):
        try:
            r[c] = int(r[c])
        except ValueError:
            raise ValueError(f"column {c}: '{r[c]}' is not an integer") from None
    if r["n_atoms"] < 1:
        raise ValueError("column n_atoms: must be >= 1")
    if r["cache_schema"] != CACHE_SCHEMA:
        raise ValueError(f"column cache_schema: {r['cache_schema']} (this version reads schema {CACHE_SCHEMA})")
    r["x_li"] = _float(r["x_li"], "x_li", finite=True)
    if not 0.0 <= r["x_li"] <= 1.0:
        raise ValueError(f"column x_li: {r['x_li']} is outside [0, 1]")
    ok = r["status"] == "ok" or r["status"].startswith("not converged")
    r["energy_eV_atom"] = _float(r["energy_eV_atom"], "energy_eV_atom", finite=ok)
    for c in ("volume_A3_atom", "fmax_final_eV_A", "seconds"):
        r[c] = _float(r[c], c)
    if r["status"] == "ok" and not r["converged"]:
        raise ValueError("status 'ok' on a relaxation that did not converge")
    if not r["source"].strip():
        raise ValueError("column source: empty")
    return r


@dataclass
class CacheContents:
    """Rows read from a cache file, and the lines that were rejected."""

    path: Path | None
    rows: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[tuple[int, str, str]] = field(default_factory=list)  # (line, reason, raw text)

    def messages(self) -> list[str]:
        where = self.path if self.path is not None else "cache"
        return [f"{where}: line {line}: {reason}; row left out (recompute it with interlayer compute-binaries)"
                for line, reason, _ in self.rejected]


def read_cache(path: Path | str) -> CacheContents:
    """Read and validate a cache file row by row (see the module docstring)."""
    p = Path(path)
    if not p.is_file():
        return CacheContents(p)
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{p}: not a text file; it is not a structure cache (left untouched; move it aside or use --cache)") from None
    lines = text.splitlines()
    if not lines:
        return CacheContents(p)
    header = next(csv.reader([lines[0]]), [])
    if [h.strip() for h in header] != list(COLUMNS):
        missing = [c for c in COLUMNS if c not in header]
        raise InputError(f"{p}: header is not the structure-cache header (schema {CACHE_SCHEMA}"
                         + (f"; missing {', '.join(missing[:5])}" if missing else "; columns out of order") + "); file left untouched")
    out = CacheContents(p)
    for lineno, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        try:
            cells = next(csv.reader([line]))
        except csv.Error as exc:
            out.rejected.append((lineno, f"unparseable CSV ({exc})", line))
            continue
        if len(cells) != len(COLUMNS):
            out.rejected.append((lineno, f"{len(cells)} cells, expected {len(COLUMNS)} (torn or short line)", line))
            continue
        try:
            out.rows.append(_validate(dict(zip(COLUMNS, cells))))
        except ValueError as exc:
            out.rejected.append((lineno, str(exc), line))
    return out


def _cell(v: Any) -> str:
    if isinstance(v, float):
        return "" if math.isnan(v) else repr(v)
    return str(v)


def to_csv_text(rows: list[dict[str, Any]]) -> str:
    """Rows as cache CSV text, sorted by metal, role and key (stable diffs)."""
    order = {r: i for i, r in enumerate(ROLES)}
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for r in sorted(rows, key=lambda r: (r["metal"] != "Li", r["metal"], order[r["role"]], r["key"], r["settings"])):
        w.writerow([_cell(r[c]) for c in COLUMNS])
    return buf.getvalue()


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (``descriptors.atomic.atomic_target``), creating its folder."""
    from descriptors.atomic import atomic_target

    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_target(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def complete_row(row: dict[str, Any], versions: dict[str, str]) -> dict[str, Any]:
    """Add provenance columns to a row returned by ``descriptors.mlip.relax.relax_task``.

    The versions the worker recorded win over ``versions`` (the parent's), so a Dask
    worker with another chgnet is recorded as such.
    """
    from descriptors.mlip.relax import POTENTIAL_DOI

    worker = {"potential": versions["potential"], "potential_version": versions["potential_version"],
              "chgnet_version": versions["chgnet"], "torch_version": versions["torch"]}
    return worker | row | {
        "computed_utc": row.get("computed_utc") or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "cache_schema": CACHE_SCHEMA, "value_origin": "computed-here",
        "source": f"computed-here with {(worker | row)['potential']} {(worker | row)['potential_version']} ({POTENTIAL_DOI}) "
                  "by interlayer-screen compute-binaries",
    }


class StructureCache:
    """A cache file being extended: existing rows, new rows, atomic saves.

    Args:
        path: the cache CSV (created on the first save).
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        contents = read_cache(self.path)
        self.rejected = contents.rejected
        self.messages = contents.messages()
        self._rows: dict[tuple[str, str, str, str], dict[str, Any]] = {row_id(r): r for r in contents.rows}
        if self.rejected:
            self._keep_rejected()

    def _keep_rejected(self) -> None:
        side = self.path.with_name(self.path.name + ".rejected.csv")
        old = side.read_text(encoding="utf-8") if side.is_file() else "line,reason,raw\n"
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        for line, reason, raw in self.rejected:
            w.writerow([line, reason, raw])
        write_atomic(side, old + buf.getvalue())

    @property
    def rows(self) -> list[dict[str, Any]]:
        return list(self._rows.values())

    def has(self, metal: str, key: str, settings: str, potential_version: str, *, retry_failed: bool = True) -> bool:
        """True if this structure is cached with these settings (failed rows count as missing when ``retry_failed``)."""
        r = self._rows.get((metal, key, settings, potential_version))
        return r is not None and not (retry_failed and str(r["status"]).startswith("failed"))

    def add(self, row: dict[str, Any]) -> None:
        self._rows[row_id(row)] = _validate({c: _cell(row[c]) for c in COLUMNS})

    def save(self) -> None:
        write_atomic(self.path, to_csv_text(self.rows))
