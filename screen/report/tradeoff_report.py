"""Outputs of ``interlayer tradeoff``: the front plot and the HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from screen.analysis.tradeoff import X, Y

__all__ = ["tradeoff_front_plot", "tradeoff_html"]


def tradeoff_front_plot(table: pd.DataFrame, front: pd.DataFrame, metals: list[str], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5.2))
    feas = table[table["feasible"]]
    for k, m in enumerate(metals):
        c = f"C{k}"
        sub = feas[feas["metal"] == m]
        ax.scatter(sub[X], sub[Y], s=3, color=c, alpha=0.08)
        fr = front[front["metal"] == m].sort_values(X)
        ax.plot(fr[X], fr[Y], "-o", ms=3, color=c, label=f"{m} (front: {len(fr)} designs)")
    ov = front[front["on_overall_front"]].sort_values(X)
    ax.plot(ov[X], ov[Y], "k--", lw=1, label="overall front")
    ax.axhline(0, color="k", lw=0.5)
    ax.set_xscale("log")
    ax.set_xlabel("Li taken by the interlayer on first charge (% of areal capacity)")
    ax.set_ylabel("robustness: margin lower bound x sealed fraction (mV)")
    ax.legend(fontsize=8)
    ax.set_title("Li inventory vs robustness (faint: every feasible grid design)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def tradeoff_html(spec: Any, summ: pd.DataFrame, front: pd.DataFrame, run: dict[str, Any], folder: Path) -> str:
    import html

    from screen.report.html import html_page, img, table_html

    ov = front[front["on_overall_front"]]
    return html_page(spec.study.name, f"""<h1>{html.escape(spec.study.name)}</h1><p>{html.escape(spec.study.description)}</p>
<p>Metals: {html.escape(', '.join(run['metals']))} ({html.escape(run['metal_selection'])}); {run['evaluated']:,} designs evaluated,
{run['feasible']:,} feasible; current {spec.cell.current_ma_cm2:g} mA/cm². Model v{run['model']['version']}.</p>
{img(folder / 'tradeoff.png')}
<h2>Per metal</h2>{table_html(summ)}
<h2>Overall front</h2>{table_html(ov.drop(columns=['on_metal_front', 'on_overall_front']))}
""")
