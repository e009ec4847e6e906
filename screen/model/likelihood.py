"""The likelihood of the gap model: target encoding, the measurement model of every observable (Bernoulli locations
and dips, log-normal overpotentials, toughness and critical currents, censored toughness bounds and critical-current
intervals), written once for NumPy and JAX, and the MAP fit that starts the sampler."""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

from descriptors.errors import InputError
from screen.model.parameters import PARAM_NAMES, PRIOR_CENTER, PRIOR_SIGMA, to_natural
from screen.model.physics import Design, sigmoid, terms

DETECT_MV = 5.0
DETECT_SCALE_MV = 1.0
SIGMA_LOG_ETA = 0.3
SIGMA_LOG_TOUGHNESS = 0.2
#: Log-normal width of a measured critical current: a factor of 2, fixed in advance (a CCD is read at a step of a current
#: staircase, and step sizes and pre-plated capacities differ between papers), not tuned on the labels (a factor of 3
#: was tried afterwards: LOSO log-loss of the point fit 0.765 against 0.767).
SIGMA_LOG_CCD = math.log(2.0)
OBSERVABLES: tuple[str, ...] = ("li_location", "nucleation_dip", "eta_mV", "toughness_J_m2", "toughness_lower_J_m2",
                                "toughness_upper_J_m2", "ccd_mA_cm2")
LOCATION_VALUES = {"under_carbon": 1.0, "above_carbon": 0.0, "mixed": 0.5}


def object_array(values: Any) -> np.ndarray:
    """A 1-D object array of ``values`` that keeps (lower, upper) tuples as single elements."""
    if isinstance(values, np.ndarray) and values.ndim == 1 and values.dtype == object:
        return values
    seq = list(values)
    out = np.empty(len(seq), dtype=object)
    for i, v in enumerate(seq):
        out[i] = v
    return out


def _bound(v: Any) -> float:
    """One end of a censoring interval: a positive number, or NaN (unbounded) for None / NaN / empty."""
    if v is None or (isinstance(v, str) and v.strip() == ""):
        return math.nan
    return float(v)


def encode_targets(observable: np.ndarray, y: Any) -> np.ndarray:
    """Numeric targets, shape (n, 2): the value, or the lower and upper ends of a censoring interval.

    Locations 1/0.5/0, dips 1/0, eta in mV, toughness in J/m2 and critical currents in mA/cm2 are exact (both columns
    equal). A critical current given as ``(lower, upper)`` ("stable at lower, shorted at upper"; either end may be None
    for a one-sided bound) is interval-censored: column 0 is the lower end (0 when unbounded), column 1 the upper end
    (inf when unbounded). A toughness bound has its own observable (``toughness_lower_J_m2`` / ``toughness_upper_J_m2``).
    """
    y = object_array(y)
    out = np.full((len(y), 2), np.nan)
    for i, (obs, v) in enumerate(zip(observable, y)):
        if obs == "li_location":
            if isinstance(v, str):
                if v not in LOCATION_VALUES:
                    raise InputError(f"row {i + 1}: li_location '{v}' is not one of {', '.join(LOCATION_VALUES)}")
                out[i] = LOCATION_VALUES[v]
            else:
                out[i] = float(v)
                if out[i, 0] not in (0.0, 0.5, 1.0):
                    raise InputError(f"row {i + 1}: numeric li_location must be 0, 0.5 or 1, got {v}")
        elif obs == "nucleation_dip":
            out[i] = {"yes": 1.0, "no": 0.0}.get(v, v) if isinstance(v, str) else float(v)
            if out[i, 0] not in (0.0, 1.0):
                raise InputError(f"row {i + 1}: nucleation_dip must be yes/no, got {v}")
        elif obs == "ccd_mA_cm2" and isinstance(v, tuple | list):
            if len(v) != 2:
                raise InputError(f"row {i + 1}: a critical-current interval needs (lower, upper), got {v}")
            lo, hi = _bound(v[0]), _bound(v[1])
            if math.isnan(lo) and math.isnan(hi):
                raise InputError(f"row {i + 1}: a critical-current interval needs at least one end")
            lo, hi = (0.0 if math.isnan(lo) else lo), (math.inf if math.isnan(hi) else hi)
            if not (lo >= 0 and hi > lo):
                raise InputError(f"row {i + 1}: critical-current interval must have 0 <= lower < upper, got ({v[0]}, {v[1]})")
            out[i] = (lo, hi)
        elif obs in ("eta_mV", "toughness_J_m2", "toughness_lower_J_m2", "toughness_upper_J_m2", "ccd_mA_cm2"):
            out[i] = float(v)
            if not (math.isfinite(out[i, 0]) and out[i, 0] > 0):
                raise InputError(f"row {i + 1}: {obs} must be a positive number, got {v}")
        else:
            raise InputError(f"row {i + 1}: unknown observable '{obs}' (allowed: {', '.join(OBSERVABLES)})")
    return out


@dataclass(frozen=True)
class Targets:
    """Encoded observations, split by measurement model.

    ``observable`` and ``exact`` (whether a row is a value rather than a censoring interval) are structure: numpy,
    fixed when the targets are encoded. ``value``/``upper`` (:func:`encode_targets`' two columns, an interval's ends
    for censored rows, the log-normal's open end replaced by a finite stand-in) and ``weight`` are data: the sampler
    may trace them, so a refit on new values of the same structure reuses the compiled sampler.
    """

    observable: np.ndarray
    exact: np.ndarray
    value: Any
    upper: Any
    weight: Any

    @classmethod
    def encode(cls, observable: np.ndarray, y: Any, weight: np.ndarray | None = None) -> Targets:
        yy = encode_targets(observable, y)
        w = np.ones(len(yy)) if weight is None else np.asarray(weight, dtype=float)
        return cls(np.asarray(observable, dtype=object), yy[:, 0] == yy[:, 1], yy[:, 0], yy[:, 1], w)

    def mask(self, observable: str, exact: bool | None = None) -> np.ndarray:
        m: np.ndarray = self.observable == observable
        if exact is not None:
            m = m & (self.exact == exact)
        return m


def _special(xp: ModuleType) -> Any:
    if xp is np:
        from scipy import special

        return special
    from jax.scipy import special as jax_special

    return jax_special


def log_interval_probability(mu: Any, lo: np.ndarray, hi: np.ndarray, sigma: float, xp: ModuleType = np) -> Any:
    """log P(lo < X < hi) for log X ~ Normal(mu, sigma); ``lo`` may be 0 and ``hi`` inf (one-sided bounds).

    Written as log Phi(b) + log1p(-exp(log Phi(a) - log Phi(b))), which stays finite far in either tail.
    """
    has_lo, has_hi = lo > 0, xp.isfinite(hi)
    # an open end is a finite stand-in inside the arithmetic and -inf / +inf only where it is used, so no infinite
    # value enters a derivative (JAX differentiates both branches of a where)
    a = xp.where(has_lo, (xp.log(xp.where(has_lo, lo, 1.0)) - mu) / sigma, -40.0)
    b = xp.where(has_hi, (xp.log(xp.where(has_hi, hi, 1.0)) - mu) / sigma, 40.0)
    # P(a < Z < b) = P(-b < Z < -a): use the side whose upper end is smaller, where log_ndtr is accurate
    flip = (a + b) > 0
    a, b = xp.where(flip, -b, a), xp.where(flip, -a, b)
    log_ndtr = _special(xp).log_ndtr
    lb, la = log_ndtr(b), log_ndtr(a)
    return lb + xp.log1p(-xp.exp(xp.minimum(la - lb, -1e-300)))


def _contributions(t: dict[str, Any], tg: Targets, xp: ModuleType = np) -> Any:
    """Yield ``(rows, values, factor)`` per measurement model: the rows a boolean mask over the observations, and each
    row's log-likelihood ``factor * values`` (weights applied; values ``(..., n_rows_in_mask)``). The factor is kept
    apart so that the summed likelihood is computed in the same floating-point order as before pointwise values
    existed (the quick sampler's short chains follow rounding differences)."""
    floor = 1e-9
    for name, key, det in (("li_location", "p_under_carbon", None), ("nucleation_dip", "eta_cell_mV", DETECT_MV)):
        m = tg.mask(name)
        if m.any():
            q = t[key][..., m] if det is None else sigmoid((t[key][..., m] - det) / DETECT_SCALE_MV, xp)
            q = xp.clip(q, floor, 1 - floor)
            yv = tg.value[m]
            yield m, tg.weight[m] * (yv * xp.log(q) + (1 - yv) * xp.log(1 - q)), 1.0
    for name, key, sigma in (("eta_mV", "eta_cell_mV", SIGMA_LOG_ETA), ("toughness_J_m2", "toughness_J_m2", SIGMA_LOG_TOUGHNESS),
                             ("ccd_mA_cm2", "critical_current_mA_cm2", SIGMA_LOG_CCD)):
        m = tg.mask(name, exact=True)
        if m.any():
            r = (xp.log(xp.maximum(t[key][..., m], floor)) - xp.log(tg.value[m])) / sigma
            yield m, tg.weight[m] * r * r, -0.5
    m = tg.mask("ccd_mA_cm2", exact=False)
    if m.any():
        mu = xp.log(xp.maximum(t["critical_current_mA_cm2"][..., m], floor))
        yield m, tg.weight[m] * log_interval_probability(mu, tg.value[m], tg.upper[m], SIGMA_LOG_CCD, xp), 1.0
    for name, sign in (("toughness_lower_J_m2", 1.0), ("toughness_upper_J_m2", -1.0)):
        m = tg.mask(name)
        if m.any():
            r = sign * (xp.log(xp.maximum(t["toughness_J_m2"][..., m], floor)) - xp.log(tg.value[m])) / SIGMA_LOG_TOUGHNESS
            yield m, tg.weight[m] * _special(xp).log_ndtr(r), 1.0


def log_likelihood(t: dict[str, Any], tg: Targets, xp: ModuleType = np) -> Any:
    """Log-likelihood of every observation given the model's per-row terms ``t`` (:func:`screen.model.physics.terms`),
    summed over rows: one value, or one per parameter vector when ``t`` holds ``(batch, n)`` arrays.

    Plating location: Bernoulli on P(under) (``mixed`` as target 0.5, half an observation of each side). Voltage dip:
    Bernoulli on sigmoid((eta_cell - 5 mV) / 1 mV). Numeric overpotential, toughness and critical current: log-normal
    (widths :data:`SIGMA_LOG_ETA`, :data:`SIGMA_LOG_TOUGHNESS`, :data:`SIGMA_LOG_CCD`; constants dropped). Toughness
    known only as a bound (the tape failed first; the carbon did not transfer) is censored: the probability that the
    log-normal toughness lies beyond it. A critical current known as an interval or a one-sided bound is
    interval-censored.
    """
    total = 0.0
    for _, values, factor in _contributions(t, tg, xp):
        total = total - 0.5 * xp.sum(values, axis=-1) if factor == -0.5 else total + xp.sum(values, axis=-1)
    return total


def pointwise_log_likelihood(t: dict[str, Any], tg: Targets) -> np.ndarray:
    """:func:`log_likelihood` of each observation separately (NumPy), shape ``(..., n_observations)``: what PSIS-LOO
    needs. The log-normal terms omit their constants (the same for every model compared on the same observations)."""
    shape = np.shape(t["p_under_carbon"])[:-1]
    out = np.zeros(shape + (len(tg.observable),))
    for m, values, factor in _contributions(t, tg, np):
        out[..., m] = factor * values
    return out


def neg_log_posterior_batch(Z: np.ndarray, d: Design, tg: Targets, prior_sigma: np.ndarray = PRIOR_SIGMA) -> np.ndarray:
    """Negative log posterior (no lab effects) of each row of ``Z`` (transformed parameter vectors, shape
    (batch, n_params)), in one vectorised pass; :func:`fit_map` uses it for finite-difference gradients."""
    Z = np.atleast_2d(Z)
    natural = to_natural(Z)
    theta = {name: natural[:, k:k + 1] for k, name in enumerate(PARAM_NAMES)}
    nll = -np.broadcast_to(log_likelihood(terms(theta, d), tg), (len(Z),))
    out: np.ndarray = nll + 0.5 * np.sum(((Z - PRIOR_CENTER) / prior_sigma) ** 2, axis=1)
    return out


#: Step of the central finite differences of :func:`fit_map`, in the transformed (log / logit) space.
GRADIENT_STEP = 1e-5


def fit_map(d: Design, tg: Targets, z0: np.ndarray, prior_sigma: np.ndarray = PRIOR_SIGMA) -> np.ndarray:
    """Maximum a posteriori parameters (transformed space), L-BFGS-B within 5 prior widths of the prior centres.

    The gradient is a central difference whose 2k + 1 evaluations run as one vectorised batch.
    """
    from scipy.optimize import minimize

    k = len(z0)
    steps = np.vstack([np.zeros(k), GRADIENT_STEP * np.eye(k), -GRADIENT_STEP * np.eye(k)])

    def value_and_gradient(z: np.ndarray) -> tuple[float, np.ndarray]:
        f = neg_log_posterior_batch(z + steps, d, tg, prior_sigma)
        return float(f[0]), (f[1:k + 1] - f[k + 1:]) / (2 * GRADIENT_STEP)

    bounds = list(zip(PRIOR_CENTER - 5 * prior_sigma, PRIOR_CENTER + 5 * prior_sigma))
    res = minimize(value_and_gradient, z0, jac=True, method="L-BFGS-B", bounds=bounds, options={"maxiter": 500, "ftol": 1e-10})
    return np.asarray(res.x, dtype=float)
