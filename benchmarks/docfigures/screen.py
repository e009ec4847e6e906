"""Figures of the screen: the default study's grid (computed from the study file) and its speed.

Sources: the shipped default study (``screen.search.spec.load_study``; counted here, nothing run) and ``screen.json``
(``bench_screen.py --out benchmarks/results/screen.json``).
"""

from __future__ import annotations

from collections.abc import Callable

from .common import load, num

#: the speed target the exhaustive evaluation was first given (designs/s)
OLD_RATE_TARGET = 300_000


def grid_values() -> dict[str, str]:
    """The default study's search space (namespace ``grid``)."""
    from screen.search.grid import exhaustive_grid
    from screen.search.spec import load_study

    spec = load_study(None)
    grid = exhaustive_grid(spec)
    ex = spec.exhaustive
    return {"metals": str(sum(m != "none" for m in spec.metal_choices)), "carbons": str(len(spec.carbon_choices)),
            "thicknesses": f"{ex.metal_nm_points} × {ex.carbon_nm_points}", "designs": f"{len(grid):,}",
            "trials": str(spec.study.n_trials)}


def screen_values() -> dict[str, str]:
    """Speed of the screen (namespace ``screen``)."""
    b = load("screen.json")
    g, warm = b["grid"], b["warm_default_study_s"]
    build = b["model_v0_build_s"]
    return {
        "build_s": f"{build:.0f}",
        "rate": f"{g['designs_per_second']:,.0f}", "speedup": f"{g['speedup_over_reference']:.1f}",
        "rate_verdict": "stays below" if g["designs_per_second"] < OLD_RATE_TARGET else "meets",
        "grid_s": num(g["seconds"], 1), "batch_ms": num(b["batch_of_50_ms"], 1),
        "warm_s": num(warm["median"], 1), "warm_range": f"{num(min(warm['runs']), 1)}–{num(max(warm['runs']), 1)}",
    }


def source_cell_values() -> dict[str, str]:
    """Li the source paper's bilayer (500 nm Mg, 100 nm C60 film) takes up at 2 mAh/cm² (namespace ``wu26_layers``;
    computed here by ``screen.cell.materials.layer_objectives``)."""
    import pandas as pd

    from screen.cell.materials import layer_objectives
    from screen.model.cells import validate_candidates

    cand, _ = validate_candidates(pd.DataFrame({"metal": ["Mg"], "carbon": ["c60_film"], "metal_nm": ["500"],
                                                "carbon_nm": ["100"]}))
    row = layer_objectives(cand, 2.0).iloc[0]
    return {"phase": str(row["li_richest_phase"]).replace("% Mg", " % Mg"), "li_metal": num(row["li_metal_mAh_cm2"], 3),
            "li_carbon": num(row["li_carbon_mAh_cm2"], 3), "li_loss_pct": num(row["li_loss_pct"], 1)}


def sensitivity_values() -> dict[str, str]:
    """Speed and convergence of the sensitivity analysis (namespace ``sensitivity``; ``sensitivity.json``)."""
    b = load("sensitivity.json")
    ns = sorted(int(k.split("=")[1]) for k in b if k.startswith("N="))
    runs = [b[f"N={n}"] for n in ns]
    rates = [v for k, v in b.items() if k.startswith("evaluations_per_s")]
    rest = max(r["morris_s"] + r["oat_s"] + r["rank_stability_s"] for r in runs)
    return {
        "rate_range": f"{min(rates) / 1e6:.1f}–{max(rates) / 1e6:.1f}", "factors": str(b["factors"]), "pool": str(b["pool"]),
        "sobol_s": " / ".join(num(r["sobol_s"], 2) for r in runs), "n_base": " / ".join(map(str, ns)),
        "samples": " / ".join(f"{r['sobol_evaluations']:,}" for r in runs),
        "lead_conf": " to ".join(f"±{r['lead_factor_S1_conf_median']:.2f}" for r in runs),
        "others_s": num(rest, 1),
    }


VALUES: dict[str, Callable[[], dict[str, str]]] = {"grid": grid_values, "screen": screen_values,
                                                   "wu26_layers": source_cell_values, "sensitivity": sensitivity_values}
BLOCKS: dict[str, Callable[[], str]] = {}
