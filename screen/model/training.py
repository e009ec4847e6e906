"""Training data for the gap model, cross-validation, and baselines.

``literature_outcomes.csv`` (and fresh results in the same schema) become
*observations*: one row per measured quantity of a cell (plating location,
voltage-dip presence, numeric nucleation overpotential, interfacial toughness),
each carrying the cell's candidate columns, ``observable``, ``record_id`` and
``study_id``. ``nucleation_overpotentials.csv`` adds substrate-level rows that
resolve to a metal, a carbon preset or a bare collector and are not already
counted through a cell of the same study; the others (class-level statements,
relative claims) are listed with the reason they were left out.

Cross-validation holds out whole records (leave-one-out) or whole studies
(leave-one-study-out) and scores plating locations (balanced accuracy, log-loss,
Brier score on cells observed under or above the carbon) and numeric
overpotentials (MAE), against a majority-class baseline and a logistic
regression on the same descriptors.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from descriptors.errors import InputError
from screen.model.cells import CellFeaturizer, preset_particle_size, validate_candidates
from screen.model.fields import CANDIDATE_COLUMNS
from screen.model.likelihood import object_array

#: literature_outcomes.csv column -> candidate column.
OUTCOME_TO_CANDIDATE = {
    "metal": "metal", "carbon": "carbon", "architecture": "architecture", "metal_thickness_nm": "metal_nm",
    "carbon_thickness_nm": "carbon_nm", "current_density_mA_cm2": "current_ma_cm2", "stack_pressure_MPa": "stack_mpa",
    "fab_pressure_MPa": "fab_mpa", "temperature_C": "temperature_c", "carbon_particle_size_nm": "carbon_particle_nm",
}
_COLLECTORS = {"stainless_steel": "SS", "ss": "SS", "cu": "Cu", "copper": "Cu"}
BINARY = ("under_carbon", "above_carbon")


def data_hash(*frames: pd.DataFrame) -> str:
    """sha256 of the training tables (canonical CSV bytes), for the registry and run records."""
    h = hashlib.sha256()
    for f in frames:
        h.update(f.to_csv(index=False, lineterminator="\n").encode())
    return h.hexdigest()


def _cells(outcomes: pd.DataFrame, label: str) -> pd.DataFrame:
    cand = outcomes[list(OUTCOME_TO_CANDIDATE)].rename(columns=OUTCOME_TO_CANDIDATE)
    cand = cand.astype(object).where(cand.notna(), "")
    clean, _ = validate_candidates(cand, label=label, fill_defaults=False)
    # the carbon's particle size falls back on the preset's
    clean["carbon_particle_nm"] = clean["carbon_particle_nm"].fillna(clean["carbon"].map(preset_particle_size))
    clean.index = outcomes.index
    return clean


def observations_from_outcomes(outcomes: pd.DataFrame, label: str = "literature_outcomes.csv") -> tuple[pd.DataFrame, np.ndarray]:
    """Observation rows (candidate columns + observable, record_id, study_id) and their targets.

    Only anode-free solid sulfide cells (or cells whose electrolyte class or type is not recorded) are used: the model's
    barrier is that of a sulfide interface, and Li must be plated from nothing. A toughness given only as a bound is not fitted as a value;
    a critical current is fitted only for cells with a carbon layer (without one the model has no critical current).
    """
    if "electrolyte_class" in outcomes:
        outcomes = outcomes[outcomes["electrolyte_class"].fillna("").isin(("sulfide", ""))]
    if "cell_type" in outcomes:
        outcomes = outcomes[outcomes["cell_type"].fillna("").isin(("anode_free", ""))]
    outcomes = outcomes[outcomes["metal"].fillna("").astype(str) != ""]  # a metal the source does not name cannot be featurized
    outcomes = outcomes.reset_index(drop=True)
    cells = _cells(outcomes, label)
    parts, ys = [], []

    def add(mask: pd.Series, observable: str, values: pd.Series) -> None:
        if mask.any():
            part = cells[mask].copy()
            part["observable"] = observable
            part["record_id"] = outcomes.loc[mask, "record_id"].astype(str)
            part["study_id"] = outcomes.loc[mask, "study_id"].astype(str)
            parts.append(part)
            ys.extend(values[mask].tolist())

    loc = outcomes["li_location"].fillna("")
    add(loc.isin(("under_carbon", "above_carbon", "mixed")), "li_location", loc)
    dip = outcomes["nucleation_dip"].fillna("")
    add(dip.isin(("yes", "no")), "nucleation_dip", dip)
    add(outcomes["nucleation_overpotential_mV"].notna(), "eta_mV", outcomes["nucleation_overpotential_mV"])
    bound = outcomes["toughness_bound"].fillna("") if "toughness_bound" in outcomes else pd.Series("", index=outcomes.index)
    tough = outcomes["interfacial_toughness_J_m2"]
    add(tough.notna() & (bound == ""), "toughness_J_m2", tough)
    add(tough.notna() & (bound == "lower"), "toughness_lower_J_m2", tough)
    add(tough.notna() & (bound == "upper"), "toughness_upper_J_m2", tough)
    # the model's critical current exists only where there is a carbon to plate under
    with_carbon = outcomes["carbon"].fillna("none").astype(str).str.lower() != "none"
    if "ccd_mA_cm2" in outcomes:
        add(outcomes["ccd_mA_cm2"].notna() & with_carbon, "ccd_mA_cm2", outcomes["ccd_mA_cm2"])
    lo = outcomes["ccd_lower_mA_cm2"] if "ccd_lower_mA_cm2" in outcomes else pd.Series(np.nan, index=outcomes.index)
    hi = outcomes["ccd_upper_mA_cm2"] if "ccd_upper_mA_cm2" in outcomes else pd.Series(np.nan, index=outcomes.index)
    bounded = (lo.notna() | hi.notna()) & with_carbon
    intervals = pd.Series([(a if pd.notna(a) else None, b if pd.notna(b) else None) for a, b in zip(lo, hi)],
                          index=outcomes.index, dtype=object)
    add(bounded, "ccd_mA_cm2", intervals)
    if not parts:
        raise InputError(f"{label}: no row has a plating location, dip, overpotential, toughness or critical current to fit")
    return pd.concat(parts, ignore_index=True), object_array(ys)


def observations_from_nucleation(table: pd.DataFrame, outcomes: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """Substrate-level rows of nucleation_overpotentials.csv that the model can use, and why the rest are not used."""
    from descriptors.data.curated import carbon_presets
    from descriptors.data.elements import check_metal

    presets = carbon_presets()
    dip_sources = set(outcomes.loc[outcomes["nucleation_dip"].fillna("") != "", "source"].astype(str))
    rows: list[dict[str, Any]] = []
    ys: list[float | str] = []
    skipped: list[str] = []
    for i, (_, r) in enumerate(table.iterrows()):
        tag = f"nucleation_overpotentials.csv line {i + 2} ({r['substrate']})"
        if str(r["source"]) in dip_sources:
            skipped.append(f"{tag}: already counted through the cells of the same study")
            continue
        sub = str(r["substrate"]).strip()
        cand: dict[str, Any] = {"metal": "none", "carbon": "none", "architecture": "none"}
        if sub.lower() in _COLLECTORS:
            pass
        elif sub in presets:
            cand |= {"carbon": sub, "architecture": "single_layer"}
        else:
            try:
                cand |= {"metal": check_metal(sub), "architecture": "single_layer"}
            except InputError:
                skipped.append(f"{tag}: substrate is not a metal, a carbon preset or a collector (class-level or relative statement)")
                continue
        cand |= {"current_ma_cm2": r.get("current_density_mA_cm2"), "temperature_c": r.get("temperature_C")}
        if pd.notna(r.get("eta_nucleation_mV")):
            rows.append(cand | {"observable": "eta_mV"})
            ys.append(float(r["eta_nucleation_mV"]))
        elif str(r["nucleation_barrier"]) in ("present", "absent"):
            rows.append(cand | {"observable": "nucleation_dip"})
            ys.append("yes" if r["nucleation_barrier"] == "present" else "no")
        else:
            skipped.append(f"{tag}: no numeric overpotential and no present/absent call")
            continue
        rows[-1] |= {"record_id": f"NUC-{i + 2}", "study_id": f"NUC:{r['source']}"}
    if not rows:
        return pd.DataFrame(columns=list(CANDIDATE_COLUMNS) + ["observable", "record_id", "study_id"]), np.array([], dtype=object), skipped
    raw = pd.DataFrame(rows)
    cand_cols = [c for c in CANDIDATE_COLUMNS if c in raw.columns]
    clean, _ = validate_candidates(raw[cand_cols].astype(object).where(raw[cand_cols].notna(), ""),
                                   label="nucleation_overpotentials.csv", fill_defaults=False)
    for c in ("observable", "record_id", "study_id"):
        clean[c] = raw[c].to_numpy()
    return clean, np.asarray(ys, dtype=object), skipped


#: Columns that say which cell a row describes, and the outcomes a row can state about it.
_CELL = ("metal", "carbon", "architecture", "metal_thickness_nm", "carbon_thickness_nm", "fab_pressure_MPa",
         "stack_pressure_MPa", "temperature_C", "current_density_mA_cm2", "areal_capacity_mAh_cm2")
_OUTCOMES = (("li_location",), ("nucleation_dip",), ("nucleation_overpotential_mV",), ("ccd_mA_cm2",),
             ("ccd_lower_mA_cm2", "ccd_upper_mA_cm2"), ("interfacial_toughness_J_m2", "toughness_bound"),
             ("initial_ce_pct",), ("average_ce_pct",))


def repeated_observations(fresh: pd.DataFrame, curated: pd.DataFrame) -> list[tuple[str, str, str]]:
    """(fresh record_id, curated record_id, outcome) where a fresh row states the same outcome of the same cell
    (equal conditions, equal value) as a curated row: a published observation entered again would count twice."""

    def text(frame: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
        return frame[cols].astype(object).where(frame[cols].notna(), "").astype(str)

    cell = [c for c in _CELL if c in fresh.columns and c in curated.columns]
    fk, ck = text(fresh, cell).agg("|".join, axis=1), text(curated, cell).agg("|".join, axis=1)
    out = []
    for group in _OUTCOMES:
        cols = [c for c in group if c in fresh.columns and c in curated.columns]
        if not cols:
            continue
        fv, cv = text(fresh, cols).agg("|".join, axis=1), text(curated, cols).agg("|".join, axis=1)
        empty = "|".join([""] * len(cols))
        seen = {(k, v): rid for k, v, rid in zip(ck, cv, curated["record_id"].astype(str)) if v != empty}
        label = " / ".join(cols)
        out += [(str(rid), seen[(k, v)], label) for k, v, rid in zip(fk, fv, fresh["record_id"]) if v != empty and (k, v) in seen]
    return out


@dataclass
class TrainingSet:
    """Observations ready for the pipeline, and where they came from."""

    X: pd.DataFrame
    y: np.ndarray
    skipped: list[str] = field(default_factory=list)
    data_sha256: str = ""
    n_fresh: int = 0

    @property
    def location_mask(self) -> np.ndarray:
        return (self.X["observable"] == "li_location").to_numpy()


def training_set(fresh: pd.DataFrame | None = None) -> TrainingSet:
    """Curated outcomes (+ fresh results) and usable nucleation rows, as one observation table."""
    from descriptors.data.curated import load_table

    cur = load_table("literature_outcomes.csv")
    nuc = load_table("nucleation_overpotentials.csv")
    frames = [cur]
    if fresh is not None and len(fresh):
        repeated = fresh["record_id"][fresh["record_id"].duplicated()].tolist()
        if repeated:
            raise InputError(f"fresh results repeat record_id '{repeated[0]}' (each row needs its own id)")
        clash = sorted(set(fresh["record_id"]) & set(cur["record_id"]))
        if clash:
            raise InputError(f"fresh results reuse curated record_id '{clash[0]}' (pick new ids)")
        frames.append(fresh)
    merged = pd.concat(frames, ignore_index=True)
    X, y = observations_from_outcomes(merged)
    Xn, yn, skipped = observations_from_nucleation(nuc, merged)
    if len(Xn):
        X, y = pd.concat([X, Xn], ignore_index=True), object_array([*y, *yn])
    return TrainingSet(X=X, y=y, skipped=skipped, data_sha256=data_hash(cur, nuc, *(frames[1:])),
                       n_fresh=0 if fresh is None else len(fresh))


#: NUTS settings by name: ``full`` (the v3 specification, amended: 4 chains x (1000 warm-up + 1000 draws), target
#: acceptance 0.99, dense mass matrix) and ``quick`` (2 x (100 + 100), target 0.8, diagonal mass: for tests and smoke
#: runs; its diagnostics are reported and fail the thresholds by design). ``$INTERLAYER_SAMPLER`` picks the default.
SAMPLER_PROFILES: dict[str, dict[str, Any]] = {
    "full": {"num_chains": 4, "num_warmup": 1000, "num_samples": 1000, "target_accept": 0.99, "dense_mass": True},
    "quick": {"num_chains": 2, "num_warmup": 100, "num_samples": 100, "target_accept": 0.8, "dense_mass": False},
}
SAMPLER_ENV = "INTERLAYER_SAMPLER"


def sampler_profile(name: str | None = None) -> dict[str, Any]:
    """NUTS chains and iterations of a named profile (default: ``$INTERLAYER_SAMPLER``, else ``full``)."""
    import os

    key = name or os.environ.get(SAMPLER_ENV) or "full"
    if key not in SAMPLER_PROFILES:
        raise InputError(f"unknown sampler profile '{key}' (${SAMPLER_ENV}; known: {', '.join(SAMPLER_PROFILES)})")
    return dict(SAMPLER_PROFILES[key])


def make_pipeline(n_draws: int = 128, random_state: int = 0, energy_source: str = "oqmd_legacy",
                  sampler: str | None = None, **gap_params: Any) -> Any:
    """CellFeaturizer -> NucleationGapModel (NUTS with the ``sampler`` profile; ``n_draws=0``: the MAP alone)."""
    from sklearn.pipeline import Pipeline

    from screen.model.gap_model import NucleationGapModel

    params = {**sampler_profile(sampler), **gap_params}
    return Pipeline([("cells", CellFeaturizer(energy_source=energy_source)),
                     ("gap", NucleationGapModel(n_draws=n_draws, random_state=random_state, **params))])


#: Numeric descriptors and conditions the logistic baseline sees (same information as the gap model).
BASELINE_NUMERIC = ("has_metal", "has_carbon", "solubility_score_mutual", "ec_limit_M_in_Li", "has_intermediate_phases",
                    "graphitization_index", "carbon_nm", "current_ma_cm2", "stack_mpa", "fab_mpa", "temperature_c",
                    "carbon_particle_nm")


def logistic_baseline(random_state: int = 0) -> Any:
    """Plain logistic regression on the same descriptors (median-imputed, standardized, one-hot architecture)."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    num = Pipeline([("impute", SimpleImputer(strategy="median", keep_empty_features=True)), ("scale", StandardScaler())])
    cols = ColumnTransformer([("num", num, list(BASELINE_NUMERIC)),
                              ("arch", OneHotEncoder(handle_unknown="ignore"), ["architecture"])])
    return Pipeline([("cells", CellFeaturizer()), ("cols", cols),
                     ("lr", LogisticRegression(C=1.0, max_iter=1000, random_state=random_state))])


def flexible_baseline(random_state: int = 0) -> Any:
    """Gradient-boosted shallow trees on the same descriptors and conditions: a flexible, physics-free baseline."""
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    cols = ColumnTransformer([("num", SimpleImputer(strategy="median", keep_empty_features=True), list(BASELINE_NUMERIC)),
                              ("arch", OneHotEncoder(handle_unknown="ignore"), ["architecture"])])
    return Pipeline([("cells", CellFeaturizer()), ("cols", cols),
                     ("gb", GradientBoostingClassifier(n_estimators=50, max_depth=2, learning_rate=0.1, subsample=0.8,
                                                       random_state=random_state))])


#: Held-out predictors compared in cross-validation (column ``p_<name>`` of the predictions).
PREDICTORS = ("gap_model", "constant", "base_rate", "logistic", "flexible", "majority")
#: The constant prevalence of "under" fixed in advance (issue 24, before model v3 existed), the first baseline.
CONSTANT_PREVALENCE = 0.70


def _metrics(y_true: np.ndarray, p: np.ndarray) -> dict[str, float | int]:
    from sklearn.metrics import balanced_accuracy_score, brier_score_loss, log_loss

    yt = (np.asarray(y_true) == "under_carbon").astype(int)
    pc = np.clip(np.asarray(p, dtype=float), 1e-6, 1 - 1e-6)
    return {"n": int(yt.size), "balanced_accuracy": float(balanced_accuracy_score(yt, (pc >= 0.5).astype(int))),
            "log_loss": float(log_loss(yt, pc, labels=[0, 1])), "brier": float(brier_score_loss(yt, pc))}


@dataclass
class CVResult:
    """Held-out predictions and metrics of one cross-validation scheme."""

    scheme: str
    metrics: dict[str, dict[str, Any]]
    predictions: pd.DataFrame
    #: per held-out group, the structural choice its training fold made (``form_selection_``), when one was made
    selections: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def _progress(items: Any, enabled: bool, desc: str) -> Any:
    if not enabled:
        return items
    from tqdm.auto import tqdm

    return tqdm(items, desc=desc, unit="fold", leave=False, disable=None)


def _fold(model: Any, ts: TrainingSet, test: np.ndarray, binary: np.ndarray, eta: np.ndarray,
          random_state: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """One cross-validation fold: fit on everything but ``test``; held-out predictions of the model and baselines."""
    from sklearn.base import clone

    train = ~test
    m = clone(model).fit(ts.X[train], ts.y[train])
    out = {"gap": (test, m.named_steps["gap"].predict_terms(m.named_steps["cells"].transform(ts.X[test]))["p_under_carbon"].to_numpy())}
    tb, trb = test & binary, train & binary
    if tb.any():
        yb = ts.y[trb].astype(str)
        rate = float(np.mean(yb == "under_carbon"))
        out["base"], out["majority"] = (tb, np.full(tb.sum(), rate)), (tb, np.full(tb.sum(), float(rate >= 0.5)))
        out["constant"] = (tb, np.full(tb.sum(), CONSTANT_PREVALENCE))
        for name, make in (("logistic", logistic_baseline), ("flexible", flexible_baseline)):
            if len(set(yb)) == 2:
                est = clone(make(random_state)).fit(ts.X[trb], yb)
                out[name] = (tb, est.predict_proba(ts.X[tb])[:, list(est.classes_).index("under_carbon")])
            else:
                out[name] = (tb, np.full(tb.sum(), float(yb[0] == "under_carbon")))
    if (test & eta).any():
        out["eta"] = (test & eta, m.named_steps["gap"].predict_eta_cell(m.named_steps["cells"].transform(ts.X[test & eta])))
    selection = getattr(m.named_steps["gap"], "form_selection_", None)
    if selection:
        out["selection"] = selection
    return out


def cross_validate(ts: TrainingSet, scheme: str = "loo", n_draws: int = 0, random_state: int = 0,
                   progress: bool = False, energy_source: str = "oqmd_legacy", model_params: dict[str, Any] | None = None,
                   n_jobs: int | None = -1, sampler: str | None = None) -> CVResult:
    """Leave-one-record-out (``loo``) or leave-one-study-out (``loso``) CV of the gap model and the baselines:
    a constant prevalence fixed in advance (:data:`CONSTANT_PREVALENCE`), the training folds' prevalence of "under"
    (base rate), logistic regression and gradient-boosted trees on the same descriptors and conditions, and the hard
    majority class.

    ``n_draws=0`` fits each fold's MAP (seconds; folds run in parallel processes); ``n_draws > 0`` samples each fold's
    full posterior with the ``sampler`` profile (folds one after another: each fit uses every core). A held-out study's
    cells are a new lab: their lab offset is drawn from each fold's fitted spread.

    ``energy_source`` picks the hull energies of the intermediate-phase descriptor (and, for
    ``chgnet``, the heats of solution), so sources can be compared on held-out accuracy.
    """
    if scheme not in ("loo", "loso"):
        raise InputError(f"unknown CV scheme '{scheme}' (loo or loso)")

    groups = ts.X["record_id" if scheme == "loo" else "study_id"].astype(str).to_numpy()
    loc = ts.location_mask
    binary = loc & np.isin(ts.y, BINARY)
    eta = (ts.X["observable"] == "eta_mV").to_numpy()
    scored = binary | eta
    test_groups = np.unique(groups[scored])
    model = make_pipeline(n_draws=n_draws, random_state=random_state, energy_source=energy_source, sampler=sampler)
    if model_params:
        model.set_params(**{f"gap__{k}": v for k, v in model_params.items()})
    from joblib import Parallel, delayed

    folds = Parallel(n_jobs=1 if n_draws else n_jobs)(delayed(_fold)(model, ts, groups == g, binary, eta, random_state)
                                    for g in _progress(test_groups, progress, f"CV {scheme}"))
    cols = {k: np.full(len(ts.X), np.nan) for k in ("gap", "constant", "base", "majority", "logistic", "flexible", "eta")}
    selections = {str(g): out.pop("selection") for g, out in zip(test_groups, folds) if "selection" in out}
    for out in folds:
        for k, (mask, values) in out.items():
            cols[k][mask] = values
    gap_p, base_p, maj_p, lr_p, flex_p, eta_pred = (cols[k] for k in ("gap", "base", "majority", "logistic", "flexible", "eta"))
    yb = ts.y[binary]
    metrics: dict[str, dict[str, Any]] = {
        "gap_model": _metrics(yb, gap_p[binary]),
        "constant_baseline": _metrics(yb, cols["constant"][binary]),
        "base_rate_baseline": _metrics(yb, base_p[binary]),
        "logistic_baseline": _metrics(yb, lr_p[binary]),
        "flexible_baseline": _metrics(yb, flex_p[binary]),
        "majority_baseline": _metrics(yb, maj_p[binary]),
    }
    n_eta = int(eta.sum())
    metrics["gap_model"]["eta_mae_mV"] = float(np.mean(np.abs(eta_pred[eta] - ts.y[eta].astype(float)))) if n_eta else None
    metrics["gap_model"]["n_eta"] = n_eta
    preds = ts.X.loc[binary, ["record_id", "study_id", "metal", "carbon", "architecture"]].copy()
    preds["observed"] = yb
    preds["p_gap_model"], preds["p_base_rate"], preds["p_logistic"] = gap_p[binary], base_p[binary], lr_p[binary]
    preds["p_flexible"], preds["p_majority"], preds["p_constant"] = flex_p[binary], maj_p[binary], cols["constant"][binary]
    return CVResult(scheme=scheme, metrics=metrics, predictions=preds.reset_index(drop=True), selections=selections)


def compare_energy_sources(ts: TrainingSet, sources: list[str], random_state: int = 0, progress: bool = False) -> pd.DataFrame:
    """Leave-one-study-out metrics of the gap model with each energy source, one row per source.

    The descriptor values that differ between sources are listed in ``changed_metals``
    (metals of the training set whose phase call or solubility score changes against the first source).
    """
    from screen.model.cells import metal_descriptors

    metals = sorted(m for m in ts.X["metal"].unique() if m != "none")
    base = {m: metal_descriptors(m, sources[0]) for m in metals}
    rows = []
    for src in sources:
        desc = {m: metal_descriptors(m, src) for m in metals}
        changed = [m for m in metals if desc[m]["has_intermediate_phases"] != base[m]["has_intermediate_phases"]
                   or abs(desc[m]["solubility_score_mutual"] - base[m]["solubility_score_mutual"]) > 0.05]
        m = cross_validate(ts, "loso", random_state=random_state, progress=progress, energy_source=src).metrics
        rows.append({"energy_source": src, "cv": "loso", "n": m["gap_model"]["n"],
                     "balanced_accuracy": m["gap_model"]["balanced_accuracy"], "log_loss": m["gap_model"]["log_loss"],
                     "brier": m["gap_model"]["brier"],
                     "metals_with_phases": ";".join(x for x in metals if desc[x]["has_intermediate_phases"]),
                     "changed_metals": ";".join(changed)})
    return pd.DataFrame(rows)


def in_sample(pipeline: Any, ts: TrainingSet) -> pd.DataFrame:
    """Fitted-model terms for every plating-location record (for the margin figure and the change report)."""
    loc = ts.location_mask
    Xl = ts.X[loc]
    t = pipeline.named_steps["gap"].predict_terms(pipeline.named_steps["cells"].transform(Xl))
    out: pd.DataFrame = Xl[["record_id", "study_id", "metal", "carbon", "architecture"]].copy()
    out["observed"] = ts.y[loc]
    out = pd.concat([out.reset_index(drop=True), t.reset_index(drop=True)], axis=1)
    out["predicted"] = np.where(out["p_under_carbon"] >= 0.5, "under_carbon", "above_carbon")
    return out


