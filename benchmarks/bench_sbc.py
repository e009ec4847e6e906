"""Benchmark: simulation-based calibration of the gap model's inference at the corpus' own design.

Run: ``python benchmarks/bench_sbc.py [--sims 100] [--chains 2] [--warmup 500] [--samples 500] [--out FILE.json]``.
Draws parameters and lab effects from the priors, simulates every observation of the curated corpus' design with the
model's measurement models (censored rows become exact values of the same quantity), samples each simulated data set's
posterior with NUTS (target acceptance 0.99, dense mass matrix: the registry's settings; chains and iterations from
the options) and tests the ranks of the true values among 99 thinned draws for uniformity per parameter (chi-square,
10 bins). Simulations run in chunks of ``--chunk`` in fresh processes and their ranks are appended to ``--ranks``
(a CSV), so an interrupted run resumes where it stopped. Prints a JSON report with the p-values, the rank counts and
the time per fit.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path


def _settings(args: argparse.Namespace):
    from screen.model.inference import SamplerSettings

    return SamplerSettings(num_chains=args.chains, num_warmup=args.warmup, num_samples=args.samples, target_accept=0.99,
                           dense_mass=True, seed=args.seed)


def _worker(args: argparse.Namespace) -> None:
    from screen.model.simulate import sbc_ranks
    from screen.model.training import make_pipeline, training_set

    ts = training_set()
    pipe = make_pipeline(n_draws=0)
    data = pipe.named_steps["gap"].model_data(pipe.named_steps["cells"].fit_transform(ts.X), ts.y)
    ranks = sbc_ranks(data, _settings(args), args.n, n_draws=99, seed=args.seed, first=args.first)
    path = Path(args.ranks)
    ranks.to_csv(path, mode="a", header=not path.exists(), index=False)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sims", type=int, default=100)
    ap.add_argument("--chains", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=500)
    ap.add_argument("--samples", type=int, default=500)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--chunk", type=int, default=10, help="simulations per worker process")
    ap.add_argument("--ranks", default="sbc_ranks.csv", help="CSV the ranks are appended to (resumed from)")
    ap.add_argument("--out", help="also write the report to this JSON file")
    ap.add_argument("--first", type=int, help=argparse.SUPPRESS)  # worker mode
    ap.add_argument("--n", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.first is not None:
        _worker(args)
        return

    import pandas as pd

    from screen.model.simulate import uniformity

    path = Path(args.ranks)
    done = set(pd.read_csv(path)["simulation"]) if path.exists() else set()
    t0 = time.perf_counter()
    todo = [s for s in range(args.sims) if s not in done]
    for start in range(0, len(todo), args.chunk):
        chunk = todo[start:start + args.chunk]
        cmd = [sys.executable, __file__, "--first", str(chunk[0]), "--n", str(len(chunk)), "--ranks", str(path),
               "--chains", str(args.chains), "--warmup", str(args.warmup), "--samples", str(args.samples), "--seed", str(args.seed)]
        subprocess.run(cmd, check=True)
        print(f"simulations {chunk[0]}-{chunk[-1]} done ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    seconds = time.perf_counter() - t0
    ranks = pd.read_csv(path)
    ranks = ranks[ranks["simulation"] < args.sims].drop_duplicates(["simulation", "parameter"])
    table = uniformity(ranks, bins=10)
    per_fit = ranks.groupby("simulation")[["diverging", "r_hat_max"]].first()
    report = {"simulations": int(per_fit.shape[0]), "sampler": vars(_settings(args)),
              "seconds_this_run": round(seconds, 1), "seconds_per_fit_this_run": round(seconds / max(len(todo), 1), 2),
              "fits_with_divergences": int((per_fit["diverging"] > 0).sum()),
              "fits_with_r_hat_above_1.01": int((per_fit["r_hat_max"] > 1.01).sum()),
              "min_p_value": float(table["chi2_p_value"].min()), "bonferroni_alpha_0.05": 0.05 / len(table),
              "uniformity": json.loads(table.to_json(orient="records"))}
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
