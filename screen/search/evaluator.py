"""Typed, vectorised evaluation of designs the program generates itself (optuna batches, the exhaustive grid).

:func:`screen.cell.objectives.evaluate` takes a table of designs, validates it like a user's CSV and returns every
column of the report. For designs the program made itself that checking is wasted, so :class:`DesignEvaluator`
looks up each metal's and carbon's properties once, takes integer codes into the study's search space
(``spec.metal_choices``, ``spec.carbon_choices``) and thickness arrays, and computes only what the search needs: the
five objectives, the constraints, the sealed fraction and the score. It calls the cell room's functions, the same the
reports use (the model's :func:`screen.model.physics.terms`, :func:`screen.cell.materials.layer_quantities`,
:mod:`screen.cell.integrity`, :mod:`screen.cell.cell_stack`); intervals come from one sort of the posterior draws'
robustness term, the only term with an interval that the search reads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from screen.cell.cell_stack import stack_losses
from screen.cell.integrity import carbon_form, closure_fraction, continuity_thickness, coverage_fraction
from screen.cell.materials import carbon_arrays, layer_quantities, metal_arrays
from screen.cell.objectives import (
    CONSTRAINTS,
    OBJECTIVE_NAMES,
    calibrated_carbon_range,
    desirability_arrays,
    reference_stack,
    sealed_robustness,
    weighted_score,
)

if TYPE_CHECKING:
    from screen.search.spec import StudySpec

#: Batches larger than this are deduplicated before the model's terms are computed (small batches rarely repeat).
DEDUPLICATE_ABOVE = 2000


def sorted_quantile(members: np.ndarray, q: float) -> np.ndarray:
    """Quantile along axis 0 by one sort (linear interpolation, as ``np.quantile``'s default)."""
    s = np.sort(members, axis=0)
    pos = q * (s.shape[0] - 1)
    lo = int(np.floor(pos))
    hi = min(lo + 1, s.shape[0] - 1)
    return s[lo] + (pos - lo) * (s[hi] - s[lo])


class DesignEvaluator:
    """Evaluate designs given as codes into ``spec.metal_choices`` / ``spec.carbon_choices`` and thickness arrays."""

    def __init__(self, spec: StudySpec, pipeline: Any) -> None:
        from screen.model.cells import carbon_descriptors, metal_descriptors, preset_particle_size

        self.spec = spec
        cells, gap = pipeline.named_steps["cells"], pipeline.named_steps["gap"]
        self.metals = list(spec.metal_choices)
        self.carbons = list(spec.carbon_choices)
        obj = spec.objectives
        md = [metal_descriptors(m, cells.energy_source, float(cells.solubility_temperature_K)) for m in self.metals]
        self.m_sol = np.array([float(d["solubility_score_mutual"]) for d in md])
        self.m_ec = np.array([0.5 if not gap.use_ec_limit else float(d["ec_limit_M_in_Li"]) for d in md])
        self.m_phases = np.array([float(d["has_intermediate_phases"]) for d in md])
        self.m_xsat = np.array([float(d["m_in_li_solubility"]) for d in md])
        # the molar volume (cm3/mol) the model's metal-fate term reads: the cell descriptors' (as the full evaluator)
        self.m_vm = np.array([float(d["metal_molar_volume_cm3"]) for d in md])
        dep = spec.cost.deposition_usd_m2
        self.metal_layers = metal_arrays(self.metals, obj.energy_source, obj.li_uptake, dep, spec.cost.metal_process)
        self.carbon_layers = carbon_arrays(self.carbons, dep)
        self.m_continuity = np.array([np.inf if m == "none" else continuity_thickness(m)[0] for m in self.metals])
        self.m_none = np.array([m == "none" for m in self.metals])
        self.m_forbidden = np.isin(self.metals, list(spec.constraints.forbidden_elements))
        from descriptors.reactivity import metal_reactivity

        self.m_reactive = np.array([bool(metal_reactivity(m, spec.cell.electrolyte, obj.energy_source)["reacts_with_electrolyte"])
                                    for m in self.metals]) & spec.constraints.exclude_electrolyte_reactive
        self.c_g = gap.graphitization_input([carbon_descriptors(c)["graphitization_index"] for c in self.carbons])
        self.c_particle = np.array([preset_particle_size(c) for c in self.carbons], dtype=float)
        self.particle_grid = np.asarray(gap.particle_grid_, dtype=float)
        forms = [carbon_form(c) for c in self.carbons]
        self.c_film = np.array([f for f, _, _ in forms])
        self.c_d = np.array([d for _, d, _ in forms])
        self.stack = reference_stack(spec)
        self.calibrated_lo = calibrated_carbon_range()[0]
        self.point = gap.params_
        self.point_offset = float(gap.point_offsets([spec.cell.study_id], 1)[0])
        if spec.cell.study_id:
            gap.check_study_id(spec.cell.study_id)
        self.members = gap.draw_theta() if len(gap.draws_z_) else {}
        #: each draw's lab offset (mV): the study's own lab (``cell.study_id``) or a new lab's
        self.lab_offset = gap.lab_offsets([spec.cell.study_id], 1) if self.members else np.zeros((0, 1))
        self.interval = float(gap.interval)

    def model_design(self, mi: np.ndarray, ci: np.ndarray, arch: np.ndarray, carbon_nm: np.ndarray,
                     current_ma_cm2: Any = None, temperature_c: Any = None, fab_mpa: Any = None,
                     metal_nm: Any = None) -> Any:
        """The gap model's :class:`~screen.model.physics.Design` of designs given as codes, under the study's cell or
        under per-design conditions (arrays or scalars). A carbon with no particle size (a film) is marginalized over
        the model's particle-size grid, as the model does for a cell; :func:`screen.model.physics.terms` averages it.
        After the first cycle (``[cell] cycles``) the metal's thickness (``metal_nm``, nm) sets how much of it is left."""
        from screen.model.physics import Design, dissolvable_ratio, expand

        cell = self.spec.cell
        n = mi.size
        part = self.c_particle[ci]
        row, weight, (k,) = expand([~np.isfinite(part)], [self.particle_grid])
        part = np.where(np.isfinite(part[row]), part[row], self.particle_grid[k % self.particle_grid.size])
        none = self.m_none[mi][row]

        def per_row(v: Any, default: float) -> np.ndarray:
            return np.broadcast_to(np.asarray(default if v is None else v, dtype=float), (n,))[row]

        cycles_done = dissolvable = None
        if cell.cycles > 1 and metal_nm is not None:
            cycles_done = np.full(row.size, float(cell.cycles - 1))
            dissolvable = dissolvable_ratio(cell.areal_capacity_mah_cm2, self.m_xsat[mi], np.asarray(metal_nm, dtype=float),
                                            self.m_vm[mi])[row]
        return Design(n=n, row=row, weight=weight, arch=np.where(none, "single_layer", np.asarray(arch)[row]),
                      has_metal=~none, has_carbon=np.ones(row.size, dtype=bool), solubility=self.m_sol[mi][row],
                      ec_limit=self.m_ec[mi][row], phases=self.m_phases[mi][row], graphitization=self.c_g[ci][row],
                      thickness_nm=np.asarray(carbon_nm, dtype=float)[row], current=per_row(current_ma_cm2, cell.current_ma_cm2),
                      temperature_c=per_row(temperature_c, cell.temperature_c), pressure_mpa=per_row(fab_mpa, cell.fab_mpa),
                      particle_nm=part, cycles_done=cycles_done, dissolvable=dissolvable)

    def codes(self, designs: pd.DataFrame) -> tuple[np.ndarray, ...]:
        """(metal code, carbon code, architecture, metal_nm, carbon_nm) arrays of a design table."""
        mi = pd.Categorical(designs["metal"], categories=self.metals).codes
        ci = pd.Categorical(designs["carbon"], categories=self.carbons).codes
        if (mi < 0).any() or (ci < 0).any():
            raise ValueError("design outside the study's metals or carbons")
        return (mi, ci, designs["architecture"].to_numpy(object), designs["metal_nm"].to_numpy(float),
                designs["carbon_nm"].to_numpy(float))

    def evaluate(self, mi: np.ndarray, ci: np.ndarray, arch: np.ndarray, metal_nm: np.ndarray,
                 carbon_nm: np.ndarray) -> dict[str, np.ndarray]:
        """Objectives, constraints, sealed fraction, P, feasibility and score of each design (arrays of length n)."""
        from screen.model.physics import terms

        spec, cell, c = self.spec, self.spec.cell, self.spec.constraints
        n = mi.size
        none = self.m_none[mi]
        t_m = np.where(none, 0.0, np.nan_to_num(metal_nm))
        t_c = np.asarray(carbon_nm, dtype=float)
        arch = np.where(none, "single_layer", arch)
        # at first plating the model's terms do not depend on the metal's thickness: evaluate each (metal, carbon,
        # architecture, carbon thickness) once (the grid repeats each one per metal thickness); later cycles keep it
        if n > DEDUPLICATE_ABOVE:
            arch_code = pd.Categorical(arch, categories=("bilayer", "carbon_under_metal", "nanocomposite", "single_layer")).codes
            key = [mi, ci, arch_code, t_c] + ([t_m] if cell.cycles > 1 else [])
            _, first, inv = np.unique(np.column_stack(key), axis=0, return_index=True, return_inverse=True)
            inv = inv.ravel()
        else:
            first = inv = np.arange(n)
        d = self.model_design(mi[first], ci[first], arch[first], t_c[first], metal_nm=t_m[first])
        point = terms(self.point, d, self.point_offset)
        member_terms = {}
        if self.members:
            k = len(next(iter(self.members.values())))
            member_terms = {key: np.broadcast_to(v, (k, first.size))
                            for key, v in terms(self.members, d, self.lab_offset).items()}
            point["p_under_carbon"] = member_terms["p_under_carbon"].mean(axis=0)  # the predictive P, as predict_terms
        p = point["p_under_carbon"]
        robust_key = spec.objectives.robustness
        if robust_key == "p":
            robust = p
        else:
            term = "margin_mV" if robust_key == "margin_lo" else "p_under_carbon"
            robust = point[term]
            if member_terms:
                robust = np.fmin(sorted_quantile(member_terms[term], (1.0 - self.interval) / 2.0), robust)
        p, robust = p[inv], robust[inv]
        layer = layer_quantities(self.metal_layers, mi, t_m, self.carbon_layers, ci, t_c, cell.areal_capacity_mah_cm2)
        total = layer["total_nm"]
        energy = stack_losses(self.stack, total, layer["mass_mg_cm2"], layer["li_loss_mAh_cm2"])
        closure = closure_fraction(t_c, self.c_d[ci], self.c_film[ci], spec.integrity.carbon_porosity)
        sealed = np.where(none, closure, closure * coverage_fraction(t_m, self.m_continuity[mi]))
        out = {"robustness": sealed_robustness(robust, sealed), "li_loss_pct": layer["li_loss_pct"],
               "cost_usd_m2": layer["cost_usd_m2"], "metal_growth_nm": layer["metal_growth_nm"],
               "wh_l_loss_pct": energy["wh_l_loss_pct"].to_numpy(),
               "p_under_carbon": p, "sealed_fraction": sealed, "total_nm": total}
        particle = self.c_particle[ci]
        out["c_total_nm"] = total - c.max_total_nm
        out["c_forbidden"] = np.where(self.m_forbidden[mi], 1.0, -1.0)
        out["c_min_p"] = c.min_p_under_carbon - np.nan_to_num(p)
        out["c_closed_carbon"] = np.where(np.isfinite(particle), c.min_carbon_particle_layers * np.nan_to_num(particle) - t_c, -1.0)
        out["c_calibrated_carbon"] = self.calibrated_lo - t_c if c.carbon_within_calibrated else np.full(n, -1.0)
        out["c_reactive"] = np.where(self.m_reactive[mi], 1.0, -1.0)
        out["feasible"] = np.all([out[k] <= 0 for k in CONSTRAINTS], axis=0)
        out["score"] = weighted_score(spec, desirability_arrays(spec, *(out[k] for k in OBJECTIVE_NAMES)))
        return out

    def evaluate_table(self, designs: pd.DataFrame) -> dict[str, np.ndarray]:
        """:meth:`evaluate` of a design table (``metal``, ``carbon``, ``architecture``, ``metal_nm``, ``carbon_nm``)."""
        return self.evaluate(*self.codes(designs))
