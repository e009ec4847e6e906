"""Benchmark of the screening loop on the default study (run: ``python benchmarks/bench_screen.py``).

Measures, in one run:

* optuna overhead per trial: time in the optuna loop (ask, suggest, set_constraint, tell, journal writes,
  sampler pickling) minus the time the same designs take to evaluate in batches of one generation;
* exhaustive candidates per second: the dense grid of ``--exhaustive``;
* top-10 recall of the exhaustive (metal, carbon) pairs by the optuna ranking at several trial budgets.

Options: ``--budgets 200 500 1000 2000``, ``--seed 0``, ``--grid 12`` (points per thickness axis).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import pandas as pd


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--budgets", type=int, nargs="+", default=[200, 500, 1000, 2000])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--grid", type=int, default=12)
    args = ap.parse_args()

    from screen.search.objectives import evaluate
    from screen.model.registry import ModelRegistry
    from screen.search.optimize import completed_designs, run_exhaustive
    from screen.search.ranking import rank_designs, top_pairs
    from screen.search.spec import load_study

    tmp = Path(tempfile.mkdtemp(prefix="bench-screen-"))
    registry = ModelRegistry(tmp / "models")
    pipeline, _ = registry.load(0)
    spec = load_study(None, overrides={"exhaustive": {"metal_nm_points": args.grid, "carbon_nm_points": args.grid}})
    grid, grid_s = run_exhaustive(spec, pipeline)
    grid["trial"] = range(len(grid))
    ex_top = top_pairs(rank_designs(grid))
    print(f"exhaustive grid: {len(grid):,} designs in {grid_s:.2f} s = {len(grid) / grid_s:,.0f} candidates/s")
    print(f"exhaustive top-10 pairs: {', '.join(f'{m}/{c}' for m, c, _ in ex_top)}")

    from screen.workflows.study import run_study

    rows = []
    for b in args.budgets:
        out = tmp / f"run{b}"
        t0 = time.perf_counter()
        ranked = run_study(None, output=out, n_trials=b, seed=args.seed, model_dir=registry.root, progress=False, plots=False)
        wall = time.perf_counter() - t0
        run = json.loads((out / "run.json").read_text())
        import optuna

        storage = optuna.storages.JournalStorage(optuna.storages.journal.JournalFileBackend(str(out / "study.journal")))
        designs = completed_designs(optuna.load_study(study_name=spec.study.name, storage=storage)).drop(columns="trial")
        t1 = time.perf_counter()
        pop = spec.study.population_size
        for i in range(0, len(designs), pop):
            evaluate(spec, pipeline, designs.iloc[i:i + pop])
        eval_s = time.perf_counter() - t1
        overhead_ms = 1000 * (run["optimize_seconds"] - eval_s) / b
        recall = len(set(ex_top) & set(top_pairs(ranked))) / len(ex_top)
        rows.append({"trials": b, "optimize_s": run["optimize_seconds"], "evaluation_s": round(eval_s, 3),
                     "optuna_overhead_ms_per_trial": round(overhead_ms, 2), "wall_s_incl_outputs": round(wall, 2),
                     "top10_recall": recall, "best_score": round(float(ranked["score"].iloc[0]), 4),
                     "best_grid_score": round(float(rank_designs(grid)["score"].iloc[0]), 4)})
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
