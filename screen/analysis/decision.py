"""Experiments chosen for the user's decision, and simulated campaigns that test whether choosing them pays.

**The decision.** A designer acts on the top of the ranking: which designs are in the top ``k`` by P(Li plates under
the carbon). Over the posterior draws ("members", each with its weight) every design has a probability ``pi_j`` of
being in the top ``k``; the uncertainty of the decision is the summed binary entropy ``sum_j H(pi_j)`` (nats).

**Criterion ``ranking``** (the expected information about the top ``k``; the decision-focused counterpart of BALD):
for a candidate cell with member predictions ``p_m``, its outcome (under or above) reweights the members by ``p_m`` or
``1 - p_m`` (Bayes' rule on the members, exact for a posterior sample); the gain is the expected fall of the decision's
entropy, ``sum_j H(pi_j) - sum_y P(y) sum_j H(pi_j | y)``. A cell gains when its outcome would move designs into or
out of the top ``k``: :func:`decision_text` names the two designs it would move most, one each way.

**Simulated campaigns** (:func:`run_campaign`). A "true world" is one parameter vector (drawn from the posterior, or
from the prior) with its own lab offset; every cell's outcome is simulated from the model's own measurement model
under it. A campaign runs ``rounds`` rounds of ``batch`` cells chosen by a strategy; after each round the members are
reweighted by the likelihood of the simulated outcomes (importance reweighting: an exact update of a posterior sample,
whose effective sample size is reported). When the ESS falls below :data:`ESS_FLOOR` and a
:class:`~screen.analysis.resample_move.Mover` is given, the campaign refits: the members are resampled and moved by
Metropolis steps on the full posterior of the literature and the campaign's cells, then weigh equally again. Per
round: the expected log-loss against the truth over the whole pool, the error of the parameters that set the
ranking, and the top-``k`` recovery (overlap of the reweighted model's top ``k`` with the true world's, over ``k``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

#: Effective sample size below which a campaign's reweighted members are too few: the campaign refits (resample-move).
ESS_FLOOR = 100.0
STRATEGIES: tuple[str, ...] = ("ranking", "bald", "random", "literature")


def binary_entropy(p: np.ndarray) -> np.ndarray:
    """Entropy (nats) of a Bernoulli variable with success probability ``p``."""
    q = np.clip(np.asarray(p, dtype=float), 1e-12, 1 - 1e-12)
    return -(q * np.log(q) + (1 - q) * np.log(1 - q))


def bald(member_p: np.ndarray) -> np.ndarray:
    """Mutual information (nats) between the outcome and the parameters, per column of ``member_p`` (members × cells)."""
    return binary_entropy(member_p.mean(axis=0)) - binary_entropy(member_p).mean(axis=0)


def top_k(design_p: np.ndarray, k: int) -> np.ndarray:
    """Boolean (members x designs): whether each design is among each member's ``k`` highest P(under)."""
    order = np.argsort(-design_p, axis=1, kind="stable")[:, :k]
    out = np.zeros(design_p.shape, dtype=bool)
    np.put_along_axis(out, order, True, axis=1)
    return out


def ranking_information(pool_p: np.ndarray, in_top: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Expected fall (nats) of the top-k decision's entropy from observing each pool cell once.

    ``pool_p``: members x cells, each member's P(under) for each cell; ``in_top``: members x designs (:func:`top_k`);
    ``weights``: the members' weights (uniform when None).
    """
    m = pool_p.shape[0]
    w = np.full(m, 1.0 / m) if weights is None else np.asarray(weights, dtype=float) / np.sum(weights)
    top = in_top.astype(float)
    before = binary_entropy(w @ top).sum()
    expected = np.zeros(pool_p.shape[1])
    for like in (pool_p, 1.0 - pool_p):
        joint = w[:, None] * like  # members x cells
        p_y = joint.sum(axis=0)
        pi = (joint.T @ top) / np.maximum(p_y, 1e-300)[:, None]  # cells x designs
        expected += p_y * binary_entropy(pi).sum(axis=1)
    return before - expected


def decision_text(pool_p: np.ndarray, in_top: np.ndarray, labels: list[str], cell: int, k: int,
                  weights: np.ndarray | None = None) -> str:
    """What one cell's result decides: the design whose top-``k`` chance rises most if Li goes under the carbon and the
    one that falls most (each with the two chances)."""
    m = pool_p.shape[0]
    w = np.full(m, 1.0 / m) if weights is None else np.asarray(weights, dtype=float) / np.sum(weights)
    top = in_top.astype(float)
    under, above = w * pool_p[:, cell], w * (1.0 - pool_p[:, cell])
    pi_u, pi_a = under @ top / max(under.sum(), 1e-300), above @ top / max(above.sum(), 1e-300)
    shift = pi_u - pi_a
    up, down = int(np.argmax(shift)), int(np.argmin(shift))
    if shift[up] - shift[down] < 0.02:
        return f"barely moves the top {k} (every design's chance changes by less than 0.02)"
    return (f"decides between {labels[up]} (top-{k} chance {pi_a[up]:.2f} -> {pi_u[up]:.2f} if Li goes under) and "
            f"{labels[down]} ({pi_a[down]:.2f} -> {pi_u[down]:.2f})")


@dataclass
class World:
    """A true world: each pool cell's and each design's P(under) under it, and its parameters (transformed space)."""

    pool_p: np.ndarray  # (cells,)
    design_p: np.ndarray  # (designs,)
    z: np.ndarray  # (parameters,)


@dataclass
class Members:
    """The members a campaign reweights: their predictions for the pool and the designs, and their parameters."""

    pool_p: np.ndarray  # (members, cells)
    design_p: np.ndarray  # (members, designs)
    z: np.ndarray  # (members, parameters)
    state: Any = None  # screen.analysis.resample_move.MemberState, needed to refit (resample-move)


def _pick(strategy: str, members: Members, w: np.ndarray, in_top: np.ndarray, batch: int, rng: np.random.Generator,
          taken: np.ndarray, literature_order: np.ndarray | None) -> np.ndarray:
    """``batch`` untested cells by ``strategy``; the information strategies choose greedily, a chosen cell's
    correlation with the others (across members, weighted) discounting their gain by ``1 - rho^2``."""
    free = np.flatnonzero(~taken)
    if strategy == "random":
        return rng.choice(free, size=min(batch, free.size), replace=False)
    if strategy == "literature":
        order = literature_order if literature_order is not None else np.arange(taken.size)
        return np.array([c for c in order if not taken[c]][:batch], dtype=int)
    p = members.pool_p[:, free]
    if strategy == "bald":
        mean = w @ p
        gain = binary_entropy(mean) - w @ binary_entropy(p)
    else:
        gain = ranking_information(p, in_top, w)
    centred = p - w @ p
    scale = np.sqrt(w @ centred**2)
    chosen: list[int] = []
    for _ in range(min(batch, free.size)):
        i = int(np.argmax(gain))
        chosen.append(int(free[i]))
        with np.errstate(invalid="ignore", divide="ignore"):
            rho = np.nan_to_num(((w * centred[:, i]) @ centred) / (scale[i] * scale))
        gain = gain * (1.0 - rho**2)
        gain[i] = -np.inf
    return np.array(chosen, dtype=int)


def run_campaign(members: Members, truth: World, strategy: str, rounds: int, batch: int, k: int,
                 uniforms: np.ndarray, rng: np.random.Generator, rank_params: np.ndarray, prior_sigma: np.ndarray,
                 literature_order: np.ndarray | None = None, mover: Any = None) -> list[dict[str, Any]]:
    """One simulated campaign (see the module docstring); one row of metrics per round, round 0 before any cell.

    ``uniforms`` (one per pool cell) fix each cell's simulated outcome (under when below the true P), so strategies
    compared on the same world see the same outcome for the same cell; ``rng`` drives the random strategy and the
    refits. ``mover`` (a :class:`~screen.analysis.resample_move.Mover`; ``members.state`` must be set) refits the
    members whenever the ESS falls below :data:`ESS_FLOOR`; without it the weights alone carry the campaign."""
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy '{strategy}' (known: {', '.join(STRATEGIES)})")
    if mover is not None and members.state is None:
        raise ValueError("a refit (mover) needs the members' parameter state (Members.state)")
    n = members.pool_p.shape[0]
    log_w = np.zeros(n)
    taken = np.zeros(members.pool_p.shape[1], dtype=bool)
    y_all = uniforms < truth.pool_p
    in_top = top_k(members.design_p, k)
    true_top = set(np.argsort(-truth.design_p, kind="stable")[:k].tolist())
    rows, refits, acceptance, distinct = [], 0, float("nan"), float("nan")
    for r in range(rounds + 1):
        w = np.exp(log_w - log_w.max())
        w /= w.sum()
        ess_before = float(1.0 / np.sum(w**2))
        if mover is not None and ess_before < ESS_FLOOR:
            cells_done = np.flatnonzero(taken)
            state, acceptance = mover.move(members.state, w, cells_done, y_all[cells_done], rng)
            members = Members(pool_p=mover.predict(state, mover.pool), design_p=mover.predict(state, mover.designs),
                              z=state.z, state=state)
            in_top = top_k(members.design_p, k)
            distinct = len(np.unique(state.flat(), axis=0)) / n
            log_w = np.zeros(n)
            w = np.full(n, 1.0 / n)
            refits += 1
        pred = np.clip(w @ members.pool_p, 1e-6, 1 - 1e-6)
        t = truth.pool_p
        log_loss = float(np.mean(-(t * np.log(pred) + (1 - t) * np.log(1 - pred))))
        model_top = set(np.argsort(-(w @ members.design_p), kind="stable")[:k].tolist())
        z_hat = w @ members.z
        err = float(np.sqrt(np.mean(((z_hat[rank_params] - truth.z[rank_params]) / prior_sigma[rank_params]) ** 2)))
        rows.append({"round": r, "cells": int(taken.sum()), "log_loss_vs_truth": log_loss,
                     "top_k_recovery": len(model_top & true_top) / k, "rank_parameter_error": err,
                     "ess": float(1.0 / np.sum(w**2)), "ess_before_refit": ess_before, "refits": refits,
                     "move_acceptance": acceptance, "distinct_after_refit": distinct})
        if r == rounds:
            break
        cells = _pick(strategy, members, w, in_top, batch, rng, taken, literature_order)
        taken[cells] = True
        y = y_all[cells]
        p = np.clip(members.pool_p[:, cells], 1e-9, 1 - 1e-9)
        log_w += np.sum(np.where(y, np.log(p), np.log(1 - p)), axis=1)
    return rows


def member_predictions(evaluator: Any, table: Any, theta: dict[str, np.ndarray], offsets: np.ndarray,
                       chunk: int = 250) -> np.ndarray:
    """P(under) of every row of ``table`` (designs or cells of the study; conditions columns used where present) for
    each member: ``theta`` holds ``(members, 1)`` parameter columns, ``offsets`` each member's lab offset (mV)."""
    from screen.model.physics import terms

    mi, ci, arch, metal_nm, carbon_nm = evaluator.codes(table)
    cond = [table[c].to_numpy(float) if c in table else None for c in ("current_ma_cm2", "temperature_c", "fab_mpa")]
    d = evaluator.model_design(mi, ci, arch, carbon_nm, *cond, metal_nm=metal_nm)
    n = len(offsets)
    out = np.empty((n, len(table)))
    for s in range(0, n, chunk):
        part = {key: v[s:s + chunk] for key, v in theta.items()}
        out[s:s + chunk] = terms(part, d, np.asarray(offsets[s:s + chunk], dtype=float)[:, None])["p_under_carbon"]
    return out
