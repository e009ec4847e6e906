"""Outputs of ``interlayer compare``: the margin plot and the HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["comparison_plot", "compare_html"]


def comparison_plot(table: pd.DataFrame, path: Path) -> None:
    """Measured ICE beside the predicted eta and Li uptake; margins with intervals."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(14, 4.2))
    x = np.arange(len(table))
    lab = table["label"].tolist()
    ax = axes[0]
    ax.bar(x, table["eta_cell_mV"], color="tab:purple")
    ax.axhline(5.0, color="k", lw=0.6, ls=":")
    ax.set_xticks(x, lab, rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("predicted nucleation overpotential (mV)")
    ax.set_title("Predicted first-nucleation eta (dotted: dip threshold)", fontsize=9)
    ax = axes[1]
    ax.bar(x - 0.2, table["li_uptake_pct"], 0.4, color="tab:orange", label="Li taken by interlayer, % (model)")
    ice = pd.to_numeric(table["measured_initial_ce_pct"], errors="coerce")
    ax.bar(x + 0.2, 100.0 - ice, 0.4, color="tab:gray", label="100 - measured ICE, %")
    ax.set_xticks(x, lab, rotation=30, ha="right", fontsize=8)
    ax.legend(fontsize=7)
    ax.set_title("Li consumed vs measured first-cycle loss", fontsize=9)
    ax = axes[2]
    m = table["margin_mV"].notna().to_numpy()
    ax.errorbar(x[m], table.loc[m, "margin_mV"], yerr=[table.loc[m, "margin_mV"] - table.loc[m, "margin_mV_lo"],
                table.loc[m, "margin_mV_hi"] - table.loc[m, "margin_mV"]], fmt="o", color="tab:blue")
    ax.axhline(0, color="k", lw=0.6)
    ax.set_xticks(x, lab, rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("margin (mV), 90 % interval")
    ax.set_title("Regulation margin (cells with carbon)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def compare_html(spec: Any, table: pd.DataFrame, findings: list[dict[str, Any]], run: dict[str, Any], folder: Path) -> str:
    import html

    from screen.report.html import html_page, img, table_html

    cols = ["label", "record_id", "predicted_site", "p_under_carbon", "margin_mV", "margin_mV_lo", "margin_mV_hi", "eta_cell_mV",
            "predicted_dip", "measured_nucleation_dip", "li_uptake_pct", "measured_initial_ce_pct", "regulation_current_mA_cm2",
            "measured_ccd_mA_cm2", "confidence"]
    items = "".join(f"<li><b>{html.escape(f['trend'])}</b>: "
                    f"{'reproduced' if f['reproduced'] else 'not reproduced' if f['reproduced'] is False else 'not comparable'}"
                    f" — {html.escape(f['detail'])}</li>" for f in findings)
    c = spec.cell
    return html_page(spec.study.name, f"""<h1>{html.escape(spec.study.name)}</h1><p>{html.escape(spec.study.description)}</p>
<p>Conditions: {html.escape(c.electrolyte)}, {c.current_ma_cm2:g} mA/cm², {c.areal_capacity_mah_cm2:g} mAh/cm², stack {c.stack_mpa:g} MPa,
fabrication {c.fab_mpa:g} MPa, {c.temperature_c:g} °C. Model v{run['model']['version']}.</p>
<h2>What the model reproduces</h2><ul>{items}</ul>
{table_html(table[cols])}
{img(folder / 'comparison.png')}
<p>Measured values: datasets/literature_outcomes.csv (source and confidence per row). Full table: comparison.csv; record: run.json.</p>
""")
