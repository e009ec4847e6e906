"""Compare named cells with what was measured on them (``interlayer compare``, study ``kind = "compare"``).

For each ``[[compare.cells]]`` entry of the study file the model predicts, under the study's
cell conditions: where Li nucleates (under or above the carbon, or on the metal / collector
when there is no carbon), the margin and P(under carbon) with their posterior intervals, the
overpotential of the first nucleation site (``eta_cell_mV``) and whether a voltage dip would be
seen (``eta_cell > 5 mV``, the model's detection threshold), the Li the interlayer takes up on
first charge, and the *regulation current*: the current density at which the margin reaches
zero (above it Li starts to plate on the electrolyte side of the carbon; the transport barrier
is linear in current, so two evaluations give it exactly; 90 % interval over the ensemble).

Measured values come from ``datasets/literature_outcomes.csv`` by ``record_id`` (never from
the study file) with their source, origin and confidence. :func:`assess` turns the table
into plain statements of which trends the model reproduces, computed from the numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

import numpy as np
import pandas as pd

from descriptors.errors import InputError

MEASURED = ("li_location", "nucleation_dip", "initial_ce_pct", "ccd_mA_cm2", "source", "value_origin", "confidence")
def _cells_frame(spec: Any) -> pd.DataFrame:
    from screen.model.cells import validate_candidates

    rows = []
    for c in spec.compare.cells:
        rows.append({"metal": c.metal, "carbon": c.carbon, "architecture": c.architecture,
                     "metal_nm": "" if c.metal_nm is None else str(c.metal_nm),
                     "carbon_nm": "" if c.carbon_nm is None else str(c.carbon_nm),
                     "current_ma_cm2": str(spec.cell.current_ma_cm2), "stack_mpa": str(spec.cell.stack_mpa),
                     "fab_mpa": str(spec.cell.fab_mpa), "temperature_c": str(spec.cell.temperature_c)})
    cands, _ = validate_candidates(pd.DataFrame(rows), label="study file [[compare.cells]]")
    return cands.reset_index(drop=True)


def regulation_current(model: Any, feats: pd.DataFrame, j_range: tuple[float, float]) -> pd.DataFrame:
    """The model's critical current (mA/cm², where the margin reaches zero) with its ensemble interval.

    NaN without a carbon layer; ``j_range`` bounds what is reported: larger answers are clamped to its upper end and
    flagged ``above_range``, a margin already negative at its lower end gives the lower end, flagged ``below_range``.
    """
    lo_j, hi_j = j_range
    t = model.predict_terms(feats)
    point, lo, hi = (np.clip(t[c].to_numpy(float), lo_j, hi_j) for c in
                     ("critical_current_mA_cm2", "critical_current_mA_cm2_lo", "critical_current_mA_cm2_hi"))
    return pd.DataFrame({"regulation_current_mA_cm2": point, "regulation_current_lo": lo, "regulation_current_hi": hi,
                         "above_range": point >= hi_j, "below_range": point <= lo_j})


def compare_table(spec: Any, pipeline: Any) -> pd.DataFrame:
    """Predicted and measured values per cell of the study (see the module docstring)."""
    from descriptors.data.curated import load_table
    from screen.cell.materials import layer_objectives
    from screen.model.likelihood import DETECT_MV

    cands = _cells_frame(spec)
    feats = pipeline.named_steps["cells"].transform(cands).reset_index(drop=True)
    model = pipeline.named_steps["gap"]
    terms = model.predict_terms(feats).reset_index(drop=True)
    eta_cell = model.predict_eta_cell(feats)
    layers = layer_objectives(cands, spec.cell.areal_capacity_mah_cm2, spec.objectives.energy_source,
                              spec.objectives.li_uptake).reset_index(drop=True)
    jreg = regulation_current(model, feats, spec.compare.ccd_range_ma_cm2)
    out = pd.DataFrame({"label": [c.label for c in spec.compare.cells]})
    out = pd.concat([out, cands[["metal", "carbon", "architecture", "metal_nm", "carbon_nm"]]], axis=1)
    out["predicted_site"] = terms["plating_site"]
    for k in ("p_under_carbon", "p_under_carbon_lo", "p_under_carbon_hi", "margin_mV", "margin_mV_lo", "margin_mV_hi",
              "eta_metal_mV", "eta_carbon_mV", "barrier_mV"):
        out[k] = terms[k]
    out["eta_cell_mV"] = eta_cell
    out["predicted_dip"] = np.where(eta_cell > DETECT_MV, "yes", "no")
    out["li_uptake_mAh_cm2"] = layers["li_loss_mAh_cm2"]
    out["li_uptake_pct"] = layers["li_loss_pct"]
    out["li_richest_phase"] = layers["li_richest_phase"]
    out = pd.concat([out, jreg], axis=1)
    records = load_table("literature_outcomes.csv").set_index("record_id")
    ids = [c.record_id for c in spec.compare.cells]
    for rid in ids:
        if rid is not None and rid not in records.index:
            raise InputError(f"study file: key 'compare.cells.record_id': '{rid}' is not in datasets/literature_outcomes.csv")
    out.insert(1, "record_id", ids)
    for col in MEASURED:
        out[f"measured_{col}" if col not in ("source", "value_origin", "confidence") else col] = [
            records[col].loc[r] if r is not None and pd.notna(records[col].loc[r]) else None for r in ids]
    return out


def assess(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Plain statements, computed from the table, of which measured trends the model reproduces."""
    from scipy.stats import spearmanr

    found: list[dict[str, Any]] = []
    loc = table[table["measured_li_location"].isin(["under_carbon", "above_carbon"])]
    if len(loc):
        ok = (loc["predicted_site"] == loc["measured_li_location"]).to_numpy()
        found.append({"trend": "plating location (cells with a carbon layer and an observed location)",
                      "reproduced": bool(ok.all()), "detail": "; ".join(
                          f"{r.label}: predicted {r.predicted_site} (P = {r.p_under_carbon:.2f}, {r.p_under_carbon_lo:.2f}–"
                          f"{r.p_under_carbon_hi:.2f}), measured {r.measured_li_location}" for r in loc.itertuples())})
    dip = table[table["measured_nucleation_dip"].isin(["yes", "no"])]
    if len(dip):
        ok = (dip["predicted_dip"] == dip["measured_nucleation_dip"]).to_numpy()
        found.append({"trend": "nucleation dip on first plating", "reproduced": bool(ok.all()),
                      "detail": f"{int(ok.sum())} of {len(dip)} cells agree; " + "; ".join(
                          f"{r.label}: eta {r.eta_cell_mV:.1f} mV -> {r.predicted_dip} (measured {r.measured_nucleation_dip})"
                          for r in dip.itertuples())})
    ice = table.dropna(subset=["measured_initial_ce_pct"])
    if len(ice) >= 3:
        rho_eta = float(spearmanr(ice["measured_initial_ce_pct"].astype(float), -ice["eta_cell_mV"]).statistic)
        rho_li = float(spearmanr(ice["measured_initial_ce_pct"].astype(float), -ice["li_uptake_pct"]).statistic)
        ties = ice.groupby(ice["eta_cell_mV"].round(3))["label"].apply(list)
        tied = [", ".join(v) for v in ties if len(v) > 1]
        found.append({"trend": "initial Coulombic efficiency order vs predicted nucleation overpotential",
                      "reproduced": rho_eta > 0.5, "spearman": rho_eta,
                      "detail": f"Spearman rho(ICE, -eta_cell) = {rho_eta:.2f} over {len(ice)} cells"
                                + (f"; the model cannot separate {'; '.join(tied)} (same eta)" if tied else "")})
        found.append({"trend": "initial Coulombic efficiency order vs Li taken up by the interlayer",
                      "reproduced": rho_li > 0.5, "spearman": rho_li,
                      "detail": f"Spearman rho(ICE, -Li uptake) = {rho_li:.2f}: " + ", ".join(
                          f"{r.label} {r.li_uptake_pct:.2f} % (ICE {float(r.measured_initial_ce_pct):.1f} %)"
                          for r in cast("Iterable[Any]", ice.itertuples()))  # itertuples: pandas-stubs types every field as any scalar
                                + ". First-charge uptake is not the irreversible loss ICE measures; the model has no term for it"})
    ccd = table.dropna(subset=["measured_ccd_mA_cm2"])
    if len(ccd):
        parts = []
        for r in cast("Iterable[Any]", ccd.itertuples()):  # itertuples: pandas-stubs types every field as any scalar
            if np.isnan(r.regulation_current_mA_cm2):
                parts.append(f"{r.label}: measured {float(r.measured_ccd_mA_cm2):g} mA/cm2, no carbon layer so no regulation current")
            else:
                parts.append(f"{r.label}: measured {float(r.measured_ccd_mA_cm2):g} mA/cm2, regulation current "
                             f"{r.regulation_current_mA_cm2:.3g} ({r.regulation_current_lo:.3g}–{r.regulation_current_hi:.3g}) mA/cm2"
                             + (" (at the top of the search range)" if r.above_range else ""))
        with_c = ccd.dropna(subset=["regulation_current_mA_cm2"])
        found.append({"trend": "critical current density", "reproduced": None,
                      "detail": "; ".join(parts) + ". The model's regulation current is where Li starts to plate above the carbon, "
                      "not a short-circuit current; " + ("it bounds the measured CCD from above" if len(with_c) and
                      (with_c["regulation_current_mA_cm2"] >= with_c["measured_ccd_mA_cm2"].astype(float)).all()
                      else "it does not bound the measured CCD")})
    return found
