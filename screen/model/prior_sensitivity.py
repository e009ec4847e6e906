"""Which parameters the data inform: power-scaling prior sensitivity and the posterior/prior width of each parameter.

Power-scaling (Kallioinen et al., Stat. Comput. 34, 57 (2024), doi:10.1007/s11222-023-10366-5) raises the prior to
a power alpha and reweights the posterior draws by p(theta)^(alpha - 1) (Pareto-smoothed importance weights); the
cumulative Jensen-Shannon distance between the reweighted and the plain marginal of a parameter, divided by
|log2 alpha|, says how much its posterior follows the prior. With the width ratio beside it, each parameter is
``data-informed``, ``prior-sensitive`` (the data move it, the prior still shapes it) or ``prior-set`` (the data barely
narrow the prior; its full prior uncertainty then reaches every interval and rank through the posterior draws).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from screen.model.parameters import LAB_SCALE_PRIOR_MV, PARAMETERS, PRIOR_CENTER, SOURCED, to_natural

#: Prior powers of the sensitivity check (the v3 specification).
POWERS = (0.8, 1.25)
#: Above this power-scaling sensitivity a parameter is called prior-sensitive (priorsense's default threshold).
SENSITIVITY_THRESHOLD = 0.05
#: A parameter whose posterior width is above this fraction of its prior width is called prior-set.
PRIOR_SET_RATIO = 0.8


def cjs_distance(x: np.ndarray, w: np.ndarray) -> float:
    """Cumulative Jensen-Shannon distance (0..1) between the ECDF of draws ``x`` and their ECDF under weights ``w``."""
    order = np.argsort(x)
    xs, ws = x[order], w[order] / w.sum()
    p = np.arange(1, xs.size + 1) / xs.size
    q = np.cumsum(ws)
    dx = np.diff(xs)
    p, q = p[:-1], q[:-1]
    m = 0.5 * (p + q)

    def part(a: np.ndarray) -> float:
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(a > 0, a * np.log2(a / m), 0.0)
        return float(np.sum(dx * (t + (m - a) / np.log(2.0))))

    bound = float(np.sum(dx * (p + q)))
    if bound <= 0:
        return 0.0
    return float(np.sqrt(max(0.5 * (part(p) + part(q)) / bound, 0.0)))


def _log_prior(z: np.ndarray, tau: np.ndarray | None, lab_z: np.ndarray | None, prior_sigma: np.ndarray) -> np.ndarray:
    lp: np.ndarray = -0.5 * np.sum(((z - PRIOR_CENTER) / prior_sigma) ** 2, axis=-1)
    if tau is not None and lab_z is not None:  # the lab effects come together with their spread
        lp = lp - 0.5 * (tau / LAB_SCALE_PRIOR_MV) ** 2 - 0.5 * np.sum(lab_z**2, axis=-1)
    return lp


def parameter_report(idata: Any, prior_sigma: np.ndarray, interval: float = 0.9) -> list[dict[str, Any]]:
    """One row per physics parameter (and the lab-effect spread, and each source-set constant): posterior median and
    interval in natural units, posterior/prior width, power-scaling sensitivity, status and the prior's reasoning."""
    from screen.model.inference import import_arviz

    az = import_arviz()
    post = idata.posterior
    z = np.asarray(post["z"]).reshape(-1, len(PARAMETERS))
    tau = np.asarray(post["lab_scale_mV"]).reshape(-1) if "lab_scale_mV" in post else None
    lab_z = np.asarray(post["lab_z"]).reshape(z.shape[0], -1) if tau is not None else None
    lp = _log_prior(z, tau, lab_z, prior_sigma)
    weights = {}
    for alpha in POWERS:
        lw, _ = az.psislw((alpha - 1.0) * (lp - lp.max()))
        weights[alpha] = np.exp(np.asarray(lw) - np.max(lw))
    q = ((1 - interval) / 2, 0.5, (1 + interval) / 2)
    rows: list[dict[str, Any]] = []
    # (name, unit, draws, prior sd, the prior's reasoning, draw -> natural units)
    columns: list[tuple[str, str, np.ndarray, float, str, Callable[[float], float]]] = [
        (p.name, p.unit, z[:, k], float(prior_sigma[k]), p.prior_reason, partial(to_natural_one, k=k))
        for k, p in enumerate(PARAMETERS)]
    if tau is not None:
        columns.append(("lab_scale_mV", "mV", tau, LAB_SCALE_PRIOR_MV * np.sqrt(1 - 2 / np.pi),
                        f"HalfNormal({LAB_SCALE_PRIOR_MV:g} mV): about two sigmoid widths", lambda v: v))
    for name, unit, x, prior_sd, reason, natural in columns:
        sens = max(cjs_distance(x, weights[a]) / abs(np.log2(a)) for a in POWERS)
        ratio = float(np.std(x) / prior_sd)
        lo, med, hi = (float(natural(v)) for v in np.quantile(x, q))
        status = ("prior-set" if ratio > PRIOR_SET_RATIO else
                  "prior-sensitive" if sens > SENSITIVITY_THRESHOLD else "data-informed")
        rows.append({"parameter": name, "unit": unit, "value": med, "lo": lo, "hi": hi,
                     "posterior_over_prior_width": ratio, "prior_sensitivity": float(sens), "status": status,
                     "prior": reason})
    for c in SOURCED:
        rows.append({"parameter": c.name, "unit": c.unit, "value": c.value, "lo": None, "hi": None,
                     "posterior_over_prior_width": None, "prior_sensitivity": None,
                     "status": f"source-set ({c.source})", "prior": c.citation})
    return rows


def to_natural_one(v: float, k: int) -> float:
    """Parameter ``k`` from the transformed space to natural units."""
    z = PRIOR_CENTER.copy()
    z[k] = v
    return float(to_natural(z)[k])
