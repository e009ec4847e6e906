"""Cell candidates: the columns, their units, the source paper's defaults, validation and featurization.

A *candidate* is one cell design: a metal, a carbon, an architecture and the
cell conditions. The column names are the ``interlayer predict`` option names
(``--metal-nm`` -> ``metal_nm``), so a CSV of candidates and the command line
say the same thing.

The columns, units and defaults (the source paper's Mg/C bilayer cell) are in
``screen.model.fields``. Each output says which defaults filled which field.

:class:`CellFeaturizer` turns candidates into the numeric descriptors the gap
model reads (a scikit-learn transformer, so it sits in a ``Pipeline`` in front
of :class:`screen.model.gap_model.NucleationGapModel`). Descriptors are computed once
per distinct metal and carbon, then broadcast, so 100,000 rows cost a handful
of featurizations plus vectorised pandas work.
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from descriptors.data.memo import disk_memo
from descriptors.errors import InputError
from screen.model.fields import ARCHITECTURES, CANDIDATE_COLUMNS, FIELD_BY_NAME, NUMERIC_FIELDS


def _raise_first(mask: pd.Series | np.ndarray, lines: pd.Series | None, label: str, col: str, why: Any) -> None:
    """Raise an InputError naming the file line and column of the first True in ``mask``.

    ``why`` is a message, or a callable of the row position returning one.
    """
    hits = np.flatnonzero(np.asarray(mask, dtype=bool))
    if hits.size:
        i = int(hits[0])
        line = int(lines.iloc[i]) if lines is not None else i + 1
        raise InputError(f"{label}: line {line}, column '{col}': {why(i) if callable(why) else why}")


def _check_numeric(name: str, values: pd.Series, where: pd.Series | None = None, label: str = "input") -> pd.Series:
    """Parse a column to float; empty cells stay NaN (= default). Raise on text, 'nan', inf or negative values."""
    raw = values.astype("string").str.strip()
    empty = raw.isna() | (raw == "")
    num = pd.to_numeric(raw.where(~empty), errors="coerce")
    bad = (~empty) & (num.isna() | ~np.isfinite(num.fillna(0.0)))
    lo = -273.15 if name == "temperature_c" else 0.0
    # a temperature at absolute zero, no current and a particle of no size describe no cell
    strict = name in ("temperature_c", "current_ma_cm2", "carbon_particle_nm")
    low = (~empty) & ~bad & ((num <= lo) if strict else (num < lo))
    top = FIELD_BY_NAME[name].maximum if name in FIELD_BY_NAME else None
    high = (~empty) & ~bad & (num > (np.inf if top is None else top))
    why_low = ("must be above absolute zero" if name == "temperature_c" else "must be positive" if strict else "must not be negative")
    for mask, why in ((bad, "is not a finite number"), (low, why_low),
                      (high, f"exceeds {top:g} {FIELD_BY_NAME[name].unit if name in FIELD_BY_NAME else ''} (the largest value accepted)")):
        _raise_first(mask, where, label, name, lambda i, why=why: f"'{values.iloc[i]}' {why}")
    return num.astype(float)


def _check_names(df: pd.DataFrame, lines: pd.Series | None, label: str) -> pd.DataFrame:
    from descriptors.data.curated import carbon_presets
    from descriptors.data.elements import check_metal

    presets = carbon_presets()
    out = df.copy()
    for col in ("metal", "carbon", "architecture"):
        s = out[col].astype("string").str.strip().fillna("")
        out[col] = s
    out["metal"] = out["metal"].where(out["metal"].str.lower() != "none", "none")
    out["carbon"] = out["carbon"].where(out["carbon"].str.lower() != "none", "none")
    for col in ("metal", "carbon"):
        for value in out[col].unique():
            rows = np.flatnonzero((out[col] == value).to_numpy())
            line = int(lines.iloc[rows[0]]) if lines is not None else int(rows[0]) + 1
            try:
                if value == "":
                    raise InputError(f"'{col}' is empty (use 'none' for no {col})")
                if col == "metal" and value != "none":
                    out.loc[out[col] == value, col] = check_metal(value)
                elif col == "carbon" and value != "none" and value not in presets:
                    raise InputError(f"unknown carbon preset '{value}' (known: {', '.join(sorted(presets))}, none)")
            except InputError as exc:
                raise InputError(f"{label}: line {line}, column '{col}': {exc}") from None
    _raise_first(~out["architecture"].isin(("",) + ARCHITECTURES), lines, label, "architecture",
                 lambda i: f"'{out['architecture'].iloc[i]}' is not one of {', '.join(ARCHITECTURES)}")
    return out


def resolve_architecture(metal: pd.Series, carbon: pd.Series, arch: pd.Series,
                         lines: pd.Series | None = None, label: str = "input") -> pd.Series:
    """Fill empty architectures (bilayer; single_layer or none when a layer is missing) and check consistency."""
    has_m, has_c = metal != "none", carbon != "none"
    auto = np.where(has_m & has_c, "bilayer", np.where(has_m | has_c, "single_layer", "none"))
    out = pd.Series(np.where(arch == "", auto, arch), index=arch.index)
    rules = (
        (out.isin(("bilayer", "carbon_under_metal", "nanocomposite")) & ~(has_m & has_c), "needs both a metal and a carbon"),
        ((out == "single_layer") & (has_m == has_c), "takes exactly one of a metal or a carbon (set the other to none)"),
        ((out == "none") & (has_m | has_c), "means a bare collector: metal and carbon must both be none"),
    )
    for mask, why in rules:
        _raise_first(mask, lines, label, "architecture",
                     lambda i, why=why: f"'{out.iloc[i]}' {why} (metal '{metal.iloc[i]}', carbon '{carbon.iloc[i]}')")
    return out


def validate_candidates(df: pd.DataFrame, *, label: str = "input", lines: pd.Series | None = None,
                        fill_defaults: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Check a candidate table and fill defaults.

    Args:
        df: table with at least ``metal`` and ``carbon``; other columns from :data:`CANDIDATE_COLUMNS`.
        label: file name used in error messages.
        lines: file line number of each row (for error messages); default 1-based row numbers.
        fill_defaults: fill empty numeric fields with the source paper's cell (the carbon particle
            size with the preset's value). With ``False`` they stay NaN (the model then marginalizes
            or imputes them; used for literature records).

    Returns:
        (candidates, defaults_used): the clean table, and a boolean table saying which cells were filled.
    """
    unknown = [c for c in df.columns if c not in CANDIDATE_COLUMNS]
    if unknown:
        raise InputError(f"{label}: unknown column '{unknown[0]}' (allowed: {', '.join(CANDIDATE_COLUMNS)})")
    missing = [c for c in ("metal", "carbon") if c not in df.columns]
    if missing:
        raise InputError(f"{label}: missing required column '{missing[0]}' (columns: {', '.join(map(str, df.columns))})")
    if df.empty:
        raise InputError(f"{label}: no candidate rows")
    work = df.reset_index(drop=True).copy()
    for col in CANDIDATE_COLUMNS:
        if col not in work.columns:
            work[col] = pd.NA
    lines = lines.reset_index(drop=True) if lines is not None else None
    out = _check_names(work[["metal", "carbon", "architecture"]].fillna(""), lines, label)
    used = pd.DataFrame(False, index=out.index, columns=list(CANDIDATE_COLUMNS))
    used["architecture"] = out["architecture"] == ""
    out["architecture"] = resolve_architecture(out["metal"], out["carbon"], out["architecture"], lines, label)
    for col in NUMERIC_FIELDS:
        out[col] = _check_numeric(col, work[col], lines, label)
    if fill_defaults:
        for col in NUMERIC_FIELDS:
            default = FIELD_BY_NAME[col].default
            empty = out[col].isna()
            if col == "carbon_particle_nm":
                preset = out["carbon"].map(preset_particle_size)
                used[col] = empty & preset.notna()
                out[col] = out[col].fillna(preset)
            elif default is not None:
                used[col] = empty
                out[col] = out[col].fillna(float(default))
    # thickness fields are meaningless for absent layers
    out.loc[out["metal"] == "none", "metal_nm"] = np.nan
    out.loc[out["carbon"] == "none", ["carbon_nm", "carbon_particle_nm"]] = np.nan
    used.loc[out["metal"] == "none", "metal_nm"] = False
    used.loc[out["carbon"] == "none", ["carbon_nm", "carbon_particle_nm"]] = False
    for col in ("metal_nm", "carbon_nm"):
        _raise_first(out[col] == 0, lines, label, col, "a layer of 0 nm is no layer (set its material to none)")
    return out[list(CANDIDATE_COLUMNS)], used


def read_candidates(path: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read and validate a candidate CSV (header = column names of :data:`CANDIDATE_COLUMNS`)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{path.name}: not a readable CSV ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})") from None
    df.columns = [str(c).strip() for c in df.columns]
    lines = pd.Series(np.arange(len(df)) + 2)  # header is line 1
    return validate_candidates(df, label=path.name, lines=lines)


@cache
def preset_particle_size(carbon: str) -> float:
    """Median particle size of a carbon preset (nm; NaN if not recorded or no carbon)."""
    if carbon == "none":
        return float("nan")
    from descriptors.graphitization.featurizer import GraphitizationFeaturizer

    return float(GraphitizationFeaturizer().featurize(carbon)[6])


#: Energy sources fixed by the curated data, whose descriptors may be kept in the disk memo (a user file or the
#: CHGNet structure cache can change without the data's hashes changing).
MEMO_SOURCES = ("oqmd_legacy", "miedema")


@cache
def metal_descriptors(metal: str, energy_source: str = "oqmd_legacy", solubility_temperature_K: float = 600.0) -> dict[str, Any]:
    """Solubility and intermediate-phase descriptors of one metal (cached in memory, and on disk for the data-fixed
    energy sources: :mod:`descriptors.data.memo`). ``none``: a bare collector."""
    if metal == "none":
        return {"solubility_score_mutual": 0.0, "ec_limit_M_in_Li": 0.0, "has_intermediate_phases": False,
                "li_richest_phase": "", "energy_source": "", "m_in_li_solubility": 0.0, "metal_molar_volume_cm3": float("nan")}
    if energy_source in MEMO_SOURCES:
        return dict(_memo_metal_descriptors(metal, energy_source, float(solubility_temperature_K)))
    return _metal_descriptors(metal, energy_source, solubility_temperature_K)


@disk_memo("metal_descriptors")
def _memo_metal_descriptors(metal: str, energy_source: str, solubility_temperature_K: float) -> dict[str, Any]:
    return _metal_descriptors(metal, energy_source, solubility_temperature_K)


def _metal_descriptors(metal: str, energy_source: str, solubility_temperature_K: float) -> dict[str, Any]:
    from descriptors.phases.energy_sources import make_source
    from descriptors.phases.featurizer import IntermediatePhaseFeaturizer
    from descriptors.solubility.featurizer import LiSolubilityFeaturizer

    src = make_source(energy_source)
    heats = src if hasattr(src, "heats_of_solution") else None  # CHGNet: computed heats of solution too
    sol = LiSolubilityFeaturizer(temperature_K=solubility_temperature_K, heat_source=heats)
    ph = IntermediatePhaseFeaturizer(source=src)
    from descriptors.data.elements import element_data
    from descriptors.phases.solvus import m_in_li_solubility

    s = dict(zip(sol.feature_labels(), sol.featurize(metal)))
    p = dict(zip(ph.feature_labels(), ph.featurize(metal)))
    el = element_data(metal)
    return {"solubility_score_mutual": float(s["solubility_score_mutual"]), "ec_limit_M_in_Li": float(s["ec_limit_M_in_Li"]),
            "has_intermediate_phases": bool(p["has_intermediate_phases"]), "li_richest_phase": p["li_richest_phase"] or "",
            "energy_source": p["energy_source"], "m_in_li_solubility": m_in_li_solubility(metal, energy_source=src).x_sat,
            "metal_molar_volume_cm3": el.molar_mass_g_mol / el.density_g_cm3}


@cache
def carbon_descriptors(carbon: str) -> dict[str, Any]:
    """Graphitization descriptors of one carbon preset (cached). ``none``: no carbon layer."""
    if carbon == "none":
        return {"graphitization_index": float("nan"), "graphitization_method": ""}
    from descriptors.graphitization.featurizer import GraphitizationFeaturizer

    gf = GraphitizationFeaturizer()
    r = dict(zip(gf.feature_labels(), gf.featurize(carbon)))
    if not math.isfinite(r["graphitization_index"]):
        raise InputError(f"carbon preset '{carbon}' has no graphitization data (no d002, Raman, class or sp2 fraction in "
                         "datasets/carbons.csv); measure it with 'interlayer carbon'")
    return {"graphitization_index": float(r["graphitization_index"]), "graphitization_method": r["graphitization_method"]}


#: Columns :class:`CellFeaturizer` adds (the descriptors the gap model reads).
DESCRIPTOR_COLUMNS: tuple[str, ...] = (
    "has_metal", "has_carbon", "solubility_score_mutual", "ec_limit_M_in_Li", "has_intermediate_phases",
    "graphitization_index", "m_in_li_solubility", "metal_molar_volume_cm3",
)


class CellFeaturizer(TransformerMixin, BaseEstimator):  # type: ignore[misc]  # scikit-learn ships no type information
    """Candidates -> descriptor table for the gap model (scikit-learn transformer).

    Adds, per row: ``has_metal``, ``has_carbon`` (0/1), the metal's mutual Li–M
    solubility score and electron-concentration limit (``descriptors.solubility.featurizer``),
    whether Li–M intermediate phases are on the hull (``descriptors.phases.featurizer`` with
    ``energy_source``), and the carbon's graphitization index
    (``descriptors.graphitization.featurizer``). Condition columns and ``architecture`` pass through;
    an ``observable`` column (used for joint fitting) passes through too.

    Args:
        energy_source: formation energies for the Li–M hull (``oqmd_legacy`` default: DFT;
            ``miedema`` wrongly finds Li–Cu compounds, see ``interlayer validate-descriptors``;
            ``chgnet``: CHGNet-relaxed structures, which also supply the heats of solution).
        solubility_temperature_K: temperature of the solubility score (K).
    """

    def __init__(self, energy_source: str = "oqmd_legacy", solubility_temperature_K: float = 600.0) -> None:
        self.energy_source = energy_source
        self.solubility_temperature_K = solubility_temperature_K

    def fit(self, X: pd.DataFrame, y: Any = None) -> CellFeaturizer:
        self.n_features_in_ = len(X.columns)
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        if not isinstance(X, pd.DataFrame) or not {"metal", "carbon"} <= set(X.columns):
            raise InputError("CellFeaturizer needs a DataFrame with 'metal' and 'carbon' columns")
        out = X.copy()
        metals = {m: metal_descriptors(m, self.energy_source, float(self.solubility_temperature_K)) for m in out["metal"].unique()}
        carbons = {c: carbon_descriptors(c) for c in out["carbon"].unique()}
        out["has_metal"] = (out["metal"] != "none").astype(float)
        out["has_carbon"] = (out["carbon"] != "none").astype(float)
        for col in ("solubility_score_mutual", "ec_limit_M_in_Li", "has_intermediate_phases", "m_in_li_solubility",
                    "metal_molar_volume_cm3"):
            out[col] = out["metal"].map({m: float(d[col]) for m, d in metals.items()}).astype(float)
        out["graphitization_index"] = out["carbon"].map({c: d["graphitization_index"] for c, d in carbons.items()}).astype(float)
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        base = list(input_features) if input_features is not None else list(CANDIDATE_COLUMNS)
        return np.array(base + [c for c in DESCRIPTOR_COLUMNS if c not in base], dtype=object)
