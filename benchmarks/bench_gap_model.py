"""Benchmark: the gap model's posterior build, the nested leave-one-study-out validation, and batch prediction.

Run: ``python benchmarks/bench_gap_model.py [--rows 100000] [--nested] [--out FILE.json]`` (prints a JSON report).
Measures the MAP fit (the sampler's starting point), the posterior build of the registry (NUTS with the ``full``
profile: 4 chains x (1000 warm-up + 1000 draws), its diagnostics), the quick leave-one-study-out the registry stores
(MAP folds), and batch prediction with intervals over the 128 posterior draws for N random candidates (descriptors
computed per distinct metal and carbon, then vectorised), excluding CSV input/output. ``--nested`` adds the headline:
the nested leave-one-study-out of ``interlayer calibrate`` (every fold a full posterior), with its metrics, the
per-study table and the headline without LI25; the issue's budget on two cores is 15 minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from importlib.metadata import version

import numpy as np
import pandas as pd


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def _records(frame: pd.DataFrame) -> list[dict]:
    return json.loads(frame.to_json(orient="records"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000, help="candidates in the batch-prediction case")
    ap.add_argument("--nested", action="store_true", help="also run the nested leave-one-study-out validation")
    ap.add_argument("--out", help="also write the report to this JSON file")
    args = ap.parse_args()

    from screen.model.cells import validate_candidates
    from screen.model.registry import N_DRAWS
    from screen.model.training import cross_validate, make_pipeline, training_set

    ts, t_data = _timed(training_set)
    make_pipeline(n_draws=0).fit(ts.X, ts.y)  # warm-up: descriptor caches
    _, t_map = _timed(lambda: make_pipeline(n_draws=0).fit(ts.X, ts.y))
    pipe, t_post = _timed(lambda: make_pipeline(n_draws=N_DRAWS, sampler="full").fit(ts.X, ts.y))
    _, t_loso_map = _timed(lambda: cross_validate(ts, "loso"))

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
                    "cores": os.cpu_count(), "numpy": version("numpy"), "jax": version("jax"), "numpyro": version("numpyro")},
        "training": {"observations": int(len(ts.X)), "location_records": int(ts.location_mask.sum())},
        "seconds": {"load_training_data": round(t_data, 3), "fit_map": round(t_map, 3),
                    "posterior_build_full_sampler": round(t_post, 3), "loso_map_folds_with_baselines": round(t_loso_map, 3)},
        "diagnostics": pipe.named_steps["gap"].diagnostics_,
        "batch_prediction": {"rows": n, "draws": N_DRAWS, "validate_s": round(t_validate, 3), "featurize_s": round(t_feat, 3),
                             "predict_with_intervals_s": round(t_pred, 3), "candidates_per_second": round(n / total)},
    }
    if args.nested:
        from screen.model.validation import INFLUENTIAL_STUDY, validate

        rep, t_nested = _timed(lambda: validate(ts, n_draws=N_DRAWS, sampler="full", progress=True))
        report["seconds"]["nested_loso_full_sampler"] = round(t_nested, 1)
        report["nested_loso"] = {"metrics": _records(rep["metrics"]["loso"]), "per_study": _records(rep["per_study"]),
                                 f"without_{INFLUENTIAL_STUDY}": _records(rep["without"][INFLUENTIAL_STUDY]),
                                 "predictions": _records(rep["predictions"]["loso"])}
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
