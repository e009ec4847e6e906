"""The nucleation-overpotential-gap model (a scikit-learn estimator). Physics in :mod:`screen.model.physics`,
likelihood and identifiability in :mod:`screen.model.likelihood`, parameters and priors in
:mod:`screen.model.parameters`, validation against baselines in :mod:`screen.model.validation`.

Li plates *under* the carbon when the nucleation overpotential at the surface facing the solid electrolyte (the
"top" site) exceeds the one at the site under the carbon (the "bottom" site) by more than the barrier for Li to
cross the lithiated carbon::

    margin = (eta_top - eta_bottom) - B                                   [mV]
    P(under carbon) = lapse / 2 + (1 - lapse) * sigmoid(margin / scale)

``lapse`` is the fraction of cells whose outcome the descriptors and stated conditions cannot explain (unreported
conditions, labels known second-hand); it keeps a confident model from being ruined by one conflicting paper.

**eta_metal** (mV), Li nucleation on the lithiated metal::

    A     = S_mutual * min(1, 2 * ec_limit) ** kappa                      alloying activity, 0..1
    eta_M = eta_floor + eta_inert * (1 - A) * (1 - c * P)

``S_mutual`` is the Li–M mutual-solubility score, ``ec_limit`` the Hume-Rothery electron-concentration limit of M in
bcc Li, ``P`` = 1 when Li–M intermediate phases are on the hull; ``metal = none`` is the bare collector
(``eta_floor + eta_inert``).

**eta_carbon** (mV), Li nucleation on lithiated carbon::

    eta_C = eta_floor + eta_amorphous * (1 - gamma * g)

``g`` is the graphitization index; ``gamma`` (fitted) is how much graphitic order lowers it. The source paper
argues graphite lets Li plate on top (gamma = 1); Spencer-Jolly 2023 saw Li under Ag–graphite and graphite layers;
the fit to both sets gamma (`interlayer calibrate` prints it).

**Top and bottom sites** by architecture: ``bilayer`` top = eta_C, bottom = eta_M; ``nanocomposite`` top =
A * eta_C + (1 - A) * min(eta_C, eta_M) (metal particles reach the electrolyte side), bottom = eta_M;
``carbon_under_metal`` top = eta_M, bottom = the collector; carbon-only ``single_layer`` top = eta_C, bottom =
the collector; without carbon there is nothing to plate under (margin and P are NaN).

**Barrier B** (mV), transport plus interfacial mechanics::

    B_transport = (beta_t * L * (1 - psi * A if nanocomposite) + R_i) * j * exp(Ea / k_B * (1/T - 1/T_ref))
    G_free      = G_100 * (P_fab / 100 MPa) ** m(d) * (d_ref / d) ** n,   m(d) = m * (1 + s' log10(d / d_ref))
    G           = 1 / (1 / G_free + 1 / G_coh)                             interfacial toughness, J/m2
    B_adhesion  = beta_a / (1 + G / G_c)
    B           = B_transport + B_adhesion
    j_crit      = max(gap - B_adhesion, 0) / (B_transport / j)            critical current, mA/cm2

``P_fab`` is the fabrication (lamination) pressure alone: stack pressure does not enter, because Lee 2020 saw no
change of the plating behaviour between 0 and 4 MPa stack pressure and no datum ties the location to it. ``d`` is the
carbon particle size (unknown -> 30 nm). The law is fitted to Liao 2025's carbon black (~30 nm) and 3 um hard carbon
at 100–400 MPa (their pressure exponents differ: carbon black rises about linearly, the hard carbon faster, hence
``m(d)``), with the bounds the paper gives (below 7 J/m2 unlaminated; at least 65, 16 and 18 J/m2 where the tape
or the layer failed first) as censored observations; ``G_coh`` (the layer's own cohesion) bounds it. ``j_crit`` is
the current at which the transport barrier closes the margin: where Li stops plating under the carbon. The transport
barrier has a bulk part (``beta_t``, per um of carbon) and an interface part (``R_i``, ohm cm2, Li entering and leaving
the lithiated carbon) that does not grow with thickness: the source paper's 100 nm carbon stops working at 1.1 mA/cm2
while Liao 2025's 13 um carbon plates Li underneath at 0.1 mA/cm2, which a barrier linear in thickness cannot both
reproduce. Both share the measured activation energy of Li jumps in C6Li (Ea = 0.27 eV, Umegaki 2017; a constant,
:data:`screen.model.parameters.SOURCED`). Measured critical currents of cells with carbon are fitted (log-normal,
a factor of 2); one known only as an interval ("stable at a, shorted at b") or a one-sided bound enters as
interval-censored: the probability that the measured current falls inside it.

**Fitting.** Maximum a posteriori over plating locations (Bernoulli; ``mixed`` = 0.5), voltage-dip presence
(P(dip) = sigmoid((eta_cell - 5 mV) / 1 mV)), numeric overpotentials (log-normal, 30 %), toughness (log-normal,
20 %; bounds censored), with log-normal or logit-normal priors on every parameter (:data:`PARAMETERS`). Only
anode-free sulfide cells are fitted. Unreported fabrication pressure and carbon thickness are marginalized over
the quantiles of what the *training* rows report (learned in ``fit``, so chosen inside every cross-validation fold;
``impute="fixed"`` restores v0's 50–500 MPa and 0.1–10 um). Each parameter's Laplace posterior width over its prior
width says whether the data inform it; above 0.8 it is reported as prior-set (``identifiability_``).

**Uncertainty.** A bootstrap ensemble: studies (the unit leave-one-study-out holds out; ``bootstrap_unit``) are
resampled with replacement and the MAP refitted ``n_bootstrap`` times; intervals are quantiles over the ensemble, point
values the fit to all records, except P(under carbon), which is the ensemble's mean (the predictive probability).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import balanced_accuracy_score

from descriptors.errors import InputError
from screen.model.likelihood import OBSERVABLES, encode_targets, fit_map, identifiability
from screen.model.parameters import PARAM_NAMES, PARAMETERS, PRIOR_CENTER, PRIOR_SIGMA, to_natural
from screen.model.physics import FAB_GRID_MPA, THICKNESS_GRID_NM, Design, design, learned_grid, terms

CLASSES = np.array(["above_carbon", "under_carbon"], dtype=object)


#: Per-row outputs of :meth:`NucleationGapModel.predict_terms` that carry intervals.
TERMS: tuple[str, ...] = ("eta_metal_mV", "eta_carbon_mV", "barrier_mV", "gap_mV", "margin_mV", "p_under_carbon",
                          "critical_current_mA_cm2", "toughness_J_m2")



def _observables(X: pd.DataFrame) -> np.ndarray:
    if "observable" in X.columns:
        return X["observable"].fillna("li_location").astype(str).to_numpy()
    return np.full(len(X), "li_location", dtype=object)



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
        impute: how unreported fabrication pressure and carbon thickness are marginalized: ``"training"`` (default)
            over the values the training rows report, learned in ``fit`` and so chosen inside every CV fold;
            ``"fixed"`` over the fixed ranges of model v0 (50-500 MPa, 0.1-10 um).
        prior_scale: multiplies every prior width (1: the documented priors).
        use_ec_limit: include the electron-concentration limit in the alloying activity (v0 did).
        n_jobs: processes for the bootstrap refits (joblib; -1: every core). The members do not depend on it.
        bootstrap_unit: what the bootstrap resamples: ``"study"`` (default; the ``study_id`` column, the unit the
            leave-one-study-out validation holds out) or ``"record"`` (each cell). Falls back to records without
            a ``study_id`` column.
    """

    def __init__(self, n_bootstrap: int = 32, interval: float = 0.9, random_state: int = 0, impute: str = "training",
                 prior_scale: float = 1.0, use_ec_limit: bool = True, n_jobs: int | None = None,
                 bootstrap_unit: str = "study") -> None:
        self.n_bootstrap = n_bootstrap
        self.interval = interval
        self.random_state = random_state
        self.impute = impute
        self.prior_scale = prior_scale
        self.use_ec_limit = use_ec_limit
        self.n_jobs = n_jobs
        self.bootstrap_unit = bootstrap_unit

    def design(self, X: pd.DataFrame) -> Design:
        """Design arrays of ``X`` with this model's marginalization grids (for the analyses that sweep parameters)."""
        if not self.use_ec_limit and "ec_limit_M_in_Li" in X.columns:
            X = X.assign(ec_limit_M_in_Li=0.5)  # min(1, 2 * 0.5) = 1: the factor drops out
        return design(X, self.fab_grid_, self.thickness_grid_)

    # sklearn API ---------------------------------------------------------------------------
    def fit(self, X: pd.DataFrame, y: Any, sample_weight: Any = None) -> NucleationGapModel:
        if not isinstance(X, pd.DataFrame):
            raise InputError("NucleationGapModel.fit needs a pandas DataFrame from CellFeaturizer")
        if len(X) != len(y):
            raise InputError(f"X has {len(X)} rows but y has {len(y)}")
        if not 0 < self.interval < 1 or int(self.n_bootstrap) < 0:
            raise InputError("interval must be in (0, 1) and n_bootstrap >= 0")
        if self.impute not in ("training", "fixed") or not self.prior_scale > 0:
            raise InputError("impute must be 'training' or 'fixed' and prior_scale positive")
        if self.bootstrap_unit not in ("study", "record"):
            raise InputError(f"bootstrap_unit must be 'study' or 'record', got {self.bootstrap_unit!r}")
        obs = _observables(X)
        yy = encode_targets(obs, y)
        w = np.ones(len(X)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        if self.impute == "training":
            self.fab_grid_ = learned_grid(X["fab_mpa"].to_numpy(float), FAB_GRID_MPA)
            self.thickness_grid_ = learned_grid(X.loc[np.asarray(X["has_carbon"], dtype=float) > 0, "carbon_nm"].to_numpy(float),
                                                THICKNESS_GRID_NM)
        else:
            self.fab_grid_, self.thickness_grid_ = FAB_GRID_MPA.copy(), THICKNESS_GRID_NM.copy()
        d = self.design(X)
        sigma = PRIOR_SIGMA * float(self.prior_scale)
        self.classes_ = CLASSES.copy()
        self.z_ = fit_map(d, obs, yy, w, PRIOR_CENTER.copy(), sigma)
        unit = "study_id" if self.bootstrap_unit == "study" and "study_id" in X.columns else "record_id"
        groups = X[unit].astype(str).to_numpy() if unit in X.columns else np.arange(len(X)).astype(str)
        uniq, inv = np.unique(groups, return_inverse=True)
        rng = np.random.default_rng(self.random_state)
        counts = [np.bincount(rng.integers(0, uniq.size, uniq.size), minlength=uniq.size) for _ in range(int(self.n_bootstrap))]
        from joblib import Parallel, delayed

        members = Parallel(n_jobs=self.n_jobs)(delayed(fit_map)(d, obs, yy, w * c[inv], self.z_, sigma) for c in counts)
        self.ensemble_z_ = np.array(members).reshape(-1, len(PARAMETERS))
        self.n_observations_ = {o: int(np.sum(obs == o)) for o in OBSERVABLES}
        self.identifiability_ = identifiability(self.z_, d, obs, yy, w, sigma, self.ensemble_z_)
        self.n_features_in_ = len(X.columns)
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """[P(above), P(under)] per row (the bootstrap ensemble's mean, :meth:`predict_terms`); NaN for cells with no carbon."""
        p = self.predict_terms(X)["p_under_carbon"].to_numpy(float)
        return np.column_stack([1.0 - p, p])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """``under_carbon`` / ``above_carbon``, or ``not_applicable`` for cells with no carbon."""
        p = self.predict_proba(X)[:, 1]
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
        return terms(self.params_, self.design(X))

    def predict_eta_cell(self, X: pd.DataFrame) -> np.ndarray:
        """Overpotential of the site where Li nucleates first in each cell (mV): what a voltage dip measures."""
        return self._point(X)["eta_cell_mV"]

    def predict_terms(self, X: pd.DataFrame) -> pd.DataFrame:
        """Every term per row with its interval: ``<term>``, ``<term>_lo``, ``<term>_hi``; plus toughness and site.

        Point values are the fit to all records, except ``p_under_carbon``: with an ensemble it is the members' mean,
        the bootstrap's predictive probability, which carries the spread of the parameters into P (a point fit would
        be as sure of a cell its data barely reach as of one they pin down).
        """
        self._check_fitted()
        d = self.design(X)
        point = terms(self.params_, d)
        out = pd.DataFrame({k: point[k] for k in TERMS}, index=X.index)
        if len(self.ensemble_z_):
            q = ((1 - self.interval) / 2, (1 + self.interval) / 2)
            stack = {k: np.empty((len(self.ensemble_z_), d.n)) for k in TERMS}
            for i, z in enumerate(self.ensemble_z_):
                t = terms(dict(zip(PARAM_NAMES, to_natural(z))), d)
                for k in TERMS:
                    stack[k][i] = t[k]
            point["p_under_carbon"] = stack["p_under_carbon"].mean(axis=0)
            out["p_under_carbon"] = point["p_under_carbon"]
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
                "n_observations": self.n_observations_, "fab_grid_MPa": self.fab_grid_.tolist(),
                "thickness_grid_nm": self.thickness_grid_.tolist(), "identifiability": self.identifiability_}

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
        m.fab_grid_ = np.asarray(state.get("fab_grid_MPa", FAB_GRID_MPA), dtype=float)
        m.thickness_grid_ = np.asarray(state.get("thickness_grid_nm", THICKNESS_GRID_NM), dtype=float)
        m.identifiability_ = list(state.get("identifiability", []))
        return m
