"""Validation of computed descriptors against the curated phase-diagram record.

* Solubility: assessed solubilities are turned into an ordinal class per
  direction (Li in M, M in Li) — from the number where the source gives one,
  else from the source's words — and compared with the computed score by
  Spearman rank correlation, pooled over both directions.
* Intermediate phases: a confusion matrix of the computed "has intermediate
  phases" call against ``has_intermediate_phases`` in ``li_binaries.csv``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Ordinal solubility classes.
SOLUBILITY_CLASSES = {0: "negligible (<0.1 at.%)", 1: "small (0.1-1 at.%)", 2: "limited (1-10 at.%)", 3: "extensive (>=10 at.%)"}

_WORD_CLASSES: list[tuple[str, int]] = [
    (r"^(extensive|considerable|fairly extensive)", 3),
    (r"^less than 1", 1),
    (r"^(very small|extremely low|very limited|negligible|nil|none|insoluble)", 0),
]


def solubility_class(value_at_pct: float | None, text: str | None) -> int | None:
    """Ordinal class of a curated solubility: number first, else the source's words.

    Numbers: >= 10 at.% → 3, 1–10 → 2, 0.1–1 → 1, < 0.1 → 0. Words such as
    "extensive" → 3, "very small"/"negligible"/"nil" → 0. Ambiguous words
    ("limited", "no data", upper bounds) give ``None``.
    """
    if value_at_pct is not None and not pd.isna(value_at_pct):
        v = float(value_at_pct)
        return 3 if v >= 10 else 2 if v >= 1 else 1 if v >= 0.1 else 0
    t = (text or "").strip().lower()
    for pattern, cls in _WORD_CLASSES:
        if re.match(pattern, t):
            return cls
    return None


@dataclass
class RankValidation:
    """Spearman rank correlation of a computed score against curated classes."""

    rho: float
    p_value: float
    n: int
    table: pd.DataFrame


def solubility_rank_validation(computed: pd.DataFrame, curated: pd.DataFrame) -> RankValidation:
    """Compare ``solubility_score_Li_in_M``/``_M_in_Li`` with the curated classes.

    Args:
        computed: output of ``LiSolubilityFeaturizer.featurize_many`` (column ``metal``).
        curated: ``li_binaries.csv`` as loaded by ``descriptors.data.curated.load_table``.
    """
    from scipy.stats import spearmanr

    rows = []
    cur = curated.set_index("metal")
    for _, r in computed.iterrows():
        if r["metal"] not in cur.index:
            continue
        c = cur.loc[r["metal"]]
        for direction, num, txt, score in (
            ("Li in M", c["li_in_m_max_at_pct"], c["li_in_m_text"], r["solubility_score_Li_in_M"]),
            ("M in Li", c["m_in_li_max_at_pct"], c["m_in_li_text"], r["solubility_score_M_in_Li"]),
        ):
            cls = solubility_class(num, txt)
            if cls is not None:
                rows.append({"metal": r["metal"], "direction": direction, "curated_class": cls, "score": float(score)})
    table = pd.DataFrame(rows, columns=["metal", "direction", "curated_class", "score"])
    if len(table) < 3:
        return RankValidation(float("nan"), float("nan"), len(table), table)
    res = spearmanr(table["score"], table["curated_class"])
    return RankValidation(float(res.statistic), float(res.pvalue), len(table), table)


@dataclass
class PhaseValidation:
    """Confusion matrix of computed vs curated intermediate-phase presence."""

    matrix: pd.DataFrame
    accuracy: float
    n: int
    table: pd.DataFrame

    def misclassified(self) -> list[str]:
        """Metals where the computed call disagrees with the curated record."""
        t = self.table
        return t.loc[t["computed"] != t["curated"], "metal"].tolist()


def phase_presence_validation(computed: pd.DataFrame, curated: pd.DataFrame) -> PhaseValidation:
    """Compare ``has_intermediate_phases`` (computed) with the curated column."""
    cur = curated.dropna(subset=["has_intermediate_phases"]).set_index("metal")["has_intermediate_phases"]
    t = computed[["metal", "has_intermediate_phases", "call_source"]].rename(columns={"has_intermediate_phases": "computed"})
    t = t[t["metal"].isin(cur.index)].copy()
    t["curated"] = t["metal"].map(cur).astype(bool)
    t["computed"] = t["computed"].astype(bool)
    labels = [True, False]
    m = np.zeros((2, 2), dtype=int)
    for i, truth in enumerate(labels):
        for j, pred in enumerate(labels):
            m[i, j] = int(((t["curated"] == truth) & (t["computed"] == pred)).sum())
    matrix = pd.DataFrame(m, index=["curated: phases", "curated: none"], columns=["computed: phases", "computed: none"])
    acc = float(np.trace(m) / m.sum()) if m.sum() else float("nan")
    return PhaseValidation(matrix, acc, int(m.sum()), t.reset_index(drop=True))
