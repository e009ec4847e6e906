"""Li inventory vs regulation margin for the best metals (``interlayer tradeoff``, study ``kind = "tradeoff"``).

Metals: the study's ``[tradeoff] metals`` list, or its N best metals, found by evaluating the
study's whole space on its ``[exhaustive]`` grid and ranking each metal by its best feasible
score. For each of them, every carbon preset and a dense log grid of both thicknesses
(``metal_nm_points`` × ``carbon_nm_points`` inside the space's bounds) are evaluated; the
two-objective Pareto front (minimum Li taken by the interlayer, maximum robustness: the lower bound of the margin
times the sealed fraction, :mod:`screen.cell.integrity`) is drawn per metal and over all of them, among feasible
designs.

Per metal the summary gives the best margin, the Li it costs, the *usable carbon thickness*
(the thickest carbon at which the margin's lower bound is still positive at the study's
current; the transport barrier grows linearly with thickness) and how much margin the
thickest carbon of the range costs against the thinnest.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from descriptors.errors import InputError

X, Y = "li_loss_pct", "robustness"
def pareto_2d(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Mask of points not dominated when minimising ``x`` and maximising ``y``."""
    order = np.lexsort((-y, x))
    keep = np.zeros(x.size, dtype=bool)
    best = -np.inf
    for i in order:
        if y[i] > best:
            keep[i] = True
            best = y[i]
    return keep


def top_metals(spec: Any, pipeline: Any, n: int) -> list[str]:
    """The ``n`` metals whose best feasible design on the exhaustive grid scores highest."""
    from screen.search.grid import run_exhaustive

    grid, _ = run_exhaustive(spec, pipeline)
    feas = grid[grid["feasible"] & (grid["metal"] != "none")]
    best = feas.groupby("metal")["score"].max().sort_values(ascending=False, kind="mergesort")
    if best.empty:
        raise InputError("tradeoff: no feasible design in the study's space")
    return best.index[:n].tolist()


def tradeoff_table(spec: Any, pipeline: Any, metals: list[str]) -> pd.DataFrame:
    """Every (metal, carbon, metal_nm, carbon_nm) of the dense grid, evaluated."""
    from screen.cell.objectives import evaluate

    sp, tr = spec.space, spec.tradeoff
    m_nm = np.geomspace(sp.metal_nm[0], sp.metal_nm[1], tr.metal_nm_points)
    c_nm = np.geomspace(sp.carbon_nm[0], sp.carbon_nm[1], tr.carbon_nm_points)
    mm, cc = np.meshgrid(m_nm, c_nm, indexing="ij")
    parts = [pd.DataFrame({"metal": m, "carbon": c, "architecture": a, "metal_nm": mm.ravel(), "carbon_nm": cc.ravel()})
             for m in metals for c in spec.carbon_choices for a in sp.architectures]
    grid = pd.concat(parts, ignore_index=True)
    return pd.concat([evaluate(spec, pipeline, grid.iloc[i:i + 50_000]) for i in range(0, len(grid), 50_000)], ignore_index=True)


def fronts(table: pd.DataFrame) -> pd.DataFrame:
    """Pareto fronts per metal (``front = metal``) and over all metals (``overall`` flag)."""
    feas = table[table["feasible"] & table[Y].notna()].copy()
    feas["on_metal_front"] = False
    for _, idx in feas.groupby("metal").groups.items():
        sub = feas.loc[idx]
        feas.loc[idx, "on_metal_front"] = pareto_2d(sub[X].to_numpy(float), sub[Y].to_numpy(float))
    feas["on_overall_front"] = pareto_2d(feas[X].to_numpy(float), feas[Y].to_numpy(float))
    cols = ["metal", "carbon", "architecture", "metal_nm", "carbon_nm", X, Y, "margin_mV_lo", "sealed_fraction", "margin_mV",
            "p_under_carbon", "p_under_carbon_lo",
            "li_metal_mAh_cm2", "li_carbon_mAh_cm2", "cost_usd_m2", "metal_growth_nm", "on_metal_front", "on_overall_front"]
    return feas.loc[feas["on_metal_front"], cols].sort_values(["metal", X]).reset_index(drop=True)


def summary(table: pd.DataFrame, front: pd.DataFrame, metals: list[str]) -> pd.DataFrame:
    """Per metal: best margin and its Li cost, front size, usable carbon thickness, Li per 100 nm of each layer."""
    rows = []
    for m in metals:
        sub = table[(table["metal"] == m) & table["feasible"]]
        fr = front[front["metal"] == m]
        if sub.empty:
            rows.append({"metal": m, "feasible_designs": 0})
            continue
        best = sub.loc[sub[Y].idxmax()]  # type: ignore[call-overload]  # pandas-stubs: loc refuses the label idxmax returns
        pos = sub[sub[Y] > 0]
        li_m = (sub["li_metal_mAh_cm2"] / sub["metal_nm"]).median() * 100.0
        li_c = (sub["li_carbon_mAh_cm2"] / sub["carbon_nm"]).median() * 100.0
        line = sub[(sub["carbon"] == best["carbon"]) & np.isclose(sub["metal_nm"], best["metal_nm"])].sort_values("carbon_nm")
        drop = float(line[Y].iloc[0] - line[Y].iloc[-1]) if len(line) > 1 else float("nan")
        rows.append({"metal": m, "feasible_designs": int(len(sub)), "front_points": int(len(fr)),
                     "on_overall_front": int(fr["on_overall_front"].sum()),
                     "best_robustness_mV": float(best[Y]), "best_carbon": best["carbon"], "best_metal_nm": float(best["metal_nm"]),
                     "best_carbon_nm": float(best["carbon_nm"]), "li_loss_pct_at_best": float(best[X]),
                     "usable_carbon_nm_max": float(pos["carbon_nm"].max()) if len(pos) else float("nan"),
                     "robustness_drop_thinnest_to_thickest_carbon_mV": drop,
                     "li_mAh_cm2_per_100nm_metal": float(li_m), "li_mAh_cm2_per_100nm_carbon_median": float(li_c)})
    return pd.DataFrame(rows)
