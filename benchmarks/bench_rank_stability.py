"""Rank stability of the default study: how the top 10 moves when a prior-set parameter moves, or a study is dropped.

Run: ``python benchmarks/bench_rank_stability.py [--sampler full|quick] [--out FILE.json]``.

Ranks the default study's designs (the shipped study, its grid and trials, with the registry's model version 0) and
reports the top 15 with their 90 % rank intervals and tie groups; then re-ranks the same designs the way the screen
does (the posterior median of each design's score)

* with ``phase_relief`` fixed at its prior's 5 % and 95 % quantiles (in the point and in every draw), and
* with the model refitted without each study in turn (the ``--sampler`` profile),

and for each variant gives the overlap of its top 10 with the reported top 10, Kendall's tau-b over the union of both
top 20s, and how many of its top 10 lie inside the reported rank intervals or leading tie groups.
"""

from __future__ import annotations

import argparse
import copy
import json
import tempfile
import time
from pathlib import Path

import numpy as np

Z90 = 1.6448536269514722


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sampler", choices=("full", "quick"), default="full", help="NUTS profile of the drop-one-study refits")
    ap.add_argument("--model-dir", help="registry (default: a fresh temporary one)")
    ap.add_argument("--out", help="also write the report to this JSON file")
    args = ap.parse_args()

    from scipy.stats import kendalltau

    from screen.analysis.ranks import posterior_ranking
    from screen.model.parameters import PARAM_NAMES, PRIOR_CENTER, PRIOR_SIGMA
    from screen.model.registry import ModelRegistry
    from screen.model.training import make_pipeline, training_set
    from screen.search.ranking import PAIR
    from screen.search.spec import default_study_path, load_study
    from screen.workflows.study import run_study

    root = Path(args.model_dir or tempfile.mkdtemp(prefix="bench-rank-"))
    pipe, _ = ModelRegistry(root).load(0)
    ranked = run_study(default_study_path(), output=Path(tempfile.mkdtemp()) / "out", model_dir=root, progress=False)
    ranked = ranked.reset_index(drop=True)
    spec = load_study(default_study_path())
    top10 = set(range(10))
    lead_groups = set(ranked.loc[:9, "tie_group"])

    def compare(pipeline) -> dict:
        again = posterior_ranking(spec, pipeline, ranked)
        index = {p: i for i, p in enumerate(ranked[PAIR].itertuples(index=False, name=None))}
        order = np.array([index[p] for p in again[PAIR].itertuples(index=False, name=None)])
        scores = -np.argsort(order).astype(float)  # the re-ranked position of every reported design
        top = order[:10]
        union = sorted(set(order[:20]) | set(range(20)))
        inside = (ranked.loc[top, "rank_lo"] <= 10) | ranked.loc[top, "tie_group"].isin(lead_groups)
        tau = float(kendalltau(-scores[union], ranked.loc[union, "rank"]).statistic)
        return {"top10_overlap": len(set(top) & top10), "kendall_tau_top20_union": tau,
                "top10_inside_reported_intervals": int(inside.sum()),
                "top10": [f"{ranked.at[i, 'metal']}/{ranked.at[i, 'carbon']}" for i in top]}

    shown = ["rank", "metal", "carbon", "architecture", "metal_nm", "carbon_nm", "posterior_score", "score", "score_lo",
             "score_hi", "rank_lo", "rank_hi", "tie_group", "p_under_carbon"]
    report: dict = {"top15": json.loads(ranked.head(15)[shown].to_json(orient="records"))}
    k = PARAM_NAMES.index("phase_relief")
    for name, side in (("phase_relief_q05", -1), ("phase_relief_q95", 1)):
        fixed = copy.deepcopy(pipe)
        gap = fixed.named_steps["gap"]
        gap.z_[k] = gap.draws_z_[:, k] = PRIOR_CENTER[k] + side * Z90 * PRIOR_SIGMA[k]
        report[name] = compare(fixed)
    ts = training_set()
    t0 = time.perf_counter()
    report["drop_study"] = {}
    for study in sorted(ts.X["study_id"].astype(str).unique()):
        keep = (ts.X["study_id"] != study).to_numpy()
        refit = make_pipeline(sampler=args.sampler).fit(ts.X[keep], ts.y[keep])
        report["drop_study"][study] = compare(refit)
    report["drop_study_seconds"] = round(time.perf_counter() - t0, 1)
    report["sampler_of_refits"] = args.sampler
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
