"""The physics of the gap model: overpotentials on the lithiated metal and carbon, the interfacial toughness, the
barrier to cross the carbon, and every term per cell, vectorised over cells (and over the marginalization grids of
unreported conditions). The equations and their sources are in :mod:`screen.model.gap_model`'s docstring.

Written once for two array libraries: every function takes an array namespace ``xp`` (``numpy``, the default, for
the screening evaluator and the analyses; ``jax.numpy`` for the NUTS sampler of :mod:`screen.model.inference`), so
the sampler and the screen evaluate the same equations. Parameters may be scalars or ``(draws, 1)`` columns, which
broadcast against the ``(n_expanded,)`` design arrays."""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

from descriptors.errors import InputError
from screen.model.parameters import SOURCED_VALUE

K_B_EV = 8.617333262e-5  # eV/K
T_REF_K = 298.15
#: Reference particle size of the toughness law (nm): a round size inside the 10-100 nm range of carbon-black primary
#: particles, fixed in the v3 specification (v2.1 used 30 nm, the carbon black of Liao 2025, a study in the fit).
D_REF_NM = 50.0
FAB_GRID_MPA = np.geomspace(50.0, 500.0, 7)
THICKNESS_GRID_NM = np.geomspace(100.0, 10000.0, 5)
#: Fallback sizes of an unreported carbon particle size (nm) when the training rows report fewer than 3.
PARTICLE_GRID_NM = np.geomspace(20.0, 2000.0, 5)
IMPUTE = {"current_ma_cm2": 0.1, "temperature_c": 25.0}
#: Points of a learned marginalization grid (quantiles of the values the training studies report).
GRID_POINTS = 7

Theta = dict[str, Any]


def learned_grid(values: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """Log-spaced quantiles of the reported values (NaN = unreported); ``fallback`` when fewer than 3 are reported.

    Unreported conditions are marginalized over what the *training* studies report, so the choice is made inside each
    cross-validation fold and is never tuned on the held-out labels.
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    if v.size < 3:
        return np.asarray(fallback, dtype=float)
    return np.unique(np.exp(np.quantile(np.log(v), np.linspace(0.1, 0.9, GRID_POINTS))))


#: How graphitization may enter the carbon overpotential (the gap model's ``graphitization_form``).
GRAPHITIZATION_FORMS: tuple[str, ...] = ("index", "two_class", "off")
#: Graphitization index from which a carbon counts as graphitic in the two-class form: halfway between the turbostratic
#: spacing (index 0) and graphite's (index 1) on the Mering-Maire scale, fixed before any fit.
TWO_CLASS_THRESHOLD = 0.5


def graphitization_input(index: Any, form: str) -> np.ndarray:
    """What the carbon overpotential reads for carbons of graphitization ``index`` (0..1; NaN: no carbon) under a
    form of :data:`GRAPHITIZATION_FORMS`: the index itself, graphitic or not (1 / 0), or 0 (no graphitization term)."""
    g = np.asarray(index, dtype=float)
    if form == "off":
        return np.where(np.isnan(g), np.nan, 0.0)
    if form == "two_class":
        return np.where(np.isnan(g), np.nan, (g >= TWO_CLASS_THRESHOLD).astype(float))
    return g


def sigmoid(x: Any, xp: ModuleType = np) -> Any:
    return 0.5 * (1.0 + xp.tanh(0.5 * x))


def alloying_activity(solubility: Any, ec_limit: Any, kappa: Any, xp: ModuleType = np) -> Any:
    """A = S_mutual * min(1, 2 ec_limit)^kappa (dimensionless, 0..1)."""
    base = xp.minimum(1.0, 2.0 * ec_limit)
    positive = base > 0
    return solubility * xp.where(positive, xp.where(positive, base, 1.0) ** kappa, 0.0)  # 0 ** kappa without a NaN gradient


def eta_metal(theta: Theta, activity: Any, phases: Any) -> Any:
    """Li nucleation overpotential on the lithiated metal (mV)."""
    return theta["eta_floor_mV"] + theta["eta_inert_mV"] * (1.0 - activity) * (1.0 - theta["phase_relief"] * phases)


def eta_carbon(theta: Theta, graphitization: Any) -> Any:
    """Li nucleation overpotential on lithiated carbon (mV)."""
    return theta["eta_floor_mV"] + theta["eta_amorphous_carbon_mV"] * (1.0 - theta["graphite_relief"] * graphitization)


#: the smallest multiplier of the pressure exponent (large particles with a falling size slope), and how sharply the
#: exponent bends onto it (1 / width, in units of the multiplier)
EXPONENT_FLOOR, FLOOR_SHARPNESS = 0.05, 20.0


#: Charge of one mAh (C) over Faraday's constant (C/mol): mol of Li per mAh.
MOL_LI_PER_MAH = 3.6 / 96485.33212


def dissolvable_ratio(capacity_mah_cm2: Any, x_sat: Any, metal_nm: Any, molar_volume_cm3: Any) -> np.ndarray:
    """Moles of metal that one cycle's plated Li can hold in solution per mole of metal in the layer (dimensionless).

    ``capacity_mah_cm2`` of Li plated per cycle holds up to ``x_sat / (1 - x_sat)`` M per Li (the terminal solubility
    of M in Li, :func:`descriptors.phases.solvus.m_in_li_solubility`); the layer holds ``metal_nm`` of metal of molar
    volume ``molar_volume_cm3`` (cm3/mol). Infinite for a layer of no metal."""
    x = np.clip(np.asarray(x_sat, dtype=float), 0.0, 0.999)
    li = np.asarray(capacity_mah_cm2, dtype=float) * MOL_LI_PER_MAH
    with np.errstate(divide="ignore"):
        metal = np.asarray(metal_nm, dtype=float) * 1e-7 / np.asarray(molar_volume_cm3, dtype=float)
        return np.where(metal > 0, li * x / (1.0 - x) / np.where(metal > 0, metal, 1.0), np.inf)


def metal_retained(lost_fraction: Any, dissolvable: Any, cycles_done: Any, xp: ModuleType = np) -> Any:
    """Fraction of the interlayer's metal still in place after ``cycles_done`` cycles (1 before any is completed).

    Each cycle the plated Li dissolves metal up to ``dissolvable`` (:func:`dissolvable_ratio`, per metal initially
    present) or all that is left, and the fraction ``lost_fraction`` of the plated Li that is not stripped back (dead
    Li, the SEI) keeps its dissolved metal: the loss per cycle is ``lost_fraction * min(retained, dissolvable)``. So
    the retained fraction falls linearly while the metal outlasts a cycle's capacity to dissolve it (a thick layer,
    a sparingly soluble metal), then geometrically, ``(1 - lost_fraction)`` per cycle."""
    r, a, n = lost_fraction, xp.asarray(dissolvable, dtype=float), xp.asarray(cycles_done, dtype=float)
    a_lin = xp.minimum(a, 1.0)
    linear_cycles = xp.where(a < 1.0, (1.0 - a_lin) / (r * xp.maximum(a_lin, 1e-300)), 0.0)
    linear = 1.0 - n * r * a_lin
    geometric = a_lin * (1.0 - r) ** xp.maximum(n - linear_cycles, 0.0)
    return xp.where(n <= linear_cycles, linear, geometric)


def soft_floor(x: Any, xp: ModuleType = np) -> Any:
    """``x`` bent smoothly onto :data:`EXPONENT_FLOOR` (a softplus; equal to ``x`` to 1e-8 once ``x`` ≥ 1).

    A hard ``max(x, floor)`` has a kink where NUTS cannot integrate across (model v0's one divergent transition sat
    there; docs/model.md, amendment 4).
    """
    return EXPONENT_FLOOR + xp.logaddexp(0.0, FLOOR_SHARPNESS * (x - EXPONENT_FLOOR)) / FLOOR_SHARPNESS


def interfacial_toughness(theta: Theta, pressure_mpa: Any, particle_nm: Any, xp: ModuleType = np) -> Any:
    """Carbon/electrolyte interfacial toughness (J/m2) from the fabrication (lamination) pressure (MPa) and the
    particle size (nm; :func:`design` marginalizes an unreported one, a NaN left in a hand-made design counts as
    :data:`D_REF_NM`).

    A power law in pressure and 1/particle size, bounded by the carbon layer's own cohesive toughness.
    """
    particle_nm = xp.where(np.isfinite(particle_nm), particle_nm, D_REF_NM)  # data, never a parameter: no gradient
    p = xp.maximum(pressure_mpa, 1e-3)
    slope = 2.0 * (theta["toughness_pressure_size_slope"] - 0.5)
    m = theta["toughness_pressure_exponent"] * soft_floor(1.0 + slope * xp.log10(particle_nm / D_REF_NM), xp)
    log_free = (xp.log(theta["toughness_100MPa_J_m2"]) + m * xp.log(p / 100.0)
                + theta["toughness_size_exponent"] * xp.log(D_REF_NM / particle_nm))
    free = xp.exp(xp.minimum(log_free, 50.0))
    return 1.0 / (1.0 / free + 1.0 / theta["toughness_cohesive_J_m2"])


def barrier(theta: Theta, current: Any, thickness_nm: Any, temperature_c: Any, toughness: Any,
            xp: ModuleType = np) -> tuple[Any, Any, Any]:
    """(bulk transport, interface transport, adhesion) parts of the barrier for Li to cross the lithiated carbon (mV).

    Both transport parts are ohmic in the current (mA/cm2) and share the measured activation energy of Li jumps in
    C6Li (:data:`screen.model.parameters.SOURCED`); the bulk part grows with the carbon thickness, the interface part
    does not.
    """
    t_k = temperature_c + 273.15
    arr = xp.exp(SOURCED_VALUE["transport_Ea_eV"] / K_B_EV * (1.0 / t_k - 1.0 / T_REF_K))
    bulk = theta["transport_mV"] * current * (thickness_nm / 1000.0) * arr
    interface = theta["interface_ohm_cm2"] * current * arr
    adhesion = theta["adhesion_barrier_mV"] / (1.0 + toughness / theta["toughness_scale_J_m2"])
    return bulk, interface, adhesion


NEEDED = ("architecture", "has_metal", "has_carbon", "solubility_score_mutual", "ec_limit_M_in_Li",
           "has_intermediate_phases", "graphitization_index", "carbon_nm", "current_ma_cm2", "stack_mpa", "fab_mpa",
           "temperature_c", "carbon_particle_nm")


@dataclass
class Design:
    """Rows expanded over the marginalization grid; ``row`` maps each expanded row to its input row.

    Every numeric array is finite (a carbon-free row carries graphitization 0 and the reference particle size; its
    carbon terms are masked by ``has_carbon``), so gradients through the masked branches stay finite.
    """

    n: int
    row: np.ndarray
    weight: np.ndarray
    arch: np.ndarray
    has_metal: np.ndarray
    has_carbon: np.ndarray
    solubility: np.ndarray
    ec_limit: np.ndarray
    phases: np.ndarray
    graphitization: np.ndarray
    thickness_nm: np.ndarray
    current: np.ndarray
    temperature_c: np.ndarray
    pressure_mpa: np.ndarray
    particle_nm: np.ndarray
    #: after how many completed plating/stripping cycles the cell is asked about, and how much metal one cycle's plated
    #: Li can dissolve per metal in the layer (:func:`dissolvable_ratio`); None (the fit, first plating): no loss
    cycles_done: np.ndarray | None = None
    dissolvable: np.ndarray | None = None


def expand(missing: list[np.ndarray], grids: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Repeat each row over the product of the grids of its missing values: (row, weight, grid index per grid)."""
    sizes = [np.where(m, g.size, 1) for m, g in zip(missing, grids)]
    reps = np.prod(sizes, axis=0)
    row = np.repeat(np.arange(reps.size), reps)
    start = np.repeat(np.cumsum(reps) - reps, reps)
    k = np.arange(row.size) - start
    index: list[np.ndarray] = []
    stride = np.ones(row.size, dtype=int)
    for s in reversed(sizes):
        index.insert(0, (k // stride) % s[row])
        stride = stride * s[row]
    return row, 1.0 / reps[row], index


def design(X: pd.DataFrame, fab_grid: np.ndarray = FAB_GRID_MPA, thickness_grid: np.ndarray = THICKNESS_GRID_NM,
           particle_grid: np.ndarray = PARTICLE_GRID_NM) -> Design:
    """Expand rows over the marginalization grids of unreported fabrication pressure, carbon thickness and carbon
    particle size."""
    missing = [c for c in NEEDED if c not in X.columns]
    if missing:
        raise InputError(f"the gap model needs column '{missing[0]}' (run the candidates through CellFeaturizer first)")
    n = len(X)
    col = {c: X[c].to_numpy() for c in NEEDED}
    num = {c: np.asarray(col[c], dtype=float) for c in NEEDED if c != "architecture"}
    has_c = num["has_carbon"] > 0
    gaps = [np.isnan(num["fab_mpa"]), np.isnan(num["carbon_nm"]) & has_c, ~np.isfinite(num["carbon_particle_nm"]) & has_c]
    grids = [np.asarray(fab_grid, dtype=float), np.asarray(thickness_grid, dtype=float), np.asarray(particle_grid, dtype=float)]
    row, weight, (i_fab, i_thick, i_part) = expand(gaps, grids)
    fab = np.where(gaps[0][row], grids[0][i_fab % grids[0].size], num["fab_mpa"][row])
    thick = np.where(gaps[1][row], grids[1][i_thick % grids[1].size], num["carbon_nm"][row])
    part = np.where(gaps[2][row], grids[2][i_part % grids[2].size], num["carbon_particle_nm"][row])
    cycles_done = dissolvable = None
    if {"cycles", "metal_nm", "capacity_mah_cm2", "m_in_li_solubility", "metal_molar_volume_cm3"} <= set(X.columns):
        done = np.maximum(np.nan_to_num(X["cycles"].to_numpy(float), nan=1.0) - 1.0, 0.0)
        if done.any():
            cycles_done = done[row]
            dissolvable = dissolvable_ratio(X["capacity_mah_cm2"].to_numpy(float), X["m_in_li_solubility"].to_numpy(float),
                                            X["metal_nm"].to_numpy(float), X["metal_molar_volume_cm3"].to_numpy(float))[row]
    return Design(
        n=n, row=row, weight=weight, arch=np.asarray(col["architecture"], dtype=object)[row],
        has_metal=num["has_metal"][row] > 0, has_carbon=has_c[row],
        solubility=np.nan_to_num(num["solubility_score_mutual"][row]), ec_limit=np.nan_to_num(num["ec_limit_M_in_Li"][row]),
        phases=np.nan_to_num(num["has_intermediate_phases"][row]),
        graphitization=np.nan_to_num(num["graphitization_index"][row]),
        thickness_nm=np.where(has_c[row], thick, 0.0),
        current=np.nan_to_num(num["current_ma_cm2"][row], nan=IMPUTE["current_ma_cm2"]),
        temperature_c=np.nan_to_num(num["temperature_c"][row], nan=IMPUTE["temperature_c"]),
        pressure_mpa=fab, particle_nm=np.where(np.isfinite(part) & (part > 0), part, D_REF_NM),
        cycles_done=cycles_done, dissolvable=dissolvable,
    )


def _toughness_per_row(theta: Theta, d: Design, xp: ModuleType) -> Any:
    """:func:`interfacial_toughness` of each expanded row; with NumPy, computed once per distinct (pressure, particle
    size), which a screen repeats over thousands of designs (the sampler's JAX path keeps the plain form)."""
    if xp is not np:
        return interfacial_toughness(theta, d.pressure_mpa, d.particle_nm, xp)
    pressure, particle = np.broadcast_arrays(np.asarray(d.pressure_mpa, dtype=float), np.asarray(d.particle_nm, dtype=float))
    if pressure.ndim != 1:  # conditions varied per sample (a sensitivity analysis): computed as given
        return interfacial_toughness(theta, d.pressure_mpa, d.particle_nm, xp)
    pairs, inverse = np.unique(np.column_stack([pressure, particle]), axis=0, return_inverse=True)
    return interfacial_toughness(theta, pairs[:, 0], pairs[:, 1], xp)[..., inverse.ravel()]


def terms_expanded(theta: Theta, d: Design, lab_offset_mV: Any = 0.0, xp: ModuleType = np) -> dict[str, Any]:
    """Per expanded row: every term of the model (mV; p dimensionless; toughness J/m2; critical current mA/cm2).

    ``lab_offset_mV`` is the lab (study) effect on the margin: a scalar, or an array broadcasting against the
    parameters and the expanded rows. Terms that need a carbon layer are NaN where there is none.
    """
    nan = xp.nan
    act = xp.where(d.has_metal, alloying_activity(d.solubility, d.ec_limit, theta["ec_exponent"], xp), 0.0)
    phases = xp.where(d.has_metal, d.phases, 0.0)
    e_m = eta_metal(theta, act, phases)  # metal none -> bare collector
    e_coll = theta["eta_floor_mV"] + theta["eta_inert_mV"]
    if d.cycles_done is not None:  # the metal lost over cycling leaves bare collector in its place
        kept = metal_retained(theta["lost_li_fraction"], d.dissolvable, d.cycles_done, xp)
        e_m = xp.where(d.has_metal, kept * e_m + (1.0 - kept) * e_coll, e_m)
    e_c = eta_carbon(theta, d.graphitization)
    g = _toughness_per_row(theta, d, xp)
    b_bulk, b_i, b_a = barrier(theta, d.current, d.thickness_nm, d.temperature_c, g, xp)
    nano = d.arch == "nanocomposite"
    b_t = b_bulk * xp.where(nano, 1.0 - theta["composite_relief"] * act, 1.0) + b_i
    cum = d.arch == "carbon_under_metal"
    top = xp.where(nano, act * e_c + (1.0 - act) * xp.minimum(e_c, e_m), xp.where(cum, e_m, e_c))
    bottom = xp.where(cum | ~d.has_metal, e_coll, e_m)
    gap = top - bottom
    margin = gap - (b_t + b_a) + lab_offset_mV
    safe_current = xp.where(d.current > 0, d.current, 1.0)
    per_current = b_t / safe_current  # transport barrier per mA/cm2
    j_crit = xp.where(d.current > 0, xp.maximum(gap + lab_offset_mV - b_a, 0.0) / per_current, nan)
    p_physics = sigmoid(margin / theta["scale_mV"], xp)
    p = theta["lapse"] / 2.0 + (1.0 - theta["lapse"]) * p_physics
    eta_cell = xp.where(d.has_carbon, p_physics * bottom + (1.0 - p_physics) * top, e_m)
    c = d.has_carbon
    return {"eta_metal_mV": e_m, "eta_carbon_mV": xp.where(c, e_c, nan), "barrier_mV": xp.where(c, b_t + b_a, nan),
            "gap_mV": xp.where(c, gap, nan), "margin_mV": xp.where(c, margin, nan), "p_under_carbon": xp.where(c, p, nan),
            "eta_cell_mV": eta_cell, "toughness_J_m2": xp.where(c, g, nan),
            "critical_current_mA_cm2": xp.where(c, j_crit, nan)}


def aggregate(values: Any, d: Design, xp: ModuleType = np) -> Any:
    """Weighted mean over each row's marginalization block, along the last axis (NaN stays NaN, and only in its row).

    ``values`` is ``(n_expanded,)`` or, for a batch of parameter vectors, ``(batch, n_expanded)``; a row's expanded
    copies are contiguous (:func:`design` repeats them in place).
    """
    if xp is np:
        starts = np.flatnonzero(np.r_[True, d.row[1:] != d.row[:-1]])
        return np.add.reduceat(np.asarray(values, dtype=float) * d.weight, starts, axis=-1)
    import jax

    summed = jax.ops.segment_sum(xp.moveaxis(values * d.weight, -1, 0), d.row, num_segments=d.n, indices_are_sorted=True)
    return xp.moveaxis(summed, 0, -1)


def terms(theta: Theta, d: Design, lab_offset_mV: Any = 0.0, xp: ModuleType = np) -> dict[str, Any]:
    """:func:`terms_expanded` averaged over each row's marginalization block (one value per input row)."""
    return {k: aggregate(v, d, xp) for k, v in terms_expanded(theta, d, lab_offset_mV, xp).items()}
