"""Benchmark: how the carbon's graphitization enters the gap model, chosen by PSIS-LOO inside the training data.

Run: ``python benchmarks/bench_graphitization_form.py [--out FILE.json]`` (prints a JSON report; about 25 minutes on
two cores). Issue 25 asks that the form be selected inside the folds among today's form (the graphitization index),
a two-class form (graphitic or not) and no graphitization term. The v3 specification (amendment 5) fixes the rule
before this runs: every fit under each form with the ``full`` sampler, keep the highest PSIS-LOO ``elpd_loo`` on the
training rows. Reported: the selection on the whole corpus (what model version 0 would use), and the nested
leave-one-study-out of the whole procedure (the selection repeated inside every training fold, the held-out study
predicted by the chosen fit), beside the headline of the fixed form from ``benchmarks/results/gap_model.json``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import pandas as pd

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", help="also write the report to this JSON file")
    args = ap.parse_args()

    from screen.model.registry import N_DRAWS
    from screen.model.training import make_pipeline, training_set
    from screen.model.validation import INFLUENTIAL_STUDY, validate

    ts = training_set()
    t0 = time.perf_counter()
    pipe = make_pipeline(n_draws=N_DRAWS, sampler="full", graphitization_form="select").fit(ts.X, ts.y)
    t_select = time.perf_counter() - t0
    gap = pipe.named_steps["gap"]
    t0 = time.perf_counter()
    rep = validate(ts, n_draws=N_DRAWS, sampler="full", progress=True, model_params={"graphitization_form": "select"})
    t_nested = time.perf_counter() - t0
    records = lambda f: json.loads(f.to_json(orient="records"))  # noqa: E731
    report = {
        "rule": "highest PSIS-LOO elpd_loo on the training rows among index, two_class, off (full sampler)",
        "whole_corpus": {"chosen": gap.graphitization_form_, "table": gap.form_selection_, "diagnostics": gap.diagnostics_},
        "nested_loso": {"metrics": records(rep["metrics"]["loso"]), "per_study": records(rep["per_study"]),
                        f"without_{INFLUENTIAL_STUDY}": records(rep["without"][INFLUENTIAL_STUDY]),
                        "chosen_per_fold": {s: next(r["form"] for r in t if r["chosen"]) for s, t in rep["selections"].items()},
                        "selections": rep["selections"], "predictions": records(rep["predictions"]["loso"])},
        "seconds": {"selection_whole_corpus": round(t_select, 1), "nested_loso": round(t_nested, 1)},
    }
    fixed = RESULTS / "gap_model.json"
    if fixed.exists():
        report["fixed_index_form_nested_loso"] = json.loads(fixed.read_text()).get("nested_loso", {}).get("metrics")
    text = json.dumps(report, indent=2, default=float)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(pd.DataFrame(gap.form_selection_).to_string())


if __name__ == "__main__":
    main()
