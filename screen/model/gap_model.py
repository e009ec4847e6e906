"""The nucleation-overpotential-gap model (a scikit-learn estimator). Physics in :mod:`screen.model.physics`,
likelihood and identifiability in :mod:`screen.model.likelihood`, parameters and priors in
:mod:`screen.model.parameters`, validation against baselines in :mod:`screen.model.validation`.

Li plates *under* the carbon when the nucleation overpotential at the surface facing the solid electrolyte (the
"top" site) exceeds the one at the site under the carbon (the "bottom" site) by more than the barrier for Li to
cross the lithiated carbon::

    margin = (eta_top - eta_bottom) - B + delta_lab                       [mV]
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
carbon particle size (unreported: marginalized; d_ref = 50 nm). The law is fitted to Liao 2025's carbon black (~30 nm) and 3 um hard carbon
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

**Lab effects.** Each study s shifts the margin by delta_s = tau * eps_s (mV), eps_s ~ Normal(0, 1), tau fitted
(half-normal prior, 10 mV). A prediction for a lab whose cells are in the fit (``study_id`` column) uses its own
delta_s; any other row is a new lab, whose delta is drawn from Normal(0, tau) with each posterior draw.

**Fitting.** The posterior of every parameter by NUTS (NumPyro; :mod:`screen.model.probabilistic` is the model,
:mod:`screen.model.inference` the sampler and its diagnostics) over plating locations (Bernoulli; ``mixed`` = 0.5),
voltage-dip presence (P(dip) = sigmoid((eta_cell - 5 mV) / 1 mV)), numeric overpotentials (log-normal, 30 %),
toughness (log-normal, 20 %; bounds censored) and critical currents (log-normal, a factor of 2; intervals censored),
with log-normal or logit-normal priors (:data:`PARAMETERS`, each with its reasoning). Only anode-free sulfide cells
are fitted. Unreported fabrication pressure, carbon thickness and carbon particle size are marginalized over the
quantiles of what the *training* rows report (learned in ``fit``, so chosen inside every cross-validation fold;
``impute="fixed"`` uses fixed ranges). The chains start near the MAP. Which parameters the data inform is reported
by power-scaling prior sensitivity and the posterior/prior width (:mod:`screen.model.prior_sensitivity`).

**Uncertainty.** ``n_draws`` thinned posterior draws serve every downstream number: intervals are quantiles over the
draws, P(under carbon) is their mean (the posterior predictive probability), point values are posterior medians.
With ``n_draws=0`` the model is the MAP alone (no intervals; for quick checks).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import balanced_accuracy_score

from descriptors.errors import InputError
from screen.model.likelihood import OBSERVABLES, Targets, fit_map
from screen.model.parameters import (
    PARAM_NAMES,
    PARAMETERS,
    PRIOR_CENTER,
    PRIOR_ONLY_MEDIAN,
    PRIOR_SIGMA,
    prior_only_draws,
    to_natural,
)
from screen.model.physics import (
    FAB_GRID_MPA,
    GRAPHITIZATION_FORMS,
    PARTICLE_GRID_NM,
    THICKNESS_GRID_NM,
    Design,
    design,
    graphitization_input,
    learned_grid,
    terms,
)

CLASSES = np.array(["above_carbon", "under_carbon"], dtype=object)
#: Rows per chunk of :meth:`NucleationGapModel.predict_terms` (128 draws x a chunk's expanded rows x 9 terms in memory).
PREDICT_CHUNK_ROWS = 2000


#: Seed of the prior-set parameters' draws: ``random_state`` plus this (the new lab's offsets use ``random_state + 1``).
PRIOR_ONLY_SEED_OFFSET = 2

#: Per-row outputs of :meth:`NucleationGapModel.predict_terms` that carry intervals.
TERMS: tuple[str, ...] = ("eta_metal_mV", "eta_carbon_mV", "barrier_mV", "gap_mV", "margin_mV", "p_under_carbon",
                          "critical_current_mA_cm2", "toughness_J_m2")


def _observables(X: pd.DataFrame) -> np.ndarray:
    if "observable" in X.columns:
        return X["observable"].fillna("li_location").astype(str).to_numpy()
    return np.full(len(X), "li_location", dtype=object)


def _study_ids(X: pd.DataFrame) -> np.ndarray:
    if "study_id" not in X.columns:
        return np.full(len(X), "", dtype=object)
    return X["study_id"].astype(object).where(X["study_id"].notna(), "").astype(str).to_numpy(dtype=object)


class NucleationGapModel(ClassifierMixin, BaseEstimator):  # type: ignore[misc]  # scikit-learn ships no type information
    """Nucleation-overpotential-gap classifier of the plating location (under / above the carbon), fitted by NUTS.

    Input ``X``: the output of :class:`screen.model.cells.CellFeaturizer` (descriptors plus cell conditions). For
    joint fitting, an ``observable`` column says what each row's target is (:data:`OBSERVABLES`; default
    ``li_location``) and a ``study_id`` column names the lab (study) of each row, which gets its own lab effect.
    ``y``: plating locations (``under_carbon``, ``above_carbon``, ``mixed``) or, per observable, dip yes/no,
    overpotential in mV, toughness in J/m2, critical current in mA/cm2 or a (lower, upper) interval.

    Args:
        n_draws: thinned posterior draws kept for every downstream number (0: the MAP alone, no sampling).
        num_chains: NUTS chains.
        num_warmup: NUTS warm-up (adaptation) iterations per chain.
        num_samples: NUTS sampling iterations per chain (after warm-up; ``n_draws`` are thinned from them).
        target_accept: NUTS target acceptance probability.
        dense_mass: adapt a dense mass matrix (the parameters are correlated along ridges).
        lab_effects: fit a hierarchical offset per study on the margin.
        interval: central probability of the reported intervals.
        random_state: seed of the sampler and of a new lab's offsets.
        impute: how unreported fabrication pressure, carbon thickness and particle size are marginalized:
            ``"training"`` (default) over the values the training rows report, learned in ``fit`` and so chosen
            inside every CV fold; ``"fixed"`` over fixed ranges.
        prior_scale: multiplies every prior width (1: the documented priors).
        use_ec_limit: include the electron-concentration limit in the alloying activity.
        graphitization_form: how the carbon's graphitization enters its overpotential (:data:`GRAPHITIZATION_FORMS`):
            ``"index"`` the graphitization index (0..1) itself, ``"two_class"`` graphitic (index >= 0.5) or not,
            ``"off"`` not at all; ``"select"`` fits each and keeps the one with the best PSIS-LOO expected log
            predictive density on the training data (:mod:`screen.model.selection`), so a cross-validation selects
            it inside every training fold. The fitted form is ``graphitization_form_``.
    """

    def __init__(self, n_draws: int = 128, num_chains: int = 4, num_warmup: int = 1000, num_samples: int = 1000,
                 target_accept: float = 0.99, dense_mass: bool = True, lab_effects: bool = True, interval: float = 0.9,
                 random_state: int = 0, impute: str = "training", prior_scale: float = 1.0, use_ec_limit: bool = True,
                 graphitization_form: str = "index") -> None:
        self.n_draws = n_draws
        self.num_chains = num_chains
        self.num_warmup = num_warmup
        self.num_samples = num_samples
        self.target_accept = target_accept
        self.dense_mass = dense_mass
        self.lab_effects = lab_effects
        self.interval = interval
        self.random_state = random_state
        self.impute = impute
        self.prior_scale = prior_scale
        self.use_ec_limit = use_ec_limit
        self.graphitization_form = graphitization_form

    def graphitization_input(self, index: Any) -> np.ndarray:
        """What the carbon overpotential reads for carbons of graphitization ``index`` under the fitted form (under
        the ``graphitization_form`` setting before fitting)."""
        return graphitization_input(index, getattr(self, "graphitization_form_", self.graphitization_form))

    def design(self, X: pd.DataFrame) -> Design:
        """Design arrays of ``X`` with this model's marginalization grids (for the analyses that sweep parameters)."""
        if not self.use_ec_limit and "ec_limit_M_in_Li" in X.columns:
            X = X.assign(ec_limit_M_in_Li=0.5)  # min(1, 2 * 0.5) = 1: the factor drops out
        if "graphitization_index" in X.columns:
            X = X.assign(graphitization_index=self.graphitization_input(X["graphitization_index"]))
        return design(X, self.fab_grid_, self.thickness_grid_, self.particle_grid_)

    # sklearn API ---------------------------------------------------------------------------
    def _check_settings(self) -> None:
        if not 0 < self.interval < 1 or int(self.n_draws) < 0:
            raise InputError("interval must be in (0, 1) and n_draws >= 0")
        if self.impute not in ("training", "fixed") or not self.prior_scale > 0:
            raise InputError("impute must be 'training' or 'fixed' and prior_scale positive")
        if self.graphitization_form not in (*GRAPHITIZATION_FORMS, "select"):
            raise InputError(f"graphitization_form must be one of {', '.join(GRAPHITIZATION_FORMS)} or select, "
                             f"got '{self.graphitization_form}'")
        if min(int(self.num_chains), int(self.num_samples)) < 1 or int(self.num_warmup) < 0 or not 0 < self.target_accept < 1:
            raise InputError("num_chains and num_samples must be >= 1, num_warmup >= 0 and target_accept in (0, 1)")

    def _learn_grids(self, X: pd.DataFrame) -> None:
        if self.impute == "training":
            carbon = np.asarray(X["has_carbon"], dtype=float) > 0
            self.fab_grid_ = learned_grid(X["fab_mpa"].to_numpy(float), FAB_GRID_MPA)
            self.thickness_grid_ = learned_grid(X.loc[carbon, "carbon_nm"].to_numpy(float), THICKNESS_GRID_NM)
            self.particle_grid_ = learned_grid(X.loc[carbon, "carbon_particle_nm"].to_numpy(float), PARTICLE_GRID_NM)
        else:
            self.fab_grid_, self.thickness_grid_ = FAB_GRID_MPA.copy(), THICKNESS_GRID_NM.copy()
            self.particle_grid_ = PARTICLE_GRID_NM.copy()

    def model_data(self, X: pd.DataFrame, y: Any, sample_weight: Any = None) -> Any:
        """What the NumPyro model conditions on (:class:`~screen.model.probabilistic.ModelData`): learns the
        marginalization grids and the studies (``studies_``) from ``X``."""
        from screen.model.probabilistic import ModelData

        tg = Targets.encode(_observables(X), y, None if sample_weight is None else np.asarray(sample_weight, dtype=float))
        self._learn_grids(X)
        sid = _study_ids(X)
        self.studies_ = tuple(sorted({s for s in sid if s})) if self.lab_effects else ()
        index = {s: i for i, s in enumerate(self.studies_)}
        return ModelData.build(self.design(X), tg, np.array([index.get(s, -1) for s in sid]), self.studies_,
                               PRIOR_SIGMA * float(self.prior_scale), bool(self.studies_))

    def sampler_settings(self) -> Any:
        """This model's NUTS settings (:class:`~screen.model.inference.SamplerSettings`)."""
        from screen.model.inference import SamplerSettings

        return SamplerSettings(num_chains=int(self.num_chains), num_warmup=int(self.num_warmup), num_samples=int(self.num_samples),
                               target_accept=float(self.target_accept), seed=int(self.random_state), dense_mass=bool(self.dense_mass))

    def fit(self, X: pd.DataFrame, y: Any, sample_weight: Any = None) -> NucleationGapModel:
        if not isinstance(X, pd.DataFrame):
            raise InputError("NucleationGapModel.fit needs a pandas DataFrame from CellFeaturizer")
        if len(X) != len(y):
            raise InputError(f"X has {len(X)} rows but y has {len(y)}")
        self._check_settings()
        if self.graphitization_form == "select":
            from screen.model.selection import select_graphitization_form

            select_graphitization_form(self, X, y, sample_weight)
            return self
        self.graphitization_form_ = self.graphitization_form
        data = self.model_data(X, y, sample_weight)
        self.classes_ = CLASSES.copy()
        self.z_map_ = fit_map(data.design, data.targets, PRIOR_CENTER.copy(), data.prior_sigma)
        obs = data.structure.observable
        self.n_observations_ = {o: int(np.sum(obs == o)) for o in OBSERVABLES}
        self.n_features_in_ = len(X.columns)
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        if int(self.n_draws) == 0:
            self.z_, self.draws_z_ = self.z_map_.copy(), np.empty((0, len(PARAMETERS)))
            self.lab_offset_mV_ = np.empty((0, len(self.studies_)))
            self.lab_scale_mV_ = self.new_lab_offset_mV_ = np.empty(0)
            self.diagnostics_, self.identifiability_, self.idata_ = {}, [], None
            return self
        from screen.model.inference import run_nuts
        from screen.model.prior_sensitivity import parameter_report

        post = run_nuts(data, self.z_map_, self.sampler_settings(), int(self.n_draws))
        self.idata_ = post.idata
        self.diagnostics_ = post.diagnostics
        self.draws_z_ = post.z
        self.lab_scale_mV_, self.lab_offset_mV_, self.new_lab_offset_mV_ = post.lab_scale_mV, post.lab_offset_mV, post.new_lab_offset_mV
        self.z_ = np.median(np.asarray(post.idata.posterior["z"]).reshape(-1, len(PARAMETERS)), axis=0)
        self.identifiability_ = parameter_report(post.idata, data.prior_sigma, float(self.interval))
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """[P(above), P(under)] per row (the posterior draws' mean, :meth:`predict_terms`); NaN for cells with no carbon."""
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
        """Point parameters in natural units: posterior medians (the MAP when fitted with ``n_draws=0``)."""
        self._check_fitted()
        return {k: float(v) for k, v in zip(PARAM_NAMES, to_natural(self.z_))} | PRIOR_ONLY_MEDIAN

    def _check_fitted(self) -> None:
        if not hasattr(self, "z_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("NucleationGapModel is not fitted; call fit() or load a registered model")

    def draw_theta(self) -> dict[str, np.ndarray]:
        """Every posterior draw's parameters in natural units, as ``(n_draws, 1)`` columns (empty without draws)."""
        self._check_fitted()
        natural = to_natural(self.draws_z_) if len(self.draws_z_) else np.empty((0, len(PARAM_NAMES)))
        prior = prior_only_draws(len(natural), int(self.random_state) + PRIOR_ONLY_SEED_OFFSET)
        return {name: natural[:, k:k + 1] for k, name in enumerate(PARAM_NAMES)} | {k: v[:, None] for k, v in prior.items()}

    def lab_offsets(self, study_ids: Any = None, n: int = 1) -> np.ndarray:
        """Each draw's lab offset (mV) for ``n`` rows, shape ``(n_draws, n)``: a fitted study's own offset, or a new
        lab's (drawn from the fitted spread) for an unknown or empty study id."""
        self._check_fitted()
        ids = np.full(n, "", dtype=object) if study_ids is None else np.asarray(study_ids, dtype=object).reshape(-1)
        out = np.repeat(self.new_lab_offset_mV_[:, None], ids.size, axis=1)
        for k, s in enumerate(self.studies_):
            out[:, ids == s] = self.lab_offset_mV_[:, k:k + 1]
        return out

    def check_study_id(self, study_id: str) -> None:
        """Raise a one-line error unless ``study_id`` is a study whose cells are in the fit."""
        self._check_fitted()
        if study_id not in self.studies_:
            known = ", ".join(self.studies_) or "none (fitted without lab effects)"
            raise InputError(f"study id '{study_id}' has no fitted lab effect in this model (known: {known})")

    def _point(self, X: pd.DataFrame) -> dict[str, np.ndarray]:
        self._check_fitted()
        return terms(self.params_, self.design(X))

    def predict_eta_cell(self, X: pd.DataFrame) -> np.ndarray:
        """Overpotential of the site where Li nucleates first in each cell (mV): what a voltage dip measures."""
        return self._point(X)["eta_cell_mV"]

    def draw_terms(self, X: pd.DataFrame) -> dict[str, np.ndarray]:
        """Every term per posterior draw and row, ``(n_draws, n_rows)``, with each row's lab offset (its own study's
        when the row's ``study_id`` is in the fit, a new lab's otherwise)."""
        d = self.design(X)
        offsets = self.lab_offsets(_study_ids(X), len(X))[:, d.row]
        return terms(self.draw_theta(), d, offsets)

    def point_offsets(self, study_ids: Any = None, n: int = 1) -> np.ndarray:
        """The lab offset (mV) of the point prediction per row: the median of a fitted study's offset draws, 0 for a
        new lab (the centre of its spread)."""
        ids = np.full(n, "", dtype=object) if study_ids is None else np.asarray(study_ids, dtype=object).reshape(-1)
        out = np.zeros(ids.size)
        if len(self.draws_z_):
            for k, s in enumerate(self.studies_):
                out[ids == s] = float(np.median(self.lab_offset_mV_[:, k]))
        return out

    def predict_terms(self, X: pd.DataFrame) -> pd.DataFrame:
        """Every term per row with its interval: ``<term>``, ``<term>_lo``, ``<term>_hi``; plus the plating site.

        Point values are the terms at the point parameters (posterior medians) and the row's point lab offset, except
        ``p_under_carbon``, which is the draws' mean (the posterior predictive probability); intervals are the draws'
        central :attr:`interval`, widened to hold the point value. Without draws: the MAP, no interval.
        """
        self._check_fitted()
        if len(X) > PREDICT_CHUNK_ROWS:  # bounded memory: draws x expanded rows x terms per chunk
            return pd.concat([self.predict_terms(X.iloc[i:i + PREDICT_CHUNK_ROWS])
                              for i in range(0, len(X), PREDICT_CHUNK_ROWS)])
        d = self.design(X)
        ids = _study_ids(X)
        point = terms(self.params_, d, self.point_offsets(ids, len(X))[d.row])
        out = pd.DataFrame({k: point[k] for k in TERMS}, index=X.index)
        if len(self.draws_z_):
            stack = terms(self.draw_theta(), d, self.lab_offsets(ids, len(X))[:, d.row])
            q = ((1 - self.interval) / 2, (1 + self.interval) / 2)
            out["p_under_carbon"] = point["p_under_carbon"] = stack["p_under_carbon"].mean(axis=0)
            for k in TERMS:
                # a row is NaN in every draw or in none (no carbon layer), so the plain quantile is exact
                lo, hi = np.quantile(stack[k], q, axis=0)
                out[f"{k}_lo"], out[f"{k}_hi"] = np.fmin(lo, point[k]), np.fmax(hi, point[k])
        else:
            for k in TERMS:
                out[f"{k}_lo"], out[f"{k}_hi"] = point[k], point[k]
        p = out["p_under_carbon"].to_numpy(float)
        has_m = np.asarray(X["has_metal"], dtype=float) > 0
        out["plating_site"] = np.where(np.isnan(p), np.where(has_m, "on_metal", "on_collector"),
                                       np.where(p >= 0.5, "under_carbon", "above_carbon"))
        return out

    # serialisation -------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON-able state: settings, point and MAP parameters (transformed space), the thinned posterior draws with
        their lab offsets, diagnostics and the parameter report (the full sample is :attr:`idata_`, stored apart)."""
        self._check_fitted()
        return {"params": self.get_params(), "parameter_names": list(PARAM_NAMES), "z": self.z_.tolist(),
                "z_map": self.z_map_.tolist(), "draws_z": self.draws_z_.tolist(), "studies": list(self.studies_),
                "lab_offset_mV": self.lab_offset_mV_.tolist(), "lab_scale_mV": self.lab_scale_mV_.tolist(),
                "new_lab_offset_mV": self.new_lab_offset_mV_.tolist(), "natural": self.params_,
                "n_observations": self.n_observations_, "fab_grid_MPa": self.fab_grid_.tolist(),
                "thickness_grid_nm": self.thickness_grid_.tolist(), "particle_grid_nm": self.particle_grid_.tolist(),
                "diagnostics": self.diagnostics_, "identifiability": self.identifiability_,
                "graphitization_form": self.graphitization_form_, "form_selection": getattr(self, "form_selection_", [])}

    @classmethod
    def from_dict(cls, state: dict[str, Any]) -> NucleationGapModel:
        """Rebuild a fitted model from :meth:`to_dict` output."""
        if list(state.get("parameter_names", [])) != list(PARAM_NAMES) or "draws_z" not in state:
            raise InputError("saved model has different parameters than this version of the gap model; retrain it")
        m = cls(**state["params"])
        k = len(PARAMETERS)
        m.z_, m.z_map_ = np.asarray(state["z"], dtype=float), np.asarray(state["z_map"], dtype=float)
        m.draws_z_ = np.asarray(state["draws_z"], dtype=float).reshape(-1, k)
        m.studies_ = tuple(state.get("studies", []))
        m.lab_offset_mV_ = np.asarray(state["lab_offset_mV"], dtype=float).reshape(len(m.draws_z_), len(m.studies_))
        m.lab_scale_mV_ = np.asarray(state["lab_scale_mV"], dtype=float)
        m.new_lab_offset_mV_ = np.asarray(state["new_lab_offset_mV"], dtype=float)
        m.classes_ = CLASSES.copy()
        m.n_observations_ = dict(state.get("n_observations", {}))
        m.fab_grid_ = np.asarray(state["fab_grid_MPa"], dtype=float)
        m.thickness_grid_ = np.asarray(state["thickness_grid_nm"], dtype=float)
        m.particle_grid_ = np.asarray(state["particle_grid_nm"], dtype=float)
        m.diagnostics_ = dict(state.get("diagnostics", {}))
        m.identifiability_ = list(state.get("identifiability", []))
        m.graphitization_form_ = state.get("graphitization_form", m.graphitization_form)
        if m.graphitization_form_ not in GRAPHITIZATION_FORMS:
            raise InputError(f"saved model names an unknown graphitization form '{m.graphitization_form_}'; retrain it")
        m.form_selection_ = list(state.get("form_selection", []))
        m.idata_ = None
        return m
