"""Rank comparisons: Kendall's tau-b (vectorised over many rankings), top-k membership, ranking diffs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from descriptors.errors import InputError
from screen.search.ranking import PAIR


def kendall_tau_b(reference: np.ndarray, samples: np.ndarray) -> np.ndarray:
    """Kendall's tau-b between one reference score vector (K,) and each row of ``samples`` (S, K).

    Same definition as :func:`scipy.stats.kendalltau` (tau-b, ties counted in neither
    concordant nor discordant pairs); NaN where either side is constant.
    """
    ref = np.asarray(reference, dtype=float)
    smp = np.atleast_2d(np.asarray(samples, dtype=float))
    i, j = np.triu_indices(ref.size, k=1)
    a = np.sign(ref[i] - ref[j])
    b = np.sign(smp[:, i] - smp[:, j])
    num = (b * a).sum(axis=1)
    den = np.sqrt(np.sum(a * a) * np.sum(b * b, axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def ranks_of(keys: np.ndarray) -> np.ndarray:
    """Rank (1 = best = largest key) of every column in each row of ``keys`` (S, K); ties by column order."""
    keys = np.atleast_2d(np.asarray(keys, dtype=float))
    order = np.argsort(-keys, axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, keys.shape[1] + 1)[None, :].repeat(keys.shape[0], 0), axis=1)
    return ranks


def read_ranking(folder: str | Path) -> pd.DataFrame:
    """``ranking.csv`` of a finished screening run (a folder with ``run.json``)."""
    folder = Path(folder)
    path = folder / "ranking.csv"
    if not (folder / "run.json").is_file() or not path.is_file():
        raise InputError(f"{folder}: not a finished screening run (no run.json / ranking.csv)")
    table = pd.read_csv(path, keep_default_na=False, na_values=[""])
    missing = [c for c in ("rank", "score", *PAIR) if c not in table.columns]
    if missing:
        raise InputError(f"{path}: column '{missing[0]}' missing")
    table["architecture"] = table["architecture"].fillna("")
    return table


def ranking_shift(before: pd.DataFrame, after: pd.DataFrame, top: int = 10) -> tuple[dict[str, float | int], pd.DataFrame]:
    """How a ranking moved: Kendall tau-b over the pairs both rank, top-``top`` overlap, and per-pair rank changes.

    Returns a summary and one row per pair in either top-``top`` (``rank_before``, ``rank_after``,
    ``moved`` = before − after, positive = climbed), sorted by the new rank.
    """
    b = before.set_index(PAIR)
    a = after.set_index(PAIR)
    common = b.index.intersection(a.index)
    tau = float(kendall_tau_b(-b.loc[common, "rank"].to_numpy(float), -a.loc[common, "rank"].to_numpy(float)[None, :])[0]) \
        if len(common) > 1 else float("nan")
    top_b = set(b.index[b["rank"] <= top])
    top_a = set(a.index[a["rank"] <= top])
    rows = []
    for pair in sorted(top_b | top_a, key=lambda p: (a["rank"].get(p, np.inf), b["rank"].get(p, np.inf))):
        rb, ra = b["rank"].get(pair), a["rank"].get(pair)
        rows.append({"metal": pair[0], "carbon": pair[1], "architecture": pair[2],
                     "rank_before": None if rb is None else int(rb), "rank_after": None if ra is None else int(ra),
                     "moved": None if rb is None or ra is None else int(rb - ra),
                     "score_before": None if rb is None else float(b.loc[pair, "score"]),
                     "score_after": None if ra is None else float(a.loc[pair, "score"])})
    summary = {"pairs_before": int(len(b)), "pairs_after": int(len(a)), "pairs_common": int(len(common)),
               "kendall_tau_b": tau, f"top{top}_overlap": len(top_b & top_a),
               "same_first": bool(len(b) and len(a) and b["rank"].idxmin() == a["rank"].idxmin())}
    return summary, pd.DataFrame(rows)
