"""Replay of ``interlayer suggest`` on the curated literature: does choosing by information beat choosing at random?

Run: ``python benchmarks/bench_suggest.py`` (``--seeds 5``, ``--members 6``; writes ``--out`` = ``runs/bench_suggest``:
``curves.csv``, ``summary.csv`` and ``replay.png``).

For each seed the studies of the training set are shuffled: three are held out for testing, two start the training
set, and the records of the rest form the pool. Each step adds one pool record (all its rows) and refits; the metric
is the log-loss of the Li-location predictions on the held-out studies' cells (under = 1, above = 0; mixed skipped).
Three ways of choosing:

* ``suggest`` — the record whose Li-location row has the highest BALD information over a bootstrap ensemble of
  ``--members`` refits (:func:`screen.analysis.suggest.bald`); records without a location row score 0;
* ``random`` — a random record (seeded);
* ``literature`` — the order the studies appeared in (the year in the study id), records in file order.

The summary gives, per strategy, the mean and spread over seeds of the log-loss after each number of added records,
and the number of records needed to come within 0.05 of the log-loss of the model fitted on the whole pool.
"""

from __future__ import annotations

import argparse
import re
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd


def _year(study_id: str) -> int:
    m = re.search(r"(\d{2})", study_id)
    return int(m.group(1)) if m else 99


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--members", type=int, default=6)
    ap.add_argument("--out", default="runs/bench_suggest")
    args = ap.parse_args()
    warnings.filterwarnings("ignore")

    from sklearn.metrics import log_loss

    from screen.analysis.suggest import bald
    from screen.model.parameters import PARAM_NAMES, to_natural
    from screen.model.physics import terms
    from screen.model.training import make_pipeline, training_set

    ts = training_set()
    X, y = ts.X.reset_index(drop=True), np.asarray(ts.y, dtype=object)
    loc = (X["observable"] == "li_location").to_numpy() & np.isin(y, ["under_carbon", "above_carbon"])
    studies = sorted(X["study_id"].unique())
    t_start = time.perf_counter()

    def fit(rows: np.ndarray, members: int, seed: int):
        return make_pipeline(n_bootstrap=members, random_state=seed).fit(X.iloc[rows], y[rows])

    def test_loss(model, test: np.ndarray) -> float:
        p = model.predict_proba(X.iloc[test])[:, 1]
        return float(log_loss((y[test] == "under_carbon").astype(int), np.clip(p, 1e-6, 1 - 1e-6), labels=[0, 1]))

    def member_bald(model, rows: np.ndarray) -> np.ndarray:
        gap = model.named_steps["gap"]
        feats = model.named_steps["cells"].transform(X.iloc[rows])
        natural = to_natural(gap.ensemble_z_)
        theta = {n: natural[:, k:k + 1] for k, n in enumerate(PARAM_NAMES)}
        return bald(np.asarray(terms(theta, gap.design(feats))["p_under_carbon"], dtype=float))

    curves = []
    for seed in range(args.seeds):
        rng = np.random.default_rng(seed)
        order = list(rng.permutation(studies))
        with_loc = [s for s in order if loc[X["study_id"].to_numpy() == s].any()]
        test_studies = with_loc[:3]
        rest = [s for s in order if s not in test_studies]
        start_studies, pool_studies = rest[:2], rest[2:]
        test = np.flatnonzero(X["study_id"].isin(test_studies).to_numpy() & loc)
        start = np.flatnonzero(X["study_id"].isin(start_studies).to_numpy())
        pool_records = list(dict.fromkeys(X.loc[X["study_id"].isin(pool_studies), "record_id"]))
        rows_of = {r: np.flatnonzero((X["record_id"] == r).to_numpy()) for r in pool_records}
        full = fit(np.concatenate([start, *rows_of.values()]), 0, seed)
        final = test_loss(full, test)
        for strategy in ("suggest", "random", "literature"):
            chosen: list[str] = []
            remaining = list(pool_records)
            if strategy == "literature":
                remaining.sort(key=lambda r: (_year(str(X.loc[rows_of[r][0], "study_id"])), pool_records.index(r)))
            pick_rng = np.random.default_rng(1000 + seed)
            for step in range(len(pool_records) + 1):
                rows = np.concatenate([start, *(rows_of[r] for r in chosen)]) if chosen else start
                model = fit(rows, args.members if strategy == "suggest" else 0, seed)
                curves.append({"seed": seed, "strategy": strategy, "added": step, "log_loss": test_loss(model, test),
                               "final_log_loss": final, "test_cells": int(test.size), "pool_records": len(pool_records)})
                if not remaining:
                    break
                if strategy == "suggest":
                    info = []
                    for r in remaining:
                        lr = [i for i in rows_of[r] if loc[i]]
                        info.append(float(member_bald(model, np.array(lr)).max()) if lr else 0.0)
                    nxt = remaining[int(np.argmax(info))]
                elif strategy == "random":
                    nxt = remaining[int(pick_rng.integers(len(remaining)))]
                else:
                    nxt = remaining[0]
                chosen.append(nxt)
                remaining.remove(nxt)
        print(f"seed {seed} done ({time.perf_counter() - t_start:.0f} s)", flush=True)

    df = pd.DataFrame(curves)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    df.to_csv(out / "curves.csv", index=False)
    reached = (df.assign(ok=df["log_loss"] <= df["final_log_loss"] + 0.05)
               .query("ok").groupby(["seed", "strategy"])["added"].min().unstack())
    summary = pd.DataFrame({"records_to_reach_final_mean": reached.mean(), "records_to_reach_final_sd": reached.std(),
                            "records_to_reach_final_min": reached.min(), "records_to_reach_final_max": reached.max()})
    summary.to_csv(out / "summary.csv")
    print(summary.round(2).to_string())
    mean = df.groupby(["strategy", "added"])["log_loss"].agg(["mean", "std"]).reset_index()
    print(mean.pivot(index="added", columns="strategy", values="mean").round(3).to_string())
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2))
    for strategy, g in mean.groupby("strategy"):
        ax.plot(g["added"], g["mean"], "-o", ms=3, label=strategy)
        ax.fill_between(g["added"], g["mean"] - g["std"], g["mean"] + g["std"], alpha=0.15)
    ax.axhline(df["final_log_loss"].mean(), color="k", ls="--", lw=1, label="fitted on the whole pool (mean)")
    ax.set_xlabel("records added from the pool")
    ax.set_ylabel("log-loss on held-out studies (mean ± sd over seeds)")
    ax.set_title(f"Replay of interlayer suggest on the curated literature ({args.seeds} seeds)", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "replay.png", dpi=110)
    print(f"written {out}/ (curves.csv, summary.csv, replay.png) in {time.perf_counter() - t_start:.0f} s")


if __name__ == "__main__":
    main()
