"""Outputs of a screening study: CSV/JSON tables, PNG plots and a self-contained HTML report."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from screen.cell.objectives import OBJECTIVE_NAMES, OBJECTIVES, UNITS
from screen.report.html import img, json_value, literature_sources_html, page_end, page_head, table_html

TOP_N = 15
_LABELS = {"robustness": "robustness", "li_loss_pct": "Li taken by interlayer (% of capacity)", "cost_usd_m2": "material cost (USD/m²)",
           "metal_growth_nm": "metal layer growth (nm)", "wh_l_loss_pct": "Wh/L lost by the reference stack (%)"}


def reactive_html(spec: Any) -> str:
    """The reactivity constraint in words, with the metals it leaves out and their products."""
    from descriptors.reactivity import metal_reactivity

    e = spec.cell.electrolyte
    found = {m: metal_reactivity(m, e, spec.objectives.energy_source) for m in spec.metal_choices if m != "none"}
    taken = [f"{m} ({r['reaction_products']})" for m, r in found.items() if r["reacts_with_electrolyte"]]
    what = (f"metals that take anions from {e}'s reduced interphase (Li2S, LiCl, Li2O, Li3N) at the lithium potential "
            f"{'left out' if spec.constraints.exclude_electrolyte_reactive else 'allowed (exclude_electrolyte_reactive = false)'}")
    gaps = [m for m, r in found.items() if "compound in the table" in r["uncovered"]]
    unknown = f"; not computed for every anion (no tabulated compound): {', '.join(gaps)}" if gaps else ""
    return html.escape(f"{what}: {', '.join(taken) or 'none in this study'}{unknown}")


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    # pandas-stubs keys records by Hashable; these column labels are str
    rows = cast("list[dict[str, Any]]", df.to_dict("records"))
    return [{k: json_value(v) for k, v in r.items()} for r in rows]


def _label(pair: pd.Series) -> str:
    return "carbon only" if pair["metal"] == "none" else str(pair["metal"])


def pareto_plot(spec: Any, table: pd.DataFrame, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 5))
    inf = table[~table["feasible"]]
    feas = table[table["feasible"] & ~table["pareto"]]
    par = table[table["pareto"]]
    ax.scatter(inf["li_loss_pct"], inf["robustness"], s=8, marker="x", c="0.75", label=f"infeasible ({len(inf)})")
    ax.scatter(feas["li_loss_pct"], feas["robustness"], s=10, c="0.45", alpha=0.6, label=f"feasible ({len(feas)})")
    top = par["metal"].value_counts().index[:8]
    # tab10 without its grey (index 7), which would read as the grey "feasible" points
    palette = [c for k, c in enumerate(matplotlib.color_sequences["tab10"]) if k != 7]
    for m, colour in zip(top, palette):
        sub = par[par["metal"] == m]
        ax.scatter(sub["li_loss_pct"], sub["robustness"], s=28, color=colour, label=f"Pareto: {'carbon only' if m == 'none' else m}")
    rest = par[~par["metal"].isin(top)]
    if len(rest):
        ax.scatter(rest["li_loss_pct"], rest["robustness"], s=28, c="k", label="Pareto: other")
    ax.set_xscale("symlog", linthresh=0.1)
    ax.set_xlabel(_LABELS["li_loss_pct"])
    ax.set_ylabel({"p_lo": "P(Li under carbon), lower bound", "p": "P(Li under carbon)",
                   "margin_lo": "margin, lower bound (mV)"}[spec.objectives.robustness])
    ax.set_title(f"{spec.study.name}: robustness vs Li inventory (5-objective Pareto set highlighted)")
    ax.legend(fontsize=7, loc="lower right")
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.11, top=0.93)  # fixed margins: tight_layout costs a draw
    fig.savefig(path, dpi=120)
    plt.close(fig)


def tradeoff_plot(table: pd.DataFrame, path: Path) -> None:
    """Robustness against each of the four costs on the Pareto set (one panel each; colour: scalarised score)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter

    par = table[table["pareto"]]
    costs = [n for n in OBJECTIVE_NAMES if n != "robustness"]
    fig, axes = plt.subplots(1, len(costs), figsize=(13, 3.4), sharey=True)
    for ax, xj in zip(axes, costs):
        x = par[xj].to_numpy(float)
        ax.scatter(x, par["robustness"], s=8, c=par["score"], cmap="viridis", vmin=0, vmax=1)
        if np.all(x[np.isfinite(x)] > 0):
            ax.set_xscale("log")
            ax.xaxis.set_minor_formatter(NullFormatter())  # within a decade the minor labels overlap
        ax.set_xlabel(_LABELS.get(xj, xj), fontsize=8)
        ax.tick_params(which="both", labelsize=7)
    axes[0].set_ylabel("robustness", fontsize=8)
    fig.suptitle("Robustness against what it costs, Pareto set (colour: scalarised score)", fontsize=10)
    fig.subplots_adjust(left=0.05, right=0.99, bottom=0.17, top=0.87, wspace=0.06)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def importances(study: Any) -> dict[str, float]:
    """PED-ANOVA importance of each parameter for reaching the best 10 % of scores (completed trials).

    PED-ANOVA (Watanabe et al., IJCAI 2023, doi:10.24963/ijcai.2023/488) is deterministic and fast; fANOVA's
    random forest takes minutes with 60-level categorical parameters.
    """
    import warnings

    import optuna
    from optuna.importance import PedAnovaImportanceEvaluator

    try:
        with warnings.catch_warnings():  # it warns that it ranks low targets: the target is -score on purpose
            warnings.simplefilter("ignore", UserWarning)
            return optuna.importance.get_param_importances(
                study, target=lambda t: -t.user_attrs["score"], evaluator=PedAnovaImportanceEvaluator())
    except (RuntimeError, ValueError, KeyError):
        return {}


def importance_plot(imp: dict[str, float], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3))
    names = list(imp)[::-1]
    ax.barh(names, [imp[n] for n in names], color="tab:blue")
    ax.set_xlabel("PED-ANOVA importance for the top-10 % scores")
    if not names:
        ax.text(0.5, 0.5, "too few trials for importances", ha="center", transform=ax.transAxes)
    fig.subplots_adjust(left=0.2, right=0.97, bottom=0.17, top=0.95)  # fixed margins: tight_layout costs a draw
    fig.savefig(path, dpi=120)
    plt.close(fig)


def ranking_plot(ranked: pd.DataFrame, path: Path) -> None:
    """Dot plot of the top designs' scores with their intervals over the model's posterior draws (not bars from
    zero: the differences are what matter), tie groups alternately shaded."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    top = ranked.head(TOP_N).iloc[::-1].reset_index(drop=True)
    labels = [f"{r['rank']}. {_label(r)} / {r['carbon']}" for _, r in top.iterrows()]
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(top) + 1.2))
    y = np.arange(len(top))
    groups = top["tie_group"].to_numpy() if "tie_group" in top else np.arange(len(top))
    for g in np.unique(groups):
        rows = y[groups == g]
        if int(g) % 2:
            ax.axhspan(rows.min() - 0.5, rows.max() + 0.5, color="0.93", zorder=0)
    mid = top["posterior_score"] if "posterior_score" in top else top["score"]
    lo = top["score_lo"] if "score_lo" in top else mid
    hi = top["score_hi"] if "score_hi" in top else mid
    ax.errorbar(mid, y, xerr=[mid - lo, hi - mid], fmt="o", c="tab:green", ms=4, capsize=2, label="posterior median, 90 % interval")
    ax.plot(top["score"], y, "|", c="0.3", ms=9, label="study objective (risk-averse)")
    ax.set_yticks(y, labels, fontsize=8)
    ax.legend(fontsize=7, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
    ax.set_xlabel("score over the model's posterior draws (dot: median; bar: 90 % interval); shaded bands: tied groups",
                  fontsize=7)
    height = fig.get_figheight()  # margins from the longest label and the height (tight_layout costs a draw)
    fig.subplots_adjust(left=min(0.6, 0.03 + 0.0088 * max(map(len, labels), default=0)), right=0.98,
                        bottom=0.5 / height, top=1 - 0.35 / height)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def report_html(spec: Any, ranked: pd.DataFrame, ex_top: pd.DataFrame, run: dict[str, Any], imp: dict[str, float], folder: Path) -> str:
    cols = ["rank", "rank_lo", "rank_hi", "tie_group", "metal", "carbon", "architecture", "metal_nm", "carbon_nm", "posterior_score",
            "score", "found_by",
            "p_under_carbon_lo", "margin_mV_lo", "sealed_fraction", "li_loss_pct", "cost_usd_m2", "metal_growth_nm", "wh_l_loss_pct",
            "wh_kg_loss_pct", "li_richest_phase", "optimum"]
    top = ranked[cols].head(TOP_N).copy()
    top["metal"] = top["metal"].replace({"none": "(carbon only)"})
    w = spec.scalarisation.weights.model_dump()
    lim = spec.scalarisation.limits.model_dump()
    c = spec.constraints
    ex = run.get("exhaustive")
    ex_html = ("<p>Not run: <code>--exhaustive</code> evaluates a denser grid than the study's own and reports how many of "
               "its top-10 pairs this ranking finds.</p>")
    if ex:
        ex_html = (f"<p>Dense grid: {ex['grid_evaluations']:,} designs in {ex['grid_seconds']} s "
                   f"({ex['candidates_per_second']:,} per s). Optuna: {ex['optuna_evaluations']:,} evaluations. "
                   f"<b>Top-10 recall of the grid's (metal, carbon) pairs by this ranking: {ex['top10_recall']:.0%}</b> "
                   f"(tied designs count as hits); by optuna's trials alone: {ex['top10_recall_optuna_only']:.0%}. "
                   f"Best score: grid {ex['best_exhaustive_score']:.4f}, this ranking {ex['best_score']:.4f}, "
                   f"optuna alone {ex['best_optuna_only_score']:.4f}.</p>" + table_html(ex_top))
    merged = "; ".join(f"{k} also stands for {', '.join(v)}" for k, v in spec.carbon_merged.items())
    merged_html = (f" (presets whose descriptors are identical are merged into one option: {html.escape(merged)})"
                   if merged else "")
    gf = run.get("grid_first")
    by = ranked["found_by"].value_counts().to_dict() if "found_by" in ranked.columns else {}
    grid_html = ("<p>The grid was not evaluated first (<code>[exhaustive] grid_first</code> off or the grid too large): "
                 "optuna found every design.</p>" if not gf else
                 f"<p><b>Who found what.</b> The study's grid ({gf['designs']:,} designs, {gf['evaluate_seconds']} s) was "
                 f"evaluated first and its best design of each of the {gf['pairs_feasible']} feasible pairs refined locally; "
                 f"optuna started from the best {gf['started_optuna_from']} and refined the continuous thicknesses. "
                 f"Of the {len(ranked)} ranked designs, {by.get('grid', 0)} come from the grid and {by.get('optuna', 0)} "
                 f"from optuna (column <code>found_by</code>).</p>")
    states = ", ".join(f"{k}: {v}" for k, v in run["trial_states"].items())
    infeas = ", ".join(f"{k}: {v}" for k, v in run["infeasible_by_constraint"].items())
    objectives = "".join(f"<li><b>{n}</b> ({d}) — {html.escape(UNITS.get(n, ''))}</li>" for n, d in OBJECTIVES)
    n_metals = len([m for m in spec.metal_choices if m != "none"])
    imp_txt = ", ".join(f"{k} {v:.2f}" for k, v in imp.items()) or "n/a"
    return f"""{page_head("interlayer-screen: " + spec.study.name)}<h1>Interlayer screen — {html.escape(spec.study.name)}</h1>
<p>{html.escape(spec.study.description)}</p>
<p>Cell: {html.escape(spec.cell.electrolyte)}, {spec.cell.current_ma_cm2:g} mA/cm², {spec.cell.areal_capacity_mah_cm2:g} mAh/cm²,
stack {spec.cell.stack_mpa:g} MPa, fabrication {spec.cell.fab_mpa:g} MPa, {spec.cell.temperature_c:g} °C.
Search space: {n_metals} metals{' + carbon only' if 'none' in spec.metal_choices else ''},
{len(spec.carbon_choices)} carbons{merged_html}, architectures {', '.join(spec.space.architectures)},
metal {spec.space.metal_nm[0]:g}–{spec.space.metal_nm[1]:g} nm,
carbon {spec.space.carbon_nm[0]:g}–{spec.space.carbon_nm[1]:g} nm (log scale).</p>
<p>Sampler {spec.study.sampler} (seed {spec.study.seed}), {run['n_trials']} trials — {states}.
<b>{run['infeasible_trials']} of {run['completed_trials']} completed trials were infeasible</b> ({infeas}).
{run['pareto_trials']} trials are on the 5-objective Pareto front.
Model v{run['model']['version']} (data {run['model']['data_sha256'][:12]}).</p>
{grid_html}
<h2>Top {TOP_N} designs (best feasible design per metal/carbon pair)</h2>
{table_html(top)}
{img(folder / 'ranking.png')}
<h2>How designs are ranked</h2>
<ul>{objectives}</ul>
<p>Score = weighted mean of desirabilities: robustness is used as is (probabilities) or margin/limit; each cost-type
objective falls linearly from 1 at zero to 0 at its limit. Weights: {html.escape(json.dumps(w))}; limits: {html.escape(json.dumps(lim))}.
Constraints: total thickness ≤ {c.max_total_nm:g} nm; metals not in {html.escape(', '.join(c.forbidden_elements))};
P(under carbon) ≥ {c.min_p_under_carbon:g}; carbon layer ≥ {c.min_carbon_particle_layers:g} particle diameters;
{'carbon no thinner than the calibrated range' if c.carbon_within_calibrated
  else 'carbon below the calibrated range allowed (extrapolated)'};
{reactive_html(spec)}.</p>
<p>Robustness counts only the <i>sealed</i> area: the carbon layer's closure (particulate layers: 1 − porosity^(thickness/particle),
porosity {spec.integrity.carbon_porosity:g}) times the metal film's coverage of the collector (islands below the film's percolation
thickness); the rest of the area counts as failing. Energy density: Wh/L (and Wh/kg) the reference stack
<code>{html.escape(spec.stack.reference)}</code> loses to the interlayer's added thickness (mass).
Li inventory counts the Li both layers take up above 0 V on first charge (Li-richest phase on the computed Li–M hull,
or the bcc solid-solution edge); cost counts materials (2013 element prices, pymatgen cost database)
{'plus the study’s deposition costs' if spec.cost.deposition_usd_m2 else 'only: no sourced deposition cost is shipped'};
swelling assumes a film clamped in-plane. The <i>optimum</i> column says what sets each design's thicknesses:
the objective terms that pull the thickness up and down at the optimum, or the constraint or search bound it sits on.</p>
<h2>Pareto front and trade-offs</h2>
{img(folder / 'pareto.png')}
{img(folder / 'tradeoffs.png')}
<h2>Which parameters matter</h2>
<p>PED-ANOVA importances (which parameters separate the best 10 % of scores from the rest): {html.escape(imp_txt)}</p>
{img(folder / 'importances.png')}
<h2>Recall check against a dense grid</h2>
{ex_html}
<h2>Sources</h2>
<p>The gap model was fitted to these published cells (<code>datasets/literature_outcomes.csv</code>; every row carries
its DOI or URL and whether the value was measured, read from a figure or estimated); the descriptors' element data and
phase diagrams are sourced row by row in <code>datasets/</code> (<code>datasets/README.md</code>).</p>
{literature_sources_html(run['model'].get('study_ids'))}
<h2>Reproducibility</h2>
<p>Study file {html.escape(run['study']['file'])} (sha256 {run['study']['file_sha256'][:16]}…), package {run['package_version']},
storage {html.escape(run['storage'])}. Full record in <a href="run.json"><code>run.json</code></a>.</p>
{page_end()}"""


def extras_html(spec: Any, extras: dict[str, pd.DataFrame]) -> str:
    """Report sections for the ``[report]`` tables (explanations, comparison with a reference metal)."""
    parts = []
    vs = extras.get("vs_reference")
    if vs is not None and len(vs):
        ref = spec.report.reference_metal
        beat = vs[vs["beats_reference"]]
        cols = ["rank", "metal", "carbon", "score", "score_minus_reference", "main_advantage", "main_drawback",
                *[c for c in vs.columns if c.startswith("d_")]]
        parts.append(f"<h2>Against {html.escape(ref)}</h2><p>{len(beat)} metal(s) beat {html.escape(ref)}'s best design"
                     f"{': ' + html.escape(', '.join(beat['metal'])) if len(beat) else ''}. Columns d_* are each objective's weighted "
                     f"desirability difference to {html.escape(ref)} (they sum to the score difference).</p>"
                     + table_html(vs[cols].head(25)))
    ex = extras.get("explanations")
    if ex is not None and len(ex):
        wide = ex.pivot_table(index=["rank", "metal", "carbon", "margin_mV", "inert_margin_mV"], columns="descriptor",
                              values="contribution_mV").reset_index()
        parts.append("<h2>Why the top metals rank high</h2><p>Margin of the best design minus the margin of the same carbon on an "
                     "inert metal, split among the metal's descriptors (Shapley values, mV; 90 % intervals over the posterior draws in "
                     "<code>explanations.csv</code>).</p>" + table_html(wide))
    return "\n".join(parts)


def write_outputs(folder: Path, spec: Any, table: pd.DataFrame, ranked: pd.DataFrame, ex_top: pd.DataFrame, run: dict[str, Any],
                  study: Any, plots: bool = True, extras: dict[str, pd.DataFrame] | None = None) -> None:
    """Write every output file of a run into ``folder`` (a staging folder)."""
    extras = extras or {}
    for name, df in extras.items():
        df.to_csv(folder / f"{name}.csv", index=False)
    from screen.search.ranking import RANKING_COLUMNS

    cols = [c for c in RANKING_COLUMNS if c in ranked.columns]
    ranked[cols].to_csv(folder / "ranking.csv", index=False)
    (folder / "ranking.json").write_text(json.dumps({"study": spec.study.name, "units": UNITS, "ranking": _records(ranked[cols])},
                                                    indent=1) + "\n", encoding="utf-8")
    table[table["pareto"]].to_csv(folder / "pareto.csv", index=False)
    table.to_csv(folder / "trials.csv", index=False)
    if not ex_top.empty:
        ex_top.to_csv(folder / "exhaustive_top.csv", index=False)
    if not plots:
        return
    imp = importances(study)
    run["param_importances"] = imp
    pareto_plot(spec, table, folder / "pareto.png")
    tradeoff_plot(table, folder / "tradeoffs.png")
    importance_plot(imp, folder / "importances.png")
    ranking_plot(ranked, folder / "ranking.png")
    page = report_html(spec, ranked, ex_top, run, imp, folder)
    anchor = "<h2>Pareto front and trade-offs</h2>"
    page = page.replace(anchor, extras_html(spec, extras) + "\n" + anchor, 1)
    (folder / "report.html").write_text(page, encoding="utf-8")
