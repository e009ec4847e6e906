"""Benchmark of the sensitivity analysis (run: ``python benchmarks/bench_sensitivity.py``).

Measures the pool evaluator's throughput (design evaluations per second: one sample x one design) at
several sample counts, the wall time of each analysis on the default study's 30 best designs with all
23 factors, and how the Sobol confidence intervals of each output's most influential factor shrink with the base
sample size N.

Options: ``--n-base 64 256 1024``, ``--seed 0``, ``--pool 30``, ``--out benchmarks/results/sensitivity.json`` (also
write the figures there, atomically; ``render_docs.py`` quotes them).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n-base", type=int, nargs="+", default=[64, 256, 1024])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--pool", type=int, default=30)
    ap.add_argument("--out", type=Path, help="also write the figures to this JSON file")
    args = ap.parse_args()

    from screen.analysis.sensitivity import SensitivityAnalysis, _unit_to_values
    from screen.model.registry import ModelRegistry
    from screen.search.spec import load_study
    from screen.workflows.study import run_study

    tmp = Path(tempfile.mkdtemp(prefix="bench-sens-"))
    registry = ModelRegistry(tmp / "models")
    pipeline, _ = registry.load(0)
    ranked = run_study(None, output=tmp / "run", model_dir=registry.root, progress=False, plots=False)
    results: dict[str, object] = {}
    for n in args.n_base:
        spec = load_study(None, overrides={"sensitivity": {"n_base": n, "pool": args.pool}})
        sa = SensitivityAnalysis(spec, pipeline, ranked.head(args.pool), args.seed)
        timing = {}
        for name, fn in (("sobol", sa.sobol), ("morris", sa.morris), ("oat", sa.oat), ("rank_stability", sa.rank_stability)):
            t = time.perf_counter()
            out = fn()
            timing[f"{name}_s"] = round(time.perf_counter() - t, 3)
            if name == "sobol":
                live = out[~out["constant_output"]]
                lead = live.loc[live.groupby("output")["ST"].idxmax()]  # the most influential factor of each output
                timing["lead_factor_S1_conf_median"] = round(float(lead["S1_conf"].median()), 4)
                timing["lead_factor_ST_conf_median"] = round(float(lead["ST_conf"].median()), 4)
                timing["sobol_evaluations"] = sa.sobol_evaluations
        results[f"N={n}"] = timing
    spec = load_study(None, overrides={"sensitivity": {"pool": args.pool}})
    sa = SensitivityAnalysis(spec, pipeline, ranked.head(args.pool), args.seed)
    rng = np.random.default_rng(args.seed)
    for s in (1_000, 10_000, 50_000):
        u = rng.random((s, len(sa.factors)))
        t = time.perf_counter()
        sa.evaluator.evaluate(_unit_to_values(sa.factors, u), s)
        dt = time.perf_counter() - t
        results[f"evaluations_per_s@{s}x{sa.evaluator.k}"] = round(s * sa.evaluator.k / dt)
    results["factors"] = len(sa.factors)
    results["pool"] = args.pool
    text = json.dumps(results, indent=1)
    print(text)
    if args.out:
        from descriptors.atomic import atomic_target

        with atomic_target(args.out) as tmp_out:
            tmp_out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
