"""``interlayer calibrate``: the gap model's posterior, its diagnostics, which parameters the data inform, and the
nested leave-one-study-out validation against the baselines."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from screen.cli.common import FORMAT, MAX_SEED, REG_HELP, emit, input_error, integer, json_value, registry

__all__ = ["add_calibrate"]


def add_calibrate(sub: Any) -> None:
    """``interlayer calibrate``."""
    cal = sub.add_parser("calibrate", help="the gap model's posterior, its diagnostics, and its validation against baselines",
                         description="Show the posterior of the nucleation-overpotential-gap model fitted to "
                         "datasets/literature_outcomes.csv (plating location, voltage dips, toughness and its bounds, "
                         "critical currents; model version 0 of the registry, built once and reused): the sampler's "
                         "convergence diagnostics against their thresholds, which parameters the data inform (power-scaling "
                         "prior sensitivity, posterior/prior width) with each prior's reasoning, and the nested "
                         "leave-one-study-out validation, every fold a full posterior fitted without the held-out study, "
                         "against a constant prevalence fixed in advance (0.70), the training folds' base rate, logistic "
                         "regression, gradient-boosted trees and the majority class: log-loss, Brier and balanced accuracy "
                         "with 90 % intervals from resampling studies, a per-study table, the headline without LI25, and "
                         "every measured critical current against the model's, in sample and with its whole study held out. "
                         "The validation refits the model once per study: about 10 minutes on two cores with the full "
                         "sampler.",
                         epilog="Example: interlayer calibrate --sampler quick --format json > calibration.json")
    cal.add_argument("--plot", metavar="PNG", default=None,
                     help="write the margin-per-record figure to this file (default: no figure)")
    cal.add_argument("--reliability-plot", metavar="PNG", default=None,
                     help="write the reliability plot of the held-out predictions to this file (default: no figure)")
    cal.add_argument("--sampler", choices=("full", "quick"), default=None,
                     help="NUTS settings of the validation folds: full (4 chains x 1000 + 1000, the specification) or "
                     "quick (2 x 100 + 100, a smoke test whose diagnostics fail by design); default $INTERLAYER_SAMPLER, else full")
    cal.add_argument("--alternatives", action="store_true",
                     help="also show how the leave-one-study-out metrics (MAP folds) move under other settings: a display "
                     "of sensitivity, not a selection")
    cal.add_argument("--seed", type=integer("--seed", minimum=0, maximum=MAX_SEED), default=0,
                     help="seed of the folds' samplers and of the study resampling for the intervals (default 0)")
    cal.add_argument("--model-dir", metavar="DIR", help=REG_HELP)
    cal.add_argument("--compare-sources", nargs="+", metavar="SOURCE",
                     help="instead: cross-validate the model (MAP folds) with each energy source of the Li-M descriptors "
                     "(e.g. oqmd_legacy chgnet miedema) and print the held-out metrics; nothing is saved")
    cal.add_argument("--format", **FORMAT)
    cal.set_defaults(func=_cmd_calibrate)


def _records(frame: Any) -> list[dict[str, Any]]:
    return [{k: json_value(v) for k, v in r.items()} for r in frame.to_dict("records")]


def _with_interval(t: Any, metric: str) -> list[str]:
    return [f"{v:.3f} [{lo:.2f}, {hi:.2f}]" for v, lo, hi in zip(t[metric], t[f"{metric}_lo"], t[f"{metric}_hi"])]


def _metric_table(t: Any) -> Any:
    import pandas as pd

    diff = [("" if pd.isna(v) else f"{v:+.3f} [{lo:+.2f}, {hi:+.2f}]")
            for v, lo, hi in zip(t.get("gap_minus_this_log_loss", pd.Series([None] * len(t))),
                                 t.get("diff_lo", pd.Series([None] * len(t))), t.get("diff_hi", pd.Series([None] * len(t))))]
    return pd.DataFrame({"predictor": t["predictor"], **{m: _with_interval(t, m) for m in ("log_loss", "brier", "balanced_accuracy")},
                         "gap_minus_this_log_loss": diff})


def _diagnostics_table(diag: dict[str, Any]) -> Any:
    import pandas as pd

    from screen.model.inference import THRESHOLDS

    rows = [("R-hat (max)", diag.get("r_hat_max"), f"<= {THRESHOLDS['r_hat_max']}", diag.get("r_hat_worst")),
            ("bulk ESS (min)", diag.get("ess_bulk_min"), f">= {THRESHOLDS['ess_bulk_min']:g}", diag.get("ess_bulk_worst")),
            ("tail ESS (min)", diag.get("ess_tail_min"), f">= {THRESHOLDS['ess_tail_min']:g}", diag.get("ess_tail_worst")),
            ("divergent transitions", diag.get("divergences"), f"<= {THRESHOLDS['divergences_max']}", ""),
            ("E-BFMI (min over chains)", diag.get("bfmi_min"), f"> {THRESHOLDS['bfmi_min']}", "")]
    return pd.DataFrame(rows, columns=["diagnostic", "value", "threshold", "worst quantity"])


def _cmd_calibrate(args: argparse.Namespace) -> int:
    import pandas as pd

    from screen.model.training import in_sample, training_set
    from screen.model.validation import INFLUENTIAL_STUDY, alternatives, critical_currents, validate
    from screen.report.plots import margin_figure, reliability_figure

    for opt, value in (("--plot", args.plot), ("--reliability-plot", args.reliability_plot)):
        if value and (Path(value).suffix.lower() != ".png" or not Path(value).parent.exists()):
            raise input_error(f"{value}: {opt} needs a .png path in an existing folder")
    if args.compare_sources:
        return _compare_sources(args)
    reg = registry(args)
    pipe, meta = reg.load(0, progress=True)
    gap = pipe.named_steps["gap"]
    ts = training_set()
    records = in_sample(pipe, ts)
    report = validate(ts, random_state=args.seed, progress=args.format == "table", n_draws=gap.n_draws, sampler=args.sampler)
    params = pd.DataFrame(gap.identifiability_)
    ccd = critical_currents(ts, pipe, random_state=args.seed)
    alt = alternatives(ts, random_state=args.seed) if args.alternatives else None
    if args.plot:
        margin_figure(records, args.plot, meta.get("held_out_p_under_carbon", {}).get("loso"))
        sys.stderr.write(f"wrote {args.plot}\n")
    if args.reliability_plot:
        reliability_figure(report["predictions"]["loso"], args.reliability_plot)
        sys.stderr.write(f"wrote {args.reliability_plot}\n")
    loso = report["metrics"]["loso"]
    without = report["without"][INFLUENTIAL_STUDY]
    if args.format == "json":
        out = {k: meta.get(k) for k in ("version", "created_utc", "package_version", "data_sha256", "seed", "n_draws", "sampler",
                                        "diagnostics", "n_observations", "parameters", "unused_nucleation_rows")}
        out["validation"] = {"loso": _records(loso), f"loso_without_{INFLUENTIAL_STUDY}": _records(without)}
        out["validation_sampler"] = args.sampler or "environment default"
        out["per_study"] = _records(report["per_study"])
        out["held_out"] = {"loso": _records(report["predictions"]["loso"])}
        out["identifiability"] = _records(params)
        out["critical_currents"] = _records(ccd)
        if alt is not None:
            out["alternatives"] = _records(alt)
        out["model_dir"] = str(reg.root)
        out["plot"], out["reliability_plot"] = args.plot, args.reliability_plot
        out["records"] = _records(records[["record_id", "study_id", "metal", "carbon", "architecture", "observed", "predicted",
                                           "p_under_carbon", "margin_mV", "margin_mV_lo", "margin_mV_hi"]])
        sys.stdout.write(json.dumps(out, indent=2, default=json_value) + "\n")
        return 0
    diag = meta.get("diagnostics", {})
    sampler = meta.get("sampler", {})
    print(f"Gap model version 0 (curated data sha256 {meta['data_sha256'][:12]}, seed {meta['seed']}): NUTS, "
          f"{sampler.get('num_chains')} chains x ({sampler.get('num_warmup')} warm-up + {sampler.get('num_samples')} draws), "
          f"{meta['n_draws']} thinned draws serve every prediction; observations: {meta['n_observations']}")
    print(f"\nSampler diagnostics: {'PASSED' if diag.get('passed') else 'FAILED'} (every quantity must meet its threshold)")
    emit(_diagnostics_table(diag), "table")
    print("\nParameters: posterior median [90 % interval]; width = posterior/prior width (> 0.8: prior-set, its whole prior "
          "reaches every interval and rank); sensitivity = power-scaling prior sensitivity (> 0.05: the prior still shapes it)")
    shown = params.assign(value=[("" if pd.isna(lo) else f"{v:.3g} [{lo:.3g}, {hi:.3g}]") or f"{v:g}"
                                 for v, lo, hi in zip(params["value"], params["lo"], params["hi"])])
    emit(shown[["parameter", "unit", "value", "posterior_over_prior_width", "prior_sensitivity", "status"]].round(3), "table")
    print("\nPriors: the reasoning behind each (no prior centre is a value of a study in the fit)")
    emit(params[["parameter", "prior"]], "table")
    print(f"\nHeld-out plating location, nested leave-one-study-out (the headline; every fold a full posterior): "
          f"{loso['n_cells'].iloc[0]} cells, {loso['n_studies'].iloc[0]} studies; [90 % interval from resampling studies]")
    emit(_metric_table(loso), "table")
    print(f"\nThe same without {INFLUENTIAL_STUDY}'s cells ({without['n_cells'].iloc[0]} cells, "
          f"{without['n_studies'].iloc[0]} studies)")
    emit(_metric_table(without), "table")
    print("\nPer study: summed held-out log-loss of each predictor (lower is better)")
    emit(report["per_study"].round(3), "table")
    print("\nCritical current (mA/cm2) of every cell with carbon and a measured CCD: fitted to all records (interval), and "
          "fitted without the cell's whole study (held out); factor = how far outside the measured interval")
    emit(ccd.round(3), "table")
    if alt is not None:
        print("\nLeave-one-study-out metrics (MAP folds) under other settings: sensitivity, not a selection")
        emit(alt.round(3), "table")
    print("\nIn-sample predictions")
    emit(records[["record_id", "metal", "carbon", "architecture", "observed", "predicted", "p_under_carbon", "margin_mV"]]
         .round(3), "table")
    return 0


def _compare_sources(args: argparse.Namespace) -> int:
    from screen.model.training import compare_energy_sources, training_set

    table = compare_energy_sources(training_set(), list(args.compare_sources), progress=True)
    if args.format == "table":
        print("Cross-validated gap model (MAP folds) per energy source of the Li-M descriptors (the registry is not changed)")
        print("changed_metals: training metals whose phase call or solubility score (> 0.05) differs from the first source")
        emit(table.round(3), "table")
    else:
        emit(table, args.format)
    return 0
