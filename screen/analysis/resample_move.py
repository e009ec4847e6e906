"""Resample-move: the refit a simulated campaign falls back on when importance reweighting has collapsed.

Reweighting the members by a campaign's outcomes is exact only while enough members keep weight; after a few cells
that contradict most of them the effective sample size (ESS) falls, and the weighted members then stand for too few
distinct parameter vectors. The fallback (a sequential Monte Carlo resample-move step, Chopin 2002,
https://doi.org/10.1093/biomet/89.3.539) refits by Markov chain Monte Carlo in place:

1. resample the members in proportion to their weights (systematic resampling), so all weights are equal;
2. move every member by random-walk Metropolis steps whose stationary distribution is the full posterior of the
   campaign: the priors, the literature's likelihood with its lab (study) effects (a posterior world; a prior world
   has no literature) and the campaign's outcomes under the campaign lab's own offset. The proposal is Gaussian: its
   covariance is the weighted members' plus a tenth of the unweighted members' (a collapsed cloud of a few distinct
   members alone would span only a few directions), times ``2.38**2 / dimension`` (Roberts, Gelman and Gilks 1997,
   https://doi.org/10.1214/aoap/1034625254) and a scale adapted after each step toward an acceptance rate of 0.234;
3. predict the pool's cells and the ranked designs again for the moved members.

A member's state, in the sampler's coordinates (:mod:`screen.model.probabilistic`): the physics parameters ``z``,
the log of the lab-effect spread tau (mV), the literature studies' standardised offsets ``lab_z`` and the campaign
lab's standardised offset ``eps`` (its offset is tau * eps, mV). Prior-set parameters keep each member's prior draw.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

#: Random-walk Metropolis steps per move (acceptance is reported; see ``benchmarks/bench_suggest.py``).
MOVE_STEPS = 50
#: Acceptance rate the proposal's scale is adapted toward (optimal for random-walk Metropolis in many dimensions).
TARGET_ACCEPTANCE = 0.234


@dataclass(frozen=True)
class MemberState:
    """Each member's parameters in the sampler's coordinates (see the module docstring); row i is member i."""

    z: np.ndarray  # (members, physics parameters), transformed space
    log_tau: np.ndarray  # (members,), log of the lab-effect spread in mV
    lab_z: np.ndarray  # (members, literature studies); zero columns in a prior world
    eps: np.ndarray  # (members,), the campaign lab's standardised offset
    prior_only: dict[str, np.ndarray]  # prior-set parameter -> (members,) draws

    @property
    def offsets_mV(self) -> np.ndarray:
        """The campaign lab's offset on the margin of each member (mV)."""
        return np.exp(self.log_tau) * self.eps

    def take(self, idx: np.ndarray) -> MemberState:
        """The members at ``idx`` (repeats allowed), in that order."""
        return MemberState(self.z[idx], self.log_tau[idx], self.lab_z[idx], self.eps[idx],
                           {k: v[idx] for k, v in self.prior_only.items()})

    def flat(self) -> np.ndarray:
        """The moved coordinates as one matrix (members, dimension); prior-set parameters are not moved."""
        return np.column_stack([self.z, self.log_tau, self.lab_z, self.eps])

    def with_flat(self, x: np.ndarray) -> MemberState:
        k, s = self.z.shape[1], self.lab_z.shape[1]
        return replace(self, z=x[:, :k], log_tau=x[:, k], lab_z=x[:, k + 1:k + 1 + s], eps=x[:, k + 1 + s])

    def theta(self) -> dict[str, np.ndarray]:
        """Natural-unit parameter columns ``(members, 1)`` as :func:`screen.model.physics.terms` takes them."""
        from screen.model.parameters import PARAM_NAMES, to_natural

        nat = to_natural(self.z)
        return {n: nat[:, j:j + 1] for j, n in enumerate(PARAM_NAMES)} | {k: v[:, None] for k, v in self.prior_only.items()}


def systematic_resample(w: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``len(w)`` members drawn in proportion to the weights ``w`` (systematic resampling: one uniform)."""
    n = w.size
    edges = np.cumsum(w)
    edges[-1] = 1.0
    return np.searchsorted(edges, (rng.random() + np.arange(n)) / n)


class Mover:
    """Resample-move for one world (see the module docstring).

    Parameters
    ----------
    evaluator : the study's ``DesignEvaluator`` (predicts P(under) of cells and designs).
    pool, designs : the campaign's cells and the ranked designs (tables the evaluator reads).
    literature : the literature fit's :class:`~screen.model.probabilistic.ModelData`, or None in a prior world.
    prior_sigma : prior widths of ``z`` (transformed space).
    steps : Metropolis steps per move.
    """

    def __init__(self, evaluator: Any, pool: Any, designs: Any, literature: Any, prior_sigma: np.ndarray,
                 steps: int = MOVE_STEPS) -> None:
        self.evaluator, self.pool, self.designs = evaluator, pool, designs
        self.literature, self.prior_sigma, self.steps = literature, np.asarray(prior_sigma, float), int(steps)

    def log_prior(self, s: MemberState) -> np.ndarray:
        """Log prior density of each member (constants dropped; tau's density carries the log-transform's Jacobian)."""
        from screen.model.parameters import LAB_SCALE_PRIOR_MV, PRIOR_CENTER

        tau = np.exp(s.log_tau)
        lp = -0.5 * np.sum(((s.z - PRIOR_CENTER) / self.prior_sigma) ** 2, axis=1)
        lp += s.log_tau - 0.5 * (tau / LAB_SCALE_PRIOR_MV) ** 2
        return lp - 0.5 * np.sum(s.lab_z**2, axis=1) - 0.5 * s.eps**2

    def log_literature(self, s: MemberState) -> np.ndarray:
        """The literature's log-likelihood of each member (zero in a prior world)."""
        if self.literature is None:
            return np.zeros(len(s.eps))
        from screen.model.likelihood import log_likelihood
        from screen.model.physics import terms
        from screen.model.probabilistic import row_offsets

        data = self.literature
        offsets = row_offsets(np.exp(s.log_tau)[:, None] * s.lab_z, data.study_index[data.design.row])
        return np.asarray(log_likelihood(terms(s.theta(), data.design, offsets), data.targets), dtype=float)

    def log_campaign(self, s: MemberState, cells: np.ndarray, outcomes: np.ndarray) -> np.ndarray:
        """Log-likelihood of the campaign's outcomes (``outcomes[i]`` True = under the carbon at ``cells[i]``)."""
        if cells.size == 0:
            return np.zeros(len(s.eps))
        p = np.clip(self.predict(s, self.pool.iloc[cells]), 1e-9, 1 - 1e-9)
        return np.sum(np.where(outcomes, np.log(p), np.log(1 - p)), axis=1)

    def predict(self, s: MemberState, table: Any) -> np.ndarray:
        """P(under) of every row of ``table`` for each member, with the campaign lab's offset."""
        from screen.analysis.decision import member_predictions

        return member_predictions(self.evaluator, table, s.theta(), s.offsets_mV)

    def move(self, s: MemberState, w: np.ndarray, cells: np.ndarray, outcomes: np.ndarray,
             rng: np.random.Generator) -> tuple[MemberState, float]:
        """Resample by ``w`` and move; returns the moved members (equal weights) and the mean acceptance rate."""
        x0 = s.flat()
        dim = x0.shape[1]
        cov = np.cov(x0, rowvar=False, aweights=w) + 0.1 * np.cov(x0, rowvar=False) + 1e-10 * np.eye(dim)
        chol = np.linalg.cholesky(cov * 2.38**2 / dim)
        s = s.take(systematic_resample(w, rng))
        x = s.flat()
        log_t = self.log_prior(s) + self.log_literature(s) + self.log_campaign(s, cells, outcomes)
        accepted, scale = 0.0, 1.0
        for _ in range(self.steps):
            prop = s.with_flat(x + scale * rng.standard_normal(x.shape) @ chol.T)
            log_p = self.log_prior(prop) + self.log_literature(prop) + self.log_campaign(prop, cells, outcomes)
            ok = np.log(rng.random(len(log_t))) < np.nan_to_num(log_p - log_t, nan=-np.inf)
            x = np.where(ok[:, None], prop.flat(), x)
            log_t = np.where(ok, log_p, log_t)
            s = s.with_flat(x)
            accepted += float(ok.mean())
            scale *= float(np.exp(ok.mean() - TARGET_ACCEPTANCE))
        return s, accepted / max(self.steps, 1)
