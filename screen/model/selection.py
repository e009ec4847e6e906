"""Structural choices made on the training data alone: Pareto-smoothed importance-sampling leave-one-out (PSIS-LOO) of
a fitted gap model, and the selection of the graphitization form by it.

PSIS-LOO (Vehtari, Gelman and Gabry 2017, doi:10.1007/s11222-016-9696-4; ArviZ ``loo``) estimates each observation's
log predictive density had it been left out, from one posterior, by importance weights ``1 / p(y_i | theta)`` whose
tail is smoothed with a generalized Pareto fit; a shape ``k > 0.7`` flags an observation whose estimate is unreliable.
Because it needs only the training data, a choice made by it inside every fold of a cross-validation never sees the
held-out study (the v3 specification: a structural choice is "selected by PSIS-LOO on each training fold only").

The pointwise log-likelihood is that of the fit (each observation given the parameters and its study's lab offset),
so it scores the forms on the same observations with the same measurement models; the log-normal constants that
:func:`screen.model.likelihood.pointwise_log_likelihood` omits are the same for every form and cancel in differences.
"""

from __future__ import annotations

import warnings
from typing import Any, TypedDict

import numpy as np
import pandas as pd

from descriptors.errors import InputError
from screen.model.likelihood import pointwise_log_likelihood
from screen.model.parameters import PARAM_NAMES, to_natural
from screen.model.physics import GRAPHITIZATION_FORMS, terms

#: Spread (nats, over the posterior draws) below which an observation's log-likelihood counts as the same in every draw.
FLAT_LOGLIK = 1e-8
#: Posterior draws evaluated at once (draws x expanded rows x terms in memory).
CHUNK_DRAWS = 200


class LooScore(TypedDict):
    """PSIS-LOO of one fit (:func:`psis_loo`); ``elpd_loo``, ``se`` and ``pointwise`` in nats."""

    elpd_loo: float
    se: float
    p_loo: float
    pareto_k_max: float
    n_pareto_k_above_0_7: int
    pointwise: np.ndarray


def pointwise_loglik(model: Any, X: pd.DataFrame, y: Any, sample_weight: Any = None) -> np.ndarray:
    """Log-likelihood of every observation of ``(X, y)`` under every draw of ``model``'s full posterior, shape
    ``(chains, draws, observations)``. ``X`` is the featurized table the model was fitted on."""
    from screen.model.probabilistic import row_offsets

    if getattr(model, "idata_", None) is None:
        raise InputError("PSIS-LOO needs a model fitted with posterior draws (n_draws > 0), not a MAP or a loaded model")
    data = model.model_data(X, y, sample_weight)
    post = model.idata_.posterior
    z = np.asarray(post["z"])
    chains, draws = z.shape[:2]
    flat = z.reshape(-1, len(PARAM_NAMES))
    lab = np.asarray(post["lab_offset_mV"]).reshape(flat.shape[0], -1) if "lab_offset_mV" in post else None
    d = data.design
    out = np.empty((flat.shape[0], len(X)))
    for start in range(0, flat.shape[0], CHUNK_DRAWS):
        sl = slice(start, start + CHUNK_DRAWS)
        natural = to_natural(flat[sl])
        theta = {name: natural[:, k:k + 1] for k, name in enumerate(PARAM_NAMES)}
        offset = row_offsets(lab[sl], data.study_index[d.row]) if lab is not None and lab.shape[1] else 0.0
        out[sl] = pointwise_log_likelihood(terms(theta, d, offset), data.targets)
    return out.reshape(chains, draws, len(X))


def psis_loo(model: Any, X: pd.DataFrame, y: Any, sample_weight: Any = None) -> LooScore:
    """PSIS-LOO of a fitted model on its training data: ``elpd_loo`` (nats; higher is better), its standard error,
    the effective number of parameters ``p_loo``, the largest Pareto shape and how many observations exceed 0.7."""
    from screen.model.inference import import_arviz

    az = import_arviz()
    ll = pointwise_loglik(model, X, y, sample_weight)
    # an observation whose likelihood is the same under every draw (a censored bound far inside the posterior) has
    # all importance ratios equal: its leave-one-out density is its posterior mean, and a Pareto fit would divide by 0
    varies = ll.std(axis=(0, 1)) > FLAT_LOGLIK
    loo_i = np.mean(ll, axis=(0, 1))
    k = np.zeros(ll.shape[-1])
    p_loo = 0.0
    if varies.any():
        idata = az.from_dict(posterior={"z": np.asarray(model.idata_.posterior["z"])}, log_likelihood={"obs": ll[..., varies]})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # high Pareto k is reported in the result, not printed
            res = az.loo(idata, pointwise=True)
        loo_i[varies], k[varies], p_loo = np.asarray(res.loo_i, dtype=float), np.asarray(res.pareto_k, dtype=float), float(res.p_loo)
    return {"elpd_loo": float(loo_i.sum()), "se": float(np.sqrt(loo_i.size) * loo_i.std()), "p_loo": p_loo,
            "pareto_k_max": float(k.max()), "n_pareto_k_above_0_7": int(np.sum(k > 0.7)), "pointwise": loo_i}


def select_graphitization_form(model: Any, X: pd.DataFrame, y: Any, sample_weight: Any = None) -> None:
    """Fit ``model`` under every graphitization form and keep the fit with the highest PSIS-LOO ``elpd_loo``.

    ``model`` (a :class:`~screen.model.gap_model.NucleationGapModel` with ``graphitization_form="select"``) takes the
    chosen fit's fitted state; ``graphitization_form_`` names the form, ``form_selection_`` lists every form's
    ``elpd_loo``, its difference from the best and the standard error of that difference (from the pointwise values).
    """
    from sklearn.base import clone

    if int(model.n_draws) == 0:
        raise InputError("graphitization_form='select' needs posterior draws (n_draws > 0): PSIS-LOO has no MAP form")
    fits: dict[str, Any] = {}
    scores: dict[str, LooScore] = {}
    for form in GRAPHITIZATION_FORMS:
        fits[form] = clone(model).set_params(graphitization_form=form).fit(X, y, sample_weight)
        scores[form] = psis_loo(fits[form], X, y, sample_weight)
    best = max(GRAPHITIZATION_FORMS, key=lambda f: scores[f]["elpd_loo"])
    table = []
    for form in GRAPHITIZATION_FORMS:
        diff = scores[form]["pointwise"] - scores[best]["pointwise"]
        row = {k: v for k, v in scores[form].items() if k != "pointwise"}
        table.append({"form": form, **row, "elpd_diff": float(diff.sum()),
                      "diff_se": float(np.sqrt(diff.size) * diff.std()), "chosen": form == best})
    model.__dict__.update({k: v for k, v in vars(fits[best]).items() if k.endswith("_")})
    model.form_selection_ = table
