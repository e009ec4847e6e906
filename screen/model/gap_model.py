"""The nucleation-overpotential-gap model (a scikit-learn estimator).

Li plates *under* the carbon when the nucleation overpotential at the surface
facing the solid electrolyte (the "top" site) exceeds the one at the site under
the carbon (the "bottom" site) by more than the barrier for Li to cross the
lithiated carbon::

    margin = (eta_top - eta_bottom) - B          [mV]
    P(under carbon) = sigmoid(margin / scale)

All overpotentials are for Li nucleation at the reference plating current of
the data (~0.1 mA/cm2); the current and temperature act through ``B``.

**eta_metal** (mV), Li nucleation on the lithiated metal::

    A        = S_mutual * min(1, 2 * ec_limit) ** kappa        alloying activity, 0..1
    eta_M    = eta_floor + eta_inert * (1 - A) * (1 - c * P)

``S_mutual`` is the Li–M mutual-solubility score, ``ec_limit`` the
Hume-Rothery electron-concentration limit of M in bcc Li, ``P`` = 1 when Li–M
intermediate phases are on the hull. A metal that dissolves Li and dissolves
into Li (Mg, Ag, Au; A near 1) offers a Li-rich solid solution on which Li
grows without a new nucleus; a metal with no solubility and no compound (Cu,
Ni, the stainless-steel or Cu collector itself, ``metal = none``) is an inert
substrate (``eta_floor + eta_inert``). Intermediate phases relieve a fraction
``c`` of the inert-substrate barrier (a lithiated compound is a Li-bearing
surface) but, unlike a solid solution, still need Li metal to nucleate on a
foreign phase, so metals that lithiate through compounds with little mutual
solubility (Sn, Al) sit between the two: Mg ~ Ag ~ Au < Zn < Al, Sn < Cu, SS.
Monotone: eta_M falls with solubility (A), rises towards the inert value as
solubility vanishes. Li diffusivity in the lithiated metal is not a descriptor
yet (no computed source); it is not in the model.

**eta_carbon** (mV), Li nucleation on lithiated carbon::

    eta_C = eta_floor + eta_amorphous * (1 - g)

``g`` is the graphitization index (0 amorphous .. 1 graphite): graphite lets Li
plate on top, disordered carbon does not. Monotone decreasing in g.

**Top and bottom sites** by architecture:

* ``bilayer`` (metal under carbon): top = eta_C, bottom = eta_M.
* ``nanocomposite`` (metal particles in the carbon): metal particles also reach
  the electrolyte side. A fraction A of the Li meeting them dissolves and is
  carried on (solid solution); the rest sees them as nucleation sites, so
  top = A * eta_C + (1 - A) * min(eta_C, eta_M), bottom = eta_M.
* ``carbon_under_metal``: top = eta_M (the metal faces the electrolyte),
  bottom = the bare collector.
* ``single_layer`` carbon only: top = eta_C, bottom = the bare collector.
* no carbon (``single_layer`` metal only, ``none``): there is no carbon to plate
  under; margin and P(under carbon) are undefined (NaN, ``null`` in JSON) and
  Li nucleates on the metal (or the collector) at eta_M.

**Barrier B** (mV), transport plus interfacial mechanics::

    B_transport = beta_t * j * L * exp(Ea / k_B * (1/T - 1/T_ref))
    G           = G_100 * (P_eff / 100 MPa) ** m * (d_ref / d) ** n       interfacial toughness, J/m2
    B_adhesion  = beta_a / (1 + G / G_c)
    B           = B_transport + B_adhesion

``j`` current density (mA/cm2), ``L`` carbon thickness (um), ``T`` temperature,
``P_eff = max(fabrication, stack pressure)`` (the highest pressure the
interface has seen), In a nanocomposite the metal particles that dissolve Li carry part of it
through the layer: the transport part is multiplied by ``1 - psi * A``
(``psi``, the composite relief, is fitted); the adhesion part is not. ``d`` is the carbon particle size (nm; unknown -> d_ref =
30 nm, Liao's carbon black). The toughness law is calibrated on Liao et al.
2025 (doi:10.1002/adma.202502114: 9 J/m2 at 100 MPa, 41 J/m2 at 400 MPa) and
its size exponent has a JKR prior (n = 1: adhesion per area ~ 1/d). Under weak
adhesion (G << G_c) B tends to beta_a, which the fit places above any
overpotential gap: Li plates on top whatever the chemistry. B grows with L
and j, falls with T and with G (so with lamination pressure and smaller
particles).

**Fitting.** Parameters are fitted jointly (maximum a posteriori) to plating
locations (Bernoulli likelihood; ``mixed`` counts as 0.5), voltage-dip
presence (P(dip) = sigmoid((eta_cell - 5 mV) / 1 mV): a minimum smaller than
~5 mV is not reported as distinct), numeric overpotentials (log-normal, 30 %)
and interfacial toughness (log-normal, 20 %), with weakly informative
log-normal priors on every parameter (:data:`PARAMETERS`). Literature records
with unreported conditions are *marginalized*: missing fabrication pressure
over 50–500 MPa and missing carbon thickness over 0.1–10 um (log-uniform);
missing current, temperature and stack pressure take 0.1 mA/cm2, 25 C and 0.
The pressure range reflects practice: sulfide cells are densified by pressing
at 10^2 MPa, and an unpressed layer (Liao's 5 MPa cell) is reported as such.
This is the main modelling assumption behind the Suzuki 2021 and Wu 2023
rows, whose conditions were not read: with 5–500 MPa instead, Zn–carbon black
drops to P = 0.44 (a miss) and leave-one-out balanced accuracy from 0.81 to
0.76.

**Uncertainty.** A bootstrap ensemble: records are resampled with replacement
and the MAP refitted ``n_bootstrap`` times. With ~20 labelled cells from ~9
studies, the spread of refits over resampled records says how much a
prediction rests on particular experiments, which is what a user needs to
know; a full posterior (MCMC) would mostly echo the priors for the parameters
the data do not reach. Intervals are the (1 - interval)/2 and (1 + interval)/2
quantiles over the ensemble; point values come from the fit to all records.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import balanced_accuracy_score

from descriptors.errors import InputError
from screen.model.parameters import PARAM_NAMES, PARAMETERS, PRIOR_CENTER, PRIOR_SIGMA, to_natural

K_B_EV = 8.617333262e-5  # eV/K
T_REF_K = 298.15
D_REF_NM = 30.0
DETECT_MV = 5.0
DETECT_SCALE_MV = 1.0
SIGMA_LOG_ETA = 0.3
SIGMA_LOG_TOUGHNESS = 0.2
FAB_GRID_MPA = np.geomspace(50.0, 500.0, 7)
THICKNESS_GRID_NM = np.geomspace(100.0, 10000.0, 5)
IMPUTE = {"current_ma_cm2": 0.1, "temperature_c": 25.0, "stack_mpa": 0.0}

#: Observables a training row can carry (column ``observable``; default ``li_location``).
OBSERVABLES: tuple[str, ...] = ("li_location", "nucleation_dip", "eta_mV", "toughness_J_m2")
LOCATION_VALUES = {"under_carbon": 1.0, "above_carbon": 0.0, "mixed": 0.5}
CLASSES = np.array(["above_carbon", "under_carbon"], dtype=object)


#: Per-row outputs of :meth:`NucleationGapModel.predict_terms` that carry intervals.
TERMS: tuple[str, ...] = ("eta_metal_mV", "eta_carbon_mV", "barrier_mV", "gap_mV", "margin_mV", "p_under_carbon")


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


# --------------------------------------------------------------------------- physics

def alloying_activity(solubility: np.ndarray, ec_limit: np.ndarray, kappa: float) -> np.ndarray:
    """A = S_mutual * min(1, 2 ec_limit)^kappa (dimensionless, 0..1)."""
    return np.asarray(solubility) * np.minimum(1.0, 2.0 * np.asarray(ec_limit)) ** kappa


def eta_metal(theta: dict[str, float], activity: np.ndarray, phases: np.ndarray) -> np.ndarray:
    """Li nucleation overpotential on the lithiated metal (mV)."""
    return theta["eta_floor_mV"] + theta["eta_inert_mV"] * (1.0 - activity) * (1.0 - theta["phase_relief"] * phases)


def eta_carbon(theta: dict[str, float], graphitization: np.ndarray) -> np.ndarray:
    """Li nucleation overpotential on lithiated carbon (mV)."""
    return theta["eta_floor_mV"] + theta["eta_amorphous_carbon_mV"] * (1.0 - np.asarray(graphitization))


def interfacial_toughness(theta: dict[str, float], pressure_mpa: np.ndarray, particle_nm: np.ndarray) -> np.ndarray:
    """Carbon/electrolyte interfacial toughness (J/m2) from the highest pressure seen and the particle size."""
    d = np.where(np.isfinite(particle_nm), particle_nm, D_REF_NM)
    p = np.maximum(np.asarray(pressure_mpa, dtype=float), 1e-3)
    return (theta["toughness_100MPa_J_m2"] * (p / 100.0) ** theta["toughness_pressure_exponent"]
            * (D_REF_NM / d) ** theta["toughness_size_exponent"])


def barrier(theta: dict[str, float], current: np.ndarray, thickness_nm: np.ndarray, temperature_c: np.ndarray,
            toughness: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(transport, adhesion) parts of the barrier for Li to cross the lithiated carbon (mV)."""
    t_k = np.asarray(temperature_c, dtype=float) + 273.15
    arr = np.exp(theta["transport_Ea_eV"] / K_B_EV * (1.0 / t_k - 1.0 / T_REF_K))
    transport = theta["transport_mV"] * current * (thickness_nm / 1000.0) * arr
    adhesion = theta["adhesion_barrier_mV"] / (1.0 + toughness / theta["toughness_scale_J_m2"])
    return transport, adhesion


# --------------------------------------------------------------------------- design arrays

_NEEDED = ("architecture", "has_metal", "has_carbon", "solubility_score_mutual", "ec_limit_M_in_Li",
           "has_intermediate_phases", "graphitization_index", "carbon_nm", "current_ma_cm2", "stack_mpa", "fab_mpa",
           "temperature_c", "carbon_particle_nm")


@dataclass
class _Design:
    """Rows expanded over the marginalization grid; ``row`` maps each expanded row to its input row."""

    n: int
    row: np.ndarray
    weight: np.ndarray
    arch: np.ndarray
    has_metal: np.ndarray
    has_carbon: np.ndarray
    solubility: np.ndarray
    ec_limit: np.ndarray
    phases: np.ndarray
    graphitization: np.ndarray
    thickness_nm: np.ndarray
    current: np.ndarray
    temperature_c: np.ndarray
    pressure_mpa: np.ndarray
    particle_nm: np.ndarray


def _design(X: pd.DataFrame) -> _Design:
    missing = [c for c in _NEEDED if c not in X.columns]
    if missing:
        raise InputError(f"the gap model needs column '{missing[0]}' (run the candidates through CellFeaturizer first)")
    n = len(X)
    col = {c: X[c].to_numpy() for c in _NEEDED}
    num = {c: np.asarray(col[c], dtype=float) for c in _NEEDED if c != "architecture"}
    has_c = num["has_carbon"] > 0
    fab_missing = np.isnan(num["fab_mpa"])
    thick_missing = np.isnan(num["carbon_nm"]) & has_c
    reps = np.where(fab_missing, FAB_GRID_MPA.size, 1) * np.where(thick_missing, THICKNESS_GRID_NM.size, 1)
    row = np.repeat(np.arange(n), reps)
    weight = 1.0 / reps[row]
    # position of each expanded row inside its row's block -> grid indices
    start = np.repeat(np.cumsum(reps) - reps, reps)
    k = np.arange(row.size) - start
    nt = np.where(thick_missing[row], THICKNESS_GRID_NM.size, 1)
    fab = np.where(fab_missing[row], FAB_GRID_MPA[(k // nt) % FAB_GRID_MPA.size], num["fab_mpa"][row])
    thick = np.where(thick_missing[row], THICKNESS_GRID_NM[k % THICKNESS_GRID_NM.size], num["carbon_nm"][row])
    thick = np.where(has_c[row], thick, 0.0)
    stack = np.nan_to_num(num["stack_mpa"][row], nan=IMPUTE["stack_mpa"])
    return _Design(
        n=n, row=row, weight=weight, arch=np.asarray(col["architecture"], dtype=object)[row],
        has_metal=num["has_metal"][row] > 0, has_carbon=has_c[row],
        solubility=np.nan_to_num(num["solubility_score_mutual"][row]), ec_limit=np.nan_to_num(num["ec_limit_M_in_Li"][row]),
        phases=np.nan_to_num(num["has_intermediate_phases"][row]), graphitization=num["graphitization_index"][row],
        thickness_nm=thick, current=np.nan_to_num(num["current_ma_cm2"][row], nan=IMPUTE["current_ma_cm2"]),
        temperature_c=np.nan_to_num(num["temperature_c"][row], nan=IMPUTE["temperature_c"]),
        pressure_mpa=np.maximum(fab, stack), particle_nm=num["carbon_particle_nm"][row],
    )


def _terms_expanded(theta: dict[str, float], d: _Design) -> dict[str, np.ndarray]:
    """Per expanded row: every term of the model (mV; p dimensionless)."""
    act = np.where(d.has_metal, alloying_activity(d.solubility, d.ec_limit, theta["ec_exponent"]), 0.0)
    phases = np.where(d.has_metal, d.phases, 0.0)
    e_m = eta_metal(theta, act, phases)  # metal none -> bare collector
    e_coll = theta["eta_floor_mV"] + theta["eta_inert_mV"]
    with np.errstate(invalid="ignore"):
        e_c = np.where(d.has_carbon, eta_carbon(theta, d.graphitization), np.nan)
    g = interfacial_toughness(theta, d.pressure_mpa, d.particle_nm)
    b_t, b_a = barrier(theta, d.current, d.thickness_nm, d.temperature_c, g)
    nano = d.arch == "nanocomposite"
    b = np.where(d.has_carbon, b_t * np.where(nano, 1.0 - theta["composite_relief"] * act, 1.0) + b_a, np.nan)
    cum = d.arch == "carbon_under_metal"
    top = np.where(nano, act * e_c + (1.0 - act) * np.fmin(e_c, e_m), np.where(cum, e_m, e_c))
    bottom = np.where(cum | ~d.has_metal, e_coll, e_m)
    gap = np.where(d.has_carbon, top - bottom, np.nan)
    margin = gap - b
    p = _sigmoid(margin / theta["scale_mV"])
    eta_cell = np.where(d.has_carbon, p * bottom + (1.0 - p) * top, e_m)
    return {"eta_metal_mV": e_m, "eta_carbon_mV": e_c, "barrier_mV": b, "gap_mV": gap, "margin_mV": margin,
            "p_under_carbon": p, "eta_cell_mV": eta_cell, "toughness_J_m2": g}


def _aggregate(values: np.ndarray, d: _Design) -> np.ndarray:
    """Weighted mean over each row's marginalization block (NaN stays NaN)."""
    return np.bincount(d.row, weights=values * d.weight, minlength=d.n)


def _terms(theta: dict[str, float], d: _Design) -> dict[str, np.ndarray]:
    return {k: _aggregate(v, d) for k, v in _terms_expanded(theta, d).items()}


# --------------------------------------------------------------------------- targets

def encode_targets(observable: np.ndarray, y: Any) -> np.ndarray:
    """Numeric targets: location 1/0.5/0, dip 1/0, eta in mV, toughness in J/m2."""
    y = np.asarray(y, dtype=object)
    out = np.full(len(y), np.nan)
    for i, (obs, v) in enumerate(zip(observable, y)):
        if obs == "li_location":
            if isinstance(v, str):
                if v not in LOCATION_VALUES:
                    raise InputError(f"row {i + 1}: li_location '{v}' is not one of {', '.join(LOCATION_VALUES)}")
                out[i] = LOCATION_VALUES[v]
            else:
                out[i] = float(v)
                if out[i] not in (0.0, 0.5, 1.0):
                    raise InputError(f"row {i + 1}: numeric li_location must be 0, 0.5 or 1, got {v}")
        elif obs == "nucleation_dip":
            out[i] = {"yes": 1.0, "no": 0.0}.get(v, v) if isinstance(v, str) else float(v)
            if out[i] not in (0.0, 1.0):
                raise InputError(f"row {i + 1}: nucleation_dip must be yes/no, got {v}")
        elif obs in ("eta_mV", "toughness_J_m2"):
            out[i] = float(v)
            if not (math.isfinite(out[i]) and out[i] > 0):
                raise InputError(f"row {i + 1}: {obs} must be a positive number, got {v}")
        else:
            raise InputError(f"row {i + 1}: unknown observable '{obs}' (allowed: {', '.join(OBSERVABLES)})")
    return out


def _observables(X: pd.DataFrame) -> np.ndarray:
    if "observable" in X.columns:
        return X["observable"].fillna("li_location").astype(str).to_numpy()
    return np.full(len(X), "li_location", dtype=object)


def neg_log_posterior(z: np.ndarray, d: _Design, obs: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    """Negative log posterior of transformed parameters ``z`` (sample weights ``w`` per row)."""
    theta = dict(zip(PARAM_NAMES, to_natural(z)))
    t = _terms(theta, d)
    nll = 0.0
    loc = obs == "li_location"
    if loc.any():
        p = np.clip(t["p_under_carbon"][loc], 1e-9, 1 - 1e-9)
        nll -= np.sum(w[loc] * (y[loc] * np.log(p) + (1 - y[loc]) * np.log(1 - p)))
    dip = obs == "nucleation_dip"
    if dip.any():
        q = np.clip(_sigmoid((t["eta_cell_mV"][dip] - DETECT_MV) / DETECT_SCALE_MV), 1e-9, 1 - 1e-9)
        nll -= np.sum(w[dip] * (y[dip] * np.log(q) + (1 - y[dip]) * np.log(1 - q)))
    for name, key, sigma in (("eta_mV", "eta_cell_mV", SIGMA_LOG_ETA), ("toughness_J_m2", "toughness_J_m2", SIGMA_LOG_TOUGHNESS)):
        m = obs == name
        if m.any():
            r = (np.log(np.maximum(t[key][m], 1e-9)) - np.log(y[m])) / sigma
            nll += 0.5 * np.sum(w[m] * r * r)
    return float(nll + 0.5 * np.sum(((z - PRIOR_CENTER) / PRIOR_SIGMA) ** 2))


def _fit_map(d: _Design, obs: np.ndarray, y: np.ndarray, w: np.ndarray, z0: np.ndarray) -> np.ndarray:
    from scipy.optimize import minimize

    bounds = list(zip(PRIOR_CENTER - 5 * PRIOR_SIGMA, PRIOR_CENTER + 5 * PRIOR_SIGMA))
    res = minimize(neg_log_posterior, z0, args=(d, obs, y, w), method="L-BFGS-B", bounds=bounds,
                   options={"maxiter": 500, "ftol": 1e-10})
    return np.asarray(res.x, dtype=float)


class NucleationGapModel(ClassifierMixin, BaseEstimator):
    """Nucleation-overpotential-gap classifier of the plating location (under / above the carbon).

    Input ``X``: the output of :class:`screen.model.cells.CellFeaturizer` (descriptors plus cell
    conditions). For joint fitting, an ``observable`` column says what each row's target is
    (:data:`OBSERVABLES`; default ``li_location``), and a ``record_id`` column groups rows of
    the same cell for the bootstrap. ``y``: plating locations (``under_carbon``, ``above_carbon``,
    ``mixed``) or, per observable, dip yes/no, overpotential in mV, toughness in J/m2.

    Args:
        n_bootstrap: bootstrap refits for the uncertainty intervals (0: none).
        interval: central probability of the reported intervals.
        random_state: seed of the bootstrap resampling.
    """

    def __init__(self, n_bootstrap: int = 32, interval: float = 0.9, random_state: int = 0) -> None:
        self.n_bootstrap = n_bootstrap
        self.interval = interval
        self.random_state = random_state

    # sklearn API ---------------------------------------------------------------------------
    def fit(self, X: pd.DataFrame, y: Any, sample_weight: Any = None) -> NucleationGapModel:
        if not isinstance(X, pd.DataFrame):
            raise InputError("NucleationGapModel.fit needs a pandas DataFrame from CellFeaturizer")
        if len(X) != len(y):
            raise InputError(f"X has {len(X)} rows but y has {len(y)}")
        if not 0 < self.interval < 1 or int(self.n_bootstrap) < 0:
            raise InputError("interval must be in (0, 1) and n_bootstrap >= 0")
        obs = _observables(X)
        yy = encode_targets(obs, y)
        w = np.ones(len(X)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        d = _design(X)
        self.classes_ = CLASSES.copy()
        self.z_ = _fit_map(d, obs, yy, w, PRIOR_CENTER.copy())
        groups = X["record_id"].astype(str).to_numpy() if "record_id" in X.columns else np.arange(len(X)).astype(str)
        uniq, inv = np.unique(groups, return_inverse=True)
        rng = np.random.default_rng(self.random_state)
        members = []
        for _ in range(int(self.n_bootstrap)):
            counts = np.bincount(rng.integers(0, uniq.size, uniq.size), minlength=uniq.size)
            members.append(_fit_map(d, obs, yy, w * counts[inv], self.z_))
        self.ensemble_z_ = np.array(members).reshape(-1, len(PARAMETERS))
        self.n_observations_ = {o: int(np.sum(obs == o)) for o in OBSERVABLES}
        self.n_features_in_ = len(X.columns)
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """[P(above), P(under)] per row; NaN for cells with no carbon."""
        p = self._point(X)["p_under_carbon"]
        return np.column_stack([1.0 - p, p])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """``under_carbon`` / ``above_carbon``, or ``not_applicable`` for cells with no carbon."""
        p = self._point(X)["p_under_carbon"]
        return np.where(np.isnan(p), "not_applicable", np.where(p >= 0.5, "under_carbon", "above_carbon")).astype(object)

    def score(self, X: pd.DataFrame, y: Any, sample_weight: Any = None) -> float:
        """Balanced accuracy on rows whose observed location is under or above the carbon."""
        obs = _observables(X)
        yv = np.asarray(y, dtype=object)
        m = (obs == "li_location") & np.isin(yv, ["under_carbon", "above_carbon"])
        return float(balanced_accuracy_score(yv[m].astype(str), self.predict(X[m]).astype(str)))

    # model outputs ---------------------------------------------------------------------------
    @property
    def params_(self) -> dict[str, float]:
        """Fitted parameters in natural units (see :data:`PARAMETERS` for units)."""
        self._check_fitted()
        return {k: float(v) for k, v in zip(PARAM_NAMES, to_natural(self.z_))}

    def _check_fitted(self) -> None:
        if not hasattr(self, "z_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("NucleationGapModel is not fitted; call fit() or load a registered model")

    def _point(self, X: pd.DataFrame) -> dict[str, np.ndarray]:
        self._check_fitted()
        return _terms(self.params_, _design(X))

    def predict_eta_cell(self, X: pd.DataFrame) -> np.ndarray:
        """Overpotential of the site where Li nucleates first in each cell (mV): what a voltage dip measures."""
        return self._point(X)["eta_cell_mV"]

    def predict_terms(self, X: pd.DataFrame) -> pd.DataFrame:
        """Every term per row with its interval: ``<term>``, ``<term>_lo``, ``<term>_hi``; plus toughness and site."""
        self._check_fitted()
        d = _design(X)
        point = _terms(self.params_, d)
        out = pd.DataFrame({k: point[k] for k in TERMS}, index=X.index)
        if len(self.ensemble_z_):
            q = ((1 - self.interval) / 2, (1 + self.interval) / 2)
            stack = {k: np.empty((len(self.ensemble_z_), d.n)) for k in TERMS}
            for i, z in enumerate(self.ensemble_z_):
                t = _terms(dict(zip(PARAM_NAMES, to_natural(z))), d)
                for k in TERMS:
                    stack[k][i] = t[k]
            for k in TERMS:
                # a row is NaN in every member or in none (no carbon layer), so the plain quantile is exact
                lo, hi = np.quantile(stack[k], q, axis=0)
                out[f"{k}_lo"], out[f"{k}_hi"] = np.fmin(lo, point[k]), np.fmax(hi, point[k])
        else:
            for k in TERMS:
                out[f"{k}_lo"], out[f"{k}_hi"] = point[k], point[k]
        out["toughness_J_m2"] = np.where(np.asarray(X["has_carbon"], dtype=float) > 0, point["toughness_J_m2"], np.nan)
        p = point["p_under_carbon"]
        has_m = np.asarray(X["has_metal"], dtype=float) > 0
        out["plating_site"] = np.where(np.isnan(p), np.where(has_m, "on_metal", "on_collector"),
                                       np.where(p >= 0.5, "under_carbon", "above_carbon"))
        return out

    # serialisation -------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON-able state (parameters in transformed space, ensemble, settings)."""
        self._check_fitted()
        return {"params": self.get_params(), "parameter_names": list(PARAM_NAMES), "z": self.z_.tolist(),
                "ensemble_z": self.ensemble_z_.tolist(), "natural": self.params_,
                "n_observations": self.n_observations_}

    @classmethod
    def from_dict(cls, state: dict[str, Any]) -> NucleationGapModel:
        """Rebuild a fitted model from :meth:`to_dict` output."""
        if list(state.get("parameter_names", [])) != list(PARAM_NAMES):
            raise InputError("saved model has different parameters than this version of the gap model; retrain it")
        m = cls(**state["params"])
        m.z_ = np.asarray(state["z"], dtype=float)
        m.ensemble_z_ = np.asarray(state["ensemble_z"], dtype=float).reshape(-1, len(PARAMETERS))
        m.classes_ = CLASSES.copy()
        m.n_observations_ = dict(state.get("n_observations", {}))
        return m
