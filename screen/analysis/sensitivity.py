"""Global sensitivity of the margin, P(Li under carbon) and the ranking (``interlayer sensitivity``).

What varies (the *factors*):

* **Model parameters** (14, :data:`screen.model.gap_model.PARAMETERS`), each normal in the
  parameter's transformed space (log, or logit for fractions) with the MAP fit as mean and
  the bootstrap ensemble's standard deviation as spread. Sobol analysis assumes independent
  factors, so the correlations between refitted parameters are dropped: the spread is the
  marginal one and joint effects are, if anything, overstated.
* **Inputs** (:data:`INPUT_FACTORS`): the graphitization index (additive error), carbon and
  metal thickness (multiplicative), current density, stack and fabrication pressure,
  temperature (absolute values replacing the study's cell), the error of Miedema's heats of
  solution (kJ/mol, shifted in both directions: :meth:`descriptors.solubility.featurizer.LiSolubilityFeaturizer.mutual_score_shifted`)
  and of the hull's formation energies (eV/atom, a uniform shift of every compound:
  :meth:`descriptors.phases.featurizer.IntermediatePhaseFeaturizer.phase_stability_margin`). The study
  file's ``[sensitivity.ranges]`` overrides any range.

What is analysed: the best designs of the study's ranking (one per metal/carbon pair, their
thicknesses fixed) form a *pool* (``pool`` designs); each sample of the factors re-evaluates the
whole pool with the gap model's point prediction and the study's scalarised score (the point P
stands for the robustness objective, since the sampled parameters carry the model's
uncertainty). Outputs: the margin and P of the top ``outputs_top`` designs, and Kendall's
tau-b between the nominal and the perturbed order of the nominal top 10 (a ranking output).

Methods: Sobol first and total order indices (Saltelli/Jansen estimators of SALib,
``SALib.sample.sobol`` + ``SALib.analyze.sobol``, 95 % bootstrap intervals; an index whose
interval includes zero is reported as zero in ``S1_eff``/``ST_eff``); Morris elementary
effects (``mu_star``, ``sigma``) as a cheap first pass; one-at-a-time sweeps; and a Monte
Carlo rank-stability analysis (Kendall tau, how often each nominal top-10 design stays in the
top 10, rank intervals), for all factors together and for parameters and inputs apart.

Every factor is sampled in the unit hypercube and mapped through its inverse CDF, so Sobol,
Morris and the Monte Carlo share one evaluator (:class:`PoolEvaluator`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from descriptors.errors import InputError
from screen.analysis.ranks import kendall_tau_b, ranks_of
from screen.search.ranking import PAIR

TOP_K = 10


@dataclass(frozen=True)
class Factor:
    """One uncertain factor: ``dist`` ``unif``/``logunif`` on ``[a, b]``, or ``norm`` with mean ``a`` and sd ``b``."""

    name: str
    kind: str  # "parameter" | "input"
    dist: str
    a: float
    b: float
    nominal: float
    unit: str
    meaning: str

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Unit-interval quantiles -> factor values (natural units for inputs, transformed space for parameters)."""
        u = np.asarray(u, dtype=float)
        if self.dist == "unif":
            return self.a + u * (self.b - self.a)
        if self.dist == "logunif":
            return np.exp(math.log(self.a) + u * (math.log(self.b) - math.log(self.a)))
        from scipy.stats import norm

        return self.a + self.b * norm.ppf(np.clip(u, 1e-6, 1 - 1e-6))

    def bounds(self) -> tuple[float, float]:
        """Range swept one at a time (the whole range; ±2 sd for normal factors)."""
        if self.dist == "norm":
            return self.a - 2 * self.b, self.a + 2 * self.b
        return self.a, self.b


#: Input factors: (dist, default range, unit, meaning). Ranges are study settings, not data;
#: the defaults are stated assumptions a user should adapt (``[sensitivity.ranges]``).
INPUT_FACTORS: dict[str, tuple[str, tuple[float, float], str, str]] = {
    "graphitization_error": ("unif", (-0.1, 0.1), "index (0-1)", "additive error of the graphitization index (clipped to 0-1)"),
    "carbon_nm_factor": ("logunif", (0.5, 2.0), "x", "carbon thickness relative to the design's"),
    "metal_nm_factor": ("logunif", (0.5, 2.0), "x", "metal thickness relative to the design's"),
    "current_ma_cm2": ("logunif", (0.05, 1.0), "mA/cm2", "plating current density"),
    "stack_mpa": ("unif", (1.0, 50.0), "MPa", "stack pressure in operation"),
    "fab_mpa": ("unif", (0.0, 600.0), "MPa", "fabrication (lamination) pressure"),
    "temperature_c": ("unif", (25.0, 60.0), "C", "cell temperature"),
    "solubility_error_kJ_mol": ("unif", (-10.0, 10.0), "kJ/mol", "error of Miedema's heats of solution (both directions)"),
    "hull_energy_error_eV_atom": ("unif", (-0.1, 0.1), "eV/atom", "uniform error of the Li-M compounds' formation energies"),
}
CONDITION_FACTORS = ("current_ma_cm2", "stack_mpa", "fab_mpa", "temperature_c")


def build_factors(spec: Any, model: Any) -> list[Factor]:
    """The study's factors: selected inputs (with its ranges) and, if asked, the model parameters."""
    from screen.model.parameters import PARAMETERS

    sens = spec.sensitivity
    names = list(INPUT_FACTORS) if sens.factors == "all" else list(sens.factors)
    for n in names:
        if n not in INPUT_FACTORS:
            raise InputError(f"study file: key 'sensitivity.factors': unknown factor '{n}' (known: {', '.join(INPUT_FACTORS)})")
    for n in sens.ranges:
        if n not in INPUT_FACTORS:
            raise InputError(f"study file: key 'sensitivity.ranges': unknown factor '{n}' (known: {', '.join(INPUT_FACTORS)})")
    cell = spec.cell
    nominal = {"graphitization_error": 0.0, "carbon_nm_factor": 1.0, "metal_nm_factor": 1.0, "solubility_error_kJ_mol": 0.0,
               "hull_energy_error_eV_atom": 0.0, "current_ma_cm2": cell.current_ma_cm2, "stack_mpa": cell.stack_mpa,
               "fab_mpa": cell.fab_mpa, "temperature_c": cell.temperature_c}
    out = []
    for n in names:
        dist, (lo, hi), unit, meaning = INPUT_FACTORS[n]
        lo, hi = (float(v) for v in sens.ranges.get(n, (lo, hi)))
        if not lo < hi or (dist == "logunif" and lo <= 0):
            raise InputError(f"study file: key 'sensitivity.ranges.{n}': need low < high{' and low > 0' if dist == 'logunif' else ''}, "
                             f"got [{lo}, {hi}]")
        if n in ("stack_mpa", "fab_mpa", "current_ma_cm2") and lo < 0:
            raise InputError(f"study file: key 'sensitivity.ranges.{n}': must not be negative, got [{lo}, {hi}]")
        out.append(Factor(n, "input", dist, lo, hi, float(nominal[n]), unit, meaning))
    if sens.parameters:
        ens = model.draws_z_
        sd = ens.std(axis=0) if len(ens) > 1 else np.zeros(len(PARAMETERS))
        for k, p in enumerate(PARAMETERS):
            out.append(Factor(p.name, "parameter", "norm", float(model.z_[k]), float(max(sd[k], 1e-6)), float(model.z_[k]),
                              f"{p.transform}({p.unit})" if p.unit else p.transform, p.meaning))
    if not out:
        raise InputError("study file: key 'sensitivity.factors': no factor to vary (empty list and parameters = false)")
    return out


class PoolEvaluator:
    """Re-evaluates a fixed pool of designs for many factor samples at once (arrays of shape (S, K)).

    Args:
        spec: the resolved study.
        pipeline: the gap-model pipeline (featurizer + :class:`~screen.model.gap_model.NucleationGapModel`).
        pool: designs (``metal``, ``carbon``, ``architecture``, ``metal_nm``, ``carbon_nm``).
    """

    def __init__(self, spec: Any, pipeline: Any, pool: pd.DataFrame) -> None:
        from descriptors.phases.energy_sources import make_source
        from descriptors.phases.featurizer import IntermediatePhaseFeaturizer
        from descriptors.solubility.featurizer import LiSolubilityFeaturizer
        from screen.cell.materials import layer_objectives
        from screen.cell.objectives import design_frame, reference_stack
        from screen.model.parameters import PARAM_NAMES

        self.spec = spec
        self.model = pipeline.named_steps["gap"]
        cells = pipeline.named_steps["cells"]
        self.pool = pool[PAIR + ["metal_nm", "carbon_nm"]].reset_index(drop=True)
        cands = design_frame(spec, self.pool)
        feats = cells.transform(cands)
        self.k = len(cands)
        self.param_names = PARAM_NAMES
        self.metal = cands["metal"].to_numpy(object)
        self.carbon = cands["carbon"].to_numpy(object)
        self.arch = cands["architecture"].to_numpy(object)
        self.has_metal = feats["has_metal"].to_numpy(float) > 0
        self.has_carbon = feats["has_carbon"].to_numpy(float) > 0
        self.ec = np.nan_to_num(feats["ec_limit_M_in_Li"].to_numpy(float))
        self.g0 = feats["graphitization_index"].to_numpy(float)
        self.carbon_nm = np.where(self.has_carbon, cands["carbon_nm"].to_numpy(float), 0.0)
        self.metal_nm = np.where(self.has_metal, cands["metal_nm"].fillna(0.0).to_numpy(float), 0.0)
        self.particle = cands["carbon_particle_nm"].to_numpy(float)
        sol = LiSolubilityFeaturizer(temperature_K=float(cells.solubility_temperature_K))
        phases = IntermediatePhaseFeaturizer(source=make_source(cells.energy_source))
        self._sol = {m: sol for m in set(self.metal) if m != "none"}
        self.phase_margin = np.array([phases.phase_stability_margin(m) if m != "none" else -np.inf for m in self.metal])
        # layer objectives are linear in each thickness: split them into metal and carbon parts
        area = spec.cell.areal_capacity_mah_cm2
        full = layer_objectives(cands, area, spec.objectives.energy_source, spec.objectives.li_uptake)
        metal_only = layer_objectives(cands.assign(carbon_nm=0.0), area, spec.objectives.energy_source, spec.objectives.li_uptake)
        self.li_pct_m = metal_only["li_loss_pct"].to_numpy(float)
        self.li_pct_c = full["li_loss_pct"].to_numpy(float) - self.li_pct_m
        self.cost_m = metal_only["cost_usd_m2"].to_numpy(float)
        self.cost_c = full["cost_usd_m2"].to_numpy(float) - self.cost_m
        with_dep = layer_objectives(cands, area, spec.objectives.energy_source, spec.objectives.li_uptake,
                                    deposition_usd_m2=spec.cost.deposition_usd_m2, metal_process=spec.cost.metal_process)
        self.cost_fixed = with_dep["cost_usd_m2"].to_numpy(float) - full["cost_usd_m2"].to_numpy(float)  # per layer, not per nm
        self.growth = full["metal_growth_nm"].to_numpy(float)
        self.stack = reference_stack(spec)
        c = spec.constraints
        self.forbidden = np.isin(self.metal, list(c.forbidden_elements))
        self.nominal_z = self.model.z_.copy()

    def _solubility(self, shift: np.ndarray) -> np.ndarray:
        out = np.zeros((shift.size, self.k))
        for m, feat in self._sol.items():
            cols = self.metal == m
            out[:, cols] = feat.mutual_score_shifted(m, shift)[:, None]
        return out

    def evaluate(self, values: dict[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
        """Pool outputs for ``n`` samples; ``values`` maps factor names to (n,) arrays (missing: nominal)."""
        from screen.cell.cell_stack import stack_losses
        from screen.cell.integrity import carbon_closure, metal_coverage
        from screen.cell.objectives import desirability_arrays, sealed_robustness, weighted_score
        from screen.model.parameters import to_natural
        from screen.model.physics import Design, terms_expanded

        cell = self.spec.cell

        def col(name: str, default: float) -> np.ndarray:
            v = values.get(name)
            return np.full((n, 1), default) if v is None else np.asarray(v, dtype=float).reshape(n, 1)

        z = np.tile(self.nominal_z, (n, 1))
        for k, name in enumerate(self.param_names):
            if name in values:
                z[:, k] = values[name]
        natural = to_natural(z)
        theta = {name: natural[:, k:k + 1] for k, name in enumerate(self.param_names)}
        fc, fm = col("carbon_nm_factor", 1.0), col("metal_nm_factor", 1.0)
        thick = self.carbon_nm[None, :] * fc
        sol = self._solubility(col("solubility_error_kJ_mol", 0.0).ravel())
        phases = (col("hull_energy_error_eV_atom", 0.0) < self.phase_margin[None, :]).astype(float)
        d = Design(n=self.k, row=np.arange(self.k), weight=np.ones(self.k), arch=self.arch, has_metal=self.has_metal,
                    has_carbon=self.has_carbon, solubility=sol, ec_limit=self.ec, phases=phases,
                    graphitization=np.clip(self.g0[None, :] + col("graphitization_error", 0.0), 0.0, 1.0), thickness_nm=thick,
                    current=col("current_ma_cm2", cell.current_ma_cm2), temperature_c=col("temperature_c", cell.temperature_c),
                    pressure_mpa=col("fab_mpa", cell.fab_mpa),
                    particle_nm=self.particle)
        t = terms_expanded(theta, d)
        margin, p = np.broadcast_to(t["margin_mV"], (n, self.k)), np.broadcast_to(t["p_under_carbon"], (n, self.k))
        li = self.li_pct_m[None, :] * fm + self.li_pct_c[None, :] * fc
        cost = self.cost_m[None, :] * fm + self.cost_c[None, :] * fc + self.cost_fixed[None, :]
        growth = self.growth[None, :] * fm
        total = self.metal_nm[None, :] * fm + thick
        metal_nm = np.broadcast_to(self.metal_nm[None, :] * fm, (n, self.k))
        sealed = (carbon_closure(np.tile(self.carbon, n), np.broadcast_to(thick, (n, self.k)).ravel(),
                                 self.spec.integrity.carbon_porosity)
                  * metal_coverage(np.tile(self.metal, n), metal_nm.ravel())).reshape(n, self.k)
        robust = sealed_robustness(margin if self.spec.objectives.robustness == "margin_lo" else p, sealed)
        wh_l = stack_losses(self.stack, total.ravel(), np.zeros(total.size), np.zeros(total.size))["wh_l_loss_pct"]
        score = weighted_score(self.spec, desirability_arrays(self.spec, robust, li, cost, growth,
                                                              wh_l.to_numpy(float).reshape(total.shape)))
        c = self.spec.constraints
        closed = ~np.isfinite(self.particle)[None, :] | (thick >= c.min_carbon_particle_layers * np.nan_to_num(self.particle)[None, :])
        feasible = (np.nan_to_num(p) >= c.min_p_under_carbon) & (total <= c.max_total_nm) & ~self.forbidden[None, :] & closed
        return {"margin_mV": margin, "p_under_carbon": p, "score": score, "feasible": feasible, "key": score + 2.0 * feasible}


def _unit_to_values(factors: list[Factor], u: np.ndarray) -> dict[str, np.ndarray]:
    return {f.name: f.ppf(u[:, i]) for i, f in enumerate(factors)}


def _problem(factors: list[Factor]) -> dict[str, Any]:
    return {"num_vars": len(factors), "names": [f.name for f in factors], "bounds": [[0.0, 1.0]] * len(factors)}


def _salib_analyze_seed(seed: int) -> int:
    """A nonzero seed for ``SALib.analyze.sobol.analyze`` derived from the study's ``seed``: SALib seeds its bootstrap
    only ``if seed:``, so seed 0 (every study's default) left the Sobol confidence intervals unseeded and different on
    every run."""
    return int(np.random.SeedSequence([int(seed), 0x5A1B]).generate_state(1)[0]) or 1


def _label(row: pd.Series) -> str:
    metal = "carbon only" if row["metal"] == "none" else row["metal"]
    return f"{metal}/{row['carbon']}"


class SensitivityAnalysis:
    """Runs the four analyses on a study's pool; see the module docstring."""

    def __init__(self, spec: Any, pipeline: Any, pool: pd.DataFrame, seed: int) -> None:
        self.spec = spec
        self.seed = int(seed)
        self.factors = build_factors(spec, pipeline.named_steps["gap"])
        self.evaluator = PoolEvaluator(spec, pipeline, pool)
        nominal = self.evaluator.evaluate({}, 1)
        self.nominal = {k: v[0] for k, v in nominal.items()}
        order = np.argsort(-self.nominal["key"], kind="stable")
        self.pool = self.evaluator.pool.copy()
        self.pool["nominal_rank"] = ranks_of(self.nominal["key"][None, :])[0]
        self.top = order[: min(TOP_K, self.evaluator.k)]
        self.outputs_idx = order[: min(spec.sensitivity.outputs_top, self.evaluator.k)]

    # shared ---------------------------------------------------------------------------------
    def _outputs(self, ev: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        out = {}
        for i in self.outputs_idx:
            lab = _label(self.pool.iloc[i])
            out[f"margin_mV | {lab}"] = ev["margin_mV"][:, i]
            out[f"p_under_carbon | {lab}"] = ev["p_under_carbon"][:, i]
        out["kendall_tau_top10"] = np.nan_to_num(kendall_tau_b(self.nominal["key"][self.top], ev["key"][:, self.top]), nan=0.0)
        return out

    # Sobol ----------------------------------------------------------------------------------
    def sobol(self) -> pd.DataFrame:
        from SALib.analyze import sobol as sobol_analyze
        from SALib.sample import sobol as sobol_sample

        prob = _problem(self.factors)
        u = sobol_sample.sample(prob, self.spec.sensitivity.n_base, calc_second_order=False, seed=self.seed)
        ev = self.evaluator.evaluate(_unit_to_values(self.factors, u), len(u))
        self.sobol_evaluations = len(u)
        rows = []
        for name, y in self._outputs(ev).items():
            y = np.asarray(y, dtype=float)
            constant = not np.isfinite(y).all() or float(np.var(y)) < 1e-12 * max(1.0, float(np.mean(y)) ** 2)
            res = None if constant else sobol_analyze.analyze(prob, y, calc_second_order=False, conf_level=0.95,
                                                              seed=_salib_analyze_seed(self.seed),
                                                              num_resamples=self.spec.sensitivity.bootstrap)
            for i, f in enumerate(self.factors):
                r: dict[str, Any] = {"output": name, "factor": f.name, "kind": f.kind, "variance": float(np.var(y)),
                                     "constant_output": constant}
                if res is None:
                    r |= {"S1": 0.0, "S1_conf": 0.0, "ST": 0.0, "ST_conf": 0.0}
                else:
                    r |= {"S1": float(res["S1"][i]), "S1_conf": float(res["S1_conf"][i]), "ST": float(res["ST"][i]),
                          "ST_conf": float(res["ST_conf"][i])}
                r["S1_eff"] = r["S1"] if abs(r["S1"]) > r["S1_conf"] else 0.0
                r["ST_eff"] = r["ST"] if abs(r["ST"]) > r["ST_conf"] else 0.0
                rows.append(r)
        return pd.DataFrame(rows)

    # Morris ---------------------------------------------------------------------------------
    def morris(self) -> pd.DataFrame:
        from SALib.analyze import morris as morris_analyze
        from SALib.sample import morris as morris_sample

        prob = _problem(self.factors)
        u = morris_sample.sample(prob, self.spec.sensitivity.morris_trajectories, num_levels=4, seed=self.seed)
        ev = self.evaluator.evaluate(_unit_to_values(self.factors, u), len(u))
        self.morris_evaluations = len(u)
        rows = []
        for name, y in self._outputs(ev).items():
            res = morris_analyze.analyze(prob, u, np.asarray(y, dtype=float), num_levels=4, num_resamples=self.spec.sensitivity.bootstrap,
                                         seed=self.seed)
            for i, f in enumerate(self.factors):
                rows.append({"output": name, "factor": f.name, "kind": f.kind, "mu": float(res["mu"][i]),
                             "mu_star": float(res["mu_star"][i]), "mu_star_conf": float(res["mu_star_conf"][i]),
                             "sigma": float(res["sigma"][i])})
        return pd.DataFrame(rows)

    # one at a time --------------------------------------------------------------------------
    def oat(self) -> pd.DataFrame:
        from screen.model.parameters import to_natural

        pts = self.spec.sensitivity.oat_points
        frames = []
        for f in self.factors:
            lo, hi = f.bounds()
            grid = np.exp(np.linspace(math.log(lo), math.log(hi), pts)) if f.dist == "logunif" else np.linspace(lo, hi, pts)
            grid = np.unique(np.append(grid, f.nominal)) if lo <= f.nominal <= hi else grid
            ev = self.evaluator.evaluate({f.name: grid}, grid.size)
            ranks = ranks_of(ev["key"])
            shown = grid
            if f.kind == "parameter":
                k = list(self.evaluator.param_names).index(f.name)
                z = np.tile(self.evaluator.nominal_z, (grid.size, 1))
                z[:, k] = grid
                shown = to_natural(z)[:, k]
            for j in range(self.evaluator.k):
                frames.append(pd.DataFrame({
                    "factor": f.name, "kind": f.kind, "value": shown, "is_nominal": np.isclose(grid, f.nominal),
                    "metal": self.pool.at[j, "metal"], "carbon": self.pool.at[j, "carbon"], "architecture": self.pool.at[j, "architecture"],
                    "nominal_rank": int(self.pool["nominal_rank"].loc[j]), "margin_mV": ev["margin_mV"][:, j],
                    "p_under_carbon": ev["p_under_carbon"][:, j], "score": ev["score"][:, j], "feasible": ev["feasible"][:, j],
                    "rank": ranks[:, j]}))
        return pd.concat(frames, ignore_index=True)

    # rank stability -------------------------------------------------------------------------
    def rank_stability(self) -> tuple[dict[str, Any], pd.DataFrame]:
        n = self.spec.sensitivity.rank_samples
        groups = {"all": self.factors, "parameters": [f for f in self.factors if f.kind == "parameter"],
                  "inputs": [f for f in self.factors if f.kind == "input"]}
        summary: dict[str, Any] = {}
        table = self.pool[PAIR + ["metal_nm", "carbon_nm", "nominal_rank"]].copy()
        for g, (name, facs) in enumerate(groups.items()):
            if not facs or (name != "all" and len(facs) == len(self.factors)):
                continue
            rng = np.random.default_rng([self.seed, g])
            ev = self.evaluator.evaluate(_unit_to_values(facs, rng.random((n, len(facs)))), n)
            tau = kendall_tau_b(self.nominal["key"][self.top], ev["key"][:, self.top])
            ranks = ranks_of(ev["key"])
            in_top = ranks <= TOP_K
            first = np.argmax(ev["key"], axis=1) == self.top[0]
            summary[name] = {"samples": n, "factors": [f.name for f in facs],
                             "kendall_tau_mean": float(np.nanmean(tau)), "kendall_tau_median": float(np.nanmedian(tau)),
                             "kendall_tau_p05": float(np.nanquantile(tau, 0.05)), "kendall_tau_p95": float(np.nanquantile(tau, 0.95)),
                             "top1_kept": float(first.mean()),
                             "top10_mean_kept": float(in_top[:, self.top].mean()),
                             "infeasible_top10_fraction": float((~ev["feasible"][:, self.top]).mean())}
            table[f"top10_frequency_{name}"] = in_top.mean(axis=0)
            table[f"rank_p05_{name}"] = np.quantile(ranks, 0.05, axis=0)
            table[f"rank_median_{name}"] = np.median(ranks, axis=0)
            table[f"rank_p95_{name}"] = np.quantile(ranks, 0.95, axis=0)
            if name == "all":
                self._tau_all = tau
        return summary, table.sort_values("nominal_rank").reset_index(drop=True)

    def factor_table(self) -> pd.DataFrame:
        return pd.DataFrame([{"factor": f.name, "kind": f.kind, "distribution": f.dist,
                              "a": f.a, "b": f.b, "nominal": f.nominal, "unit": f.unit, "meaning": f.meaning} for f in self.factors])
