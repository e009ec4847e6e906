"""Does ``interlayer suggest`` learn? Simulated campaigns, and a replay on the curated literature.

Run: ``python benchmarks/bench_suggest.py [--campaigns 50] [--rounds 8] [--batch 3] [--replay-seeds 5]`` (writes
``--out`` = ``runs/bench_suggest``: ``campaigns.csv``, ``replay.csv``, ``campaigns.png``; and the figures with their
intervals in ``benchmarks/results/suggest.json``). About 20 minutes on two cores once the default model is built: 15 for the
campaigns (with and without the refit) and the refit check, 4 for the replay.

**Simulated campaigns** (:mod:`screen.analysis.campaigns`, :mod:`screen.analysis.decision`): a true world drawn
from the posterior (and, separately, from the prior), every cell's outcome simulated from the model's own measurement
model; ``rounds`` rounds of ``batch`` cells chosen by ``ranking`` (expected information about the top 10), ``bald``
(information about the parameters), ``random`` or ``literature`` order, the members reweighted by the outcomes after
each round, and refitted by resample-move (:mod:`screen.analysis.resample_move`) whenever the effective sample size
falls below 100. Reported per round: log-loss against the truth over the pool, the error of the parameters that set
the ranking, top-10 recovery; and at 12 cells (the issue's budget) and at the last round the paired differences
ranking - random (top-10 recovery) and bald - random (log-loss) with 90 % intervals over campaigns. The same
campaigns without the refit (weights alone) are run beside them, to show what the refit changes.

**Refit check** (prior world, where an exact reference is cheap): after 24 random cells, the pool's mean P(under) from
(a) the reweighted members, (b) the resample-moved members and (c) a reference importance sample of 100,000 fresh
prior draws; mean absolute differences from (c), with a second reference's distance as the Monte Carlo floor.

**Replay** on the curated record: for each seed the studies are shuffled, three with plating locations held out, two
start the fit (NUTS, full profile), the records of the rest form the pool; records are added one at a time by each
strategy, the start posterior's 4,000 draws reweighted by every observation of the added record (importance
reweighting, ESS reported); the metric is the log-loss on the held-out studies' cells and the number of records to
come within 0.05 of the log-loss with the whole pool added.
"""

from __future__ import annotations

import argparse
import json
import re
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

RESULTS = Path(__file__).resolve().parent / "results"


def _year(study_id: str) -> int:
    m = re.search(r"(\d{2})", study_id)
    return int(m.group(1)) if m else 99


def simulate(args: argparse.Namespace, out: Path) -> dict:
    from screen.analysis import campaigns as sc
    from screen.analysis.decision import ESS_FLOOR

    t0 = time.perf_counter()
    setup = sc.build(n_members=args.members, n_truths=args.campaigns, pool_pairs=args.pool_pairs, seed=0)
    t_setup = time.perf_counter() - t0
    frames = [sc.run(setup, world, args.campaigns, args.rounds, args.batch, progress=True, refit=refit)
              for refit in (True, False) for world in ("posterior", "prior")]
    both = pd.concat(frames, ignore_index=True)
    both.to_csv(out / "campaigns.csv", index=False)
    df, plain = both[both["refit"]], both[~both["refit"]]
    cells = args.rounds * args.batch
    diffs = []
    for world, g in df.groupby("world"):
        for at in sorted({args.headline_cells, cells}):
            for metric, a in (("top_k_recovery", "ranking"), ("top_k_recovery", "bald"), ("log_loss_vs_truth", "bald"),
                              ("log_loss_vs_truth", "ranking"), ("rank_parameter_error", "ranking"),
                              ("rank_parameter_error", "bald")):
                diffs.append(sc.paired_difference(g, metric, a, "random", at) | {"world": world})
    no_refit = [sc.paired_difference(g, metric, a, "random", args.headline_cells) | {"world": world}
                for world, g in plain.groupby("world")
                for metric, a in (("top_k_recovery", "ranking"), ("log_loss_vs_truth", "bald"))]
    metrics = ["top_k_recovery", "log_loss_vs_truth", "rank_parameter_error", "ess"]
    summary = df[df["cells"] == cells].groupby(["world", "strategy"])[metrics].agg(["mean", "min"]).round(4)
    print(summary.to_string())
    print(pd.DataFrame(diffs).round(4).to_string())
    print("without the refit:\n" + pd.DataFrame(no_refit).round(4).to_string())
    last = df[df["cells"] == cells]
    refits = {"campaigns_refitted": json.loads(last.assign(r=last["refits"] > 0).groupby(["world", "strategy"])["r"].mean()
                                               .round(3).reset_index().to_json(orient="records")),
              "refits_per_campaign": float(last["refits"].mean()),
              "move_acceptance_mean": float(df["move_acceptance"].mean()),
              "distinct_members_after_refit_mean": float(df["distinct_after_refit"].mean()),
              "ess_below_floor_without_refit_at_headline": json.loads(
                  plain[plain["cells"] == args.headline_cells].assign(low=lambda d: d["ess"] < ESS_FLOOR)
                  .groupby(["world", "strategy"])["low"].mean().round(3).reset_index().to_json(orient="records"))}
    print(json.dumps(refits))
    check = refit_check(setup)
    print("refit check:", json.dumps(check))
    _plot(df, out / "campaigns.png")
    from screen.model.parameters import PARAM_NAMES

    return {"setup": {"members": args.members, "campaigns": args.campaigns, "rounds": args.rounds, "batch": args.batch,
                      "pool_cells": int(len(setup.pool)), "pool_pairs": args.pool_pairs, "designs": int(len(setup.designs)),
                      "rank_parameters": [PARAM_NAMES[i] for i in setup.rank_params], "model": setup.model,
                      "seconds_setup": round(t_setup, 1), "seconds_total": round(time.perf_counter() - t0, 1)},
            "final_round": json.loads(df[df["cells"] == cells].groupby(["world", "strategy"])[metrics].mean().reset_index()
                                      .to_json(orient="records")),
            "differences": diffs,
            "differences_without_refit": no_refit,
            "refits": refits,
            "refit_check": check}


def refit_check(setup: object, n_worlds: int = 8, n_cells: int = 24, n_reference: int = 100_000, seed: int = 11) -> dict:
    """The refit against an exact reference in the prior world (see the module docstring)."""
    from screen.analysis import campaigns as sc
    from screen.analysis.decision import member_predictions
    from screen.model.parameters import LAB_SCALE_PRIOR_MV, PRIOR_CENTER, PRIOR_SIGMA

    rng = np.random.default_rng(seed)  # the reference draws; each world has its own streams below
    mover, members = setup.movers["prior"], setup.members["prior"]
    _, pool_t, _ = setup.truths["prior"]
    k = members.z.shape[1]

    def fresh(n: int, s: int) -> object:
        return sc.member_state(PRIOR_CENTER + PRIOR_SIGMA * rng.standard_normal((n, k)),
                               np.abs(LAB_SCALE_PRIOR_MV * rng.standard_normal(n)), np.zeros((n, 0)), rng.standard_normal(n), s)

    refs = [fresh(n_reference, seed + j) for j in range(2)]
    rows = []
    for c in range(n_worlds):
        world_rng = np.random.default_rng([seed, c])
        cells = world_rng.choice(len(setup.pool), n_cells, replace=False)
        y = world_rng.random(n_cells) < pool_t[c % len(pool_t)][cells]

        def weights(p: np.ndarray, y: np.ndarray = y) -> np.ndarray:
            p = np.clip(p, 1e-9, 1 - 1e-9)
            lw = np.sum(np.where(y, np.log(p), np.log(1 - p)), axis=1)
            w = np.exp(lw - lw.max())
            return w / w.sum()

        ref_means, ref_ess = [], []
        for ref in refs:
            w = weights(member_predictions(mover.evaluator, setup.pool.iloc[cells], ref.theta(), ref.offsets_mV))
            ref_ess.append(float(1 / np.sum(w**2)))
            pick = ref.take(world_rng.choice(n_reference, 4000, p=w))
            ref_means.append(mover.predict(pick, setup.pool).mean(axis=0))
        w = weights(members.pool_p[:, cells])
        moved, acc = mover.move(members.state, w, cells, y, np.random.default_rng([seed, c, 1]))
        rows.append({"world": c, "ess_reweighted": float(1 / np.sum(w**2)), "ess_reference": min(ref_ess),
                     "mae_reweighted": float(np.mean(np.abs(w @ members.pool_p - ref_means[0]))),
                     "mae_refit": float(np.mean(np.abs(mover.predict(moved, setup.pool).mean(axis=0) - ref_means[0]))),
                     "mae_reference_floor": float(np.mean(np.abs(ref_means[1] - ref_means[0]))), "acceptance": acc})
    df = pd.DataFrame(rows)
    print(df.round(4).to_string())
    return {"worlds": rows, "mean": json.loads(df.mean().to_json())}


def _plot(df: pd.DataFrame, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(9, 6.4))
    for row, world in enumerate(("posterior", "prior")):
        g = df[df["world"] == world]
        for col, metric in enumerate(("top_k_recovery", "log_loss_vs_truth")):
            ax = axes[row, col]
            for strategy, h in g.groupby("strategy"):
                m = h.groupby("cells")[metric].mean()
                ax.plot(m.index, m.values, "-o", ms=3, label=strategy)
            ax.set_xlabel("cells made")
            ax.set_ylabel(metric.replace("_", " "))
            ax.set_title(f"true world from the {world}", fontsize=9)
    axes[0, 0].legend(fontsize=8)
    fig.subplots_adjust(left=0.09, right=0.98, top=0.95, bottom=0.08, hspace=0.35, wspace=0.28)
    fig.savefig(path, dpi=110)


def _replay_seed(seed: int, X: pd.DataFrame, y: np.ndarray, loc: np.ndarray, studies: list[str]) -> list[dict]:
    """One seed of the replay (see the module docstring): curves of every strategy."""
    from screen.analysis.suggest import bald
    from screen.model.likelihood import Targets, pointwise_log_likelihood
    from screen.model.parameters import PARAM_NAMES, to_natural
    from screen.model.physics import terms
    from screen.model.training import make_pipeline

    rng = np.random.default_rng(seed)
    order = list(rng.permutation(studies))
    with_loc = [s for s in order if loc[X["study_id"].to_numpy() == s].any()]
    test_studies = with_loc[:3]
    rest = [s for s in order if s not in test_studies]
    start_studies, pool_studies = rest[:2], rest[2:]
    start = X["study_id"].isin(start_studies).to_numpy()
    pipe = make_pipeline(n_draws=128, sampler="full", random_state=seed).fit(X[start], y[start])
    gap, cells = pipe.named_steps["gap"], pipe.named_steps["cells"]
    post = gap.idata_.posterior
    z = np.asarray(post["z"]).reshape(-1, len(PARAM_NAMES))
    tau = np.asarray(post["lab_scale_mV"]).reshape(-1) if "lab_scale_mV" in post else np.zeros(len(z))
    nat = to_natural(z)
    theta = {n: nat[:, k:k + 1] for k, n in enumerate(PARAM_NAMES)}

    def member_terms(rows: np.ndarray) -> dict:
        d = gap.design(cells.transform(X.iloc[rows]))
        sid = X["study_id"].to_numpy()[rows]
        labs = {s: tau * rng.standard_normal(len(tau)) for s in np.unique(sid)}  # each study a new lab, per member
        return terms(theta, d, np.column_stack([labs[s] for s in sid])[:, d.row])

    test = np.flatnonzero(X["study_id"].isin(test_studies).to_numpy() & loc)
    p_test = member_terms(test)["p_under_carbon"]
    y_test = (y[test] == "under_carbon").astype(float)
    pool_rows = np.flatnonzero(X["study_id"].isin(pool_studies).to_numpy())
    t_pool = member_terms(pool_rows)
    obs = X["observable"].fillna("li_location").to_numpy(object)[pool_rows]
    ll = pointwise_log_likelihood(t_pool, Targets.encode(obs, y[pool_rows]))  # members x pool rows
    rid = X["record_id"].to_numpy(object)[pool_rows]
    records = list(dict.fromkeys(rid))
    of = {r: np.flatnonzero(rid == r) for r in records}
    loc_pool = loc[pool_rows]
    year = {r: _year(str(X["study_id"].to_numpy()[pool_rows[of[r][0]]])) for r in records}

    def loss(w: np.ndarray) -> float:
        p = np.clip(w @ p_test, 1e-6, 1 - 1e-6)
        return float(-np.mean(y_test * np.log(p) + (1 - y_test) * np.log(1 - p)))

    def weights(chosen: list[str]) -> np.ndarray:
        lw = sum((ll[:, of[r]].sum(axis=1) for r in chosen), np.zeros(len(z)))
        w = np.exp(lw - lw.max())
        return w / w.sum()

    final_w = weights(records)
    final = loss(final_w)
    curves = []
    for strategy in ("suggest", "random", "literature"):
        chosen: list[str] = []
        remaining = sorted(records, key=lambda r: (year[r], records.index(r))) if strategy == "literature" else list(records)
        pick = np.random.default_rng(1000 + seed)
        for step in range(len(records) + 1):
            w = weights(chosen)
            curves.append({"seed": seed, "strategy": strategy, "added": step, "log_loss": loss(w), "final_log_loss": final,
                           "ess": float(1 / np.sum(w**2)), "final_ess": float(1 / np.sum(final_w**2)),
                           "test_cells": int(test.size), "pool_records": len(records)})
            if not remaining:
                break
            if strategy == "suggest":  # the record whose location cells the reweighted members disagree on most (BALD)
                p_loc = t_pool["p_under_carbon"]
                info = []
                for r in remaining:
                    cols = of[r][loc_pool[of[r]]]
                    info.append(float(np.max(bald(p_loc[:, cols][np.random.default_rng(seed).choice(len(w), 1000, p=w)])))
                                if cols.size else 0.0)
                nxt = remaining[int(np.argmax(info))]
            elif strategy == "random":
                nxt = remaining[int(pick.integers(len(remaining)))]
            else:
                nxt = remaining[0]
            chosen.append(nxt)
            remaining.remove(nxt)
    return curves


def replay(args: argparse.Namespace, out: Path) -> dict:
    from screen.model.training import training_set

    ts = training_set()
    X, y = ts.X.reset_index(drop=True), np.asarray(ts.y, dtype=object)
    loc = (X["observable"] == "li_location").to_numpy() & np.isin(y, ["under_carbon", "above_carbon"])
    studies = sorted(X["study_id"].unique())
    t0 = time.perf_counter()
    curves = []
    for seed in range(args.replay_seeds):
        curves += _replay_seed(seed, X, y, loc, studies)
        print(f"replay seed {seed} done ({time.perf_counter() - t0:.0f} s)", flush=True)
    df = pd.DataFrame(curves)
    df.to_csv(out / "replay.csv", index=False)
    reached = (df.assign(ok=df["log_loss"] <= df["final_log_loss"] + 0.05).query("ok")
               .groupby(["seed", "strategy"])["added"].min().unstack())
    print(reached.describe().round(2).to_string())
    return {"records_to_reach_final": json.loads(reached.describe().to_json()),
            "final_ess": df.groupby("seed")["final_ess"].first().tolist(), "seconds": round(time.perf_counter() - t0, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--campaigns", type=int, default=50, help="campaigns per strategy and world")
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--batch", type=int, default=3)
    ap.add_argument("--headline-cells", type=int, default=12, help="the budget the issue judges (also the last round)")
    ap.add_argument("--members", type=int, default=2000, help="posterior (or prior) draws a campaign reweights")
    ap.add_argument("--pool-pairs", type=int, default=40, help="pairs of the pool (highest predictive P)")
    ap.add_argument("--replay-seeds", type=int, default=5, help="0: no replay")
    ap.add_argument("--out", default="runs/bench_suggest")
    args = ap.parse_args()
    warnings.filterwarnings("ignore")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    report = {"simulation": simulate(args, out)}
    if args.replay_seeds:
        report["replay"] = replay(args, out)
    text = json.dumps(report, indent=2, default=float)
    (RESULTS / "suggest.json").write_text(text + "\n", encoding="utf-8")
    print(f"written {out}/ and {RESULTS / 'suggest.json'}")


if __name__ == "__main__":
    main()
