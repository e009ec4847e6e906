"""Benchmark of the screen against its speed targets, with a plain-numpy reference measured in the same run.

Run: ``python benchmarks/bench_screen.py`` (``--skip-build`` to leave out the model build, ``--budgets 200 1000``,
``--out benchmarks/results/screen.json`` to also write every figure as JSON, which ``render_docs.py`` quotes).

Prints one table: each target, the measured figure and, where one applies, the plain-numpy reference:

* **warm default study** — ``interlayer screen`` on the shipped default study in a fresh process, with the model
  already in the registry (wall time of the command, outputs and plots included; the median of five runs);
* **exhaustive evaluation** — designs per second of :class:`screen.search.evaluator.DesignEvaluator` on the default
  grid, intervals over the 128 posterior draws included; the reference computes the same formulas (overpotentials,
  toughness, barrier, margin with the lab offset for the point and every draw, a film's margin and P averaged over the
  particle-size grid as the model does, the interval's lower end, Li uptake, cost, swelling, energy density, sealed
  fraction, score) with plain numpy on arrays prepared beforehand, no lookups and no deduplication;
* **batch of 50 designs** — one NSGA-II generation through the evaluator;
* **model v0 build** — MAP, the posterior (NUTS, the ``full`` profile unless ``$INTERLAYER_SAMPLER`` says otherwise)
  and the registry's quick leave-one-study-out (MAP folds), from an empty registry;

then, for each trial budget, the tie-aware top-10 recall of the grid's pairs by optuna's trials alone and the score
gap to the grid's best design.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd


def reference_numpy(ev, codes: tuple, repeats: int = 3) -> tuple[float, np.ndarray]:
    """(seconds, every design's score) of the plain-numpy version of the evaluator's formulas on the bilayer grid (best
    time of ``repeats``); the scores let the benchmark check that the reference computes what the evaluator does."""
    from screen.cell.integrity import DISC_PERCOLATION_AREA_FRACTION
    from screen.cell.materials import FARADAY_MAH_MOL
    from screen.model.parameters import SOURCED_VALUE
    from screen.model.physics import D_REF_NM, K_B_EV, T_REF_K
    from screen.search.evaluator import sorted_quantile

    spec = ev.spec
    mi, ci, arch, metal_nm, carbon_nm = codes
    # inputs as plain arrays, prepared outside the timed region
    sol, ec, ph = ev.m_sol[mi], ev.m_ec[mi], ev.m_phases[mi]
    g = ev.c_g[ci]
    # a film (no particle size) is marginalized over the model's particle-size grid, as the evaluator does: the model
    # terms run on rows repeated once per grid point, then a weighted mean per design
    film_rows = ~np.isfinite(ev.c_particle[ci])
    reps = np.where(film_rows, ev.particle_grid.size, 1)
    row = np.repeat(np.arange(ci.size), reps)
    k = np.arange(row.size) - np.repeat(np.cumsum(reps) - reps, reps)
    part = np.where(film_rows[row], ev.particle_grid[k % ev.particle_grid.size], ev.c_particle[ci][row])
    weight, starts = 1.0 / reps[row], np.cumsum(reps) - reps
    none = ev.m_none[mi]
    t_m, t_c = np.where(none, 0.0, np.nan_to_num(metal_nm)), carbon_nm
    ml, cl = ev.metal_layers, ev.carbon_layers
    rho, mw, y, price, ratio = (ml.density_g_cm3[mi], ml.molar_mass_g_mol[mi], ml.li_uptake_per_M[mi], ml.price_usd_kg[mi],
                                ml.expansion_ratio[mi])
    q, crho, cprice, film, dd = cl.capacity_mAh_cm3[ci], cl.density_g_cm3[ci], cl.price_usd_kg[ci], ev.c_film[ci], ev.c_d[ci]
    rate = np.log(1.0 / (1.0 - DISC_PERCOLATION_AREA_FRACTION)) / ev.m_continuity[mi]
    names = list(ev.point)
    thetas = np.array([[ev.point[n] for n in names]] + [list(row) for row in np.column_stack([ev.members[n][:, 0] for n in names])])
    th = {n: thetas[:, k:k + 1] for k, n in enumerate(names)}
    offset = np.vstack([[[ev.point_offset]], ev.lab_offset])  # the point's lab offset, then each draw's (a new lab)
    cell, lim, w = spec.cell, spec.scalarisation.limits, spec.scalarisation.weights.model_dump()
    v0 = ev.stack.thickness_um
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        act = np.where(none, 0.0, sol * np.minimum(1.0, 2.0 * ec) ** th["ec_exponent"])[:, row]
        e_m = th["eta_floor_mV"] + th["eta_inert_mV"] * (1 - act) * (1 - th["phase_relief"] * np.where(none, 0.0, ph)[row])
        e_c = th["eta_floor_mV"] + th["eta_amorphous_carbon_mV"] * (1 - th["graphite_relief"] * g[row])
        slope = 2.0 * (th["toughness_pressure_size_slope"] - 0.5)
        x = 1.0 + slope * np.log10(part / D_REF_NM)
        m = th["toughness_pressure_exponent"] * (0.05 + np.logaddexp(0.0, 20.0 * (x - 0.05)) / 20.0)
        free = np.exp(np.minimum(np.log(th["toughness_100MPa_J_m2"]) + m * np.log(cell.fab_mpa / 100.0)
                                 + th["toughness_size_exponent"] * np.log(D_REF_NM / part), 50.0))
        tough = 1.0 / (1.0 / free + 1.0 / th["toughness_cohesive_J_m2"])
        arr = np.exp(SOURCED_VALUE["transport_Ea_eV"] / K_B_EV * (1.0 / (cell.temperature_c + 273.15) - 1.0 / T_REF_K))
        barrier = ((th["transport_mV"] * t_c[row] / 1000.0 + th["interface_ohm_cm2"]) * cell.current_ma_cm2 * arr
                   + th["adhesion_barrier_mV"] / (1.0 + tough / th["toughness_scale_J_m2"]))
        bottom = np.where(none[row], th["eta_floor_mV"] + th["eta_inert_mV"], e_m)
        margin_x = e_c - bottom - barrier + offset
        p_x = th["lapse"] / 2 + (1 - th["lapse"]) * 0.5 * (1 + np.tanh(0.5 * margin_x / th["scale_mV"]))
        margin = np.add.reduceat(margin_x * weight, starts, axis=-1)
        p = np.add.reduceat(p_x * weight, starts, axis=-1)[1:].mean(axis=0)
        lo = np.fmin(sorted_quantile(margin[1:], (1 - ev.interval) / 2), margin[0])
        li = t_m * 1e-7 * rho / mw * y * FARADAY_MAH_MOL + t_c * 1e-7 * q
        cost = (t_m * 1e-7 * rho * price + t_c * 1e-7 * crho * cprice) * 10.0
        growth = t_m * (ratio - 1.0)
        total = t_m + t_c
        wh_l = 100.0 * (1.0 - v0 / (v0 + total * 1e-3))
        closure = np.where(film, 1.0, 1.0 - spec.integrity.carbon_porosity ** (t_c / dd))
        sealed = np.where(none, closure, closure * (1.0 - np.exp(-t_m * rate)))
        rob = np.where(lo > 0, lo * sealed, lo)
        d = {"robustness": np.clip(rob / lim.margin_mV, 0, 1),
             "li_loss": np.clip(1 - 100 * li / cell.areal_capacity_mah_cm2 / lim.li_loss_pct, 0, 1),
             "cost": np.clip(1 - cost / lim.cost_usd_m2, 0, 1), "swelling": np.clip(1 - growth / lim.metal_growth_nm, 0, 1),
             "energy_density": np.clip(1 - wh_l / lim.wh_l_loss_pct, 0, 1)}
        score = sum(w[k] * d[k] for k in w) / sum(w.values())
        feasible = (p[0] >= spec.constraints.min_p_under_carbon) & (total <= spec.constraints.max_total_nm)
        float(score[feasible].max())
        best = min(best, time.perf_counter() - t0)
    return best, score


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--budgets", type=int, nargs="+", default=[200, 500, 1000])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip-build", action="store_true", help="leave out the model build (it takes a while)")
    ap.add_argument("--out", type=Path, help="also write the figures to this JSON file (replaced atomically)")
    args = ap.parse_args()
    report: dict = {"machine": {"python": platform.python_version(), "cores": os.cpu_count(),
                                "numpy": version("numpy"), "optuna": version("optuna")}}

    from screen.model.registry import ModelRegistry
    from screen.search.evaluator import DesignEvaluator
    from screen.search.grid import exhaustive_grid
    from screen.search.ranking import rank_designs, tie_aware_hits, top_pairs
    from screen.search.spec import load_study
    from screen.workflows.study import run_study

    tmp = Path(tempfile.mkdtemp(prefix="bench-screen-"))
    rows = []
    if not args.skip_build:
        t0 = time.perf_counter()
        ModelRegistry(tmp / "build").load(0, progress=False)
        report["model_v0_build_s"] = round(time.perf_counter() - t0, 2)
        rows.append(("model v0 build (s)", "<= 90", report["model_v0_build_s"], ""))
    registry = ModelRegistry(tmp / "models")
    pipeline, _ = registry.load(0, progress=False)
    spec = load_study(None)
    ev = DesignEvaluator(spec, pipeline)
    grid = exhaustive_grid(spec)
    codes = ev.codes(grid)
    ev.evaluate(*codes)
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        ev.evaluate(*codes)
        times.append(time.perf_counter() - t0)
    rate = len(grid) / min(times)
    ref_s, ref_score = reference_numpy(ev, codes)
    ours = ev.evaluate(*codes)["score"]
    if not np.allclose(ref_score, ours, rtol=1e-9, atol=1e-12):
        worst = int(np.argmax(np.abs(ref_score - ours)))
        raise SystemExit(f"the plain-numpy reference differs from the evaluator (design {worst}: {ref_score[worst]} vs "
                         f"{ours[worst]})")
    ref_rate = len(grid) / ref_s
    report["grid"] = {"designs": len(grid), "seconds": round(min(times), 4), "designs_per_second": round(rate),
                      "reference_designs_per_second": round(ref_rate), "speedup_over_reference": round(rate / ref_rate, 2)}
    rows.append(("exhaustive evaluation (designs/s, with intervals)", ">= 300k and >= 0.7 x reference",
                 f"{rate:,.0f} ({rate / ref_rate:.2f} x)", f"{ref_rate:,.0f}"))
    small = tuple(c[:50] for c in codes)
    t0 = time.perf_counter()
    for _ in range(200):
        ev.evaluate(*small)
    report["batch_of_50_ms"] = round((time.perf_counter() - t0) / 200 * 1000, 3)
    rows.append(("batch of 50 designs (ms)", "<= 2", report["batch_of_50_ms"], ""))
    env = {**os.environ, "INTERLAYER_MODEL_DIR": str(registry.root)}
    cmd = [sys.executable, "-m", "screen.cli", "screen", "--no-progress", "--output", str(tmp / "cli")]
    subprocess.run(cmd, env=env, check=True, capture_output=True)  # first run: caches of this process type
    walls = []
    for _ in range(5):
        t0 = time.perf_counter()
        subprocess.run(cmd + ["--overwrite"], env=env, check=True, capture_output=True)
        walls.append(time.perf_counter() - t0)
    report["warm_default_study_s"] = {"median": round(float(np.median(walls)), 2), "runs": [round(w, 2) for w in walls]}
    rows.append(("warm default study, end to end (s; median of 5, range)", "<= 5",
                 f"{np.median(walls):.2f} ({min(walls):.2f}-{max(walls):.2f})", ""))
    print(pd.DataFrame(rows, columns=["figure", "target", "measured", "plain-numpy reference"]).to_string(index=False))

    g = pd.concat([grid, pd.DataFrame(ev.evaluate(*codes))], axis=1).assign(trial=np.arange(len(grid)))
    from screen.analysis.ranks import posterior_ranking

    g_rank = rank_designs(g)
    ex_top = top_pairs(posterior_ranking(spec, pipeline, g_rank))  # the order ranking.csv is in
    recall_rows = []
    for b in args.budgets:
        out = tmp / f"run{b}"
        t0 = time.perf_counter()
        run_study(None, output=out, n_trials=b, seed=args.seed, model_dir=registry.root, progress=False, plots=False)
        wall = time.perf_counter() - t0
        trials = pd.read_csv(out / "trials.csv", keep_default_na=False, na_values=[""])
        opt = rank_designs(trials[trials["found_by"] == "optuna"])
        final = pd.read_csv(out / "ranking.csv", keep_default_na=False, na_values=[""])
        recall_rows.append({"trials": b, "wall_s_no_plots": round(wall, 2),
                            "top10_recall_final_ties_count": float(np.mean(tie_aware_hits(ex_top, final))),
                            "top10_recall_optuna_only": float(np.mean([p in set(top_pairs(posterior_ranking(spec, pipeline, opt)))
                                                                           for p in ex_top])),
                            "score_gap_grid_minus_optuna_only": round(float(g_rank["score"].iloc[0] - opt["score"].iloc[0]), 4),
                            "score_gap_grid_minus_final": round(float(g_rank["score"].iloc[0] - final["score"].iloc[0]), 4)})
    print(pd.DataFrame(recall_rows).to_string(index=False))
    report["budgets"] = recall_rows
    if args.out:
        from descriptors.atomic import atomic_target

        with atomic_target(args.out) as tmp_out:
            tmp_out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
