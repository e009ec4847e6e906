"""Figures for the command line (matplotlib, Agg backend), written atomically."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from descriptors.atomic import atomic_target
from descriptors.errors import InputError


def save_figure_atomic(fig: Any, path: str | Path, dpi: int = 150) -> Path:
    """Save a figure to a ``.png`` path atomically (see :func:`descriptors.atomic.atomic_target`)."""
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise InputError(f"{path}: plot files must end in .png")
    with atomic_target(path) as tmp:
        fig.savefig(tmp, dpi=dpi, bbox_inches="tight")
    return path


def validation_figure(solubility: Any, phase_results: dict[str, Any], path: str | Path) -> Path:
    """Solubility score vs assessed class, and one confusion matrix per energy source."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from descriptors.data.validation import SOLUBILITY_CLASSES

    n = 1 + len(phase_results)
    fig, axes = plt.subplots(1, n, figsize=(5.5 + 3.2 * (n - 1), 4.2), gridspec_kw={"width_ratios": [1.8] + [1] * (n - 1)})
    ax = axes[0]
    t = solubility.table
    rng = np.random.default_rng(0)
    jitter = rng.uniform(-0.12, 0.12, len(t))
    colors = {"Li in M": "tab:blue", "M in Li": "tab:orange"}
    for d, c in colors.items():
        sel = (t["direction"] == d).to_numpy()
        ax.scatter(t["curated_class"][sel] + jitter[sel], np.clip(t["score"][sel], 1e-20, 1), c=c, label=d, s=28)
    for (_, r), j in zip(t.iterrows(), jitter):
        ax.annotate(r["metal"], (r["curated_class"] + j, max(r["score"], 1e-20)), fontsize=7, xytext=(3, 2), textcoords="offset points")
    ax.set_yscale("log")
    ax.set_xticks(list(SOLUBILITY_CLASSES), [v.split(" ")[0] for v in SOLUBILITY_CLASSES.values()])
    ax.set_xlabel("assessed solubility class (datasets/li_binaries.csv)")
    ax.set_ylabel("computed solubility score")
    ax.set_title(f"Spearman rho = {solubility.rho:.2f} (n = {solubility.n})")
    ax.legend(fontsize=8, loc="lower right")
    for ax, (name, v) in zip(axes[1:], phase_results.items()):
        m = v.matrix.to_numpy()
        ax.imshow(m, cmap="Blues", vmin=0)
        for i in range(2):
            for j in range(2):
                ax.text(j, i, str(m[i, j]), ha="center", va="center", fontsize=14)
        ax.set_xticks([0, 1], ["phases", "none"])
        ax.set_yticks([0, 1], ["phases", "none"])
        ax.set_xlabel("computed")
        if ax is axes[1]:
            ax.set_ylabel("curated")
        wrong = ", ".join(v.misclassified()) or "none"
        ax.set_title(f"{name}: accuracy {v.accuracy:.2f}\nwrong: {wrong}", fontsize=9)
    fig.subplots_adjust(wspace=0.35)
    fig.suptitle("Descriptor validation against assessed Li-M phase diagrams", fontsize=11)
    try:
        return save_figure_atomic(fig, path)
    finally:
        plt.close(fig)


_OUTCOME_COLOURS = {"under_carbon": "#1b7837", "above_carbon": "#b2182b", "mixed": "#e08214"}


def margin_figure(records: Any, path: str | Path, cv_p: dict[str, float] | None = None) -> Path:
    """Predicted margin per literature record (with its interval over the posterior draws), coloured by the observed location.

    Args:
        records: table from :func:`screen.model.training.in_sample` (record_id, metal, carbon, architecture,
            observed, margin_mV with _lo/_hi, p_under_carbon).
        path: PNG to write (atomically).
        cv_p: optional leave-one-out P(under) per record_id, printed next to each bar.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    r = records.sort_values("margin_mV").reset_index(drop=True)
    y = np.arange(len(r))
    fig, ax = plt.subplots(figsize=(8.5, 0.32 * len(r) + 1.6))
    colours = [_OUTCOME_COLOURS.get(o, "grey") for o in r["observed"]]
    ax.barh(y, r["margin_mV"], color=colours, alpha=0.85)
    err = np.vstack([r["margin_mV"] - r["margin_mV_lo"], r["margin_mV_hi"] - r["margin_mV"]])
    ax.errorbar(r["margin_mV"], y, xerr=np.clip(err, 0, None), fmt="none", ecolor="black", elinewidth=0.8, capsize=2)
    ax.axvline(0, color="black", lw=0.8)
    labels = [f"{a.record_id}: {a.metal}/{a.carbon} ({a.architecture})" for a in r.itertuples()]
    ax.set_yticks(y, labels, fontsize=7)
    if cv_p:
        for yi, rid in zip(y, r["record_id"]):
            if rid in cv_p and np.isfinite(cv_p[rid]):
                ax.annotate(f"LOO P={cv_p[rid]:.2f}", (1.0, yi), xycoords=("axes fraction", "data"), fontsize=6,
                            ha="left", va="center", xytext=(3, 0), textcoords="offset points")
    ax.set_xlabel("margin = (eta_top - eta_bottom) - B  [mV]   (> 0: Li plates under the carbon)")
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in _OUTCOME_COLOURS.values()]
    ax.legend(handles, [f"observed {k}" for k in _OUTCOME_COLOURS], fontsize=7, loc="lower right")
    ax.set_title("Nucleation-gap model: margin per literature record (90 % interval over the posterior draws)", fontsize=9)
    fig.tight_layout()
    try:
        return save_figure_atomic(fig, path)
    finally:
        plt.close(fig)


def reliability_figure(preds: Any, path: str | Path, bins: int = 5) -> Path:
    """Reliability (calibration) plot of held-out P(under the carbon): mean prediction vs observed fraction per bin,
    for the gap model and the baselines, with the number of cells per bin."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from screen.model.validation import reliability

    fig, ax = plt.subplots(figsize=(5.2, 4.6))
    ax.plot([0, 1], [0, 1], color="black", lw=0.8, ls="--", label="perfectly calibrated")
    for name, style in (("gap_model", "o-"), ("logistic", "s:"), ("flexible", "^:"), ("base_rate", "d:")):
        if f"p_{name}" not in preds:
            continue
        t = reliability(preds, name, bins).dropna()
        ax.plot(t["mean_predicted"], t["observed_fraction"], style, label=name.replace("_", " "), ms=5)
        if name == "gap_model":
            for r in t.itertuples():
                ax.annotate(f"n={r.n}", (r.mean_predicted, r.observed_fraction), fontsize=7, xytext=(4, -10), textcoords="offset points")
    ax.set_xlabel("held-out P(Li under the carbon)")
    ax.set_ylabel("observed fraction under the carbon")
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.02, 1.02)
    ax.legend(fontsize=7, loc="upper left")
    ax.set_title("Reliability, leave-one-study-out", fontsize=9)
    fig.tight_layout()
    try:
        return save_figure_atomic(fig, path)
    finally:
        plt.close(fig)


def hull_figure(table: Any, metal: str, source: str, path: str | Path, resolution_eV_atom: float = 0.0) -> Path:
    """Li–M formation energies with the convex hull: counted phases, other compounds, solution points."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    hull = table[table["e_above_hull_eV_atom"] <= 1e-3].sort_values("x_li")
    hx = np.concatenate([[0.0], hull["x_li"].to_numpy(), [1.0]])
    hy = np.concatenate([[0.0], hull["energy_eV_atom"].to_numpy(), [0.0]]) * 1000
    order = np.argsort(hx)
    ax.plot(hx[order], hy[order], "-", color="0.3", lw=1, label="convex hull")
    sol = table[table["kind"] == "solution"]
    ax.scatter(sol["x_li"], sol["energy_eV_atom"] * 1000, marker="x", color="tab:blue", label="solution (free energy at T)")
    comp = table[table["kind"] == "compound"]
    other = comp[~comp["counted"]]
    ax.scatter(other["x_li"], other["energy_eV_atom"] * 1000, marker="o", facecolors="none", edgecolors="0.5", label="ordered cell")
    counted = comp[comp["counted"]]
    ax.scatter(counted["x_li"], counted["energy_eV_atom"] * 1000, marker="o", color="tab:red", zorder=3, label="counted phase")
    for _, r in counted.iterrows():
        ax.annotate(r["formula"], (r["x_li"], r["energy_eV_atom"] * 1000), textcoords="offset points", xytext=(4, -10), fontsize=8)
    ax.axhline(0, color="0.8", lw=0.8)
    ax.set_xlabel("x(Li)")
    ax.set_ylabel("formation energy (meV/atom)")
    res = f", resolution {resolution_eV_atom * 1000:.0f} meV/atom" if resolution_eV_atom else ""
    ax.set_title(f"Li-{metal}: {source}{res}", fontsize=10)
    ax.set_ylim(max(min(-50.0, float(np.nanmin(table["energy_eV_atom"])) * 1000 * 1.15), -800.0), 100)
    ax.legend(fontsize=7, loc="lower left")
    try:
        return save_figure_atomic(fig, path)
    finally:
        plt.close(fig)
