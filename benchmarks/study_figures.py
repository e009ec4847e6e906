"""Collect the figures the documents quote from the shipped studies' runs into ``benchmarks/results/studies.json``.

Run ``bash studies/make_figures.sh`` from the repository root: it re-runs every study in ``studies/`` into ``runs/``
(about a minute on 2 cores) and then this script. With the runs already there, run the script alone::

    python benchmarks/study_figures.py [--runs runs]

then ``python benchmarks/render_docs.py`` writes the figures into ``studies/README.md``, ``docs/studies.md`` and
``docs/screening.md`` (``benchmarks/docfigures/studies.py`` formats them). This script only reads the run folders
(``ranking.csv``, ``run.json``, ``vs_reference.csv``, ``explanations.csv``, ``comparison.json``, ``summary.csv``,
``sensitivity/``); it runs no study. A missing folder names the command that writes it.

Units are those of the run files: thicknesses in nm, scores dimensionless (0–1), margins and Shapley contributions in
mV, Li loss and energy-density loss in % of the cell, Sobol indices and Kendall tau dimensionless, kept fractions 0–1.
Each study's provenance comes from its ``run.json`` (model version and data hash, the study file's sha256, seed,
package version, the literature table's sha256); ``run.json`` holds no timestamp, so the date is its modification
time (UTC), the moment the run finished.
"""

from __future__ import annotations

import argparse
import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from descriptors.atomic import atomic_target

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "studies.json"
#: study -> the command that writes its run folder (named when the folder is missing).
COMMANDS = {"default": "interlayer screen --study studies/default.toml --output runs/default",
            "seed_mg_c": "interlayer compare --study studies/seed_mg_c.toml",
            "low_cost_metals": "interlayer screen --study studies/low_cost_metals.toml",
            "propose_new": "interlayer sensitivity --study studies/propose_new.toml",
            "pressure_and_rate": "interlayer sensitivity --study studies/pressure_and_rate.toml",
            "thickness_tradeoff": "interlayer tradeoff --study studies/thickness_tradeoff.toml"}
#: a metal counts as inert when its mutual-solubility score is below this (0–1) and it forms no Li phase.
INERT_SOLUBILITY = 0.01
TOP = 15  # rows of a ranking the documents discuss
#: one layer's clause of ranking.csv's ``optimum`` (screen/analysis/optimum.py): what sets its thickness.
_LAYER = re.compile(r"(?:^|; )(metal|carbon) [\d.e+]+ nm: (interior|on constraint \w+ \((?P<why>[^)]*)\)"
                    r"|at the search bound|every term favours)")


def _read(folder: Path, name: str) -> Path:
    path = folder / name
    if not path.is_file():
        raise SystemExit(f"{path} is missing: run `{COMMANDS[folder.name]}` (or bash studies/make_figures.sh)")
    return path


def _json(folder: Path, name: str) -> Any:
    return json.loads(_read(folder, name).read_text(encoding="utf-8"))


def _ranking(folder: Path) -> pd.DataFrame:
    return pd.read_csv(_read(folder, "ranking.csv")).sort_values("rank").reset_index(drop=True)


def provenance(folder: Path) -> dict[str, Any]:
    """Model version and data hash, study sha256, seed, date (UTC, run.json's mtime), package, literature sha256."""
    path = _read(folder, "run.json")
    run = json.loads(path.read_text(encoding="utf-8"))
    return {"model_version": run["model"]["version"], "model_data_sha256": run["model"]["data_sha256"],
            "study_sha256": run["study"]["file_sha256"],
            "seed": run.get("seed", run["study"]["resolved"]["study"]["seed"]),
            "date": datetime.fromtimestamp(path.stat().st_mtime, UTC).date().isoformat(),
            "package_version": run["package_version"],
            "literature_sha256": run["data_sha256"].get("literature_outcomes.csv")}


def _inert(row: pd.Series) -> bool:
    soluble = row["solubility_score_mutual"] >= INERT_SOLUBILITY
    return row["metal"] != "none" and not soluble and not row["has_intermediate_phases"]


def _design(row: pd.Series) -> dict[str, Any]:
    """One ranked design: names, thicknesses (nm), rank and its 90 % interval, tie group, posterior median score."""
    return {"metal": row["metal"], "carbon": row["carbon"], "rank": int(row["rank"]), "rank_lo": int(row["rank_lo"]),
            "rank_hi": int(row["rank_hi"]), "tie_group": int(row["tie_group"]),
            "score": round(float(row["posterior_score"]), 6),
            "metal_nm": None if pd.isna(row["metal_nm"]) else round(float(row["metal_nm"]), 3),
            "carbon_nm": round(float(row["carbon_nm"]), 3), "inert": bool(_inert(row))}


def _span(values: pd.Series) -> list[float]:
    return [round(float(values.min()), 6), round(float(values.max()), 6)]


def ranking_facts(df: pd.DataFrame) -> dict[str, Any]:
    """Leading tie group, each metal's and carbon's best design, carbon-only designs and the top rows' optima."""
    g1 = df[df["tie_group"] == 1]
    with_metal = g1[g1["metal"] != "none"]
    best_metal = df.drop_duplicates("metal")
    top = df.head(TOP)
    layers = []
    for row in top.to_dict("records"):
        for m in _LAYER.finditer(str(row["optimum"])):
            layers.append({"design": f"{row['metal']}/{row['carbon']}", "layer": m.group(1),
                           "nm": round(float(row[f"{m.group(1)}_nm"]), 3),
                           "set_by": "interior" if m.group(2) == "interior" else m.group("why") or m.group(2)})
    return {"designs": int(len(df)),
            "tie_group_1": {"size": int(len(g1)), "rank_lo": int(g1["rank_lo"].min()),
                            "rank_hi": int(g1["rank_hi"].max()), "metals": list(dict.fromkeys(with_metal["metal"])),
                            "carbons": list(dict.fromkeys(g1["carbon"])),
                            "metal_nm": _span(with_metal["metal_nm"]), "carbon_nm": _span(g1["carbon_nm"]),
                            "score": _span(g1["posterior_score"])},
            "top": [_design(r) for _, r in top.iterrows()],
            "best_by_metal": {r["metal"]: _design(r) for _, r in best_metal.iterrows() if r["metal"] != "none"},
            "first_rank_by_carbon": {c: int(r) for c, r in df.groupby("carbon")["rank"].min().items()},
            "carbon_only": [_design(r) for _, r in df[df["metal"] == "none"].drop_duplicates("carbon").iterrows()],
            "top_layers": layers, "top_wh_l_loss_pct": _span(top["wh_l_loss_pct"])}


def default_facts(folder: Path) -> dict[str, Any]:
    """The default screen: its ranking and the grid it started from."""
    run = _json(folder, "run.json")
    return {**ranking_facts(_ranking(folder)), "grid_designs": int(run["grid_first"]["designs"]),
            "exclude_electrolyte_reactive": run["study"]["resolved"]["constraints"]["exclude_electrolyte_reactive"]}


def explanations(folder: Path) -> dict[str, Any]:
    """Per explained metal: margin, an inert metal's margin under the same carbon (mV), each descriptor's share (mV)."""
    ex = pd.read_csv(_read(folder, "explanations.csv"))
    out: dict[str, Any] = {}
    for metal, rows in ex.groupby("metal", sort=False):
        out[str(metal)] = {"margin_mV": round(float(rows["margin_mV"].iloc[0]), 4),
                           "inert_margin_mV": round(float(rows["inert_margin_mV"].iloc[0]), 4),
                           "contribution_mV": {str(r["descriptor"]): round(float(r["contribution_mV"]), 4)
                                               for r in rows.to_dict("records")}}
    return out


def low_cost_facts(folder: Path) -> dict[str, Any]:
    """The low-cost screen, each metal beside the reference metal (vs_reference.csv) and the explanations."""
    vs = pd.read_csv(_read(folder, "vs_reference.csv"))
    others = vs.iloc[1:]
    return {**ranking_facts(_ranking(folder)), "reference": str(vs["metal"].iloc[0]),
            "beat_reference": [str(m) for m in others.loc[others["beats_reference"], "metal"]],
            "main_drawbacks": sorted(set(others["main_drawback"].dropna())), "explanations": explanations(folder)}


def sobol(folder: Path, output: str) -> dict[str, dict[str, Any]]:
    """Sobol indices of one output per factor, largest S1_eff first (S1; S1_conf, the 95 % half-width; ST; S1_eff,
    zero where S1's interval includes zero) and the factor's meaning."""
    sens = folder / "sensitivity"
    meaning = dict(pd.read_csv(_read(sens, "factors.csv"))[["factor", "meaning"]].to_numpy())
    s = pd.read_csv(_read(sens, "sobol.csv"))
    s = s[s["output"] == output].sort_values("S1_eff", ascending=False)
    if s.empty:
        raise SystemExit(f"{sens}/sobol.csv has no output {output!r}")
    cols = ("S1", "S1_conf", "ST", "S1_eff")
    return {str(r["factor"]): {**{c: round(float(r[c]), 4) for c in cols}, "meaning": meaning.get(r["factor"], "")}
            for r in s.to_dict("records")}


def sensitivity_facts(folder: Path) -> dict[str, Any]:
    """Sobol indices of the leader's margin and of the top-10 Kendall tau, and the rank stability summary."""
    rec = _json(folder / "sensitivity", "sensitivity.json")
    lead = _ranking(folder).iloc[0]
    return {"leader": f"{lead['metal']}/{lead['carbon']}", "pool_designs": rec["pool_designs"],
            "margin": sobol(folder, f"margin_mV | {lead['metal']}/{lead['carbon']}"),
            "kendall_tau": sobol(folder, "kendall_tau_top10"), "rank_stability": rec["rank_stability"]}


def seed_facts(folder: Path) -> dict[str, Any]:
    """The compare study's cells (predictions beside measurements) and its findings."""
    comp = _json(folder, "comparison.json")
    keys = ("label", "predicted_site", "p_under_carbon", "p_under_carbon_lo", "p_under_carbon_hi", "margin_mV",
            "eta_cell_mV", "predicted_dip", "measured_nucleation_dip", "li_uptake_pct", "measured_initial_ce_pct",
            "regulation_current_mA_cm2", "regulation_current_lo", "regulation_current_hi", "measured_ccd_mA_cm2")
    return {"cells": [{k: c[k] for k in keys} for c in comp["cells"]],
            "findings": [{k: f.get(k) for k in ("trend", "reproduced", "spearman")} for f in comp["findings"]]}


def tradeoff_facts(folder: Path, default: pd.DataFrame) -> dict[str, Any]:
    """Per metal: best robustness (margin lower bound × sealed fraction, mV), where, Li loss (%), front size; the
    thickness ranges searched (nm) and which metals the default ranking finds inert."""
    run = _json(folder, "run.json")
    summ = pd.read_csv(_read(folder, "summary.csv"))
    inert = {r["metal"]: _inert(r) for _, r in default.drop_duplicates("metal").iterrows()}
    return {"metals": run["metals"], "metal_selection": run["metal_selection"], "evaluated": run["evaluated"],
            "current_ma_cm2": run["study"]["resolved"]["cell"]["current_ma_cm2"],
            "metal_nm": run["study"]["resolved"]["space"]["metal_nm"],
            "carbon_nm": run["study"]["resolved"]["space"]["carbon_nm"],
            "inert": {m: inert.get(m) for m in run["metals"]},
            "summary": [{k: (None if pd.isna(v) else v) for k, v in r.items()} for r in summ.to_dict("records")]}


def printed_table(runs: Path, rows: int = 1) -> list[str]:
    """The header and first ``rows`` lines of the table ``interlayer screen`` printed for the default study
    (``runs/default.stdout.txt``, saved by ``studies/make_figures.sh``); empty when the file is missing."""
    path = runs / "default.stdout.txt"
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    head = next(i for i, line in enumerate(lines) if line.split()[:2] == ["rank", "rank_90%"])
    return lines[head:head + 1 + rows]


def collect(runs: Path) -> dict[str, Any]:
    """Every study's facts and provenance, keyed by study name."""
    facts = {"default": {**default_facts(runs / "default"), "printed": printed_table(runs)}, "seed_mg_c": seed_facts(runs / "seed_mg_c"),
             "low_cost_metals": low_cost_facts(runs / "low_cost_metals"),
             "propose_new": {**ranking_facts(_ranking(runs / "propose_new")), **sensitivity_facts(runs / "propose_new"),
                             "explanations": explanations(runs / "propose_new")},
             "pressure_and_rate": sensitivity_facts(runs / "pressure_and_rate"),
             "thickness_tradeoff": tradeoff_facts(runs / "thickness_tradeoff", _ranking(runs / "default"))}
    return {"written_by": "benchmarks/study_figures.py", "runs": os.path.relpath(runs, ROOT),
            "provenance": {name: provenance(runs / name) for name in facts}, **facts}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=Path, default=ROOT / "runs", help="folder holding the studies' run folders")
    ap.add_argument("--seconds", type=float, help="wall time of the runs (s), as studies/make_figures.sh measured it")
    args = ap.parse_args()
    data = collect(args.runs)
    if args.seconds is not None:
        data["seconds_all_runs"] = args.seconds
    with atomic_target(OUT) as tmp:
        tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
