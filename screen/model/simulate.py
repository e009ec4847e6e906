"""Data simulated from the gap model, and simulation-based calibration (SBC) of its inference.

:func:`simulate` draws every observable of a design from the model's own measurement models, given parameters and
lab offsets; :func:`prior_draw` draws those from the priors. SBC (Talts et al. 2018, arXiv:1804.06788) fits data sets
simulated from the prior at the corpus' own design: if the sampler and the model agree, the rank of each true
parameter among its posterior draws is uniform. In the simulated sets a censored observation (a toughness bound, a
critical-current interval) becomes an exact one of the same quantity, and a ``mixed`` location a plain Bernoulli draw:
the simulated design keeps every row and its conditions, not its censoring.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from screen.model.likelihood import DETECT_MV, DETECT_SCALE_MV, SIGMA_LOG_CCD, SIGMA_LOG_ETA, SIGMA_LOG_TOUGHNESS, Targets
from screen.model.parameters import LAB_SCALE_PRIOR_MV, PARAM_NAMES, PRIOR_CENTER, to_natural
from screen.model.physics import sigmoid, terms

#: Observable of a simulated row for each observed one (censored bounds become exact values of the same quantity).
EXACT_OBSERVABLE = {"toughness_lower_J_m2": "toughness_J_m2", "toughness_upper_J_m2": "toughness_J_m2"}
#: What each observable measures (the term of :func:`screen.model.physics.terms`) and its log-normal width.
_LOG_NORMAL = {"eta_mV": ("eta_cell_mV", SIGMA_LOG_ETA), "toughness_J_m2": ("toughness_J_m2", SIGMA_LOG_TOUGHNESS),
               "ccd_mA_cm2": ("critical_current_mA_cm2", SIGMA_LOG_CCD)}


def prior_draw(rng: np.random.Generator, prior_sigma: np.ndarray, n_studies: int) -> tuple[np.ndarray, float, np.ndarray]:
    """(z, lab_scale_mV, lab_offset_mV per study) drawn from the priors."""
    z = PRIOR_CENTER + prior_sigma * rng.standard_normal(len(PRIOR_CENTER))
    tau = abs(LAB_SCALE_PRIOR_MV * rng.standard_normal())
    return z, float(tau), tau * rng.standard_normal(n_studies)


def exact_structure(data: Any) -> Any:
    """The :class:`~screen.model.probabilistic.ModelData` of ``data``'s design with every row an exact observation
    (bounds -> values of the same quantity); values are placeholders until :func:`simulate` fills them."""
    from screen.model.probabilistic import ModelData

    st = data.structure
    obs = np.array([EXACT_OBSERVABLE.get(o, o) for o in st.observable], dtype=object)
    ones = np.ones(len(obs))
    tg = Targets(obs, np.ones(len(obs), dtype=bool), ones, ones, np.asarray(data.weight, dtype=float))
    return ModelData.build(st.design, tg, st.study_index, st.studies, st.prior_sigma, st.lab_effects)


def simulate(data: Any, z: np.ndarray, lab_offset_mV: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One simulated value per row of an all-exact ``data`` (:func:`exact_structure`): locations and dips as 0/1,
    overpotentials (mV), toughness (J/m2) and critical currents (mA/cm2) log-normal about the model's terms."""
    from screen.model.probabilistic import row_offsets

    st = data.structure
    theta = dict(zip(PARAM_NAMES, to_natural(z)))
    offset = row_offsets(np.asarray(lab_offset_mV, dtype=float), st.study_index[st.design.row]) if len(st.studies) else 0.0
    t = terms(theta, st.design, offset)
    out = np.full(len(st.observable), np.nan)
    for i, o in enumerate(st.observable):
        if o == "li_location":
            out[i] = float(rng.random() < t["p_under_carbon"][i])
        elif o == "nucleation_dip":
            out[i] = float(rng.random() < sigmoid((t["eta_cell_mV"][i] - DETECT_MV) / DETECT_SCALE_MV))
        else:
            key, sigma = _LOG_NORMAL[o]
            out[i] = max(float(t[key][i]), 1e-9) * float(np.exp(sigma * rng.standard_normal()))
    return out


def sbc_ranks(data: Any, settings: Any, n_sims: int, n_draws: int = 99, seed: int = 0, progress: bool = False,
              first: int = 0) -> pd.DataFrame:
    """Simulation-based calibration at ``data``'s design: for simulations ``first .. first + n_sims - 1`` (each with its
    own random stream, so a run can be split into chunks), draw parameters from the priors, simulate a data set,
    sample its posterior with ``settings`` and record the rank of every true parameter among ``n_draws`` thinned
    draws (0..n_draws). One row per simulation and quantity, with the fit's diagnostics."""
    from screen.model.inference import run_nuts
    from screen.model.likelihood import fit_map

    exact = exact_structure(data)
    rows = []
    sims: Iterable[int] = range(first, first + n_sims)
    if progress:
        from tqdm.auto import tqdm

        sims = tqdm(sims, desc="SBC", unit="fit", leave=False, disable=None)
    for s in sims:
        rng = np.random.default_rng([seed, s])
        z, tau, offsets = prior_draw(rng, exact.prior_sigma, len(exact.studies))
        y = simulate(exact, z, offsets, rng)
        sim = exact.with_values(y, y)
        z0 = fit_map(sim.design, sim.targets, PRIOR_CENTER.copy(), sim.prior_sigma)
        post = run_nuts(sim, z0, replace(settings, seed=seed + 1000 + s), n_draws)
        truth = {**dict(zip(PARAM_NAMES, z)), "lab_scale_mV": tau}
        draws = {**{n: post.z[:, k] for k, n in enumerate(PARAM_NAMES)}, "lab_scale_mV": post.lab_scale_mV}
        for name, value in truth.items():
            rows.append({"simulation": s, "parameter": name, "rank": int(np.sum(draws[name] < value)),
                         "n_draws": int(draws[name].size), "diverging": post.diagnostics["divergences"],
                         "r_hat_max": post.diagnostics["r_hat_max"]})
    return pd.DataFrame(rows)


def uniformity(ranks: pd.DataFrame, bins: int = 5) -> pd.DataFrame:
    """Chi-square test of uniform ranks per parameter (``bins`` equal bins of the rank range): p-value per parameter."""
    from scipy.stats import chisquare

    rows = []
    for name, g in ranks.groupby("parameter", sort=False):
        top = int(g["n_draws"].iloc[0]) + 1
        counts = np.bincount(np.minimum(g["rank"].to_numpy() * bins // top, bins - 1), minlength=bins)
        rows.append({"parameter": name, "n_simulations": int(len(g)), "counts": counts.tolist(),
                     "chi2_p_value": float(chisquare(counts).pvalue)})
    return pd.DataFrame(rows)
