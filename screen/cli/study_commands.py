"""Study commands: ``screen``, ``sensitivity``, ``compare``, ``tradeoff``, ``rank-diff``.

Each ``add_*`` builds one subcommand's parser; each ``_cmd_*`` runs it. Heavy libraries are imported inside the
commands, so building the parser stays cheap."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

from screen.cli.common import FORMAT, MAX_SEED, REG_HELP, emit, finite, integer, json_value, study_options

__all__ = ["add_screen", "add_sensitivity", "add_compare", "add_tradeoff", "add_rank_diff", "add_schema"]


def add_screen(sub: Any) -> None:
    """``interlayer screen``."""
    sc = sub.add_parser("screen", help="rank metal/carbon bilayers and thicknesses with an optuna study",
                        description="Run a multi-objective optuna study (NSGA-II or MOTPE) over metals, carbon presets and "
                        "layer thicknesses: maximise how robustly Li plates under the carbon (gap model) while minimising the "
                        "Li the interlayer takes up, its cost, the metal layer's swelling and the energy density the cell loses. "
                        "Writes ranking.csv/json, pareto.csv, trials.csv, PNG plots, report.html and run.json into the study's "
                        "output folder. Without --study, the shipped default study (the source paper's cell) runs.",
                        epilog="Examples: interlayer screen --study studies/default.toml | "
                        "interlayer screen --study s.toml --workers 2 --exhaustive | "
                        "interlayer screen --study s.toml --storage postgresql://user@host/db (on each machine)")
    sc.add_argument("--study", metavar="TOML", help="study file (default: the shipped studies/default.toml)")
    sc.add_argument("--output", metavar="DIR", help="output folder (default: the study file's output, else runs/<name>)")
    sc.add_argument("--trials", type=integer("--trials", minimum=1), metavar="N", help="total number of trials (overrides the study file)")
    sc.add_argument("--seed", type=integer("--seed", minimum=0, maximum=MAX_SEED), help="sampler seed (overrides the study file)")
    sc.add_argument("--workers", type=integer("--workers", minimum=1), default=1, metavar="N",
                    help="parallel worker processes on this machine (default 1)")
    sc.add_argument("--storage", metavar="URL", help="database URL shared by workers on many machines, e.g. "
                    "postgresql://user@host:5432/db; the password from $INTERLAYER_DB_PASSWORD or the file named by "
                    "$INTERLAYER_DB_PASSWORD_FILE (default: a journal file in the output folder)")
    sc.add_argument("--resume", action="store_true", help="continue the study in the output folder or storage; trials a "
                    "killed worker left running are marked failed and run again")
    sc.add_argument("--overwrite", action="store_true", help="discard an earlier run in the output folder")
    sc.add_argument("--exhaustive", action="store_true", help="also evaluate a dense grid and report the top-10 recall")
    sc.add_argument("--model", type=integer("--model", minimum=0), metavar="VERSION",
                    help="gap-model registry version (default: the latest)")
    sc.add_argument("--model-dir", metavar="DIR", help=REG_HELP)
    sc.add_argument("--top", type=integer("--top", minimum=1), default=15, metavar="N", help="rows of the ranking to print (default 15)")
    sc.add_argument("--no-progress", action="store_true", help="no progress bar")
    sc.add_argument("--no-plots", action="store_true", help="skip PNG plots and report.html")
    sc.add_argument("--format", **FORMAT)
    sc.set_defaults(func=_cmd_screen)


def add_sensitivity(sub: Any) -> None:
    """``interlayer sensitivity``."""
    se = sub.add_parser("sensitivity", help="Sobol, Morris, one-at-a-time and rank-stability analysis of a screening study",
                        description="Global sensitivity of the margin, P(Li under carbon) and the ranking of a screening study's "
                        "best designs to the gap model's calibrated parameters (sampled from their posterior spread) and to the "
                        "inputs: graphitization, layer thicknesses, current density, stack and fabrication pressure, temperature, "
                        "and the errors of Miedema's heats of solution and of the hull's formation energies. Sobol first and total "
                        "order indices with 95 % intervals (SALib), Morris screening, one-at-a-time sweeps, and how stable the "
                        "top 10 is (Kendall tau, top-10 frequency). Runs the screen first if the study's output folder has no "
                        "finished run. Writes <output>/sensitivity/ (CSV, JSON, PNG) and a section in the study's report.html. "
                        "Settings: the study file's [sensitivity] table.",
                        epilog="Example: interlayer sensitivity --study studies/pressure_and_rate.toml")
    study_options(se, "kind = \"screen\"; its [sensitivity] table sets factors, ranges and sample sizes; "
                 "default: the shipped studies/default.toml", required=False)
    se.add_argument("--seed", type=integer("--seed", minimum=0, maximum=MAX_SEED), help="seed of the samples (overrides the study file)")
    se.add_argument("--n-base", type=integer("--n-base", minimum=2), metavar="N",
                    help="Sobol base sample size, a power of 2 (overrides the study file)")
    se.set_defaults(func=_cmd_sensitivity)


def add_compare(sub: Any) -> None:
    """``interlayer compare``."""
    co = sub.add_parser("compare", help="predict named cells and set them beside their measured results",
                        description="For each [[compare.cells]] entry of a compare study: predicted plating site, margin and "
                        "P(under carbon) with intervals, first-nucleation overpotential and voltage dip, Li taken up by the "
                        "interlayer and the regulation current (where the margin reaches zero), beside the measured values of its "
                        "record in datasets/literature_outcomes.csv; then which measured trends the model reproduces.",
                        epilog="Example: interlayer compare --study studies/seed_mg_c.toml")
    study_options(co, "kind = \"compare\"")
    co.set_defaults(func=_cmd_compare)


def add_tradeoff(sub: Any) -> None:
    """``interlayer tradeoff``."""
    tr = sub.add_parser("tradeoff", help="Li inventory vs robustness fronts for the best metals",
                        description="Evaluate every carbon preset and a dense grid of both thicknesses for the study's best "
                        "metals (or a list), and draw the Pareto front of Li taken by the interlayer against the robustness (lower "
                        "bound of the regulation margin times the sealed fraction), per metal and overall.",
                        epilog="Example: interlayer tradeoff --study studies/thickness_tradeoff.toml")
    study_options(tr, "kind = \"tradeoff\"")
    tr.set_defaults(func=_cmd_tradeoff)


def add_suggest(sub: Any) -> None:
    """``interlayer suggest``."""
    sg = sub.add_parser("suggest", help="the next cells to test: where the model's posterior draws disagree most",
                        description="Propose concrete cells (metal, carbon, architecture, thicknesses, lamination pressure, "
                        "current, temperature) whose Li location would teach the gap model most, in a diverse batch: with --goal "
                        "parameters, BALD (mutual information between the outcome and the parameters over the posterior "
                        "draws); with --goal ranking, the expected information about which designs are in the study's top "
                        "10 (each cell says which designs its result would move). Writes "
                        "<output>/suggest/suggestions.csv (why each cell), to_retrain.csv (the retrain format, outcomes empty) "
                        "and run.json; the study file's [suggest] table sets the condition lists.",
                        epilog="Example: interlayer suggest --study studies/default.toml --n 5 --exclude-tested; fill in "
                        "to_retrain.csv, then: interlayer retrain runs/default/suggest/to_retrain.csv")
    study_options(sg, "default: the shipped default study", required=False)
    sg.add_argument("--n", type=integer("--n", minimum=1, maximum=100), metavar="N", help="number of cells (default: [suggest] n, 5)")
    sg.add_argument("--budget-usd", type=finite("--budget-usd", positive=True, maximum=1e9), metavar="USD",
                    help="most one cell's interlayer may cost (material + given deposition costs, [suggest] area_cm2)")
    sg.add_argument("--exclude-tested", action="store_true", default=None,
                    help="leave out metal/carbon/architecture combinations already in the curated literature")
    sg.add_argument("--goal", choices=("parameters", "ranking"), default=None,
                    help="what the cells should settle: the model's parameters (BALD) or the top of the study's ranking "
                    "(default: [suggest] goal, parameters)")
    sg.set_defaults(func=_cmd_suggest)


def _cmd_suggest(args: argparse.Namespace) -> int:
    from screen.workflows.suggest import run_suggest

    out = run_suggest(args.study, n=args.n, budget_usd=args.budget_usd, exclude_tested=args.exclude_tested, goal=args.goal,
                      output=args.output, model_version=args.model, model_dir=args.model_dir, progress=not args.no_progress)
    if args.format != "table":
        emit(out, args.format)
        return 0
    print(f"outputs in {out.attrs['output']}/ (suggestions.csv, to_retrain.csv, run.json)")
    cols = ["suggestion", "metal", "carbon", "metal_nm", "carbon_nm", "fab_mpa", "current_ma_cm2", "temperature_c",
            "p_under_carbon", "p_lo", "p_hi", "information_nats", "informs_parameter"]
    print(out[cols].to_string(index=False, float_format=lambda v: f"{v:.3g}"))
    for r in cast("Iterable[Any]", out.itertuples()):  # itertuples: pandas-stubs types every field as any scalar
        if r.decides:
            print(f"  {r.suggestion}: {r.decides}")
    return 0


def add_rank_diff(sub: Any) -> None:
    """``interlayer rank-diff``."""
    rd = sub.add_parser("rank-diff", help="how a ranking moved between two screening runs",
                        description="Compare the rankings of two finished screening runs (e.g. before and after 'interlayer "
                        "retrain'): Kendall tau-b over the pairs both rank, top-N overlap, and the rank of every pair in either top N.",
                        epilog="Example: interlayer rank-diff runs/default runs/default-v1")
    rd.add_argument("before", metavar="RUN_DIR", help="output folder of the earlier run")
    rd.add_argument("after", metavar="RUN_DIR", help="output folder of the later run")
    rd.add_argument("--top", type=integer("--top", minimum=1), default=10, metavar="N", help="size of the top list compared (default 10)")
    rd.add_argument("--format", **FORMAT)
    rd.set_defaults(func=_cmd_rank_diff)


def add_schema(sub: Any) -> None:
    """``interlayer schema``."""
    sc = sub.add_parser("schema", help="every study-file key: JSON Schema for editors, or a table",
                        description="Print the study file's schema: --format json (default) gives the JSON Schema an editor "
                        "can validate TOML against (e.g. with the Even Better TOML extension); --format table gives one row "
                        "per key with its type, unit, default and bounds (the table in docs/screening.md).",
                        epilog="Example: interlayer schema > interlayer-study.schema.json")
    sc.add_argument("--format", choices=("json", "table"), default="json", help="json (default) or table (Markdown)")
    sc.set_defaults(func=_cmd_schema)


def _cmd_schema(args: argparse.Namespace) -> int:
    from screen.search.spec_docs import study_json_schema, study_keys_markdown

    if args.format == "table":
        sys.stdout.write(study_keys_markdown())
    else:
        sys.stdout.write(json.dumps(study_json_schema(), indent=1) + "\n")
    return 0


def _cmd_screen(args: argparse.Namespace) -> int:
    from screen.workflows.study import run_study

    ranked = run_study(args.study, output=args.output, n_trials=args.trials, seed=args.seed, workers=args.workers,
                       storage=args.storage, resume=args.resume, overwrite=args.overwrite, exhaustive=args.exhaustive,
                       model_version=args.model, model_dir=args.model_dir, progress=not args.no_progress,
                       plots=not args.no_plots)
    out = Path(ranked.attrs["output"])
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    if ranked.attrs.get("previous_run"):
        print(f"interlayer: the earlier run of this study was moved to {ranked.attrs['previous_run']}", file=sys.stderr)
    cols = ["rank", "rank_lo", "rank_hi", "tie_group", "metal", "carbon", "metal_nm", "carbon_nm", "posterior_score", "score",
            "margin_mV_lo", "sealed_fraction", "li_loss_pct", "cost_usd_m2", "metal_growth_nm", "wh_l_loss_pct"]
    top = ranked[cols].head(args.top).copy()
    if args.format == "json":
        sys.stdout.write(json.dumps({"output": str(out), "run": {k: run[k] for k in (
            "completed_trials", "infeasible_trials", "failed_trials", "pareto_trials", "exhaustive")},
            "ranking": [{k: json_value(v) for k, v in r.items()} for r in top.to_dict("records")]}, indent=1) + "\n")
        return 0
    if args.format == "csv":
        sys.stdout.write(top.to_csv(index=False))
        return 0
    grid = run.get("grid_first")
    grid_txt = f"grid first: {grid['designs']:,} designs in {grid['evaluate_seconds']} s; " if grid else ""
    print(f"{grid_txt}{run['completed_trials']} optuna trials ({run['infeasible_trials']} infeasible, {run['failed_trials']} "
          f"failed), {run['pareto_trials']} designs on the Pareto front; outputs in {out}/ (report.html, ranking.csv, run.json)")
    top["metal"] = top["metal"].replace({"none": "(carbon only)"})
    top.insert(1, "rank_90%", [f"{a}-{b}" if a != b else f"{a}" for a, b in zip(top.pop("rank_lo"), top.pop("rank_hi"))])
    top = top.rename(columns={"tie_group": "tie"})
    if run.get("exhaustive"):
        ex = run["exhaustive"]
        print(f"exhaustive grid: {ex['grid_evaluations']} designs, {ex['candidates_per_second']:.0f}/s; "
              f"top-10 pair recall (ties count): {ex['top10_recall']:.0%} by this ranking, "
              f"{ex['top10_recall_optuna_only']:.0%} by optuna's trials alone")
    top = top.rename(columns={"posterior_score": "score_median", "score": "objective"})
    print(top.to_string(index=False, float_format=lambda v: f"{v:.3g}"))
    print("order: the median of each design's score over the model's posterior draws (score_median); objective: the "
          "study's risk-averse score that chose its thicknesses")
    n_groups = int(top["tie"].nunique())
    if n_groups < len(top):
        print(f"tie: designs with the same number are tied (the group's leader does not score more than 0.005 higher in "
              f"90 % of the model's posterior draws); {len(top)} rows, {n_groups} distinguishable groups")
    for kept, same in run.get("carbons_merged", {}).items():
        print(f"note: carbon presets {', '.join(same)} have the same descriptors as {kept} and are ranked as {kept}")
    _print_extras(out)
    return 0


def _print_extras(out: Path) -> None:
    """The ``[report]`` tables of a screening run, when the study asked for them."""
    import pandas as pd

    if (out / "vs_reference.csv").is_file():
        vs = pd.read_csv(out / "vs_reference.csv", keep_default_na=False, na_values=[""])
        if len(vs):
            vs[["main_advantage", "main_drawback"]] = vs[["main_advantage", "main_drawback"]].fillna("-")
            vs["metal"] = vs["metal"].replace({"none": "(carbon only)"})
            ref = vs.loc[vs["score_minus_reference"].abs() < 1e-12, "metal"]
            name = ref.iloc[0] if len(ref) else "the reference"
            beat = vs[vs["beats_reference"].astype(str) == "True"]
            print(f"\n{len(beat)} metal(s) beat {name}'s best design (d_* = weighted desirability difference to {name}):")
            cols = ["rank", "metal", "carbon", "score", "score_minus_reference", "main_advantage", "main_drawback"]
            print(vs[cols].head(12).to_string(index=False, float_format=lambda v: f"{v:.3g}"))
    if (out / "explanations.csv").is_file():
        ex = pd.read_csv(out / "explanations.csv", keep_default_na=False, na_values=[""])
        if len(ex):
            print("\nWhy the top metals rank high: margin over an inert metal under the same carbon, split among the metal's "
                  "descriptors (Shapley, mV, 90 % interval over the posterior draws):")
            for (rank, metal, carbon), g in ex.groupby(["rank", "metal", "carbon"], sort=True):
                r0 = g.iloc[0]
                parts = ", ".join(f"{r.descriptor} = {r.value:.2f}: {r.contribution_mV:+.1f} [{r.contribution_mV_lo:+.1f}, "
                                  f"{r.contribution_mV_hi:+.1f}]" for r in g.itertuples())
                print(f"  #{rank} {metal}/{carbon}: margin {r0['margin_mV']:.1f} mV "
                      f"({r0['margin_mV_lo']:.1f}-{r0['margin_mV_hi']:.1f}), P {r0['p_under_carbon']:.2f}; "
                      f"inert metal {r0['inert_margin_mV']:.1f} mV; {parts}")


def _cmd_sensitivity(args: argparse.Namespace) -> int:
    import pandas as pd

    from screen.workflows.sensitivity import run_sensitivity

    rec = run_sensitivity(args.study, output=args.output, seed=args.seed, n_base=args.n_base, model_version=args.model,
                          model_dir=args.model_dir, progress=not args.no_progress, plots=not args.no_plots)
    folder = Path(rec["output"])
    sobol = pd.read_csv(folder / "sobol.csv")
    if args.format == "json":
        sys.stdout.write(json.dumps({"output": str(folder), "rank_stability": rec["rank_stability"],
                                     "sobol": [{k: json_value(v) for k, v in r.items()} for r in sobol.to_dict("records")]},
                                    indent=1) + "\n")
        return 0
    if args.format == "csv":
        sys.stdout.write(sobol.to_csv(index=False))
        return 0
    print(f"{len(rec['factors'])} factors, {rec['pool_designs']} designs; Sobol {rec['sobol_evaluations']:,} and Morris "
          f"{rec['morris_evaluations']:,} evaluations in {rec['total_seconds']:.1f} s; outputs in {folder}/ "
          "(section added to the study's report.html)")
    for out in [o for o in sobol["output"].unique() if o.startswith("margin_mV")][:1] + ["kendall_tau_top10"]:
        sub = sobol[sobol["output"] == out].sort_values("ST", ascending=False).head(5)
        print(f"\nSobol indices of {out} (95 % intervals; S1_eff = 0 where the interval includes zero):")
        print(sub[["factor", "S1", "S1_conf", "ST", "ST_conf", "S1_eff"]].to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print("\nRank stability of the nominal top 10:")
    for k, v in rec["rank_stability"].items():
        print(f"  {k:<10} Kendall tau mean {v['kendall_tau_mean']:.2f} (5-95 %: {v['kendall_tau_p05']:.2f} to "
              f"{v['kendall_tau_p95']:.2f}); top-1 kept {v['top1_kept']:.0%}; top-10 members kept {v['top10_mean_kept']:.0%}")
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    from screen.workflows.compare import run_compare

    table, findings = run_compare(args.study, output=args.output, model_version=args.model, model_dir=args.model_dir,
                                  progress=not args.no_progress, plots=not args.no_plots)
    cols = ["label", "predicted_site", "p_under_carbon", "margin_mV", "eta_cell_mV", "predicted_dip", "measured_nucleation_dip",
            "li_uptake_pct", "measured_initial_ce_pct", "regulation_current_mA_cm2", "measured_ccd_mA_cm2"]
    if args.format == "json":
        sys.stdout.write(json.dumps({"output": table.attrs["output"], "findings": findings,
                                     "cells": [{k: json_value(v) for k, v in r.items()} for r in table[cols].to_dict("records")]},
                                    indent=1, default=json_value) + "\n")
        return 0
    if args.format == "csv":
        sys.stdout.write(table.to_csv(index=False))
        return 0
    print(f"outputs in {table.attrs['output']}/ (comparison.csv, comparison.png, report.html, run.json)")
    print(table[cols].to_string(index=False, float_format=lambda v: f"{v:.3g}"))
    print("\nWhat the model reproduces:")
    for f in findings:
        verdict = {True: "reproduced", False: "NOT reproduced", None: "not comparable"}[f["reproduced"]]
        print(f"  - {f['trend']}: {verdict}. {f['detail']}")
    return 0


def _cmd_tradeoff(args: argparse.Namespace) -> int:
    from screen.workflows.tradeoff import run_tradeoff

    summ, front = run_tradeoff(args.study, output=args.output, model_version=args.model, model_dir=args.model_dir,
                               progress=not args.no_progress, plots=not args.no_plots)
    if args.format != "table":
        emit(summ, args.format)
        return 0
    print(f"outputs in {summ.attrs['output']}/ (fronts.csv, summary.csv, tradeoff.png, report.html, run.json)")
    print(summ.to_string(index=False, float_format=lambda v: f"{v:.3g}"))
    return 0


def _cmd_rank_diff(args: argparse.Namespace) -> int:
    from screen.analysis.ranks import ranking_shift, read_ranking

    summ, moved = ranking_shift(read_ranking(args.before), read_ranking(args.after), top=args.top)
    if args.format == "json":
        sys.stdout.write(json.dumps({"summary": summ, "moved": [{k: json_value(v) for k, v in r.items()}
                                                               for r in moved.to_dict("records")]}, indent=1) + "\n")
        return 0
    if args.format == "csv":
        sys.stdout.write(moved.to_csv(index=False))
        return 0
    print(f"{summ['pairs_common']} pairs ranked in both; Kendall tau-b {summ['kendall_tau_b']:.3f}; "
          f"top-{args.top} overlap {summ[f'top{args.top}_overlap']}/{args.top}; same first: {summ['same_first']}")
    print(moved.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    return 0
