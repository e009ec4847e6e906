"""Outputs of ``interlayer sensitivity``: tables, PNG plots and a section in the study's ``report.html``.

Files in ``<study output>/sensitivity/`` (written to a staging folder, then swapped in whole):
``factors.csv``, ``sobol.csv``/``.json``, ``morris.csv``, ``oat.csv``, ``oat_top.csv`` (the top
five at each swept value), ``rank_stability.csv``, ``sobol.png``, ``morris.png``, ``oat_margin.png``,
``oat_rank.png``, ``rank_stability.png``, ``section.html`` and ``sensitivity.json`` (last).
The study's ``report.html`` gets the section between two markers, replaced on every run.
"""

from __future__ import annotations

import html
import json
import math
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from descriptors.atomic import atomic_folder
from screen.report.html import img, json_value, table_html

START, END = "<!-- sensitivity:start -->", "<!-- sensitivity:end -->"


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def sobol_plot(sobol: pd.DataFrame, path: Path, max_panels: int = 3) -> None:
    """S1 and ST with 95 % intervals for the top design's margin and P, and the ranking's Kendall tau."""
    plt = _plt()
    outputs = [o for o in sobol["output"].unique() if not sobol.loc[sobol["output"] == o, "constant_output"].all()]
    first = [o for o in outputs if o.startswith("margin_mV")][:1] + [o for o in outputs if o.startswith("p_under")][:1]
    shown = (first + [o for o in outputs if o == "kendall_tau_top10"])[:max_panels] or outputs[:1]
    if not shown:
        return
    fig, axes = plt.subplots(1, len(shown), figsize=(5.2 * len(shown), 0.32 * sobol["factor"].nunique() + 1.8), squeeze=False)
    for ax, o in zip(axes[0], shown):
        sub = sobol[sobol["output"] == o].sort_values("ST")
        y = np.arange(len(sub))
        ax.barh(y + 0.2, sub["ST"], 0.4, xerr=sub["ST_conf"], color="tab:orange", label="total order ST")
        ax.barh(y - 0.2, sub["S1"], 0.4, xerr=sub["S1_conf"], color="tab:blue", label="first order S1")
        ax.set_yticks(y, sub["factor"], fontsize=7)
        ax.axvline(0, color="k", lw=0.5)
        ax.set_xlim(-0.1, 1.05)
        ax.set_title(o, fontsize=9)
        ax.set_xlabel("Sobol index (95 % interval)")
    axes[0][0].legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def morris_plot(morris: pd.DataFrame, path: Path) -> None:
    """mu* vs sigma of the elementary effects on the top design's margin."""
    plt = _plt()
    o = next((o for o in morris["output"].unique() if o.startswith("margin_mV")), morris["output"].iloc[0])
    sub = morris[morris["output"] == o]
    fig, ax = plt.subplots(figsize=(6.5, 4.8))
    for kind, c in (("input", "tab:green"), ("parameter", "tab:purple")):
        s = sub[sub["kind"] == kind]
        ax.errorbar(s["mu_star"], s["sigma"], xerr=s["mu_star_conf"], fmt="o", color=c, ms=4, label=kind)
    for _, r in sub.nlargest(8, "mu_star").iterrows():
        ax.annotate(r["factor"], (r["mu_star"], r["sigma"]), fontsize=7, xytext=(3, 2), textcoords="offset points")
    ax.set_xlabel("mu* (mean |elementary effect|, mV per unit quantile)")
    ax.set_ylabel("sigma (interaction / non-linearity)")
    ax.set_title(f"Morris screening: {o}", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def oat_plot(oat: pd.DataFrame, factors: list[Any], path: Path, column: str, top: int = 5) -> None:
    """One panel per input factor (and the 6 most influential parameters): ``column`` of the top designs vs the value."""
    plt = _plt()
    spread = oat.groupby("factor")["margin_mV"].agg(lambda v: float(np.nanmax(v) - np.nanmin(v)))
    inputs = [f for f in factors if f.kind == "input"]
    params = sorted((f for f in factors if f.kind == "parameter"), key=lambda f: -spread.get(f.name, 0.0))[:6]
    shown = inputs + params
    ncol = 4
    nrow = math.ceil(len(shown) / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(3.6 * ncol, 2.7 * nrow), squeeze=False)
    top_designs = oat.loc[oat["nominal_rank"] <= top, ["metal", "carbon", "architecture", "nominal_rank"]].drop_duplicates()
    top_designs = top_designs.sort_values("nominal_rank")
    for ax, f in zip(axes.ravel(), shown):
        sub = oat[oat["factor"] == f.name]
        for _, d in top_designs.iterrows():
            s = sub[(sub["metal"] == d["metal"]) & (sub["carbon"] == d["carbon"]) & (sub["architecture"] == d["architecture"])]
            ax.plot(s["value"], s[column], marker=".", ms=3, lw=1,
                    label=f"#{d['nominal_rank']} {'C only' if d['metal'] == 'none' else d['metal']}/{d['carbon']}")
        nom = sub.loc[sub["is_nominal"], "value"]
        if len(nom):
            ax.axvline(float(nom.iloc[0]), color="0.6", lw=0.8, ls=":")
        if f.dist == "logunif" or (f.kind == "parameter" and f.unit.startswith("log")):
            ax.set_xscale("log")
        if column == "rank":
            ax.invert_yaxis()
        if column == "margin_mV":
            ax.axhline(0, color="k", lw=0.5)
        ax.set_title(f"{f.name} [{f.unit}]", fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in axes.ravel()[len(shown):]:
        ax.axis("off")
    axes[0][0].legend(fontsize=6)
    axes[0][0].set_ylabel({"margin_mV": "margin (mV)", "rank": "rank in pool"}.get(column, column), fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def stability_plot(stab: pd.DataFrame, tau: np.ndarray | None, path: Path) -> None:
    """How often each design is in the top 10 (all factors), and the distribution of Kendall's tau."""
    plt = _plt()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.2), gridspec_kw={"width_ratios": [1.7, 1]})
    sub = stab.head(20)
    rows = cast("Iterable[Any]", sub.itertuples())  # itertuples: pandas-stubs types every field as any scalar
    labels = [f"#{r.nominal_rank} {'C only' if r.metal == 'none' else r.metal}/{r.carbon}" for r in rows]
    a1.bar(range(len(sub)), sub["top10_frequency_all"], color=np.where(sub["nominal_rank"] <= 10, "tab:blue", "0.6"))
    a1.set_xticks(range(len(sub)), labels, rotation=70, fontsize=7, ha="right")
    a1.set_ylabel("fraction of samples in the top 10")
    a1.set_ylim(0, 1.02)
    a1.set_title("Top-10 membership under all factors (blue: nominal top 10)", fontsize=9)
    if tau is not None:
        a2.hist(tau[np.isfinite(tau)], bins=30, color="tab:gray")
        a2.set_xlabel("Kendall tau-b, nominal vs perturbed top-10 order")
        a2.set_ylabel("samples")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def oat_top(oat: pd.DataFrame, top: int = 5) -> pd.DataFrame:
    """The ``top`` designs (by rank in the pool) at each swept value of each factor."""
    sub = oat[oat["rank"] <= top].sort_values(["factor", "value", "rank"])
    sub = sub.assign(design=[f"{'carbon only' if m == 'none' else m}/{c}" for m, c in zip(sub["metal"], sub["carbon"])])
    wide = sub.pivot_table(index=["factor", "value"], columns="rank", values="design", aggfunc="first")
    wide.columns = [f"rank_{c}" for c in wide.columns]
    return wide.reset_index()


def section_html(spec: Any, sa: Any, sobol: pd.DataFrame, morris: pd.DataFrame, stab: pd.DataFrame, record: dict[str, Any],
                 folder: Path) -> str:
    """The HTML section (self-contained: images embedded)."""
    lead = [o for o in sobol["output"].unique()]
    blocks = []
    for o in lead[:3] + ["kendall_tau_top10"] * ("kendall_tau_top10" in lead[3:]):
        sub = sobol[sobol["output"] == o].sort_values("ST", ascending=False).head(6)
        if sub["constant_output"].all():
            blocks.append(f"<p><b>{html.escape(o)}</b>: constant over the samples (no variance to apportion).</p>")
            continue
        blocks.append(f"<p><b>{html.escape(o)}</b> (Σ S1 = {sub['S1'].sum():.2f} over the six shown)</p>"
                      + table_html(sub[["factor", "kind", "S1", "S1_conf", "ST", "ST_conf", "S1_eff", "ST_eff"]]))
    rs = record["rank_stability"]
    rs_rows = pd.DataFrame([{"factors varied": k, "samples": v["samples"], "tau mean": v["kendall_tau_mean"],
                             "tau 5 %": v["kendall_tau_p05"], "tau 95 %": v["kendall_tau_p95"],
                             "top-1 kept": v["top1_kept"], "top-10 kept (mean)": v["top10_mean_kept"],
                             "nominal top 10 infeasible": v["infeasible_top10_fraction"]} for k, v in rs.items()])
    cols = ["nominal_rank", "metal", "carbon", "metal_nm", "carbon_nm", "top10_frequency_all", "rank_p05_all", "rank_median_all",
            "rank_p95_all"]
    n_fac = len(sa.factors)
    return f"""{START}
<h2>Sensitivity analysis</h2>
<p>{n_fac} factors ({sum(f.kind == 'parameter' for f in sa.factors)} model parameters from the bootstrap spread,
{sum(f.kind == 'input' for f in sa.factors)} inputs; table <code>sensitivity/factors.csv</code>) varied over the
{record['pool_designs']} best designs of this study. Sobol: {record['sobol_evaluations']:,} evaluations
(N = {spec.sensitivity.n_base}, Saltelli scheme without second order, 95 % bootstrap intervals; an index whose interval
includes zero counts as zero: columns S1_eff/ST_eff). Morris: {record['morris_evaluations']:,} evaluations.
Seed {record['seed']}; SALib {html.escape(record['library_versions']['SALib'])}.</p>
{''.join(blocks)}
{img(folder / 'sobol.png')}
<h3>Morris screening</h3>
{img(folder / 'morris.png')}
<h3>One at a time</h3>
<p>Each factor swept across its range with the others at their nominal values (dotted line).</p>
{img(folder / 'oat_margin.png')}
{img(folder / 'oat_rank.png')}
<h3>Rank stability of the top 10</h3>
{table_html(rs_rows)}
{table_html(stab[[c for c in cols if c in stab.columns]].head(15))}
{img(folder / 'rank_stability.png')}
<p>Tables: <code>sensitivity/sobol.csv</code>, <code>morris.csv</code>, <code>oat.csv</code>, <code>oat_top.csv</code>,
<code>rank_stability.csv</code>; record: <code>sensitivity/sensitivity.json</code>.</p>
{END}"""


def _insert_section(report: Path, section: str) -> None:
    """Put the section into ``report.html`` (replacing an earlier one), atomically."""
    from descriptors.atomic import atomic_target

    text = report.read_text(encoding="utf-8")
    if START in text and END in text:
        text = text[: text.index(START)] + section + text[text.index(END) + len(END):]
    else:
        anchor = "<h2>Reproducibility</h2>"
        text = text.replace(anchor, section + "\n" + anchor, 1) if anchor in text else text.replace("</body>", section + "\n</body>", 1)
    with atomic_target(report) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_sensitivity_outputs(out: Path, spec: Any, sa: Any, sobol: pd.DataFrame, morris: pd.DataFrame, oat: pd.DataFrame,
                              stab: pd.DataFrame, record: dict[str, Any], t0: float, plots: bool = True) -> Path:
    """Write every file into a staging folder, swap it in as ``out/sensitivity``, then update ``report.html``."""
    final = out / "sensitivity"
    with atomic_folder(final) as staging:
        sa.factor_table().to_csv(staging / "factors.csv", index=False)
        sobol.to_csv(staging / "sobol.csv", index=False)
        (staging / "sobol.json").write_text(json.dumps([{k: json_value(v) for k, v in r.items()} for r in sobol.to_dict("records")],
                                                       indent=1) + "\n", encoding="utf-8")
        morris.to_csv(staging / "morris.csv", index=False)
        oat.to_csv(staging / "oat.csv", index=False)
        oat_top(oat).to_csv(staging / "oat_top.csv", index=False)
        stab.to_csv(staging / "rank_stability.csv", index=False)
        section = ""
        if plots:
            sobol_plot(sobol, staging / "sobol.png")
            morris_plot(morris, staging / "morris.png")
            oat_plot(oat, sa.factors, staging / "oat_margin.png", "margin_mV")
            oat_plot(oat, sa.factors, staging / "oat_rank.png", "rank")
            stability_plot(stab, getattr(sa, "_tau_all", None), staging / "rank_stability.png")
            section = section_html(spec, sa, sobol, morris, stab, record, staging)
            (staging / "section.html").write_text(section, encoding="utf-8")
        record["total_seconds"] = round(time.perf_counter() - t0, 3)
        (staging / "sensitivity.json").write_text(json.dumps(record, indent=2, default=str) + "\n", encoding="utf-8")
    report = out / "report.html"
    if section and report.is_file():
        _insert_section(report, section)
    return final
