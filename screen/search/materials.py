"""Layer bookkeeping for the cell designer's objectives: Li inventory, cost, swelling, thickness.

Everything here is per unit cell area and vectorised over candidates.

**Li the interlayer takes up on first charge** (mAh/cm²). Both layers lithiate
above 0 V vs Li/Li⁺ before Li metal plates (source paper, doi:10.1021/acsami.6c01094),
so this charge is drawn from the cathode's inventory:

* metal layer: ``Q_M = (t_M ρ_M / M_M) · y · F``, with ``t_M`` the metal thickness (cm),
  ``ρ_M`` its density (g/cm³, pymatgen), ``M_M`` its molar mass (g/mol) and ``y`` the Li
  atoms taken up per M atom by the Li-richest phase reached above 0 V:

  - Li–M systems with intermediate phases: the Li-richest phase on the computed Li–M
    convex hull (``descriptors.phases.featurizer`` with the study's energy source) — the phase in
    equilibrium with Li metal, i.e. the end of lithiation above 0 V. With
    ``li_uptake = "curated"`` the Li-richest phase of the assessed diagram
    (``li_binaries.csv``) overrides it where one is recorded.
  - No intermediate phase, but M soluble in bcc Li (Miedema/Hume-Rothery score
    ``solubility_score_M_in_Li`` ≥ 0.5): the Li-poor edge of the bcc (Li) field, where M is
    at its electron-concentration limit ``c = ec_limit_M_in_Li`` (Jones 1937), so
    ``y = (1 − c)/c`` (Mg: c = 0.5, y = 1). Li taken up beyond it, at 0 V, is plated Li.
  - Otherwise (Cu, Ni, Fe, ...): ``y = 0``.

* carbon layer: ``Q_C = t_C · q_C`` with ``q_C`` a volumetric capacity (mAh/cm³). A carbon
  preset that records ``lithiation_capacity_mAh_cm2`` and ``thickness_nm`` gives
  ``q_C`` directly (carbon black: 0.25 mAh/cm² for ~13 µm, Liao 2025,
  doi:10.1002/adma.202502114). Other carbons are interpolated on the graphitization index
  ``g`` between that measured carbon black and dense graphite at LiC₆
  (``q = F/(6 M_C) · ρ_graphite``, 372 mAh/g × 2.26 g/cm³ = 841 mAh/cm³, g = 1) — an
  estimate, flagged as such in the ``carbon_capacity_basis`` column.

``F`` = 26,801 mAh/mol. The total is also given as % of the study's areal capacity.

**Material cost** (USD/m²): ``t ρ · price`` for each layer, prices from
``datasets/element_prices.csv`` (element prices, 2013 lookups). Carbon is priced as elemental C for every preset.
**Deposition cost**: no sourced USD/m² figure for evaporation, sputtering or slurry casting was found, so none is
shipped; a study's ``[cost] deposition_usd_m2`` adds its own per layer (the metal by ``metal_process``, the carbon by
its preset's recorded ``deposition``, else slurry casting).

**Swelling of the metal layer**: by Zen's law (additive atomic volumes; E. Zen, Am. Mineral. 41, 523 (1956))
with Miedema molar volumes, a layer that takes up ``y`` Li per M grows by ``V_Li y / V_M`` in volume. A film clamped in-plane grows
in thickness only, so its growth is ``t_M · y V_Li / V_M`` (nm). The source paper saw
500 nm of Mg reach ~2 µm after plating 2 mAh/cm²; the Li it counts beyond the bcc edge
was taken up at 0 V, so this above-0-V figure (1.93×) is the lower bound.

**Added thickness**: metal + carbon as deposited (nm).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from descriptors.data.memo import disk_memo
from descriptors.errors import InputError

#: Faraday's constant in mAh/mol.
FARADAY_MAH_MOL = 96485.33212 / 3.6
#: Li atoms per C atom in LiC6.
_LI_PER_C_GRAPHITE = 1.0 / 6.0
#: Miedema solubility score above which M counts as soluble in bcc Li.
SOLUBLE_SCORE = 0.5
LI_UPTAKE_SOURCES = ("computed", "curated")

OBJECTIVE_COLUMNS: tuple[str, ...] = (
    "li_metal_mAh_cm2", "li_carbon_mAh_cm2", "li_loss_mAh_cm2", "li_loss_pct", "cost_usd_m2", "metal_growth_nm",
    "metal_expansion_ratio", "total_nm", "mass_mg_cm2",
)


@dataclass(frozen=True)
class MetalLayer:
    """Bookkeeping properties of one interlayer metal."""

    metal: str
    density_g_cm3: float
    molar_mass_g_mol: float
    molar_volume_cm3_mol: float
    li_richest_phase: str
    li_uptake_per_M: float
    uptake_basis: str
    price_usd_kg: float
    price_doubtful: bool


@dataclass(frozen=True)
class CarbonLayer:
    """Bookkeeping properties of one carbon preset."""

    carbon: str
    capacity_mAh_cm3: float
    capacity_basis: str
    density_g_cm3: float
    price_usd_kg: float


@cache
def element_prices() -> dict[str, tuple[float, bool]]:
    """``{element: (USD/kg, doubtful)}`` from ``datasets/element_prices.csv``."""
    from descriptors.data.curated import load_table

    t = load_table("element_prices.csv")
    return {r.element: (float(r.price_usd_kg), bool(r.doubtful)) for r in t.itertuples()}


def priced_metals() -> list[str]:
    """Metals that have a price (Li and C excluded)."""
    return sorted(e for e in element_prices() if e not in {"Li", "C"})


def _molar_volume(symbol: str) -> float:
    from descriptors.solubility.miedema import parameter_table

    t = parameter_table()
    if symbol not in t.index:
        raise InputError(f"no Miedema molar volume for '{symbol}' (datasets/miedema_parameters.csv)")
    return float(t.loc[symbol, "molar_volume_cm3_mol"])


@cache
def metal_layer(metal: str, energy_source: str = "oqmd_legacy", li_uptake: str = "computed") -> MetalLayer:
    """Density, molar mass and volume, Li uptake above 0 V and price of ``metal`` (kept in the disk memo,
    :mod:`descriptors.data.memo`, for the data-fixed energy sources)."""
    from screen.model.cells import MEMO_SOURCES

    if energy_source in MEMO_SOURCES:
        return MetalLayer(**_memo_metal_layer(metal, energy_source, li_uptake))
    return _metal_layer(metal, energy_source, li_uptake)


@disk_memo("metal_layer")
def _memo_metal_layer(metal: str, energy_source: str, li_uptake: str) -> dict:
    from dataclasses import asdict

    return asdict(_metal_layer(metal, energy_source, li_uptake))


def _metal_layer(metal: str, energy_source: str, li_uptake: str) -> MetalLayer:
    from descriptors.data.elements import element_data
    from descriptors.phases.energy_sources import make_source
    from descriptors.phases.featurizer import IntermediatePhaseFeaturizer
    from descriptors.solubility.featurizer import LiSolubilityFeaturizer

    if li_uptake not in LI_UPTAKE_SOURCES:
        raise InputError(f"li_uptake must be one of {', '.join(LI_UPTAKE_SOURCES)}, got '{li_uptake}'")
    prices = element_prices()
    if metal not in prices:
        raise InputError(f"no price for '{metal}' in datasets/element_prices.csv")
    ed = element_data(metal)
    hull = IntermediatePhaseFeaturizer(source=make_source(energy_source))
    ph = dict(zip(hull.feature_labels(), hull.featurize(metal)))
    phase, y, basis = ph["li_richest_phase"], float(ph["li_uptake_per_M"]), f"hull ({ph['energy_source']})"
    if li_uptake == "curated":
        cur = IntermediatePhaseFeaturizer(prefer_curated=True)
        c = dict(zip(cur.feature_labels(), cur.featurize(metal)))
        if c["call_source"].startswith("curated") and c["li_richest_phase"]:
            phase, y, basis = c["li_richest_phase"], float(c["li_uptake_per_M"]), "curated (li_binaries.csv)"
    if not phase:
        sf = LiSolubilityFeaturizer()
        sol = dict(zip(sf.feature_labels(), sf.featurize(metal)))
        c_lim = float(sol["ec_limit_M_in_Li"])
        if float(sol["solubility_score_M_in_Li"]) >= SOLUBLE_SCORE and c_lim > 0:
            phase, y, basis = f"bcc (Li) at {c_lim:.0%} {metal}", (1.0 - c_lim) / c_lim, "solid solution (electron-concentration limit)"
        else:
            phase, y, basis = "", 0.0, "no Li uptake (no phase, insoluble)"
    price, doubtful = prices[metal]
    return MetalLayer(metal, float(ed.density_g_cm3), float(ed.molar_mass_g_mol), _molar_volume(metal), phase, y, basis,
                      price, doubtful)


@cache
def carbon_layer(carbon: str) -> CarbonLayer:
    """Volumetric lithiation capacity, density and price of a carbon preset."""
    from descriptors.data.curated import carbon_presets
    from descriptors.data.elements import element_data
    from screen.model.cells import carbon_descriptors

    presets = carbon_presets()
    if carbon not in presets:
        raise InputError(f"unknown carbon preset '{carbon}' (known: {', '.join(sorted(presets))})")
    graphite_density = float(presets["graphite"]["density_g_cm3"][0]["value"])
    q_graphite = FARADAY_MAH_MOL * _LI_PER_C_GRAPHITE / element_data("C").molar_mass_g_mol * graphite_density
    q_cb, _ = _measured_capacity(presets, "carbon_black")
    g_cb = carbon_descriptors("carbon_black")["graphitization_index"]
    measured = _measured_capacity(presets, carbon)
    if measured is not None:
        q, basis = measured
    else:
        g = carbon_descriptors(carbon)["graphitization_index"]
        w = float(np.clip((g - g_cb) / (1.0 - g_cb), 0.0, 1.0))
        q = q_cb + w * (q_graphite - q_cb)
        basis = f"estimated: interpolated on graphitization index g={g:.2f} between carbon black and LiC6 graphite"
    density = float(presets[carbon]["density_g_cm3"][0]["value"]) if "density_g_cm3" in presets[carbon] else graphite_density
    return CarbonLayer(carbon, float(q), basis, density, element_prices()["C"][0])


def _measured_capacity(presets: dict, carbon: str) -> tuple[float, str] | None:
    """(mAh/cm3, basis) from a preset's recorded lithiation capacity and layer thickness, or None."""
    rows = presets[carbon]
    if "lithiation_capacity_mAh_cm2" not in rows or "thickness_nm" not in rows:
        if carbon == "carbon_black":
            raise InputError("carbons.csv: carbon_black needs lithiation_capacity_mAh_cm2 and thickness_nm (the reference carbon)")
        return None
    cap, thick = rows["lithiation_capacity_mAh_cm2"][0], rows["thickness_nm"][0]
    q = float(cap["value"]) / (float(thick["value"]) * 1e-7)
    return q, f"measured: {cap['value']} mAh/cm2 for {float(thick['value']) / 1000:g} um ({cap['source']})"


@cache
def carbon_process(carbon: str) -> str:
    """How a carbon preset is laid down: its recorded ``deposition`` (``carbons.csv``), else slurry casting."""
    from descriptors.data.curated import carbon_presets

    rows = carbon_presets().get(carbon, {})
    return rows["deposition"][0]["value"] if "deposition" in rows else "slurry_casting"


def layer_objectives(cands: pd.DataFrame, areal_capacity_mAh_cm2: float, energy_source: str = "oqmd_legacy",
                     li_uptake: str = "computed", deposition_usd_m2: dict[str, float] | None = None,
                     metal_process: str = "thermal_evaporation") -> pd.DataFrame:
    """Li inventory, cost, swelling and thickness of each candidate (vectorised).

    Args:
        cands: validated candidates (``metal``, ``carbon``, ``metal_nm``, ``carbon_nm``).
        areal_capacity_mAh_cm2: capacity plated per charge (mAh/cm²), for the % column.
        energy_source: Li–M hull source for the Li-richest phase.
        li_uptake: ``computed`` (hull) or ``curated`` (assessed phases override where known).
        deposition_usd_m2: cost per deposited layer by process (USD/m²); a process not listed adds nothing.
        metal_process: how the metal layer is deposited.

    Returns:
        One row per candidate with :data:`OBJECTIVE_COLUMNS` plus the per-metal basis columns
        (``li_richest_phase``, ``li_uptake_per_M``, ``uptake_basis``, ``carbon_capacity_basis``,
        ``price_doubtful``).
    """
    if not areal_capacity_mAh_cm2 > 0:
        raise InputError(f"areal capacity must be positive, got {areal_capacity_mAh_cm2}")
    metals = {m: metal_layer(m, energy_source, li_uptake) for m in cands["metal"].unique() if m != "none"}
    carbons = {c: carbon_layer(c) for c in cands["carbon"].unique() if c != "none"}

    def per_metal(attr: str, default: float | str | bool) -> pd.Series:
        return cands["metal"].map({m: getattr(v, attr) for m, v in metals.items()}).fillna(default)

    def per_carbon(attr: str, default: float | str) -> pd.Series:
        return cands["carbon"].map({c: getattr(v, attr) for c, v in carbons.items()}).fillna(default)

    t_m = np.where(cands["metal"] == "none", 0.0, cands["metal_nm"].fillna(0.0).to_numpy(float))
    t_c = np.where(cands["carbon"] == "none", 0.0, cands["carbon_nm"].fillna(0.0).to_numpy(float))
    rho_m = per_metal("density_g_cm3", 0.0).to_numpy(float)
    mw = per_metal("molar_mass_g_mol", 1.0).to_numpy(float)
    y = per_metal("li_uptake_per_M", 0.0).to_numpy(float)
    v_m = per_metal("molar_volume_cm3_mol", 1.0).to_numpy(float)
    mol_m = t_m * 1e-7 * rho_m / mw  # mol/cm2
    li_m = mol_m * y * FARADAY_MAH_MOL
    li_c = t_c * 1e-7 * per_carbon("capacity_mAh_cm3", 0.0).to_numpy(float)
    cost = (t_m * 1e-7 * rho_m * per_metal("price_usd_kg", 0.0).to_numpy(float)
            + t_c * 1e-7 * per_carbon("density_g_cm3", 0.0).to_numpy(float) * per_carbon("price_usd_kg", 0.0).to_numpy(float))
    cost_m2 = cost * 1e-3 * 1e4  # g/cm2 * USD/kg -> USD/cm2 -> USD/m2
    dep = deposition_usd_m2 or {}
    c_dep = cands["carbon"].map({c: dep.get(carbon_process(c), 0.0) for c in carbons}).fillna(0.0).to_numpy(float)
    cost_m2 = cost_m2 + np.where(t_m > 0, dep.get(metal_process, 0.0), 0.0) + np.where(t_c > 0, c_dep, 0.0)
    mass = (t_m * rho_m + t_c * per_carbon("density_g_cm3", 0.0).to_numpy(float)) * 1e-7 * 1e3  # mg/cm2
    ratio = 1.0 + y * _molar_volume("Li") / v_m
    out = pd.DataFrame({
        "li_metal_mAh_cm2": li_m, "li_carbon_mAh_cm2": li_c, "li_loss_mAh_cm2": li_m + li_c,
        "li_loss_pct": 100.0 * (li_m + li_c) / areal_capacity_mAh_cm2, "cost_usd_m2": cost_m2,
        "metal_growth_nm": t_m * (ratio - 1.0), "metal_expansion_ratio": np.where(t_m > 0, ratio, 1.0), "total_nm": t_m + t_c,
        "mass_mg_cm2": mass,
        "li_richest_phase": per_metal("li_richest_phase", ""), "li_uptake_per_M": y,
        "uptake_basis": per_metal("uptake_basis", ""), "carbon_capacity_basis": per_carbon("capacity_basis", ""),
        "price_doubtful": per_metal("price_doubtful", False).astype(bool),
    }, index=cands.index)
    return out


def carbon_signature(carbon: str) -> tuple:
    """Everything the screen reads about a carbon preset: graphitization index, particle size, film or particulate,
    lithiation capacity, density and deposition process. Presets with equal signatures give identical designs."""
    from screen.model.cells import carbon_descriptors, preset_particle_size
    from screen.search.integrity import carbon_form

    layer = carbon_layer(carbon)
    film, d, _ = carbon_form(carbon)

    def r(x: float) -> float | None:
        return None if not np.isfinite(x) else round(float(x), 6)

    return (r(carbon_descriptors(carbon)["graphitization_index"]), r(preset_particle_size(carbon)), film, r(d),
            r(layer.capacity_mAh_cm3), r(layer.density_g_cm3), carbon_process(carbon))


def merge_identical_carbons(carbons: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    """(kept presets, {kept: [merged presets]}): presets whose :func:`carbon_signature` equals an earlier one's are
    merged into it (the first in ``carbons`` order stands for the group)."""
    kept: list[str] = []
    merged: dict[str, list[str]] = {}
    first: dict[tuple, str] = {}
    for c in carbons:
        sig = carbon_signature(c)
        if sig in first:
            merged.setdefault(first[sig], []).append(c)
        else:
            first[sig] = c
            kept.append(c)
    return kept, merged

