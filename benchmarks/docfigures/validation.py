"""Figures of the gap model's validation: nested leave-one-study-out, graphitization form, calibration by simulation.

Sources: ``gap_model.json`` (``bench_gap_model.py --nested``), ``history/gap_model_before_amendment4.json`` (the first
nested run, before amendment 4), ``graphitization_form.json`` (``bench_graphitization_form.py``), ``sbc.json``
(``bench_sbc.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .common import and_list, excludes_zero, interval, load, num, number_word, pick

PREDICTORS = {"gap_model": "gap model v3", "constant": "constant {p} (fixed in advance)",
              "base_rate": "base rate (training-fold prevalence)", "logistic": "logistic regression, same inputs",
              "flexible": "gradient-boosted trees, same inputs", "majority": "majority class (hard 0/1)"}
SHORT = {"logistic": "logistic regression", "flexible": "boosted trees", "majority": "the hard majority class",
         "base_rate": "the base rate", "constant": "the constant"}
STUDY_NOTE = {"WU26": " (source paper)"}
#: sbc.json's parameter names as the prose calls them
SBC_NAMES = {"toughness_pressure_size_slope": "the size slope of the toughness exponent",
             "interface_ohm_cm2": "the interface resistance", "phase_relief": "`phase_relief`",
             "eta_floor_mV": "the floor overpotential"}


def _nested(first: bool = False) -> dict[str, Any]:
    name = "history/gap_model_before_amendment4.json" if first else "gap_model.json"
    return load(name)["nested_loso"]


def _constant_p() -> float:
    return float(_nested()["predictions"][0]["p_constant"])


def _metric(m: dict[str, Any], key: str) -> str:
    if m[f"{key}_lo"] == m[f"{key}_hi"]:
        return num(m[key])
    return interval(m[key], m[f"{key}_lo"], m[f"{key}_hi"])


def _diff(m: dict[str, Any]) -> str:
    return interval(m["gap_minus_this_log_loss"], m["diff_lo"], m["diff_hi"], sign=True)


def loso_headline() -> str:
    """The nested leave-one-study-out table, with the first run's gap-model figures beside the amended ones."""
    first = {m["predictor"]: m for m in _nested(first=True)["metrics"]}
    rows = ["| predictor | log-loss | Brier | balanced accuracy | gap model − predictor, log-loss "
            "| first run: log-loss, bal. acc. |", "|---|---|---|---|---|---|"]
    for m in _nested()["metrics"]:
        name = PREDICTORS[m["predictor"]].format(p=num(_constant_p()))
        ll = _metric(m, "log_loss")
        if m["predictor"] == "gap_model":
            name, ll = f"**{name}**", f"**{ll}**"
        diff = "" if m["gap_minus_this_log_loss"] is None else _diff(m)
        f = first[m["predictor"]]
        rows.append(f"| {name} | {ll} | {_metric(m, 'brier')} | {_metric(m, 'balanced_accuracy')} | {diff} "
                    f"| {num(f['log_loss'])}, {num(f['balanced_accuracy'])} |")
    return "\n".join(rows)


def loso_per_study() -> str:
    """Summed held-out log-loss per study; the gap model's figure is bold where it loses to the constant."""
    first = {r["study_id"]: r for r in _nested(first=True)["per_study"]}
    rows = ["| study | cells (under) | gap model | constant | base rate | logistic | boosted trees | first run |",
            "|---|---|---|---|---|---|---|---|"]
    for r in _nested()["per_study"]:
        gap = num(r["gap_model_summed_log_loss"])
        if r["gap_model_summed_log_loss"] > r["constant_summed_log_loss"]:
            gap = f"**{gap}**"
        others = " | ".join(num(r[f"{p}_summed_log_loss"]) for p in ("constant", "base_rate", "logistic", "flexible"))
        rows.append(f"| {r['study_id']}{STUDY_NOTE.get(r['study_id'], '')} | {r['n_cells']} ({r['n_under']}) | {gap} | "
                    f"{others} | {num(first[r['study_id']]['gap_model_summed_log_loss'])} |")
    return "\n".join(rows)


def _flipped(now: list[dict[str, Any]], before: list[dict[str, Any]]) -> str:
    """How many held-out cells the amended model calls on the other side of P = 0.5 than the first run, in words."""
    was = {r["record_id"]: r["p_gap_model"] >= 0.5 for r in before}
    n = sum((r["p_gap_model"] >= 0.5) != was[r["record_id"]] for r in now)
    return number_word(n)


def loso_values() -> dict[str, str]:
    """Prose figures of the nested leave-one-study-out (namespace ``loso``)."""
    nested, first = _nested(), _nested(first=True)
    metrics = {m["predictor"]: m for m in nested["metrics"]}
    gap, const = metrics["gap_model"], metrics["constant"]
    without = {m["predictor"]: m for m in nested["without_LI25"]}
    first_gap = pick(first["metrics"], predictor="gap_model")
    beaten = [SHORT[p] for p, m in metrics.items() if p not in ("gap_model", "constant", "base_rate")
              and m["diff_hi"] is not None and m["diff_hi"] < 0]
    out = {
        "cells": str(gap["n_cells"]), "studies": str(gap["n_studies"]), "constant_p": num(_constant_p()),
        "gap": num(gap["log_loss"]), "constant": num(const["log_loss"]), "diff_constant": _diff(const),
        "verdict": "does not demonstrably beat" if not excludes_zero(const["diff_lo"], const["diff_hi"]) else
                   ("beats" if const["diff_hi"] < 0 else "is beaten by"),
        "diff_constant_zero": "includes zero" if not excludes_zero(const["diff_lo"], const["diff_hi"]) else "excludes zero",
        "beaten": and_list(beaten),
        "without_cells": str(without["gap_model"]["n_cells"]), "without_studies": str(without["gap_model"]["n_studies"]),
        "without_better": "the constant is better" if without["constant"]["log_loss"] < without["gap_model"]["log_loss"]
                          else "the model is better",
        "without_constant": _metric(without["constant"], "log_loss"), "without_gap": _metric(without["gap_model"], "log_loss"),
        "without_diff": _diff(without["constant"]), "without_base_rate": num(without["base_rate"]["log_loss"]),
        "first_bal_acc": num(first_gap["balanced_accuracy"]),
        "amendment_shift": num(gap["log_loss"] - first_gap["log_loss"], sign=True),
        "bal_acc": num(gap["balanced_accuracy"]),
        "lower": "lower" if gap["log_loss"] < const["log_loss"] else "higher",
        "flipped": _flipped(nested["predictions"], first["predictions"]),
    }
    for r in nested["predictions"]:
        out[f"p_{r['record_id']}"] = num(r["p_gap_model"])
    return out


def _gform() -> dict[str, Any]:
    return load("graphitization_form.json")


def gform_elpd() -> str:
    """PSIS-LOO of the three graphitization forms on the whole corpus."""
    table = sorted(_gform()["whole_corpus"]["table"], key=lambda r: -r["elpd_loo"])
    n = sum(load("model_v0.json")["n_observations"].values())
    rows = ["| form | PSIS-LOO elpd (whole corpus) | difference from the best | Pareto k > 0.7 |", "|---|---|---|---|"]
    for i, r in enumerate(table):
        diff = "0" if r["elpd_diff"] == 0 else f"{num(r['elpd_diff'])} ± {num(r['diff_se'])}"
        k = f"{r['n_pareto_k_above_0_7']} of {n}" if i == 0 else str(r["n_pareto_k_above_0_7"])
        rows.append(f"| {r['form']} | {num(r['elpd_loo'])} ± {num(r['se'])} | {diff} | {k} |")
    return "\n".join(rows)


def gform_loso() -> str:
    """Nested leave-one-study-out with the form selected in every fold, against the fixed form and the constant."""
    sel = {m["predictor"]: m for m in _gform()["nested_loso"]["metrics"]}
    fixed = {m["predictor"]: m for m in _nested()["metrics"]}
    rows = ["| predictor | log-loss [90 %] | Brier | balanced acc. | gap − constant |", "|---|---|---|---|---|"]
    for label, m, c in (("gap model, form selected in every fold", sel["gap_model"], sel["constant"]),
                        ("gap model, `index` fixed (the headline above)", fixed["gap_model"], fixed["constant"])):
        rows.append(f"| {label} | {_metric(m, 'log_loss')} | {num(m['brier'])} | {num(m['balanced_accuracy'])} | "
                    f"{_diff(c)} |")
    c = fixed["constant"]
    rows.append(f"| constant {num(_constant_p())} | {_metric(c, 'log_loss')} | {num(c['brier'])} | "
                f"{num(c['balanced_accuracy'])} | |")
    return "\n".join(rows)


def gform_values() -> dict[str, str]:
    """Prose figures of the graphitization-form selection (namespace ``gform``)."""
    g = _gform()
    chosen = g["nested_loso"]["chosen_per_fold"]
    by_form = {f: and_list([s for s, c in chosen.items() if c == f], empty="none") for f in ("index", "two_class", "off")}
    table = sorted(g["whole_corpus"]["table"], key=lambda r: -r["elpd_loo"])
    sel_gap = pick(g["nested_loso"]["metrics"], predictor="gap_model")
    fixed_gap = pick(_nested()["metrics"], predictor="gap_model")
    per_sel = {r["study_id"]: r["gap_model_summed_log_loss"] for r in g["nested_loso"]["per_study"]}
    per_fixed = {r["study_id"]: r["gap_model_summed_log_loss"] for r in _nested()["per_study"]}
    wo = {m["predictor"]: m for m in g["nested_loso"]["without_LI25"]}
    k = [r["n_pareto_k_above_0_7"] for r in table]
    return {
        "seconds_selection": f"{g['seconds']['selection_whole_corpus']:,.0f}",
        "seconds_nested": f"{g['seconds']['nested_loso']:,.0f}",
        "folds_index": by_form["index"], "folds_off": by_form["off"], "folds_two_class": by_form["two_class"],
        "pareto_k": f"{min(k)}" if min(k) == max(k) else f"{min(k)} or {max(k)}",
        "selected": num(sel_gap["log_loss"]), "fixed": num(fixed_gap["log_loss"]),
        "sj23_selected": num(per_sel["SJ23"]), "sj23_fixed": num(per_fixed["SJ23"]), "sj23_form": f"`{chosen['SJ23']}`",
        "su21_selected": num(per_sel["SU21"]), "su21_fixed": num(per_fixed["SU21"]), "su21_form": f"`{chosen['SU21']}`",
        "without_selected": num(wo["gap_model"]["log_loss"]), "without_constant": num(wo["constant"]["log_loss"]),
    }


def sbc_values() -> dict[str, str]:
    """Prose figures of the simulation-based calibration (namespace ``sbc``)."""
    s = load("sbc.json")
    u = sorted(s["uniformity"], key=lambda r: r["chi2_p_value"])
    smp = s["sampler"]
    alpha = s["bonferroni_alpha_0.05"]
    smallest = [f"{num(r['chi2_p_value'], 3)} for {SBC_NAMES.get(r['parameter'], r['parameter'])}" for r in u[:3]]
    return {
        "simulations": str(s["simulations"]), "chains": f"{smp['num_chains']} × ({smp['num_warmup']} + {smp['num_samples']})",
        "seconds_per_fit": f"{s['seconds_per_fit_this_run']:.0f}",
        "bins": str(len(u[0]["counts"])), "alpha": f"0.05 / {len(u)} = {alpha:.2g}",
        "verdict": "No quantity rejects" if u[0]["chi2_p_value"] > alpha else "Some quantities reject",
        "smallest": and_list(smallest), "divergent_fits": str(s["fits_with_divergences"]),
        "rhat_fits": str(s["fits_with_r_hat_above_1.01"]),
    }


VALUES: dict[str, Callable[[], dict[str, str]]] = {"loso": loso_values, "gform": gform_values, "sbc": sbc_values}
BLOCKS: dict[str, Callable[[], str]] = {"loso-headline": loso_headline, "loso-per-study": loso_per_study,
                                        "gform-elpd": gform_elpd, "gform-loso": gform_loso}
