"""Simulated campaigns of ``interlayer suggest`` against true worlds drawn from the model (:mod:`.decision` runs one
campaign; ``benchmarks/bench_suggest.py`` runs them at scale, ``tests/workflows/test_suggest.py`` a reduced set).

Members and true worlds come from the registered model's full posterior sample (``posterior.nc``): the first half of
the chains gives the members a campaign reweights, the other half the true worlds, so a truth is never a member. A prior world
draws members and truths from the priors instead (a lab that starts from nothing). Each member and each truth carries
a new lab's offset (its own spread times a normal draw) and the prior-set parameters drawn from their priors.

The designs ranked are the study's best design per (metal, carbon, architecture) at its cell conditions; the pool of
cells a lab may make is the study's ``[suggest]`` pool restricted to the ``pool_pairs`` pairs with the highest
predictive P (where a top-10 can be decided), each under every condition of the ``[suggest]`` lists.

Each world carries a :class:`~screen.analysis.resample_move.Mover` (the posterior world's with the literature fit's
data), so that ``run(..., refit=True)`` refits a campaign whose effective sample size collapses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd


@dataclass
class Setup:
    members: dict[str, Any]  # world kind -> screen.analysis.decision.Members
    truths: dict[str, Any]  # world kind -> (design_p (T, D), pool_p (T, C), z (T, K))
    designs: pd.DataFrame
    pool: pd.DataFrame
    literature_order: np.ndarray
    rank_params: np.ndarray
    prior_sigma: np.ndarray
    model: dict[str, Any]
    movers: dict[str, Any]  # world kind -> screen.analysis.resample_move.Mover


def _year(study_id: str) -> int:
    m = re.search(r"(\d{2})", str(study_id))
    return int(m.group(1)) if m else 99


def member_state(z: np.ndarray, tau: np.ndarray, lab_z: np.ndarray, eps: np.ndarray, seed: int) -> Any:
    """A :class:`~screen.analysis.resample_move.MemberState` from draws of ``z``, the lab-effect spread ``tau`` (mV),
    the literature studies' ``lab_z`` and the campaign lab's standardised offset ``eps``; prior-set parameters drawn
    with ``seed``."""
    from screen.analysis.resample_move import MemberState
    from screen.model.parameters import prior_only_draws

    return MemberState(z=z, log_tau=np.log(np.maximum(tau, 1e-12)), lab_z=lab_z, eps=eps, prior_only=prior_only_draws(len(z), seed))


def literature_data(pipeline: Any) -> Any:
    """The :class:`~screen.model.probabilistic.ModelData` the registered model was fitted on (the curated corpus)."""
    import copy

    from screen.model.training import training_set

    ts = training_set()
    gap = copy.deepcopy(pipeline.named_steps["gap"])  # model_data relearns the grids; keep the loaded model as it is
    return gap.model_data(pipeline.named_steps["cells"].transform(ts.X), ts.y)


def build(n_members: int = 1000, n_truths: int = 200, pool_pairs: int = 40, seed: int = 0, study: str | None = None,
          model_dir: str | None = None) -> Setup:
    """Members, true worlds, designs and pool for the campaigns (see the module docstring)."""
    from screen.analysis.decision import Members, member_predictions
    from screen.analysis.resample_move import Mover
    from screen.analysis.suggest import candidate_pool
    from screen.model.inference import import_arviz
    from screen.model.parameters import LAB_SCALE_PRIOR_MV, PRIOR_CENTER, PRIOR_SIGMA
    from screen.model.registry import POSTERIOR_FILE, ModelRegistry
    from screen.search.evaluator import DesignEvaluator
    from screen.search.grid import best_per_pair, refine, run_exhaustive
    from screen.search.spec import load_study

    spec = load_study(study)
    registry = ModelRegistry(model_dir)
    pipeline, meta = registry.load()
    evaluator = DesignEvaluator(spec, pipeline)
    grid, _ = run_exhaustive(spec, pipeline, evaluator)
    designs = refine(spec, evaluator, best_per_pair(grid)).reset_index(drop=True)
    post = import_arviz().from_netcdf(registry.root / f"v{meta['version']}" / POSTERIOR_FILE).posterior
    z = np.asarray(post["z"])
    tau = np.asarray(post["lab_scale_mV"])
    lab_z = np.asarray(post["lab_z"]) if "lab_z" in post else np.zeros((z.shape[0], z.shape[1], 0))
    rng = np.random.default_rng(seed)
    k = z.shape[-1]

    def pick(chains: slice, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        zz, tt, ll = z[chains].reshape(-1, k), tau[chains].reshape(-1), lab_z[chains].reshape(-1, lab_z.shape[-1])
        idx = rng.choice(len(zz), size=min(n, len(zz)), replace=False)
        return zz[idx], tt[idx], ll[idx]

    half = max(z.shape[0] // 2, 1)  # members from the first half of the chains, truths from the rest
    worlds = {"posterior": (pick(slice(0, half), n_members), pick(slice(half, None), n_truths))}
    prior = lambda n: (PRIOR_CENTER + PRIOR_SIGMA * rng.standard_normal((n, k)),  # noqa: E731
                       np.abs(LAB_SCALE_PRIOR_MV * rng.standard_normal(n)), np.zeros((n, 0)))
    worlds["prior"] = (prior(n_members), prior(n_truths))
    states = {kind: tuple(member_state(zz, tt, ll, rng.standard_normal(len(tt)), seed + 2 + j) for j, (zz, tt, ll) in enumerate(pair))
              for kind, pair in worlds.items()}
    design_p = {kind: [member_predictions(evaluator, designs, st.theta(), st.offsets_mV) for st in pair]
                for kind, pair in states.items()}
    # the pool: the pairs the posterior members rank highest, under every [suggest] condition
    keep = np.sort(np.argsort(-design_p["posterior"][0].mean(axis=0))[:pool_pairs])
    pool = candidate_pool(spec, evaluator, designs.iloc[keep]).reset_index(drop=True)
    members, truths = {}, {}
    for kind, (sm, st) in states.items():
        members[kind] = Members(pool_p=member_predictions(evaluator, pool, sm.theta(), sm.offsets_mV),
                                design_p=design_p[kind][0], z=sm.z, state=sm)
        truths[kind] = (design_p[kind][1], member_predictions(evaluator, pool, st.theta(), st.offsets_mV), st.z)
    movers = {"posterior": Mover(evaluator, pool, designs, literature_data(pipeline), PRIOR_SIGMA),
              "prior": Mover(evaluator, pool, designs, None, PRIOR_SIGMA)}
    # literature order: pairs by the year they first appear in the curated record, untested pairs after (seeded order)
    from descriptors.data.curated import load_table

    lit = load_table("literature_outcomes.csv")
    first = lit.assign(year=lit["study_id"].map(_year)).groupby(["metal", "carbon"])["year"].min().to_dict()
    tie = rng.permutation(len(pool))
    order = sorted(range(len(pool)), key=lambda i: (first.get((pool.at[i, "metal"], pool.at[i, "carbon"]), 999), tie[i]))
    # the parameters that set the ranking: highest mean |rank correlation| with the top-20 designs' P (posterior)
    mem = members["posterior"]
    top20 = np.argsort(-mem.design_p.mean(axis=0))[:20]
    zr = np.argsort(np.argsort(mem.z, axis=0), axis=0).astype(float)
    pr = np.argsort(np.argsort(mem.design_p[:, top20], axis=0), axis=0).astype(float)
    zr, pr = zr - zr.mean(axis=0), pr - pr.mean(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.nan_to_num((zr.T @ pr) / np.sqrt((zr**2).sum(axis=0)[:, None] * (pr**2).sum(axis=0)[None, :]))
    rank_params = np.argsort(-np.abs(corr).mean(axis=1))[:4]
    return Setup(members, truths, designs, pool, np.asarray(order), rank_params, np.asarray(PRIOR_SIGMA),
                 {"version": meta["version"], "data_sha256": meta.get("data_sha256")}, movers)


def run(setup: Setup, world: str, n_campaigns: int, rounds: int, batch: int, k: int = 10, seed: int = 0,
        strategies: tuple[str, ...] | None = None, progress: bool = False, refit: bool = True) -> pd.DataFrame:
    """``n_campaigns`` campaigns per strategy in ``world`` (``posterior`` or ``prior``); one row per campaign, strategy
    and round. Campaign c uses truth c and the same outcome draws for every strategy. With ``refit`` a campaign whose
    ESS falls below :data:`~screen.analysis.decision.ESS_FLOOR` is refitted by resample-move."""
    from screen.analysis.decision import STRATEGIES, World, run_campaign

    members = setup.members[world]
    design_t, pool_t, z_t = setup.truths[world]
    rows = []
    from tqdm.auto import tqdm

    for c in tqdm(range(n_campaigns), desc=f"campaigns ({world} world)", unit="campaign", leave=False,
                  disable=None if progress else True):
        truth = World(pool_p=pool_t[c % len(pool_t)], design_p=design_t[c % len(design_t)], z=z_t[c % len(z_t)])
        uniforms = np.random.default_rng([seed, c]).random(len(setup.pool))
        for strategy in strategies or STRATEGIES:
            out = run_campaign(members, truth, strategy, rounds, batch, k, uniforms, np.random.default_rng([seed, c, 7]),
                               setup.rank_params, setup.prior_sigma, setup.literature_order,
                               setup.movers[world] if refit else None)
            rows += [r | {"world": world, "campaign": c, "strategy": strategy, "refit": refit} for r in out]
    return pd.DataFrame(rows)


def paired_difference(df: pd.DataFrame, metric: str, a: str, b: str, cells: int, n_boot: int = 4000,
                      seed: int = 0) -> dict[str, Any]:
    """Mean of ``metric`` for strategy ``a`` minus ``b`` at ``cells`` cells, paired by campaign, with a 90 % bootstrap
    interval over campaigns."""
    at = df[df["cells"] == cells].pivot_table(index="campaign", columns="strategy", values=metric)
    d = (at[a] - at[b]).to_numpy(float)
    rng = np.random.default_rng(seed)
    boot = d[rng.integers(0, d.size, (n_boot, d.size))].mean(axis=1)
    lo, hi = np.quantile(boot, [0.05, 0.95])
    return {"metric": metric, "a": a, "b": b, "cells": cells, "campaigns": int(d.size), "mean_difference": float(d.mean()),
            "lo": float(lo), "hi": float(hi)}
