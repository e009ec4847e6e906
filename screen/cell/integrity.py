"""What makes a layer too thin: closure of the carbon layer and coverage of the metal film (vectorised).

The gap model says where Li plates on an ideal, closed bilayer. A real layer thinner than a few particle diameters
or than its film's percolation thickness leaves part of the area where that picture does not hold; this module gives
that area fraction, and :mod:`screen.cell.objectives` counts it as failing (conservative: elsewhere Li may still
plate under the carbon, but the model cannot say so).

**Carbon closure** (fraction of the electrolyte surface the carbon separates from the plated Li):

* particulate carbon (no film deposition recorded): a straight path through ``t / d`` uncorrelated particle layers
  of diameter ``d`` finds pores in each with probability ``phi`` (areal porosity = volume porosity, Delesse), so the
  open fraction is ``phi ** (t / d)`` and ``closure = 1 - phi ** (t / d)``. ``d`` is the preset's particle size
  (recorded, or computed from its BET area; see :func:`descriptors.graphitization.featurizer.particle_size`); for a
  preset with neither, 30 nm (the gap model's reference size, flagged ``assumed``). ``phi`` defaults to the
  porosity of a random close packing of equal spheres, 0.36 (Scott & Kilgour, J. Phys. D 2, 863 (1969),
  doi:10.1088/0022-3727/2/6/311): the densest random layer, so the closure is an upper bound for a real, more porous
  carbon-black coating (no measured porosity of an interlayer was found; the study file may set another).
* a film (``deposition`` = thermal evaporation or sputtering in ``carbons.csv``): continuous, ``closure = 1``
  (the source paper's evaporated 100 nm carbon is uniform, AFM roughness 84 pm; doi:10.1021/acsami.6c01094). Its
  thinnest design is set by the model's calibrated carbon range instead (a constraint in the study).

**Metal coverage** (fraction of the collector the metal film covers): an evaporated or sputtered metal grows as
islands (Volmer–Weber) that coalesce at the percolation thickness ``t_c``. Random discs percolate at an area fraction
``a_c = 0.6763`` (Quintanilla, Torquato & Ziff, J. Phys. A 33, L399 (2000), doi:10.1088/0305-4470/33/42/104), and
random deposition covers ``1 - exp(-t / t_p)``, so ``t_p = t_c / ln(1 / (1 - a_c))``. ``t_c`` per metal comes from
``datasets/film_continuity.csv``; a metal without a row takes the largest recorded value (flagged ``assumed``).
Where the metal is missing, the bottom site under the carbon is the bare collector.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import numpy.typing as npt
import pandas as pd

from screen.model.physics import D_REF_NM

#: Porosity of a random close packing of equal spheres (Scott & Kilgour 1969).
RANDOM_CLOSE_PACKING_POROSITY = 0.36
#: Area fraction at which random discs percolate (Quintanilla, Torquato & Ziff 2000).
DISC_PERCOLATION_AREA_FRACTION = 0.6763
#: Particle size (nm) assumed for a particulate preset with no recorded size or BET area (the gap model's reference).
ASSUMED_PARTICLE_NM = D_REF_NM
FILM_PROCESSES = ("thermal_evaporation", "magnetron_sputtering")

INTEGRITY_COLUMNS = ("carbon_closure", "metal_coverage", "sealed_fraction", "closure_basis", "coverage_basis")


@cache
def continuity_thickness(metal: str) -> tuple[float, str]:
    """(percolation thickness in nm, basis) of a deposited film of ``metal``."""
    from descriptors.data.curated import load_table

    t = load_table("film_continuity.csv")
    row = t[t["metal"] == metal]
    if len(row):
        r = row.iloc[0]
        bound = " (upper bound)" if r["bound"] == "upper" else ""
        return float(r["continuity_nm"]), f"recorded{bound}: {r['source']}"
    return float(t["continuity_nm"].max()), "assumed: no value for this metal, the largest recorded one"


@cache
def carbon_form(carbon: str) -> tuple[bool, float, str]:
    """(is a continuous film, particle diameter in nm, basis) of a carbon preset."""
    from descriptors.data.curated import carbon_presets
    from descriptors.graphitization.featurizer import GraphitizationFeaturizer

    rows = carbon_presets().get(carbon, {})
    process = rows["deposition"][0]["value"] if "deposition" in rows else ""
    if process in FILM_PROCESSES:
        return True, float("nan"), f"continuous film ({process})"
    gf = GraphitizationFeaturizer()
    r = dict(zip(gf.feature_labels(), gf.featurize(carbon)))
    d = float(r["particle_size_nm"])
    if np.isfinite(d):
        return False, d, f"particulate, d = {d:.3g} nm ({r['particle_size_basis']})"
    return False, ASSUMED_PARTICLE_NM, f"particulate, d = {ASSUMED_PARTICLE_NM:g} nm assumed (no size or BET area recorded)"


def closure_fraction(carbon_nm: npt.ArrayLike, particle_nm: npt.ArrayLike, film: npt.ArrayLike, porosity: float) -> np.ndarray:
    """1 − porosity ** (t / d) for particulate layers of thickness ``t`` and particle diameter ``d`` (nm), 1 for films
    (arrays that broadcast)."""
    return np.where(film, 1.0, 1.0 - porosity ** (np.asarray(carbon_nm, dtype=float) / particle_nm))


def coverage_fraction(metal_nm: npt.ArrayLike, continuity_nm: npt.ArrayLike) -> np.ndarray:
    """1 − exp(−t / t_p) with t_p = t_c / ln(1 / (1 − a_c)): random deposition of islands that percolate at ``t_c``."""
    scale = np.log(1.0 / (1.0 - DISC_PERCOLATION_AREA_FRACTION))
    return 1.0 - np.exp(-np.asarray(metal_nm, dtype=float) * scale / continuity_nm)


def carbon_closure(carbon: np.ndarray, carbon_nm: np.ndarray, porosity: float = RANDOM_CLOSE_PACKING_POROSITY) -> np.ndarray:
    """Fraction (0-1) of the electrolyte surface a carbon layer of thickness ``carbon_nm`` (nm) closes off."""
    carbon = np.asarray(carbon, dtype=object)
    out = np.ones(carbon.size)
    for c in np.unique(carbon):
        if c == "none":
            continue
        film, d, _ = carbon_form(str(c))
        m = carbon == c
        out[m] = closure_fraction(np.asarray(carbon_nm, dtype=float)[m], d, film, porosity)
    return out


def metal_coverage(metal: np.ndarray, metal_nm: np.ndarray) -> np.ndarray:
    """Fraction (0-1) of the collector a deposited metal film of mass thickness ``metal_nm`` (nm) covers; 1 without metal."""
    metal = np.asarray(metal, dtype=object)
    out = np.ones(metal.size)
    for m in np.unique(metal):
        if m == "none":
            continue
        sel = metal == m
        out[sel] = coverage_fraction(np.asarray(metal_nm, dtype=float)[sel], continuity_thickness(str(m))[0])
    return out


def integrity(cands: pd.DataFrame, porosity: float = RANDOM_CLOSE_PACKING_POROSITY) -> pd.DataFrame:
    """Carbon closure, metal coverage, their product (``sealed_fraction``) and the basis of each, per candidate."""
    metal = cands["metal"].to_numpy(object)
    carbon = cands["carbon"].to_numpy(object)
    closure = carbon_closure(carbon, cands["carbon_nm"].to_numpy(float), porosity)
    coverage = metal_coverage(metal, np.nan_to_num(cands["metal_nm"].to_numpy(float)))
    return pd.DataFrame({
        "carbon_closure": closure, "metal_coverage": coverage, "sealed_fraction": closure * coverage,
        "closure_basis": pd.Series(carbon).map({c: "" if c == "none" else carbon_form(str(c))[2] for c in set(carbon)}).to_numpy(),
        "coverage_basis": pd.Series(metal).map({m: "" if m == "none" else continuity_thickness(str(m))[1] for m in set(metal)}).to_numpy(),
    }, index=cands.index)
