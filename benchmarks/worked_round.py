"""A worked round of ``interlayer suggest``, with SIMULATED outcomes: suggest -> cells -> results -> retrain -> ranking.

Run: ``python benchmarks/worked_round.py [--n 6] [--seed 0] [--out runs/worked_round]`` (about 2 minutes on two
cores once the default model is built: one full NUTS refit and two screens). Writes ``--out``: ``suggest/`` (the
suggestion run), ``simulated_results.csv`` (the filled-in ``to_retrain.csv``), ``models/`` (a scratch registry
holding the refitted version, never the user's), ``before/`` and ``after/`` (the default study screened under each
model), ``round.json``; and ``benchmarks/results/worked_round.json``.

No lab has made the suggested cells, so their outcomes are simulated, not measured: a "true world" is one draw of the
shipped model's posterior (from the chains the members of ``benchmarks/bench_suggest.py`` do not use) with a new lab's
offset, and each cell's Li location is drawn from its P(under) under that world. Every simulated row says so in its
``source`` and ``notes`` and is written only under ``--out``; the refit goes to the scratch registry. The refit is the
one ``interlayer retrain`` runs (:func:`screen.model.registry.fit_and_evaluate` on the curated data plus the rows); the
CSV gate of ``retrain``, which asks every row for a DOI or URL, is what a simulated row cannot pass, by design.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

RESULTS = Path(__file__).resolve().parent / "results"


def true_world(seed: int) -> tuple[dict[str, np.ndarray], float, int]:
    """One posterior draw of the default model from the second half of its chains, in natural units, and a new
    lab's offset (mV): the simulated world; also the draw's index (chain-major)."""
    from screen.analysis.campaigns import member_state
    from screen.model.inference import import_arviz
    from screen.model.registry import POSTERIOR_FILE, ModelRegistry

    reg = ModelRegistry()
    _, meta = reg.load()
    post = import_arviz().from_netcdf(reg.root / f"v{meta['version']}" / POSTERIOR_FILE).posterior
    z, tau = np.asarray(post["z"]), np.asarray(post["lab_scale_mV"])
    half = z.shape[0] // 2
    rng = np.random.default_rng(seed)
    chain, draw = int(rng.integers(half, z.shape[0])), int(rng.integers(z.shape[1]))
    offset = float(tau[chain, draw] * rng.standard_normal())
    world = member_state(z[chain, draw][None, :], tau[chain, draw][None], np.zeros((1, 0)), np.zeros(1), seed)
    return world.theta(), offset, chain * z.shape[1] + draw


def top_group(ranking: pd.DataFrame, k: int = 10) -> pd.DataFrame:
    cols = ["rank", "rank_lo", "rank_hi", "tie_group", "metal", "carbon", "architecture", "metal_nm", "carbon_nm",
            "posterior_score", "p_under_carbon"]
    return ranking[[c for c in cols if c in ranking]].head(k).reset_index(drop=True)


def top_by_p(ranking: pd.DataFrame, k: int = 10) -> pd.DataFrame:
    """The ``k`` pairs with the highest P(under) of their best design: what the ranking goal targets."""
    return ranking.nlargest(k, "p_under_carbon")[["metal", "carbon", "architecture", "p_under_carbon"]].reset_index(drop=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=6, help="cells in the round")
    ap.add_argument("--seed", type=int, default=0, help="seed of the true world and of the simulated outcomes")
    ap.add_argument("--out", default="runs/worked_round")
    args = ap.parse_args()
    from descriptors.atomic import atomic_target
    from screen.analysis.decision import member_predictions
    from screen.model.registry import ModelRegistry, fit_and_evaluate
    from screen.model.training import training_set
    from screen.search.evaluator import DesignEvaluator
    from screen.search.spec import load_study
    from screen.workflows.study import run_study
    from screen.workflows.suggest import run_suggest

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    suggested = run_suggest(None, n=args.n, goal="ranking", output=out, progress=False)
    cells = pd.read_csv(out / "suggest" / "to_retrain.csv")
    theta, offset, draw = true_world(args.seed)
    pipeline, meta = ModelRegistry().load()
    evaluator = DesignEvaluator(load_study(None), pipeline)
    p_true = member_predictions(evaluator, suggested, theta, np.array([offset]))[0]
    rng = np.random.default_rng([args.seed, 1])
    under = rng.random(len(p_true)) < p_true
    note = (f"SIMULATED outcome, not a measurement: drawn by benchmarks/worked_round.py (seed {args.seed}) from posterior "
            f"draw {draw} of model v{meta['version']} (data {str(meta.get('data_sha256', ''))[:12]}), new-lab offset {offset:+.1f} mV")
    cells["li_location"] = np.where(under, "under_carbon", "above_carbon")
    cells["source"], cells["value_origin"], cells["notes"] = note, "computed-here", note
    cells["study_id"] = "SIMULATED-ROUND"
    cells.to_csv(out / "simulated_results.csv", index=False)
    t_fit = time.perf_counter()
    pipe, new_meta = fit_and_evaluate(training_set(cells), progress=True)
    scratch = ModelRegistry(out / "models")
    new_meta |= {"description": note, "parent_version": meta["version"]}
    version = scratch.save(pipe, new_meta, version=1, replace=True)
    t_fit = time.perf_counter() - t_fit
    before = run_study(None, output=out / "before", model_version=meta["version"], progress=False, plots=False, overwrite=True)
    after = run_study(None, output=out / "after", model_version=version, model_dir=out / "models", progress=False,
                      plots=False, overwrite=True)
    show = ["metal", "carbon", "architecture", "metal_nm", "carbon_nm", "current_ma_cm2", "temperature_c", "fab_mpa"]
    round_cells = suggested[[c for c in show if c in suggested] + ["p_under_carbon", "decides"]].assign(
        p_true=p_true.round(3), simulated=cells["li_location"].to_numpy())
    report = {"model_before": {"version": meta["version"], "data_sha256": meta.get("data_sha256")},
              "true_world": {"posterior_draw": draw, "lab_offset_mV": offset, "seed": args.seed},
              "cells": json.loads(round_cells.to_json(orient="records")),
              "before": json.loads(top_group(before).to_json(orient="records")),
              "after": json.loads(top_group(after).to_json(orient="records")),
              "tie_group_1_size": {"before": int((before["tie_group"] == 1).sum()), "after": int((after["tie_group"] == 1).sum())},
              "top10_by_p": {"before": json.loads(top_by_p(before).to_json(orient="records")),
                             "after": json.loads(top_by_p(after).to_json(orient="records"))},
              "metrics_after": new_meta["metrics"], "diagnostics_after": new_meta.get("diagnostics"),
              "seconds": {"refit": round(t_fit, 1), "total": round(time.perf_counter() - t0, 1)}}
    text = json.dumps(report, indent=2, default=float)
    (out / "round.json").write_text(text + "\n", encoding="utf-8")
    with atomic_target(RESULTS / "worked_round.json") as tmp:
        tmp.write_text(text + "\n", encoding="utf-8")
    print(round_cells.to_string())
    print("\nbefore:\n" + top_group(before).to_string() + "\n\nafter:\n" + top_group(after).to_string())
    print(f"written {out}/ and {RESULTS / 'worked_round.json'}")


if __name__ == "__main__":
    main()
