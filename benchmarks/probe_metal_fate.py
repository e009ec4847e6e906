"""Probe: the interlayer metal's fate over cycling, and whether its thickness matters (issue 25).

Run: ``python benchmarks/probe_metal_fate.py [--out FILE.json]`` (prints a Markdown table; seconds once the default
model version is built). For Ag, Mg and Zn under 100 nm of carbon black or of a C60 film (bilayer, the source paper's half-cell
conditions: 0.1 mA/cm2, 2 mAh/cm2 per cycle, 25 C), at metal thicknesses of 10, 50, 500 and 5000 nm: the computed
solubility of the metal in Li, the fraction of the metal still in place after 1 and 100 cycles
(:func:`screen.model.physics.metal_retained`) and P(Li plates under the carbon) with its 90 % interval over the
posterior draws. The lost-Li fraction per cycle is prior-set (no likelihood term contains it): each draw carries an
independent draw from its prior, so its uncertainty is in every interval shown.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

METALS = ("Ag", "Mg", "Zn")
CARBONS = ("carbon_black", "c60_film")
THICKNESSES_NM = (10.0, 50.0, 500.0, 5000.0)
CYCLES = (1, 100)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", help="also write the rows to this JSON file")
    args = ap.parse_args()

    from screen.model.cells import validate_candidates
    from screen.model.physics import dissolvable_ratio, metal_retained
    from screen.model.registry import ModelRegistry

    pipe, meta = ModelRegistry().load()
    cells, gap = pipe.named_steps["cells"], pipe.named_steps["gap"]
    raw = pd.DataFrame([{"metal": m, "carbon": cb, "metal_nm": t, "carbon_nm": 100.0, "cycles": c}
                        for cb in CARBONS for m in METALS for t in THICKNESSES_NM for c in CYCLES]).astype(str)
    cand, _ = validate_candidates(raw)
    X = cells.transform(cand)
    t = gap.predict_terms(X)
    lost = gap.draw_theta()["lost_li_fraction"]
    a = dissolvable_ratio(X["capacity_mah_cm2"], X["m_in_li_solubility"], X["metal_nm"], X["metal_molar_volume_cm3"])
    kept = metal_retained(lost, a[None, :], np.maximum(X["cycles"].to_numpy(float) - 1, 0)[None, :])
    rows = []
    for i, (_, r) in enumerate(X.iterrows()):
        rows.append({"carbon": r["carbon"], "metal": r["metal"], "metal_nm": r["metal_nm"], "cycles": int(r["cycles"]),
                     "m_in_li_solubility": float(r["m_in_li_solubility"]), "dissolvable_per_cycle": float(a[i]),
                     "retained_median": float(np.median(kept[:, i])), "retained_lo": float(np.quantile(kept[:, i], 0.05)),
                     "retained_hi": float(np.quantile(kept[:, i], 0.95)), "p_under": float(t["p_under_carbon"].iloc[i]),
                     "p_under_lo": float(t["p_under_carbon_lo"].iloc[i]), "p_under_hi": float(t["p_under_carbon_hi"].iloc[i])})
    out = pd.DataFrame(rows)
    print(f"model version {meta.get('version')} (data {str(meta.get('data_sha256', ''))[:12]})\n")
    print("| carbon (100 nm) | metal | x(M in Li) | metal nm | retained after 1 / 100 cycles [90 %] | P(under) after 1 cycle "
          "| after 100 cycles |")
    print("|---|---|---|---|---|---|---|")
    for (cb, m, nm), g in out.groupby(["carbon", "metal", "metal_nm"], sort=False):
        one, hundred = g[g["cycles"] == 1].iloc[0], g[g["cycles"] == 100].iloc[0]
        print(f"| {cb} | {m} | {one['m_in_li_solubility']:.2g} | {nm:g} | {one['retained_median']:.2f} / {hundred['retained_median']:.2f} "
              f"[{hundred['retained_lo']:.2f}, {hundred['retained_hi']:.2f}] | {one['p_under']:.2f} [{one['p_under_lo']:.2f}, "
              f"{one['p_under_hi']:.2f}] | {hundred['p_under']:.2f} [{hundred['p_under_lo']:.2f}, {hundred['p_under_hi']:.2f}] |")
    if args.out:
        Path(args.out).write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
