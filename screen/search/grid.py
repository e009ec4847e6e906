"""The exhaustive grid: every (metal, carbon, architecture) on a log grid of both thicknesses, evaluated at once.

With :class:`screen.search.evaluator.DesignEvaluator` the whole default grid (≈80,000 designs) takes a fraction of a
second, so a study evaluates it first (``[exhaustive] grid_first``, when it holds no more than ``max_grid_designs``
designs) and optuna refines the continuous thicknesses around the grid's best designs, which it starts from.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd

from screen.search.evaluator import DesignEvaluator

DESIGN_COLUMNS = ["metal", "carbon", "architecture", "metal_nm", "carbon_nm"]


def grid_size(spec: Any) -> int:
    """Number of designs on the study's exhaustive grid."""
    ex = spec.exhaustive
    n_arch = len(spec.space.architectures)
    metals = [m for m in spec.metal_choices if m != "none"]
    per_carbon = len(metals) * n_arch * ex.metal_nm_points * ex.carbon_nm_points
    per_carbon += ex.carbon_nm_points if "none" in spec.metal_choices else 0
    return per_carbon * len(spec.carbon_choices)


def exhaustive_grid(spec: Any) -> pd.DataFrame:
    """Every (metal, carbon, architecture) on a log grid of both thicknesses (metal-major order)."""
    sp, ex = spec.space, spec.exhaustive
    m_nm = np.geomspace(sp.metal_nm[0], sp.metal_nm[1], ex.metal_nm_points)
    c_nm = np.geomspace(sp.carbon_nm[0], sp.carbon_nm[1], ex.carbon_nm_points)
    blocks = []
    for metal in spec.metal_choices:
        archs = ["single_layer"] if metal == "none" else list(sp.architectures)
        thick = np.array([np.nan]) if metal == "none" else m_nm
        n_c, n_a, n_t = len(spec.carbon_choices), len(archs), thick.size * c_nm.size
        blocks.append(pd.DataFrame({
            "metal": metal, "carbon": np.repeat(spec.carbon_choices, n_a * n_t),
            "architecture": np.tile(np.repeat(archs, n_t), n_c),
            "metal_nm": np.tile(np.repeat(thick, c_nm.size), n_c * n_a), "carbon_nm": np.tile(c_nm, thick.size * n_c * n_a)}))
    return pd.concat(blocks, ignore_index=True)


def run_exhaustive(spec: Any, pipeline: Any, evaluator: DesignEvaluator | None = None) -> tuple[pd.DataFrame, float]:
    """The whole grid with the search's columns (objectives, constraints, sealed fraction, P, feasibility, score) and
    the evaluation time in seconds (lookups excluded)."""
    ev = evaluator or DesignEvaluator(spec, pipeline)
    grid = exhaustive_grid(spec)
    codes = ev.codes(grid)
    t0 = time.perf_counter()
    values = ev.evaluate(*codes)
    seconds = time.perf_counter() - t0
    return pd.concat([grid, pd.DataFrame(values)], axis=1), seconds


def best_per_pair(table: pd.DataFrame) -> pd.DataFrame:
    """The best feasible design of each (metal, carbon, architecture), best score first."""
    feas = table[table["feasible"]].sort_values("score", ascending=False, kind="mergesort")
    return feas.drop_duplicates(["metal", "carbon", "architecture"], keep="first").reset_index(drop=True)


def refine(spec: Any, evaluator: DesignEvaluator, best: pd.DataFrame, top: int = 100, rounds: int = 3,
           points: int = 7) -> pd.DataFrame:
    """Zoom the grid around the best design of the ``top`` best pairs: ``rounds`` times a ``points`` × ``points``
    log grid spanning one grid step on each side (halving each round), kept inside the search space."""
    if best.empty:
        return best
    sp, ex = spec.space, spec.exhaustive
    steps = {"metal_nm": np.log(sp.metal_nm[1] / sp.metal_nm[0]) / (ex.metal_nm_points - 1),
             "carbon_nm": np.log(sp.carbon_nm[1] / sp.carbon_nm[0]) / (ex.carbon_nm_points - 1)}
    bounds = {"metal_nm": np.log(sp.metal_nm), "carbon_nm": np.log(sp.carbon_nm)}
    head, rest = best.head(top).reset_index(drop=True), best.iloc[top:]
    current = head[DESIGN_COLUMNS].copy()
    score = head["score"].to_numpy(float)
    offsets = np.linspace(-1.0, 1.0, points)
    om, oc = (a.ravel() for a in np.meshgrid(offsets, offsets, indexing="ij"))
    for r in range(rounds):
        scale = 0.5 ** r
        cand = current.loc[current.index.repeat(om.size)].reset_index(drop=True)
        for col, off in (("metal_nm", om), ("carbon_nm", oc)):
            lo, hi = bounds[col]
            x = np.log(cand[col].to_numpy(float)) + np.tile(off, len(current)) * steps[col] * scale
            cand[col] = np.exp(np.clip(x, lo, hi))
        values = evaluator.evaluate_table(cand)
        s = np.where(values["feasible"], values["score"], -np.inf).reshape(len(current), om.size)
        pick = s.argmax(axis=1)
        better = s[np.arange(len(current)), pick] > score
        chosen = cand.iloc[np.arange(len(current)) * om.size + pick].reset_index(drop=True)
        current.loc[better, ["metal_nm", "carbon_nm"]] = chosen.loc[better, ["metal_nm", "carbon_nm"]].to_numpy()
        score = np.where(better, s[np.arange(len(current)), pick], score)
    refined = pd.concat([current.assign(score=score), rest[DESIGN_COLUMNS + ["score"]]], ignore_index=True)
    return refined.sort_values("score", ascending=False, kind="mergesort").reset_index(drop=True)
