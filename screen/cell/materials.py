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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

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
    return {str(e): (float(p), bool(d)) for e, p, d in zip(t["element"], t["price_usd_kg"].astype(float), t["doubtful"])}


def priced_metals() -> list[str]:
    """Metals that have a price (Li and C excluded)."""
    return sorted(e for e in element_prices() if e not in {"Li", "C"})


def _molar_volume(symbol: str) -> float:
    from descriptors.solubility.miedema import parameter_table

    t = parameter_table()
    if symbol not in t.index:
        raise InputError(f"no Miedema molar volume for '{symbol}' (datasets/miedema_parameters.csv)")
    return float(t["molar_volume_cm3_mol"].astype(float)[symbol])


@cache
def metal_layer(metal: str, energy_source: str = "oqmd_legacy", li_uptake: str = "computed") -> MetalLayer:
    """Density, molar mass and volume, Li uptake above 0 V and price of ``metal`` (kept in the disk memo,
    :mod:`descriptors.data.memo`, for the data-fixed energy sources)."""
    from screen.model.cells import MEMO_SOURCES

    if energy_source in MEMO_SOURCES:
        return MetalLayer(**_memo_metal_layer(metal, energy_source, li_uptake))
    return _metal_layer(metal, energy_source, li_uptake)


@disk_memo("metal_layer")
def _memo_metal_layer(metal: str, energy_source: str, li_uptake: str) -> dict[str, Any]:
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
    reference = _measured_capacity(presets, "carbon_black")
    if reference is None:
        raise InputError("carbons.csv: carbon_black needs lithiation_capacity_mAh_cm2 and thickness_nm (the reference carbon)")
    q_cb = reference[0]
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


def _measured_capacity(presets: dict[str, Any], carbon: str) -> tuple[float, str] | None:
    """(mAh/cm3, basis) from a preset's recorded lithiation capacity and layer thickness, or None."""
    rows = presets[carbon]
    if "lithiation_capacity_mAh_cm2" not in rows or "thickness_nm" not in rows:
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


@dataclass(frozen=True)
class MetalArrays:
    """Properties of a list of metals, one entry per metal, for :func:`layer_quantities` (``none``, no metal: zeros).

    A property a metal lacks (NaN) counts as the neutral value: density, uptake, price and deposition cost 0, molar mass
    1 g/mol and expansion ratio 1."""

    present: np.ndarray
    density_g_cm3: np.ndarray
    molar_mass_g_mol: np.ndarray
    li_uptake_per_M: np.ndarray
    #: volume after / before lithiation above 0 V (Zen's law, see the module docstring)
    expansion_ratio: np.ndarray
    price_usd_kg: np.ndarray
    #: cost of depositing the layer (USD/m²), the study's figure for its process
    deposition_usd_m2: np.ndarray


@dataclass(frozen=True)
class CarbonArrays:
    """Properties of a list of carbon presets, one entry per preset, for :func:`layer_quantities` (``none``: zeros)."""

    present: np.ndarray
    capacity_mAh_cm3: np.ndarray
    density_g_cm3: np.ndarray
    price_usd_kg: np.ndarray
    #: cost of depositing the layer (USD/m²), the study's figure for the preset's process
    deposition_usd_m2: np.ndarray


def metal_arrays(metals: Sequence[str], energy_source: str = "oqmd_legacy", li_uptake: str = "computed",
                 deposition_usd_m2: Mapping[Any, float] | None = None,
                 metal_process: str = "thermal_evaporation") -> MetalArrays:
    """:class:`MetalArrays` of ``metals`` (arguments as :func:`layer_objectives`'s)."""
    layers = [None if m == "none" else metal_layer(m, energy_source, li_uptake) for m in metals]

    def prop(attr: str, default: float) -> np.ndarray:
        return np.nan_to_num(np.array([default if lay is None else float(getattr(lay, attr)) for lay in layers]), nan=default)

    present = np.array([lay is not None for lay in layers], dtype=bool)
    y = prop("li_uptake_per_M", 0.0)
    return MetalArrays(present=present, density_g_cm3=prop("density_g_cm3", 0.0), molar_mass_g_mol=prop("molar_mass_g_mol", 1.0),
                       li_uptake_per_M=y, expansion_ratio=1.0 + y * _molar_volume("Li") / prop("molar_volume_cm3_mol", 1.0),
                       price_usd_kg=prop("price_usd_kg", 0.0),
                       deposition_usd_m2=np.where(present, float((deposition_usd_m2 or {}).get(metal_process, 0.0)), 0.0))


def carbon_arrays(carbons: Sequence[str], deposition_usd_m2: Mapping[Any, float] | None = None) -> CarbonArrays:
    """:class:`CarbonArrays` of ``carbons``; each preset's deposition cost is the study's figure for its process
    (:func:`carbon_process`)."""
    layers = [None if c == "none" else carbon_layer(c) for c in carbons]
    dep = deposition_usd_m2 or {}

    def prop(attr: str) -> np.ndarray:
        return np.nan_to_num(np.array([0.0 if lay is None else float(getattr(lay, attr)) for lay in layers]), nan=0.0)

    return CarbonArrays(present=np.array([lay is not None for lay in layers], dtype=bool), capacity_mAh_cm3=prop("capacity_mAh_cm3"),
                        density_g_cm3=prop("density_g_cm3"), price_usd_kg=prop("price_usd_kg"),
                        deposition_usd_m2=np.array([0.0 if c == "none" else float(dep.get(carbon_process(c), 0.0)) for c in carbons]))


def layer_quantities(metals: MetalArrays, metal_code: np.ndarray, metal_nm: np.ndarray, carbons: CarbonArrays,
                     carbon_code: np.ndarray, carbon_nm: np.ndarray, areal_capacity_mAh_cm2: float) -> dict[str, np.ndarray]:
    """Li inventory, cost, swelling, thickness and mass of each design: the formulas of the module docstring, the one
    implementation the reports and the search both use.

    Args:
        metals, carbons: properties of the metals and carbons the codes point into (:func:`metal_arrays`,
            :func:`carbon_arrays`).
        metal_code, carbon_code: integer arrays, each design's metal and carbon.
        metal_nm, carbon_nm: layer thicknesses (nm); NaN, or a code of ``none``, is no layer.
        areal_capacity_mAh_cm2: capacity plated per charge (mAh/cm²), for ``li_loss_pct``.

    Returns:
        ``{column: array}`` for every column of :data:`OBJECTIVE_COLUMNS`, one entry per design (units in the names:
        mAh/cm², %, USD/m², nm, mg/cm²; ``metal_expansion_ratio`` is a volume ratio).
    """
    t_m = np.where(metals.present[metal_code], np.nan_to_num(np.asarray(metal_nm, dtype=float)), 0.0)
    t_c = np.where(carbons.present[carbon_code], np.nan_to_num(np.asarray(carbon_nm, dtype=float)), 0.0)
    rho_m, rho_c = metals.density_g_cm3[metal_code], carbons.density_g_cm3[carbon_code]
    ratio = metals.expansion_ratio[metal_code]
    li_m = t_m * 1e-7 * rho_m / metals.molar_mass_g_mol[metal_code] * metals.li_uptake_per_M[metal_code] * FARADAY_MAH_MOL
    li_c = t_c * 1e-7 * carbons.capacity_mAh_cm3[carbon_code]
    # g/cm² x USD/kg x (1e-3 kg/g) x (1e4 cm²/m²) = USD/m²
    material = (t_m * 1e-7 * rho_m * metals.price_usd_kg[metal_code] + t_c * 1e-7 * rho_c * carbons.price_usd_kg[carbon_code]) * 10.0
    deposition = (np.where(t_m > 0, metals.deposition_usd_m2[metal_code], 0.0)
                  + np.where(t_c > 0, carbons.deposition_usd_m2[carbon_code], 0.0))
    return {"li_metal_mAh_cm2": li_m, "li_carbon_mAh_cm2": li_c, "li_loss_mAh_cm2": li_m + li_c,
            "li_loss_pct": 100.0 * (li_m + li_c) / areal_capacity_mAh_cm2, "cost_usd_m2": material + deposition,
            "metal_growth_nm": t_m * (ratio - 1.0), "metal_expansion_ratio": np.where(t_m > 0, ratio, 1.0), "total_nm": t_m + t_c,
            "mass_mg_cm2": (t_m * rho_m + t_c * rho_c) * 1e-4}  # nm x g/cm3 x (1e-7 cm/nm) x (1e3 mg/g)


def layer_objectives(cands: pd.DataFrame, areal_capacity_mAh_cm2: float, energy_source: str = "oqmd_legacy",
                     li_uptake: str = "computed", deposition_usd_m2: Mapping[Any, float] | None = None,
                     metal_process: str = "thermal_evaporation") -> pd.DataFrame:
    """Li inventory, cost, swelling and thickness of each candidate (:func:`layer_quantities` on a table).

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
    metal_code, metal_names = pd.factorize(cands["metal"])
    carbon_code, carbon_names = pd.factorize(cands["carbon"])
    metals = metal_arrays(list(metal_names), energy_source, li_uptake, deposition_usd_m2, metal_process)
    carbons = carbon_arrays(list(carbon_names), deposition_usd_m2)
    out = pd.DataFrame(layer_quantities(metals, metal_code, cands["metal_nm"].to_numpy(float), carbons, carbon_code,
                                        cands["carbon_nm"].to_numpy(float), areal_capacity_mAh_cm2), index=cands.index)
    layers = {m: metal_layer(m, energy_source, li_uptake) for m in metal_names if m != "none"}

    def basis(attr: str, default: str | bool) -> pd.Series:
        return cands["metal"].map({m: getattr(v, attr) for m, v in layers.items()}).fillna(default)

    out["li_richest_phase"] = basis("li_richest_phase", "")
    out["li_uptake_per_M"] = metals.li_uptake_per_M[metal_code]
    out["uptake_basis"] = basis("uptake_basis", "")
    out["carbon_capacity_basis"] = cands["carbon"].map({c: carbon_layer(c).capacity_basis for c in carbon_names if c != "none"}).fillna("")
    out["price_doubtful"] = basis("price_doubtful", False).astype(bool)
    return out


def carbon_signature(carbon: str) -> tuple[Any, ...]:
    """Everything the screen reads about a carbon preset: graphitization index, particle size, film or particulate,
    lithiation capacity, density and deposition process. Presets with equal signatures give identical designs."""
    from screen.cell.integrity import carbon_form
    from screen.model.cells import carbon_descriptors, preset_particle_size

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
    first: dict[tuple[Any, ...], str] = {}
    for c in carbons:
        sig = carbon_signature(c)
        if sig in first:
            merged.setdefault(first[sig], []).append(c)
        else:
            first[sig] = c
            kept.append(c)
    return kept, merged

