"""The physics of the gap model: overpotentials on the lithiated metal and carbon, the interfacial toughness, the
barrier to cross the carbon, and every term per cell, vectorised over cells (and over the marginalization grids of
unreported conditions). The equations and their sources are in :mod:`screen.model.gap_model`'s docstring."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from descriptors.errors import InputError
from screen.model.parameters import SOURCED_VALUE

K_B_EV = 8.617333262e-5  # eV/K
T_REF_K = 298.15
D_REF_NM = 30.0
FAB_GRID_MPA = np.geomspace(50.0, 500.0, 7)
THICKNESS_GRID_NM = np.geomspace(100.0, 10000.0, 5)
IMPUTE = {"current_ma_cm2": 0.1, "temperature_c": 25.0}
#: Points of a learned marginalization grid (quantiles of the values the training studies report).
GRID_POINTS = 7


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



def sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))



def alloying_activity(solubility: np.ndarray, ec_limit: np.ndarray, kappa: float) -> np.ndarray:
    """A = S_mutual * min(1, 2 ec_limit)^kappa (dimensionless, 0..1)."""
    return np.asarray(solubility) * np.minimum(1.0, 2.0 * np.asarray(ec_limit)) ** kappa


def eta_metal(theta: dict[str, float], activity: np.ndarray, phases: np.ndarray) -> np.ndarray:
    """Li nucleation overpotential on the lithiated metal (mV)."""
    return theta["eta_floor_mV"] + theta["eta_inert_mV"] * (1.0 - activity) * (1.0 - theta["phase_relief"] * phases)


def eta_carbon(theta: dict[str, float], graphitization: np.ndarray) -> np.ndarray:
    """Li nucleation overpotential on lithiated carbon (mV)."""
    return theta["eta_floor_mV"] + theta["eta_amorphous_carbon_mV"] * (1.0 - theta["graphite_relief"] * np.asarray(graphitization))


def interfacial_toughness(theta: dict[str, float], pressure_mpa: np.ndarray, particle_nm: np.ndarray) -> np.ndarray:
    """Carbon/electrolyte interfacial toughness (J/m2) from the fabrication (lamination) pressure and the particle size.

    A power law in pressure and 1/particle size, bounded by the carbon layer's own cohesive toughness.
    """
    d = np.where(np.isfinite(particle_nm), particle_nm, D_REF_NM)
    p = np.maximum(np.asarray(pressure_mpa, dtype=float), 1e-3)
    slope = 2.0 * (theta["toughness_pressure_size_slope"] - 0.5)
    m = theta["toughness_pressure_exponent"] * np.maximum(1.0 + slope * np.log10(d / D_REF_NM), 0.05)
    log_free = (np.log(theta["toughness_100MPa_J_m2"]) + m * np.log(p / 100.0)
                + theta["toughness_size_exponent"] * np.log(D_REF_NM / d))
    free = np.exp(np.minimum(log_free, 50.0))
    return 1.0 / (1.0 / free + 1.0 / theta["toughness_cohesive_J_m2"])


def barrier(theta: dict[str, float], current: np.ndarray, thickness_nm: np.ndarray, temperature_c: np.ndarray,
            toughness: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(bulk transport, interface transport, adhesion) parts of the barrier for Li to cross the lithiated carbon (mV).

    Both transport parts are ohmic in the current and share the measured activation energy of Li jumps in C6Li
    (:data:`screen.model.parameters.SOURCED`); the bulk part grows with the carbon thickness, the interface part does not.
    """
    t_k = np.asarray(temperature_c, dtype=float) + 273.15
    arr = np.exp(SOURCED_VALUE["transport_Ea_eV"] / K_B_EV * (1.0 / t_k - 1.0 / T_REF_K))
    bulk = theta["transport_mV"] * current * (thickness_nm / 1000.0) * arr
    interface = theta["interface_ohm_cm2"] * current * arr
    adhesion = theta["adhesion_barrier_mV"] / (1.0 + toughness / theta["toughness_scale_J_m2"])
    return bulk, interface, adhesion


NEEDED = ("architecture", "has_metal", "has_carbon", "solubility_score_mutual", "ec_limit_M_in_Li",
           "has_intermediate_phases", "graphitization_index", "carbon_nm", "current_ma_cm2", "stack_mpa", "fab_mpa",
           "temperature_c", "carbon_particle_nm")


@dataclass
class Design:
    """Rows expanded over the marginalization grid; ``row`` maps each expanded row to its input row."""

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


def design(X: pd.DataFrame, fab_grid: np.ndarray = FAB_GRID_MPA, thickness_grid: np.ndarray = THICKNESS_GRID_NM) -> Design:
    """Expand rows over the marginalization grids of unreported fabrication pressure and carbon thickness."""
    missing = [c for c in NEEDED if c not in X.columns]
    if missing:
        raise InputError(f"the gap model needs column '{missing[0]}' (run the candidates through CellFeaturizer first)")
    n = len(X)
    col = {c: X[c].to_numpy() for c in NEEDED}
    num = {c: np.asarray(col[c], dtype=float) for c in NEEDED if c != "architecture"}
    has_c = num["has_carbon"] > 0
    fab_missing = np.isnan(num["fab_mpa"])
    thick_missing = np.isnan(num["carbon_nm"]) & has_c
    reps = np.where(fab_missing, fab_grid.size, 1) * np.where(thick_missing, thickness_grid.size, 1)
    row = np.repeat(np.arange(n), reps)
    weight = 1.0 / reps[row]
    # position of each expanded row inside its row's block -> grid indices
    start = np.repeat(np.cumsum(reps) - reps, reps)
    k = np.arange(row.size) - start
    nt = np.where(thick_missing[row], thickness_grid.size, 1)
    fab = np.where(fab_missing[row], fab_grid[(k // nt) % fab_grid.size], num["fab_mpa"][row])
    thick = np.where(thick_missing[row], thickness_grid[k % thickness_grid.size], num["carbon_nm"][row])
    thick = np.where(has_c[row], thick, 0.0)
    return Design(
        n=n, row=row, weight=weight, arch=np.asarray(col["architecture"], dtype=object)[row],
        has_metal=num["has_metal"][row] > 0, has_carbon=has_c[row],
        solubility=np.nan_to_num(num["solubility_score_mutual"][row]), ec_limit=np.nan_to_num(num["ec_limit_M_in_Li"][row]),
        phases=np.nan_to_num(num["has_intermediate_phases"][row]), graphitization=num["graphitization_index"][row],
        thickness_nm=thick, current=np.nan_to_num(num["current_ma_cm2"][row], nan=IMPUTE["current_ma_cm2"]),
        temperature_c=np.nan_to_num(num["temperature_c"][row], nan=IMPUTE["temperature_c"]),
        pressure_mpa=fab, particle_nm=num["carbon_particle_nm"][row],
    )


def terms_expanded(theta: dict[str, float], d: Design) -> dict[str, np.ndarray]:
    """Per expanded row: every term of the model (mV; p dimensionless)."""
    act = np.where(d.has_metal, alloying_activity(d.solubility, d.ec_limit, theta["ec_exponent"]), 0.0)
    phases = np.where(d.has_metal, d.phases, 0.0)
    e_m = eta_metal(theta, act, phases)  # metal none -> bare collector
    e_coll = theta["eta_floor_mV"] + theta["eta_inert_mV"]
    with np.errstate(invalid="ignore"):
        e_c = np.where(d.has_carbon, eta_carbon(theta, d.graphitization), np.nan)
    g = np.where(d.has_carbon, interfacial_toughness(theta, d.pressure_mpa, d.particle_nm), np.nan)
    b_bulk, b_i, b_a = barrier(theta, d.current, d.thickness_nm, d.temperature_c, g)
    nano = d.arch == "nanocomposite"
    b_t = b_bulk * np.where(nano, 1.0 - theta["composite_relief"] * act, 1.0) + b_i
    b = np.where(d.has_carbon, b_t + b_a, np.nan)
    cum = d.arch == "carbon_under_metal"
    top = np.where(nano, act * e_c + (1.0 - act) * np.fmin(e_c, e_m), np.where(cum, e_m, e_c))
    bottom = np.where(cum | ~d.has_metal, e_coll, e_m)
    gap = np.where(d.has_carbon, top - bottom, np.nan)
    margin = gap - b
    with np.errstate(divide="ignore", invalid="ignore"):
        per_current = np.where(d.current > 0, b_t / d.current, np.nan)  # transport barrier per mA/cm2
        j_crit = np.where(d.has_carbon, np.maximum(gap - b_a, 0.0) / per_current, np.nan)
    p_physics = sigmoid(margin / theta["scale_mV"])
    p = theta["lapse"] / 2.0 + (1.0 - theta["lapse"]) * p_physics
    eta_cell = np.where(d.has_carbon, p_physics * bottom + (1.0 - p_physics) * top, e_m)
    return {"eta_metal_mV": e_m, "eta_carbon_mV": e_c, "barrier_mV": b, "gap_mV": gap, "margin_mV": margin,
            "p_under_carbon": p, "eta_cell_mV": eta_cell, "toughness_J_m2": g, "critical_current_mA_cm2": j_crit}


def aggregate(values: np.ndarray, d: Design) -> np.ndarray:
    """Weighted mean over each row's marginalization block, along the last axis (NaN stays NaN, and only in its row).

    ``values`` is ``(n_expanded,)`` or, for a batch of parameter vectors, ``(batch, n_expanded)``; a row's expanded
    copies are contiguous (:func:`design` repeats them in place).
    """
    starts = np.flatnonzero(np.r_[True, d.row[1:] != d.row[:-1]])
    return np.add.reduceat(np.asarray(values, dtype=float) * d.weight, starts, axis=-1)


def terms(theta: dict[str, float], d: Design) -> dict[str, np.ndarray]:
    return {k: aggregate(v, d) for k, v in terms_expanded(theta, d).items()}
