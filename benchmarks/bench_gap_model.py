"""Benchmark: gap-model fit, cross-validation and batch-prediction throughput.

Run: ``python benchmarks/bench_gap_model.py [--rows 100000]`` (prints a JSON report).
Measures the MAP fit on the curated data (no bootstrap), the full fit with the
registry's 32 bootstrap refits, leave-one-record-out and leave-one-study-out
cross-validation (gap model + both baselines), and batch prediction with
intervals for N random candidates (descriptors computed per distinct metal and
carbon, then vectorised), excluding CSV input/output.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from importlib.metadata import version

import numpy as np
import pandas as pd


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000, help="candidates in the batch-prediction case")
    args = ap.parse_args()

    from screen.model.cells import validate_candidates
    from screen.model.registry import N_BOOTSTRAP
    from screen.model.training import cross_validate, make_pipeline, training_set

    ts, t_data = _timed(training_set)
    make_pipeline(n_bootstrap=0).fit(ts.X, ts.y)  # warm-up: descriptor caches
    _, t_map = _timed(lambda: make_pipeline(n_bootstrap=0).fit(ts.X, ts.y))
    pipe, t_full = _timed(lambda: make_pipeline(n_bootstrap=N_BOOTSTRAP).fit(ts.X, ts.y))
    _, t_loo = _timed(lambda: cross_validate(ts, "loo"))
    _, t_loso = _timed(lambda: cross_validate(ts, "loso"))

    rng = np.random.default_rng(0)
    n = args.rows
    raw = pd.DataFrame({
        "metal": rng.choice(["Mg", "Ag", "Zn", "Sn", "Al", "Au", "Cu", "In", "Bi", "none"], n),
        "carbon": rng.choice(["carbon_black", "graphite", "c60_film", "ketjen_black", "hard_carbon"], n),
        "carbon_nm": rng.uniform(50, 10_000, n).round(1).astype(str),
        "fab_mpa": rng.uniform(5, 500, n).round(1).astype(str),
        "current_ma_cm2": rng.uniform(0.05, 2, n).round(3).astype(str),
    })
    (cand, _), t_validate = _timed(lambda: validate_candidates(raw))
    feats, t_feat = _timed(lambda: pipe.named_steps["cells"].transform(cand))
    terms, t_pred = _timed(lambda: pipe.named_steps["gap"].predict_terms(feats))
    assert len(terms) == n
    total = t_validate + t_feat + t_pred
    report = {
        "machine": {"python": platform.python_version(), "cpu": platform.processor() or platform.machine(),
                    "numpy": version("numpy"), "scikit-learn": version("scikit-learn")},
        "training": {"observations": int(len(ts.X)), "location_records": int(ts.location_mask.sum())},
        "seconds": {"load_training_data": round(t_data, 3), "fit_map": round(t_map, 3),
                    f"fit_map_plus_{N_BOOTSTRAP}_bootstrap": round(t_full, 3),
                    "loo_cv_with_baselines": round(t_loo, 3), "loso_cv_with_baselines": round(t_loso, 3),
                    "fit_plus_loo": round(t_map + t_loo, 3)},
        "batch_prediction": {"rows": n, "validate_s": round(t_validate, 3), "featurize_s": round(t_feat, 3),
                             "predict_with_intervals_s": round(t_pred, 3),
                             "candidates_per_second": round(n / total)},
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
