"""Figures for the command line (matplotlib, Agg backend), written atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from descriptors.errors import InputError


def save_figure_atomic(fig: Any, path: str | Path, dpi: int = 150) -> Path:
    """Save a figure to ``path`` via a temporary file in the same folder and ``os.replace``."""
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise InputError(f"{path}: plot files must end in .png")
    if not path.parent.exists():
        raise InputError(f"{path.parent}: folder does not exist")
    fd, tmp = tempfile.mkstemp(suffix=".png", dir=path.parent)
    os.close(fd)
    try:
        fig.savefig(tmp, dpi=dpi, bbox_inches="tight")
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def validation_figure(solubility: Any, phase_results: dict[str, Any], path: str | Path) -> Path:
    """Solubility score vs assessed class, and one confusion matrix per energy source."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from descriptors.validation import SOLUBILITY_CLASSES

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
