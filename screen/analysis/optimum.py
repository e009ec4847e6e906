"""What sets each ranked design's thicknesses: the trade-off at an interior optimum, or the constraint or bound it sits on.

For every ranked design and each layer it has, the thickness is moved by a factor ``1 ± STEP`` (log scale) and the
design re-evaluated with the study's full evaluator:

* a step that makes the design infeasible names the constraint it breaks (``on constraint ...``);
* a thickness within ``STEP`` of the search space's bound is ``at the search bound``;
* otherwise the optimum is interior: the weighted desirability terms that gain on the thicker side (they pull the
  layer thicker) and those that gain on the thinner side are named, largest first. After the first cycle
  (``[cell] cycles`` > 1) the metal's line says whether the metal lost with dead Li (a prior-set term,
  :func:`screen.model.physics.metal_retained`) pulls it thicker through robustness.

A design found by optuna is not an exact optimum, so "interior" reads as "no constraint or bound near it".
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

STEP = 0.05
LAYERS = (("metal_nm", "metal"), ("carbon_nm", "carbon"))


def optimum_reasons(spec: Any, pipeline: Any, ranked: pd.DataFrame, evaluator: Any = None) -> pd.Series:
    """One line per ranked design (index aligned with ``ranked``): what sets each of its layer thicknesses."""
    from screen.cell.objectives import CONSTRAINT_MEANING, CONSTRAINTS, desirabilities
    from screen.search.evaluator import DesignEvaluator

    if ranked.empty:
        return pd.Series([], dtype=object, index=ranked.index)
    base = ranked[["metal", "carbon", "architecture", "metal_nm", "carbon_nm"]].reset_index(drop=True)
    probes, keys = [], []
    for col, _ in LAYERS:
        for sign in (-1, 1):
            p = base.copy()
            p[col] = p[col] * (1.0 + sign * STEP)
            probes.append(p)
            keys.append((col, sign))
    evaluator = evaluator or DesignEvaluator(spec, pipeline)
    table = pd.DataFrame(evaluator.evaluate_table(pd.concat(probes, ignore_index=True)))
    w = spec.scalarisation.weights.model_dump()
    d = desirabilities(spec, table)
    names = list(w)
    weighted = np.column_stack([w[k] * d[k].to_numpy(float) for k in names]) / sum(w.values())
    violated = table[list(CONSTRAINTS)].to_numpy(float) > 0
    n = len(base)
    bounds = {"metal_nm": spec.space.metal_nm, "carbon_nm": spec.space.carbon_nm}
    parts: list[list[str]] = [[] for _ in range(n)]
    for col, label in LAYERS:
        thin = np.arange(n) + keys.index((col, -1)) * n
        thick = np.arange(n) + keys.index((col, 1)) * n
        gain = weighted[thick] - weighted[thin]
        t_all = base[col].to_numpy(float)
        lo, hi = bounds[col]
        for i in range(n):
            t = t_all[i]
            if not np.isfinite(t):
                continue
            broken = np.flatnonzero(violated[thin[i]]) if violated[thin[i]].any() else np.flatnonzero(violated[thick[i]])
            if broken.size:
                c = CONSTRAINTS[broken[0]]
                parts[i].append(f"{label} {t:.3g} nm: on constraint {c} ({CONSTRAINT_MEANING[c]})")
            elif t <= lo * (1.0 + STEP) or t >= hi * (1.0 - STEP):
                parts[i].append(f"{label} {t:.3g} nm: at the search bound ({'low' if t <= lo * (1.0 + STEP) else 'high'})")
            else:
                order = np.argsort(-gain[i])
                up = [names[k] for k in order if gain[i, k] > 1e-9]
                down = [names[k] for k in order[::-1] if gain[i, k] < -1e-9]
                fate = ""
                if col == "metal_nm" and spec.cell.cycles > 1:
                    fate = (f" (after {spec.cell.cycles} cycles the metal lost with dead Li sets robustness: prior-set)"
                            if "robustness" in up else f" (the metal's loss over {spec.cell.cycles} cycles does not set it)")
                if up and down:
                    parts[i].append(f"{label} {t:.3g} nm: interior, thicker for {', '.join(up)}; thinner for {', '.join(down)}{fate}")
                else:
                    parts[i].append(f"{label} {t:.3g} nm: every term favours {'thinner' if down else 'thicker'} "
                                    f"({', '.join(down or up) or '-'}); the search stopped short of the limit{fate}")
    return pd.Series(["; ".join(p) for p in parts], index=ranked.index, dtype=object)
