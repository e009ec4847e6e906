"""Physics probes: the model's answers at the source paper's cell when one condition or material changes.

Each probe varies one input of the Mg/C bilayer cell of Wu et al. 2026 (carbon 100 nm on metal 500 nm, 0.1 mA/cm²,
25 °C, fabrication 250 MPa, stack 15 MPa) and reports P(under carbon), the barrier, the critical current and the
toughness, beside what a paper measured where one did. They show what the calibrated model does and does not
respond to; they are not a validation (that is :mod:`screen.model.validation`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["SOURCE_CELL", "PROBES", "run_probes"]

#: The source paper's Mg/C bilayer cell (doi:10.1021/acsami.6c01094).
SOURCE_CELL: dict[str, Any] = {"metal": "Mg", "carbon": "c60_film", "architecture": "bilayer", "metal_nm": 500, "carbon_nm": 100,
                               "current_ma_cm2": 0.1, "temperature_c": 25, "fab_mpa": 250, "stack_mpa": 15}

#: (probe, label, changes to the source cell, what was measured where a paper says).
PROBES: tuple[tuple[str, str, dict[str, Any], str], ...] = (
    ("metal in the bilayer", "none (carbon on steel)", {"metal": "none", "architecture": "single_layer"}, ""),
    *(("metal in the bilayer", m, {"metal": m}, "") for m in ("Cu", "Sn", "Zn", "Mg", "Ag")),
    *(("current, mA/cm2", f"{j:g}", {"current_ma_cm2": j}, "CCD 1.1 mA/cm2 (Mg/C), 0.3 (bare steel), Wu 2026")
      for j in (0.05, 0.5, 1.1, 3, 10)),
    *(("temperature, C", f"{t:g}", {"temperature_c": t}, "") for t in (25, 60, 80)),
    *(("carbon thickness, nm", f"{L:g}", {"carbon_nm": L}, "") for L in (100, 1000, 5000, 20000)),
    *(("fabrication pressure, MPa (stack 15)", f"{p:g}", {"fab_mpa": p}, "") for p in (5, 15, 100, 250, 500)),
    *(("stack pressure, MPa (fabrication 250)", f"{p:g}", {"stack_mpa": p}, "Lee 2020: no change 0-4 MPa") for p in (0, 4, 15, 100)),
    *(("3 um hard carbon only, fabrication MPa", f"{p:g}",
       {"metal": "none", "carbon": "hard_carbon", "architecture": "single_layer", "carbon_particle_nm": 3000, "carbon_nm": 13000,
        "temperature_c": 60, "stack_mpa": 5, "fab_mpa": p}, m)
      for p, m in ((200, "3 J/m2, Li on top"), (400, "11 J/m2, Li on top"), (600, ">= 16 J/m2, Li under"))),
    *(("metal thickness, nm", f"{t:g}", {"metal_nm": t}, "") for t in (10, 500, 5000)),
    ("graphite", "graphite only, 400 MPa", {"metal": "none", "carbon": "graphite", "architecture": "single_layer", "fab_mpa": 400,
                                           "stack_mpa": 2, "carbon_nm": 5000}, "Li under (Spencer-Jolly 2023)"),
    ("graphite", "Ag-graphite, 400 MPa", {"metal": "Ag", "carbon": "graphite", "architecture": "nanocomposite", "fab_mpa": 400,
                                         "stack_mpa": 2, "carbon_nm": 5000}, "Li under (Spencer-Jolly 2023)"),
)


def run_probes(pipeline: Any) -> pd.DataFrame:
    """One row per probe: its inputs' label, P(under carbon) with interval, barrier, critical current, toughness."""
    from screen.model.cells import validate_candidates

    rows = [SOURCE_CELL | change for _, _, change, _ in PROBES]
    frame = pd.DataFrame(rows)
    cand, _ = validate_candidates(frame.astype(object).where(frame.notna(), "").astype(str))
    t = pipeline.named_steps["gap"].predict_terms(pipeline.named_steps["cells"].transform(cand)).reset_index(drop=True)
    out = pd.DataFrame({"probe": [p[0] for p in PROBES], "value": [p[1] for p in PROBES]})
    for c in ("p_under_carbon", "p_under_carbon_lo", "p_under_carbon_hi", "barrier_mV", "critical_current_mA_cm2", "toughness_J_m2"):
        out[c] = t[c]
    out["measured"] = [p[3] for p in PROBES]
    return out
