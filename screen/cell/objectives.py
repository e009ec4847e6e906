"""Evaluate bilayer designs: the gap model's robustness, the layer objectives, constraints and one score.

The five objectives (direction in brackets):

1. ``robustness`` [max] — the study's choice: ``margin_lo`` (lower end of the margin interval, mV;
   default: the model's P(Li plates under the carbon) saturates near 1 − lapse/2 for every well-laminated
   design, so the margin is what tells them apart), ``p_lo`` (lower end of the interval on P) or ``p``; a positive
   value is multiplied by the ``sealed_fraction`` of the design (:mod:`screen.cell.integrity`: carbon closure ×
   metal coverage; the rest of the area is counted as failing), so a layer too thin to be closed loses robustness.
2. ``li_loss_pct`` [min] — Li the interlayer takes up on first charge, % of the study's areal capacity.
3. ``cost_usd_m2`` [min] — material cost of both layers, plus deposition cost where the study gives one.
4. ``metal_growth_nm`` [min] — thickness the metal layer gains on lithiation above 0 V.
5. ``wh_l_loss_pct`` [min] — volumetric energy density the reference stack loses to the added thickness
   (:mod:`screen.cell.cell_stack`; ``wh_kg_loss_pct``, ``wh_l_total_loss_pct`` and ``li_loss_cathode_pct`` are
   reported beside it).

(:mod:`screen.cell.materials` documents 2–4.)

**Scalarisation** (for the single ranked list). Each objective is mapped to a desirability
``d`` in [0, 1]: ``d_robust = p`` (probabilities), or ``clip(margin_lo / limit, 0, 1)``; for the
four costs ``d = clip(1 − value / limit, 0, 1)`` with ``limit`` from the study file's
``[scalarisation.limits]``. The score is the weighted mean ``Σ w d / Σ w``. Infeasible designs
rank below every feasible one.

**Constraints** (feasible when every value ≤ 0, optuna's convention):
``total_nm − max_total_nm``; ``1`` if the metal is a forbidden element else ``−1``;
``min_p_under_carbon − P`` (point value); ``layers·particle − carbon_nm`` — a particulate
carbon layer thinner than ``min_carbon_particle_layers`` particle diameters is not a closed layer
(skipped where the preset has no particle size); and ``calibrated_low − carbon_nm`` — no carbon thinner than the
range the gap model was calibrated on (100 nm – 13 µm; thinner carbon is an extrapolation of the transport
barrier's linear thickness law), unless ``carbon_within_calibrated = false``.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Literal

import numpy as np
import pandas as pd

from descriptors.reactivity import metal_reactivity
from screen.cell.cell_stack import Stack, build_stack, stack_losses
from screen.cell.integrity import integrity
from screen.cell.materials import layer_objectives
from screen.cell.settings import StudySettings

#: The five objectives and their directions (see the module docstring), in the order optuna is told them.
OBJECTIVES: tuple[tuple[str, Literal["minimize", "maximize"]], ...] = (
    ("robustness", "maximize"), ("li_loss_pct", "minimize"), ("cost_usd_m2", "minimize"),
    ("metal_growth_nm", "minimize"), ("wh_l_loss_pct", "minimize"),
)
#: The objectives' names, in :data:`OBJECTIVES` order.
OBJECTIVE_NAMES = tuple(n for n, _ in OBJECTIVES)
DIRECTIONS = [d for _, d in OBJECTIVES]
CONSTRAINTS = ("c_total_nm", "c_forbidden", "c_min_p", "c_closed_carbon", "c_calibrated_carbon", "c_reactive")
#: What each constraint means, for the report's account of where each optimum sits.
CONSTRAINT_MEANING = {"c_total_nm": "total thickness limit", "c_forbidden": "forbidden element",
                      "c_min_p": "minimum P(under carbon)", "c_closed_carbon": "carbon at least the set number of particle layers",
                      "c_calibrated_carbon": "carbon no thinner than the model's calibrated range",
                      "c_reactive": "metal that takes anions from the electrolyte at the lithium potential"}
DESCRIPTOR_OUT = ("solubility_score_mutual", "ec_limit_M_in_Li", "has_intermediate_phases", "graphitization_index")
UNITS = {"robustness": "probability (p, p_lo) or mV (margin_lo)", "li_loss_pct": "% of areal capacity", "li_loss_mAh_cm2": "mAh/cm2",
         "li_metal_mAh_cm2": "mAh/cm2", "li_carbon_mAh_cm2": "mAh/cm2", "cost_usd_m2": "USD/m2", "metal_growth_nm": "nm",
         "metal_expansion_ratio": "volume ratio", "total_nm": "nm", "wh_l_loss_pct": "% of Wh/L",
         "wh_kg_loss_pct": "% of Wh/kg", "wh_l_total_loss_pct": "% of Wh/L", "li_loss_cathode_pct": "% of cathode capacity",
         "carbon_closure": "area fraction", "metal_coverage": "area fraction", "sealed_fraction": "area fraction",
         "metal_nm": "nm", "carbon_nm": "nm", "margin_mV": "mV",
         "p_under_carbon": "probability", "score": "0-1 (weighted mean desirability)"}


def design_frame(spec: StudySettings, designs: pd.DataFrame) -> pd.DataFrame:
    """Designs (``metal``, ``carbon``, ``architecture``, ``metal_nm``, ``carbon_nm``) -> full candidate table."""
    from screen.model.cells import validate_candidates

    d = designs.reset_index(drop=True).copy()
    no_metal = d["metal"] == "none"
    d["architecture"] = d["architecture"].where(~no_metal, "")
    d["metal_nm"] = d["metal_nm"].where(~no_metal, np.nan)
    cell = spec.cell
    for col, v in (("current_ma_cm2", cell.current_ma_cm2), ("stack_mpa", cell.stack_mpa), ("fab_mpa", cell.fab_mpa),
                   ("temperature_c", cell.temperature_c), ("cycles", cell.cycles), ("capacity_mah_cm2", cell.areal_capacity_mah_cm2)):
        d[col] = v
    d = d.astype({c: "object" for c in ("metal_nm", "carbon_nm")})
    cands, _ = validate_candidates(d.astype(str).replace({"nan": "", "None": ""}), label="designs")
    return cands


def evaluate(spec: StudySettings, pipeline: Any, designs: pd.DataFrame) -> pd.DataFrame:
    """Every objective, constraint, model term and descriptor of each design (vectorised)."""
    cands = design_frame(spec, designs)
    feats = pipeline.named_steps["cells"].transform(cands)
    terms = pipeline.named_steps["gap"].predict_terms(feats).reset_index(drop=True)
    layers = layer_objectives(cands, spec.cell.areal_capacity_mah_cm2, spec.objectives.energy_source,
                              spec.objectives.li_uptake, deposition_usd_m2=spec.cost.deposition_usd_m2,
                              metal_process=spec.cost.metal_process).reset_index(drop=True)
    cands = cands.reset_index(drop=True)
    seal = integrity(cands, spec.integrity.carbon_porosity)
    energy = stack_losses(reference_stack(spec), layers["total_nm"], layers["mass_mg_cm2"], layers["li_loss_mAh_cm2"])
    out = pd.concat([cands, terms, layers, energy, seal, feats[list(DESCRIPTOR_OUT)].reset_index(drop=True)], axis=1)
    rob = {"p_lo": "p_under_carbon_lo", "p": "p_under_carbon", "margin_lo": "margin_mV_lo"}[spec.objectives.robustness]
    out["robustness"] = sealed_robustness(out[rob].to_numpy(float), out["sealed_fraction"].to_numpy(float))
    c = spec.constraints
    particle = out["carbon_particle_nm"].astype(float)
    out["c_total_nm"] = out["total_nm"] - c.max_total_nm
    out["c_forbidden"] = np.where(out["metal"].isin(list(c.forbidden_elements)), 1.0, -1.0)
    out["c_min_p"] = c.min_p_under_carbon - out["p_under_carbon"].astype(float).fillna(0.0)
    out["c_closed_carbon"] = np.where(particle.notna(), c.min_carbon_particle_layers * particle.fillna(0.0) - out["carbon_nm"], -1.0)
    lo, hi = calibrated_carbon_range()
    out["c_calibrated_carbon"] = (lo - out["carbon_nm"]) if c.carbon_within_calibrated else -1.0
    react = {m: metal_reactivity(m, spec.cell.electrolyte, spec.objectives.energy_source) for m in out["metal"].unique()}
    out["reacts_with_electrolyte"] = out["metal"].map(lambda m: bool(react[m]["reacts_with_electrolyte"]))
    out["reaction_products"] = out["metal"].map(lambda m: react[m]["reaction_products"])
    out["c_reactive"] = np.where(out["reacts_with_electrolyte"] & c.exclude_electrolyte_reactive, 1.0, -1.0)
    out["feasible"] = (out[list(CONSTRAINTS)] <= 0).all(axis=1)
    out["carbon_nm_calibrated"] = out["carbon_nm"].between(lo, hi)
    out["score"] = score(spec, out)
    return out


def reference_stack(spec: StudySettings) -> Stack:
    """The study's reference cell stack (:func:`screen.cell.cell_stack.build_stack`)."""
    return build_stack(spec.stack.reference, spec.stack.overrides())


def sealed_robustness(robustness: Any, sealed: Any) -> np.ndarray:
    """Robustness counted over the sealed area only: a positive value times the sealed fraction (the rest of the
    area counts as zero); a negative value (Li plates above the carbon anyway) is kept."""
    r = np.asarray(robustness, dtype=float)
    return np.where(r > 0, r * np.asarray(sealed, dtype=float), r)


@cache
def calibrated_carbon_range() -> tuple[float, float]:
    """Carbon thicknesses (nm) the gap model was calibrated on: recorded thicknesses and the marginalisation grid."""
    from descriptors.data.curated import load_table
    from screen.model.physics import THICKNESS_GRID_NM

    seen = load_table("literature_outcomes.csv")["carbon_thickness_nm"].dropna().astype(float)
    return float(min(THICKNESS_GRID_NM.min(), seen.min())), float(max(THICKNESS_GRID_NM.max(), seen.max()))


def desirability_arrays(spec: StudySettings, robustness: Any, li_loss_pct: Any, cost_usd_m2: Any, metal_growth_nm: Any,
                        wh_l_loss_pct: Any) -> dict[str, np.ndarray]:
    """Desirability (0-1) of each objective from arrays of any (broadcastable) shape; see the module docstring."""
    lim = spec.scalarisation.limits
    rob = np.asarray(robustness, dtype=float)
    d_rob = np.clip(rob / lim.margin_mV if spec.objectives.robustness == "margin_lo" else rob, 0.0, 1.0)

    def falling(v: Any, limit: float) -> np.ndarray:
        return np.clip(1.0 - np.asarray(v, dtype=float) / limit, 0.0, 1.0)

    return {"robustness": np.nan_to_num(d_rob, nan=0.0), "li_loss": falling(li_loss_pct, lim.li_loss_pct),
            "cost": falling(cost_usd_m2, lim.cost_usd_m2), "swelling": falling(metal_growth_nm, lim.metal_growth_nm),
            "energy_density": falling(wh_l_loss_pct, lim.wh_l_loss_pct)}


def weighted_score(spec: StudySettings, d: dict[str, np.ndarray]) -> np.ndarray:
    """Weighted mean of desirabilities (0-1) with the study's weights."""
    w = spec.scalarisation.weights.model_dump()
    return sum(w[k] * d[k] for k in w) / sum(w.values())


def desirabilities(spec: StudySettings, table: pd.DataFrame) -> pd.DataFrame:
    """Desirability (0-1) of each objective, as documented in the module docstring."""
    d = desirability_arrays(spec, *(table[c].to_numpy(float) for c in ("robustness", "li_loss_pct", "cost_usd_m2",
                                                                       "metal_growth_nm", "wh_l_loss_pct")))
    return pd.DataFrame(d, index=table.index)


def score(spec: StudySettings, table: pd.DataFrame) -> np.ndarray:
    """Weighted mean desirability (0-1)."""
    d = desirabilities(spec, table)
    return weighted_score(spec, {k: d[k].to_numpy() for k in d.columns})


def objective_values(table: pd.DataFrame) -> np.ndarray:
    """Rows of objective values in :data:`OBJECTIVES` order (what optuna is told)."""
    return table[list(OBJECTIVE_NAMES)].to_numpy(float)
